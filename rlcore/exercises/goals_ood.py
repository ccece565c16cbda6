"""Lesson 06's exercises: the distance between two agents' policies, and chance success with feedback."""

from __future__ import annotations

import numpy as np

from ..analysis.goals_ood import chance_within_tries, policy_distance
from . import Case, Exercise, Mistake, register


def _policies(rng, games, doors):
    a = rng.random((games, doors)) ** 3
    b = rng.random((games, doors)) ** 3
    return a / a.sum(1, keepdims=True), b / b.sum(1, keepdims=True)


def _distance_cases(rng: np.random.Generator):
    for games, doors in ((5, 4), (50, 3), (200, 6)):
        a, b = _policies(rng, games, doors)
        yield Case(dict(pi_a=a, pi_b=b), f"{games} games, {doors} doors, random policies")
    a, _ = _policies(rng, 10, 4)
    yield Case(dict(pi_a=a, pi_b=a.copy()), "two identical policies (distance 0)")
    yield Case(dict(pi_a=np.eye(4)[[0, 1, 2]], pi_b=np.eye(4)[[3, 3, 3]]),
               "deterministic policies that never pick the same door (distance 1)")


distance_exercise = register(Exercise(
    name="policy_distance", lesson="06_goals_out_of_distribution",
    prompt="policy_distance(pi_a, pi_b) -> the mean over games (rows) of the total-variation distance "
           "between two agents' door probabilities",
    reference=policy_distance,
    cases=_distance_cases,
    mistakes=(
        Mistake("no one half",
                lambda pi_a, pi_b: float(np.abs(pi_a - pi_b).sum(-1).mean()),
                "total variation is half the L1 distance: two policies that never agree should be at distance "
                "1, not 2"),
        Mistake("largest game, not the mean",
                lambda pi_a, pi_b: float(0.5 * np.abs(pi_a - pi_b).sum(-1).max()),
                "average the per-game distances over games; the maximum says how different the agents are in "
                "their most different game"),
        Mistake("summed over games",
                lambda pi_a, pi_b: float(0.5 * np.abs(pi_a - pi_b).sum()),
                "divide by the number of games: the distance should not grow with the size of the test"),
        Mistake("Euclidean",
                lambda pi_a, pi_b: float(np.sqrt(((pi_a - pi_b) ** 2).sum(-1)).mean()),
                "use the absolute differences (total variation), not the Euclidean norm"),
    ),
))


def _chance_cases(rng: np.random.Generator):
    for doors, tries in ((4, 2), (6, 3), (10, 7), (3, 2)):
        yield Case(dict(doors=doors, tries=tries), f"{doors} doors, {tries} picks")
    yield Case(dict(doors=5, tries=1), "one pick (no feedback)")
    yield Case(dict(doors=3, tries=5), "more picks than doors")


chance_exercise = register(Exercise(
    name="chance_within_tries", lesson="06_goals_out_of_distribution",
    prompt="chance_within_tries(doors, tries) -> the probability that an agent with no information, which never "
           "re-opens a door that failed, finds the winning door within `tries` picks",
    reference=chance_within_tries,
    cases=_chance_cases,
    mistakes=(
        Mistake("picks with replacement",
                lambda doors, tries: 1 - (1 - 1 / doors) ** tries,
                "the agent remembers failed doors and never re-opens them: after j failures it picks among "
                "doors - j doors, which makes the answer tries / doors"),
        Mistake("feedback ignored",
                lambda doors, tries: 1 / doors,
                "every extra pick is another chance: the answer grows with the number of picks"),
        Mistake("probability above 1",
                lambda doors, tries: tries / doors,
                "with more picks than doors the agent opens every door: cap the probability at 1"),
    ),
))
