"""Figures of lesson 08: calibration of the metrics, GAN snapshots and coverage, the topic agent, one measure."""

from __future__ import annotations

import numpy as np

import matplotlib.patches as mpatches
from matplotlib.lines import Line2D

from . import color, label, mean_band, subplots

__all__ = ["reference_bars", "snapshots", "arm_dots", "coverage_curves", "narrowing_curves", "narrowing_controls", "shared_axes",
           "snapshot_view"]


def _bar_labels(ax, bars, values, fmt="{:.2f}"):
    """Write every bar's value above it (a bar of height zero gets its label too)."""
    for b, v in zip(bars, values):
        ax.annotate(fmt.format(v), (b.get_x() + b.get_width() / 2, b.get_height()), ha="center", va="bottom",
                    fontsize=7, xytext=(0, 2), textcoords="offset points")


_REF_PANELS = [("hq_share", "share of samples within 3 sigma", "sample quality (HQ share)", False),
               ("reverse_kl", "KL(HQ histogram || uniform) (nats)", "reverse KL (lower = balanced)", False),
               ("crowd_share", "largest share nearest one mode", "crowd share (1/K = even)", False),
               ("crowd_spread", "RMS spread of the crowd (sigma)", "crowd spread (sharp = 1.4 sigma)", True),
               ("crowd_offset", "crowd centroid to its mode (sigma)", "crowd offset from its mode", True)]


def reference_bars(scores: dict):
    """Calibration: for each mixture (``scores = {"ring of 8": score_references(...), ...}``; a reference may be
    missing from a mixture, drawn as "n/a") and reference, means over draws of modes captured (strict rule)
    and touched (>= 1 HQ sample) as shares of the modes, the HQ share, the reverse KL (over draws where it
    is defined), the crowd share, and the crowd's spread and offset in sigma (log scale). Every bar is
    labelled with its value."""
    fig, axes = subplots(3, 2, width=4.6, height=3.3)
    axes = axes.ravel()
    refs = list(dict.fromkeys(r for sc in scores.values() for r in sc))
    x = np.arange(len(refs))
    w = 0.8 / (2 * len(scores))

    def mean_of(sc, r, key, div=1.0):  # NaN ("n/a") when missing or undefined in every draw
        v = np.asarray(sc[r][key], dtype=float) if r in sc and key in sc[r] else np.array([np.nan])
        return v[np.isfinite(v)].mean() / div if np.isfinite(v).any() else np.nan

    def bars(ax, xs, vals, width, **kw):
        drawn = ax.bar(xs, np.nan_to_num(vals), width, **kw)
        for b, v in zip(drawn, vals):
            ax.annotate("n/a" if np.isnan(v) else f"{v:.2f}" if v < 10 else f"{v:.0f}",
                        (b.get_x() + b.get_width() / 2, b.get_height() if b.get_height() > 0 else 0),
                        ha="center", va="bottom", fontsize=6.5, xytext=(0, 2), textcoords="offset points",
                        rotation=90 if len(vals) > 4 else 0)
    for j, (mix, sc) in enumerate(scores.items()):
        k = {"ring of 8": 8, "grid of 25": 25}.get(mix, None) or int(max(sc["true mixture"]["modes_captured"]))
        for h, (key, hatch) in enumerate([("modes_captured", None), ("modes_touched", "//")]):
            vals = [mean_of(sc, r, key, k) for r in refs]
            bars(axes[0], x + (2 * j + h - len(scores) + 0.5) * w, vals, w, color=color(j), hatch=hatch,
                 alpha=1.0 if hatch is None else 0.45, edgecolor="white")
        for ax, (key, *_rest) in zip(axes[1:], _REF_PANELS):
            vals = [mean_of(sc, r, key) for r in refs]
            bars(ax, x + (j - (len(scores) - 1) / 2) * 2 * w, vals, 2 * w, color=color(j), label=mix)
    handles = [mpatches.Patch(color=color(j), label=m) for j, m in enumerate(scores)]
    handles += [mpatches.Patch(facecolor="grey", label="captured (>= 10% of fair share of HQ)"),
                mpatches.Patch(facecolor="grey", alpha=0.45, hatch="//", label="touched (>= 1 HQ sample)")]
    axes[0].legend(handles=handles, fontsize=7, loc="upper center", ncol=2)
    axes[0].set_ylim(0, 1.7)
    label(axes[0], "", "share of modes", "modes, two capture rules")
    for ax, (key, yl, t, log) in zip(axes[1:], _REF_PANELS):
        label(ax, "", yl, t)
        if log:
            ax.set_yscale("log")
            ax.set_ylim(0.01 if key == "crowd_offset" else 0.3, 300)
            ax.axhline(np.sqrt(2), color="grey", lw=0.8, ls=":")
    axes[1].set_ylim(0, 1.35)
    axes[3].set_ylim(0, 1.35)
    axes[1].legend(fontsize=7, loc="upper center")
    for ax in axes:
        ax.set_xticks(x, [r.replace(" ", "\n", 1) for r in refs], fontsize=7)
    fig.suptitle("references: 2,500 samples, 20 draws (untrained generator: its 10 stored seeds)", fontsize=9)
    return fig


