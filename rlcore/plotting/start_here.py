"""Figures of the 00 notebook."""

from __future__ import annotations

import numpy as np

from . import color, label, mean_band, subplots

WORSE = 1  # colour index of runs that lock onto the worse arm (vermillion); other runs use colour 0 (blue)


def _runs_panel(ax, result, max_lines: int) -> None:
    """p(better arm) per run, worse-arm lock-ins in their own colour, the lock-in thresholds dashed."""
    t = np.arange(result.p_best.shape[1])
    thr = result.config.success_prob
    worse = result.worse_locked
    for run, bad in zip(result.p_best[:max_lines], worse[:max_lines]):
        ax.plot(t, run, color=color(WORSE if bad else 0), alpha=0.7 if bad else 0.25, lw=1.1 if bad else 0.8)
    ax.plot(t, result.p_best.mean(axis=0), color="k", lw=2, label="mean over runs")
    ax.plot([], [], color=color(0), lw=1, label="one run")
    equal = result.config.p_left == result.config.p_right  # then "worse" is just arm 1 (p_right)
    other = "arm 1 (arms equal)" if equal else "the worse arm"
    ax.plot([], [], color=color(WORSE), lw=1.1, label=f"run locked onto {other} (p >= {thr:g})")
    for y in (thr, 1 - thr):
        ax.axhline(y, color="gray", ls="--", lw=0.8)
    ax.set_ylim(-0.02, 1.02)
    shown = min(len(worse), max_lines)
    label(ax, "pull (step)", "probability of arm 0 (arms equal)" if equal else "probability of the better arm",
          f"{int(worse.sum())} of {len(worse)} runs locked onto {other}" +
          (f" ({shown} drawn)" if shown < len(worse) else ""))
    ax.legend(loc="center right", fontsize=7)


def learning_curves(result, max_lines: int = 50):
    """Left: p(better arm) per run (worse-arm lock-ins in vermillion, their count in the title) and the mean.
    Right: expected reward J(t) against the best arm's mean."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    _runs_panel(ax1, result, max_lines)
    t = np.arange(result.p_best.shape[1])
    mean_band(ax2, t, result.expected_reward, label="expected reward J(t): mean, 10-90% band of runs", i=0)
    ax2.axhline(result.best_mean, color=color(2), ls="--", lw=1.2, label="best arm's mean")
    label(ax2, "pull (step)", "expected reward per pull",
          f"{result.found_fraction:.0%} of runs locked onto the better arm")
    ax2.legend(loc="lower right", fontsize=8)
    return fig


def lock_in_figure(rates: dict, current_lr: float | None = None, ax=None):
    """Worse-arm lock-in rate (solid) and the share of runs committed to either arm (dotted) against the
    learning rate, with and without the baseline (log x axis)."""
    if ax is None:
        _, ax = subplots(1, width=5.0)
    lrs = np.asarray(rates["learning_rates"])
    for i, key in ((0, "no baseline"), (2, "baseline")):
        if key in rates:
            ax.plot(lrs, 100 * rates[key]["worse"], "-o", color=color(i), ms=4, label=f"{key}: locked onto worse arm")
            ax.plot(lrs, 100 * rates[key]["committed"], ":", color=color(i), lw=1.4,
                    label=f"{key}: committed to either arm")
    if current_lr is not None:
        ax.axvline(current_lr, color="k", ls="--", lw=0.8)
    ax.set_xscale("log")
    ax.set_ylim(-2, 102)
    label(ax, "learning rate (log scale)", f"% of {rates['runs']} runs per point",
          f"lock-in (final p >= {rates['threshold']:g}) vs. step size")
    ax.legend(fontsize=7, loc="center left")
    return ax.figure


def panel_figure(result, rates: dict):
    """The panel's view: the runs at the chosen settings (left) and what the figure above cannot show, the
    lock-in rates over a range of learning rates at the same arms, budget and baseline setting (right)."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    _runs_panel(ax1, result, 50)
    lock_in_figure(rates, result.config.learning_rate, ax=ax2)
    return fig
