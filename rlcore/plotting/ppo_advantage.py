"""Figures of lesson 03: success against lambda with and without a value head, the three-way split of the
advantage, the shared trunk, and the honest-reporter race. Legends sit outside the axes; one quantity per axis;
spread over seeds is drawn (every seed as a dot, or the mean with a min-max band)."""

from __future__ import annotations

import numpy as np

from . import color, label, subplots

LAMS = np.linspace(0.0, 1.0, 11)
PART_NAMES = ("reward", "bootstrap", "baseline")


def _legend_outside(ax, **kw):
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, **kw)


def _band(ax, x, rows, i, name):
    rows = np.atleast_2d(rows)
    ax.fill_between(x, rows.min(0), rows.max(0), color=color(i), alpha=0.18, lw=0)
    ax.plot(x, rows.mean(0), color=color(i), lw=2, label=f"{name} ({len(rows)} seeds)")


def lambda_success_figure(lines: dict, lams: np.ndarray, steps: np.ndarray):
    """``lines``: name -> (final success (lams, seeds), curves (lams, seeds, K)). Left: final success from cell 0
    against the lambda each run trained with (every seed a dot). Right: mean success over training (the area under
    the learning curve, a measure of speed)."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    x = np.arange(len(lams))
    for i, (name, (final, curves)) in enumerate(lines.items()):
        off = (i - (len(lines) - 1) / 2) * 0.12
        for ax, val in ((ax1, final), (ax2, curves.mean(-1))):
            ax.plot(x + off, val.mean(1), color=color(i), lw=1.5, marker="o", ms=5, label=name)
            for j in range(len(lams)):
                ax.scatter(np.full(val.shape[1], x[j] + off), val[j], color=color(i), s=9, alpha=0.45, lw=0)
    for ax in (ax1, ax2):
        ax.set_xticks(x, [f"{v:g}" for v in lams])
        ax.set_ylim(-0.03, 1.03)
    label(ax1, "GAE lambda the run trained with", "final success from cell 0", "does PPO need the value head?")
    label(ax2, "GAE lambda the run trained with", "success averaged over training", "how fast it learns")
    _legend_outside(ax2)
    return fig


def training_figure(groups: dict):
    """``groups``: name -> list of ChainRun (seeds). Left: success from cell 0 over training (mean, min-max band).
    Right: the final policy's probability of the correct action per cell (mean, min-max band)."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    for i, (name, runs) in enumerate(groups.items()):
        _band(ax1, runs[0].steps, np.array([r.success for r in runs]), i, name)
        cells = np.arange(runs[0].config.length - 1)  # the goal cell is terminal: never acted in
        _band(ax2, cells, np.array([r.p_correct[-1][:-1] for r in runs]), i, name)
    ax1.set_ylim(-0.03, 1.03)
    label(ax1, "environment steps of training", "success from cell 0", "reaching the goal from the far end")
    ax2.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax2.set_ylim(-0.03, 1.03)
    label(ax2, "cell (the goal is one past the last)", "pi(correct action | cell), final", "which cells are learned")
    _legend_outside(ax2, title="line: mean; band: min-max")
    return fig


