"""Figures of the ladder dashboard: every level on the shared metrics (one threshold, gaps to the true optimum).

No panel puts a value that can be zero or negative on a log axis, and nothing is jittered: rates stay in [0, 1]
and are drawn as bars or dodged sideways, never moved vertically.
"""

from __future__ import annotations

import numpy as np

from ..analysis.ladder import LOCK_THRESHOLD
from ..analysis.ladder_dashboard import CONTROLS, LEVEL_NAMES
from . import color, label, subplots

CONDITION_LABELS = {"default": "default", "coverage": "coverage control", "good_start": "good start", "fix": "fix"}


def _nu_panel(ax, result, exploration: float, condition: str) -> None:
    ymax = 2.0
    for i, lv in enumerate(result.levels):
        if not result.available(lv, condition):
            continue
        runs = result.runs(lv, condition, exploration)
        nu = np.array([m.nu for m in runs])
        x = (np.arange(nu.shape[1]) + 1) / nu.shape[1]
        med = np.median(nu, axis=0)
        ax.plot(x, med, color=color(i), lw=1.8, label=f"{lv} {LEVEL_NAMES[lv]}")
        ax.fill_between(x, *np.quantile(nu, [0.1, 0.9], axis=0), color=color(i), alpha=0.12, lw=0)
        floor = float(np.mean([getattr(m, "floor", 0.0) for m in runs]))
        if floor > 0:
            ax.axhline(floor, color=color(i), ls=":", lw=1.2)
        ymax = max(ymax, float(np.quantile(nu, 0.9, axis=0).max()))
    ax.axhline(LOCK_THRESHOLD, color="0.2", ls="--", lw=1, label=f"lock threshold {LOCK_THRESHOLD}")
    ax.set_ylim(0, min(ymax * 1.05, 6.0))
    label(ax, "fraction of training", "nu: own visits to N / uniform's (median)",
          f"{CONDITION_LABELS[condition]}, exploration x{exploration:g}")
    ax.legend(fontsize=7, loc="upper right")


def _legend(ax) -> None:
    from matplotlib.patches import Patch

    conds = ["default"] + list(CONTROLS)
    ax.legend(handles=[Patch(color=color(j + 1), label=CONDITION_LABELS[c]) for j, c in enumerate(conds)],
              fontsize=7, loc="upper right")


def _rate_bars(ax, result) -> None:
    conds = ["default"] + list(CONTROLS)
    width = 0.8 / len(conds)
    for j, c in enumerate(conds):
        for k, lv in enumerate(result.levels):
            xpos = k + (j - (len(conds) - 1) / 2) * width
            cell = result.cell(lv, c)
            if isinstance(cell, str):
                ax.text(xpos, 0.02, "n/a", rotation=90, ha="center", va="bottom", fontsize=6, color="0.4")
                continue
            ax.bar(xpos, cell["lock_rate"], width=width, color=color(j + 1))
            if cell["lock_rate"] == 0:
                ax.text(xpos, 0.01, "0", ha="center", va="bottom", fontsize=6, color=color(j + 1))
    ax.set_xticks(range(len(result.levels)), [str(lv) for lv in result.levels])
    ax.set_ylim(0, 1.12)
    label(ax, "level", "lock-in rate (share of runs)", "which controls remove the lock-in")
    _legend(ax)


def _gap_bars(ax, result) -> None:
    conds = ["default"] + list(CONTROLS)
    width = 0.8 / len(conds)
    for j, c in enumerate(conds):
        for k, lv in enumerate(result.levels):
            xpos = k + (j - (len(conds) - 1) / 2) * width
            base = result.cell(lv)["delta_G"]
            cell = result.cell(lv, c)
            if isinstance(cell, str) or base <= 0:
                ax.text(xpos, 0.02, "n/a", rotation=90, ha="center", va="bottom", fontsize=6, color="0.4")
                continue
            ax.bar(xpos, cell["delta_G"] / base, width=width, color=color(j + 1))
    ax.axhline(0, color="0.3", lw=0.8)
    _legend(ax)
    ax.set_xticks(range(len(result.levels)), [str(lv) for lv in result.levels])
    label(ax, "level", "Delta_G / Delta_G at the default", "how much of the gap to the optimum is left")


def dashboard(result, exploration: float = 1.0, condition: str = "default"):
    """Three panels. Left: nu of every level against the fraction of training under one condition (median and
    10-90% band; dotted: the level's forced-exploration floor; dashed: the one threshold). Middle: the lock-in
    rate of every level under the default and each control. Right: Delta_G (to the true optimum) under each
    condition as a share of the default's (levels' units differ; the ratio does not)."""
    fig, (ax1, ax2, ax3) = subplots(3, width=4.2, height=3.5)
    _nu_panel(ax1, result, exploration if condition == "default" else 1.0, condition)
    _rate_bars(ax2, result)
    _gap_bars(ax3, result)
    return fig


def exploration_sweep(result):
    """Left: the lock-in rate of every level (no fix) against the exploration multiplier. Right: Delta_G as a
    share of its value at the default multiplier. A level that more randomness *cures* falls on both panels;
    one whose nu recovers but whose gap does not falls on the left only. Points of different levels are
    dodged sideways (never moved vertically)."""
    fig, (ax1, ax2) = subplots(2, width=4.6, height=3.3)
    grid = np.array(result.grid())
    for i, lv in enumerate(result.levels):
        dodge = 2 ** (0.03 * (i - (len(result.levels) - 1) / 2))
        rates = [result.cell(lv, "default", x)["lock_rate"] for x in grid]
        base = result.cell(lv)["delta_G"]
        gaps = [result.cell(lv, "default", x)["delta_G"] / base if base > 0 else np.nan for x in grid]
        marker = "os^Dv"[i % 5] + "-"
        ax1.plot(grid * dodge, rates, marker, color=color(i), label=f"{lv} {LEVEL_NAMES[lv]}")
        ax2.plot(grid * dodge, gaps, marker, color=color(i))
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=2)
        ax.set_xticks(grid, [f"x{x:g}" for x in grid])
    ax1.set_ylim(-0.03, 1.03)
    ax2.set_ylim(bottom=0)
    ax2.axhline(1.0, color="0.5", lw=0.8, ls=":")
    label(ax1, "exploration (x each level's default)", "lock-in rate", "does nu recover?")
    label(ax2, "exploration (x each level's default)", "Delta_G / Delta_G at x1", "does the gap close?")
    ax1.legend(fontsize=7)
    return fig
