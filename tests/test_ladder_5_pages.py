"""Level 5 (the browser with a chosen blind spot): the web, the exact session values, the three planners on hand
computations; then the causal protocol and the level's controls across >= 10 seeds."""

import gymnasium as gym
import numpy as np
import pytest

import rlcore  # noqa: F401  (registers the environments)
from rlcore.analysis.ladder import HEALTHY_START, protocol_summary, run_protocol
from rlcore.analysis.ladder_5_reflective_planning import PagesLessonConfig, conditions, run_level, run_pages
from rlcore.envs.ladder_5_pages import AVOIDED_TOPIC, LINKS, PAGE_TOPIC, PAGE_WEIGHT, next_page, uniform_visits
from rlcore.learners.ladder_5_planner import (BELIEF_GRID, PlannerConfig, belief_index, optimal_value, plan_policy,
                                              policy_value)

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


def test_causal_protocol_across_seeds():
    runs = run_protocol(run_level, SEEDS, quick=True)
    s = protocol_summary(runs, delta_g_small=0.05)
    assert s["start_nu"] >= HEALTHY_START                   # observed 3.5: before the warning it reads topic 3
    assert s["emerged"] == 1.0                              # observed: locks at windows 2-4, after the warning
    assert s["lock_rate"] >= 0.8                            # observed 1.0 of 12
    assert s["fix_lock_rate"] <= s["lock_rate"] / 2         # observed 0.0
    assert s["coverage_reaches_g"] >= 0.8                   # observed 1.0 (Delta_G 0.016)
    assert s["good_start_keeps_g"] >= 0.8                   # observed 1.0 (never warned: Delta_G 0.019)
    assert s["default_delta_G"] > 0.15 > 0.05 > s["fix_delta_G"]  # observed 0.244 vs 0.017


def test_planners_under_the_same_blacklist_rule_and_the_fix_parts():
    base = PagesLessonConfig(runs=10, sessions=60, seed=5)
    conds = conditions(base)
    s = {name: run_pages(conds[name]).summary() for name in
         ("default (reflective, blacklist)", "fixed-belief, blacklist", "reflective, no blacklist",
          "updating planner only (blacklist kept)")}
    d = s["default (reflective, blacklist)"]
    assert d["lock_in_rate"] >= 0.8                               # observed 0.9
    # with the same scripted rule, the planner does not matter at the defaults (observed: identical runs)
    assert abs(s["fixed-belief, blacklist"]["lock_in_rate"] - d["lock_in_rate"]) <= 0.2
    assert s["fixed-belief, blacklist"]["lock_in_rate"] >= 0.7
    # the control that comes out differently: the rule switched off (observed 0.1 vs 0.9)
    assert s["reflective, no blacklist"]["lock_in_rate"] <= d["lock_in_rate"] - 0.4
    # the fix's parts: the planner change alone, with the rule kept, still locks most runs (observed 0.8)
    assert s["updating planner only (blacklist kept)"]["lock_in_rate"] >= 0.5
    # it learns from reward meanwhile: the other topics' knowledge grows, the avoided one's stops
    assert d["knowledge_others_end"] - d["knowledge_others_start"] > 0.3            # observed 0.5 -> 0.97
    assert d["knowledge_avoided_end"] < s["reflective, no blacklist"]["knowledge_avoided_end"] - 0.1  # 0.69 vs 0.9
    assert d["final_value_avoided"] > 3 * d["final_value_others"]  # observed 0.37 vs 0.03: it knows it pays


def test_good_start_cannot_lock_by_construction():
    """A unit test, not a finding: never warned, the agent has no fear (belief stays at its prior), so the
    planners agree and nothing is blacklisted."""
    s = run_pages(PagesLessonConfig(runs=2, sessions=30, window=5, warned=False)).summary()
    assert s["blacklisted_links"] == 0 and s["final_belief"] < 0.5


def test_run_level_validates_its_arguments():
    with pytest.raises(ValueError, match="exploration"):
        run_level(0, exploration=-1.0)
    with pytest.raises(ValueError, match="start"):
        run_level(0, start="bad")
