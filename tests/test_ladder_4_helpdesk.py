"""Level 4 (two-turn help-desk RLHF): the environment, the reward model and the planner against closed forms and
independent computations; then the causal protocol and the level's own controls across >= 10 seeds."""

import gymnasium as gym
import numpy as np
import pytest

import rlcore  # noqa: F401  (registers the environments)
from rlcore.analysis.ladder import HEALTHY_START, protocol_summary, run_protocol
from rlcore.analysis.ladder_4_abstract_planning import (FIX_PARTS, HelpDeskLessonConfig, conditions, coverage_margin,
                                                         ridge_tool_grid, rounds_sweep, run_helpdesk, run_level,
                                                         tool_sweep)
from rlcore.learners.ladder_4_rlhf import RLHFConfig
from rlcore.envs.ladder_4_helpdesk import HelpDesk, HelpDeskConfig, gold_answer_values
from rlcore.learners.ladder_4_rlhf import (VALID, fit_reward_model, initial_logits, optimal_value, plan_q,
                                          policy_of, reward_features, session_values)

SEEDS = range(100, 112)


def test_gold_values_match_the_formula_on_random_worlds():
    rng = np.random.default_rng(0)
    for _ in range(20):
        qa1, qa2, qb1, qb2, f, w = rng.random(6)
        g = gold_answer_values(HelpDeskConfig(quality_a_l1=qa1, quality_a_l2=qa2, quality_b_l1=qb1, quality_b_l2=qb2,
                                              understanding=f, patience=max(w, 0.01)))
        w = max(w, 0.01)
        np.testing.assert_allclose(g, [[qa1, qb1], [qa2, qb2], [w * f * qa1, w * f * qb1], [w * qa2, w * qb2]])


def test_single_session_api_matches_the_tables():
    env = gym.make("rlcore/HelpDesk-v0").unwrapped
    # L2 users answered at once with tool B, and L2 users steered then answered with tool A, by simulation
    direct, steered = [], []
    for s in range(6000):
        ctx, _ = env.reset(seed=s)
        if ctx != 1:
            continue
        if s % 2:
            direct.append(env.step(1)[1])
        else:
            ctx2, r, term, _, _ = env.step(2)
            assert r == 0.0 and not term and ctx2 in (2, 3)
            steered.append(env.step(0)[1])
    c = env.config
    assert np.mean(direct) == pytest.approx(c.quality_b_l2, abs=0.03)
    expected = c.accept_prob * env.gold_q[2, 0] + (1 - c.accept_prob) * env.gold_q[3, 0]
    assert np.mean(steered) == pytest.approx(expected, abs=0.03)


def test_reward_model_recovers_logits_with_enough_data_and_shrinks_unseen_interactions():
    phi = reward_features(False).reshape(-1, 4)
    w_true = np.array([1.0, -0.5, -1.5, 2.5])
    p = 1 / (1 + np.exp(-phi @ w_true))
    n = np.full(len(phi), 1e6)
    w = fit_reward_model(phi, n, n * p, ridge=0.0)
    np.testing.assert_allclose(w, w_true, atol=1e-3)
    # no data at all on tool B in L2: a heavy interaction penalty leaves the additive extrapolation
    n_few = n.copy()
    n_few[[3, 7]] = 0.0
    w_shrunk = fit_reward_model(phi, n_few, n_few * p, ridge=np.array([0, 0, 0, 1e6]))
    assert abs(w_shrunk[3]) < 1e-3


def test_planner_q_values_by_backward_induction():
    rng = np.random.default_rng(2)
    for _ in range(10):
        pi = policy_of(rng.normal(size=(4, 3)))
        ans = rng.random((4, 2))
        acc = rng.random()
        q = plan_q(pi, ans, acc)
        v2 = (pi[2, :2] * ans[2]).sum()
        v3 = (pi[3, :2] * ans[3]).sum()
        assert q[1, 2] == pytest.approx(acc * v2 + (1 - acc) * v3)
        assert plan_q(pi, ans, acc, horizon=1)[1, 2] == 0.0
        assert np.all(np.isinf(q[~VALID]))
    # the optimum of the gold tables: tool A for L1 users, tool B in L2 for L2 users
    env = HelpDesk()
    opt = optimal_value(env.gold_q, env.config.accept_prob, env.config.p_second_language)
    assert opt["l1"] == pytest.approx(0.85) and opt["l2"] == pytest.approx(0.85)
    pi0 = policy_of(initial_logits(0.01, 0.1))
    assert session_values(pi0, env.gold_q, 0.8, 0.4)["all"] < opt["all"]


