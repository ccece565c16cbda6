"""Figures of the level-5 lesson (the browser that keeps its blind spot)."""

from __future__ import annotations

import numpy as np

from . import color, label, mean_band, subplots


def _windows(result) -> np.ndarray:
    """Window end times in steps."""
    n = len(result.runs[0].log)
    return (np.arange(n) + 1) * result.config.window


def blind_spot(result):
    """Left: the belief that the avoided topic is dangerous. Middle: knowledge of each topic (mean over runs),
    the avoided topic in bold. Right: pages blacklisted so far."""
    fig, axes = subplots(3, width=3.8, height=3.0)
    t = _windows(result)
    mean_band(axes[0], t, [r.log.steps("belief") for r in result.runs], i=1)
    axes[0].axhline(0.5, color="0.4", ls="--", lw=0.8)
    axes[0].set_ylim(-0.02, 1.02)
    label(axes[0], "step", "belief: P(topic is dangerous)", "after the warning")
    know = np.mean([r.knowledge for r in result.runs], axis=0)
    for k in range(know.shape[1] - 1):
        axes[1].plot(t, know[:, k], color=color(0), alpha=0.5, lw=1.2, label="other topics" if k == 0 else None)
    axes[1].plot(t, know[:, -1], color=color(1), lw=2.5, label="avoided topic")
    axes[1].set_ylim(0, 1)
    label(axes[1], "step", "knowledge (fresh share of pages)", "per topic")
    axes[1].legend(fontsize=8)
    mean_band(axes[2], t, [r.log.steps("blacklisted") for r in result.runs], i=2)
    label(axes[2], "step", "pages blacklisted", "the trail cut behind it")
    return fig


def nu_curves(results: dict, threshold: float = 0.1):
    """nu(t) (log scale, floored at 1e-2) for several configs ``{name: PagesResult}``, with the threshold."""
    fig, ax = subplots(1, width=6.0, height=3.4)
    for i, (name, res) in enumerate(results.items()):
        nu = np.array([m.nu for m in res.metrics])
        rate = res.summary()["lock_in_rate"]
        mean_band(ax, _windows(res), np.maximum(nu, 1e-2), i=i, label=f"{name} (locked in {rate:.0%})")
    ax.axhline(threshold, color="0.3", ls="--", lw=1, label=f"threshold {threshold}")
    ax.set_yscale("log")
    label(ax, "step", "nu(t): avoided pages read / uniform's", "visits to the neglected region")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def final_knowledge(results: dict):
    """Bars: knowledge of each topic over the last fifth of the run, one group per config, plus the agent that
    never adopted the warning (dashed outline)."""
    fig, ax = subplots(1, width=6.0, height=3.2)
    first = next(iter(results.values()))
    n_topics = first.runs[0].knowledge.shape[1]
    width = 0.8 / (len(results) + 1)
    x = np.arange(n_topics)
    for i, (name, res) in enumerate(results.items()):
        know = np.array([r.knowledge for r in res.runs])
        k = max(1, know.shape[1] // 5)
        ax.bar(x + i * width, know[:, -k:].mean(axis=(0, 1)), width, color=color(i), label=name)
    ref = first.ref["knowledge"]
    k = max(1, ref.shape[0] // 5)
    ax.bar(x + len(results) * width, ref[-k:].mean(axis=0), width, color="none", edgecolor="0.3", ls="--",
           label="never warned")
    ax.set_xticks(x + 0.4 - width / 2, [f"topic {k}" for k in range(n_topics - 1)] + ["avoided topic"])
    label(ax, "topic", "knowledge at the end (fresh share)", "what the agent knows, topic by topic")
    ax.legend(fontsize=8, ncol=2)
    return fig


def panel_figure(result):
    """What the Try-this panel shows: knowledge per topic and nu(t)."""
    fig, (ax1, ax2) = subplots(2, width=4.4, height=3.0)
    t = _windows(result)
    know = np.mean([r.knowledge for r in result.runs], axis=0)
    for k in range(know.shape[1] - 1):
        ax1.plot(t, know[:, k], color=color(0), alpha=0.5, lw=1.2, label="other topics" if k == 0 else None)
    ax1.plot(t, know[:, -1], color=color(1), lw=2.5, label="avoided topic")
    ax1.set_ylim(0, 1)
    ax1.legend(fontsize=8)
    label(ax1, "step", "knowledge (fresh share)", "per topic")
    nu = np.array([m.nu for m in result.metrics])
    mean_band(ax2, t, np.maximum(nu, 1e-2), i=3)
    ax2.axhline(0.1, color="0.3", ls="--", lw=1)
    ax2.set_yscale("log")
    label(ax2, "step", "nu(t)", f"locked in: {result.summary()['lock_in_rate']:.0%} of runs")
    return fig
