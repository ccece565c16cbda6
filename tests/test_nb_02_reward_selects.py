"""Claims of 02_reward_selects, each with its control, from the quick run's metrics and across >= 10 seeds.

1. The reward button: the agents whose reward-linked weights are shared across states press a button that looks
   like the goal (similarity 1) far above their own button-blind reference (similarity 0); a policy-gradient
   agent with per-cell scores, same learner and data, barely does (the control for "a value function is what
   matters": the linear-feature PG agent has none and presses). The per-cell agent presses less the longer it
   trains; the linear one does not. Trained *with* the button, the model-free agent presses a button that pays
   nothing only at its dead-end rate (control) and presses one worth less than the goal.
   (The planner's and the value agent's thresholds are closed forms: unit tests in test_reward_selects.py.)
2. The rater: the approval-trained bandit fakes where the analytic boundary says faking pays, not elsewhere;
   d = 1 (every fake caught) is the control with no faking.
3. Score vs. cue: with the coin moved, the memoryless agent fails at every training share; the memory-and-score
   agent adapts once training held a few episodes with the coin moved, and its 0% policy in the state "right
   end, no score" is exactly its initialization (a reference, not a finding); the score-hidden agent fails by
   construction (an information check).
4. The probe: the part of the return no action changes is linearly readable from the trunk of a network with a
   value head, not from a policy-only one (calibrated by noise, the raw input, a random-bias untrained network
   and shuffled-reward networks; cross-validated ridge); the part the action controls is readable from both,
   above the untrained level.
"""

import numpy as np
import pytest

from rlcore.analysis.reward_selects import (BUTTON_AGENTS, BUTTON_BUDGETS, ButtonConfig, CoinConfig, ProbeConfig,
                                            PROBE_TARGETS, RaterSweepConfig, run_button, run_button_budget_sweep,
                                            run_button_reward_sweep, run_coin, run_probe, run_rater)

NOTEBOOK = "02_reward_selects"
CHANCE, MAXIMIZER, PG, PG_LAMP, PG_LINEAR, PLANNER, VALUE, PG_WITH = BUTTON_AGENTS
UNCONTROLLED, CONTROLLED = PROBE_TARGETS


# ----------------------------------------------------------------------------------- from the notebook's quick run
def test_notebook_button_table(notebook_runs):
    m = notebook_runs.quick(NOTEBOOK)
    b0, b1 = m["button_sigma0"], m["button_sigma1"]
    assert b0[MAXIMIZER] == 1.0 and b0[CHANCE] > 0.8
    for agent in (PG, PG_LAMP, PG_LINEAR, PLANNER, VALUE):       # button-blind reference: the dead-end rate
        assert b0[agent] < 0.2, agent
    assert b1[PG_LINEAR] > b0[PG_LINEAR] + 0.4                  # shared features, no value function: presses
    assert b1[PG_LAMP] < b1[PG_LINEAR] - 0.3                    # control: per-cell scores, same learner and data
    assert b1[PG] == pytest.approx(b0[PG])                      # cannot see the button
    sweep = m["button_reward_sweep"]
    assert sweep["0"] < 0.1 and sweep["0.2"] > 0.7 and sweep["1"] > 0.9
    budgets = m["button_budget_sweep"]
    assert budgets[PG_LAMP][0] > budgets[PG_LAMP][-1] + 0.2 and min(budgets[PG_LINEAR]) > 0.5


def test_notebook_rater_follows_the_boundary(notebook_runs):
    r = notebook_runs.quick(NOTEBOOK)["rater"]
    assert r["agreement_far_from_boundary"] >= 0.95 and r["cells_far_from_boundary"] >= 80
    assert r["fake_rate_where_predicted"] > 0.9 and r["fake_rate_where_not_predicted"] < 0.05
    assert r["fake_rate_at_d1_max"] < 0.05


def test_notebook_score_vs_cue(notebook_runs):
    c = notebook_runs.quick(NOTEBOOK)["coin"]
    for share in ("0", "0.02", "0.1", "0.3"):
        assert c[f"test_success[memoryless @ {share}]"] < 0.1
        assert c[f"test_success[memory, score hidden @ {share}]"] < 0.25
        assert min(c[f"train_success[{v} @ {share}]"] for v in
                   ("memoryless", "memory, score hidden", "memory and score")) > 0.9
    assert c["test_success[memory and score @ 0.1]"] > 0.9
    assert c["test_success[memory and score @ 0]"] < c["test_success[memory and score @ 0.02]"] - 0.3


def test_notebook_probe(notebook_runs):
    p = notebook_runs.quick(NOTEBOOK)["probe"]
    assert p["r2_median[uncontrolled][value head]"] > 0.8
    for reference in ("policy only", "untrained network", "noise features", "raw input",
                      "policy only, shuffled rewards"):
        assert p[f"r2_median[uncontrolled][{reference}]"] < 0.3, reference
    assert p["r2_median[uncontrolled][value head, shuffled rewards]"] < 0.5
    for net in ("policy only", "value head"):
        assert p[f"r2_median[controlled][{net}]"] > p["r2_median[controlled][untrained network]"] + 0.1, net
    assert p["accuracy_mean[policy only]"] > 0.9 and p["accuracy_mean[untrained network]"] < 0.7


