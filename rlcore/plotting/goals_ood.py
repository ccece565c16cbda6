"""Figures of lesson 06 (goals out of distribution)."""

from __future__ import annotations

import numpy as np

from . import color, label, subplots

REF_STYLE = {"untrained (uniform)": ":", "scripted runner, ignores coins": "--", "scripted coin seeker": "-."}


def coin_figure(sweep: dict, highlight: float | None = None):
    """Left: the coin moved to a ledge; coin, end and death rates against the training share (dots: runs).
    Right: the coin at the end, as in training. Grey lines: the references' coin rates."""
    fig, axes = subplots(2, width=4.6)
    shares = np.array(sweep["shares"])
    x = np.arange(len(shares))
    for ax, placement, title in ((axes[0], "ledge", "test: coin moved to a ledge"),
                                 (axes[1], "end", "test: coin at the end (as in training)")):
        for i, (metric, name) in enumerate((("coin", "got the coin (goal)"), ("end", "reached the end"),
                                            ("died", "fell into a pit"))):
            per_run = np.array([sweep["learned"][s][f"{placement}_{metric}"] for s in shares])
            ax.plot(x, per_run.mean(1), "o-", color=color(i), lw=2, label=name)
            for j in range(len(shares)):
                ax.plot(np.full(per_run.shape[1], x[j]) + 0.08 * (i - 1), per_run[j], ".", color=color(i),
                        alpha=0.35, ms=4)
        for ref, style in REF_STYLE.items():
            ax.axhline(sweep["references"][ref][f"{placement}_coin"], color="grey", ls=style, lw=1,
                       label=f"coin rate: {ref}")
        if highlight is not None and float(highlight) in [float(s) for s in shares]:
            ax.axvspan(list(shares).index(float(highlight)) - 0.3, list(shares).index(float(highlight)) + 0.3,
                       color=color(4), alpha=0.12, lw=0)
        ax.set_xticks(x, [f"{s:.0%}" for s in shares])
        ax.set_ylim(-0.03, 1.03)
        label(ax, "training levels with the coin elsewhere", "share of test levels", title)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[1].legend(handles, labels, fontsize=7, loc="center")  # the right panel's middle is empty
    return fig


NAMES = {"cue-follower": "cue-follower (trained on aligned games)",
         "rule-inferrer": "rule-inferrer (trained with some uncued games)", "uniform": "uniform picker"}


def doors_figure(result: dict):
    """Success against the number of picks allowed (1 = no feedback), per kind of test game."""
    fig, axes = subplots(3, width=3.6)
    budgets = result["budgets"]
    for ax, kind in zip(axes, ("aligned", "misleading", "arbitrary")):
        for i, agent in enumerate(("cue-follower", "rule-inferrer", "uniform")):
            s = result["success"][agent][kind]
            ax.errorbar(budgets + 0.05 * (i - 1), s.mean(0), yerr=[s.mean(0) - s.min(0), s.max(0) - s.mean(0)],
                        fmt="o-", color=color(i), lw=2 if i < 2 else 1, capsize=2, label=NAMES[agent])
        ax.plot(budgets, result["chance"], color="grey", ls="--", lw=1, label="chance, no repeats: k/doors")
        ax.set_xticks(budgets)
        ax.set_ylim(-0.03, 1.03)
        dist = result["distance"][kind].mean()
        title = f"{kind} games (policy distance {dist:.2f})"
        if kind == "arbitrary":
            title = f"arbitrary: every policy at k/doors\n(an identity; policy distance {dist:.2f})"
        label(ax, "picks allowed (k > 1: reward feedback)", "share of games won", title)
    axes[0].legend(fontsize=7, loc="lower right")
    return fig


def representation_figure(separate: dict, shared: dict, share: float = 0.0):
    """Runners trained with every coin at the end (training share ``share``), two coin representations side
    by side: coin, end and death rates on moved-coin levels and the coin rate in distribution (dots: runs)."""
    fig, axes = subplots(1, width=6.4)
    ax = axes[0] if hasattr(axes, "__len__") else axes
    metrics = (("ledge_coin", "moved coin:\ngot it (goal)"), ("ledge_end", "moved coin:\nreached the end"),
               ("ledge_died", "moved coin:\nfell"), ("end_coin", "coin at the end:\ngot it"))
    x = np.arange(len(metrics))
    for i, (sweep, name) in enumerate(((separate, "feature 'coin on the ledge above' (never on in training)"),
                                       (shared, "feature 'coin in my cell' (on next to every training coin)"))):
        m = sweep["learned"][float(share)]
        means = [m[k].mean() for k in dict(metrics)]
        ax.bar(x + 0.2 * (2 * i - 1), means, width=0.38, color=color(i), alpha=0.8, label=name)
        for j, k in enumerate(dict(metrics)):
            ax.plot(np.full(len(m[k]), x[j] + 0.2 * (2 * i - 1)), m[k], ".", color="k", ms=3, alpha=0.5)
    ax.set_xticks(x, [t for _, t in metrics], fontsize=8)
    ax.set_ylim(0, 1.4)
    ax.set_yticks(np.linspace(0, 1, 6))
    label(ax, "", "share of test levels", f"trained with {share:.0%} of coins elsewhere: two representations")
    ax.legend(fontsize=7, loc="upper center")
    return fig


def doors_sweep_figure(sweep: dict):
    """Expected picks to win a misleading game (a failed door is not opened again) against the number of
    doors, for both agents, beside the uninformed picker's (doors + 1) / 2 and the ideal 1."""
    fig, axes = subplots(1, width=4.8)
    ax = axes[0] if hasattr(axes, "__len__") else axes
    doors = np.array(sweep["doors"])
    for i, agent in enumerate(("cue-follower", "rule-inferrer")):
        ax.plot(doors, sweep[agent]["picks"], "o-", color=color(i), lw=2, label=NAMES[agent])
    ax.plot(doors, sweep["chance_picks"], color="grey", ls="--", lw=1, label="no information: (doors + 1) / 2")
    ax.axhline(1.0, color="grey", ls=":", lw=1, label="ideal: 1 pick")
    ax.set_xticks(doors)
    ax.set_ylim(0.8, None)
    label(ax, "doors per game", "expected picks to win", "misleading games, with feedback")
    ax.legend(fontsize=7, loc="upper left")
    return fig