def split_figure(table: dict, stage_name: str):
    """``table``: lam -> list over seeds of :func:`expected_update_split` results. Left: each part's mean gradient
    against the mean step, |E g^X| / |E g| (log scale); middle: cos(E g^X, E g); right: the update's total
    variance with the part removed, over the total variance (log scale; below 1: the part adds noise, above 1:
    the part cancels noise of the others)."""
    fig, axes = subplots(3, width=3.6)
    lams = sorted(table)
    x = np.arange(len(lams))
    getters = (lambda r, p: r["norm_ratio"][p], lambda r, p: r["expected_cosine"][p],
               lambda r, p: r["variance_without"][p] / r["variance_total"])
    for i, part in enumerate(PART_NAMES):
        off = (i - 1) * 0.22
        for ax, get in zip(axes, getters):
            vals = np.array([[get(r, part) for r in table[lv]] for lv in lams])
            ax.bar(x + off, np.median(vals, 1), width=0.2, color=color(i), alpha=0.75, label=f"{part} part")
            for j in range(len(lams)):
                ax.scatter(np.full(vals.shape[1], x[j] + off), vals[j], color="black", s=6, zorder=3)
    axes[0].set_yscale("log")
    axes[0].axhline(1, color="grey", lw=0.8, ls=":")
    axes[1].axhline(0, color="black", lw=0.6)
    axes[1].set_ylim(-1.05, 1.05)
    axes[2].set_yscale("log")
    axes[2].axhline(1, color="grey", lw=0.8, ls=":")
    for ax in axes:
        ax.set_xticks(x, [f"{v:g}" for v in lams])
    label(axes[0], "GAE lambda (trained and analysed)", "|E g(part)| / |E g|", f"size of each part ({stage_name})")
    label(axes[1], "GAE lambda (trained and analysed)", "cos(E g(part), E g)", "does it point along the mean step?")
    label(axes[2], "GAE lambda (trained and analysed)", "variance without the part / variance",
          "noise if the part were removed")
    _legend_outside(axes[2], title="bar: median; dots: seeds")
    return fig


def stage_figure(groups: dict):
    """``groups``: name -> (steps (K,), dict of arrays (seeds, K) from split_over_training). Left: the reward
    part's mean gradient against the mean step, |E g^R| / |E g| (log scale); right: their cosine."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    for i, (name, (steps, d)) in enumerate(groups.items()):
        _band(ax1, steps, d["reward_ratio"], i, name)
        _band(ax2, steps, d["reward_cosine"], i, name)
    ax1.axhline(1, color="grey", lw=0.8, ls=":")
    ax1.set_yscale("log")
    ax2.axhline(0, color="black", lw=0.6)
    ax2.set_ylim(-1.03, 1.03)
    label(ax1, "environment steps of training", "|E g(reward)| / |E g|", "size of the reward part")
    label(ax2, "environment steps of training", "cos(E g(reward), E g)", "pointing the same way?")
    _legend_outside(ax2, title="line: mean; band: min-max")
    return fig


def trunk_figure(groups: dict):
    """``groups``: name -> (steps (K,), dict of arrays (seeds, K) from trunk_over_training). Left: the value loss's
    share of the trunk gradient (solid) and the same with shuffled returns (dashed, the reference); right: cosine
    between the two losses' trunk gradients, real (solid) and shuffled (dashed) (seed means; real: min-max band)."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    for i, (name, (steps, d)) in enumerate(groups.items()):
        _band(ax1, steps[1:], d["value_share"][:, 1:], i, name)
        ax1.plot(steps[1:], d["shuffled_value_share"][:, 1:].mean(0), color=color(i), lw=1.5, ls="--")
        _band(ax2, steps[1:], d["cosine"][:, 1:], i, name)
        ax2.plot(steps[1:], d["shuffled_cosine"][:, 1:].mean(0), color=color(i), lw=1.5, ls="--")
    ax1.axhline(0, color="black", lw=0.6)
    ax2.axhline(0, color="black", lw=0.6)
    label(ax1, "environment steps of training", "value loss's share of trunk gradient",
          "who moves the shared trunk?")
    label(ax2, "environment steps of training", "cosine(policy, value) on trunk", "do the two losses agree?")
    _legend_outside(ax2, title="solid: real returns (band: min-max)\ndashed: shuffled returns (mean)")
    return fig