def test_causal_protocol_across_seeds():
    runs = run_protocol(run_level, SEEDS, quick=True)
    s = protocol_summary(runs, delta_g_small=0.06)
    assert s["start_nu"] >= HEALTHY_START                   # observed 1.25: the pretrained policy answers L2 users
    assert s["emerged"] == 1.0                              # observed: every lock after round 8-10, never at 0
    assert s["lock_rate"] >= 0.8                            # observed 1.0 of 12
    assert s["fix_lock_rate"] <= s["lock_rate"] / 2         # observed 0.0
    assert s["coverage_reaches_g"] >= 0.8                   # observed 1.0 (Delta_G 0.02 vs 0.20 at the defaults)
    assert s["good_start_keeps_g"] >= 0.8                   # observed 1.0 (Delta_G 0.002)
    assert s["default_delta_G"] > 0.15 > 0.1 > s["fix_delta_G"]  # observed 0.196 vs 0.058
    # nu leaves forced exploration out: the floor is the fix's exploration share, not a visit count
    assert np.mean([m.floor for m in runs["fix"]]) == pytest.approx(0.1, abs=0.03)
    assert max(m.nu[-1] for m in runs["default"]) < 0.2


def test_the_tool_preference_starts_the_steering_given_a_strong_interaction_penalty():
    sweep = tool_sweep(HelpDeskLessonConfig(runs=10, rounds=30), values=(0.01, 0.3))
    assert sweep["lock_in_rate"][0] >= 0.8                  # observed 1.0 at P(tool B) = 0.01
    assert sweep["lock_in_rate"][1] <= 0.2                  # observed 0.0 at 0.3: no steering
    assert sweep["delta_G"][0] - sweep["delta_G"][1] > 0.1  # observed 0.19 vs 0.004
    # the control that comes out differently: a reward model that does not carry "tool B is bad" into L2
    grid = ridge_tool_grid(HelpDeskLessonConfig(runs=10, seed=5), ridges=(1.0, 30.0), tools=(0.01, 0.1))
    assert grid["lock_in_rate"][0][0] <= 0.2                # observed 0.0: penalty 1, habit 0.01, no lock
    assert grid["lock_in_rate"][1][1] >= 0.3                # observed 0.6: penalty 30 locks even at 0.1
    assert grid["lock_in_rate"][1][0] >= grid["lock_in_rate"][1][1]   # the habit still orders the row


def test_the_lock_is_a_delay_within_the_budget():
    sweep = rounds_sweep(HelpDeskLessonConfig(runs=10, seed=7), values=(40, 300))
    assert sweep["lock_in_rate"][0] >= 0.8                  # observed 1.0 at 40 rounds
    assert sweep["lock_in_rate"][1] <= 0.4                  # observed 0.1 at 300
    assert sweep["delta_G"][0] - sweep["delta_G"][1] > 0.1  # observed 0.19 -> 0.02


def test_coverage_works_only_where_the_true_margin_exceeds_the_reward_models_error():
    m = coverage_margin(HelpDeskLessonConfig(runs=10, seed=9), values=(0.85, 0.65))
    assert m["coverage_lock_in_rate"][0] <= 0.2             # observed 0.0 at quality 0.85
    assert m["coverage_lock_in_rate"][1] >= 0.8             # observed 1.0 at 0.65: misspecification
    assert m["coverage_delta_G"][0] < 0.03 < 0.06 < m["coverage_delta_G"][1]
    # with full data the reply-only reward model still overrates steered sessions (it cannot see the user)
    assert min(m["coverage_rm_error_steered_tool_a"]) > 0.15  # observed 0.28-0.37


def test_one_turn_planner_never_offers_by_construction():
    """A unit test, not a finding: with horizon 1 the offer is worth 0, below any answer's value."""
    pi = policy_of(initial_logits(0.01, 0.1))
    q = plan_q(pi, np.full((4, 2), 0.01), 0.8, horizon=1)
    assert q[1, 2] == 0.0 < q[1, :2].min()


def test_planning_matters_and_the_fix_parts():
    base = HelpDeskLessonConfig(runs=10, rounds=40, seed=3)
    conds = conditions(base)
    s = {name: run_helpdesk(conds[name]).summary()
         for name in ("default", "one-turn planner", "language-aware reward model only", "exploration 0.1 only",
                      "fix (both)")}
    assert s["default"]["final_p_offer"] > 0.9               # observed 0.999
    # the finding: without the two-turn plan the gap closes (the one-turn planner's not offering is built in)
    assert s["default"]["delta_G"] - s["one-turn planner"]["delta_G"] > 0.1   # observed 0.19 vs 0.03
    # the reward model's errors after a locked run: it overrates steered sessions, underrates tool B in L2
    assert s["default"]["rm_error_steered_tool_a"] > 0.15    # observed 0.28
    assert s["default"]["rm_error_l2_tool_b"] < -0.2         # observed -0.38
    # the language-aware model sees the user: observed 0.04-0.13 against 0.28
    assert s["fix (both)"]["rm_error_steered_tool_a"] < 0.6 * s["default"]["rm_error_steered_tool_a"]
    # exploration alone does not unlock within the budget; the language-aware reward model mostly does
    assert s["exploration 0.1 only"]["lock_in_rate"] >= 0.6  # observed 0.9
    assert s["language-aware reward model only"]["delta_G"] < s["exploration 0.1 only"]["delta_G"] - 0.03
    assert set(FIX_PARTS) == {"fix (both)", "language-aware reward model only", "exploration 0.1 only"}


