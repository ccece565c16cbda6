"""The whole ladder on one set of metrics: every level's run_level, side by side, precomputed.

Each level's analysis module ``rlcore.analysis.ladder_<n>_<name>`` offers the protocol's entry point
(:mod:`rlcore.analysis.ladder`)::

    run_level(seed, *, exploration=1.0, fix=False, quick=False, start="default", coverage=False) -> LadderMetrics

:func:`discover_levels` imports the ones that exist. :func:`run_dashboard` runs every present level over
``seeds`` seeds at each exploration multiplier of :data:`EXPLORATION_GRID` (without its fix), and at
multiplier 1 with its fix, under the coverage control and from the good start. A level whose ``run_level`` does
not accept ``start``/``coverage`` (an older protocol) raises ``TypeError``; that condition is then recorded as
*not available* for the level instead of failing the dashboard.

One set of metrics for every level, whatever the level computes itself:

* lock-in is re-derived from each run's nu with the one shared threshold :data:`LOCK_THRESHOLD` (and the
  shared minimum tail, a fifth of the run), so a level cannot use its own threshold;
* nu counts the agent's own visits; each level's forced-exploration ``floor`` is shown beside it;
* Delta_G and Delta_R are the level's gaps to its true optimum (the protocol requires it); the dashboard
  reports them as they are and flags any level whose mean gap is negative beyond noise.

The widget then only looks results up, so a redraw never re-trains anything.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field

import numpy as np

from ..config import Config, choice, param
from ..seeding import derive_seed
from .ladder import LOCK_THRESHOLD, LadderMetrics, lock_in_time

__all__ = ["LEVEL_MODULES", "LEVEL_NAMES", "EXPLORATION_GRID", "CONTROLS", "DashboardConfig", "DashboardResult",
           "discover_levels", "run_dashboard", "locked", "NOT_AVAILABLE", "DEFAULT_FIXES"]

#: The five rungs, in order: module name under rlcore.analysis, and a short name.
LEVEL_MODULES = {1: "ladder_1_reflex", 2: "ladder_2_model_free", 3: "ladder_3_lookahead",
                 4: "ladder_4_abstract_planning", 5: "ladder_5_reflective_planning"}
LEVEL_NAMES = {1: "reflex", 2: "model-free", 3: "lookahead", 4: "abstract planning", 5: "reflective planning"}
#: The exploration multipliers precomputed for the sweep and the widget.
EXPLORATION_GRID = (0.5, 1.0, 2.0)
#: The conditions run at exploration 1 besides the default: name -> run_level keyword arguments.
CONTROLS = {"fix": {"fix": True}, "coverage": {"coverage": True}, "good_start": {"start": "good"}}
NOT_AVAILABLE = "not available"
#: Each level's fix as the curriculum names it, for a module that does not define FIX_NAME.
DEFAULT_FIXES = {1: "a TD actor-critic with optimistic values", 2: "optimistic initialization", 3: "a mode feature",
                 4: "a language-aware reward model, plus exploration", 5: "a planner that endorses its learning"}


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


def locked(metrics: LadderMetrics) -> bool:
    """Lock-in under the one shared threshold: nu stays below LOCK_THRESHOLD from some window to the end,
    for at least a fifth of the run (recomputed from nu, whatever the level's own tau_lock says)."""
    nu = np.asarray(metrics.nu, dtype=np.float64)
    return lock_in_time(nu, LOCK_THRESHOLD, max(1, len(nu) // 5)) is not None


def _rate(runs: list[LadderMetrics]) -> float:
    return float(np.mean([locked(m) for m in runs]))


@dataclass(frozen=True)
class DashboardConfig(Config):
    """How many seeds per level and cell, the first seed, quick or full runs, and the widget's selection."""

    seeds: int = param(10, low=1, high=100, ui=(1, 20), doc="runs per level and setting, [1, 100]")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")
    quick: bool = param(False, doc="the levels' quick runs")
    exploration: float = choice(1.0, EXPLORATION_GRID, doc="exploration multiplier shown (precomputed grid)")
    condition: str = choice("default", ("default", "fix", "coverage", "good_start"),
                            doc="which condition the nu panel shows (precomputed)")


@dataclass
class DashboardResult:
    """Metrics of every present level: ``default[level][x]`` over seeds at exploration x without the fix;
    ``controls[level][name]`` at exploration 1 (a list of metrics, or :data:`NOT_AVAILABLE`)."""

    config: DashboardConfig
    levels: list[int]
    missing: list[int]
    fix_names: dict[int, str]
    notes: dict[int, str] = field(default_factory=dict)   # each level's own caveat on its reading (READING_NOTE)
    default: dict[int, dict[float, list[LadderMetrics]]] = field(default_factory=dict)
    controls: dict[int, dict[str, object]] = field(default_factory=dict)

    def runs(self, level: int, condition: str = "default", exploration: float = 1.0):
        """The metrics of one cell, or :data:`NOT_AVAILABLE`."""
        if condition == "default":
            return self.default[level][exploration]
        return self.controls[level][condition]

    def available(self, level: int, condition: str) -> bool:
        return condition == "default" or not isinstance(self.controls[level][condition], str)

    def lock_rates(self, exploration: float = 1.0) -> dict[int, float]:
        """{level: lock-in rate without the fix} at ``exploration`` (the one shared threshold)."""
        return {lv: _rate(self.default[lv][exploration]) for lv in self.levels}

    def cell(self, level: int, condition: str = "default", exploration: float = 1.0) -> dict | str:
        """The scalars of one cell: lock-in rate, mean nu[0], final nu and floor, Delta_G, Delta_R."""
        if not self.available(level, condition):
            return NOT_AVAILABLE
        ms = self.runs(level, condition, exploration)
        return {"lock_rate": _rate(ms), "start_nu": float(np.mean([m.nu[0] for m in ms])),
                "final_nu": float(np.mean([m.nu[-1] for m in ms])),
                "floor": float(np.mean([getattr(m, "floor", 0.0) for m in ms])),
                "delta_G": float(np.mean([m.delta_g for m in ms])), "delta_R": float(np.mean([m.delta_r for m in ms])),
                "delta_G_sd": float(np.std([m.delta_g for m in ms]))}

    def reading(self, level: int) -> dict:
        """What the controls say about a level.

        * ``starvation``: "coverage halves the gap" when the coverage control at least halves Delta_G (the same
          learner on data that covers N gets near the intended behaviour, *at the level's default settings*: it
          says data is enough there, not that the reward model or goal is right everywhere; the level's
          ``note`` says where it is not); "coverage does not halve the gap" when it does not; "not available"
          without the condition; ``coverage_share`` and ``good_start_share``: each control's Delta_G as a share of
          the default's (how much of the gap is *left*: halving is not closing);
        * ``good_start_kept``: "kept" when the good start ends locked in at most 20% of runs, else "lost";
        * ``randomness``: from the exploration sweep: "cures it" when doubling exploration at least halves both
          the lock-in rate and Delta_G; "nu recovers, the gap does not" when only the rate falls; "does not cure
          it" otherwise (or "no lock-in" when the level does not lock in at the default).
        """
        d = self.cell(level)
        out = {}
        cov = self.cell(level, "coverage")
        if isinstance(cov, str):
            out["starvation"], out["coverage_share"] = NOT_AVAILABLE, None
        else:
            cured = cov["delta_G"] <= 0.5 * d["delta_G"]
            out["starvation"] = "coverage halves the gap" if cured else "coverage does not halve the gap"
            out["coverage_share"] = float(cov["delta_G"] / d["delta_G"]) if d["delta_G"] > 0 else None
        good = self.cell(level, "good_start")
        kept = "kept" if not isinstance(good, str) and good["lock_rate"] <= 0.2 else "lost"
        out["good_start_kept"] = NOT_AVAILABLE if isinstance(good, str) else kept
        out["good_start_share"] = (float(good["delta_G"] / d["delta_G"]) if not isinstance(good, str)
                                   and d["delta_G"] > 0 else None)
        hi = self.cell(level, "default", max(self.default[level]))
        if max(self.default[level]) <= 1.0:
            out["randomness"] = "not measured"
        elif d["lock_rate"] == 0:
            out["randomness"] = "no lock-in"
        elif hi["lock_rate"] <= d["lock_rate"] / 2 and hi["delta_G"] <= d["delta_G"] / 2:
            out["randomness"] = "cures it"
        elif hi["lock_rate"] <= d["lock_rate"] / 2:
            out["randomness"] = "nu recovers, the gap does not"
        else:
            out["randomness"] = "does not cure it"
        fix = self.cell(level, "fix")
        out["fix_halves"] = bool(fix["lock_rate"] <= d["lock_rate"] / 2 and d["lock_rate"] > 0)
        out["note"] = self.notes.get(level, "")
        return out

    def table(self) -> list[dict]:
        """One row per level: the default cell, each control's cell, the fix's name and the reading."""
        rows = []
        for lv in self.levels:
            rows.append({"level": lv, "name": LEVEL_NAMES[lv], "fix_name": self.fix_names[lv], "default": self.cell(lv),
                         **{c: self.cell(lv, c) for c in CONTROLS}, **self.reading(lv)})
        return rows

    def summary(self) -> dict:
        """JSON-ready: present/missing levels, the one threshold, the table and the exploration sweep."""
        return {"levels_present": self.levels, "levels_missing": self.missing, "seeds": self.config.seeds,
                "threshold": LOCK_THRESHOLD, "table": {str(r["level"]): r for r in self.table()},
                "sweep": {str(x): {str(lv): self.cell(lv, "default", x) for lv in self.levels}
                          for x in self.grid()}}

    def grid(self) -> list[float]:
        """The exploration multipliers that were run (the same for every level)."""
        return sorted(self.default[self.levels[0]]) if self.levels else []


def _accepts(run, kwargs: dict) -> bool:
    """Whether ``run`` takes these keyword arguments (an older run_level has no start= / coverage=); a
    TypeError that the call itself raises for that reason is also read as "not available"."""
    try:
        params = inspect.signature(run).parameters
    except (TypeError, ValueError):
        return True
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return True
    return all(k in params for k in kwargs)


def run_dashboard(config: DashboardConfig, progress=None, levels: dict[int, object] | None = None,
                  grid: tuple[float, ...] = EXPLORATION_GRID) -> DashboardResult:
    """Run every present level (or the given ``{level: module}``) over ``config.seeds`` seeds: each value of
    ``grid`` (default :data:`EXPLORATION_GRID`, which must contain 1.0) without the fix, and each of
    :data:`CONTROLS` at exploration 1. ``progress(fraction)`` after each cell."""
    if 1.0 not in grid:
        raise ValueError(f"grid = {grid!r} must contain the default exploration 1.0")
    levels = discover_levels() if levels is None else levels
    present = sorted(levels)
    result = DashboardResult(config, present, [lv for lv in LEVEL_MODULES if lv not in levels],
                             {lv: getattr(levels[lv], "FIX_NAME", DEFAULT_FIXES.get(lv, "its fix")) for lv in present},
                             {lv: str(getattr(levels[lv], "READING_NOTE", "")) for lv in present})
    cells = [(lv, x, None) for lv in present for x in grid] + \
            [(lv, 1.0, c) for lv in present for c in CONTROLS]
    for i, (lv, x, control) in enumerate(cells):
        seeds = [derive_seed(config.seed, lv, j) % 2**31 for j in range(config.seeds)]
        run = levels[lv].run_level
        if control is None:
            result.default.setdefault(lv, {})[x] = [run(s, exploration=x, quick=config.quick) for s in seeds]
        else:
            value = ([run(s, exploration=x, quick=config.quick, **CONTROLS[control]) for s in seeds]
                     if _accepts(run, CONTROLS[control]) else NOT_AVAILABLE)
            result.controls.setdefault(lv, {})[control] = value
        if progress is not None:
            progress((i + 1) / len(cells))
    return result
