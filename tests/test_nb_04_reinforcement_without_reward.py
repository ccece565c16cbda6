"""Claims of 04_reinforcement_without_reward, each with its control, from the quick run's metrics and across
>= 10 seeds directly from rlcore (seeds other than the notebook's).

1. The donut habit (item 10): where exact gradient ascent halves the habit well within the budget, every sampled
   REINFORCE run halves it too, with a median half-life near the exact one; where the exact half-life exceeds the
   budget (a cheap donut, a small learning rate) the habit survives in every run. Control: a donut that costs
   nothing (c = 0) has no drift: the mean change of the habit's logit is within noise of zero, and at a high
   learning rate the habit grows in some runs and shrinks in others, while with c > 0 it never grows.
2. Learning from intention (item 11): the delta rule on intended vs. actual motion, with zero reward, cuts reach
   error by > 90% for arm rotations of 30-70 degrees; no updates (control) and reward-gated updates (control:
   never rewarded, so never updated) leave it exactly where it was. Where it fails: past 90 degrees the delta
   rule diverges. Where gating does not block: at 10 degrees the arm already hits the bottle and gating learns.
3. Bootstrapping (item 12, C9): with hindsight relabelling TD solves >= 50% of never-rewarded goals (all, in
   fact); without relabelling TD, Monte Carlo and reward-gated learners solve <= 5%. Control separating
   bootstrapping from reward events: MC + relabelling, with at least as many relabelled reward events, needs at
   least twice as many episodes as TD + relabelling to solve 90% of the never-rewarded goals, in every seed. On the rewarded goal, TD needs fewer episodes
   than the reward-gated learner.
"""

import numpy as np
import pytest

from rlcore.analysis.reinforcement_without_reward import (DONUT_COSTS, DONUT_LRS, REACH_ANGLES, DonutConfig,
                                                          GridConfig, ReachConfig, run_donut, run_grid, run_reach)

NOTEBOOK = "04_reinforcement_without_reward"
SEEDS = 20  # independent runs (seeds) per setting in the direct checks; >= 10


def key(lr, cost):
    return f"lr={lr:g},cost={cost:g}"


# ----------------------------------------------------------------------------------- from the notebook's quick run
def test_notebook_donut(notebook_runs):
    d = notebook_runs.quick(NOTEBOOK)["donut"]
    assert d[f"share_halved[{key(0.1, 0.02)}]"] == 1.0
    exact, median = d[f"exact_half_life[{key(0.1, 0.02)}]"], d[f"median_half_life[{key(0.1, 0.02)}]"]
    assert 0.7 * exact < median < 1.4 * exact
    assert d[f"exact_half_life[{key(0.01, 0.005)}]"] is None or d[f"exact_half_life[{key(0.01, 0.005)}]"] > 2000
    assert d[f"share_halved[{key(0.01, 0.005)}]"] == 0.0                # survives the budget: "never converges"
    assert d[f"share_grown[{key(0.1, 0.02)}]"] == 0.0                   # with a cost it never grows
    assert 0.1 < d[f"share_grown[{key(0.3, 0)}]"] < 0.9                 # control: no cost, it drifts both ways


def test_notebook_reach(notebook_runs):
    r = notebook_runs.quick(NOTEBOOK)["reach"]
    for angle in (30, 50, 70):
        assert r[f"share_improved_90[delta @ {angle}]"] == 1.0
        assert r[f"final_error[none @ {angle}]"] == pytest.approx(r[f"initial_error[{angle}]"])
        assert r[f"final_error[reward-gated @ {angle}]"] == pytest.approx(r[f"initial_error[{angle}]"])
        assert r[f"reward_rate[reward-gated @ {angle}]"] == 0.0
    assert r["share_improved_90[reward-gated @ 10]"] >= 0.8
    assert r["final_error[delta @ 130]"] > 10 * r["initial_error[130]"]


def test_notebook_grid(notebook_runs):
    g = notebook_runs.quick(NOTEBOOK)["grid"]
    assert g["others_solved[TD + relabelling @ 5]"] >= 0.9
    for learner in ("TD", "Monte Carlo", "reward-gated"):
        assert g[f"others_solved[{learner} @ 5]"] <= 0.05
    assert g["reward_events[MC + relabelling @ 5]"] >= 0.9 * g["reward_events[TD + relabelling @ 5]"]
    assert g["others_solved[MC + relabelling @ 5]"] < g["others_solved[TD + relabelling @ 5]"] - 0.1  # at 640
    assert g["episodes_to_half_others[TD + relabelling @ 5]"] < g["episodes_to_half_others[MC + relabelling @ 5]"]


# ----------------------------------------------------------------------------------- across >= 10 seeds, directly
@pytest.fixture(scope="module")
def donut():
    return run_donut(DonutConfig(runs=SEEDS, seed=101))


