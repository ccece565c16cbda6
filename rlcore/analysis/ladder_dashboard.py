"""The whole ladder on one set of metrics: every level's run_level, side by side, computed when asked.

Each level's analysis module ``rlcore.analysis.ladder_<n>_<name>`` offers
``run_level(seed, *, exploration, fix, quick) -> LadderMetrics`` (and optionally a batched
``run_levels(seeds, ...)``, a ``FIX_NAME`` and a ``LOCK_THRESHOLD`` when it does not use the shared 0.1).
:func:`discover_levels` imports the ones that exist, so the dashboard covers
whatever levels are present. :func:`run_dashboard` runs each level over ``seeds`` seeds at every exploration
multiplier of a small grid (without its fix) and at multiplier 1 with its fix; the notebook's widget then
only looks results up, so a redraw never re-trains anything.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np

from ..config import Config, choice, param
from ..seeding import derive_seed
from .ladder import LadderMetrics, lock_in_rate

__all__ = ["LEVEL_MODULES", "LEVEL_NAMES", "DEFAULT_FIXES", "EXPLORATION_GRID", "DashboardConfig",
           "DashboardResult", "discover_levels", "run_dashboard"]

#: The five rungs, in order: module name under rlcore.analysis, and a short name.
LEVEL_MODULES = {1: "ladder_1_reflex", 2: "ladder_2_model_free", 3: "ladder_3_lookahead",
                 4: "ladder_4_abstract_planning", 5: "ladder_5_reflective_planning"}
LEVEL_NAMES = {1: "reflex", 2: "model-free", 3: "lookahead", 4: "abstract planning", 5: "reflective planning"}
#: Each level's fix as the curriculum names it (a module's own FIX_NAME takes precedence).
DEFAULT_FIXES = {1: "TD actor-critic with optimistic values", 2: "optimistic initialization",
                 3: "a mode feature", 4: "language-blind reward model", 5: "revisable belief, no blacklist"}
#: The exploration multipliers precomputed for the widget.
EXPLORATION_GRID = (0.5, 1.0, 2.0)


def discover_levels() -> dict[int, object]:
    """{level: module} for every level whose analysis module can be imported and offers ``run_level``."""
    found = {}
    for level, name in LEVEL_MODULES.items():
        try:
            module = importlib.import_module(f"rlcore.analysis.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"rlcore.analysis.{name}":
                raise  # the module exists but is broken: say so rather than hide the level
            continue
        if hasattr(module, "run_level"):
            found[level] = module
    return found


@dataclass(frozen=True)
class DashboardConfig(Config):
    """How many seeds per level and cell, the first seed, quick or full runs, and the widget's selection."""

    seeds: int = param(10, low=1, high=100, ui=(1, 20), doc="runs per level and setting, [1, 100]")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")
    quick: bool = param(False, doc="the levels' quick runs")
    exploration: float = choice(1.0, EXPLORATION_GRID, doc="exploration multiplier shown (precomputed grid)")


@dataclass
class DashboardResult:
    """Metrics of every present level: ``default[level][x]`` over seeds at exploration x without the fix,
    ``fixed[level]`` at exploration 1 with the fix."""

    config: DashboardConfig
    levels: list[int]
    missing: list[int]
    fix_names: dict[int, str]
    thresholds: dict[int, float] = field(default_factory=dict)  # each level's lock-in threshold on nu
    default: dict[int, dict[float, list[LadderMetrics]]] = field(default_factory=dict)
    fixed: dict[int, list[LadderMetrics]] = field(default_factory=dict)

    def lock_rates(self, exploration: float = 1.0) -> dict[int, float]:
        """{level: lock-in rate without the fix} at ``exploration``."""
        return {lv: lock_in_rate(self.default[lv][exploration]) for lv in self.levels}

    def fix_table(self) -> list[dict]:
        """One row per level: its fix, lock-in rate without and with it (exploration 1), and whether the fix
        at least halves the rate (C13's criterion), plus mean tau_lock / run length, Delta_G and Delta_R."""
        rows = []
        for lv in self.levels:
            base, fix = self.default[lv][1.0], self.fixed[lv]
            r0, r1 = lock_in_rate(base), lock_in_rate(fix)
            taus = [m.tau_lock / len(m.nu) for m in base if m.locked]
            rows.append({"level": lv, "name": LEVEL_NAMES[lv], "fix": self.fix_names[lv], "lock_rate": r0,
                         "lock_rate_fixed": r1, "fix_halves": bool(r1 <= r0 / 2 and r0 > 0),
                         "mean_tau_fraction": float(np.mean(taus)) if taus else None,
                         "delta_G": float(np.mean([m.delta_g for m in base])),
                         "delta_R": float(np.mean([m.delta_r for m in base])),
                         "delta_G_fixed": float(np.mean([m.delta_g for m in fix])),
                         "delta_R_fixed": float(np.mean([m.delta_r for m in fix]))})
        return rows

    def summary(self) -> dict:
        """JSON-ready: the present/missing levels, the fix table, and lock-in rates at every grid value."""
        return {"levels_present": self.levels, "levels_missing": self.missing, "seeds": self.config.seeds,
                "thresholds": {str(k): v for k, v in self.thresholds.items()},
                "table": {str(r["level"]): r for r in self.fix_table()},
                "lock_rate_by_exploration": {str(x): {str(k): v for k, v in self.lock_rates(x).items()}
                                             for x in EXPLORATION_GRID}}


def _run(module, seeds: list[int], exploration: float, fix: bool, quick: bool) -> list[LadderMetrics]:
    if hasattr(module, "run_levels"):
        return list(module.run_levels(seeds, exploration=exploration, fix=fix, quick=quick))
    return [module.run_level(s, exploration=exploration, fix=fix, quick=quick) for s in seeds]


def run_dashboard(config: DashboardConfig, progress=None, levels: dict[int, object] | None = None
                  ) -> DashboardResult:
    """Run every present level (or the given ``{level: module}``) over ``config.seeds`` seeds at each value of
    :data:`EXPLORATION_GRID` without its fix and at 1.0 with it. ``progress(fraction)`` after each cell."""
    levels = discover_levels() if levels is None else levels
    present = sorted(levels)
    result = DashboardResult(config, present, [lv for lv in LEVEL_MODULES if lv not in levels],
                             {lv: getattr(levels[lv], "FIX_NAME", DEFAULT_FIXES.get(lv, "its fix")) for lv in present},
                             {lv: float(getattr(levels[lv], "LOCK_THRESHOLD", 0.1)) for lv in present})
    cells = [(lv, x, False) for lv in present for x in EXPLORATION_GRID] + [(lv, 1.0, True) for lv in present]
    for i, (lv, x, fix) in enumerate(cells):
        seeds = [derive_seed(config.seed, lv, j) % 2**31 for j in range(config.seeds)]  # levels cap seeds at 2^31
        metrics = _run(levels[lv], seeds, x, fix, config.quick)
        if fix:
            result.fixed[lv] = metrics
        else:
            result.default.setdefault(lv, {})[x] = metrics
        if progress is not None:
            progress((i + 1) / len(cells))
    return result