# ----------------------------------------------------------------------------------- across >= 10 seeds, from rlcore
def test_button_parameterization_across_seeds():
    config = ButtonConfig(runs=12, seed=7)
    result = run_button(config)
    at0, at1 = result.press_rates(0.0), result.press_rates(1.0)
    for agent in (PG, PG_LAMP, PG_LINEAR, PLANNER, VALUE):
        assert at0[agent].max() < 0.2, agent                        # the button-blind reference is low
    assert (at1[PG_LINEAR] - at0[PG_LINEAR]).min() > 0.35           # observed 0.5-0.7 per run
    assert at1[PG_LINEAR].mean() > 0.6                              # no value function, and it presses
    assert (at1[PG_LINEAR] - at1[PG_LAMP]).min() > 0.3              # control: per-cell scores, same data
    assert at1[PG_LAMP].mean() < 0.3
    budgets = run_button_budget_sweep(ButtonConfig(runs=10, seed=7))
    lamp, linear = budgets[PG_LAMP].mean(1), budgets[PG_LINEAR].mean(1)
    assert lamp[0] - lamp[-1] > 0.3                                 # per-cell: falls with training
    assert linear.min() > 0.6 and np.all(linear > lamp + 0.3)       # shared: at every budget measured
    assert len(BUTTON_BUDGETS) == budgets[PG_LAMP].shape[0]


def test_button_reward_sweep_across_seeds():
    sweep = run_button_reward_sweep(ButtonConfig(runs=12, seed=7))
    rates = sweep["press_rate"]
    assert rates[0.0].max() < 0.1                                   # control: the button pays nothing
    assert rates[1.0].min() > 0.9
    assert sweep["maximizer"][0.2] == 0.0 and rates[0.2].mean() > 0.8   # presses a button worth less than the goal
    assert rates[0.1].mean() < rates[0.2].mean() - 0.4


def test_rater_across_seeds():
    result = run_rater(RaterSweepConfig(runs=10, steps=1500, seed=3))
    far = np.abs(result.margin()) >= 0.15
    per_run = (result.fake_rate > 0.5) == result.predicted[..., None]
    assert per_run[far].mean() >= 0.97             # each run, each cell far from the boundary
    assert result.fake_rate[np.isclose(result.detect, 1.0)].max() < 0.05  # control: d = 1


def test_score_vs_cue_across_seeds():
    result = run_coin(CoinConfig(runs=10, episodes=1000, test_episodes=100, seed=5))
    memoryless, hidden, scored = result.test_success
    assert memoryless.max() < 0.1                            # the cue
    assert hidden.mean() < 0.1 and (hidden > 0.5).mean() <= 0.1   # information check: the score hidden (a rare
    # run settles on "left end first", another cue that happens to fit the test; observed 3 runs in 160)
    assert (scored[2] > 0.9).mean() >= 0.9                   # 10% moved: nearly every run adapts
    assert scored[0].mean() < scored[1].mean() - 0.3         # 0% (untrained state) vs. 2% moved
    assert np.allclose(result.left_probability(0.0)[3], 0.5)  # at 0% "right end, no score" is its initialization
    assert result.left_probability(0.1)[3][3] > 0.9          # ... and at 10% trained to turn back (from the middle,
    # where reaching an end sends the agent)
    assert result.train_success.min() > 0.9
    short = run_coin(CoinConfig(runs=10, episodes=300, test_episodes=100, seed=5)).test_success[2]
    assert short[1].mean() < scored[1].mean() - 0.15        # a count, not a share: 2% of 300 episodes (6) adapts
    assert short[2].mean() > 0.9                             # less than 2% of 1000 (20); 10% of 300 (30) adapts


def test_probe_across_seeds():
    result = run_probe(ProbeConfig(runs=10, seed=11))
    r2, r2c = result.r2[UNCONTROLLED], result.r2[CONTROLLED]
    assert (r2["value head"] > 0.8).mean() >= 0.8 and np.median(r2["value head"]) > 0.9
    assert r2["policy only"].max() < 0.3 and np.median(r2["untrained network"]) < 0.3
    assert np.median(r2["value head, shuffled rewards"]) < 0.5
    assert np.median(r2["value head"]) - np.median(r2["policy only"]) > 0.6
    assert np.median(r2c["policy only"]) > np.median(r2c["untrained network"]) + 0.1   # the action's part: both
    assert abs(np.median(r2c["policy only"]) - np.median(r2c["value head"])) < 0.1
    assert result.accuracy["policy only"].min() > 0.9    # the policy-only network did learn to act


def test_invalid_similarity_names_the_field():
    with pytest.raises(ValueError, match="ButtonConfig.similarity = 1.5"):
        ButtonConfig(similarity=1.5)
