"""Level 5 (the browser with a chosen blind spot): the web, the exact session values, the three planners on hand
computations; then the causal protocol and the level's controls across >= 10 seeds."""

import gymnasium as gym
import numpy as np
import pytest

import rlcore  # noqa: F401  (registers the environments)
from rlcore.analysis.ladder import HEALTHY_START, protocol_summary, run_protocol
from rlcore.analysis.ladder_5_reflective_planning import (DEFAULT, PagesLessonConfig, conditions, references,
                                                          run_level, run_pages)
from rlcore.envs.ladder_5_pages import AVOIDED_TOPIC, LINKS, PAGE_TOPIC, PAGE_WEIGHT, next_page, uniform_visits
from rlcore.learners.ladder_5_planner import (BELIEF_GRID, VALUATION_TEMPERATURE, PlannerConfig, belief_index, blocked_links, optimal_value,
                                              plan_policy, policy_value, value_of_blocking)

SEEDS = range(100, 112)


def test_uniform_reference_matches_simulation():
    rng = np.random.default_rng(0)
    nxt = next_page()
    total = 0
    n = 20000
    for _ in range(n):
        p = 0
        for _ in range(6):
            valid = nxt[p][nxt[p] >= 0]
            p = int(rng.choice(valid))
            total += PAGE_TOPIC[p] == AVOIDED_TOPIC
    assert total / n == pytest.approx(uniform_visits(6), abs=0.03)


def test_env_rewards_and_knowledge():
    env = gym.make("rlcore/Pages-v0").unwrapped
    env.reset(seed=0)
    page, r, term, trunc, info = env.step(0)                 # home -> page 1 (topic 0), nothing known yet
    assert page == 1 and r == 1.0 and info["topic"] == 0
    page, r, *_ = env.step(2)                                # page 1 -> gateway 10: half a page
    assert page == 10 and r == pytest.approx(PAGE_WEIGHT[10])
    for _ in range(4):
        *_, trunc, _ = env.step(3)
    assert trunc and env.knowledge[0] == pytest.approx(env.config.rate)


def test_optimal_value_and_policy_value_agree_with_a_greedy_enumeration():
    nxt = next_page()
    reward = PAGE_WEIGHT * np.where(PAGE_TOPIC >= 0, np.array([0.1, 0.2, 0.3, 0.9])[np.maximum(PAGE_TOPIC, 0)], 0)
    # brute force over every 4-step path from home
    best = 0.0
    stack = [(0, 0.0, 0)]
    while stack:
        p, total, d = stack.pop()
        if d == 4:
            best = max(best, total)
            continue
        for t in nxt[p][nxt[p] >= 0]:
            stack.append((int(t), total + reward[t], d + 1))
    assert optimal_value(nxt, reward, 4) == pytest.approx(best)
    # a deterministic policy table (temperature -> 0, no harm) reaches the optimum exactly
    cfg = PlannerConfig(temperature=1e-4, harm_gateway=0.0, harm_deep=0.0)
    values = np.array([0.1, 0.2, 0.3, 0.9])
    pis, _ = plan_policy(values, nxt, cfg, 4, "updating")
    assert policy_value(pis, nxt, reward, -3.0, cfg)[0] == pytest.approx(best, rel=1e-3)


def test_planners_agree_without_fear_and_differ_with_it():
    nxt = next_page()
    v = np.array([0.05, 0.05, 0.05, 0.9])
    calm = PlannerConfig(harm_gateway=0.0, harm_deep=0.0)
    a, _ = plan_policy(v, nxt, calm, 6, "reflective")
    b, _ = plan_policy(v, nxt, calm, 6, "updating")
    c, _ = plan_policy(v, nxt, calm, 6, "fixed-belief")
    np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_allclose(a, c, atol=1e-12)
    # with the fear, from belief 0.95 (observed reads per session: reflective 0.7, fixed-belief 1.9, updating 5.0)
    cfg = PlannerConfig()
    reward = PAGE_WEIGHT * np.where(PAGE_TOPIC >= 0, v[np.maximum(PAGE_TOPIC, 0)], 0.0)
    reads = {}
    for planner in ("reflective", "fixed-belief", "updating"):
        terminal = None
        for _ in range(30):
            pis, terminal = plan_policy(v, nxt, cfg, 6, planner, terminal)
        reads[planner] = policy_value(pis, nxt, reward, 3.0, cfg)[1]
    assert reads["reflective"] < 0.5 * reads["fixed-belief"] <= reads["updating"]
    assert BELIEF_GRID[belief_index(3.0)] == 3.0 and LINKS.shape == (14, 3)


