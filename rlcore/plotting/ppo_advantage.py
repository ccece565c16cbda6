"""Figures of lesson 03: PPO's advantage split into a reward part and a value part."""

from __future__ import annotations

import numpy as np

from . import color, label, subplots

LAMS = np.linspace(0.0, 1.0, 11)


def training_figure(runs: dict):
    """Left: success from cell 0 over training, one line per run (label -> ChainRun, or a list of seeds).
    Right: the final policy's probability of the correct action in each cell."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    for i, (name, group) in enumerate(runs.items()):
        group = group if isinstance(group, list) else [group]
        steps = group[0].steps
        success = np.array([r.success for r in group])
        for row in success:
            ax1.plot(steps, row, color=color(i), alpha=0.25, lw=0.8)
        ax1.plot(steps, success.mean(0), color=color(i), lw=2, label=f"{name} (mean of {len(group)})")
        cells = np.arange(group[0].config.length - 1)  # the goal cell is terminal: never acted in
        ax2.plot(cells, np.mean([r.p_correct[-1][:-1] for r in group], axis=0), color=color(i), lw=1.8,
                 label=name)
    ax1.set_ylim(-0.03, 1.03)
    label(ax1, "environment steps of training", "success from cell 0 (share of episodes)",
          "reaching the goal from the far end")
    ax1.legend(loc="upper left", fontsize=8)
    ax2.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax2.set_ylim(-0.03, 1.03)
    label(ax2, "cell (the goal is one past the last)", "pi(correct action | cell), last checkpoint",
          "which cells the policy has learned")
    ax2.legend(loc="lower left", fontsize=8)
    return fig


def _segment(run, k: int, parts, n_envs: int = 3):
    """The first ``n_envs`` environments' stretches of checkpoint k's batch, laid end to end."""
    batch = run.result.checkpoints[k].batch
    T = batch["rewards"].shape[0]
    take = lambda a: np.concatenate([a[:, i] for i in range(min(n_envs, a.shape[1]))])  # noqa: E731
    ends = take(batch["terminated"] | batch["truncated"])
    return np.arange(len(ends)), take(parts.reward), take(parts.value), ends, T


def lambda_figure(run, k: int):
    """Across lambda at checkpoint k: the share of timesteps reached by reward (left) and the cosine between
    the full policy gradient and its reward part (right), for raw and batch-normalized advantages."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    for i, normalize in enumerate((False, True)):
        sweep = {name: np.array([run.metrics(k, lam, normalize=normalize)[name] for lam in LAMS])
                 for name in ("reward_reach", "reward_share", "cosine")}
        tag = "normalized A" if normalize else "raw A"
        ax1.plot(LAMS, sweep["reward_reach"], color=color(i), lw=2, ls="-" if not normalize else "--",
                 label=f"timesteps with a reward term ({tag})")
        ax1.plot(LAMS, sweep["reward_share"], color=color(i), lw=1.2, ls=":", marker="o", ms=3,
                 label=f"mean |A^R| / (|A^R| + |A^V|) ({tag})")
        ax2.plot(LAMS, sweep["cosine"], color=color(i), lw=2, ls="-" if not normalize else "--", label=tag)
    ax1.set_ylim(-0.03, 1.03)
    label(ax1, "GAE lambda of the analysed advantage", "share of timesteps (fraction)",
          "how far reward reaches into the advantages")
    ax1.legend(fontsize=7, loc="center right")
    ax2.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax2.set_ylim(-1.03, 1.03)
    label(ax2, "GAE lambda of the analysed advantage", "cosine(g, g from A^R alone)",
          "does the reward part point where PPO steps?")
    ax2.legend(fontsize=8, loc="lower right")
    return fig


def panel_figure(run, stage: int, lam: float, normalize: bool):
    """The panel's 2 x 2 view of one run at one checkpoint, with the advantage analysed at ``lam``."""
    k = min(stage, len(run.steps) - 1)
    m = run.metrics(k, lam, normalize=normalize)
    fig, axes = subplots(2, 2, width=4.6, height=3.0)
    (ax1, ax2), (ax3, ax4) = axes
    # (a) one stretch of the batch: reward part and value part of each timestep's advantage
    x, ar, av, ends, T = _segment(run, k, m["parts"])
    # value part as thin bars from 0, reward part drawn beside it (both as line collections: fast to redraw)
    ax1.vlines(x - 0.2, 0, av, color=color(0), lw=2.2, label="value part A^V")
    ax1.vlines(x + 0.2, 0, ar, color=color(1), lw=2.2, label="reward part A^R")
    ax1.axhline(0, color="black", lw=0.6)
    for e in x[ends]:
        ax1.axvline(e + 0.5, color="grey", lw=0.6, ls=":")
    for j in range(1, len(x) // T):
        ax1.axvline(j * T - 0.5, color="black", lw=0.8)
    label(ax1, f"timestep (3 environments x {T} steps; dotted: episode end)", "advantage (reward units)",
          f"checkpoint {k}: {m['reward_reach']:.1%} of timesteps carry reward")
    ax1.legend(fontsize=7, loc="lower left")
    # (b) across lambda at this checkpoint
    sweep = {name: np.array([run.metrics(k, lv, normalize=normalize)[name] for lv in LAMS])
             for name in ("reward_reach", "cosine")}
    ax2.plot(LAMS, sweep["reward_reach"], color=color(1), lw=2, label="timesteps with a reward term")
    ax2.plot(LAMS, sweep["cosine"], color=color(0), lw=2, label="cosine(g, g^R)")
    ax2.axvline(lam, color="grey", lw=1, ls="--")
    ax2.set_ylim(-1.03, 1.03)
    label(ax2, "GAE lambda (dashed: the one analysed)", "fraction / cosine", "the same batch, other lambdas")
    ax2.legend(fontsize=7, loc="lower right")
    # (c) over training at this lambda
    steps = run.steps
    ax3.plot(steps, run.success, color=color(2), lw=2, label="success from cell 0")
    ax3.plot(steps, run.over_training("reward_reach", lam, normalize), color=color(1), lw=2,
             label="timesteps with a reward term")
    ax3.plot(steps, run.over_training("cosine", lam, normalize), color=color(0), lw=2, label="cosine(g, g^R)")
    ax3.axvline(steps[k], color="grey", lw=1, ls="--")
    ax3.set_ylim(-1.03, 1.03)
    label(ax3, "environment steps of training (dashed: this checkpoint)", "fraction / cosine", "over training")
    ax3.legend(fontsize=7, loc="lower right")
    # (d) the policy and the value head, cell by cell
    cells = np.arange(run.config.length - 1)  # the goal cell is terminal: never acted in
    ax4.plot(cells, run.p_correct[k][:-1], color=color(3), lw=2, label="pi(correct action | cell)")
    ax4.plot(cells, run.values[k][:-1], color=color(0), lw=2, label="V(cell), the value head")
    ax4.set_ylim(-0.1, 1.1)
    label(ax4, "cell (the goal is one past the last)", "probability / value (reward units)",
          "policy and value head at this checkpoint")
    ax4.legend(fontsize=7, loc="upper left")
    return fig
