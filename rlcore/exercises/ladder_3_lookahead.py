"""Lesson 11's exercises: potential-based shaping, and the search's expectimax backup."""

from __future__ import annotations

import numpy as np

from ..envs.ladder_3_duel import DuelConfig
from ..learners.ladder_3_search import duel_tables, search_q
from . import Case, Exercise, Mistake, register


def potential_shaping(phi: np.ndarray, phi_next: np.ndarray, terminal: np.ndarray, gamma: float) -> np.ndarray:
    """The shaping term F = gamma * Phi(s') - Phi(s) of a batch of transitions, with Phi = 0 once the episode is
    over (``terminal``), so every episode's terms add up to -Phi(start) whatever the policy (Ng, Harada &
    Russell 1999). With gamma = 1 this is the duel's ``shaping="delta"`` bonus divided by ``bonus``."""
    phi = np.asarray(phi, dtype=np.float64)
    return gamma * np.where(np.asarray(terminal, bool), 0.0, np.asarray(phi_next, dtype=np.float64)) - phi


def _shaping_cases(rng: np.random.Generator):
    for n, gamma in ((1, 1.0), (10, 0.9), (50, 0.99), (200, 1.0)):
        phi = rng.integers(0, 7, size=n).astype(np.float64)
        yield Case(dict(phi=phi, phi_next=phi - (rng.random(n) < 0.5), terminal=rng.random(n) < 0.2, gamma=gamma),
                   f"{n} transitions, potentials 0-6 (pieces held), gamma={gamma}, some games over")
    yield Case(dict(phi=rng.normal(size=30), phi_next=rng.normal(size=30), terminal=np.zeros(30, bool), gamma=0.8),
               "30 transitions, real-valued potentials, no game over, gamma=0.8")
    yield Case(dict(phi=np.array([6.0, 3.0]), phi_next=np.array([5.0, 3.0]), terminal=np.array([True, True]),
                    gamma=1.0), "two final moves (Phi(s') must count as 0)")


def _level(phi, phi_next, terminal, gamma):
    return np.asarray(phi_next, dtype=np.float64).copy()


shaping_exercise = register(Exercise(
    name="potential_shaping", lesson="11_ladder_3_lookahead",
    prompt="potential_shaping(phi, phi_next, terminal, gamma) -> F = gamma * Phi(s') - Phi(s) per transition, "
           "with Phi(s') = 0 when the game is over",
    reference=potential_shaping,
    cases=_shaping_cases,
    mistakes=(
        Mistake("terminal potential kept",
                lambda phi, phi_next, terminal, gamma: potential_shaping(phi, phi_next, np.zeros_like(terminal),
                                                                         gamma),
                "once the game is over there is no next state: Phi(s') = 0 at a terminal transition. Without "
                "that, a game's terms add up to Phi(end) - Phi(start), which depends on how it ended, and the "
                "optimal policy can change"),
        Mistake("a bonus on the level", _level,
                "that pays Phi(s') after every move, a bonus on the LEVEL (the novice mode of this lesson): "
                "it is not potential-based, long games earn more, and it changes the optimal policy. Subtract "
                "Phi(s)"),
        Mistake("gamma left out",
                lambda phi, phi_next, terminal, gamma: potential_shaping(phi, phi_next, terminal, 1.0),
                "discount the next potential: F = gamma Phi(s') - Phi(s); only then do the terms telescope in "
                "the discounted return"),
        Mistake("no shaping on the final move",
                lambda phi, phi_next, terminal, gamma: np.where(np.asarray(terminal, bool), 0.0,
                                                                potential_shaping(phi, phi_next, terminal, gamma)),
                "only Phi(s') is 0 when the game is over; the final move still pays -Phi(s). Dropping the whole "
                "term there leaves the game's terms adding up to something other than -Phi(start)"),
        Mistake("gamma on Phi(s)",
                lambda phi, phi_next, terminal, gamma: np.where(np.asarray(terminal, bool), 0.0,
                                                                np.asarray(phi_next, float))
                - gamma * np.asarray(phi, float),
                "the discount goes on the NEXT potential: F = gamma Phi(s') - Phi(s), not Phi(s') - gamma Phi(s)"),
        Mistake("sign flipped",
                lambda phi, phi_next, terminal, gamma: -potential_shaping(phi, phi_next, terminal, gamma),
                "F = gamma Phi(s') - Phi(s): the potential of where you arrive minus that of where you were"),
    ),
))


# --- the search's backup: expectimax over the child's replies, d moves deep ----------------------------------

def _random_tables(rng: np.random.Generator, batch: int, states: int, replies: int):
    nxt = rng.integers(0, states + 1, size=(states, 2, replies))  # index `states` = game over (value 0)
    prob = rng.random(replies) + 0.1
    return dict(v=rng.normal(size=(batch, states)), nxt=nxt, reward=rng.normal(size=(batch, states, 2, replies)),
                prob=prob / prob.sum())


