"""Figures of lesson 08: GAN snapshots, mode coverage over training, the setup sweep, the topic agent."""

from __future__ import annotations

import numpy as np

import matplotlib.patches as mpatches

from . import color, label, mean_band, subplots

__all__ = ["snapshots", "coverage_curves", "sweep_bars", "narrowing_curves", "shared_axes", "snapshot_view"]


def _scatter(ax, points, centers, sigma, n_points=600, title=None):
    ax.scatter(points[:n_points, 0], points[:n_points, 1], s=3, alpha=0.5, color=color(0), lw=0,
               label="generated")
    ax.scatter(centers[:, 0], centers[:, 1], marker="x", s=30, color=color(1), lw=1.2, label="mode centre")
    for c in centers:
        ax.add_patch(mpatches.Circle(c, 3 * sigma, fill=False, color=color(1), lw=0.6, alpha=0.6))
    lim = np.abs(centers).max() + 1.2
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    label(ax, "x1 (data units)", "x2 (data units)", title)


def snapshots(run, metrics: dict, seed_index: int = 0, n_panels: int = 5):
    """One seed's generator samples at ``n_panels`` evenly spaced snapshots; circles are 3 sigma around
    each mode centre; titles give the update and the modes captured."""
    from ..learners.gan import mixture_centers

    centers = mixture_centers(run.mixture)
    idx = np.unique(np.linspace(0, len(run.snapshot_steps) - 1, n_panels).round().astype(int))
    fig, axes = subplots(len(idx), width=2.6, height=2.7)
    for ax, i in zip(np.atleast_1d(axes), idx):
        k = int(metrics["modes_captured"][seed_index, i])
        _scatter(ax, run.samples[seed_index, i], centers, run.mixture.sigma,
                 title=f"update {run.snapshot_steps[i]}: {k}/{len(centers)} modes")
    return fig


def coverage_curves(runs: dict, curves: dict, n_modes: int):
    """Modes captured over training for each arm (thin lines: seeds; thick: mean), and the share of
    high-quality samples (mean over seeds with a 10-90% band)."""
    fig, (ax1, ax2) = subplots(2)
    for i, (name, run) in enumerate(runs.items()):
        steps, m = run.snapshot_steps, curves[name]
        for line in m["modes_captured"]:
            ax1.plot(steps, line, color=color(i), alpha=0.25, lw=0.8)
        ax1.plot(steps, m["modes_captured"].mean(axis=0), color=color(i), lw=2, label=name)
        mean_band(ax2, steps, m["hq_share"], label=name, i=i)
    ax1.set_ylim(-0.3, n_modes + 0.3)
    label(ax1, "generator update (steps)", f"modes captured (of {n_modes})", "coverage over training")
    label(ax2, "generator update (steps)", "share of samples within 3 sigma", "sample quality")
    ax1.legend(loc="lower right")
    ax2.legend(loc="upper left")
    return fig


