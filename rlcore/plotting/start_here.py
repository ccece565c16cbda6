"""Figures of the 00 notebook."""

from __future__ import annotations

import numpy as np

from . import color, label, mean_band, subplots


def learning_curves(result, max_lines: int = 20):
    """Left: p(better arm) per run and their mean. Right: expected reward J(t) against the best arm's mean."""
    fig, (ax1, ax2) = subplots(2)
    t = np.arange(result.p_best.shape[1])
    for run in result.p_best[:max_lines]:
        ax1.plot(t, run, color=color(0), alpha=0.25, lw=0.8)
    ax1.plot(t, result.p_best.mean(axis=0), color=color(1), lw=2, label="mean over runs")
    ax1.set_ylim(-0.02, 1.02)
    label(ax1, "pull (step)", "probability of the better arm", "each line is one seed")
    ax1.legend(loc="lower right")
    mean_band(ax2, t, result.expected_reward, label="expected reward J(t): mean, 10-90% band", i=0)
    ax2.axhline(result.best_mean, color=color(2), ls="--", lw=1.2, label="best arm's mean")
    label(ax2, "pull (step)", "expected reward per pull", f"{result.found_fraction:.0%} of runs found the arm")
    ax2.legend(loc="lower right")
    return fig
