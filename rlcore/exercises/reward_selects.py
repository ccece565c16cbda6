"""Lesson 02's exercises: the rater's expected approvals (where faking pays) and a ridge reward model."""

from __future__ import annotations

import numpy as np

from ..analysis.reward_selects import rater_values
from ..learners.reward_selects import fit_reward_model
from . import Case, Exercise, Mistake, register


def _rater_cases(rng: np.random.Generator):
    for n in (1, 5, 40):
        yield Case(dict(detect=rng.random(n), penalty=rng.random(n) * 3, cost_do=rng.random(n) * 1.5,
                        cost_fake=rng.random(n) * 0.3), f"{n} random settings (d, P, c_do, c_fake)")
    yield Case(dict(detect=np.array([0.0, 1.0, 0.5]), penalty=np.array([2.0, 2.0, 0.0]),
                    cost_do=np.array([0.2, 0.2, 0.2]), cost_fake=np.array([0.1, 0.1, 0.1])),
               "edge settings: a rater who never catches (d = 0), always catches (d = 1), no penalty (P = 0)")
    yield Case(dict(detect=0.3, penalty=1.0, cost_do=0.9, cost_fake=0.05), "one scalar setting")


def _rater(detect, penalty, cost_do, cost_fake, fake):
    d, p, c, f = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (detect, penalty, cost_do, cost_fake)))
    return np.stack([1.0 - c, fake(d, p, f), np.zeros_like(d)], -1)


rater_values_exercise = register(Exercise(
    name="rater_values", lesson="02_reward_selects",
    prompt="rater_values(detect, penalty, cost_do, cost_fake) -> expected approval minus cost of (do, fake, quit), "
           "shape (..., 3)",
    reference=rater_values,
    cases=_rater_cases,
    mistakes=(
        Mistake("penalty always paid",
                lambda detect, penalty, cost_do, cost_fake: _rater(detect, penalty, cost_do, cost_fake,
                                                                   lambda d, p, f: (1 - d) - p - f),
                "the penalty is paid only when the fake is caught: weight it by d"),
        Mistake("caught and missed swapped",
                lambda detect, penalty, cost_do, cost_fake: _rater(detect, penalty, cost_do, cost_fake,
                                                                   lambda d, p, f: d - (1 - d) * p - f),
                "d is the probability the rater catches the fake: approval comes with probability 1 - d, the "
                "penalty with probability d"),
        Mistake("caught fake still approved",
                lambda detect, penalty, cost_do, cost_fake: _rater(detect, penalty, cost_do, cost_fake,
                                                                   lambda d, p, f: 1 - d * p - f),
                "a caught fake earns no approval: approval 1 only with probability 1 - d, and -P with "
                "probability d"),
        Mistake("fake cost forgotten",
                lambda detect, penalty, cost_do, cost_fake: _rater(detect, penalty, cost_do, cost_fake,
                                                                   lambda d, p, f: (1 - d) - d * p),
                "faking has its own cost c_fake, paid whether or not the fake is caught"),
    ),
))


def _ridge_cases(rng: np.random.Generator):
    for n, k, ridge in ((30, 3, 0.5), (200, 6, 2.0), (8, 12, 1.0), (50, 4, 0.01)):
        x = rng.normal(size=(n, k))
        yield Case(dict(features=x, rewards=x @ rng.normal(size=k) + 0.3 * rng.normal(size=n), ridge=ridge),
                   f"{n} samples of {k} features, ridge {ridge}")
    onehot = np.eye(5)[rng.integers(0, 5, 60)]
    lamp = onehot[:, [4]]
    yield Case(dict(features=np.c_[onehot, lamp], rewards=onehot[:, 4].copy(), ridge=1.0),
               "the button lesson's features: one-hot cells plus a lamp that always lights with the goal cell "
               "(two collinear features; the ridge splits the credit)")
    yield Case(dict(features=rng.normal(size=(20, 3)), rewards=np.zeros(20), ridge=0.3),
               "all rewards zero (the weights must be exactly 0)")


fit_reward_model_exercise = register(Exercise(
    name="fit_reward_model", lesson="02_reward_selects",
    prompt="fit_reward_model(features, rewards, ridge) -> ridge weights w = (X^T X + ridge I)^-1 X^T r, shape (k,)",
    reference=fit_reward_model,
    cases=_ridge_cases,
    rtol=1e-5, atol=1e-8,
    mistakes=(
        Mistake("ridge ignored",
                lambda features, rewards, ridge: np.linalg.lstsq(features, rewards, rcond=None)[0],
                "ordinary least squares leaves out the penalty: add ridge * I to X^T X (with collinear "
                "features plain least squares picks one split of the credit, the ridge another)"),
        Mistake("ridge on every entry",
                lambda features, rewards, ridge: np.linalg.solve(features.T @ features + ridge, features.T @ rewards),
                "the penalty goes on the diagonal only: X^T X + ridge * np.eye(k), not X^T X + ridge"),
        Mistake("normal equations averaged",
                lambda features, rewards, ridge: np.linalg.solve(features.T @ features / len(rewards)
                                                                 + ridge * np.eye(features.shape[1]),
                                                                 features.T @ rewards / len(rewards)),
                "dividing X^T X and X^T r by n changes the strength of the penalty: use the sums as they are"),
    ),
))