def rollout_figure(boundary: dict):
    """``boundary``: from :func:`rlcore.analysis.ppo_advantage.rollout_boundary`. Left: final success from cell 0
    per (value mode, rollout length), every seed a dot; right: final pi(correct) in the cells more than a
    32-step rollout away from the goal (every seed a dot)."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    ro = list(boundary["rollouts"])
    x = np.arange(len(ro))
    far = boundary["far_cells"][min(ro)]
    for i, mode in enumerate(boundary["modes"]):
        off = (i - (len(boundary["modes"]) - 1) / 2) * 0.15
        name = "learned V" if mode == "learned" else "V = 0"
        for ax, vals in ((ax1, boundary["final"][i]), (ax2, np.array(
                [[float(boundary["runs"][mode, r, s].p_correct[-1][far].mean()) for s in boundary["seeds"]]
                 for r in ro]))):
            ax.plot(x + off, vals.mean(1), color=color(i), marker="o", lw=1.5, label=name)
            for j in range(len(ro)):
                ax.scatter(np.full(vals.shape[1], x[j] + off), vals[j], color=color(i), s=9, alpha=0.5, lw=0)
    for ax in (ax1, ax2):
        ax.set_xticks(x, [f"{r} steps ({256 // r} envs)" for r in ro])
        ax.set_ylim(-0.03, 1.03)
    ax2.axhline(0.5, color="grey", lw=0.8, ls=":")
    label(ax1, "PPO rollout length (same 256-step batch)", "final success from cell 0", "chain of 40, lambda 1")
    label(ax2, "PPO rollout length (same 256-step batch)", f"pi(correct), cells 0-{far[-1]}",
          "cells out of a 32-step rollout's reach")
    _legend_outside(ax2, title="line: mean; dots: seeds")
    return fig


def reporter_figure(rows: list[dict]):
    """``rows``: dicts with learner, eps_f, prior, predicted, measured (seeds,). Left: measured against predicted
    takeover time (log-log; dots: median over seeds, bars: 10-90%; only settings where every seed took over within
    the budget, so no median is censored). Right: share of seeds still honest at the end
    of the budget against eps * f."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    learners = sorted({r["learner"] for r in rows})
    for i, learner in enumerate(learners):
        sel = [r for r in rows if r["learner"] == learner and np.isfinite(r["predicted"])]
        pred = np.array([r["predicted"] for r in sel])
        meas = [r["measured"][np.isfinite(r["measured"])] for r in sel]
        ok = np.array([np.isfinite(r["measured"]).all() for r in sel], dtype=bool)  # uncensored only
        med = np.array([np.median(m) if len(m) else np.nan for m in meas])
        lo = np.array([np.quantile(m, 0.1) if len(m) else np.nan for m in meas])
        hi = np.array([np.quantile(m, 0.9) if len(m) else np.nan for m in meas])
        ax1.errorbar(pred[ok], med[ok], yerr=[med[ok] - lo[ok], hi[ok] - med[ok]], fmt="o", color=color(i), ms=4,
                     label=learner)
        allr = [r for r in rows if r["learner"] == learner]
        for b in sorted({r["prior"] for r in allr}):
            rb = sorted([r for r in allr if r["prior"] == b], key=lambda r: r["eps_f"])
            ax2.plot([r["eps_f"] for r in rb], [np.mean(~np.isfinite(r["measured"])) for r in rb], marker="o",
                     color=color(i), ls="-" if b == min(r["prior"] for r in allr) else "--",
                     label=f"{learner}, b = {b:g}")
    lim = [min(ax1.get_xlim()[0], ax1.get_ylim()[0]), max(ax1.get_xlim()[1], ax1.get_ylim()[1])]
    ax1.plot(lim, lim, color="grey", lw=0.8, ls=":")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    label(ax1, "predicted takeover (steps)", "measured takeover (steps)", "simulator takeover vs prediction")
    ax1.legend(loc="upper left", fontsize=8)
    ax2.set_ylim(-0.03, 1.03)
    ax2.set_xscale("symlog", linthresh=1e-3)
    ax2.set_xlim(left=0)
    label(ax2, "eps * f (share of wrong labels; 0 = control)", "share of seeds still honest", "honesty within the budget")
    _legend_outside(ax2)
    return fig


