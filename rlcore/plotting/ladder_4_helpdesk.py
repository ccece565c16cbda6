"""Figures of the level-4 lesson (the two-turn help-desk and its RLHF loop)."""

from __future__ import annotations

import numpy as np

from ..analysis.ladder import LOCK_THRESHOLD
from . import color, label, mean_band, subplots


def the_loop(result):
    """Four panels, mean over runs with a 10-90% band, one point per round: the reward model's predicted
    rating of tool A and tool B in L2 (dotted: the truth); P(offer L1 to an L2 user); P(tool B | answering an
    L2 user in L2); G of L1 and L2 users (dashed: the best achievable)."""
    fig, axes = subplots(4, width=3.3, height=2.9)
    t = np.arange(result.config.rounds)
    mean_band(axes[0], t, [r.rm_a_l2 for r in result.runs], i=6, label="tool A in L2")
    mean_band(axes[0], t, [r.rm_b_l2 for r in result.runs], i=3, label="tool B in L2")
    axes[0].axhline(0.25, color=color(6), ls=":", lw=1)
    axes[0].axhline(0.85, color=color(3), ls=":", lw=1)
    axes[0].set_ylim(0, 1)
    axes[0].legend(loc="center right", fontsize=8)
    label(axes[0], "round", "predicted rating", "what the reward model learns")
    mean_band(axes[1], t, [r.p_offer for r in result.runs], i=2)
    axes[1].set_ylim(-0.02, 1.02)
    label(axes[1], "round", "P(offer L1 | L2 user)", "the planner steers")
    mean_band(axes[2], t, [r.p_tool_b_l2 for r in result.runs], i=3)
    axes[2].set_ylim(-0.02, 1.02)
    label(axes[2], "round", "P(tool B | answer in L2)", "the rare tool")
    mean_band(axes[3], t, [r.gold_l1 for r in result.runs], i=0, label="L1 users")
    mean_band(axes[3], t, [r.gold_l2 for r in result.runs], i=1, label="L2 users")
    axes[3].axhline(0.85, color="0.4", ls="--", lw=1, label="best possible")
    axes[3].set_ylim(0, 1)
    label(axes[3], "round", "G: P(problem solved)", "who is served")
    axes[3].legend(loc="lower left", fontsize=8)
    return fig


def nu_curves(results: dict, floor_of: str | None = None):
    """nu(t) for several conditions (``{name: HelpDeskResult}``), mean with a 10-90% band, on a linear axis,
    with the one lock-in threshold; each legend entry gives the condition's lock-in rate."""
    fig, ax = subplots(1, width=6.4, height=3.4)
    for i, (name, res) in enumerate(results.items()):
        nu = np.array([m.nu for m in res.metrics])
        mean_band(ax, np.arange(nu.shape[1]), nu, i=i, label=f"{name} (locked {res.summary()['lock_in_rate']:.0%})")
    ax.axhline(LOCK_THRESHOLD, color="0.3", ls="--", lw=1, label=f"lock threshold {LOCK_THRESHOLD}")
    ax.set_ylim(bottom=0)
    label(ax, "round", "nu: own L2-in-L2 answers / uniform's", "visits to the neglected region")
    ax.legend(loc="upper right", fontsize=7)
    return fig


def tool_sweep(sweep: dict):
    """Lock-in rate and final P(offer) against the pretrained P(tool B) (log axis), and Delta_G."""
    fig, (ax1, ax2) = subplots(2, width=4.2, height=3.2)
    x = np.asarray(sweep["tool_b_prob"])
    ax1.plot(x, sweep["lock_in_rate"], "o-", color=color(0), label="lock-in rate")
    ax1.plot(x, sweep["final_p_offer"], "s--", color=color(2), label="final P(offer)")
    ax1.set_xscale("log")
    ax1.set_ylim(-0.03, 1.03)
    ax1.legend(fontsize=8)
    label(ax1, "pretrained P(tool B)", "rate", "the preference starts the steering")
    ax2.plot(x, sweep["delta_G"], "o-", color=color(1))
    ax2.set_xscale("log")
    ax2.set_ylim(bottom=0)
    label(ax2, "pretrained P(tool B)", "Delta_G (vs the true optimum)", "the gap")
    return fig


def ridge_tool_grid(grid: dict):
    """Lock-in rate against the pretrained P(tool B), one line per interaction penalty of the reward model."""
    fig, ax = subplots(1, width=4.8, height=3.2)
    x = np.asarray(grid["tool_b_prob"])
    for i, (r, rate) in enumerate(zip(grid["rm_ridge_interaction"], grid["lock_in_rate"])):
        ax.plot(x, rate, "o-", color=color(i), label=f"penalty {r:g}")
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=7, title="interaction", title_fontsize=7)
    label(ax, "pretrained P(tool B)", "lock-in rate", "habit x how the reward model generalizes")
    return fig


def rounds_and_margin(rounds: dict, margin: dict, leave: dict | None = None):
    """Left: lock-in rate and Delta_G against the training budget (``leave``: the same sweep when users who
    decline the offer leave unanswered). Right: default vs coverage control against tool B's true quality in L2."""
    fig, (ax1, ax2) = subplots(2, width=4.2, height=3.2)
    ax1.plot(rounds["rounds"], rounds["lock_in_rate"], "o-", color=color(0), label="lock-in rate (decliners answered)")
    ax1.plot(rounds["rounds"], rounds["delta_G"], "s--", color=color(1), label="Delta_G (decliners answered)")
    if leave is not None:
        ax1.plot(leave["rounds"], leave["lock_in_rate"], "o-", color=color(3), label="lock-in rate (decliners leave)")
        ax1.plot(leave["rounds"], leave["delta_G"], "s--", color=color(4), label="Delta_G (decliners leave)")
    ax1.set_ylim(-0.03, 1.03)
    ax1.legend(fontsize=7)
    label(ax1, "training rounds", "rate / gap", "a delay, or a trap?" if leave is not None else "a delay, not a trap")
    q = margin["quality_b_l2"]
    ax2.plot(q, margin["default_delta_G"], "o-", color=color(0), label="default")
    ax2.plot(q, margin["coverage_delta_G"], "s--", color=color(2), label="coverage control")
    ax2.set_ylim(bottom=0)
    ax2.legend(fontsize=8)
    label(ax2, "tool B's true quality in L2", "Delta_G", "where coverage is enough")
    return fig


def condition_bars(summaries: dict):
    """One bar group per condition: lock-in rate, Delta_G (= Delta_R: ratings are honest), and the reward
    model's underrating of the optimal policy."""
    fig, ax = subplots(1, width=8.0, height=3.4)
    names = list(summaries)
    x = np.arange(len(names))
    keys = [("lock_in_rate", "lock-in rate"), ("delta_G", "Delta_G = Delta_R"),
            ("rm_error_optimum", "reward model's underrating of the optimum")]
    for i, (key, name) in enumerate(keys):
        ax.bar(x + (i - 1) * 0.27, [summaries[n][key] for n in names], width=0.27, color=color(i + 1), label=name)
    ax.set_xticks(x, [n.replace(" ", "\n", 2) for n in names], fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, loc="upper right")
    label(ax, "", "value", "the controls, side by side")
    return fig


def panel_figure(result):
    """The widget's figure: the loop for the chosen settings."""
    return the_loop(result)
