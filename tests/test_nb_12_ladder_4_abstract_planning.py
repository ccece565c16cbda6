"""Claims of 12_ladder_4_abstract_planning (C13 and the causal protocol, level 4), from the quick run's metrics and
across >= 10 seeds from rlcore directly: the planner steers L2 users out of their language in most seeds; the
coverage control and the good start do not lock in; the pretrained tool habit starts the steering (sweep); the
one-turn planner ends near the optimum (its not offering is built in; only its Delta_G is a finding); the lock
loosens with more rounds while users who decline are answered in L2 and persists when they leave, as long as the
reward model's memory x exploration holds few tool-B-in-L2 ratings (a 100-round memory or 20% exploration unlocks it); coverage works only where tool B's true margin is wide; the fix closes Delta_G and its
parts differ. (tests/test_ladder_4_helpdesk.py runs the full protocol over 12 seeds.)"""

import numpy as np
import pytest

from rlcore.analysis.ladder_4_abstract_planning import HelpDeskLessonConfig, conditions, run_helpdesk

NOTEBOOK = "12_ladder_4_abstract_planning"


@pytest.fixture(scope="module")
def metrics(notebook_runs):
    return notebook_runs.quick(NOTEBOOK)


def test_notebook_the_loop_and_its_controls(metrics):
    c = metrics["conditions"]
    d = c["default"]
    assert d["lock_in_rate"] >= 0.8 and d["start_nu"] >= 0.5       # observed 1.0 from nu 1.3
    assert d["final_p_offer"] > 0.9 > 0.2 > d["initial_p_offer"]    # observed 0.99 from 0.1
    assert d["delta_G"] > 0.15 and d["delta_R"] == pytest.approx(d["delta_G"])  # honest ratings: equal
    assert d["rm_error_optimum"] > 0.15                              # observed 0.24: it underrates the optimum
    for control in ("coverage control", "good start", "fix (both)"):
        assert c[control]["lock_in_rate"] <= 0.2                     # observed 0.0
        assert c[control]["delta_G"] < 0.06                          # observed 0.005-0.06 (quick)
    assert d["delta_G"] - c["one-turn planner"]["delta_G"] > 0.05    # observed 0.19 vs 0.12 (30 rounds; 0.03 at 40)
    assert d["rm_error_steered_tool_a"] > 0.15                       # observed 0.28: it overrates steered sessions
    assert c["fix (both)"]["floor"] == pytest.approx(0.1, abs=0.03)  # forced exploration, outside nu


def test_notebook_tool_sweep(metrics):
    s = metrics["tool_sweep"]
    assert s["tool_b_prob"][0] < s["tool_b_prob"][-1]
    assert s["lock_in_rate"][0] >= 0.8 and s["lock_in_rate"][-1] <= 0.2   # observed 1.0 -> 0.0
    assert s["delta_G"][0] - s["delta_G"][-1] > 0.1                        # observed 0.19 -> 0.002


def test_notebook_grid_budget_and_margin(metrics):
    g = metrics["ridge_tool_grid"]
    assert g["lock_in_rate"][0][0] <= 0.2 <= 0.8 <= g["lock_in_rate"][-1][0]  # weak penalty: none; strong: all
    b = metrics["rounds_sweep"]
    assert b["rounds"][0] < b["rounds"][-1] and b["lock_in_rate"][-1] < b["lock_in_rate"][0]   # a delay
    leave = metrics["persistence_sweep"]["leave"]
    assert leave["lock_in_rate"][-1] >= 0.8 > b["lock_in_rate"][-1]   # 160 rounds: decliners leave keeps it locked
    m = metrics["coverage_margin"]
    assert m["coverage_lock_in_rate"][0] <= 0.2 and m["coverage_lock_in_rate"][-1] >= 0.6     # margin 0.85 vs 0.65


def test_planning_and_coverage_across_ten_seeds():
    base = HelpDeskLessonConfig(runs=10, rounds=40, seed=11)
    conds = conditions(base)
    s = {name: run_helpdesk(conds[name]).summary() for name in ("default", "coverage control", "one-turn planner")}
    assert s["default"]["lock_in_rate"] >= 0.8                           # observed 1.0
    assert s["coverage control"]["lock_in_rate"] <= 0.2                  # observed 0.0
    assert s["default"]["delta_G"] > s["one-turn planner"]["delta_G"] + 0.1  # observed 0.19 vs 0.03
    assert s["default"]["delta_G"] > s["coverage control"]["delta_G"] + 0.1
    assert np.isfinite(s["default"]["mean_tau_lock"]) and s["default"]["mean_tau_lock"] > 3  # it developed


def test_notebook_memory_sweep(metrics):
    m = metrics["memory_sweep"]                 # quick: rm_window (5, 100) x explore (0.02, 0.2), 3 runs, 300 rounds
    assert m["lock_in_rate"][0][0] >= 0.66      # 5-round memory, 2%: persists (observed 1.0)
    assert m["lock_in_rate"][1][0] <= 0.34      # 100-round memory: unlocks (observed 0.0)
    assert m["lock_in_rate"][0][1] <= 0.34      # 20% exploration: unlocks (observed 0.0)
