"""Figures of lesson 05 (in-context practice, the heuristics generator, power against goal closeness)."""

from __future__ import annotations

import numpy as np

from ..analysis.in_context_practice import CONDITIONS, ridge
from . import color, label, subplots


def _control_band(ax, t, control, text="shuffled reward: 95% of runs"):
    change = control - control[0]
    lo, hi = np.quantile(change, [0.025, 0.975], axis=1)
    ax.fill_between(t, lo, hi, color="grey", alpha=0.25, lw=0, label=text)


def practice_figure(results: dict, max_lines: int = 8):
    """Left: end-of-episode race skill; right: end-of-episode donut skill, change from the start, per generation,
    one colour per condition (thin lines: single runs), with the shuffled-reward band of the first condition."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    for i, (name, result) in enumerate(results.items()):
        sel = result.skills("selected")
        t = np.arange(sel["race_skill"].shape[0])
        for ax, key in ((ax1, "race_skill"), (ax2, "donut_skill")):
            change = sel[key] - sel[key][0]
            if i == 0:
                _control_band(ax, t, result.skills("shuffled")[key])
            for run in change.T[:max_lines]:
                ax.plot(t, run, color=color(i), lw=0.5, alpha=0.35)
            ax.plot(t, change.mean(1), color=color(i), lw=2, label=name)
    label(ax1, "generation", "race skill, end of episode (change)", "race: selected across episodes")
    label(ax2, "generation", "donut skill, end of episode (change)", "donut: never paid")
    handles, labels = ax2.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8)
    return fig


def episode_profile_figure(result, generation: int | None = None):
    """Achieved quality (expected) through one episode of the mean genome: lagoon loops, then race segments, at
    the start of selection and after it. Practice lifts quality within an episode; only selection carries it to
    the next one."""
    c, g = result.config, result.selected
    last = g.shape[0] - 1 if generation is None else generation
    fig, ax = subplots(1, width=6.0, height=3.2)
    k, m = np.arange(c.donut_loops), np.arange(c.race_segments)
    for i, (gen, name) in enumerate(((0, "generation 0"), (last, f"generation {last}"))):
        genome = g[gen].mean(0)
        donut_rate = genome[1] if c.shared_rate else genome[3]
        ax.plot(k, genome[2] + donut_rate * k, "o-", color=color(i), lw=1.5, ms=4, label=f"{name}: donut loops")
        ax.plot(c.donut_loops + m, genome[0] + genome[1] * m, "s-", color=color(i), lw=1.5, ms=4, alpha=0.7,
                label=f"{name}: race segments")
    ax.axvline(c.donut_loops - 0.5, color="grey", lw=0.8)
    label(ax, "step in the episode (lagoon | race)", "expected achieved quality", "one episode, mean genome")
    ax.legend(fontsize=7, ncol=2)
    return fig


def practice_sweep_figure(*sweeps: dict):
    """Donut-skill change against the practice cost: measured (dots, with the shuffled band) and expected (line)."""
    fig, axes = subplots(len(sweeps), width=4.4)
    axes = np.atleast_1d(axes)
    for ax, sweep, i in zip(axes, sweeps, range(len(sweeps))):
        x = np.array(sweep["costs"])
        band = np.array(sweep["band"])
        ax.fill_between(x, -band, band, color="grey", alpha=0.25, lw=0, label="shuffled-reward band (95%)")
        ax.plot(x, sweep["predicted"], color="k", ls="--", lw=1.2, label="expected: lr x generations x gradient")
        ax.plot(x, sweep["change"], "o", color=color(i), label="measured (mean of runs)")
        ax.axhline(0, color="grey", lw=0.8)
        title = "one shared rate" if sweep["shared_rate"] else "separate rates"
        if sweep["shared_rate"]:
            ax.axvline(sweep["break_even_cost"], color=color(i), lw=0.8, ls=":", label="break-even M(M-1)/(2(K-1))")
        label(ax, "practice cost (race time per unit of donut improvement)", "donut skill change", title)
        ax.legend(fontsize=7)
    return fig


def generator_figure(narrow, broad):
    """Left: quality gain per query kind, narrow and broad use, with the expected gain and the shuffled band.
    Right: each kind's gain against how often it was asked in above-baseline episodes and how often its
    heuristic entered the reward."""
    fig, (ax1, ax2) = subplots(2, width=4.8)
    for i, (name, result) in enumerate((("narrow use", narrow), ("broad use", broad))):
        s = result.summary()
        kinds = np.arange(len(s["gain"]))
        ax1.bar(kinds + (i - 0.5) * 0.38, s["gain"], width=0.38, color=color(i), alpha=0.8, label=name)
        ax1.plot(kinds + (i - 0.5) * 0.38, s["predicted_gain"], "_", color="k", ms=12, mew=2)
        ax1.errorbar(kinds + (i - 0.5) * 0.38, np.zeros_like(kinds, dtype=float), yerr=s["control_band"], fmt="none",
                     ecolor="grey", lw=3, alpha=0.6)
        ax2.plot(s["asked_rewarded"], s["gain"], "o", color=color(i), mfc="none", ms=8,
                 label=f"{name}: x = asked in above-baseline episodes")
        ax2.plot(s["helped"], s["gain"], "s", color=color(i), ms=5, label=f"{name}: x = entered the reward")
        ax2.annotate("donut", (s["asked_rewarded"][0], s["gain"][0]), textcoords="offset points", xytext=(4, 6),
                     fontsize=8, color=color(i))
    ax1.set_xticks(np.arange(len(narrow.summary()["gain"])))
    ax1.set_xticklabels(["donut", "race"] + [f"sub {k}" for k in range(2, len(narrow.summary()["gain"]))], fontsize=8)
    ax1.plot([], [], "_", color="k", ms=12, mew=2, label="expected gain")
    ax1.plot([], [], color="grey", lw=3, alpha=0.6, label="shuffled band")
    label(ax1, "query kind", "quality gain of the generator", "what the generator got good at")
    ax1.legend(fontsize=7)
    label(ax2, "queries of the kind per episode", "quality gain", "use in winning episodes vs. use that won")
    ax2.legend(fontsize=6.5, loc="upper left")
    return fig


def shared_sweep_figure(sweep: dict):
    """Donut-kind gain against the weight of shared machinery, narrow and broad use."""
    fig, ax = subplots(1, width=4.8)
    x = np.array(sweep["shares"])
    for i, use in enumerate(("narrow", "broad")):
        row = sweep[use]
        ax.plot(x, row["donut_predicted"], color=color(i), ls="--", lw=1)
        ax.plot(x, row["donut_gain"], "o", color=color(i), label=f"{use} use (dashed: expected)")
    ax.fill_between(x, 0, np.max([sweep["narrow"]["band"], sweep["broad"]["band"]], axis=0), color="grey",
                    alpha=0.25, lw=0, label="shuffled band")
    label(ax, "weight of the machinery shared by all kinds", "donut-heuristic quality gain",
          "donut quality as a side effect")
    ax.legend(fontsize=8)
    return fig


def power_goal_figure(result, max_lines: int = 6):
    """Left: trajectories in the (goal distance, capability) plane over the ridge c*(d) where more capability stops
    paying. Right: goal distance per generation."""
    cfg = result.config
    fig, (ax1, ax2) = subplots(2, width=4.8)
    d = np.linspace(0.005, 0.99, 300)
    ax1.plot(d, ridge(d, cfg.beta), color="k", lw=1.2, ls="--", label="ridge c*(d) = (1 - d) / (2 beta d)")
    for i, cond in enumerate(CONDITIONS):
        p = result.paths[cond]
        for run in range(min(max_lines, p.shape[1])):
            ax1.plot(p[:, run, 1], p[:, run, 0], color=color(i), lw=0.6, alpha=0.4)
        ax1.plot(p[:, :, 1].mean(1), np.exp(np.log(p[:, :, 0]).mean(1)), color=color(i), lw=2, label=cond)
        ax1.plot(p[-1, :, 1].mean(), np.exp(np.log(p[-1, :, 0]).mean()), "o", color=color(i), ms=6)
        ax2.plot(np.arange(p.shape[0]), p[:, :, 1].mean(1), color=color(i), lw=2, label=cond)
        lo, hi = np.quantile(p[:, :, 1], [0.1, 0.9], axis=1)
        ax2.fill_between(np.arange(p.shape[0]), lo, hi, color=color(i), alpha=0.2, lw=0)
    ax1.set_yscale("log")
    ax1.set_xlim(1.0, 0.0)
    top = max(float(np.nanmax([result.paths[c][..., 0].max() for c in CONDITIONS])), 2.0)
    ax1.set_ylim(min(cfg.start_capability, 0.5) * 0.8, top * 1.5)
    label(ax1, "goal distance d (right = closer to G)", "capability c (log)", "power against goal closeness")
    ax1.legend(fontsize=7, loc="upper left")
    label(ax2, "generation", "goal distance d", "how close the goal gets")
    return fig


def lock_sweep_figure(sweep: dict):
    """Where the lock-in run's goal ends, against beta, one line per lock scale."""
    fig, ax = subplots(1, width=4.8)
    for i, (scale, row) in enumerate(zip(sweep["lock_scales"], sweep["frozen_distance"])):
        ax.plot(sweep["betas"], row, "o-", color=color(i), label=f"lock scale {scale:g}")
    ax.set_xscale("log")
    label(ax, "beta (how fast the tails come apart)", "goal distance at the end", "where the near miss freezes")
    ax.legend(fontsize=8)
    return fig
