"""A tabular softmax policy in numpy with its closed-form score function.

For logits ``theta`` the policy is ``pi_a = exp(theta_a) / sum_b exp(theta_b)`` and the score function is
``grad_theta log pi_a = onehot(a) - pi`` (the identity REINFORCE is built on).
"""

from __future__ import annotations

import numpy as np

__all__ = ["softmax", "score_function", "sample_actions"]


def softmax(logits: np.ndarray) -> np.ndarray:
    """``exp(l - max l) / sum exp(l - max l)`` along the last axis (numerically stable)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def score_function(logits: np.ndarray, actions: np.ndarray | int) -> np.ndarray:
    """``grad_theta log pi(a)`` = ``onehot(a) - pi``; batched over a leading axis of ``actions``."""
    pi = softmax(logits)
    actions = np.asarray(actions)
    onehot = np.zeros(actions.shape + pi.shape[-1:])
    np.put_along_axis(onehot, actions[..., None], 1.0, axis=-1)
    return onehot - pi


def sample_actions(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One action per row of ``probs`` (shape (..., K)) by inverse-CDF sampling with one uniform each.

    Returns integer actions of shape ``probs.shape[:-1]``: a = #{k : cumsum(pi)_k <= u}, u ~ U(0, 1).
    """
    probs = np.asarray(probs, dtype=np.float64)
    u = rng.random(probs.shape[:-1])
    actions = (np.cumsum(probs, axis=-1) <= u[..., None]).sum(axis=-1)
    return np.minimum(actions, probs.shape[-1] - 1)
