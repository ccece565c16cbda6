"""Claims of 03_ppo_advantage, on the notebook's quick metrics and across ten seeds from rlcore.

C5 as a lambda sweep with its refuting control: at lambda = 0 PPO without a value head fails (only the step into
the goal has a non-zero advantage) while PPO with a learned value head succeeds; at lambda = 1 PPO without a value
head (Monte-Carlo REINFORCE) also learns the chain, so "PPO needs the value head" holds only at small lambda.
C4 as an expected-update split: while the chain is learned at lambda = 0, the reward part carries a minority of the
expected policy-gradient step and the bootstrap part the majority, while the baseline part's expectation is zero
within its standard error (and its share of the variance is large). The identities behind the old C4 assertions
(reach at lambda = 1 over finished episodes, normalized reach, cosine at checkpoint 0) are unit tests in
tests/test_gae.py; reach = paid share / mean episode length is a unit test below, and its measured factors are
reported by the lesson. Item 8: takeover times against b / (lr eps f), and the control eps f = 0.

Not asserted here (too slow for the suite, about 80 s of CPU): the lesson's ten-seed check at length 40,
lambda = 0, 40,960 steps, where a shared trunk reached success > 0.9 on 7/10 seeds and separate networks on 10/10:

    python -c "from rlcore.analysis.ppo_advantage import *; print([[run_chain_ppo(ChainPPOConfig(length=40,
        seed=s, total_steps=40960, eval_episodes=100, architecture=a)).final_success for s in range(10)]
        for a in ('shared', 'separate')])"
"""

import numpy as np
import pytest

from rlcore.analysis import honest_reporter as hr
from rlcore.analysis.ppo_advantage import (ChainPPOConfig, View, expected_update_split, reach_and_episode_length,
                                           run_chain_ppo, trunk_over_training)

NOTEBOOK = "03_ppo_advantage"
SEEDS = range(10)


@pytest.fixture(scope="module")
def runs():
    """Per seed: learned V at lambda 0, V = 0 at lambda 0, V = 0 at lambda 1 (each trained at its own lambda)."""
    out = []
    for s in SEEDS:
        cfg = ChainPPOConfig(seed=s, eval_episodes=100)
        out.append((run_chain_ppo(cfg), run_chain_ppo(cfg.replace(value_mode="zero")),
                    run_chain_ppo(cfg.replace(value_mode="zero", gae_lambda=1.0))))
    return out


@pytest.fixture(scope="module")
def learned_lambda_one():
    return [run_chain_ppo(ChainPPOConfig(seed=s, eval_episodes=20, gae_lambda=1.0)) for s in SEEDS]


def test_notebook_metrics(notebook_runs):
    m = notebook_runs.quick(NOTEBOOK)
    assert m["seeds"] >= 2 and 0.0 in m["lams"] and 1.0 in m["lams"]
    assert min(m["success_learned"]["0"]) > 0.9  # observed 1.0
    assert max(m["success_zero"]["0"]) < 0.1  # observed 0.01-0.03
    assert min(m["success_zero"]["1"]) > 0.9  # the control: observed 1.0
    s0, s1 = m["split"]["0"], m["split"]["1"]
    assert s0["expected_share"]["reward"] < 0.35  # observed 0.16
    assert s0["expected_share"]["bootstrap"] > 0.6  # observed 0.87
    assert abs(s0["expected_share"]["baseline"]) < 0.1  # observed -0.03
    assert s0["baseline_z_max"] < 4 and s1["baseline_z_max"] < 4  # observed 1.2, 2.0
    assert s0["variance_share"]["baseline"] > 0.5  # observed 0.88: noise without mean
    assert s1["expected_share"]["reward"] > s0["expected_share"]["reward"]  # observed 0.37 vs 0.16
    assert m["trunk"]["lambda 0"]["value_share_mean"] > 0.25  # observed 0.47
    st0, st1 = m["stages"]["lambda 0"], m["stages"]["lambda 1"]
    assert st1["reward_cosine_mid"] > 0.8  # observed 0.96: at lambda 1 reward sets the mean direction
    assert st0["reward_cosine_mid"] < st1["reward_cosine_mid"] - 0.2  # observed 0.4
    r20 = m["reach"]["20"]
    # seed means of the three quantities (the exact per-run identity is tested below)
    assert r20["reach"] == pytest.approx(r20["paid_share"] / r20["mean_length"], rel=0.05)
    assert 0.7 < r20["paid_share"] <= 1.0
    full = [r for r in m["reporter"] if r["learner"] == "full"]
    assert all(x == -1 for x in next(r for r in full if r["eps_f"] == 0.0)["measured"])  # control: honest stays
    for r in full:
        done = [x for x in r["measured"] if x >= 0]
        if r["eps_f"] > 0 and len(done) == len(r["measured"]):
            assert np.median(done) == pytest.approx(r["predicted"], rel=0.1)


def test_value_head_needed_at_lambda_zero_not_at_lambda_one_across_seeds(runs):
    learned0 = np.array([a.final_success for a, _, _ in runs])
    zero0 = np.array([z.final_success for _, z, _ in runs])
    zero1 = np.array([z.final_success for _, _, z in runs])
    assert np.mean(learned0 > 0.9) >= 0.9  # observed 10/10 at 1.0
    assert zero0.max() < 0.1  # observed 0.01-0.05
    assert np.mean(zero1 > 0.9) >= 0.9  # the control: observed 10/10
    for _, z0, z1 in runs:  # lambda 0 without V learns at most the cell next to the goal; lambda 1 learns cell 0
        assert np.all(np.abs(z0.p_correct[-1][:-2] - 0.5) < 0.25)
        assert z1.p_correct[-1][0] > 0.8


