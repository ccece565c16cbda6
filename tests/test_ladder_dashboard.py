"""The ladder dashboard: level discovery, the run grid, the fix table, on stub levels with known metrics."""

import types

import numpy as np
import pytest

from rlcore.analysis.ladder import ladder_metrics
from rlcore.analysis.ladder_dashboard import (EXPLORATION_GRID, LEVEL_MODULES, DashboardConfig, discover_levels,
                                              run_dashboard)


def stub_level(lock_without_fix: float, lock_with_fix: float, n: int = 10):
    """A level whose run locks in for seeds whose (seed % 100) / 100 is below the given rate."""
    calls = []

    def run_level(seed, *, exploration=1.0, fix=False, quick=False):
        calls.append((seed, exploration, fix, quick))
        rate = lock_with_fix if fix else lock_without_fix
        locked = (seed % 100) / 100 < rate
        visits = np.r_[np.ones(2), np.zeros(n - 2)] if locked else np.ones(n)
        return ladder_metrics(visits, 1.0, g_final=0.2 if locked else 1.0, g_best=1.0, r_final=1.0, r_best=1.0)

    return types.SimpleNamespace(run_level=run_level, FIX_NAME="stub fix", calls=calls)


def test_discovery_finds_only_the_rungs_that_exist():
    found = discover_levels()
    assert set(found) <= set(LEVEL_MODULES) and {4, 5} <= set(found)
    for level, module in found.items():
        assert module.__name__.endswith(LEVEL_MODULES[level]) and callable(module.run_level)


def test_grid_and_fix_cells_and_the_table():
    a, b = stub_level(1.0, 0.0), stub_level(1.0, 1.0)
    res = run_dashboard(DashboardConfig(seeds=4, quick=True), levels={4: a, 5: b})
    assert res.levels == [4, 5] and res.missing == [1, 2, 3] and res.thresholds == {4: 0.1, 5: 0.1}
    # every grid value without the fix and exploration 1 with it, each over 4 seeds, all quick
    assert sorted({(x, f) for _, x, f, _ in a.calls}) == sorted([(x, False) for x in EXPLORATION_GRID] + [(1.0, True)])
    assert len(a.calls) == 4 * (len(EXPLORATION_GRID) + 1) and all(q for *_, q in a.calls)
    rows = {r["level"]: r for r in res.fix_table()}
    assert rows[4]["lock_rate"] == 1.0 and rows[4]["lock_rate_fixed"] == 0.0 and rows[4]["fix_halves"]
    assert rows[5]["lock_rate_fixed"] == 1.0 and not rows[5]["fix_halves"]
    assert rows[4]["delta_G"] == pytest.approx(0.8) and rows[4]["delta_G_fixed"] == pytest.approx(0.0)
    assert rows[4]["mean_tau_fraction"] == pytest.approx(0.2) and rows[4]["fix"] == "stub fix"
    s = res.summary()
    assert s["levels_missing"] == [1, 2, 3] and set(s["lock_rate_by_exploration"]) == {str(x) for x in EXPLORATION_GRID}


def test_seeds_are_distinct_per_level_and_valid_for_every_level():
    a, b = stub_level(0.5, 0.0), stub_level(0.5, 0.0)
    run_dashboard(DashboardConfig(seeds=5, seed=3), levels={1: a, 2: b})
    sa, sb = {c[0] for c in a.calls}, {c[0] for c in b.calls}
    assert len(sa) == 5 and not sa & sb and all(0 <= s < 2**31 for s in sa | sb)


def test_the_widget_only_offers_precomputed_multipliers():
    with pytest.raises(ValueError, match="exploration"):
        DashboardConfig(exploration=3.0)
    with pytest.raises(ValueError, match="seeds"):
        DashboardConfig(seeds=0)
