"""Claims of 12_ladder_4_abstract_planning (C13, level 4): the help-desk RLHF loop locks second-language users
out of their language in >= 80% of seeds; a language-blind reward model or forced exploration of the rare tool
at least halves that rate; the proxy keeps rising with sqrt KL while gold peaks and falls."""

import numpy as np
import pytest

from rlcore.analysis.ladder import lock_in_rate
from rlcore.analysis.ladder_4_abstract_planning import HelpDeskLessonConfig, quick_config, run_helpdesk, run_level

NOTEBOOK = "12_ladder_4_abstract_planning"
SEEDS = range(12)


@pytest.fixture(scope="module")
def metrics(notebook_runs):
    return notebook_runs.quick(NOTEBOOK)


def test_notebook_the_loop(metrics):
    d = metrics["default"]
    assert d["lock_in_rate"] >= 0.8                                # observed 1.0
    assert d["final_p_steer"] > 0.9 > 0.1 > d["initial_p_steer"]   # observed 0.99 from 0.05
    assert d["final_p_tool_b"] < 0.5 * d["initial_p_tool_b"]       # observed 0.005 from 0.05
    assert d["final_lang_weight"] < -0.5                           # observed -1.19
    assert d["final_gold_l1_users"] - d["final_gold_l2_users"] > 0.4  # observed 0.85 vs 0.26
    assert d["delta_G"] > 0.1 and d["delta_R"] < 0.05              # observed 0.166 and 0.009


def test_notebook_fixes_halve_the_lock_in_rate(metrics):
    d = metrics["default"]["lock_in_rate"]
    for fix in ("language_blind", "forced_tool_b"):
        assert metrics[fix]["lock_in_rate"] <= d / 2               # observed 0.0 for both
        assert metrics[fix]["final_p_steer"] < 0.85                # observed 0.02 and 0.74


def test_notebook_proxy_rises_while_gold_peaks_and_falls(metrics):
    f = metrics["frontier"]
    assert f["proxy_at_max_kl"] - f["proxy_at_pi0"] > 0.1          # observed 0.72 - 0.55
    assert f["gold_peak"] - f["gold_at_max_kl"] > 0.2              # observed 0.66 - 0.32
    assert 0.0 < f["sqrt_kl_at_gold_peak"] < 0.6 * f["max_sqrt_kl"]  # observed 0.3 of 2.0


def test_lock_in_across_seeds_and_the_language_blind_fix():
    default = [run_level(100 + s, quick=True) for s in SEEDS]
    fixed = [run_level(100 + s, quick=True, fix=True) for s in SEEDS]
    assert lock_in_rate(default) >= 0.8                 # observed 1.0 over 12 seeds
    assert lock_in_rate(fixed) <= lock_in_rate(default) / 2  # observed 0.0
    assert np.mean([m.delta_r for m in default]) < 0.05  # observed ~0.01: the policy gets what its RM offers
    assert min(m.delta_g for m in default) > 0.1        # observed ~0.166


def test_forced_exploration_of_the_rare_tool_across_seeds():
    base = quick_config(HelpDeskLessonConfig(runs=10, seed=7))
    default = run_helpdesk(base).summary()
    forced = run_helpdesk(base.replace(forced_tool_b=0.2)).summary()
    assert default["lock_in_rate"] >= 0.8               # observed 1.0
    assert forced["lock_in_rate"] <= default["lock_in_rate"] / 2  # observed 0.0
    assert forced["final_p_steer"] < default["final_p_steer"] - 0.1  # observed 0.72 vs 0.99


def test_invalid_parameter_fails_the_papermill_run_naming_the_field(notebook_runs):
    run = notebook_runs.run(NOTEBOOK, "bad_beta", quick=True, kl_beta=-1.0, metrics_path="")
    assert not run.ok and "kl_beta = -1.0" in run.stderr


def test_doubling_random_exploration_does_not_break_the_loop():
    """The dashboard's reading: this lock-in does not run through random exploration."""
    doubled = [run_level(100 + s, quick=True, exploration=2.0) for s in range(10)]
    assert lock_in_rate(doubled) >= 0.7                 # observed 0.9