def _scatter(ax, points, centers, sigma, title=None):
    ax.scatter(points[:, 0], points[:, 1], s=3, alpha=0.5, color=color(0), lw=0, label="generated sample")
    ax.scatter(centers[:, 0], centers[:, 1], marker="x", s=30, color=color(1), lw=1.2, label="mode centre")
    for c in centers:
        ax.add_patch(mpatches.Circle(c, 3 * sigma, fill=False, color=color(1), lw=0.8))
    lim = np.abs(centers).max() + 1.2
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    label(ax, "x1 (data units)", "x2 (data units)", title)


def snapshots(c, seed_index: int = 0, n_panels: int = 5, name: str = ""):
    """One seed's samples (400 shown) at ``n_panels`` snapshots of a :class:`Condensed` run; orange circles
    are 3 sigma around each mode centre (the high-quality zone); titles give modes captured and HQ share."""
    from ..learners.gan import mixture_centers

    centers = mixture_centers(c.mixture)
    idx = np.unique(np.linspace(0, len(c.snapshot_steps) - 1, n_panels).round().astype(int))
    fig, axes = subplots(len(idx), width=2.6, height=2.8)
    for ax, i in zip(np.atleast_1d(axes), idx):
        k, hq = int(c.metrics["modes_captured"][seed_index, i]), float(c.metrics["hq_share"][seed_index, i])
        _scatter(ax, c.samples[seed_index, i].astype(float), centers, c.mixture.sigma,
                 title=f"update {c.snapshot_steps[i]}: {k}/{len(centers)} modes\n{hq:.0%} HQ")
    np.atleast_1d(axes)[0].legend(fontsize=7, loc="lower left")
    if name:
        fig.suptitle(name)
    return fig


