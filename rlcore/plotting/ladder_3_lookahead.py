"""Figures of the level-3 notebook (the material duel and the search agent with a shared policy prior)."""

from __future__ import annotations

import numpy as np

from ..analysis.ladder import LOCK_THRESHOLD
from ..analysis.ladder_3_lookahead import DuelResult
from . import color, label, subplots


def _nu_panel(ax, results: dict[str, DuelResult], title: str):
    for i, (name, res) in enumerate(results.items()):
        t = np.concatenate([[0.0], (np.arange(res.nu.shape[1] - 1) + 1.0) * res.window])
        lo, mid, hi = np.quantile(res.nu, [0.25, 0.5, 0.75], axis=0)
        ax.plot(t, mid, color=color(i), lw=1.8, label=name)
        ax.fill_between(t, lo, hi, color=color(i), alpha=0.15, lw=0)
    ax.axhline(LOCK_THRESHOLD, color="k", ls=":", lw=1, label=f"lock-in threshold {LOCK_THRESHOLD}")
    label(ax, "training game (0 = the initial policy)", "nu(t): own sharp-line moves / random's", title)
    ax.set_ylim(-0.05, max(1.7, float(np.nanmax([np.quantile(r.nu, 0.75, axis=0).max() for r in results.values()])) + 0.5))
    ax.legend(fontsize=7, loc="upper center", ncol=2)


def protocol_figure(results: dict[str, DuelResult]):
    """The ladder's protocol figure (same design at every level). Left: nu(t) in expert games (median and
    25-75% band over runs) per condition, with the shared lock-in threshold. Right: mean Delta_G and Delta_R
    per condition (gaps to the true optimum), with the share of runs locked in written above."""
    fig, (ax1, ax2) = subplots(2, width=4.8)
    _nu_panel(ax1, results, "who still plays the sharp line in expert games")
    names = list(results)
    x = np.arange(len(names))
    dg = [np.mean([m.delta_g for m in results[n].metrics]) for n in names]
    dr = [np.mean([m.delta_r for m in results[n].metrics]) for n in names]
    ax2.bar(x - 0.2, dg, 0.4, color=color(2), label="Delta_G (expert win probability)")
    ax2.bar(x + 0.2, dr, 0.4, color=color(1), label="Delta_R (training reward)")
    for xi, a, n in zip(x, dg, names):
        ax2.text(xi, max(a, 0) + 0.03, f"locked {results[n].lock_rate:.0%}", ha="center", fontsize=7)
    ax2.axhline(results[names[0]].g_best, color=color(2), ls="--", lw=1, label="Delta_G of never winning")
    ax2.set_xticks(x, [n.replace(" ", "\n", 1) for n in names], fontsize=7)
    ax2.set_ylim(0, max(0.8, max(dr) + 0.15))
    label(ax2, "condition", "gap to the true optimum", f"{len(results[names[0]].metrics)} runs per condition")
    ax2.legend(fontsize=7, loc="upper right")
    return fig


