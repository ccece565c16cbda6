"""Figures of the deception-timing dynamic program (lesson 01, curriculum item 2)."""

from __future__ import annotations

import numpy as np

from ..analysis.deception_timing import GROWTH_RANGE, MODIFY_RANGE, DeceptionConfig, defection_curve, solve
from . import color, label, subplots


def deception_figure(config: DeceptionConfig):
    """Left: at the config's (g, q), the discounted opportunity gamma^t O(t) and the optimal action at each
    step (shaded: defect). Right: the optimal first defection time counted from the end (horizon - 1 - t*, which
    does not depend on the horizon once the model waits) against g for several q (the config's q bold), with
    the flat-opportunity control at g = 0 and the config's g marked."""
    fig, (ax1, ax2) = subplots(2, width=4.8)
    sol = solve(config)
    t = np.arange(config.horizon)
    ax1.plot(t, config.discount ** t * sol["opportunity"], color=color(0), lw=1.8,
             label="discounted opportunity gamma^t (1+g)^t")
    ax1.set_ylim(0, None)  # after plotting, so the top follows the curve
    ax1.fill_between(t, 0, 1, where=sol["defect"], step="mid", color=color(1), alpha=0.25,
                     transform=ax1.get_xaxis_transform(), label="optimal to defect")
    ax1.axvline(sol["defection_time"], color=color(1), ls="--", lw=1.2,
                label=f"first defection: t = {sol['defection_time']}")
    label(ax1, "step t (no deployment phase: modifiable at every step)", "discounted opportunity",
          f"g = {config.growth:g}, q = {config.modify_prob:g}, gamma = {config.discount:g}")
    ax1.legend(fontsize=7, loc="upper left")
    qs = tuple(sorted(set(MODIFY_RANGE) | {config.modify_prob}))
    curve = defection_curve(config, GROWTH_RANGE, qs)
    last = config.horizon - 1
    for k, q in enumerate(qs):
        bold = q == config.modify_prob
        grey = f"{0.8 - 0.55 * q:.2f}"  # darker grey for a likelier modification
        ax2.step(curve["growths"], last - curve["times"][k], where="mid", lw=2.2 if bold else 1.2,
                 color=color(1) if bold else grey,
                 label=f"q = {q:g}" + (" (this panel)" if bold else ""))
    ax2.plot([0.0], [last - curve["flat"][qs.index(config.modify_prob)]], "s", color=color(2), ms=8,
             label="control: flat opportunities (g = 0)")
    ax2.axhline(last, color="gray", ls=":", lw=0.8)
    ax2.text(0.06, last + 0.5, "= defects at once (t = 0)", fontsize=7, color="gray", ha="left", va="bottom")
    ax2.axvline(config.growth, color="k", ls=":", lw=1, label=f"this panel's g = {config.growth:g}")
    ax2.axvline(1 / config.discount - 1, color=color(0), ls="--", lw=1,
                label=f"(1+g) gamma = 1 (g = {1 / config.discount - 1:.3f})")
    ax2.set_ylim(-1, config.horizon * 1.45)
    label(ax2, "growth rate g of the opportunity", "steps before the end at which it first defects",
          "first defection, counted from the end (horizon - 1 - t)")
    ax2.legend(fontsize=7, loc="upper right")
    return fig
