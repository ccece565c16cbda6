"""Lesson 10's exercises: the Q-learning update that backs bad luck up to the fork."""

from __future__ import annotations

import numpy as np

from . import Case, Exercise, Mistake, register


def q_learning_update(q: np.ndarray, state: int, action: int, reward: float, next_state: int, terminated: bool,
                      alpha: float, gamma: float) -> np.ndarray:
    """One tabular Q-learning step; returns the updated copy of ``q`` (shape (states, actions)):

        Q[s, a] <- Q[s, a] + alpha * (r + gamma * (1 - terminated) * max_a' Q[s', a'] - Q[s, a]).
    """
    q = np.array(q, dtype=np.float64, copy=True)
    target = reward + (0.0 if terminated else gamma * q[next_state].max())
    q[state, action] += alpha * (target - q[state, action])
    return q


def _cases(rng: np.random.Generator):
    for states, actions in ((2, 2), (5, 3), (9, 4)):
        for terminated in (False, True):
            s, s2 = rng.integers(0, states, size=2)
            yield Case(dict(q=rng.normal(size=(states, actions)), state=int(s), action=int(rng.integers(actions)),
                            reward=float(rng.normal()), next_state=int(s2), terminated=terminated,
                            alpha=float(rng.uniform(0.05, 0.9)), gamma=float(rng.uniform(0.5, 0.99))),
                       f"{states} states x {actions} actions, terminated={terminated}, random Q")
    q = rng.normal(size=(4, 2))
    yield Case(dict(q=q, state=2, action=1, reward=0.0, next_state=2, terminated=False, alpha=0.5, gamma=0.9),
               "a self-loop (s' = s) with zero reward")


q_update = register(Exercise(
    name="q_learning_update", lesson="10_ladder_2_model_free",
    prompt="q_learning_update(q, state, action, reward, next_state, terminated, alpha, gamma) -> the updated "
           "Q table (a copy)",
    reference=q_learning_update,
    cases=_cases,
    mistakes=(
        Mistake("terminal bootstraps", lambda **kw: q_learning_update(**{**kw, "terminated": False}),
                "a terminal transition has no next state to bootstrap from: the target is r alone"),
        Mistake("learning rate missing", lambda **kw: q_learning_update(**{**kw, "alpha": 1.0}),
                "move Q[s, a] only a step alpha towards the target, not all the way"),
        Mistake("max over the current state",
                lambda q, state, next_state, **kw: q_learning_update(q, state, next_state=state, **kw),
                "bootstrap from the NEXT state: max over a' of Q[s', a'], not Q[s, a']"),
        Mistake("mean instead of max",
                lambda q, state, action, reward, next_state, terminated, alpha, gamma: _mean_backup(
                    q, state, action, reward, next_state, terminated, alpha, gamma),
                "Q-learning backs up the best next action (max), not the average (that would be expected SARSA "
                "under a uniform policy)"),
        Mistake("TD error with flipped sign",
                lambda q, state, action, reward, next_state, terminated, alpha, gamma: q_learning_update(
                    q, state, action, reward, next_state, terminated, -alpha, gamma),
                "the update adds alpha * (target - Q[s, a]); you subtract it"),
    ),
))


def _mean_backup(q, state, action, reward, next_state, terminated, alpha, gamma):
    q = np.array(q, dtype=np.float64, copy=True)
    target = reward + (0.0 if terminated else gamma * q[next_state].mean())
    q[state, action] += alpha * (target - q[state, action])
    return q
