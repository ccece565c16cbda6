"""Figures of lesson 04: the donut habit's half-life, reaching by a delta rule, the goal grid's learners."""

from __future__ import annotations

import numpy as np

from . import color, label, mean_band, subplots

__all__ = ["donut_figure", "reach_figure", "grid_figure"]


def donut_figure(result, lr=None, cost=None):
    """Left: the habit's size (expected donuts per lagoon visit) over updates, every run and exact gradient
    ascent, at the marked (lr, cost). Middle: share of runs whose habit is at most half its initial size at each
    budget, for every learning rate at the marked cost, with the free habit (cost 0) as control. Right: share of
    runs whose habit grew by the end, against race noise, with and without a baseline (the robustness sweep)."""
    from ..analysis.reinforcement_without_reward import (DONUT_COSTS, DONUT_LRS, DONUT_NOISES, DONUT_SWEEP_COSTS,
                                                         DONUT_SWEEP_LRS)
    cfg = result.config
    lr, cost = cfg.lr if lr is None else lr, cfg.cost if cost is None else cost
    i, j = result.cell(lr, cost)
    fig, (ax1, ax2, ax3) = subplots(3, width=4.3, height=3.4)
    steps = np.arange(result.theta.shape[0])
    size0 = result.size0
    every = max(1, len(steps) // 400)  # at most ~400 points per line
    ax1.plot(steps[::every], result.size(result.theta[::every, i, j]), color=color(0), lw=0.6, alpha=0.35)
    ax1.plot([], [], color=color(0), lw=0.6, label="sampled runs (REINFORCE)")
    ax1.plot(steps, result.size(result.exact[:, i, j]), color="k", lw=2, ls="--", label="exact expected gradient")
    ax1.axhline(size0 / 2, color=color(1), lw=1, ls=":", label="half the initial habit")
    ax1.set_ylim(0, cfg.max_loops * 1.25)
    ax1.legend(fontsize=7, loc="upper right")
    label(ax1, "updates (one race each)", "habit: expected donuts per visit",
          f"lr {lr:g}, cost {cost:g}, race noise {cfg.noise_std:g}")
    budgets = np.unique(np.geomspace(1, result.theta.shape[0] - 1, 60).astype(int))
    below = result.size(result.theta[budgets]) <= size0 / 2                      # (budgets, lrs, costs, runs)
    for k, l in enumerate(DONUT_LRS):
        ax2.plot(budgets, below[:, k, j].mean(-1), color=color(k), lw=2, label=f"lr {l:g}")
    j0 = DONUT_COSTS.index(0.0)
    ax2.plot(budgets, below[:, i, j0].mean(-1), color="0.4", lw=1.5, ls=":",
             label=f"control: cost 0, lr {lr:g}")
    ax2.set_xscale("log")
    ax2.minorticks_off()
    ax2.set_ylim(-0.03, 1.25)
    ax2.legend(fontsize=7, loc="upper left", ncol=2)
    label(ax2, "training budget (updates)", "share of runs at or below half",
          f"at the end of each budget, cost {cost:g}")
    sl = lr if lr in DONUT_SWEEP_LRS else DONUT_SWEEP_LRS[0]
    for m, c in enumerate(DONUT_SWEEP_COSTS):
        for b, (base, ls) in enumerate(((True, "-"), (False, "--"))):
            grown = [np.mean(result.sweep_final[result.sweep_cell(base, nz, sl, c)] > size0) for nz in DONUT_NOISES]
            ax3.plot(DONUT_NOISES, grown, color="0.4" if c == 0 else color(m + 3), ls=ls, marker="os"[b], lw=1.8,
                     label=f"cost {c:g}" + (" (control)" if c == 0 else "") + (", no baseline" if not base else ""))
    ax3.set_ylim(-0.03, 1.25)
    ax3.set_xticks(DONUT_NOISES)
    ax3.legend(fontsize=6.5, loc="upper left", ncol=2)
    label(ax3, "race noise (std of the rest of the race)", "share of runs whose habit grew",
          f"lr {sl:g}, after {cfg.updates} updates")
    return fig


def reach_figure(result, angle=None):
    """Left: RMS reach error over reaches at the marked angle for the three update rules, with the closed form
    of the mean map under the delta rule. Right: final error against how crooked the arm is."""
    from ..analysis.reinforcement_without_reward import REACH_ANGLES, REACH_MODES, expected_reach_error
    cfg = result.config
    angle = cfg.angle if angle is None else angle
    fig, (ax1, ax2) = subplots(2, width=4.8, height=3.4)
    x = np.arange(cfg.reaches + 1)
    names = {"delta": "delta rule, zero reward", "none": "no updates (= before learning)",
             "reward-gated": "updates gated on reward"}
    styles = {"delta": ("-", 1.8), "none": ("-", 3.5), "reward-gated": ("--", 1.8)}  # wide under dashed
    for k, mode in enumerate(REACH_MODES):
        mean_band(ax1, x, result.errors[angle, mode].T, label=names[mode], i=k)
        ax1.lines[-1].set(ls=styles[mode][0], lw=styles[mode][1], zorder={"none": 2, "delta": 3}.get(mode, 4))
    ax1.plot(x, expected_reach_error(angle, cfg.gain, cfg.lr, cfg.reaches), color="k", ls="--", lw=1,
             label="closed form (mean map)")
    ax1.axhline(cfg.tolerance, color="0.5", ls=":", lw=1, label="bottle reached (tolerance)")
    ax1.set_yscale("log")
    ax1.minorticks_off()
    ax1.legend(fontsize=7, loc="lower left")
    label(ax1, "reaches", "RMS reach error", f"arm rotated {angle} degrees")
    for k, mode in enumerate(REACH_MODES):
        final = [np.median(result.errors[a, mode][-1]) for a in REACH_ANGLES]
        ax2.plot(REACH_ANGLES, final, color=color(k), marker="os^"[k], lw=styles[mode][1], ls=styles[mode][0],
                 label=names[mode])
    ax2.axvline(90, color="0.6", lw=1)
    ax2.axvline(angle, color="0.3", lw=1, ls="--")
    ax2.set_yscale("log")
    ax2.minorticks_off()
    ax2.legend(fontsize=7, loc="upper left")
    label(ax2, "arm rotation (degrees)", f"median error after {cfg.reaches} reaches", "where the delta rule works")
    return fig


def grid_figure(result, n=None):
    """Left: greedy success on the rewarded goal g* over training. Middle: share of never-rewarded goals solved.
    Right: episodes until 90% of the never-rewarded goals are solved, against the grid's size (learners that
    never get there within the budget are not drawn)."""
    from ..analysis.reinforcement_without_reward import GRID_LEARNERS, GRID_SIZES, random_walk_success
    cfg = result.config
    n = cfg.n if n is None else n
    fig, (ax1, ax2, ax3) = subplots(3, width=4.3, height=3.4)
    # overlapping lines (all at 0 in the middle panel; TD and TD + relabelling both at 1.0 on g* late in training):
    # different dashes and widths, the thin TD line drawn on top of the dash-dotted TD + relabelling one
    styles = {"reward-gated": (":", 3.0, 2), "Monte Carlo": ("--", 2.2, 2), "TD": ("-", 1.2, 4),
              "TD + relabelling": ("-.", 2.4, 3)}
    for k, learner in enumerate(GRID_LEARNERS):
        at = result.runs[n, learner]["episodes_at"]
        ls, lw, z = styles.get(learner, ("-", 1.8, 2))
        for ax, values in ((ax1, result.rewarded(n, learner)), (ax2, result.others_solved(n, learner))):
            mean_band(ax, at, values.T, label=learner, i=k)
            ax.lines[-1].set(ls=ls, lw=lw, zorder=z)
    ax1.axhline(random_walk_success(n), color="0.5", ls=":", lw=1, label="random walk (all goals)")
    ax1.set_ylim(-0.03, 1.45)
    ax2.set_ylim(-0.03, 1.45)
    ax1.legend(fontsize=6.5, loc="upper center", ncol=2)
    ax2.legend(fontsize=6.5, loc="upper center", ncol=2)
    ax2.annotate("TD, Monte Carlo, reward-gated:\nall at 0 (no reward event)", xy=(at[-1], 0.0),
                 xytext=(0.97, 0.12), textcoords="axes fraction", ha="right", fontsize=7,
                 arrowprops=dict(arrowstyle="->", color="0.4"))
    label(ax1, "training episodes", "greedy success on g* (over starts)", f"the rewarded goal, {n}x{n} grid")
    label(ax2, "training episodes", f"share of never-rewarded goals solved",
          f"solved: mean greedy success over starts >= {cfg.solved:g}")
    sizes = sorted({m for m, _ in result.runs})
    for k, learner in enumerate(GRID_LEARNERS):
        need = [np.median(result.episodes_needed(result.others_solved(m, learner), m, learner, 0.9))
                for m in sizes]
        shown = [e if np.isfinite(e) else np.nan for e in need]
        if np.isfinite(need).any():
            ax3.plot(sizes, shown, color=color(k), marker="o", lw=2, label=learner)
    ax3.set_xticks(sizes)
    ax3.set_ylim(0, cfg.episodes * 1.3)
    ax3.legend(fontsize=7, loc="upper left")
    label(ax3, "grid side n", "episodes (median over runs)",
          "until 90% of never-rewarded goals are solved")
    return fig