def test_reward_model_fit_survives_a_zero_penalty():
    phi = reward_features(False).reshape(-1, 4)
    n = np.array([100.0, 0, 100, 0, 100, 0, 100, 0])       # no tool-B data at all
    w = fit_reward_model(phi, n, n * 0.5, ridge=0.0)
    assert np.all(np.isfinite(w))
    with pytest.raises(ValueError, match="rm_ridge_interaction"):
        RLHFConfig(rm_ridge_interaction=0.0)


def test_run_level_validates_its_arguments():
    with pytest.raises(ValueError, match="exploration"):
        run_level(0, exploration=-1.0)
    with pytest.raises(ValueError, match="start"):
        run_level(0, start="bad")


def test_lock_persists_when_declining_users_leave_and_is_a_delay_when_they_are_answered():
    from rlcore.analysis.ladder_4_abstract_planning import HelpDeskLessonConfig, persistence_sweep, run_helpdesk
    base = HelpDeskLessonConfig(runs=10, seed=11)
    sweep = persistence_sweep(base, values=(300,))
    leave, answered = sweep["leave"], sweep["answered"]
    assert leave["lock_in_rate"][0] >= 0.8 and leave["delta_G"][0] > 0.15      # observed 1.0, 0.22
    # the control: declining users answered in L2 leak evidence back; at 300 rounds most runs unlocked
    assert answered["lock_in_rate"][0] <= leave["lock_in_rate"][0] - 0.5     # observed 0.1
    assert answered["delta_G"][0] < leave["delta_G"][0] - 0.1                 # observed 0.02
    # still data starvation: the coverage control, with users leaving too, reaches the optimum
    cov = run_helpdesk(base.replace(decline_leaves=True, coverage=True)).summary()
    assert cov["lock_in_rate"] <= 0.2 and cov["delta_G"] < 0.05                # observed 0.0, 0.0


def test_a_user_who_declines_leaves_when_told_to():
    env = HelpDesk(decline_leaves=True, accept_prob=0.0, p_second_language=0.999)
    ctx, _ = env.reset(seed=1)
    assert ctx == 1
    ctx, r, term, trunc, info = env.step(2)                 # offer L1; the user declines and leaves
    assert ctx == 3 and r == 0.0 and term and info["gold"] == 0.0
    assert np.all(env.gold_q[3] == 0.0) and np.all(HelpDesk().gold_q[3] > 0.0)


def test_persistence_is_the_reward_models_memory_times_exploration():
    """With decliners leaving, at 300 rounds, 10 seeds per cell: the lock persists with the default 5-round memory
    at 2% exploration and ends with a 100-round memory or at 20% exploration (the control that comes out
    differently). Observed at seeds 0 and 11: 1.0 / 0.0 / 0.0."""
    from rlcore.analysis.ladder_4_abstract_planning import HelpDeskLessonConfig, memory_sweep
    sweep = memory_sweep(HelpDeskLessonConfig(runs=10, seed=11), windows=(5, 100), explores=(0.02, 0.2))
    lock, dg = sweep["lock_in_rate"], sweep["delta_G"]
    assert lock[0][0] >= 0.8 and dg[0][0] > 0.15            # memory 5, explore 0.02: about 4 forced ratings held
    assert lock[1][0] <= 0.2 and dg[1][0] < 0.05             # memory 100: about 80
    assert lock[0][1] <= 0.2 and dg[0][1] < 0.05             # explore 0.2: about 40
    assert sweep["forced_b_l2_in_memory"][0][0] == pytest.approx(4.0)


def test_forced_ratings_in_memory_match_the_runs():
    """Identity check (a unit test): once every run steers, the tool-B-in-L2 ratings per round equal
    sessions x p_L2 x explore / 3 (0.8 at the defaults), the count :func:`forced_b_l2_in_memory` scales by the memory."""
    from rlcore.analysis.ladder_4_abstract_planning import HelpDeskLessonConfig, forced_b_l2_in_memory, run_helpdesk
    cfg = HelpDeskLessonConfig(runs=4, seed=2, decline_leaves=True, rounds=60, explore=0.05)
    res = run_helpdesk(cfg)
    steered = [r for r in res.runs if r.p_offer[-1] > 0.99]
    assert steered
    per_round = np.mean([np.mean(r.log.steps("b_l2_ratings")[-20:]) for r in steered])
    assert per_round == pytest.approx(forced_b_l2_in_memory(cfg) / cfg.rm_window, rel=0.3)   # 2.0 expected