def depth_figure(results: dict[str, DuelResult], margins: dict[int, float]):
    """The lookahead ablation. Left: share of runs locked in (on nu), share failed (Delta_G > half the best) and
    mean expert win probability G for the model-free control (tabular Q-learning, no search: one table for both
    modes, one per mode) and the search agent at each depth. Right: the novice search's own preference for the
    quiet move at the start (Q(quiet) - Q(sacrifice) with an untrained value)."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    names = list(results)
    x = np.arange(len(names))
    ax1.plot(x, [results[k].lock_rate for k in names], "o", color=color(1), ms=8, label="share locked in (nu)")
    ax1.plot(x, [results[k].failed_rate for k in names], "x", color=color(0), ms=8,
             label="share failed (Delta_G > best/2)")
    ax1.plot(x, [results[k].g_final.mean() for k in names], "s", color=color(2), ms=7, label="expert win probability G")
    ax1.axhline(results[names[0]].g_best, color=color(2), ls="--", lw=1, label="best G")
    ax1.set_xticks(x, [n.replace(", ", ",\n").replace("per mode", "per\nmode") for n in names], fontsize=7)
    ax1.set_ylim(-0.05, 1.1)
    label(ax1, "", "share / probability", "with and without lookahead")
    ax1.legend(fontsize=7, loc="center", bbox_to_anchor=(0.5, 0.7))
    ax2.bar(list(margins), list(margins.values()), color=color(0))
    ax2.set_xticks(list(margins))
    label(ax2, "search depth d", "novice margin for quiet at the start", "what the search sees of the bonus")
    return fig


def sweep_figure(sweep: dict, defaults: dict):
    """The calibration sweep (one knob moved at a time from the defaults, precomputed): share of runs locked in
    (on nu), share failed (Delta_G > half the best) and mean expert win probability G against each knob; the
    lesson's default is marked with a vertical line."""
    res = sweep["results"]
    fig, axes = subplots(len(res), width=3.0, height=2.8)
    for ax, (knob, points) in zip(np.atleast_1d(axes), res.items()):
        xs = np.array([float(v) for v in points])
        ax.plot(xs, [p["lock_in_rate"] for p in points.values()], "o-", color=color(1), label="locked (nu)")
        ax.plot(xs, [p["failed_rate"] for p in points.values()], "x--", color=color(0), label="failed (Delta_G)")
        ax.plot(xs, [p["expert_win_rate"] for p in points.values()], "s-", color=color(2), label="mean G")
        ax.axvline(defaults[knob], color="k", ls=":", lw=1)
        if knob in ("prior_clip", "learning_rate"):
            ax.set_xscale("log")
        ax.set_ylim(-0.05, 1.05)
        names = {"prior_clip": "prior floor c (own attack rate >= c)", "learning_rate": "value step size alpha",
                 "novice_share": "share of novice games", "epsilon": "forced exploration epsilon"}
        label(ax, names.get(knob, knob), "share / probability", f"{sweep['runs']} runs x {sweep['episodes']} games")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    return fig


def shaping_policies(policies: dict[str, np.ndarray], material: int, mate_length: int):
    """The optimal move in every position (rows: pieces given away, columns: attack progress k), one panel
    per reward: dark = sacrifice, light = quiet."""
    fig, axes = subplots(len(policies), width=2.6, height=3.0)
    for ax, (name, pol) in zip(np.atleast_1d(axes), policies.items()):
        grid = np.asarray(pol).reshape(material, mate_length)
        ax.imshow(grid, cmap="Greys", vmin=-0.3, vmax=1.3)
        for (r, c), val in np.ndenumerate(grid):
            ax.text(c, r, "sac" if val else "quiet", ha="center", va="center", fontsize=7,
                    color="w" if val else "k")
        ax.set_xticks(range(mate_length))
        ax.set_yticks(range(material))
        label(ax, "attack progress k", "pieces given away (-m)", name)
    return fig


def cell_figure(name: str, result: DuelResult, reference: DuelResult):
    """The panel's view of one precomputed cell: its nu(t) beside the default's, and its G, Delta_G and
    lock-in share beside the default's."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    _nu_panel(ax1, {"default (depth 2)": reference, name: result} if result is not reference
              else {name: result}, f"{len(result.metrics)} runs, {result.config.episodes} games each")
    rows = {name: result} if result is reference else {"default (depth 2)": reference, name: result}
    x = np.arange(3)
    for i, (n, r) in enumerate(rows.items()):
        vals = [r.g_final.mean(), np.mean([m.delta_g for m in r.metrics]), r.lock_rate]
        off = 0.0 if len(rows) == 1 else (i - 0.5) * 0.4
        ax2.bar(x + off, vals, 0.4, color=color(i), label=n)
        for xi, v in zip(x, vals):
            ax2.text(xi + off, v + 0.02, f"{v:.2f}", ha="center", fontsize=7)
    ax2.set_xticks(x, ["expert win G", "Delta_G", "share locked"])
    ax2.set_ylim(0, 1.15)
    label(ax2, "", "", "the same run as in the lesson (precomputed)")
    ax2.legend(fontsize=7)
    return fig