def test_expected_update_split_at_lambda_zero_across_seeds(runs):
    rows = [expected_update_split(a.agent(1), a.config, n_batches=300, seed=100 + i) for i, (a, _, _) in
            enumerate(runs)]
    reward = np.array([r["expected_share"]["reward"] for r in rows])
    boot = np.array([r["expected_share"]["bootstrap"] for r in rows])
    z = np.array([r["expected_norm"]["baseline"] / r["standard_error"]["baseline"] for r in rows])
    assert reward.mean() < 0.35 and np.mean(reward < 0.5) >= 0.9
    assert boot.mean() > 0.6
    assert np.all(z < 4.5)  # baseline: zero mean within its standard error
    assert np.all([r["baseline_exact_norm"] < 1e-6 for r in rows])
    # control: the reward and bootstrap parts are far from zero relative to their standard errors
    assert np.all([r["expected_norm"]["bootstrap"] > 5 * r["standard_error"]["bootstrap"] for r in rows])


def test_reward_part_sets_the_mean_direction_at_lambda_one_not_at_zero(runs, learned_lambda_one):
    def cos(run, s):
        return expected_update_split(run.agent(3), run.config, n_batches=200, seed=s)["expected_cosine"]["reward"]

    cos0 = np.array([cos(a, s) for s, (a, _, _) in zip(SEEDS, runs)])
    cos1 = np.array([cos(a, s) for s, a in zip(SEEDS, learned_lambda_one)])
    assert np.mean(cos1 > 0.8) >= 0.9  # checkpoint 3 (about 4,000 steps): observed 0.97-0.99 on seeds 0-9
    assert cos0.mean() < cos1.mean() - 0.3  # observed mean 0.04 (-0.43..0.68)
    assert np.mean(cos0 < 0.8) >= 0.9


def test_trunk_is_moved_by_the_value_loss_only_when_shared():
    shared = run_chain_ppo(ChainPPOConfig(seed=0, eval_episodes=20))
    sep = run_chain_ppo(ChainPPOConfig(seed=0, eval_episodes=20, architecture="separate"))
    s, p = trunk_over_training(shared), trunk_over_training(sep)
    assert s["value_share"][1:].mean() > 0.25
    assert np.all(p["value_norm"] == 0) and np.all(p["value_share"] == 0)
    assert sep.final_success > 0.9  # separate networks learn the chain too


def test_reach_is_paid_share_over_mean_episode_length(runs):
    for a, _, _ in runs[:3]:
        r = reach_and_episode_length(a)
        assert r["reach"] == pytest.approx(r["paid_share"] / r["mean_length"], rel=1e-12)


@pytest.mark.parametrize("b,ef", [(1.0, 0.02), (3.0, 0.02), (3.0, 0.005)])
def test_full_learner_takeover_follows_b_over_lr_eps_f(b, ef):
    cfg = hr.ReporterConfig(eps=0.5, f=2 * ef, prior=b, lr=0.05, steps=100_000, learner="full")
    t = hr.takeover_times(cfg, 20, seed=1)
    assert np.all(np.isfinite(t))
    assert np.mean(t) == pytest.approx(hr.predicted_takeover(cfg), rel=0.05)


def test_sampled_learner_takeover_follows_the_damped_prediction():
    cfg = hr.ReporterConfig(eps=0.5, f=0.1, prior=1.0, lr=0.05, steps=50_000, learner="sampled")
    t = hr.takeover_times(cfg, 20, seed=2)
    assert np.all(np.isfinite(t))
    assert np.median(t) == pytest.approx(hr.predicted_takeover(cfg), rel=0.2)
    assert hr.predicted_takeover(cfg) > 3 * hr.predicted_takeover(cfg.replace(learner="full"))


def test_honesty_stays_without_wrong_labels():
    for learner in ("full", "sampled"):
        cfg = hr.ReporterConfig(eps=0.0, f=0.5, prior=3.0, lr=0.05, steps=5000, learner=learner)
        assert np.all(np.isinf(hr.takeover_times(cfg, 20, seed=3)))
    # and it is lost with them, within the same budget
    lost = hr.takeover_times(hr.ReporterConfig(eps=0.5, f=0.5, prior=3.0, lr=0.05, steps=5000), 20, seed=3)
    assert np.all(np.isfinite(lost))


def test_configs_reject_bad_values_naming_the_field():
    with pytest.raises(ValueError, match="ChainPPOConfig.gamma = 1.5"):
        ChainPPOConfig(gamma=1.5)
    with pytest.raises(ValueError, match="ChainPPOConfig.gae_lambda = -0.1"):
        ChainPPOConfig(gae_lambda=-0.1)
    with pytest.raises(ValueError, match="ChainPPOConfig.total_steps"):
        ChainPPOConfig(total_steps=1000, checkpoints=10)
    with pytest.raises(ValueError, match="View.length = 25"):
        View(length=25)
    with pytest.raises(ValueError, match="View.gae_lambda = 0.3"):
        View(gae_lambda=0.3)
    with pytest.raises(ValueError, match="ReporterConfig.eps = 1.5"):
        hr.ReporterConfig(eps=1.5)


def test_invalid_gamma_fails_the_papermill_run_naming_the_field(notebook_runs):
    run = notebook_runs.run(NOTEBOOK, "bad_gamma", quick=True, gamma=1.5, metrics_path="")
    assert not run.ok
    assert "ChainPPOConfig.gamma = 1.5" in run.stderr
