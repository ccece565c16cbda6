"""Exact quantities for softmax policies on bandits.

J(theta) = sum_a pi_a(theta) mu_a is the expected reward of one pull, and its exact gradient with respect
to the logits is  grad J = pi * (mu - J)  (elementwise), the expectation of r * (onehot(a) - pi).
"""

from __future__ import annotations

import numpy as np

from ..learners.softmax import softmax

__all__ = ["expected_reward", "exact_gradient", "regret_curve"]


def expected_reward(probs: np.ndarray, means: np.ndarray) -> np.ndarray:
    """J = sum_a pi_a mu_a, over the last axis of ``probs`` (works on a whole (T, K) log at once)."""
    return np.asarray(probs) @ np.asarray(means, dtype=np.float64)


def exact_gradient(logits: np.ndarray, means: np.ndarray) -> np.ndarray:
    """The exact policy gradient grad_theta J = pi * (mu - J) for softmax logits ``theta``."""
    pi = softmax(logits)
    mu = np.asarray(means, dtype=np.float64)
    return pi * (mu - pi @ mu)


def regret_curve(probs: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Cumulative expected regret sum_t (max mu - J_t) of a (T, K) log of policies."""
    means = np.asarray(means, dtype=np.float64)
    return np.cumsum(means.max() - expected_reward(probs, means), axis=-1)