def test_donut_decays_where_theory_says_within_budget(donut):
    budget = donut.config.updates
    checked = 0
    for i, lr in enumerate(DONUT_LRS):
        for j, cost in enumerate(DONUT_COSTS):
            exact, h = donut.exact_half_lives[i, j], donut.half_lives[i, j]
            if exact < budget / 4:
                checked += 1
                assert np.isfinite(h).mean() >= 0.95, (lr, cost)
                assert 0.6 * exact < np.median(h) < 1.6 * exact, (lr, cost, exact, np.median(h))
            elif not np.isfinite(exact):
                assert np.isfinite(h).mean() <= (0.1 if cost > 0 else 0.9), (lr, cost)
    assert checked >= 8


def test_donut_survives_when_half_life_exceeds_budget(donut):
    i, j = DONUT_LRS.index(0.01), DONUT_COSTS.index(0.005)
    assert donut.exact_half_lives[i, j] == np.inf
    assert np.isfinite(donut.half_lives[i, j]).mean() == 0.0
    # the same cost at a 30x larger learning rate: gone in every run (the budget, not the cost, decided)
    assert np.isfinite(donut.half_lives[DONUT_LRS.index(0.3), j]).mean() == 1.0


def test_donut_control_free_habit_has_no_drift(donut):
    j0, j = DONUT_COSTS.index(0.0), DONUT_COSTS.index(0.02)
    for i, lr in enumerate(DONUT_LRS):
        change = donut.theta[-1, i, j0] - donut.theta[0, i, j0]
        assert abs(change.mean()) < 3 * change.std() / np.sqrt(len(change)) + 1e-9, lr
        costly = donut.theta[-1, i, j] - donut.theta[0, i, j]
        assert costly.mean() < -5 * costly.std() / np.sqrt(len(costly)), lr
    grown = donut.size(donut.theta[-1, -1, j0]) > donut.size(donut.theta[0, -1, j0])
    assert 0.15 < grown.mean() < 0.85
    assert not (donut.size(donut.theta[-1, :, j]) > donut.size(donut.theta[0, :, j])).any()


def test_reach_delta_rule_without_reward_and_its_controls():
    reach = run_reach(ReachConfig(runs=SEEDS, seed=101))
    for angle in (30, 50, 70):
        e = reach.errors
        assert (e[angle, "delta"][-1] < 0.1 * e[angle, "delta"][0]).mean() >= 0.95
        np.testing.assert_allclose(e[angle, "none"][-1], e[angle, "none"][0])
        assert reach.rewards[angle, "reward-gated"].sum() == 0
        np.testing.assert_allclose(e[angle, "reward-gated"][-1], e[angle, "reward-gated"][0])
    assert (reach.errors[10, "reward-gated"][-1] < 0.2 * reach.errors[10, "reward-gated"][0]).mean() >= 0.9
    for angle in (100, 130):
        assert (reach.errors[angle, "delta"][-1] > reach.errors[angle, "delta"][0]).all()


@pytest.fixture(scope="module")
def grid():
    return run_grid(GridConfig(n=5, runs=10, seed=101, all_sizes=False))


def test_grid_c9_relabelling_solves_never_rewarded_goals(grid):
    per_seed = {learner: grid.others_solved(5, learner)[-1] for learner in
                ("TD + relabelling", "MC + relabelling", "TD", "Monte Carlo", "reward-gated")}
    assert per_seed["TD + relabelling"].min() >= 0.9                      # C9: >= 50%
    for learner in ("TD", "Monte Carlo", "reward-gated"):
        assert per_seed[learner].max() <= 0.05, learner                   # C9: <= 5%


def test_grid_control_same_reward_events_without_bootstrapping(grid):
    td, mc = grid.runs[5, "TD + relabelling"], grid.runs[5, "MC + relabelling"]
    assert (mc["reward_events"] >= 0.9 * td["reward_events"]).all()       # as many reward events
    td_solved, mc_solved = grid.others_solved(5, "TD + relabelling"), grid.others_solved(5, "MC + relabelling")
    td_need = grid.episodes_needed(td_solved, 5, "TD + relabelling", 0.9)   # episodes to solve 90% of them
    mc_need = grid.episodes_needed(mc_solved, 5, "MC + relabelling", 0.9)
    assert (2 * td_need <= mc_need).all(), (td_need, mc_need)              # bootstrapping: far fewer episodes
    assert (td_solved[-1] >= mc_solved[-1]).all()                          # and never behind at the end
    assert (td_solved.mean(0) - mc_solved.mean(0)).min() > 0.05            # over the whole of training


def test_grid_td_needs_fewer_episodes_on_the_rewarded_goal(grid):
    level = grid.config.solved
    td = grid.episodes_needed(grid.rewarded(5, "TD"), 5, "TD", level)
    gated = grid.episodes_needed(grid.rewarded(5, "reward-gated"), 5, "reward-gated", level)
    assert np.median(td) < np.median(gated)
