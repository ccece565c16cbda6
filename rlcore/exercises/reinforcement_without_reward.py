"""Lesson 04's exercises: the donut habit's exact gradient, and the delta rule on intended vs. actual motion."""

from __future__ import annotations

import numpy as np

from ..analysis.reinforcement_without_reward import donut_exact
from ..learners.reinforcement_without_reward import delta_rule_update
from . import Case, Exercise, Mistake, register


def _sig(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _donut_cases(rng: np.random.Generator):
    for k in (1, 6, 30):
        yield Case(dict(theta=rng.normal(0, 2, k), cost=rng.random(k) * 0.1, n_visits=int(rng.integers(1, 6)),
                        max_loops=int(rng.integers(2, 12))), f"{k} random habit logits and costs")
    yield Case(dict(theta=np.array([-3.0, 0.0, 1.5, 4.0]), cost=np.array([0.02, 0.02, 0.0, 0.05]), n_visits=3,
                    max_loops=8), "a weak, even, strong and saturated habit, one with a free donut (cost 0)")
    yield Case(dict(theta=np.array([0.7]), cost=np.array([0.03]), n_visits=2, max_loops=1),
               "at most one loop per visit")


def _reference_gradient(theta, cost, n_visits, max_loops):
    return donut_exact(theta, cost, n_visits, max_loops)[1]


def _loops(p, m):
    return sum(p ** k for k in range(1, m + 1))


donut_gradient_exercise = register(Exercise(
    name="donut_gradient", lesson="04_reinforcement_without_reward",
    prompt="donut_gradient(theta, cost, n_visits, max_loops) -> dJ/dtheta of J = 1 - cost * n_visits * E[loops], "
           "p = sigmoid(theta), at most max_loops loops per visit",
    reference=_reference_gradient,
    cases=_donut_cases,
    mistakes=(
        Mistake("gradient with respect to p",
                lambda theta, cost, n_visits, max_loops: -np.asarray(cost) * n_visits * sum(
                    k * _sig(theta) ** (k - 1) for k in range(1, max_loops + 1)),
                "theta is the logit: multiply dJ/dp by dp/dtheta = p (1 - p)"),
        Mistake("no cap on the loops",
                lambda theta, cost, n_visits, max_loops: -np.asarray(cost) * n_visits * _sig(theta)
                / (1 - _sig(theta)),
                "the boat leaves after max_loops loops: E[loops] = p + p^2 + ... + p^M, not p / (1 - p)"),
        Mistake("sign flipped",
                lambda theta, cost, n_visits, max_loops: np.asarray(cost) * n_visits * sum(
                    k * _sig(theta) ** k * (1 - _sig(theta)) for k in range(1, max_loops + 1)),
                "donuts cost time, so a stronger habit lowers J: the gradient is negative when cost > 0"),
        Mistake("one visit only",
                lambda theta, cost, n_visits, max_loops: -np.asarray(cost) * sum(
                    k * _sig(theta) ** k * (1 - _sig(theta)) for k in range(1, max_loops + 1)),
                "the habit fires in every lagoon: multiply by n_visits"),
    ),
))


def _delta_cases(rng: np.random.Generator):
    for runs in (1, 5, 40):
        angle = rng.uniform(0, 2 * np.pi, runs)
        u = np.stack([np.cos(angle), np.sin(angle)], -1)
        yield Case(dict(W=rng.normal(size=(runs, 2, 2)), intended=u, actual=u + 0.3 * rng.normal(size=(runs, 2)),
                        lr=float(rng.uniform(0.01, 0.5))), f"{runs} infants' maps and reaches")
    u = np.array([[1.0, 0.0], [0.0, 1.0]])
    yield Case(dict(W=np.broadcast_to(np.eye(2), (2, 2, 2)).copy(), intended=u, actual=np.array([[0.6, 0.5],
                                                                                                [-0.5, 0.6]]),
                    lr=0.1), "the identity map, reaches along the axes (a rotated, shrunk arm)")
    yield Case(dict(W=np.eye(2)[None], intended=np.array([[0.0, 1.0]]), actual=np.array([[0.0, 1.0]]), lr=0.3),
               "a perfect reach (nothing to learn)")


delta_rule_exercise = register(Exercise(
    name="delta_rule_update", lesson="04_reinforcement_without_reward",
    prompt="delta_rule_update(W, intended, actual, lr) -> W + lr * (intended - actual) intended^T, for W of shape "
           "(..., 2, 2) and motions of shape (..., 2)",
    reference=delta_rule_update,
    cases=_delta_cases,
    mistakes=(
        Mistake("error sign flipped",
                lambda W, intended, actual, lr: W + lr * (actual - intended)[..., :, None] * intended[..., None, :],
                "the error is what was meant minus what happened: intended - actual (the other sign pushes the "
                "arm further off)"),
        Mistake("outer product transposed",
                lambda W, intended, actual, lr: W + lr * intended[..., :, None] * (intended - actual)[..., None, :],
                "W maps intention (columns) to command (rows): the update is error (column) times intended (row), "
                "error[..., :, None] * intended[..., None, :]"),
        Mistake("actual motion as the input",
                lambda W, intended, actual, lr: W + lr * (intended - actual)[..., :, None] * actual[..., None, :],
                "the command was W @ intended, so the input the update credits is the intended direction"),
    ),
))