def _segment(run, k: int, parts: dict, n_envs: int = 3):
    """The first ``n_envs`` environments' stretches of checkpoint k's batch, laid end to end."""
    batch = run.result.checkpoints[k].batch
    T = batch["rewards"].shape[0]
    take = lambda a: np.concatenate([a[:, i] for i in range(min(n_envs, a.shape[1]))])  # noqa: E731
    ends = take(batch["terminated"] | batch["truncated"])
    return np.arange(len(ends)), {n: take(p) for n, p in parts.items()}, ends, T


def panel_figure(run, stage: int, lam: float, normalize: bool):
    """The panel's view of one run (trained at its own lambda and value mode) at one checkpoint, with the
    advantage analysed at ``lam``: a batch stretch split in three, cosine and reach across lambda, success
    over training, and the policy and the value head per cell."""
    from ..analysis.gae import split_advantage

    k = min(stage, len(run.steps) - 1)
    m = run.metrics(k, lam, normalize=normalize)
    b = run.result.checkpoints[k].batch
    parts = split_advantage(b["rewards"], b["values"], b["next_values"], b["terminated"], b["truncated"],
                            run.config.gamma, lam).as_dict()
    fig, axes = subplots(3, 2, width=3.9, height=2.8)
    (ax1, ax2, ax3), (ax4, ax5, ax6) = axes
    x, seg, ends, T = _segment(run, k, parts)
    for i, (name, off) in enumerate(zip(parts, (-0.25, 0.0, 0.25))):
        ax1.vlines(x + off, 0, seg[name], color=color(i), lw=1.6, label=f"{name} part")
    ax1.axhline(0, color="black", lw=0.6)
    for j in range(1, len(x) // T):
        ax1.axvline(j * T - 0.5, color="black", lw=0.8)
    label(ax1, f"timestep (3 envs x {T} steps)", "advantage part (reward units)",
          f"checkpoint {k}, lambda {lam:g} (raw A)")
    ax1.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.25), ncol=3)
    sweep_c = np.array([run.metrics(k, lv, normalize=normalize)["cosine"] for lv in LAMS])
    sweep_r = np.array([run.metrics(k, lv, normalize=normalize)["reward_reach"] for lv in LAMS])
    ax2.plot(LAMS, sweep_c, color=color(0), lw=2)
    ax2.axvline(lam, color="grey", lw=1, ls="--")
    ax2.set_ylim(-1.03, 1.03)
    label(ax2, "lambda of the analysis (dashed: chosen)", "cosine(g, g from A^R)",
          "single batch (mean and noise mixed)")
    ax3.plot(LAMS, sweep_r, color=color(1), lw=2)
    ax3.axvline(lam, color="grey", lw=1, ls="--")
    ax3.set_ylim(-0.03, 1.03)
    label(ax3, "lambda of the analysis (dashed: chosen)", "timesteps with a reward term", "reward's reach")
    ax4.plot(run.steps, run.success, color=color(2), lw=2)
    ax4.axvline(run.steps[k], color="grey", lw=1, ls="--")
    ax4.set_ylim(-0.03, 1.03)
    label(ax4, "steps of training (dashed: checkpoint)", "success from cell 0",
          f"trained: lambda {run.config.gae_lambda:g}, V {run.config.value_mode}")
    cells = np.arange(run.config.length - 1)  # the goal cell is terminal: never acted in
    ax5.plot(cells, run.p_correct[k][:-1], color=color(3), lw=2)
    ax5.set_ylim(-0.03, 1.03)
    label(ax5, "cell", "pi(correct action | cell)", "the policy")
    ax6.plot(cells, run.values[k][:-1], color=color(0), lw=2)
    label(ax6, "cell", "V(cell) (reward units)", "the value head")
    return fig
