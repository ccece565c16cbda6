"""The ladder's shared metrics against hand-computed cases."""

import numpy as np
import pytest

from rlcore.analysis.ladder import ladder_metrics, lock_in_rate, lock_in_time, relative_visits, summarize_runs


def test_relative_visits_divides_by_the_reference():
    np.testing.assert_allclose(relative_visits([2, 1, 0], [4, 4, 2]), [0.5, 0.25, 0.0])
    with pytest.raises(ValueError):
        relative_visits([1, 2], [1, 0])


@pytest.mark.parametrize("nu,expected", [
    ([1.0, 0.5, 0.05, 0.0, 0.0], 2),      # below 0.1 from index 2 on
    ([0.0, 0.0, 0.5, 0.0, 0.0], 3),       # an early dip does not count; the last excursion does
    ([0.5, 0.5, 0.5, 0.5, 0.5], None),    # never below
    ([0.0, 0.0, 0.0], 0),                 # locked from the start
])
def test_lock_in_time(nu, expected):
    assert lock_in_time(np.array(nu), threshold=0.1) == expected


def test_a_short_final_dip_is_not_a_lock_in():
    nu = np.r_[np.ones(9), 0.0]
    assert lock_in_time(nu, 0.1, min_tail=2) is None and lock_in_time(nu, 0.1, min_tail=1) == 9


def test_lock_in_time_matches_a_brute_force_definition_on_random_series():
    rng = np.random.default_rng(0)
    for _ in range(200):
        nu = rng.random(rng.integers(1, 30)) * (rng.random() < 0.5 and 0.3 or 1.0)
        brute = next((t for t in range(len(nu)) if np.all(nu[t:] < 0.2)), None)
        assert lock_in_time(nu, 0.2) == brute


def test_ladder_metrics_and_rate():
    m = ladder_metrics(visits=[10, 5, 0, 0, 0], reference_visits=10, g_final=0.2, g_best=1.0,
                       r_final=0.9, r_best=1.0)
    assert m.locked and m.tau_lock == 2 and m.delta_g == pytest.approx(0.8) and m.delta_r == pytest.approx(0.1)
    assert m.summary()["tau_lock"] == 2
    free = ladder_metrics([10] * 5, 10, 1.0, 1.0, 1.0, 1.0)
    assert not free.locked and free.summary()["tau_lock"] == -1
    assert lock_in_rate([m, free]) == 0.5


def test_summarize_runs_averages_the_scalars():
    locked = ladder_metrics([10, 0, 0, 0, 0], 10, 0.0, 1.0, 1.0, 1.0)   # tau 1
    late = ladder_metrics([10, 10, 10, 0, 0], 10, 0.5, 1.0, 0.5, 1.0)   # tau 3
    free = ladder_metrics([10] * 5, 10, 1.0, 1.0, 1.0, 1.0)
    s = summarize_runs([locked, late, free])
    assert s["lock_in_rate"] == pytest.approx(2 / 3) and s["mean_tau_lock"] == pytest.approx(2.0)
    assert s["delta_G"] == pytest.approx(0.5) and s["delta_R"] == pytest.approx(1 / 6)
    assert s["final_nu"] == pytest.approx(1 / 3)
    assert summarize_runs([free])["mean_tau_lock"] is None


def test_ladder_runs_mixin_stacks_nu_and_counts_lock_ins():
    from dataclasses import dataclass

    from rlcore.analysis.ladder import LadderRuns

    @dataclass
    class Result(LadderRuns):
        metrics: list

    r = Result([ladder_metrics([10, 0, 0, 0, 0], 10, 0, 1, 1, 1), ladder_metrics([10] * 5, 10, 1, 1, 1, 1)])
    assert r.nu.shape == (2, 5) and r.nu[0, 1] == 0.0 and r.lock_rate == 0.5


def test_run_protocol_and_protocol_summary_on_a_stub_level():
    """A stub level whose outcome is fixed by hand per condition: the summary's numbers computed by hand."""
    from rlcore.analysis.ladder import CONDITIONS, protocol_summary, run_protocol

    calls = []

    def run_level(seed, *, exploration=1.0, fix=False, quick=False, start="default", coverage=False):
        calls.append((seed, fix, start, coverage, quick))
        if coverage or start == "good":
            return ladder_metrics([10, 10, 10, 10, 10], 10, g_final=0.9, g_best=1.0, r_final=1, r_best=1)
        if fix:
            return ladder_metrics([10, 10, 10, 10, 10], 10, g_final=0.5, g_best=1.0, r_final=1, r_best=1)
        visits = [10, 0, 0, 0, 0] if seed % 2 else [0, 0, 0, 0, 0]  # odd seeds lock at 1, even at 0
        return ladder_metrics(visits, 10, g_final=0.0, g_best=1.0, r_final=0, r_best=1)

    runs = run_protocol(run_level, [1, 2, 3, 4], quick=True)
    assert set(runs) == set(CONDITIONS) and len(calls) == 16 and all(c[-1] for c in calls)
    s = protocol_summary(runs, delta_g_small=0.2)
    assert s["start_nu"] == pytest.approx(0.5) and s["emerged"] == pytest.approx(0.5)
    # odd seeds lock at window 1 (nu[1] = 0): not a late lock-in, and nu[1] is not healthy in any run
    assert s["late_lock"] == 0.0 and s["nu1_healthy"] == 0.0
    assert s["lock_rate"] == 1.0 and s["fix_lock_rate"] == 0.0
    assert s["coverage_reaches_g"] == 1.0 and s["good_start_keeps_g"] == 1.0
    assert s["fix_delta_G"] == pytest.approx(0.5) and s["default_delta_R"] == pytest.approx(1.0)
    assert protocol_summary(runs, delta_g_small=0.05)["coverage_reaches_g"] == 0.0


def test_late_lock_can_fail_where_tau_lock_above_zero_cannot():
    """tau_lock > 0 follows from a healthy nu[0] alone; tau_lock >= LATE_LOCK needs nu to stay up for a while."""
    from rlcore.analysis.ladder import LATE_LOCK, protocol_summary

    early = [ladder_metrics([10, 0, 0, 0, 0, 0], 10, 0, 1, 0, 1) for _ in range(3)]
    late = [ladder_metrics([10, 8, 6, 0, 0, 0], 10, 0, 1, 0, 1) for _ in range(3)]
    assert all(m.tau_lock == 1 for m in early) and all(m.tau_lock == 3 for m in late) and LATE_LOCK == 2
    s_early, s_late = protocol_summary({"default": early}, 0.1), protocol_summary({"default": late}, 0.1)
    assert s_early["emerged"] == s_late["emerged"] == 1.0
    assert s_early["late_lock"] == 0.0 and s_late["late_lock"] == 1.0
    assert s_early["nu1_healthy"] == 0.0 and s_late["nu1_healthy"] == 1.0
