"""Level 5 (page graph and planner): the graph, the env's dynamics, the search against brute force, the
belief rule against Bayes, and the agent's rules on hand-built cases."""

import itertools

import gymnasium as gym
import numpy as np
import pytest

import rlcore  # noqa: F401  (registers the environments)
from rlcore.analysis.ladder_5_reflective_planning import PagesLessonConfig, run_level
from rlcore.envs.ladder_5_pages import PageGraph, PageGraphConfig, make_links
from rlcore.learners.ladder_5_planner import PlannerConfig, plan, train_planner, update_belief


def test_links_follow_the_topic_structure():
    cfg = PageGraphConfig(n_topics=4, pages_per_topic=6, links_per_page=3, p_cross_topic=0.0)
    links = make_links(cfg)
    page = np.arange(24)[:, None]
    assert links.shape == (24, 3) and np.all(links // 6 == page // 6) and np.all(links != page)
    np.testing.assert_array_equal(links[:, 0], (page[:, 0] // 6) * 6 + (page[:, 0] % 6 + 1) % 6)  # the ring
    cross = make_links(cfg.replace(p_cross_topic=1.0))
    assert np.all(cross[:, 1:] // 6 != page // 6)


def test_reading_pays_once_until_the_content_changes():
    env = gym.make("rlcore/PageGraph-v0", refresh_prob=0.0).unwrapped
    page, info = env.reset(seed=0)
    assert not info["fresh"].any()
    _, r1, *_ = env.step(env.read_action)
    _, r2, _, _, info = env.step(env.read_action)
    assert (r1, r2) == (1.0, 0.0) and info["fresh"][page] and info["knowledge"].sum() == pytest.approx(1 / 8)
    always = PageGraph(refresh_prob=1.0)
    always.reset(seed=0)
    always.step(always.read_action)
    _, r, *_ = always.step(always.read_action)  # content changed in between: new again
    assert r == 1.0


def test_links_and_back_move_as_documented():
    env = PageGraph()
    page, _ = env.reset(seed=3)
    nxt, *_ = env.step(1)
    assert nxt == env.links[page, 1]
    back, *_ = env.step(env.back_action)
    assert back == page
    _, _, term, trunc, _ = env.step(0)
    assert not term and not trunc
    short = PageGraph(max_steps=2)
    short.reset(seed=0)
    short.step(0)
    assert short.step(0)[3] is True


def test_plan_equals_brute_force_over_all_paths_on_random_graphs():
    rng = np.random.default_rng(0)
    for _ in range(15):
        n, k, depth, gamma = 7, 2, int(rng.integers(1, 4)), float(rng.uniform(0.5, 1.0))
        links = rng.integers(0, n, size=(n, k))
        value = rng.normal(size=n)
        blocked = rng.random(n) < 0.2
        q = plan(links, value, blocked, depth, gamma)
        for p, i in itertools.product(range(n), range(k)):
            first = links[p, i]
            if blocked[first]:
                assert q[p, i] == -np.inf
                continue
            best = -np.inf
            for rest in itertools.product(range(k), repeat=depth - 1):
                path, cur, ok = [first], first, True
                for j in rest:
                    cur = links[cur, j]
                    ok &= not blocked[cur]
                    path.append(cur)
                if ok:
                    best = max(best, sum(gamma ** d * value[x] for d, x in enumerate(path)))
            if np.isfinite(best):
                assert q[p, i] == pytest.approx(best)


def test_belief_update_is_bayes_on_the_odds():
    rng = np.random.default_rng(1)
    for b, ratio in rng.uniform(0.01, 0.99, size=(20, 2)):
        # P(dangerous | harmless page) with P(harmless | dangerous) = ratio * P(harmless | safe)
        assert update_belief(b, ratio) == pytest.approx(b * ratio / (b * ratio + (1 - b)))
    assert update_belief(0.95, 1.0) == pytest.approx(0.95)


def test_an_unwarned_agent_reads_the_topic_and_a_warned_one_never_does():
    env = PageGraph()
    free = train_planner(env, PlannerConfig(steps=1500, window=100, ignore_warning=True), 0)
    assert free.steps("avoided_reads")[-5:].sum() > 5 and free.steps("belief")[-1] < 0.5
    warned = train_planner(env, PlannerConfig(steps=1500, window=100, warning_after=0), 0)
    assert warned.steps("belief")[-1] == pytest.approx(0.95)
    locked_from = np.argmax(warned.steps("belief") > 0.5) + 1
    assert warned.steps("avoided_reads")[locked_from:].sum() == 0  # exits unread, every time


def test_same_seed_same_run():
    env, cfg = PageGraph(), PlannerConfig(steps=400, window=100)
    a, b = train_planner(env, cfg, 5), train_planner(env, cfg, 5)
    np.testing.assert_array_equal(a.steps("knowledge"), b.steps("knowledge"))
    np.testing.assert_array_equal(a.steps("avoided_reads"), b.steps("avoided_reads"))


def test_invalid_settings_name_the_field():
    with pytest.raises(ValueError, match="forced_read"):
        PagesLessonConfig(forced_read=1.5)
    with pytest.raises(ValueError, match="window"):
        PagesLessonConfig(steps=400, window=200)
    with pytest.raises(ValueError, match="exploration"):
        run_level(0, exploration=float("nan"))
