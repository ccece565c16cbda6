"""Lesson 12's exercises: the reward model's fit to the ratings, and the planner's value of steering."""

from __future__ import annotations

import numpy as np

from ..learners.ladder_4_rlhf import fit_reward_model as _fit
from . import Case, Exercise, Mistake, register


def reward_model_gradient(weights: np.ndarray, features: np.ndarray, trials: np.ndarray, successes: np.ndarray,
                          ridge: np.ndarray) -> np.ndarray:
    """Gradient of the reward model's penalized binomial log-loss at ``weights`` (the quantity Newton's method
    drives to zero in :func:`rlcore.learners.ladder_4_rlhf.fit_reward_model`), shape (d,):

        grad = X^T (n * sigmoid(X w) - s) + ridge * w,   with the intercept (column 0) not penalized.

    ``features`` X (K, d), one row per rated cell; ``trials`` n and ``successes`` s (K,); ``ridge`` (d,).
    """
    w = np.asarray(weights, dtype=np.float64)
    x = np.asarray(features, dtype=np.float64)
    p = 1.0 / (1.0 + np.exp(-(x @ w)))
    pen = np.asarray(ridge, dtype=np.float64).copy()
    pen[0] = 0.0
    return x.T @ (np.asarray(trials) * p - np.asarray(successes)) + pen * w


def offer_value(answer_values: np.ndarray, policy: np.ndarray, accept: float) -> float:
    """The planner's value of offering an L2 user to continue in L1 (backward induction over the second turn):

        Q(offer) = accept * V(switched) + (1 - accept) * V(declined),  V(c) = sum_tool pi(tool | c) value(c, tool)

    ``answer_values`` (4, 2): the (patience-discounted) value of answering with tool A / B in each context
    (0: L1 user; 1: L2 user, turn 1; 2: switched to L1; 3: declined, in L2); ``policy`` (4, 2): the policy's
    tool probabilities in each context.
    """
    v = np.sum(np.asarray(policy) * np.asarray(answer_values), axis=1)
    return float(accept * v[2] + (1 - accept) * v[3])


def _grad_cases(rng: np.random.Generator):
    for k, d in ((8, 4), (8, 6), (5, 3)):
        n = rng.integers(0, 60, size=k).astype(float)
        n[rng.integers(k)] = 0.0        # a cell nobody rated
        s = np.floor(n * rng.uniform(0, 1, size=k))
        yield Case(dict(weights=rng.normal(size=d), features=rng.integers(0, 2, size=(k, d)).astype(float),
                        trials=n, successes=s, ridge=rng.uniform(0.5, 10.0, size=d)),
                   f"{k} cells x {d} features, random weights, one cell unrated")
    x = np.array([[1.0, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 1]])
    yield Case(dict(weights=_fit(x, np.array([100, 100, 100, 0.0]), np.array([85, 45, 25, 0.0]),
                                 np.array([0, 1.0, 1.0, 10.0])),
                    features=x, trials=np.array([100, 100, 100, 0.0]), successes=np.array([85, 45, 25, 0.0]),
                    ridge=np.array([0, 1.0, 1.0, 10.0])),
               "the fitted weights of the help-desk's reply-only model with tool B never tried in L2 (gradient 0)")


def _offer_cases(rng: np.random.Generator):
    for accept in (0.8, 0.3, 1.0, 0.0):
        pi = rng.dirichlet(np.ones(2), size=4)
        yield Case(dict(answer_values=rng.uniform(0, 1, size=(4, 2)), policy=pi, accept=accept),
                   f"random values and policy, accept = {accept}")
    vals = np.array([[0.85, 0.45], [0.25, 0.85], [0.69, 0.36], [0.2, 0.69]])
    yield Case(dict(answer_values=vals, policy=np.array([[1, 0], [0.99, 0.01], [1, 0], [0.99, 0.01]]), accept=0.8),
               "the help-desk's gold values, a policy that almost never uses tool B")


register(Exercise(
    name="reward_model_gradient", lesson="12_ladder_4_abstract_planning",
    prompt="reward_model_gradient(weights, features, trials, successes, ridge) -> d loss / d weights of the "
           "penalized binomial log-loss",
    reference=reward_model_gradient,
    cases=_grad_cases,
    mistakes=(
        Mistake("intercept penalized",
                lambda weights, features, trials, successes, ridge: reward_model_gradient(
                    weights, features, trials, successes, ridge) + np.eye(len(weights))[0] * ridge[0] * weights[0],
                "do not penalize the intercept (column 0): only the tool/language weights are shrunk"),
        Mistake("trials ignored",
                lambda weights, features, trials, successes, ridge: reward_model_gradient(
                    weights, features, np.ones_like(trials), successes, ridge),
                "a cell rated n times predicts n * sigmoid(x w) successes: multiply the prediction by the trials"),
        Mistake("penalty sign flipped",
                lambda weights, features, trials, successes, ridge: reward_model_gradient(
                    weights, features, trials, successes, -np.asarray(ridge)),
                "the penalty ridge/2 |w|^2 adds + ridge * w to the gradient of the loss"),
        Mistake("likelihood gradient sign flipped",
                lambda weights, features, trials, successes, ridge: -reward_model_gradient(
                    weights, features, trials, successes, -np.asarray(ridge)),
                "the loss is the NEGATIVE log-likelihood: its gradient is X^T (n sigmoid - s), not X^T (s - n sigmoid)"),
    ),
))


register(Exercise(
    name="offer_value", lesson="12_ladder_4_abstract_planning",
    prompt="offer_value(answer_values, policy, accept) -> the planner's value of offering to switch to L1",
    reference=offer_value,
    cases=_offer_cases,
    mistakes=(
        Mistake("best tool instead of the policy",
                lambda answer_values, policy, accept: float(accept * np.max(answer_values[2])
                                                            + (1 - accept) * np.max(answer_values[3])),
                "value the second turn with the policy's own tool choice (sum over pi), not the best tool"),
        Mistake("declined users forgotten",
                lambda answer_values, policy, accept: float(accept * np.sum(policy[2] * answer_values[2])),
                "a user who declines (probability 1 - accept) is still answered, in L2 (context 3)"),
        Mistake("contexts swapped",
                lambda answer_values, policy, accept: float(accept * np.sum(policy[3] * answer_values[3])
                                                            + (1 - accept) * np.sum(policy[2] * answer_values[2])),
                "accepting the offer leads to context 2 (switched to L1); declining to context 3"),
        Mistake("one-turn planner",
                lambda answer_values, policy, accept: 0.0,
                "the offer itself answers nothing, but its value is what the second turn brings: plan two turns"),
    ),
))
