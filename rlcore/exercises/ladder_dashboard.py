"""Lesson 14's exercises: the ladder's shared metrics, nu and tau_lock, from a run's visit log.

The references are the protocol's own functions in :mod:`rlcore.analysis.ladder` (:func:`relative_visits`,
:func:`lock_in_time` under the one shared :data:`LOCK_THRESHOLD`), so the exercises stay right whatever the
levels under the dashboard compute.
"""

from __future__ import annotations

import numpy as np

from ..analysis.ladder import LOCK_THRESHOLD, lock_in_time, relative_visits
from . import Case, Exercise, Mistake, register


def tau_lock(nu: np.ndarray, threshold: float, min_tail: int) -> int:
    """tau_lock of one run: the first window t with nu[s] < threshold for every s >= t, provided that final
    stretch is at least ``min_tail`` windows long; -1 when there is none (as ``LadderMetrics.summary`` writes
    it). :func:`rlcore.analysis.ladder.lock_in_time`, with -1 for ``None``."""
    tau = lock_in_time(np.asarray(nu, dtype=np.float64), threshold, min_tail)
    return -1 if tau is None else int(tau)


def _nu_run(rng: np.random.Generator, windows: int, lock_at: int | None) -> np.ndarray:
    """A nu series: healthy (around 1) and noisy before ``lock_at``, near 0 after (None: never locks)."""
    nu = rng.gamma(4.0, 0.25, size=windows)
    if lock_at is not None:
        nu[lock_at:] = rng.uniform(0.0, 0.15, size=windows - lock_at)
        dips = rng.random(lock_at) < 0.3  # dips under the threshold before the lock-in do not count
        nu[:lock_at][dips] = rng.uniform(0.0, 0.15, size=int(dips.sum()))
        if lock_at > 0:
            nu[lock_at - 1] = max(nu[lock_at - 1], 0.5)
    return nu


def _tau_cases(rng: np.random.Generator):
    for windows, lock_at in ((10, 3), (20, 12), (25, None), (40, 1), (16, 0)):
        yield Case(dict(nu=_nu_run(rng, windows, lock_at), threshold=LOCK_THRESHOLD, min_tail=max(1, windows // 5)),
                   f"{windows} windows, " + ("never locks" if lock_at is None else f"locks at window {lock_at}")
                   + f", threshold {LOCK_THRESHOLD}, min_tail {max(1, windows // 5)}")
    yield Case(dict(nu=np.array([1.0, 0.8, 0.05, 0.6, 0.1, 0.0, 0.0, 0.0, 0.1, 0.0]), threshold=0.2, min_tail=2),
               "a dip under the threshold (window 2) before the real lock-in at window 4")
    yield Case(dict(nu=np.array([1.0, 0.05, 0.9, 0.05, 0.05, 0.9, 0.05, 0.05, 0.05, 0.05, 0.9, 0.1, 0.0, 0.0]),
                    threshold=0.2, min_tail=2),
               "dips of 1, 2 and 4 windows (the first at least min_tail = 2 long at window 3, the longest at "
               "window 6) before the real lock-in at window 11")
    yield Case(dict(nu=np.array([1.0, 0.05, 0.05, 0.05, 0.05, 0.9, 0.1, 0.0, 0.0]), threshold=0.2, min_tail=2),
               "a 4-window dip from window 1 that recovers, then the real lock-in at window 6")
    yield Case(dict(nu=np.array([1.0, 0.05, 0.9, 0.1, 0.2, 0.1, 0.0, 0.0]), threshold=0.2, min_tail=2),
               "nu exactly at the threshold in window 4 (at the threshold is not below it)")
    yield Case(dict(nu=np.array([1.2, 0.9, 1.1, 0.8, 0.7, 0.9, 0.05, 0.0]), threshold=0.2, min_tail=2),
               "a final stretch exactly min_tail = 2 windows long (it counts)")
    yield Case(dict(nu=np.array([1.0, 0.05, 0.9, 0.8, 0.6, 0.7, 0.9, 0.02]), threshold=0.2, min_tail=2),
               "dips in window 1 and in the last window, the last shorter than min_tail = 2 (no lock-in)")
    yield Case(dict(nu=np.full(6, 0.05), threshold=0.2, min_tail=2), "nu below the threshold from the start")


def _first_below(nu, threshold, min_tail):
    below = np.flatnonzero(np.asarray(nu) < threshold)
    return int(below[0]) if below.size else -1


def _stretches_below(nu, threshold):
    """(start, length) of every maximal stretch of windows with nu < threshold, in order."""
    below = np.r_[False, np.asarray(nu) < threshold, False].astype(np.int8)
    edges = np.flatnonzero(np.diff(below))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2])]


def _first_long_stretch(nu, threshold, min_tail):
    return next((start for start, n in _stretches_below(nu, threshold) if n >= min_tail), -1)


def _longest_stretch(nu, threshold, min_tail):
    stretches = _stretches_below(nu, threshold)
    if not stretches:
        return -1
    start, n = max(stretches, key=lambda s: s[1])  # the first of the longest
    return start if n >= min_tail else -1


def _never_above_is_never_locked(nu, threshold, min_tail):
    return -1 if np.all(np.asarray(nu) < threshold) else tau_lock(nu, threshold, min_tail)


def _no_tail(nu, threshold, min_tail):
    return tau_lock(nu, threshold, 1)


def _last_above(nu, threshold, min_tail):
    tau = tau_lock(nu, threshold, min_tail)
    return tau - 1 if tau > 0 else tau


def _strict_tail(nu, threshold, min_tail):
    tau = tau_lock(nu, threshold, 1)
    return tau if tau >= 0 and len(nu) - tau > min_tail else -1


