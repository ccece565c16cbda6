"""GAE(lambda) and its split into a reward part and a value part.

Generalized advantage estimation is linear in the rewards and in the value estimates. Within one episode
(and one rollout), with delta_t = r_t + gamma V(s'_t) - V(s_t) (V(s') = 0 after a terminal state),

    A_t = sum_l (gamma lam)^l delta_{t+l}
        = sum_l (gamma lam)^l r_{t+l}                                   (the reward part  A^R_t)
        + sum_l (gamma lam)^l (gamma V(s'_{t+l}) - V(s_{t+l}))          (the value part   A^V_t)

so A = A^R + A^V exactly, and each part is GAE run with the other input set to zero. With lam = 0,
A^R_t = r_t (the one-step TD error of the discussion); with lam = 1 and gamma = 1, A^R_t is the whole return
still to come. :func:`reward_reach` marks the timesteps whose advantage contains at least one non-zero
reward with a non-zero weight (gamma lam)^l: the timesteps that reward touches *directly*.

**Three parts.** The value part mixes two different things. Regrouping its terms by state,

    A^V_t = -V(s_t)                                                     (the baseline part  A^b_t)
          + sum_{l>=1} gamma^l lam^(l-1) (1 - lam) V(s_{t+l}) + (closing bootstrap)   (the bootstrap part A^B_t)

-V(s_t) depends only on the state the action was taken in, so its expected contribution to the policy
gradient, E[-V(s_t) grad log pi(a_t|s_t)], is zero (the baseline of lesson 01); it only changes the variance.
The bootstrap part carries the value of the states the action led to: the credit from the future that the
value head supplies. (The -V(s_{t+l}) with l >= 1 are not baselines for step t, since s_{t+l} depends on a_t;
they combine with the gamma V(s_{t+l}) of the previous term, hence the weights (1 - lam).) With lam = 0,
A^B_t = gamma V(s'_t); with lam = 1 only the closing bootstrap of a truncated episode or a cut rollout is left.
:func:`split_advantage` returns the three parts, computed as A^R, A^V + V(s_t) and -V(s_t).

The recursion itself lives in :func:`rlcore.learners.ppo.compute_gae` (the one PPO trains with);
:func:`gae_bruteforce` is the explicit double sum, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..learners.ppo import compute_gae

__all__ = ["compute_gae", "gae_bruteforce", "AdvantageParts", "decompose_advantage", "reward_reach",
           "normalize_parts", "ThreeParts", "split_advantage"]


def gae_bruteforce(rewards, values, next_values, terminated, truncated, gamma: float, lam: float) -> np.ndarray:
    """A_t = sum_{l=0}^{L_t} (gamma lam)^l delta_{t+l}, written as the explicit sum (O(T^2), for tests).

    L_t stops at the first episode end (terminated or truncated) at or after t, or at the rollout's last step.
    Arrays have time as their first axis; returns A of the same shape.
    """
    r, v, nv = (np.asarray(x, dtype=np.float64) for x in (rewards, values, next_values))
    term = np.asarray(terminated, dtype=bool)
    done = term | np.asarray(truncated, dtype=bool)
    delta = r + gamma * np.where(term, 0.0, nv) - v
    T = len(r)
    adv = np.zeros_like(delta)
    for idx in np.ndindex(*r.shape[1:]):
        for t in range(T):
            total, weight = 0.0, 1.0
            for u in range(t, T):
                total += weight * delta[(u, *idx)]
                if done[(u, *idx)]:
                    break
                weight *= gamma * lam
            adv[(t, *idx)] = total
    return adv


@dataclass(frozen=True)
class AdvantageParts:
    """A = reward + value, arrays of shape (T, ...)."""

    reward: np.ndarray
    value: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.reward + self.value

    def reward_share(self) -> np.ndarray:
        """Per timestep |A^R| / (|A^R| + |A^V|) (0 where both are 0)."""
        denom = np.abs(self.reward) + np.abs(self.value)
        return np.divide(np.abs(self.reward), denom, out=np.zeros_like(denom), where=denom > 0)


def decompose_advantage(rewards, values, next_values, terminated, truncated, gamma: float,
                        lam: float) -> AdvantageParts:
    """Split GAE(lambda) into A^R = GAE(r, V = 0) and A^V = GAE(r = 0, V); returns :class:`AdvantageParts`."""
    zeros = np.zeros_like(np.asarray(rewards, dtype=np.float64))
    reward = compute_gae(rewards, zeros, zeros, terminated, truncated, gamma, lam)
    value = compute_gae(zeros, values, next_values, terminated, truncated, gamma, lam)
    return AdvantageParts(reward, value)


def reward_reach(rewards, terminated, truncated, gamma: float, lam: float) -> np.ndarray:
    """Boolean mask (T, ...): A_t has a term (gamma lam)^l r_{t+l} with r_{t+l} != 0 and a non-zero weight.

    True where r_t != 0, or where gamma lam > 0, t's episode goes on (not done_t) and the mask is True at t + 1.
    """
    nonzero = np.asarray(rewards) != 0
    done = np.asarray(terminated, dtype=bool) | np.asarray(truncated, dtype=bool)
    reach = np.zeros_like(nonzero)
    carry = np.zeros_like(nonzero[0])
    for t in reversed(range(len(nonzero))):
        carry = nonzero[t] | ((gamma * lam > 0) & ~done[t] & carry)
        reach[t] = carry
    return reach


def normalize_parts(parts: AdvantageParts, eps: float = 1e-8) -> AdvantageParts:
    """The split of the normalized advantage (A - mean A) / (std A + eps), over the whole batch.

    Normalization is linear too: the reward part becomes (A^R - mean A^R) / s and the value part
    (A^V - mean A^V) / s with s = std(A) + eps, so the two still add up. Subtracting the batch mean of A^R
    puts a (small) reward term into every timestep.
    """
    s = parts.total.std() + eps
    return AdvantageParts((parts.reward - parts.reward.mean()) / s, (parts.value - parts.value.mean()) / s)


@dataclass(frozen=True)
class ThreeParts:
    """A = reward + bootstrap + baseline, arrays of shape (T, ...) (see the module doc)."""

    reward: np.ndarray
    bootstrap: np.ndarray
    baseline: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.reward + self.bootstrap + self.baseline

    def as_dict(self) -> dict:
        return {"reward": self.reward, "bootstrap": self.bootstrap, "baseline": self.baseline}


def split_advantage(rewards, values, next_values, terminated, truncated, gamma: float, lam: float) -> ThreeParts:
    """A^R = GAE(r, V = 0), baseline A^b_t = -V(s_t), bootstrap A^B = GAE(r = 0, V) + V(s_t)."""
    two = decompose_advantage(rewards, values, next_values, terminated, truncated, gamma, lam)
    v = np.asarray(values, dtype=np.float64)
    return ThreeParts(two.reward, two.value + v, -v)
