"""Plot helpers with one consistent style for every lesson.

The palette is Okabe & Ito's colour-blind-safe set. :func:`apply_style` sets matplotlib's defaults once per
notebook; :func:`subplots` makes a figure in that style; :func:`mean_band` draws a mean curve with a band over
seeds; :func:`label` names axes with units. Lesson-specific figures live in submodules of this package.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["PALETTE", "apply_style", "subplots", "label", "mean_band", "color"]

#: Okabe-Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
PALETTE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
_CYCLE = [PALETTE[i] for i in (5, 6, 3, 1, 7, 2, 0, 4)]


def color(i: int) -> str:
    """The i-th colour of the collection's cycle (blue, vermillion, green, orange, purple, ...)."""
    return _CYCLE[i % len(_CYCLE)]


def apply_style() -> None:
    """Set the collection's matplotlib defaults: palette, grid, readable font sizes, no top/right spines."""
    mpl.rcParams.update({
        "axes.prop_cycle": mpl.cycler(color=_CYCLE),
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
        "figure.dpi": 100, "savefig.dpi": 100, "font.size": 10, "axes.titlesize": 11,
        "legend.frameon": False, "figure.autolayout": False,
    })


def subplots(ncols: int = 1, nrows: int = 1, width: float = 4.2, height: float = 3.2, **kwargs):
    """``plt.subplots`` in the collection's style, sized per panel; returns ``(fig, axes)``."""
    apply_style()
    kwargs.setdefault("constrained_layout", True)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), **kwargs)
    return fig, axes


def label(ax, x: str, y: str, title: str | None = None) -> None:
    """Label both axes (include units in the strings, e.g. "pulls (steps)") and optionally the title."""
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if title:
        ax.set_title(title)


def mean_band(ax, x: np.ndarray, runs: np.ndarray, label: str | None = None, i: int = 0,
              band: str = "quantile") -> None:
    """Plot the mean over runs (axis 0) of ``runs`` against ``x`` with a band.

    ``band="quantile"``: the 10th-90th percentile across runs; ``"sem"``: mean +- 1 standard error.
    """
    runs = np.atleast_2d(np.asarray(runs, dtype=np.float64))
    mean = runs.mean(axis=0)
    if band == "sem":
        half = runs.std(axis=0, ddof=1) / np.sqrt(len(runs)) if len(runs) > 1 else np.zeros_like(mean)
        lo, hi = mean - half, mean + half
    else:
        lo, hi = np.quantile(runs, [0.1, 0.9], axis=0)
    ax.plot(x, mean, color=color(i), label=label, lw=1.8)
    ax.fill_between(x, lo, hi, color=color(i), alpha=0.2, lw=0)
