"""Lesson 10's exercises: the Q-learning update that backs bad luck up to the fork."""

from __future__ import annotations

import numpy as np

from ..learners.ladder_2_qlearning import epsilon_greedy
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


# --- epsilon-greedy with ties broken at random (the learner's action choice) ---------------------------------

def _eg_cases(rng: np.random.Generator):
    for batch, actions, eps in ((1, 2, 0.1), (20, 2, 0.3), (50, 3, 0.05), (200, 4, 0.5)):
        q = rng.integers(-2, 3, size=(batch, actions)).astype(np.float64)  # small integers: many ties
        yield Case(dict(q_rows=q, epsilon=eps, u_explore=rng.random(batch), u_pick=rng.random(batch)),
                   f"{batch} rows x {actions} actions (integer Q, many ties), epsilon={eps}")
    q = np.zeros((100, 2))
    yield Case(dict(q_rows=q, epsilon=0.0, u_explore=rng.random(100), u_pick=rng.random(100)),
               "an untrained (all-zero) table, epsilon 0: every row is a tie")
    q = rng.normal(size=(60, 3))
    yield Case(dict(q_rows=q, epsilon=1.0, u_explore=rng.random(60), u_pick=rng.random(60)),
               "epsilon 1: every action is a random one")
    yield Case(dict(q_rows=np.array([[0.0, 1.0, 1.0], [2.0, 2.0, -1.0]]), epsilon=0.2,
                    u_explore=np.array([0.2, 0.5]), u_pick=np.array([0.6, 0.1])),
               "u_explore exactly at epsilon (not an exploring step) with ties")


def _eg_variant(q_rows, epsilon, u_explore, u_pick, *, explore_if_above=False, first_max=False, last_max=False,
                explore_others=False):
    q_rows = np.asarray(q_rows, dtype=np.float64)
    n_actions = q_rows.shape[-1]
    explore = u_explore >= epsilon if explore_if_above else u_explore < epsilon
    greedy = epsilon_greedy(q_rows, 0.0, np.ones_like(u_explore), u_pick)
    if first_max:
        greedy = q_rows.argmax(-1)
    if last_max:
        greedy = n_actions - 1 - q_rows[:, ::-1].argmax(-1)
    random_action = np.minimum((u_pick * n_actions).astype(np.int64), n_actions - 1)
    if explore_others:  # a random action among the non-greedy ones
        k = np.minimum((u_pick * (n_actions - 1)).astype(np.int64), n_actions - 2)
        random_action = k + (k >= greedy)
    return np.where(explore, random_action, greedy)


eg_exercise = register(Exercise(
    name="epsilon_greedy", lesson="10_ladder_2_model_free",
    prompt="epsilon_greedy(q_rows, epsilon, u_explore, u_pick) -> one action per row: uniform random when "
           "u_explore < epsilon, else a greedy action with ties broken uniformly, both chosen by u_pick",
    reference=epsilon_greedy,
    cases=_eg_cases,
    mistakes=(
        Mistake("explores when u >= epsilon", lambda **kw: _eg_variant(**kw, explore_if_above=True),
                "explore with probability epsilon: a random action when u_explore < epsilon, the greedy one "
                "otherwise"),
        Mistake("first maximum (np.argmax)", lambda **kw: _eg_variant(**kw, first_max=True),
                "np.argmax returns the FIRST of tied actions, so an untrained table always goes the same way: "
                "pick the floor(u_pick * m)-th of the m tied actions"),
        Mistake("last maximum", lambda **kw: _eg_variant(**kw, last_max=True),
                "break ties uniformly with u_pick (the floor(u_pick * m)-th of the m tied actions), not by "
                "always taking the last one"),
        Mistake("random step avoids the greedy action", lambda **kw: _eg_variant(**kw, explore_others=True),
                "an exploring step picks uniformly among ALL actions (floor(u_pick * A)), the greedy one included"),
    ),
))
