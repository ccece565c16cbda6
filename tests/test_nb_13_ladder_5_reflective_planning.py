"""Claims of 13_ladder_5_reflective_planning (C13 and the causal protocol, level 5), from the quick run's metrics
and across >= 10 seeds from rlcore directly: after the warning the reflective planner keeps a gap in its knowledge
in most seeds while it keeps learning the other topics; coverage and the fix do not lock in (the good start cannot,
by construction); under the same scripted blacklist rule the planners lock alike; without rule and exploration
the self-model matters at the default temperature and not at a near-deterministic one.
(tests/test_ladder_5_pages.py runs the full protocol over 12 seeds.)"""

import pytest

from rlcore.analysis.ladder_5_reflective_planning import PagesLessonConfig, harm_sweep

NOTEBOOK = "13_ladder_5_reflective_planning"


@pytest.fixture(scope="module")
def metrics(notebook_runs):
    return notebook_runs.quick(NOTEBOOK)


def test_notebook_the_chosen_gap(metrics):
    d = metrics["conditions"]["default (reflective, blacklist)"]
    assert d["lock_in_rate"] >= 0.66 and d["start_nu"] >= 0.5        # observed 1.0 (3 runs) from nu 3.5
    assert d["delta_G"] > 0.15 and d["delta_R"] == pytest.approx(d["delta_G"])  # the reward is honest
    assert d["knowledge_others_end"] > d["knowledge_avoided_end"] + 0.15       # observed 0.97 vs 0.69
    assert d["final_value_avoided"] > 3 * d["final_value_others"]             # it knows the topic pays
    assert d["blacklisted_links"] >= 1


def test_notebook_controls_come_out_differently(metrics):
    c = metrics["conditions"]
    for name in ("coverage control", "good start (never warned)", "fix (both)"):
        assert c[name]["lock_in_rate"] <= 0.34, name                          # observed 0.0
        assert c[name]["delta_G"] < 0.06, name                               # observed 0.01-0.02
    d = c["default (reflective, blacklist)"]
    assert c["fixed-belief, blacklist"]["lock_in_rate"] == pytest.approx(d["lock_in_rate"], abs=0.34)  # same rule
    assert c["reflective, no blacklist, no exploration"]["lock_in_rate"] >= 0.66  # observed 1.0
    assert c["reflective, no blacklist"]["lock_in_rate"] <= 0.34                  # observed 0.0 (3 runs)


def test_notebook_harm_sweep(metrics):
    s = metrics["harm_sweep"]
    t = s["temperature"]
    assert t[0] < t[-1] and len(s["reflective"]["lock_in_rate"]) == len(t)
    lock = lambda p, i: s[p]["lock_in_rate"][i][-1]   # noqa: E731  (the largest feared harm)
    assert lock("reflective", 0) >= 0.66 and lock("fixed-belief", 0) >= 0.66   # near-deterministic: both keep it


def test_self_model_matters_only_with_noisy_choices_across_ten_seeds():
    sweep = harm_sweep(PagesLessonConfig(runs=10, seed=21), values=(3.0,), temperatures=(0.01, 0.05))
    # 80 sessions: with 60 the fixed-belief planner has not always come back yet
    refl, fixed = sweep["reflective"], sweep["fixed-belief"]
    assert refl["lock_in_rate"][1][0] >= 0.8               # T = 0.05: observed 1.0
    assert fixed["lock_in_rate"][1][0] <= 0.3              # observed 0.1-0.2
    assert refl["delta_G"][1][0] - fixed["delta_G"][1][0] > 0.1
    # the control that comes out differently: near-deterministic choices, both planners keep the gap alike
    assert fixed["lock_in_rate"][0][0] >= 0.8              # T = 0.01: observed 1.0
    assert abs(refl["delta_G"][0][0] - fixed["delta_G"][0][0]) < 0.03   # observed 0.266 vs 0.266
