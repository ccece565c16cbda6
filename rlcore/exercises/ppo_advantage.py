"""Lesson 03's exercises: generalized advantage estimation, with terminations and truncations kept apart."""

from __future__ import annotations

import numpy as np

from ..learners.ppo import compute_gae
from . import Case, Exercise, Mistake, register


def _episode_flags(rng: np.random.Generator, t: int, n: int, p_end: float) -> tuple[np.ndarray, np.ndarray]:
    ends = rng.random((t, n)) < p_end
    truncated = ends & (rng.random((t, n)) < 0.4)
    return ends & ~truncated, truncated


def _cases(rng: np.random.Generator):
    for t, n, p_end, gamma, lam in ((1, 1, 0.0, 0.9, 0.95), (6, 1, 0.3, 0.99, 0.9), (12, 3, 0.25, 0.9, 0.5),
                                    (30, 4, 0.1, 0.97, 1.0), (8, 2, 0.3, 0.95, 0.0)):
        terminated, truncated = _episode_flags(rng, t, n, p_end)
        rewards = np.where(rng.random((t, n)) < 0.3, rng.normal(size=(t, n)), 0.0)  # mostly zero, as in sparse tasks
        yield Case(dict(rewards=rewards, values=rng.normal(size=(t, n)), next_values=rng.normal(size=(t, n)),
                        terminated=terminated, truncated=truncated, gamma=gamma, lam=lam),
                   f"T={t} steps x {n} envs, gamma={gamma}, lambda={lam}, "
                   f"{int(terminated.sum())} terminations, {int(truncated.sum())} truncations")
    t, n = 10, 2
    terminated = np.zeros((t, n), bool)
    truncated = np.zeros((t, n), bool)
    terminated[4, 0] = True
    truncated[6, 1] = True
    yield Case(dict(rewards=np.zeros((t, n)), values=rng.normal(size=(t, n)), next_values=rng.normal(size=(t, n)),
                    terminated=terminated, truncated=truncated, gamma=0.9, lam=0.8),
               "all rewards zero, one termination at t=4 (env 0) and one truncation at t=6 (env 1)")


def _gae_variant(rewards, values, next_values, terminated, truncated, gamma, lam, *, bootstrap_terminal=False,
                 truncation_terminates=False, cut_at_done=True, sign=1.0):
    term = np.asarray(terminated, bool) | (np.asarray(truncated, bool) if truncation_terminates else False)
    done = np.asarray(terminated, bool) | np.asarray(truncated, bool)
    boot = next_values if bootstrap_terminal else np.where(term, 0.0, next_values)
    delta = sign * (rewards + gamma * boot - values)
    adv, last = np.zeros_like(delta, dtype=np.float64), np.zeros_like(delta[0], dtype=np.float64)
    for t in reversed(range(len(delta))):
        last = delta[t] + gamma * lam * (np.where(done[t], 0.0, last) if cut_at_done else last)
        adv[t] = last
    return adv


def _shifted_values(rewards, values, next_values, terminated, truncated, gamma, lam):
    """Bootstrapping from V(s_{t+1}) read off the values array (off by one; wrong across episode ends)."""
    nxt = np.concatenate([values[1:], next_values[-1:]], axis=0)
    return compute_gae(rewards, values, nxt, terminated, truncated, gamma, lam)


gae = register(Exercise(
    name="gae", lesson="03_ppo_advantage",
    prompt="gae(rewards, values, next_values, terminated, truncated, gamma, lam) -> GAE(lambda) advantages, "
           "time-first arrays (T, ...), as rlcore.learners.ppo.compute_gae",
    reference=compute_gae,
    cases=_cases,
    mistakes=(
        Mistake("terminal bootstraps",
                lambda **kw: _gae_variant(**kw, bootstrap_terminal=True),
                "a terminal state has no future: when terminated[t], delta_t = r_t - V(s_t) (drop gamma V(s'))"),
        Mistake("truncation treated as termination",
                lambda **kw: _gae_variant(**kw, truncation_terminates=True),
                "a truncated episode (time limit) did not end in a terminal state: keep gamma V(s') in delta_t "
                "there; only stop the recursion A_{t+1} at the cut"),
        Mistake("recursion not cut at episode ends",
                lambda **kw: _gae_variant(**kw, cut_at_done=False),
                "the sum must stop at the end of each episode: multiply the carried A_{t+1} by (1 - done_t), "
                "done = terminated or truncated"),
        Mistake("sign flipped", lambda **kw: _gae_variant(**kw, sign=-1.0),
                "the TD error is r + gamma V(s') - V(s), not V(s) - r - gamma V(s')"),
        Mistake("lambda left out", lambda **kw: compute_gae(**{**kw, "lam": 1.0}),
                "the carried advantage is discounted by gamma * lambda, not gamma alone"),
        Mistake("gamma left out of the recursion",
                lambda **kw: compute_gae(**{**kw, "gamma": 1.0}) if kw["gamma"] != 1.0 else None,
                "discount with gamma both in delta_t and in the recursion"),
        Mistake("off by one in time", _shifted_values,
                "use next_values[t] = V(s'_t), the state after step t, rather than values[t + 1]: they differ "
                "wherever an episode ended at t"),
    ),
))
