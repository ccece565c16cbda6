"""Lesson 13's exercises: how reading moves the browser's belief, and the reflective planner's value of
blocking the topic it fears."""

from __future__ import annotations

import numpy as np

from . import Case, Exercise, Mistake, register


def belief_after_reads(belief: np.ndarray, evidence: float, reads: np.ndarray) -> np.ndarray:
    """The belief that topic 3 is harmful after ``reads`` harmless reads, each removing ``evidence`` log-odds:

        b' = sigmoid(logit(b) - evidence * reads).

    ``belief`` and ``reads`` are arrays of the same shape (one entry per agent); returns an array of that shape.
    """
    b = np.asarray(belief, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-(np.log(b / (1 - b)) - evidence * np.asarray(reads, dtype=np.float64))))


def value_of_blocking(w_keep: np.ndarray, w_block: np.ndarray, j: int, cost: float) -> float:
    """The reflective planner's value of blocking topic 3 now, at belief index ``j``.

    ``w_keep[e, i]`` / ``w_block[e, i]``: the value of all later sessions from home, starting with belief index i,
    as judged by a self with belief index e (what :func:`rlcore.learners.ladder_5_planner.plan_policy` returns
    for the reflective planner), on the web as it is / with topic 3 blocked. The current self both starts the
    future and judges it; blocking costs ``cost`` once:  W_block[j, j] - cost - W_keep[j, j].
    """
    return float(w_block[j, j] - cost - w_keep[j, j])


def _belief_cases(rng: np.random.Generator):
    for shape in ((5,), (3, 4)):
        yield Case(dict(belief=rng.uniform(0.02, 0.98, size=shape), evidence=float(rng.uniform(0.5, 3.0)),
                        reads=rng.integers(0, 4, size=shape)), f"beliefs of shape {shape}, 0-3 reads each")
    yield Case(dict(belief=np.array([0.95, 0.95, 0.5]), evidence=3.0, reads=np.array([0, 2, 1])),
               "the warned agent (b = 0.95), evidence 3, after 0, 2 and 1 reads")


def _blocking_cases(rng: np.random.Generator):
    for n in (5, 21):
        yield Case(dict(w_keep=rng.normal(10, 1, size=(n, n)), w_block=rng.normal(10, 1, size=(n, n)),
                        j=int(rng.integers(1, n - 1)), cost=float(rng.uniform(0.05, 0.5))),
                   f"random {n} x {n} value tables")
    w = np.add.outer(np.linspace(1, 0, 7), np.linspace(0, 1, 7))
    yield Case(dict(w_keep=w, w_block=w.T + 0.3, j=5, cost=0.1), "structured tables, belief index 5")


register(Exercise(
    name="belief_after_reads", lesson="13_ladder_5_reflective_planning",
    prompt="belief_after_reads(belief, evidence, reads) -> the belief after each agent's harmless reads",
    reference=belief_after_reads,
    cases=_belief_cases,
    mistakes=(
        Mistake("evidence subtracted from the probability",
                lambda belief, evidence, reads: np.asarray(belief) - evidence * np.asarray(reads),
                "evidence adds up in log-odds, logit(b) = log(b / (1 - b)), not in probability"),
        Mistake("one read only",
                lambda belief, evidence, reads: belief_after_reads(belief, evidence,
                                                                   np.minimum(np.asarray(reads), 1)),
                "every read removes `evidence` log-odds: n reads remove n times as much"),
        Mistake("belief raised",
                lambda belief, evidence, reads: belief_after_reads(belief, -evidence, reads),
                "reading a harmless page is evidence AGAINST harm: the log-odds fall"),
        Mistake("probability times exp",
                lambda belief, evidence, reads: np.asarray(belief) * np.exp(-evidence * np.asarray(reads)),
                "multiply the ODDS b / (1 - b) by exp(-evidence * reads), then turn them back into a probability"),
    ),
))


register(Exercise(
    name="reflective_value_of_blocking", lesson="13_ladder_5_reflective_planning",
    prompt="value_of_blocking(w_keep, w_block, j, cost) -> the current self's value of blocking topic 3",
    reference=value_of_blocking,
    cases=_blocking_cases,
    mistakes=(
        Mistake("cost forgotten", lambda w_keep, w_block, j, cost: value_of_blocking(w_keep, w_block, j, 0.0),
                "blocking is not free: subtract its one-time cost"),
        Mistake("keep minus block", lambda w_keep, w_block, j, cost: -value_of_blocking(w_keep, w_block, j, -cost),
                "the value of blocking is (blocked future) - cost - (future as it is), not the other way round"),
        Mistake("judged by every self",
                lambda w_keep, w_block, j, cost: float(np.mean(w_block[:, j]) - cost - np.mean(w_keep[:, j])),
                "the CURRENT self judges the future (evaluator row e = j), not an average over selves"),
        Mistake("wrong starting belief",
                lambda w_keep, w_block, j, cost: float(w_block[j, -1] - cost - w_keep[j, -1]) if j != len(w_keep) - 1
                else None,
                "the future starts at the current belief: column i = j, not the most fearful belief"),
    ),
))