def sweep_bars(results: dict, n_modes: int):
    """For every (discriminator depth, learning rate) cell: the fraction of seeds that collapsed (left) and
    the final modes captured per seed (right, dots; bar = mean)."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    names = [f"depth {d}\nlr {lr:g}" for d, lr in results]
    x = np.arange(len(results))
    frac = [r["collapse_fraction"] for r in results.values()]
    ax1.bar(x, frac, color=[color(0 if d == 1 else 2) for d, _ in results])
    ax1.set_xticks(x, names)
    ax1.set_ylim(0, 1.05)
    label(ax1, "discriminator hidden layers, learning rate", "fraction of seeds collapsed",
          "collapse depends on the setup")
    for xi, r in zip(x, results.values()):
        modes = np.asarray(r["modes_captured"])
        ax2.bar(xi, modes.mean(), color=color(0 if list(results)[xi][0] == 1 else 2), alpha=0.35)
        ax2.scatter(xi + np.linspace(-0.25, 0.25, len(modes)), modes, s=12, color=color(6), zorder=3)
    ax2.set_xticks(x, names)
    ax2.set_ylim(0, n_modes + 0.5)
    label(ax2, "discriminator hidden layers, learning rate", f"final modes captured (of {n_modes})",
          "each dot is one seed")
    return fig


def narrowing_curves(results: dict):
    """For each arm of the topic experiment: on-policy corr(w, R) (solid), corr(w, R) over all topics
    (dashed), corr(w, G) over all topics (dotted), and the topic entropy relative to uniform."""
    fig, axes = subplots(len(results) + 1, width=3.6)
    for i, (name, res) in enumerate(results.items()):
        ax = axes[i]
        t = np.arange(res.entropy.shape[1])
        ax.plot(t, res.onpolicy_corr_R.mean(0), color=color(0), lw=2, label="corr(w, R) on-policy")
        ax.plot(t, res.corr_R.mean(0), color=color(0), lw=1.5, ls="--", label="corr(w, R) all topics")
        ax.plot(t, res.corr_G.mean(0), color=color(2), lw=1.5, ls=":", label="corr(w, G) all topics")
        ax.set_ylim(-0.1, 1.05)
        label(ax, "update (steps)", "correlation (mean over runs)", name)
        ax.legend(loc="lower right", fontsize=8)
        mean_band(axes[-1], t, res.entropy / np.log(res.config.n_topics), label=name, i=i)
    axes[-1].set_ylim(0, 1.05)
    label(axes[-1], "update (steps)", "topic entropy / log(topics)", "what the agent works on")
    axes[-1].legend(loc="lower left", fontsize=8)
    return fig


def shared_axes(gan_runs: dict, gan_curves: dict, narrowing: dict):
    """GAN mode coverage (modes captured / modes) and the topic agent's entropy (H / log K) against the
    fraction of training done, on one pair of axes; bands are 10-90% over seeds."""
    fig, ax = subplots(1, width=8.0, height=3.6)
    i = 0
    for name, run in gan_runs.items():
        frac = run.snapshot_steps / run.snapshot_steps[-1]
        mean_band(ax, frac, gan_curves[name]["modes_captured"] / run.mixture.n_modes, label=f"GAN coverage, {name}",
                  i=i)
        i += 1
    for name, res in narrowing.items():
        t = np.arange(res.entropy.shape[1])
        mean_band(ax, t / max(t[-1], 1), res.entropy / np.log(res.config.n_topics),
                  label=f"topic entropy, {name}", i=i)
        i += 1
    ax.set_ylim(0, 1.05)
    label(ax, "fraction of training done", "coverage (share of modes or of max entropy)",
          "narrowing in a GAN and in an agent")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    return fig


def snapshot_view(run, metrics: dict, seed_index: int, snapshot: int):
    """The widget's view: one seed at one snapshot (samples and modes), plus its coverage curve to date."""
    from ..learners.gan import mixture_centers

    centers = mixture_centers(run.mixture)
    snapshot = min(snapshot, len(run.snapshot_steps) - 1)
    fig, (ax1, ax2) = subplots(2, width=3.6, height=3.3)
    k = int(metrics["modes_captured"][seed_index, snapshot])
    hq = float(metrics["hq_share"][seed_index, snapshot])
    _scatter(ax1, run.samples[seed_index, snapshot], centers, run.mixture.sigma,
             title=f"update {run.snapshot_steps[snapshot]}: {k}/{len(centers)} modes, {hq:.0%} high quality")
    steps = run.snapshot_steps
    for j in range(len(run.seeds)):
        ax2.plot(steps, metrics["modes_captured"][j], color=color(0), alpha=0.3 if j != seed_index else 1.0,
                 lw=0.8 if j != seed_index else 2)
    ax2.axvline(steps[snapshot], color=color(1), lw=1, ls="--")
    ax2.set_ylim(-0.3, len(centers) + 0.3)
    label(ax2, "generator update (steps)", "modes captured", "this seed (thick) and the others")
    return fig