def test_value_of_blocking_ranks_the_planners():
    """After the warning (belief 0.95), with learned values where topic 3 still pays, both futures valued with the
    future self choosing exactly (as train_planner values them): the reflective planner values blocking well
    above the 0.1 it costs, the fixed-belief and updating planners below it."""
    nxt, nxt_block = next_page(), next_page(blocked_links(LINKS))
    v = np.array([0.05, 0.05, 0.05, 0.4])
    cfg = PlannerConfig(temperature=VALUATION_TEMPERATURE)
    gain = {}
    for planner in ("reflective", "fixed-belief", "updating"):
        w = wb = None
        for _ in range(30):
            _, w = plan_policy(v, nxt, cfg, 6, planner, w)
            _, wb = plan_policy(v, nxt_block, cfg, 6, planner, wb)
        gain[planner] = value_of_blocking(w, wb, 3.0, 0.0)
    # observed: reflective 0.167, fixed-belief 0.017, updating -5.5
    assert gain["reflective"] > 0.15 > 0.1 > gain["fixed-belief"] > gain["updating"]
    # blocking removes exactly the three links into topic 3 from outside it
    assert np.sum(LINKS >= 0) - np.sum(blocked_links(LINKS) >= 0) == 3


def test_an_exact_chooser_gains_nothing_from_blocking_without_forced_exploration():
    """Identity (a unit test, not a finding): a planner that judges its future by the belief it will choose with
    (fixed-belief, updating) and chooses exactly loses nothing by keeping an option, so without forced exploration
    its value of blocking is <= 0 (up to the softmax at temperature 1e-3), whatever its belief and values; with
    forced exploration a block can pay (it stops random clicks)."""
    rng = np.random.default_rng(0)
    nxt, nxt_block = next_page(), next_page(blocked_links(LINKS))
    for _ in range(4):
        v = rng.uniform(0, 1, 4)
        for planner in ("fixed-belief", "updating"):
            for explore, bound in ((0.0, 0.01), (0.2, None)):
                cfg = PlannerConfig(temperature=VALUATION_TEMPERATURE, explore=explore)
                w = wb = None
                for _ in range(20):
                    _, w = plan_policy(v, nxt, cfg, 6, planner, w)
                    _, wb = plan_policy(v, nxt_block, cfg, 6, planner, wb)
                gains = [value_of_blocking(w, wb, lo, 0.0) for lo in (-5.0, 0.0, 3.0)]
                if bound is not None:
                    assert max(gains) < bound, (planner, v, gains)


def test_references_calibrate_nu():
    refs = references(PagesLessonConfig(runs=12, seed=3))
    rnd, ideal, never = refs["random browser"], refs["ideal browser"], refs["never reads topic 3"]
    assert rnd["mean_nu"] == pytest.approx(1.0, abs=0.15)      # observed 0.99 (nu is relative to it)
    assert rnd["lock_in_rate"] <= 0.1                         # observed 0.03 of 200: chance runs of no deep read
    assert ideal["lock_in_rate"] == 0.0 and ideal["delta_G"] == pytest.approx(0.0, abs=1e-9)
    assert ideal["mean_nu"] > 3                               # observed 6: it reads the topic while it teaches
    assert never["lock_in_rate"] == 1.0 and never["final_nu"] == 0.0 and never["delta_G"] > 0.5  # observed 0.75


def test_causal_protocol_across_seeds():
    runs = run_protocol(run_level, SEEDS, quick=True)
    s = protocol_summary(runs, delta_g_small=0.05)
    assert s["start_nu"] >= HEALTHY_START                   # observed 6.4: before the warning it reads topic 3
    assert s["emerged"] == 1.0                              # observed: locks a window or two after the warning
    assert s["lock_rate"] >= 0.8                            # observed 1.0 of 12
    assert s["fix_lock_rate"] <= s["lock_rate"] / 2         # observed 0.0
    assert s["coverage_reaches_g"] >= 0.8                   # observed 1.0
    assert s["good_start_keeps_g"] >= 0.8                   # observed 1.0 (never warned)
    assert s["default_delta_G"] > 0.15 > 0.05 > s["fix_delta_G"]  # observed 0.24 vs 0.01


