"""Figures of the level-3 notebook (the material duel and the search agent)."""

from __future__ import annotations

import numpy as np

from ..analysis.ladder_3_lookahead import LOCK_THRESHOLD, DuelResult, run_duel
from . import color, label, subplots


def visits_and_outcomes(results: dict[str, DuelResult]):
    """Left: nu(t), moves into the sharp region N per window relative to a uniformly random player (median
    and 25-75% band over runs). Right: per setting, the mean expert-mode win probability of the trained greedy
    agent (G), the best achievable, and the share of runs locked in."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    for i, (name, res) in enumerate(results.items()):
        t = (np.arange(res.nu.shape[1]) + 0.5) * res.window
        lo, mid, hi = np.quantile(res.nu, [0.25, 0.5, 0.75], axis=0)
        ax1.plot(t, mid, color=color(i), lw=1.8, label=name)
        ax1.fill_between(t, lo, hi, color=color(i), alpha=0.2, lw=0)
    ax1.axhline(LOCK_THRESHOLD, color="k", ls=":", lw=1, label=f"lock-in threshold {LOCK_THRESHOLD}")
    label(ax1, "training game", "nu(t) (visits to N / random player's)", "who still plays the sharp line")
    ax1.legend(fontsize=8, loc="upper right")
    names = list(results)
    x = np.arange(len(names))
    g = [results[n].g_final.mean() for n in names]
    locked = [results[n].lock_rate for n in names]
    ax2.bar(x - 0.2, g, 0.4, color=color(2), label="expert win probability G")
    ax2.bar(x + 0.2, locked, 0.4, color=color(1), label="share of runs locked in")
    ax2.axhline(results[names[0]].g_best, color=color(2), ls="--", lw=1, label="best G (expert-optimal)")
    for xi, a, b in zip(x, g, locked):
        ax2.text(xi - 0.2, a + 0.02, f"{a:.2f}", ha="center", fontsize=8)
        ax2.text(xi + 0.2, b + 0.02, f"{b:.0%}", ha="center", fontsize=8)
    ax2.set_xticks(x, [n.replace(", ", ",\n") for n in names], fontsize=8)
    ax2.set_ylim(0, 1.2)
    label(ax2, "setting", "probability / share of runs", f"{results[names[0]].config.runs} runs per setting")
    ax2.legend(fontsize=8, loc="upper left")
    return fig


def shaping_policies(policies: dict[str, np.ndarray], material: int, mate_length: int):
    """The optimal move in every position (rows: pieces given away, columns: attack progress k), one panel
    per reward: dark = sacrifice, light = quiet."""
    fig, axes = subplots(len(policies), width=2.6, height=2.6)
    for ax, (name, pol) in zip(np.atleast_1d(axes), policies.items()):
        ax.imshow(np.asarray(pol).reshape(material, mate_length), cmap="Greys", vmin=-0.3, vmax=1.3)
        for (r, c), val in np.ndenumerate(np.asarray(pol).reshape(material, mate_length)):
            ax.text(c, r, "sac" if val else "quiet", ha="center", va="center", fontsize=7,
                    color="w" if val else "k")
        ax.set_xticks(range(mate_length))
        ax.set_yticks(range(material))
        label(ax, "attack progress k (moves)", "pieces given away (-m)", name)
    return fig


def panel_figure(config, progress=None):
    """Run ``config`` (a DuelExperimentConfig) and draw nu(t), G and the lock-in share (the widget panel)."""
    name = f"novice {config.novice_share:g}, d={config.depth}, mode feature {'on' if config.mode_feature else 'off'}"
    return visits_and_outcomes({name: run_duel(config, progress=progress)})
