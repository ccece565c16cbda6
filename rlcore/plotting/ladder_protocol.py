"""One figure of the same design for every ladder level: the causal protocol's conditions side by side.

Call :func:`protocol_figure` with the output of :func:`rlcore.analysis.ladder.run_protocol` (or a level's
batched ``protocol_runs``): {condition name: [LadderMetrics per seed]}. Left: nu(t) per condition (median over
seeds, 25-75% band), the shared lock threshold and each condition's forced-exploration floor. Right: per
condition the lock-in rate and the mean Delta_G and Delta_R (as shares of the level's best G and R when
``g_best``/``r_best`` are given, so levels with different units share one axis).
"""

from __future__ import annotations

import numpy as np

from ..analysis.ladder import LOCK_THRESHOLD, lock_in_rate
from . import color, label, subplots

__all__ = ["protocol_figure"]

NU_FLOOR = 0.01  #: nu is drawn on a log axis; windows without any own visit are shown at this floor


def protocol_figure(runs: dict, title: str = "", g_best: float | None = None, r_best: float | None = None,
                    bands=None):
    """nu(t) per condition and the lock-in rate, Delta_G and Delta_R per condition (see the module docstring).

    ``bands`` names the conditions whose 25-75% band is drawn (default: all); a condition whose runs split into
    locked and unlocked groups has a band that spans the whole axis and hides the rest, so it can be left out.
    Each condition's forced-exploration floor is a triangle at the right edge (none when it is 0); windows with
    nu = 0 are drawn at NU_FLOOR (said on the axis)."""
    fig, (ax1, ax2) = subplots(2, width=4.8, height=3.6)
    names = list(runs)
    bands = names if bands is None else list(bands)
    any_floor = False
    for i, name in enumerate(names):
        nu = np.maximum(np.array([m.nu for m in runs[name]]), NU_FLOOR)
        x = np.arange(nu.shape[1])
        lo, mid, hi = np.quantile(nu, [0.25, 0.5, 0.75], axis=0)
        ax1.plot(x, mid, color=color(i), lw=2.6 - 0.4 * (i % 4), ls=("-", "--", "-.", ":")[i % 4],
                 label=name.replace("_", " "))  # distinct dashes: curves at the floor stay visible
        if name in bands:
            ax1.fill_between(x, lo, hi, color=color(i), alpha=0.15, lw=0)
        floor = float(np.mean([m.floor for m in runs[name]]))
        if floor > 0:
            any_floor = True
            ax1.plot([x[-1] + 0.04 * len(x)], [max(floor, NU_FLOOR)], marker="<", ms=8, color=color(i), clip_on=False,
                     ls="none")
    ax1.axhline(LOCK_THRESHOLD, color="k", ls=":", lw=1, label=f"lock threshold {LOCK_THRESHOLD}")
    if any_floor:
        ax1.plot([], [], marker="<", ls="none", color="0.4", label="forced-exploration floor")
    ax1.set_yscale("log")
    unbanded = [n.replace("_", " ") for n in names if n not in bands]
    label(ax1, "training window (0 = the initial policy)", "ν: own visits to N / uniform's",
          f"ν(t): median, middle-half band{' (none: ' + ', '.join(unbanded) + ')' if unbanded else ''};\n"
          f"ν = 0 drawn at {NU_FLOOR}")
    fig.legend(*ax1.get_legend_handles_labels(), fontsize=7, loc="outside lower left", ncol=4)
    x = np.arange(len(names))
    lock = [lock_in_rate(runs[n]) for n in names]
    dg = [np.mean([m.delta_g for m in runs[n]]) / (g_best or 1.0) for n in names]
    dr = [np.mean([m.delta_r for m in runs[n]]) / (r_best or 1.0) for n in names]
    for j, (vals, lab) in enumerate(((lock, "lock-in rate"), (dg, "Δ_G" + (" / G*" if g_best else "")),
                                     (dr, "Δ_R" + (" / R*" if r_best else "")))):
        ax2.bar(x + (j - 1) * 0.27, vals, 0.27, color=color(j + 3), label=lab)
        for xi, v in zip(x, vals):
            ax2.text(xi + (j - 1) * 0.27, v + 0.02, f"{v:.2f}", ha="center", fontsize=6, rotation=90)
    ax2.set_xticks(x, [n.replace("_", "\n") for n in names], fontsize=8)
    label(ax2, "condition", "rate or gap", f"{len(runs[names[0]])} seeds per condition")
    ax2.legend(fontsize=7, loc="upper right")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
