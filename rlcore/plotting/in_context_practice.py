"""Figures of lesson 05 (in-context practice, the heuristics generator, power against goal closeness)."""

from __future__ import annotations

import numpy as np

from ..analysis.in_context_practice import BAND_Z, CONDITIONS, ridge
from . import color, label, subplots


def _control_band(ax, t, control, text="shuffled reward: +-1.96 RMS of runs"):
    change = control - control[0]
    band = BAND_Z * np.sqrt(np.mean(np.square(change), axis=1))
    ax.fill_between(t, -band, band, color="grey", alpha=0.25, lw=0, label=text)
    return band


def practice_figure(results: dict, max_lines: int = 8):
    """Left: end-of-episode race skill; right: end-of-episode donut skill, change from the start, per generation,
    one colour per condition (thin lines: single runs), with the shuffled-reward band of the first condition."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    notes = []
    for i, (name, result) in enumerate(results.items()):
        sel = result.skills("selected")
        t = np.arange(sel["race_skill"].shape[0])
        for ax, key in ((ax1, "race_skill"), (ax2, "donut_skill")):
            change = sel[key] - sel[key][0]
            if i == 0:
                band = _control_band(ax, t, result.skills("shuffled")[key])
                if key == "donut_skill":
                    donut_band = band[-1]
            for run in change.T[:max_lines]:
                ax.plot(t, run, color=color(i), lw=0.5, alpha=0.35)
            ax.plot(t, change.mean(1), color=color(i), lw=2, label=name)
        final = sel["donut_skill"][-1] - sel["donut_skill"][0]
        se = final.std(ddof=1) / np.sqrt(final.size) if final.size > 1 else 0.0
        notes.append((f"{np.mean(final > donut_band):.0%} above, {np.mean(final < -donut_band):.0%} below band; "
                      f"mean {final.mean():+.2f} +- {se:.2f} (SE)", color(i)))
    for j, (text, col) in enumerate(notes):
        ax2.text(0.02, 0.98 - 0.07 * j, text, transform=ax2.transAxes, fontsize=7, va="top", color=col)
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
    fig, (ax_d, ax) = subplots(2, width=3.6, height=3.2)
    k, m = np.arange(c.donut_loops), np.arange(c.race_segments)
    for i, (gen, name) in enumerate(((0, "generation 0"), (last, f"generation {last}"))):
        genome = g[gen].mean(0)
        donut_rate = genome[1] if c.shared_rate else c.coupling * genome[1] + (1 - c.coupling) * genome[3]
        ax_d.plot(k, genome[2] + donut_rate * k, "o-", color=color(i), lw=1.5, ms=4, label=name)
        ax.plot(m, genome[0] + genome[1] * m, "s-", color=color(i), lw=1.5, ms=4, alpha=0.7, label=name)
    label(ax_d, "donut loop k", "expected donut quality", "lagoon (own scale)")
    label(ax, "race segment m", "expected race quality", "race")
    ax_d.legend(fontsize=7)
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
        ax1.errorbar(kinds + (i - 0.5) * 0.38, np.zeros_like(kinds, dtype=float), yerr=s["control_band"],
                     fmt="none", ecolor="grey", lw=3, alpha=0.6)
        ax2.plot(s["asked_rewarded"], s["gain"], "o", color=color(i), mfc="none", ms=8,
                 label=f"{name}: x = asked in above-baseline episodes")
        ax2.plot(s["helped"], s["gain"], "s", color=color(i), ms=5, label=f"{name}: x = entered the reward")
        ax2.annotate(f"donut ({name.split()[0]})", (s["asked_rewarded"][0], s["gain"][0]),
                     textcoords="offset points", xytext=(6, 8 + 12 * i), fontsize=7, color=color(i),
                     arrowprops=dict(arrowstyle="-", color=color(i), lw=0.5))
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


def lock_sweep_figure(sweep: dict, generations: int | None = None):
    """The lock-in run's goal distance after the budget, against beta, one line per lock scale (exploration tied
    to capability), dashed: exploration that shrinks with training time instead."""
    fig, ax = subplots(1, width=4.8)
    n = len(sweep["lock_scales"])
    for i, (scale, row) in enumerate(zip(sweep["lock_scales"], sweep["frozen_distance"])):
        ax.plot(sweep["betas"], row, "o-", color=color(i), label=f"capability lock, scale {scale:g}")
    for j, (lt, row) in enumerate(zip(sweep.get("lock_times", []), sweep.get("time_distance", []))):
        ax.plot(sweep["betas"], row, "s--", color=color(n + j), label=f"time lock, exp(-t / {lt:g})")
    ax.set_xscale("log")
    after = f" after {generations} generations" if generations else " at the end"
    label(ax, "beta (how fast the tails come apart)", f"goal distance{after}", f"goal distance{after}")
    ax.legend(fontsize=7)
    return fig


def coupling_figure(sweep: dict):
    """Partial sharing: donut-skill change against alpha (mean of runs +- 2 SE, expected line, per-run band), one
    colour per budget of generations; right: share of runs above the band."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    x = np.array(sweep["couplings"])
    for i, gens in enumerate(sweep["generations"]):
        ch, se = np.array(sweep["change"][i]), np.array(sweep["change_se"][i])
        band = np.array(sweep["band"][i])
        ax1.fill_between(x, -band, band, color=color(i), alpha=0.12, lw=0)
        ax1.plot(x, sweep["predicted"][i], color=color(i), ls="--", lw=1)
        ax1.errorbar(x, ch, yerr=2 * se, fmt="o", color=color(i), ms=4, label=f"{gens} generations")
        ax2.plot(x, sweep["share_rose"][i], "o-", color=color(i), label=f"{gens} generations")
    ax1.set_xscale("symlog", linthresh=0.01)
    ax2.set_xscale("symlog", linthresh=0.01)
    label(ax1, "alpha (race rate's share in the donut rate)", "donut skill change",
          "mean +- 2 SE; dashed: expected; shade: per-run band")
    label(ax2, "alpha", "share of runs above the band", "single runs that show the side effect")
    ax2.axhline(0.025, color="grey", lw=0.8, ls=":")
    ax1.legend(fontsize=7)
    return fig


def budget_figure(sweep: dict):
    """Goal distance after each budget of generations: the lock-in run against constant small goal exploration."""
    fig, ax = subplots(1, width=4.8)
    for i, name in enumerate(sweep["conditions"]):
        ax.plot(sweep["budgets"], sweep["distance"][name], "o-", color=color(2 + i), label=name)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sweep["budgets"], [str(b) for b in sweep["budgets"]])
    ax.minorticks_off()
    label(ax, "generations (budget)", "goal distance d (mean of runs)", "near miss or slow progress?")
    ax.legend(fontsize=8)
    return fig
