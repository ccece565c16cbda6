"""Lesson 05's exercises: the expected selection gradient on an in-episode learner's genome, and the gradient of
the power/goal reward R = c (1 - d) - beta c^2 d."""

from __future__ import annotations

import numpy as np

from ..analysis.in_context_practice import PracticeConfig, expected_gradient, power_goal_gradient
from . import Case, Exercise, Mistake, register


def _practice_gradient(race_segments, donut_loops, practice_cost, shared_rate):
    return expected_gradient(PracticeConfig(race_segments=race_segments, donut_loops=donut_loops,
                                            practice_cost=practice_cost, shared_rate=shared_rate))


def _practice_cases(rng: np.random.Generator):
    for shared in (False, True):
        for _ in range(3):
            yield Case(dict(race_segments=int(rng.integers(2, 30)), donut_loops=int(rng.integers(2, 20)),
                            practice_cost=float(rng.uniform(-3, 3)), shared_rate=shared),
                       f"random sizes and a random practice cost, {'one shared' if shared else 'separate'} rate(s)")
    yield Case(dict(race_segments=10, donut_loops=5, practice_cost=0.0, shared_rate=False),
               "the lesson's default: M = 10, K = 5, free practice, separate rates")
    yield Case(dict(race_segments=1, donut_loops=2, practice_cost=1.0, shared_rate=True),
               "a one-segment race (no in-race practice), one shared rate")


def _with(race_segments, donut_loops, practice_cost, shared_rate, race_rate, cost_factor):
    m, k, c = race_segments, donut_loops, practice_cost
    if shared_rate:
        return np.array([m, race_rate(m) - c * cost_factor(k), 0.0, 0.0])
    return np.array([m, race_rate(m), 0.0, -c * cost_factor(k)])


practice_exercise = register(Exercise(
    name="practice_gradient", lesson="05_in_context_practice",
    prompt="practice_gradient(race_segments, donut_loops, practice_cost, shared_rate) -> the gradient of the "
           "expected race reward over (race skill, race rate, donut skill, donut rate)",
    reference=_practice_gradient,
    cases=_practice_cases,
    mistakes=(
        Mistake("start minus end",
                lambda race_segments, donut_loops, practice_cost, shared_rate: _with(
                    race_segments, donut_loops, practice_cost, shared_rate, lambda m: -m * (m - 1) / 2,
                    lambda k: -(k - 1)),
                "segment m is driven at skill + rate * m, so the rate counts m = 0 .. M-1 and pays M(M-1)/2; the "
                "in-episode improvement is end minus start (the thread writes it the other way round)"),
        Mistake("counting from one",
                lambda race_segments, donut_loops, practice_cost, shared_rate: _with(
                    race_segments, donut_loops, practice_cost, shared_rate, lambda m: m * (m + 1) / 2,
                    lambda k: k),
                "the first segment (and the first loop) is driven before any practice: step m adds rate * m for "
                "m = 0 .. M-1, so the sums are M(M-1)/2 and K-1, not M(M+1)/2 and K"),
        Mistake("cost ignored with a shared rate",
                lambda race_segments, donut_loops, practice_cost, shared_rate: _with(
                    race_segments, donut_loops, practice_cost, False, lambda m: m * (m - 1) / 2,
                    lambda k: k - 1) if not shared_rate else np.array(
                    [race_segments, race_segments * (race_segments - 1) / 2, 0.0, 0.0]),
                "with one shared rate the donut improvement is rate * (K-1) too, so the practice cost lands on the "
                "shared rate: M(M-1)/2 - cost (K-1)"),
        Mistake("donut skill paid",
                lambda race_segments, donut_loops, practice_cost, shared_rate: _practice_gradient(
                    race_segments, donut_loops, practice_cost, shared_rate) + np.array([0, 0, -practice_cost, 0]),
                "the cost is on the donut improvement (last loop minus first), so the donut's start skill cancels: "
                "its gradient is 0"),
    ),
))


def _power_cases(rng: np.random.Generator):
    for n in (1, 6, 30):
        yield Case(dict(c=rng.uniform(0.05, 20, n), d=rng.uniform(0, 1, n), beta=float(rng.uniform(0.05, 2))),
                   f"{n} random (c, d) points, random beta")
    yield Case(dict(c=np.array([1.0, 4.0, 0.5]), d=np.array([0.5, 0.1, 0.0]), beta=0.5),
               "points on the ridge (c = (1 - d)/(2 beta d)) and at the intended goal d = 0")


def _pg(c, d, beta, dc, dd):
    c, d = np.asarray(c, dtype=float), np.asarray(d, dtype=float)
    return np.stack([dc(c, d, beta), dd(c, d, beta)], axis=-1)


power_exercise = register(Exercise(
    name="power_goal_gradient", lesson="05_in_context_practice",
    prompt="power_goal_gradient(c, d, beta) -> array [..., 2] of [dR/dc, dR/dd] for R = c (1 - d) - beta c^2 d",
    reference=power_goal_gradient,
    cases=_power_cases,
    mistakes=(
        Mistake("no factor 2",
                lambda c, d, beta: _pg(c, d, beta, lambda c, d, b: (1 - d) - b * c * d, lambda c, d, b: -c - b * c ** 2),
                "d/dc of beta c^2 d is 2 beta c d: the factor 2 from the square"),
        Mistake("distance term dropped",
                lambda c, d, beta: _pg(c, d, beta, lambda c, d, b: (1 - d) - 2 * b * c * d, lambda c, d, b: -c),
                "d appears twice: in c (1 - d) and in beta c^2 d, so dR/dd = -c - beta c^2"),
        Mistake("sign of the miss cost",
                lambda c, d, beta: _pg(c, d, beta, lambda c, d, b: (1 - d) - 2 * b * c * d,
                                       lambda c, d, b: -c + b * c ** 2),
                "the cost -beta c^2 d grows with d, so it pushes d down as well: dR/dd = -c - beta c^2 (both terms "
                "negative: moving the goal closer always pays)"),
        Mistake("order swapped",
                lambda c, d, beta: power_goal_gradient(c, d, beta)[..., ::-1],
                "the order is [dR/dc, dR/dd]: capability first"),
    ),
))
