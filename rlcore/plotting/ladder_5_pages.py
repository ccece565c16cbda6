"""Figures of the level-5 lesson (the browser that keeps a gap in its knowledge)."""

from __future__ import annotations

import numpy as np

from ..analysis.ladder import LOCK_THRESHOLD
from . import color, label, mean_band, subplots


def blind_spot(result):
    """Four panels over sessions, mean over runs with a 10-90% band: the belief that topic 3 is harmful;
    nu per window; knowledge of the other topics and of topic 3; the learned value of a page of each."""
    fig, axes = subplots(4, width=3.3, height=2.9)
    s = np.arange(result.config.sessions)
    warn = np.mean([r.warning_session for r in result.runs])
    mean_band(axes[0], s, [r.belief for r in result.runs], i=6)
    axes[0].set_ylim(-0.02, 1.02)
    label(axes[0], "session", "P(topic 3 is harmful)", "the belief")
    nu = np.array([m.nu for m in result.metrics])
    w = result.config.window
    mean_band(axes[1], np.arange(nu.shape[1]) * w + w / 2, nu, i=2)
    axes[1].axhline(LOCK_THRESHOLD, color="0.3", ls="--", lw=1)
    axes[1].set_ylim(bottom=0)
    label(axes[1], "session", "nu: own deep reads / uniform's", "visits to the avoided topic")
    k = np.array([r.knowledge for r in result.runs])
    mean_band(axes[2], s, k[:, :, :3].mean(axis=2), i=3, label="other topics")
    mean_band(axes[2], s, k[:, :, 3], i=6, label="topic 3")
    axes[2].set_ylim(0, 1)
    axes[2].legend(loc="lower right", fontsize=8)
    label(axes[2], "session", "knowledge", "what it knows")
    v = np.array([r.values for r in result.runs])
    mean_band(axes[3], s, v[:, :, :3].mean(axis=2), i=3, label="other topics")
    mean_band(axes[3], s, v[:, :, 3], i=6, label="topic 3")
    axes[3].set_ylim(0, 1.02)
    axes[3].legend(loc="upper right", fontsize=8)
    label(axes[3], "session", "learned value of a page", "what it expects to learn")
    for ax in axes:
        ax.axvline(warn, color="0.5", lw=0.8, ls=":")
    return fig


def nu_curves(results: dict):
    """nu per window for several conditions (``{name: PagesResult}``) on a linear axis, with the one
    lock-in threshold; each legend entry gives the condition's lock-in rate."""
    fig, ax = subplots(1, width=6.4, height=3.4)
    for i, (name, res) in enumerate(results.items()):
        nu = np.array([m.nu for m in res.metrics])
        w = res.config.window
        mean_band(ax, np.arange(nu.shape[1]) * w + w / 2, nu, i=i,
                  label=f"{name} (locked {res.summary()['lock_in_rate']:.0%})")
    ax.axhline(LOCK_THRESHOLD, color="0.3", ls="--", lw=1, label=f"lock threshold {LOCK_THRESHOLD}")
    ax.set_ylim(bottom=0)
    label(ax, "session", "nu: own deep reads / uniform's", "visits to the avoided topic")
    ax.legend(loc="upper right", fontsize=7)
    return fig


def condition_bars(summaries: dict):
    """One bar group per condition: lock-in rate, Delta_G (= Delta_R), final knowledge of topic 3."""
    fig, ax = subplots(1, width=8.4, height=3.4)
    names = list(summaries)
    x = np.arange(len(names))
    keys = [("lock_in_rate", "lock-in rate"), ("delta_G", "Delta_G = Delta_R (per read)"),
            ("knowledge_avoided_end", "final knowledge of topic 3")]
    for i, (key, name) in enumerate(keys):
        ax.bar(x + (i - 1) * 0.27, [summaries[n][key] for n in names], width=0.27, color=color(i + 1), label=name)
    ax.set_xticks(x, [n.replace(", ", ",\n").replace(" (", "\n(") for n in names], fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, loc="upper right")
    label(ax, "", "value", "the controls, side by side")
    return fig


def harm_sweep(sweep: dict):
    """Lock-in rate of each planner (no option to block, no exploration) against the softmax temperature, one panel
    per feared harm of a deep page."""
    harms, temps = sweep["harm_deep"], np.asarray(sweep["temperature"])
    planners = [k for k in sweep if k not in ("harm_deep", "temperature")]
    fig, axes = subplots(len(harms), width=3.4, height=3.0, squeeze=False)
    for j, (ax, h) in enumerate(zip(axes[0], harms)):
        for i, planner in enumerate(planners):
            rate = [row[j] for row in sweep[planner]["lock_in_rate"]]
            ax.plot(temps, rate, "o-" if i == 0 else "s--", color=color(i + 5), label=planner)
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        label(ax, "softmax temperature", "lock-in rate" if j == 0 else "", f"feared harm {h:g}")
    axes[0][0].legend(fontsize=8)
    return fig