def test_the_choice_to_block_not_a_script_makes_the_lock_in():
    base = PagesLessonConfig(runs=10, seed=5)
    conds = conditions(base)
    s = {name: run_pages(conds[name]).summary() for name in (DEFAULT, "fixed-belief, may block")}
    d, fixed = s[DEFAULT], s["fixed-belief, may block"]
    # the option removed, over 200 sessions (at 80 its locked share ranges 0.4-0.9 with the seed; exploration
    # unlocks the runs one by one)
    no_option = run_pages(conds["reflective, cannot block"].replace(sessions=200)).summary()
    assert d["blocked_share"] >= 0.8 and d["lock_in_rate"] >= 0.8           # observed 1.0 and 1.0 (seed 5)
    # the control without a self-model, given the same option, declines it and reads again (observed 0.0, 0.2)
    assert fixed["blocked_share"] <= 0.2 and fixed["lock_in_rate"] <= d["lock_in_rate"] - 0.5
    assert d["value_of_blocking_at_warning"] > fixed["value_of_blocking_at_warning"] + 0.05  # 0.163 vs 0.057
    # without the option, random clicks reach the topic and most runs unlock within 200 sessions (observed 0.3
    # at seeds 0 and 2), and the gap shrinks
    assert no_option["lock_in_rate"] <= d["lock_in_rate"] - 0.4
    assert d["delta_G"] > no_option["delta_G"] + 0.05 and d["delta_G"] > fixed["delta_G"] + 0.15
    # it learns from reward meanwhile: the other topics' knowledge grows, the avoided one's stops
    assert d["knowledge_others_end"] - d["knowledge_others_start"] > 0.3            # observed 0.5 -> 0.99
    assert d["knowledge_avoided_end"] < fixed["knowledge_avoided_end"] - 0.15       # observed 0.66 vs 0.92
    assert d["final_value_avoided"] > 3 * d["final_value_others"]  # it knows the topic pays: 0.41 vs 0.01


def test_only_the_reflective_planner_blocks_at_every_temperature():
    """Measured over the panel's temperature range (10 seeds, 40 sessions; the warning arrives in session 10-20):
    with both futures valued with an exact future choice, only the reflective planner blocks, also at the high
    temperatures where the fixed-belief, updating and never-warned agents used to block against their own
    choice noise. The control that comes out differently: the same agents valuing with their own noise
    (block_valuation="own-noise") block at T = 0.2. Observed at seeds 0 and 41: 1.0 / 0.0 / 0.0 / 0.0 and 1.0."""
    base = PagesLessonConfig(runs=10, seed=41, sessions=40)
    for t in (0.1, 0.5):
        cfg = base.replace(temperature=t)
        assert run_pages(cfg).summary()["blocked_share"] >= 0.8, t
        for other in ({"planner": "fixed-belief"}, {"planner": "updating"}, {"warned": False}):
            assert run_pages(cfg.replace(**other)).summary()["blocked_share"] <= 0.2, (t, other)
    noisy = run_pages(base.replace(temperature=0.2, warned=False, block_valuation="own-noise")).summary()
    assert noisy["blocked_share"] >= 0.8


def test_the_block_insures_against_forced_exploration_in_a_cost_band():
    """The block is a commitment against the trainer's forced exploration (10 seeds, 40 sessions): without it
    neither planner blocks; at 5% the reflective planner blocks at cost 0.1 and the fixed-belief one does not; at
    10% the fixed-belief planner blocks too at cost 0.1 (its band starts higher: above 0.1), not at 0.4."""
    base = PagesLessonConfig(runs=10, seed=43, sessions=40)
    share = lambda **kw: run_pages(base.replace(**kw)).summary()["blocked_share"]   # noqa: E731
    assert share(explore=0.0) == 0.0 and share(explore=0.0, planner="fixed-belief") == 0.0
    assert share(explore=0.05) >= 0.8 and share(explore=0.05, planner="fixed-belief") <= 0.2
    assert share(explore=0.1, planner="fixed-belief") >= 0.8
    assert share(explore=0.1, planner="fixed-belief", block_cost=0.4) <= 0.2
    assert share(explore=0.1, block_cost=0.4) >= 0.6   # observed 1.0 (seed 43), 0.8 (seed 99: value 0.35 < 0.4)


def test_run_level_validates_its_arguments():
    with pytest.raises(ValueError, match="exploration"):
        run_level(0, exploration=-1.0)
    with pytest.raises(ValueError, match="start"):
        run_level(0, start="bad")


def test_the_never_warned_agent_blocks_only_when_blocking_is_nearly_free():
    """The good start is measured, not built in: the never-warned agent starts at belief ~0.007 (log-odds -5), and
    over forced deep reads in every later session that small fear outweighs a block that costs almost nothing
    (10 seeds, 80 sessions). At the default cost 0.1 it does not block (observed 0 of 10 at 5%, 10% and 30%
    exploration); at cost 0 with 5% exploration it blocks (observed 10 of 10; the floor is about 0.02 at 5-10%
    exploration and about 0.1 at 30%). Without exploration and at cost 0 the value of blocking is exactly 0, and a
    floating-point tie decides (observed 2 of 10): not asserted."""
    base = PagesLessonConfig(runs=10, seed=0, sessions=80, warned=False)
    share = lambda **kw: run_pages(base.replace(**kw)).summary()["blocked_share"]   # noqa: E731
    for explore in (0.05, 0.1, 0.3):
        assert share(explore=explore, block_cost=0.1) <= 0.1, explore
    assert share(explore=0.05, block_cost=0.0) >= 0.8