def arm_dots(summaries: dict, references: dict | None = None):
    """Final modes captured, high-quality share and crowd spread (sigma, log scale) per seed for every arm
    (dots; bar = mean, labelled); horizontal lines mark reference scores (means over draws)."""
    fig, axes = subplots(3, width=4.6, height=3.6)
    names = list(summaries)
    x = np.arange(len(names))
    panels = ((axes[0], "modes_captured", "mean_modes", "modes_captured"),
              (axes[1], "hq_share", "mean_hq_share", "hq_share"),
              (axes[2], "crowd_spread_sigma", "mean_crowd_spread_sigma", "crowd_spread"))
    for ax, key, mean_key, _ in panels:
        means = [summaries[n][mean_key] for n in names]
        bars = ax.bar(x, means, color=[color(i) for i in range(len(names))], alpha=0.35)
        _bar_labels(ax, bars, means, fmt="{:.1f}" if key == "crowd_spread_sigma" else "{:.2f}")
        for xi, n in zip(x, names):
            v = np.asarray(summaries[n][key], dtype=float)
            ax.scatter(xi + np.linspace(-0.25, 0.25, len(v)), v, s=12, color=color(xi), zorder=3)
        ax.set_xticks(x, [n.replace(", ", "\n") for n in names], fontsize=8)
    handles = [mpatches.Patch(color="grey", alpha=0.35, label="mean over seeds (labelled)"),
               Line2D([], [], marker="o", ls="", color="grey", label="one seed")]
    if references:
        styles = [("Gaussian blob", ":"), ("one-mode collapse", "--"), ("one unsharp cloud", "-."),
                  ("untrained generator", (0, (6, 2, 1, 2, 1, 2)))]
        for ref, style in styles:
            if ref in references:
                for ax, _, _, rkey in panels:
                    ax.axhline(np.nanmean(references[ref][rkey]), color=color(6), ls=style, lw=1)
                handles.append(Line2D([], [], color=color(6), ls=style, label=f"reference: {ref}"))
    k = next(iter(summaries.values()))["n_modes"]
    axes[0].set_ylim(0, k + 1)
    axes[1].set_ylim(0, 1.1)
    axes[2].set_yscale("log")
    axes[2].set_ylim(0.5, 100)
    label(axes[0], "setup", f"final modes captured (of {k})", "coverage")
    label(axes[1], "setup", "final share of samples within 3 sigma", "quality")
    label(axes[2], "setup", "RMS spread of the crowd (sigma)", "sharpness of the crowd")
    axes[2].legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def coverage_curves(conds: dict):
    """Modes captured (left) and HQ share (right) over training for every arm: mean over seeds (line) and
    the 10-90% band over seeds (shaded)."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    for i, (name, c) in enumerate(conds.items()):
        mean_band(ax1, c.snapshot_steps, c.metrics["modes_captured"], label=name, i=i)
        mean_band(ax2, c.snapshot_steps, c.metrics["hq_share"], label=name, i=i)
    k = next(iter(conds.values())).config.n_modes
    ax1.set_ylim(-0.3, k + 0.3)
    ax2.set_ylim(0, 1)
    label(ax1, "generator update (steps)", f"modes captured (of {k})", "coverage over training")
    label(ax2, "generator update (steps)", "share of samples within 3 sigma", "quality over training")
    handles, labels = ax1.get_legend_handles_labels()  # beside the figure, off every curve
    ax2.legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0),
               title="line: mean; band: 10-90% of seeds", title_fontsize=7)
    return fig


def narrowing_curves(results: dict):
    """For each arm of the topic experiment: corr(w, R) on-policy (solid), over all topics (dashed), corr(w,
    G) over all topics (dotted), means over runs; last panel: topic entropy / log(topics), mean and 10-90%."""
    fig, axes = subplots(len(results) + 1, width=3.8)
    for i, (name, res) in enumerate(results.items()):
        ax = axes[i]
        t = np.arange(res.entropy.shape[1])
        ax.plot(t, res.onpolicy_corr_R.mean(0), color=color(0), lw=2, label="corr(w, R) on the agent's topics")
        ax.plot(t, res.corr_R.mean(0), color=color(0), lw=1.5, ls="--", label="corr(w, R) over all topics")
        ax.plot(t, res.corr_G.mean(0), color=color(2), lw=1.5, ls=":", label="corr(w, G) over all topics")
        ax.set_ylim(-0.1, 1.05)
        uniform = getattr(res.config, "forced_uniform", False)
        label(ax, "update (steps)", "correlation (mean over runs)",
              f"{name}\n(solid = dashed by definition: pi uniform)" if uniform else name)
        ax.legend(loc="lower right", fontsize=7)
        mean_band(axes[-1], t, res.entropy / np.log(res.config.n_topics), label=name, i=i)
    axes[-1].set_ylim(0, 1.05)
    label(axes[-1], "update (steps)", "topic entropy / log(topics)", "what the agent works on")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7,
                    title="line: mean; band: 10-90% of runs", title_fontsize=7)
    return fig


def narrowing_controls(results: dict, beta_sweep: dict, goal_sweep: dict):
    """Left: the final gap (on-policy minus all-topics corr(w, R)) per world for every arm (dots; bar = mean,
    labelled). Middle: the chooser's gap against the inverse temperature (mean, 10-90% of worlds). Right:
    corr(w, G)'s move, chooser minus the forced-uniform control in the same world, against the initial
    corr(w, G) (``goal_sweep = {corr: (chooser, uniform)}``); below 0: narrowing kept wants further from G."""
    fig, axes = subplots(3, width=4.4, height=3.6)
    names = list(results)
    x = np.arange(len(names))
    gaps = [results[n].final_gap() for n in names]
    bars = axes[0].bar(x, [g.mean() for g in gaps], color=[color(i) for i in x], alpha=0.35)
    _bar_labels(axes[0], bars, [g.mean() for g in gaps])
    for xi, g in zip(x, gaps):
        axes[0].scatter(xi + np.linspace(-0.25, 0.25, len(g)), g, s=10, color=color(xi), zorder=3)
    axes[0].axhline(0, color="grey", lw=0.8)
    axes[0].set_xticks(x, [n.replace(" ", "\n", 2) for n in names], fontsize=7)
    axes[0].set_ylim(min(-0.3, min(g.min() for g in gaps) - 0.1), 1.0)
    label(axes[0], "", "final on-policy minus all-topics corr(w, R)", "does the measure overstate?")
    axes[0].legend(handles=[mpatches.Patch(color="grey", alpha=0.35, label="mean over worlds (labelled)"),
                            Line2D([], [], marker="o", ls="", color="grey", label="one world")],
                   fontsize=7, loc="upper right")
    for ax, sweep, xl, title, fn in (
            (axes[1], beta_sweep, "inverse temperature beta", "the gap needs a sharp choice",
             lambda r: r.final_gap()),
            (axes[2], goal_sweep, "initial corr(w, G)", "corr(w, G) moved: chooser minus uniform",
             lambda r: r[0].corr_G_move() - r[1].corr_G_move())):
        vs = np.array(list(sweep))
        vals = [fn(sweep[v]) for v in vs]
        mean = np.array([v.mean() for v in vals])
        lo, hi = np.array([np.quantile(v, [0.1, 0.9]) for v in vals]).T
        ax.errorbar(vs, mean, yerr=[mean - lo, hi - mean], marker="o", color=color(0), capsize=3,
                    label="mean; bar: 10-90% of worlds")
        ax.axhline(0, color="grey", lw=0.8)
        label(ax, xl, "on-policy minus all-topics corr(w, R)" if ax is axes[1] else "difference in corr(w, G) move",
              title)
        ax.legend(fontsize=7, loc="upper left")
    return fig


def shared_axes(conds: dict, narrowing: dict):
    """One measure for both learners: the share of modes (GAN) or topics (agent) that receive at least 10% of
    their fair share (HQ samples for a mode, choice probability for a topic), against the fraction of training
    done; mean over seeds with a 10-90% band."""
    fig, ax = subplots(1, width=8.0, height=3.6)
    i = 0
    for name, c in conds.items():
        frac = c.snapshot_steps / c.snapshot_steps[-1]
        mean_band(ax, frac, c.metrics["modes_captured"] / c.config.n_modes, label=f"GAN: {name}", i=i)
        i += 1
    from ..analysis.narrowing import topic_coverage

    for name, res in narrowing.items():
        t = np.arange(res.pi.shape[1])
        mean_band(ax, t / max(t[-1], 1), topic_coverage(res.pi), label=f"topic agent: {name}", i=i)
        i += 1
    ax.set_ylim(0, 1.05)
    label(ax, "fraction of training done", "share of modes / topics covered",
          "coverage, one rule: >= 10% of the fair share")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8,
              title="line: mean; band: 10-90% of seeds", title_fontsize=8)
    return fig


def snapshot_view(c, seed_index: int, snapshot: int, name: str = ""):
    """The widget's view: one seed at one snapshot, and every seed's modes captured over training."""
    from ..learners.gan import mixture_centers

    centers = mixture_centers(c.mixture)
    n_snap, n_seeds = len(c.snapshot_steps), c.samples.shape[0]
    if not 0 <= snapshot < n_snap:
        raise ValueError(f"snapshot = {snapshot} is outside 0 .. {n_snap - 1} for this run (nothing is clipped)")
    if not 0 <= seed_index < n_seeds:
        raise ValueError(f"seed_index = {seed_index} is outside 0 .. {n_seeds - 1} for this run (nothing is clipped)")
    fig, (ax1, ax2) = subplots(2, width=3.8, height=3.4)
    k = int(c.metrics["modes_captured"][seed_index, snapshot])
    hq = float(c.metrics["hq_share"][seed_index, snapshot])
    _scatter(ax1, c.samples[seed_index, snapshot].astype(float), centers, c.mixture.sigma,
             title=f"{name}\nupdate {c.snapshot_steps[snapshot]}: {k}/{len(centers)} modes, {hq:.0%} HQ")
    ax1.legend(fontsize=7, loc="lower left")
    steps = c.snapshot_steps
    for j in range(c.samples.shape[0]):
        ax2.plot(steps, c.metrics["modes_captured"][j], color=color(0), alpha=1.0 if j == seed_index else 0.25,
                 lw=2 if j == seed_index else 0.8)
    ax2.axvline(steps[snapshot], color=color(1), lw=1, ls="--")
    ax2.set_ylim(-0.3, len(centers) + 0.3)
    ax2.legend(handles=[Line2D([], [], color=color(0), lw=2, label="this seed"),
                        Line2D([], [], color=color(0), lw=0.8, alpha=0.4, label="other seeds"),
                        Line2D([], [], color=color(1), ls="--", label="shown snapshot")], fontsize=7)
    label(ax2, "generator update (steps)", "modes captured", "coverage over training")
    return fig
