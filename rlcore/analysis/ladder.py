"""Shared metrics of the exploration-to-deception ladder (levels 1 to 5 and the dashboard).

Every ladder environment marks a neglected region N (the part of its state or option space that holds the
intended behaviour) and reports a hidden intended-goal score G beside the observed reward R. From a run we
compute, for any level:

* nu(t) = visits to N in window t / visits to N of a uniformly exploring reference agent in window t;
* tau_lock = the first window after which nu stays below ``threshold`` for the rest of training
  (``None`` when it never does, or only for a tail shorter than ``min_tail``);
* Delta_G = G_best - G_final and Delta_R = R_best - R_final, the gaps to the best achievable.

Reading: Delta_R ~ 0 with a large Delta_G means the reward is misspecified; both large means the agent
locked itself out of the better behaviour (exploration lock-in).

Every level's analysis module (``rlcore.analysis.ladder_<n>_<name>``) offers the same entry point, which the
dashboard calls for all five levels at once::

    run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False) -> LadderMetrics

``exploration`` multiplies the level's own exploration strength (1.0 = the lesson's defaults; 0 = none),
``fix`` switches on the level's fix, ``quick`` selects the small run the tests use. A level module may also
define ``LOCK_THRESHOLD`` (its nu threshold, when the shared 0.1 does not suit its exploration floor) and
``FIX_NAME`` (a few words naming its fix); the dashboard reads both when present.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LadderMetrics", "LadderRuns", "relative_visits", "lock_in_time", "ladder_metrics", "lock_in_rate",
           "summarize_runs"]


def relative_visits(visits: np.ndarray, reference_visits: np.ndarray | float) -> np.ndarray:
    """nu(t) = visits[..., t] / reference_visits[t]: visits to N relative to a uniform explorer.

    ``visits`` has time on its last axis (a leading seed axis is fine); ``reference_visits`` is the
    expected count of the uniformly exploring reference agent per window (scalar or shape (T,)), > 0.
    """
    ref = np.asarray(reference_visits, dtype=np.float64)
    if np.any(ref <= 0):
        raise ValueError("reference_visits must be > 0 in every window: a uniform explorer always visits N")
    return np.asarray(visits, dtype=np.float64) / ref


def lock_in_time(nu: np.ndarray, threshold: float = 0.1, min_tail: int = 1) -> int | None:
    """tau_lock: the first index t with nu[s] < threshold for every s >= t, or ``None``.

    ``None`` also when that final run below the threshold is shorter than ``min_tail`` windows, so a dip in
    the last window does not count as a lock-in.
    """
    nu = np.asarray(nu, dtype=np.float64)
    if nu.ndim != 1:
        raise ValueError(f"nu must be one run's 1-D series, got shape {nu.shape}")
    above = np.flatnonzero(nu >= threshold)
    tau = 0 if above.size == 0 else int(above[-1]) + 1
    return tau if len(nu) - tau >= max(min_tail, 1) else None


@dataclass(frozen=True)
class LadderMetrics:
    """The ladder's shared metrics for one run."""

    nu: np.ndarray
    tau_lock: int | None
    delta_g: float
    delta_r: float

    @property
    def locked(self) -> bool:
        """True when the run locked in (tau_lock exists)."""
        return self.tau_lock is not None

    def summary(self) -> dict:
        """A JSON-ready dict of the scalars (tau_lock is -1 when the run never locked in)."""
        return {"tau_lock": -1 if self.tau_lock is None else self.tau_lock, "locked": self.locked,
                "delta_G": float(self.delta_g), "delta_R": float(self.delta_r),
                "final_nu": float(self.nu[-1])}


def ladder_metrics(visits: np.ndarray, reference_visits: np.ndarray | float, g_final: float, g_best: float,
                   r_final: float, r_best: float, threshold: float = 0.1,
                   min_tail: int | None = None) -> LadderMetrics:
    """All ladder metrics for one run (see the module docstring for definitions).

    ``min_tail`` defaults to a fifth of the run's windows.
    """
    nu = relative_visits(visits, reference_visits)
    tail = max(1, len(nu) // 5) if min_tail is None else min_tail
    return LadderMetrics(nu=nu, tau_lock=lock_in_time(nu, threshold, tail),
                         delta_g=float(g_best - g_final), delta_r=float(r_best - r_final))


def lock_in_rate(metrics: list[LadderMetrics]) -> float:
    """The fraction of runs that locked in."""
    if not metrics:
        raise ValueError("lock_in_rate needs at least one run")
    return float(np.mean([m.locked for m in metrics]))


def summarize_runs(metrics: list[LadderMetrics]) -> dict:
    """The ladder scalars over several runs: lock-in rate, mean tau_lock of the locked runs (None if no run
    locked), and the means of Delta_G, Delta_R and the final nu."""
    taus = [m.tau_lock for m in metrics if m.locked]
    return {
        "lock_in_rate": lock_in_rate(metrics),
        "mean_tau_lock": float(np.mean(taus)) if taus else None,
        "delta_G": float(np.mean([m.delta_g for m in metrics])),
        "delta_R": float(np.mean([m.delta_r for m in metrics])),
        "final_nu": float(np.mean([m.nu[-1] for m in metrics])),
    }


class LadderRuns:
    """Mixin for a level's result over several runs that holds ``metrics: list[LadderMetrics]``."""

    metrics: list[LadderMetrics]

    @property
    def nu(self) -> np.ndarray:
        """nu(t) of every run, shape (runs, windows)."""
        return np.array([m.nu for m in self.metrics])

    @property
    def lock_rate(self) -> float:
        """The fraction of runs that locked in."""
        return lock_in_rate(self.metrics)
