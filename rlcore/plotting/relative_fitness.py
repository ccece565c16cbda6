"""Figures of lesson 07 (relative fitness)."""

from __future__ import annotations

import numpy as np

from . import color, label, subplots

NAMES = {"self": "self-play (reward depends on the policy)", "frozen": "frozen opponent (a fixed bandit)",
         "team": "shared reward (pair's mean payoff)", "past": "one agent vs. its own recent past"}


def selection_curves(result, max_lines: int = 20):
    """Left: hawk share per update, with the learner's expected dynamics and the replicator equation.
    Right: the expected reward of each condition against the all-dove and rest-point levels."""
    c = result.config
    fig, (ax1, ax2) = subplots(2, width=4.6)
    t = np.arange(result.hawk["self"].shape[0])
    for run in result.hawk["self"].T[:max_lines]:
        ax1.plot(t, run, color=color(1), alpha=0.2, lw=0.7)
    for i, cond in enumerate(("self", "frozen", "team", "past")):
        ax1.plot(t, result.hawk[cond].mean(1), color=color([1, 0, 2, 3][i]), lw=2, label=NAMES[cond],
                 ls="-" if cond != "past" else (0, (4, 2)))
    ax1.plot(t, result.expected["self"], color="k", ls="--", lw=1.2, label="expected dynamics (self-play)")
    ax1.plot(t, result.replicator, color=color(4), ls=":", lw=2.2, label="replicator equation (its clock)")
    ax1.axhline(min(1.0, c.value / c.cost), color="grey", lw=0.8)
    ax1.set_ylim(-0.02, 1.02)
    label(ax1, "update", "hawk share (probability of hawk)", "who gets reinforced")
    for i, cond in enumerate(("self", "frozen", "team", "past")):
        pay = result.payoff(cond)
        ax2.plot(t, pay.mean(1), color=color([1, 0, 2, 3][i]), lw=2, ls="-" if cond != "past" else (0, (4, 2)))
        ax2.fill_between(t, np.quantile(pay, 0.1, 1), np.quantile(pay, 0.9, 1), color=color([1, 0, 2, 3][i]),
                         alpha=0.15, lw=0)
    ax2.axhline(c.value / 2, color="grey", ls="--", lw=1, label="all doves: V/2")
    s = result.summary()
    ax2.axhline(s["rest_point_payoff"], color="grey", ls=":", lw=1, label="mean payoff at the rest point")
    label(ax2, "update", "expected reward per round", "what happens to reward")
    handles, labels = [], []
    for ax in (ax1, ax2):
        h, lab = ax.get_legend_handles_labels()
        handles, labels = handles + h, labels + lab
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=7)
    return fig


def sweep_figure(sweep: dict):
    """The fall of the mean payoff under self-play, measured and predicted by the replicator rest point."""
    fig, ax = subplots(1, width=4.6)
    ax.plot(sweep["costs"], sweep["predicted_fall"], color="k", lw=1.2, ls="--", label="replicator: J(p0) - J(p*)")
    ax.plot(sweep["costs"], sweep["measured_fall"], "o", color=color(1), label="self-play REINFORCE (mean of runs)")
    ax.axhline(0, color="grey", lw=0.8)
    label(ax, f"cost of a fight C (value V = {sweep['value']:g})", "fall of the mean payoff", "how much selection costs the population")
    ax.legend(fontsize=8)
    return fig


def horizon_figure(sweep: dict, myopic: dict | None = None):
    """One agent against its own past: final expected reward (and hawk share) against the episode length H,
    crediting each action with the rest of its episode (far-sighted) or with its own round only (myopic)."""
    fig, ax = subplots(1, width=5.4, height=4.2)
    h = np.array(sweep["horizons"])
    rows = [(sweep, "final_payoff", "reward, credit = rest of the episode", 0, "-"),
            (sweep, "final_hawk", "hawk share, credit = rest of the episode", 1, "-")]
    if myopic is not None:
        rows += [(myopic, "final_payoff", "reward, credit = own round only", 0, ":"),
                 (myopic, "final_hawk", "hawk share, credit = own round only", 1, ":")]
    for data, key, name, c, ls in rows:
        mean, lo, hi = (np.array(data[k]) for k in (key, key + "_min", key + "_max"))
        ax.errorbar(h, mean, yerr=[mean - lo, hi - mean], fmt="o", ls=ls, color=color(c), lw=2, capsize=2,
                    label=name)
    ax.axhline(sweep["initial_payoff"], color="grey", ls="--", lw=1, label="reward at the start")
    ax.set_xscale("log")
    ax.set_xticks(h, [str(x) for x in h])
    label(ax, "episode length H (rounds; bars: runs' range)", "after training", "melioration and its control")
    ax.set_ylim(0, 1.1)
    fig.legend(loc="outside lower center", ncol=2, fontsize=7)
    return fig