def _search_cases(rng: np.random.Generator):
    for batch, states, replies, depth in ((1, 3, 2, 1), (2, 6, 3, 2), (3, 10, 4, 3), (2, 8, 2, 4)):
        yield Case(dict(**_random_tables(rng, batch, states, replies), depth=depth),
                   f"{batch} runs, {states} positions, {replies} replies, random tables, depth {depth}")
    nxt, reward, prob, _ = duel_tables(DuelConfig())
    v = rng.uniform(-1, 1, size=(2, nxt.shape[0]))
    yield Case(dict(v=v, nxt=nxt, reward=np.stack([reward[0], reward[1]]), prob=prob, depth=2),
               "the lesson's duel (one expert run, one novice run), random value tables, depth 2")
    yield Case(dict(**_random_tables(rng, 2, 5, 3), depth=0), "depth 0 (no search: Q = 0)")


def _search_variant(v, nxt, reward, prob, depth, *, backup="max", weights=None, sentinel=0.0, use_reward=True,
                    game_over="zero"):
    """search_q with one ingredient changed. ``use_reward``: True (every move), False (none), "root" (only the
    move from the position itself), "frontier" (only the deepest move); ``game_over``: "zero" or "last" (valued
    like the last position, v[:, -1])."""
    if depth == 0:
        return np.zeros(np.shape(v) + (2,))
    p = prob if weights is None else np.full_like(prob, 1.0 / len(prob))

    def end(values):
        return values[:, -1:] if game_over == "last" else np.full((len(v), 1), sentinel)

    w = np.concatenate([v, end(v)], axis=1)
    for d in range(depth):
        paid = use_reward is True or (use_reward == "root" and d == depth - 1) or (use_reward == "frontier"
                                                                                      and d == 0)
        q = ((reward if paid else 0.0) + w[:, nxt]) @ p
        best = q.max(axis=-1) if backup == "max" else q.mean(axis=-1)
        w = np.concatenate([best, end(best)], axis=1)
    return q


def _minimax(v, nxt, reward, prob, depth):
    if depth == 0:
        return np.zeros(np.shape(v) + (2,))
    w = np.concatenate([v, np.zeros((len(v), 1))], axis=1)
    for _ in range(depth):
        q = (reward + w[:, nxt]).min(axis=-1)
        w = np.concatenate([q.max(axis=-1), np.zeros((len(v), 1))], axis=1)
    return q


search_exercise = register(Exercise(
    name="search_q", lesson="11_ladder_3_lookahead",
    prompt="search_q(v, nxt, reward, prob, depth) -> Q_depth(s, a) of every position, shape (B, S, 2), by "
           "expectimax over the child's replies with the value table v at the frontier",
    reference=search_q,
    cases=_search_cases,
    mistakes=(
        Mistake("off by one in depth",
                lambda v, nxt, reward, prob, depth: search_q(v, nxt, reward, prob, depth + 1) if depth else None,
                "depth d means d backups: Q_1 = E[r + V(s')], then each further move backs up max_a Q once "
                "more. You did one backup too many"),
        Mistake("mean over own moves", lambda **kw: _search_variant(**kw, backup="mean"),
                "the agent chooses its own move: back up max_a Q(s', a), not the average over its moves"),
        Mistake("replies weighted equally", lambda **kw: _search_variant(**kw, weights="uniform"),
                "the child's replies are chance events with probabilities prob[o]: weight them by prob, not "
                "equally"),
        Mistake("the child as an adversary", _minimax,
                "the child is not an opponent that picks the worst reply for you: its replies are random, so "
                "take their expectation (expectimax), not the minimum"),
        Mistake("game over valued like a position", lambda **kw: _search_variant(**kw, game_over="last"),
                "a game that is over is worth 0 from then on: nxt = S (one past the last position) must read a "
                "value 0, not a position's value such as v[:, -1] (append a column of zeros to v)"),
        Mistake("reward only on the first move", lambda **kw: _search_variant(**kw, use_reward="root"),
                "the rewards of the later moves count too: every backup adds r + V(s'), at every depth, not only "
                "the move made from the position itself"),
        Mistake("reward only on the deepest move", lambda **kw: _search_variant(**kw, use_reward="frontier"),
                "the rewards of the earlier moves count too: every backup adds r + V(s'), at every depth, not only "
                "the deepest move's (the one whose next position is valued by v)"),
        Mistake("rewards on the way ignored", lambda **kw: _search_variant(**kw, use_reward=False),
                "add the reward of every move the search looks through (r + V(s')), not only the frontier's "
                "values: that is how the novice search sees its material bonus"),
    ),
))
