"""Lesson 07's exercises: Hawk-Dove fitness and the expected self-play REINFORCE update."""

from __future__ import annotations

import numpy as np

from ..analysis.relative_fitness import selfplay_logit_gradient
from ..envs.hawk_dove import hawk_dove_fitness
from . import Case, Exercise, Mistake, register


def _cases(rng: np.random.Generator):
    for n in (1, 5, 40):
        yield Case(dict(p=rng.random(n), value=float(rng.uniform(0.5, 4)), cost=float(rng.uniform(0.5, 12))),
                   f"{n} random hawk shares, random V and C")
    yield Case(dict(p=np.array([0.0, 1.0, 0.5]), value=2.0, cost=4.0), "hawk shares 0, 1 and V/C (V=2, C=4)")
    yield Case(dict(p=np.array([0.05, 0.3, 0.9]), value=3.0, cost=1.0), "a cheap fight, C < V (hawks win out)")


def _fitness(p, value, cost):
    return hawk_dove_fitness(p, value, cost)


def _with_matrix(p, value, cost, hh, dd):
    p = np.asarray(p, dtype=np.float64)
    return np.stack([p * hh + (1 - p) * value, (1 - p) * dd], axis=-1)


fitness_exercise = register(Exercise(
    name="hawk_dove_fitness", lesson="07_relative_fitness",
    prompt="hawk_dove_fitness(p, value, cost) -> array [..., 2] of [f_H, f_D]: the expected payoff of a hawk "
           "and of a dove against a population with hawk share p",
    reference=_fitness,
    cases=_cases,
    mistakes=(
        Mistake("hawk and dove swapped",
                lambda p, value, cost: _fitness(p, value, cost)[..., ::-1],
                "the order is [f_H, f_D]: the hawk's payoff first"),
        Mistake("fight not shared",
                lambda p, value, cost: _with_matrix(p, value, cost, value - cost, value / 2),
                "when two hawks meet each wins half the time: the hawk-hawk payoff is (V - C)/2, not V - C"),
        Mistake("doves do not share",
                lambda p, value, cost: _with_matrix(p, value, cost, (value - cost) / 2, value),
                "two doves split the resource: the dove-dove payoff is V/2, not V"),
        Mistake("weights swapped",
                lambda p, value, cost: _fitness(1 - np.asarray(p, dtype=np.float64), value, cost),
                "an opponent is a hawk with probability p and a dove with probability 1 - p; you weighted the "
                "other way round"),
    ),
))


gradient_exercise = register(Exercise(
    name="selfplay_logit_gradient", lesson="07_relative_fitness",
    prompt="selfplay_logit_gradient(p, value, cost) -> the expected REINFORCE update of the hawk logit in "
           "self-play, per unit step size, at hawk share p",
    reference=selfplay_logit_gradient,
    cases=_cases,
    mistakes=(
        Mistake("gradient of the mean payoff",
                lambda p, value, cost: np.asarray(p) * (1 - np.asarray(p)) * (-cost * np.asarray(p)),
                "that is the gradient of the population's mean payoff J(p) = V/2 - C p^2/2 (both seats moved "
                "together, a shared reward); in self-play each seat is reinforced by its own payoff with the "
                "other seat held fixed: p (1 - p) (f_H - f_D)"),
        Mistake("no score weight",
                lambda p, value, cost: (_fitness(p, value, cost)[..., 0] - _fitness(p, value, cost)[..., 1]),
                "E[r d log pi / d theta] weights each action's payoff by its probability times its score: "
                "p (1 - p) multiplies f_H - f_D"),
        Mistake("probability, not logit",
                lambda p, value, cost: (np.asarray(p) * (1 - np.asarray(p))) ** 2
                * (_fitness(p, value, cost)[..., 0] - _fitness(p, value, cost)[..., 1]),
                "that is the change of the probability p (the chain rule applied once more); the question asks "
                "for the change of the logit"),
        Mistake("sign flipped",
                lambda p, value, cost: -selfplay_logit_gradient(p, value, cost),
                "the hawk logit rises when a hawk earns more than a dove: f_H - f_D, not f_D - f_H"),
    ),
))
