"""Figures of the level-2 notebook (the fork corridor)."""

from __future__ import annotations

import numpy as np

from ..analysis.ladder import LOCK_THRESHOLD
from ..analysis.ladder_2_model_free import ForkResult, optimal_values, run_fork
from ..envs.ladder_2_fork import LEFT, RIGHT
from . import color, label, subplots

NU_FLOOR = 0.01  #: nu is drawn on a log axis; windows with no visit at all are shown at this floor


def visits_and_outcomes(results: dict[str, ForkResult], bands=None):
    """Left: nu(t), visits to the long branch relative to a random agent (median and 25-75% band over runs;
    the runs split into two groups, so a mean would describe neither).
    Right: per setting, the share of runs that reach the big prize (their epsilon-greedy agent's exact chance, over the
    last window-end tables, above one half) and the share locked in. ``bands`` names the settings whose band is
    drawn (default: all; a setting whose runs split into locked and unlocked has a band spanning the axis)."""
    import textwrap
    fig, (ax1, ax2) = subplots(2, width=4.6)
    for i, (name, res) in enumerate(results.items()):
        t = np.arange(res.nu.shape[1]) * res.window  # nu[0]: the untrained table, before any step
        lo, mid, hi = np.quantile(np.maximum(res.nu, NU_FLOOR), [0.25, 0.5, 0.75], axis=0)
        # distinct dashes and widths: runs locked at the floor share one line, and every setting stays visible
        ax1.plot(t, mid, color=color(i), lw=2.6 - 0.5 * (i % 4), ls=("-", "--", "-.", ":")[i % 4], label=name)
        if bands is None or name in bands:
            ax1.fill_between(t, lo, hi, color=color(i), alpha=0.2, lw=0)
    ax1.axhline(LOCK_THRESHOLD, color="k", ls=":", lw=1, label=f"lock-in threshold {LOCK_THRESHOLD}")
    ax1.set_yscale("log")
    label(ax1, "training step", f"nu(t), median over runs (floor {NU_FLOOR})", "who still explores the branch")
    ax1.legend(fontsize=8, loc="center right")
    names = list(results)
    x = np.arange(len(names))
    left = [results[n].left_rate for n in names]
    locked = [results[n].lock_rate for n in names]
    ax2.bar(x - 0.2, left, 0.4, color=color(2), label="reaches the big prize (G > 1/2)")
    ax2.bar(x + 0.2, locked, 0.4, color=color(1), label="locked in (ν < threshold to the end)")
    for xi, a, b in zip(x, left, locked):
        ax2.text(xi - 0.2, a + 0.02, f"{a:.0%}", ha="center", fontsize=8)
        ax2.text(xi + 0.2, b + 0.02, f"{b:.0%}", ha="center", fontsize=8)
    many = len(names) > 4
    ax2.set_xticks(x, [textwrap.fill(n, 11 if many else 16) for n in names], fontsize=6.5 if many else 8)
    ax2.set_ylim(0, 1.4)
    label(ax2, "setting", "share of runs", f"{results[names[0]].config.runs} runs per setting")
    ax2.legend(fontsize=8, loc="upper center", ncol=1)
    return fig


def corridor_values(result: ForkResult, run: int):
    """Q(s, left) - Q(s, right) along the corridor for one run, beside the same difference under Q*.

    A negative bar on a left-branch cell means the agent would turn back toward the fork there.
    """
    env, learner = result.config.corridor(), result.config.learner()
    q, q_star = result.runs.q[run], optimal_values(env, learner.gamma)
    cells = np.arange(env.n_cells) - env.left_length
    inner = slice(1, env.n_cells - 1)  # the two prize cells are terminal: no action is taken there
    fig, ax = subplots(1, width=6.0, height=3.0)
    ax.bar(cells[inner] - 0.2, (q[:, LEFT] - q[:, RIGHT])[inner], 0.4, color=color(1), label="this agent")
    ax.bar(cells[inner] + 0.2, (q_star[:, LEFT] - q_star[:, RIGHT])[inner], 0.4, color=color(2),
           label="optimal (Q*)")
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0, color="k", ls=":", lw=1)
    ax.text(0.1, ax.get_ylim()[1] * 0.9, "fork", fontsize=8)
    label(ax, "corridor cell (negative = long branch, big prize at the far left)",
          "Q(left) - Q(right) (return units)", "above 0: walk left, below 0: turn back right")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def panel_figure(config, progress=None):
    """Run ``config`` (a ForkExperimentConfig) and draw its nu(t) and outcome shares (for the widget panel)."""
    name = f"p={config.penalty_prob:g}, eps={config.epsilon:g}, Q0={config.q_init:g}"
    return visits_and_outcomes({name: run_fork(config, progress=progress)})


def branch_preferences(named: dict):
    """Mean Q(left) - Q(right) per corridor cell over the locked runs of each named ForkResult (the walk-back)."""
    from ..analysis.ladder_2_model_free import branch_preference

    fig, ax = subplots(1, width=6.4, height=3.2)
    k = len(named)
    for i, (name, res) in enumerate(named.items()):
        env = res.config.corridor()
        cells = np.arange(env.n_cells) - env.left_length
        pref = branch_preference(res)
        inner = slice(1, env.n_cells - 1)
        ax.bar(cells[inner] + (i - (k - 1) / 2) * 0.8 / k, pref[inner], 0.8 / k, color=color(i), label=name)
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0, color="k", ls=":", lw=1)
    label(ax, "corridor cell (0 = fork, big prize at the far left)", "mean Q(left) - Q(right), locked runs",
          "below 0: the agent turns back toward the right")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def grid_panel_figure(grid: dict, lesson_runs: int):
    """The widget's figure: the precomputed result for a :class:`ForkPanelConfig`, same budget as the lesson."""
    def draw(config, progress=None):
        res = grid[(config.penalty, config.small_prize, config.learner)]
        fig = visits_and_outcomes({f"penalty {config.penalty}, prize {config.small_prize}, {config.learner}": res})
        fig.suptitle(f"precomputed: {res.config.runs} runs x {res.config.steps:,} steps, as in the lesson",
                     fontsize=9)
        return fig
    return draw
