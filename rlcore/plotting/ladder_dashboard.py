"""Figures of the ladder dashboard: every level on the shared metrics."""

from __future__ import annotations

import numpy as np

from ..analysis.ladder_dashboard import EXPLORATION_GRID, LEVEL_NAMES
from . import color, label, subplots


def _nu_band(ax, runs: list, i: int, name: str) -> None:
    """Median nu over runs against the fraction of training (runs of one level share a length), floored at
    0.01 for the log scale, with the 10-90% band (the median: one unlocked run would dominate a mean)."""
    nu = np.maximum(np.array([m.nu for m in runs]), 1e-2)
    x = (np.arange(nu.shape[1]) + 1) / nu.shape[1]
    ax.plot(x, np.median(nu, axis=0), color=color(i), lw=1.8, label=name)
    ax.fill_between(x, *np.quantile(nu, [0.1, 0.9], axis=0), color=color(i), alpha=0.15, lw=0)


def dashboard(result, exploration: float = 1.0):
    """Three panels at one exploration multiplier. Left: nu(t) of every level against the fraction of training
    (log scale, mean and 10-90% band). Middle: tau_lock as a fraction of training, one dot per locked run.
    Right: Delta_G against Delta_R per run (symlog axes), without the fix (filled) and with it (open, at
    exploration 1)."""
    fig, (ax1, ax2, ax3) = subplots(3, width=4.0, height=3.4)
    for i, lv in enumerate(result.levels):
        runs = result.default[lv][exploration]
        _nu_band(ax1, runs, i, f"{lv} {result_name(lv)}")
        ax1.axhline(result.thresholds.get(lv, 0.1), color=color(i), ls="--", lw=1, alpha=0.7)
        taus = [m.tau_lock / len(m.nu) for m in runs if m.locked]
        jitter = np.linspace(-0.15, 0.15, max(len(taus), 1))[: len(taus)]
        ax2.plot(np.full(len(taus), lv) + jitter, taus, "o", color=color(i), ms=5, alpha=0.8)
        rate = np.mean([m.locked for m in runs])
        ax2.text(lv, 1.04, f"{rate:.0%}", ha="center", fontsize=8)
        ax3.plot([m.delta_r for m in runs], [m.delta_g for m in runs], "o", color=color(i), ms=5, alpha=0.8,
                 label=f"{lv}")
        fixed = result.fixed[lv]
        ax3.plot([m.delta_r for m in fixed], [m.delta_g for m in fixed], "o", mfc="none", color=color(i), ms=6)
    ax1.set_yscale("log")
    label(ax1, "fraction of training", "nu(t), median (visits to N / uniform's)", f"exploration x{exploration:g}")
    ax1.legend(fontsize=7, loc="upper right")
    ax2.set_xticks(result.levels)
    ax2.set_ylim(-0.05, 1.12)
    label(ax2, "level", "tau_lock / training length", "when each locked run locked (% locked above)")
    ax3.set_xscale("symlog", linthresh=0.01)
    ax3.set_yscale("symlog", linthresh=0.01)
    label(ax3, "Delta_R (gap on observed reward)", "Delta_G (gap on intended goal)", "filled: default; open: fix")
    ax3.legend(fontsize=7, title="level", title_fontsize=7)
    return fig


def result_name(level: int) -> str:
    """The level's short name."""
    return LEVEL_NAMES[level]


def exploration_sweep(result):
    """Lock-in rate of every level (no fix) against the exploration multiplier of the precomputed grid (levels
    nudged apart vertically by about 0.01 so equal rates stay visible)."""
    fig, ax = subplots(1, width=5.0, height=3.2)
    for i, lv in enumerate(result.levels):
        rates = np.array([result.lock_rates(x)[lv] for x in EXPLORATION_GRID]) + 0.012 * (i - 1.5)  # no overlap
        ax.plot(EXPLORATION_GRID, rates, "os^Dv"[i % 5] + "-", color=color(i), label=f"{lv} {result_name(lv)}")
    ax.set_xscale("log", base=2)
    ax.set_xticks(EXPLORATION_GRID, [f"x{x:g}" for x in EXPLORATION_GRID])
    ax.set_ylim(-0.05, 1.05)
    label(ax, "exploration multiplier (x each level's default)", "lock-in rate (share of runs)",
          "more exploration, fewer lock-ins?")
    ax.legend(fontsize=8)
    return fig
