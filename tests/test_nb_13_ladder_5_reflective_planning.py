"""Claims of 13_ladder_5_reflective_planning (C13 and the causal protocol, level 5), from the quick run's metrics
and across >= 10 seeds from rlcore directly: after the warning the reflective planner keeps a gap in its knowledge
in most seeds while it keeps learning the other topics; coverage, the good start, the fixed-belief planner and the
fix do not lock in; the blacklist's effect is measured; the self-model matters where the feared harm is large
enough. (tests/test_ladder_5_pages.py runs the full protocol over 12 seeds.)"""

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
    for name in ("coverage control", "good start (never warned)", "fixed-belief planner", "fix"):
        assert c[name]["lock_in_rate"] <= 0.34, name                          # observed 0.0
        assert c[name]["delta_G"] < 0.06, name                               # observed 0.01-0.02
    assert c["reflective, no blacklist, no exploration"]["lock_in_rate"] >= 0.66  # observed 1.0
    assert c["reflective, no blacklist"]["lock_in_rate"] <= 0.34                  # observed 0.0 (3 runs)


def test_notebook_harm_sweep(metrics):
    s = metrics["harm_sweep"]
    assert s["harm_deep"][0] == 0.0 and s["reflective"][0] <= 0.34      # no fear: no kept gap
    assert s["reflective"][-1] >= 0.66 and s["fixed-belief"][-1] <= 0.34  # observed 1.0 vs 0.0


def test_self_model_across_ten_seeds():
    sweep = harm_sweep(PagesLessonConfig(runs=10, seed=21), values=(0.0, 3.0))  # 80 sessions: with 60 the
    # fixed-belief planner has not always come back yet (observed 4 of 10 still locked at session 60)
    assert sweep["reflective"][1] >= 0.8                 # observed 1.0 (harm 3, no blacklist, no exploration)
    assert sweep["fixed-belief"][1] <= 0.3               # observed 0.1
    assert sweep["reflective"][0] <= 0.2                 # observed 0.0 (harm 0: nothing to protect)
