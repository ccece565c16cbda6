"""Claims of 02_reward_selects, each with its control, from the quick run's metrics and across >= 10 seeds.

1. The reward button: a model-free PG agent trained without the button presses it less than chance; the same
   learner trained with it presses it; the planner on a learned reward model and the value-based agent press it
   when the button's lamp resembles the goal's (sigma = 1) and not when it does not (sigma = 0, the control).
2. The rater: the approval-trained bandit fakes where the analytic boundary says faking pays, not elsewhere;
   d = 1 (every fake caught) is the control with no faking.
3. Score vs. cue: with the coin moved, the memoryless agent and the memoryful agent with the score hidden (the
   control) fail at every training share; the memory-and-score agent adapts once a few training episodes
   moved the coin, and much less at 0%.
4. The probe: expected return is linearly readable from the trunk of a network with a value head, not from a
   policy-only network; calibrated by noise, the raw input, the untrained and shuffled-reward networks.
"""

import numpy as np
import pytest

from rlcore.analysis.reward_selects import (BUTTON_AGENTS, ButtonConfig, CoinConfig, ProbeConfig,
                                            RaterSweepConfig, run_button, run_coin, run_probe, run_rater)

NOTEBOOK = "02_reward_selects"
CHANCE, MAXIMIZER, PG, PG_LAMP, PLANNER, VALUE, PG_WITH = BUTTON_AGENTS


# ----------------------------------------------------------------------------------- from the notebook's quick run
def test_notebook_button_table(notebook_runs):
    m = notebook_runs.quick(NOTEBOOK)
    b, b0, b1 = m["button"], m["button_sigma0"], m["button_sigma1"]
    assert b[MAXIMIZER] == 1.0 and b[CHANCE] > 0.8
    assert b[PG] < 0.15 < b[CHANCE] - 0.5          # trained without: below chance
    assert b[PG_WITH] > 0.9                        # trained with: presses
    assert b0[PLANNER] == 0.0 and b1[PLANNER] >= 0.7   # the lamp's similarity decides
    assert b0[VALUE] == 0.0 and b1[VALUE] >= 0.9
    assert b1[PG_LAMP] < 0.5                       # habits outweigh the one generalizing weight


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
    assert p["r2_median[value head]"] > 0.8
    for reference in ("policy only", "untrained network", "noise features", "raw input",
                      "policy only, shuffled rewards"):
        assert p[f"r2_median[{reference}]"] < 0.25, reference
    assert p["r2_median[value head, shuffled rewards]"] < 0.5
    assert p["accuracy_mean[policy only]"] > 0.9 and p["accuracy_mean[untrained network]"] < 0.7


# ----------------------------------------------------------------------------------- across >= 10 seeds, from rlcore
def test_button_across_seeds():
    result = run_button(ButtonConfig(runs=12, seed=7))
    at0, at1 = result.press_rates(0.0), result.press_rates(1.0)
    chance = at0[CHANCE][0]
    assert chance > 0.8
    assert at1[PG].max() < chance / 4              # observed about 0.03 in every run
    assert at1[PG_WITH].min() > 0.9                # control: the same learner trained with the button
    assert at0[PLANNER].max() == 0.0 and at0[VALUE].max() == 0.0   # control: sigma = 0
    assert at1[VALUE].mean() >= 0.9 and at1[PLANNER].mean() >= 0.6
    assert np.all(at1[PG_LAMP] > at0[PG_LAMP]) and at1[PG_LAMP].mean() < 0.5


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
    assert hidden.mean() < 0.1 and (hidden > 0.5).mean() <= 0.1   # control: the score hidden (a rare run
    # settles on "left end first", another cue that happens to fit the test; observed 3 runs in 160 over 4 seeds)
    assert (scored[2] > 0.9).mean() >= 0.9                   # 10% moved: nearly every run adapts
    assert (scored[1:] > hidden[1:] + 0.5).mean() >= 0.85    # per run: the score is what helps
    assert scored[0].mean() < scored[1].mean() - 0.3         # 0% vs. 2% moved
    assert result.train_success.min() > 0.9


def test_probe_across_seeds():
    result = run_probe(ProbeConfig(runs=10, seed=11))
    r2 = result.r2
    assert (r2["value head"] > 0.8).mean() >= 0.8 and np.median(r2["value head"]) > 0.9  # observed 29/30 seeds
    assert r2["policy only"].max() < 0.3 and r2["untrained network"].max() < 0.2
    assert np.median(r2["value head, shuffled rewards"]) < 0.5
    assert np.median(r2["value head"]) - np.median(r2["policy only"]) > 0.6
    assert result.accuracy["policy only"].min() > 0.9    # the policy-only network did learn to act


def test_invalid_similarity_names_the_field():
    with pytest.raises(ValueError, match="ButtonConfig.similarity = 1.5"):
        ButtonConfig(similarity=1.5)
