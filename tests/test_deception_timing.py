"""Curriculum item 2, deception without a deployment phase: unit checks of the dynamic program of
rlcore.analysis.deception_timing. Its results are theorems (the module docstring derives the closed form
k* = floor(ln(1 - (1 - y)/(q x)) / ln y), x = (1 + g) gamma, y = (1 - q) x), so these tests check the program
against a direct sum and against the closed form, and the properties the lesson quotes (the defection time
rises with g across the range shown, the flat and no-modification controls, the horizon-free count of steps
before the end); none of them is an experimental finding."""

import time

import matplotlib
import numpy as np
import pytest

from rlcore.analysis.deception_timing import (GROWTH_RANGE, MODIFY_RANGE, DeceptionConfig, defection_curve,
                                              defection_time, solve, steps_before_end, value_of_first_defection)

matplotlib.use("Agg")


@pytest.mark.parametrize("seed", range(5))
def test_dp_value_is_the_best_threshold_policy_summed_directly(seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        cfg = DeceptionConfig(growth=float(rng.uniform(0, 0.4)), modify_prob=float(rng.uniform(0, 1)),
                              discount=float(rng.uniform(0.8, 1.0)), horizon=int(rng.integers(1, 60)))
        sol = solve(cfg)
        direct = [value_of_first_defection(cfg, tau) for tau in range(cfg.horizon + 1)]
        assert sol["value"][0] == pytest.approx(max(direct), rel=1e-10)
        # the optimal policy is a threshold: comply before the defection time, defect from it on
        d = sol["defect"]
        assert not d[:sol["defection_time"]].any() and d[sol["defection_time"]:].all()


def test_optimal_defection_time_rises_with_growth_across_the_range_shown():
    curve = defection_curve(DeceptionConfig())
    for q, times in zip(MODIFY_RANGE, curve["times"]):
        assert np.all(np.diff(times) >= 0), (q, times)  # never falls as g grows
        assert times[0] == 0 and times[-1] >= 30, (q, times)  # observed 33-39 at g = 0.3 (horizon 40)
        if q < 1:  # at q = 1 one defection ends the game: it waits for the last, largest opportunity
            assert len(np.unique(times)) >= 3  # it rises, not a single jump: observed 13, 8, 5 distinct times
    # at q = 0.1 it rises gradually: observed 12, 19, 22, ... 33 for g = 0.06 .. 0.3
    assert len(np.unique(curve["times"][0])) >= 10


def test_a_likelier_modification_makes_the_model_wait_longer():
    curve = defection_curve(DeceptionConfig())  # rows: q = 0.1, 0.3, 0.6, 1 (increasing)
    assert np.all(np.diff(curve["times"], axis=0) >= 0)
    waiting = curve["growths"] > 1 / 0.95 - 1
    assert np.all(curve["times"][-1, waiting] > curve["times"][0, waiting])  # observed 39 vs 12-33


def test_control_flat_opportunities_defect_at_once():
    for q in np.linspace(0.05, 1.0, 20):
        for gamma in (0.8, 0.9, 0.95, 0.99):
            assert defection_time(DeceptionConfig(growth=0.0, modify_prob=float(q), discount=gamma)) == 0
    assert np.all(defection_curve(DeceptionConfig())["flat"] == 0)


def test_control_without_modification_defect_at_once_whatever_the_growth():
    assert all(defection_time(DeceptionConfig(growth=float(g), modify_prob=0.0)) == 0 for g in GROWTH_RANGE)


def test_waiting_needs_growth_to_outpace_the_discount():
    """Across the grid, the model waits exactly when (1 + g) gamma > 1 (q > 0, horizon 40)."""
    for gamma in (0.9, 0.95):
        for q in MODIFY_RANGE:
            for g in GROWTH_RANGE:
                waits = defection_time(DeceptionConfig(growth=float(g), modify_prob=q, discount=gamma)) > 0
                assert waits == ((1 + g) * gamma > 1 + 1e-12), (gamma, q, g)


def test_config_rejects_bad_values_naming_the_field():
    for bad, field in (({"growth": -0.1}, "growth"), ({"modify_prob": 1.5}, "modify_prob"),
                       ({"discount": 0.0}, "discount"), ({"horizon": -5}, "horizon")):
        with pytest.raises(ValueError, match=field):
            DeceptionConfig(**bad)


def test_panel_figure_answers_within_a_second():
    from rlcore.plotting.deception_timing import deception_figure

    import matplotlib.pyplot as plt
    deception_figure(DeceptionConfig())  # warm-up (fonts, first figure)
    plt.close("all")
    start = time.process_time()  # CPU time, so a busy shared machine does not fail the test
    fig = deception_figure(DeceptionConfig(growth=0.2, modify_prob=0.3))
    fig.canvas.draw()
    assert time.process_time() - start < 1.0  # observed about 0.3 s
    plt.close(fig)


def test_closed_form_matches_the_dynamic_program():
    """T - 1 - k* (0 where k* >= T - 1) equals the DP's defection time on 15,000 settings, ties at x = 1 aside."""
    checked = 0
    for g in np.linspace(0, 0.5, 51):
        for q in np.linspace(0.0, 1.0, 21):
            for gamma in (0.8, 0.9, 0.95, 0.99, 1.0):
                if abs((1 + g) * gamma - 1) < 1e-9:
                    continue  # x = 1 exactly: a tie the DP resolves by rounding
                k = steps_before_end(float(g), float(q), gamma)
                for horizon in (5, 40, 200):
                    expected = 0 if k >= horizon - 1 else horizon - 1 - int(k)
                    cfg = DeceptionConfig(growth=float(g), modify_prob=float(q), discount=gamma, horizon=horizon)
                    assert defection_time(cfg) == expected, (g, q, gamma, horizon, k)
                    checked += 1
    assert checked > 15_000


def test_steps_before_the_end_do_not_depend_on_the_horizon():
    """The lesson's default (g = 0.1, q = 0.5): it defects in its last 4 steps (k* = 3) whatever the horizon."""
    assert steps_before_end(0.1, 0.5, 0.95) == 3
    for horizon in (10, 20, 40, 100, 400):
        assert defection_time(DeceptionConfig(horizon=horizon)) == horizon - 4
