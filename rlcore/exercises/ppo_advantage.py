"""Lesson 03's exercises: generalized advantage estimation, with terminations and truncations kept apart."""

from __future__ import annotations

import numpy as np

from ..analysis.gae import decompose_advantage
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


# --- the advantage split: the part of A that reward carries --------------------------------------------------

def reward_part(rewards, terminated, truncated, gamma, lam) -> np.ndarray:
    """A^R, the reward part of the GAE(lambda) advantage: GAE computed with every value set to 0, i.e. the sum
    of (gamma lambda)^l r_{t+l} up to the end of t's episode (:func:`rlcore.analysis.gae.decompose_advantage`)."""
    zeros = np.zeros_like(np.asarray(rewards, dtype=np.float64))
    return decompose_advantage(rewards, zeros, zeros, terminated, truncated, gamma, lam).reward


def _split_cases(rng: np.random.Generator):
    for t, n, p_end, gamma, lam in ((1, 1, 0.0, 0.9, 0.95), (7, 1, 0.3, 0.99, 0.9), (15, 3, 0.2, 0.9, 0.5),
                                    (40, 4, 0.1, 0.97, 0.95)):
        terminated, truncated = _episode_flags(rng, t, n, p_end)
        rewards = np.where(rng.random((t, n)) < 0.2, rng.normal(size=(t, n)), 0.0)
        yield Case(dict(rewards=rewards, terminated=terminated, truncated=truncated, gamma=gamma, lam=lam),
                   f"T={t} steps x {n} envs, gamma={gamma}, lambda={lam}, sparse rewards, "
                   f"{int(terminated.sum())} terminations, {int(truncated.sum())} truncations")
    t = 12
    rewards, terminated, truncated = np.zeros((t, 2)), np.zeros((t, 2), bool), np.zeros((t, 2), bool)
    rewards[5, 0], terminated[5, 0] = 1.0, True   # a goal reward at the last step of env 0's episode
    rewards[9, 1], truncated[3, 1] = 1.0, True    # env 1: a time-limit cut at t = 3, a reward later
    yield Case(dict(rewards=rewards, terminated=terminated, truncated=truncated, gamma=0.99, lam=0.95),
               "one goal reward at an episode's terminal step (env 0) and one after a truncation (env 1)")
    yield Case(dict(rewards=np.zeros((6, 2)), terminated=np.zeros((6, 2), bool), truncated=np.zeros((6, 2), bool),
                    gamma=0.9, lam=0.9), "every reward zero (the reward part must be zero everywhere)")


def _discounted(rewards, terminated, truncated, gamma, lam, *, cut=True, discount=None):
    done = np.asarray(terminated, bool) | np.asarray(truncated, bool)
    out, carry = np.zeros_like(np.asarray(rewards, dtype=np.float64)), np.zeros_like(rewards[0], dtype=np.float64)
    for t in reversed(range(len(rewards))):
        carry = rewards[t] + (gamma * lam if discount is None else discount) * (np.where(done[t], 0.0, carry)
                                                                                if cut else carry)
        out[t] = carry
    return out


def _future_only(rewards, terminated, truncated, gamma, lam):
    done = np.asarray(terminated, bool) | np.asarray(truncated, bool)
    full = _discounted(rewards, terminated, truncated, gamma, lam)
    later = np.concatenate([full[1:], np.zeros_like(full[:1])], axis=0)
    return gamma * lam * np.where(done, 0.0, later)


split_exercise = register(Exercise(
    name="reward_part", lesson="03_ppo_advantage",
    prompt="reward_part(rewards, terminated, truncated, gamma, lam) -> A^R, the part of the GAE advantage that "
           "reward carries (GAE with every value set to 0), time-first arrays (T, ...)",
    reference=reward_part,
    cases=_split_cases,
    mistakes=(
        Mistake("raw rewards", lambda rewards, **kw: np.asarray(rewards, dtype=np.float64).copy(),
                "A^R at t collects the rewards that follow t in its episode, weighted (gamma lambda)^l, not only "
                "r_t: with sparse rewards that is how a goal reward reaches earlier steps"),
        Mistake("discounted return (gamma only)", lambda **kw: _discounted(**kw, discount=kw["gamma"]),
                "with the values set to 0 each TD error is r_t, and GAE weighs r_{t+l} by (gamma lambda)^l: you "
                "left lambda out (that is the discounted return)"),
        Mistake("sum runs across episodes", lambda **kw: _discounted(**kw, cut=False),
                "stop the sum at the end of each episode (terminated or truncated): a reward of the next episode "
                "is not a consequence of this step"),
        Mistake("cut only at terminations", lambda truncated, **kw: _discounted(
                    truncated=np.zeros_like(np.asarray(truncated, bool)), **kw),
                "a truncation (time limit) also ends the episode in the batch: the rewards after it belong to a new "
                "episode, so cut the sum there too (the value part is what keeps gamma V(s') at a truncation)"),
        Mistake("off by one in time", lambda **kw: _future_only(**kw),
                "A^R at t starts with r_t itself (the TD error at t is r_t + gamma V(s') - V(s)); you began the "
                "sum at r_{t+1}"),
    ),
))