def block_cost_sweep(sweep: dict):
    """Two panels against the cost of blocking (log axis): the share of runs whose planner chose to block topic
    3, and the lock-in rate, one line per planner."""
    costs = np.asarray(sweep["block_cost"])
    planners = [k for k in sweep if k != "block_cost"]
    fig, axes = subplots(2, width=3.6, height=3.0)
    for i, planner in enumerate(planners):
        for ax, key in zip(axes, ("blocked_share", "lock_in_rate")):
            ax.plot(costs, sweep[planner][key], "o-" if i == 0 else "s--", color=color(i + 5), label=planner)
    for ax, (y, title) in zip(axes, (("share of runs that blocked", "the choice to block"),
                                     ("lock-in rate", "the lock-in"))):
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        label(ax, "cost of blocking (a new page pays 1)", y, title)
    axes[0].legend(fontsize=8)
    return fig


def references(refs: dict, summaries: dict):
    """nu's calibration: mean nu over the run (log axis, floored at 0.01 so that 0 shows) and lock-in rate of
    the trivial references beside the lesson's main conditions."""
    names = list(refs) + list(summaries)
    rows = [refs.get(n) or summaries[n] for n in names]
    fig, axes = subplots(2, width=4.4, height=3.2)
    y = np.arange(len(names))
    cols = [color(0) if n in refs else color(2) for n in names]
    axes[0].barh(y, [max(r.get("mean_nu", r["final_nu"]), 0.01) for r in rows], color=cols)
    axes[0].set_xscale("log")
    axes[0].axvline(LOCK_THRESHOLD, color="0.3", ls="--", lw=1)
    axes[0].axvline(1.0, color="0.6", ls=":", lw=1)
    axes[0].set_yticks(y, names, fontsize=7)
    axes[0].invert_yaxis()
    label(axes[0], "nu (references: mean over the run; conditions: last window)", "", "visits to the deep pages")
    axes[1].barh(y, [r["lock_in_rate"] for r in rows], color=cols)
    axes[1].set_yticks(y, [""] * len(names))
    axes[1].invert_yaxis()
    axes[1].set_xlim(0, 1.02)
    label(axes[1], "lock-in rate", "", "locked in")
    return fig


def panel_figure(result):
    """The widget's figure: the blind spot for the chosen settings."""
    return blind_spot(result)


def temperature_table(table: dict):
    """Two panels against the softmax temperature of the agents' choices (log axis): the share of runs that chose
    to block topic 3, and the lock-in rate, one line per agent (dashed: the agents that value the block with
    their own choice noise; lines offset by up to 0.05 so that overlapping ones stay visible)."""
    temps = np.asarray(table["temperature"])
    agents = [k for k in table if k != "temperature"]
    fig, axes = subplots(2, width=3.8, height=3.0)
    for i, agent in enumerate(agents):
        style = "--" if "own-noise" in agent else "-"
        for ax, key in zip(axes, ("blocked_share", "lock_in_rate")):
            jitter = 0.015 * (i - len(agents) / 2)
            ax.plot(temps, np.asarray(table[agent][key]) + jitter, "o" + style, color=color(i), label=agent, ms=4)
    for ax, (y, title) in zip(axes, (("share of runs that blocked", "who blocks"), ("lock-in rate", "who locks in"))):
        ax.set_xscale("log")
        ax.set_ylim(-0.06, 1.06)
        label(ax, "temperature of the agent's choices", y, title)
    axes[1].legend(fontsize=7)
    return fig


def block_band(band: dict):
    """The share of runs that chose to block, on the grid forced exploration x cost of blocking, one heat map
    per planner (numbers in the cells)."""
    costs, explores = band["block_cost"], band["explore"]
    planners = [k for k in band if k not in ("block_cost", "explore")]
    fig, axes = subplots(len(planners), width=3.4, height=2.9)
    for ax, planner in zip(np.atleast_1d(axes), planners):
        grid = np.asarray(band[planner]["blocked_share"], dtype=float)
        ax.imshow(grid, vmin=0, vmax=1, cmap="Blues", origin="lower", aspect="auto")
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=8, color="white" if v > 0.5 else "black")
        ax.set_xticks(range(len(costs)), [f"{c:g}" for c in costs])
        ax.set_yticks(range(len(explores)), [f"{e:g}" for e in explores])
        label(ax, "cost of blocking", "forced exploration", f"{planner}: share that blocked")
    return fig