def _at_threshold_below(nu, threshold, min_tail):
    return tau_lock(nu, np.nextafter(threshold, 2), min_tail)


tau_exercise = register(Exercise(
    name="tau_lock", lesson="14_ladder_dashboard",
    prompt="tau_lock(nu, threshold, min_tail) -> the first window from which nu stays below threshold to the end "
           "(a stretch of at least min_tail windows), or -1",
    reference=tau_lock,
    cases=_tau_cases,
    none_value=-1,
    none_hint="return -1 when there is no lock-in, not None (the metrics' summaries write it as -1)",
    mistakes=(
        Mistake("first window below", _first_below,
                "nu must STAY below the threshold from tau_lock to the end of training: an early dip that nu "
                "recovers from is not a lock-in. Look for the last window at or above the threshold"),
        Mistake("first stretch of min_tail windows", _first_long_stretch,
                "the stretch must last to the end: a dip of min_tail windows or more that nu recovers from is not "
                "a lock-in. Only the final stretch below the threshold counts"),
        Mistake("longest stretch below", _longest_stretch,
                "the stretch must last to the end: the longest dip is not a lock-in if nu recovers after it. "
                "Only the final stretch below the threshold counts"),
        Mistake("short tail counted", _no_tail,
                "a dip in the last window or two is not a lock-in: the final stretch below the threshold must be "
                "at least min_tail windows long, else return -1"),
        Mistake("off by one (last window above)", _last_above,
                "tau_lock is the window AFTER the last one at or above the threshold, the first of the stretch "
                "below it"),
        Mistake("tail must be longer than min_tail", _strict_tail,
                "a final stretch of exactly min_tail windows counts: use len(nu) - tau >= min_tail"),
        Mistake("below from the start counted as never locked", _never_above_is_never_locked,
                "when nu is below the threshold from the very first window there is no window at or above it, "
                "and the lock-in starts at window 0 (the whole run is the final stretch)"),
        Mistake("at the threshold counts as below", _at_threshold_below,
                "below means nu < threshold: a window with nu equal to the threshold is not below it"),
    ),
))


# --- nu: the agent's own visits relative to a uniform explorer -----------------------------------------------

def own_nu(visits: np.ndarray, forced: np.ndarray, reference_visits: np.ndarray) -> np.ndarray:
    """nu(t) from a visit log: ``visits`` are all visits to N per window (the agent's own and those forced by
    exploration), ``forced`` the forced ones, ``reference_visits`` the uniform explorer's expected visits per
    window. nu = (visits - forced) / reference (:func:`rlcore.analysis.ladder.relative_visits` of the own
    visits): forced exploration is left out, so its floor never decides a lock-in."""
    own = np.asarray(visits, dtype=np.float64) - np.asarray(forced, dtype=np.float64)
    return relative_visits(own, reference_visits)


def _nu_cases(rng: np.random.Generator):
    for runs, windows, ref_kind in ((1, 5, "scalar"), (4, 12, "per window"), (10, 30, "per window"),
                                    (3, 8, "scalar")):
        own = rng.poisson(rng.uniform(0, 20, size=(runs, 1)), size=(runs, windows)).astype(np.float64)
        forced = rng.poisson(2.0, size=(runs, windows)).astype(np.float64)
        ref = float(rng.uniform(5, 15)) if ref_kind == "scalar" else rng.uniform(5, 15, size=windows)
        yield Case(dict(visits=own + forced, forced=forced, reference_visits=ref),
                   f"{runs} runs x {windows} windows, reference {ref_kind}")
    yield Case(dict(visits=np.full((2, 6), 3.0), forced=np.full((2, 6), 3.0), reference_visits=np.full(6, 4.0)),
               "every visit forced by exploration (nu must be 0)")
    yield Case(dict(visits=np.array([[8.0, 4.0, 2.0, 1.0, 0.0]]), forced=np.zeros((1, 5)),
                    reference_visits=np.array([8.0, 8.0, 4.0, 4.0, 2.0])),
               "no forced visits, a reference that changes by window")


nu_exercise = register(Exercise(
    name="own_nu", lesson="14_ladder_dashboard",
    prompt="own_nu(visits, forced, reference_visits) -> nu(t) = the agent's own visits to N in window t "
           "(forced ones left out) / the uniform explorer's, shape of visits",
    reference=own_nu,
    cases=_nu_cases,
    mistakes=(
        Mistake("forced visits counted",
                lambda visits, forced, reference_visits: relative_visits(visits, reference_visits),
                "leave the forced visits out (visits - forced): nu measures what the agent chooses, and the "
                "exploration floor is reported separately"),
        Mistake("ratio upside down",
                lambda visits, forced, reference_visits: np.asarray(reference_visits, dtype=np.float64)
                / np.maximum(np.asarray(visits, dtype=np.float64) - forced, 1e-300),
                "nu is the agent's visits divided by the reference's (1 = visits N as often as a uniform "
                "explorer), not the other way round"),
        Mistake("relative to the first window",
                lambda visits, forced, reference_visits: own_nu(visits, forced, reference_visits)
                / np.maximum(own_nu(visits, forced, reference_visits)[..., :1], 1e-300),
                "normalize by the uniform reference agent, not by the agent's own first window: nu[0] itself "
                "says whether the start is healthy"),
        Mistake("shares of the run's visits",
                lambda visits, forced, reference_visits: (np.asarray(visits, float) - forced)
                / np.maximum((np.asarray(visits, float) - forced).sum(-1, keepdims=True), 1e-300),
                "divide each window's own visits by the reference's visits in that window, not by the run's total"),
    ),
))
