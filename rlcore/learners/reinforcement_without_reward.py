"""Lesson 04's learners, numpy-vectorized over runs: REINFORCE on a donut habit, a delta rule on intended vs.
actual motion, and five goal-conditioned grid learners (reward-gated, Monte Carlo, TD, TD and MC with
hindsight relabelling).
"""

from __future__ import annotations

import numpy as np

from ..envs.reinforcement_without_reward import donut_loops, grid_step

__all__ = ["donut_reinforce", "delta_rule_update", "train_reach", "GRID_LEARNERS", "train_goal_grid",
           "grid_success"]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def donut_reinforce(theta0: float, lr: np.ndarray, cost: np.ndarray, *, n_visits: int, max_loops: int,
                    noise_std, updates: int, batch: int, baseline, rng: np.random.Generator,
                    record_every: int = 1) -> np.ndarray:
    """REINFORCE on the habit's logit ``theta`` (``p = sigmoid(theta)``), one update per ``batch`` races:

        theta <- theta + lr * mean_races[(R - b) * sum_visits(K (1 - p) - p [K < max_loops])]

    where K is a visit's loop count (each loop is a "fire" decision, the exit a "leave" decision) and b a
    running mean of R (or 0 where ``baseline`` is False). ``lr``, ``cost``, ``noise_std`` and ``baseline``
    broadcast to the shape of the runs. Returns theta every ``record_every`` updates, shape ``(updates // record_every + 1, *runs)``.
    """
    lr, cost, noise = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(cost, dtype=float),
                                          np.asarray(noise_std, dtype=float))
    use_baseline = np.broadcast_to(np.asarray(baseline, dtype=bool), lr.shape)
    theta = np.full(lr.shape, float(theta0))
    b = np.full(lr.shape, np.nan)
    out = [theta.copy()]
    for t in range(1, updates + 1):
        p = _sigmoid(theta)
        loops = donut_loops(p[..., None, None], max_loops, rng, lr.shape + (batch, n_visits))
        score = (loops * (1 - p[..., None, None]) - p[..., None, None] * (loops < max_loops)).sum(-1)
        reward = 1.0 - cost[..., None] * loops.sum(-1) - noise[..., None] * rng.normal(size=lr.shape + (batch,))
        b = np.where(np.isnan(b), reward.mean(-1), b)
        advantage = reward - np.where(use_baseline, b, 0.0)[..., None]
        b = b + 0.05 * (reward.mean(-1) - b)
        theta = theta + lr * (advantage * score).mean(-1)
        if t % record_every == 0:
            out.append(theta.copy())
    return np.array(out)


def delta_rule_update(W: np.ndarray, intended: np.ndarray, actual: np.ndarray, lr: float) -> np.ndarray:
    """The delta rule on intended vs. actual motion: ``W + lr * (intended - actual) intended^T``.

    ``W`` is (..., 2, 2), ``intended`` and ``actual`` (..., 2). No reward enters: the teaching signal is the
    mismatch between the motion meant and the motion seen."""
    error = np.asarray(intended) - np.asarray(actual)
    return np.asarray(W) + lr * error[..., :, None] * np.asarray(intended)[..., None, :]


def train_reach(arm: np.ndarray, *, reaches: int, lr: float, noise_std: float, tolerance: float, mode: str,
                runs: int, rng: np.random.Generator):
    """Train the motor map ``W`` (starting at the identity) over ``reaches`` reaches, ``runs`` infants at once.

    ``mode``: "delta" updates after every reach; "none" never; "reward-gated" applies the same update only
    after a reach that hit the bottle (reward 1). Returns ``(rms_error, rewards)``: the exact RMS reach error
    ``||I - A W||_F / sqrt(2)`` before each reach and after the last, shape (reaches + 1, runs); and the reward
    of each reach, shape (reaches, runs)."""
    W = np.broadcast_to(np.eye(2), (runs, 2, 2)).copy()
    errors, rewards = [], []
    for _ in range(reaches):
        errors.append(np.linalg.norm(np.eye(2) - arm @ W, axis=(1, 2)) / np.sqrt(2))
        angle = rng.uniform(0, 2 * np.pi, runs)
        u = np.stack([np.cos(angle), np.sin(angle)], -1)
        y = np.einsum("ij,rjk,rk->ri", arm, W, u) + noise_std * rng.normal(size=(runs, 2))
        r = (np.linalg.norm(y - u, axis=-1) < tolerance).astype(float)
        rewards.append(r)
        if mode == "delta":
            W = delta_rule_update(W, u, y, lr)
        elif mode == "reward-gated":
            W = np.where(r[:, None, None] > 0, delta_rule_update(W, u, y, lr), W)
        elif mode != "none":
            raise ValueError(f"unknown mode {mode!r}")
    errors.append(np.linalg.norm(np.eye(2) - arm @ W, axis=(1, 2)) / np.sqrt(2))
    return np.array(errors), np.array(rewards)


#: The grid learners: how each turns an episode into updates of Q(goal, cell, action).
GRID_LEARNERS = ("reward-gated", "Monte Carlo", "TD", "MC + relabelling", "TD + relabelling")


def _greedy(q: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """argmax over the last axis with ties broken uniformly at random."""
    noise = rng.random(q.shape) * 1e-9
    return np.argmax(q + noise, axis=-1)


def grid_success(Q: np.ndarray, n: int, horizon: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy success rate (ties random) of every goal from every start, one rollout each: shape (runs, goals).
    A start equal to its goal counts as success."""
    runs, cells = Q.shape[0], n * n
    r_idx = np.repeat(np.arange(runs), cells * cells)
    goal = np.tile(np.repeat(np.arange(cells), cells), runs)
    cell = np.tile(np.tile(np.arange(cells), cells), runs)
    done = cell == goal
    for _ in range(horizon):
        a = _greedy(Q[r_idx, goal, cell], rng)
        cell = np.where(done, cell, grid_step(cell, a, n))
        done |= cell == goal
    return done.reshape(runs, cells, cells).mean(-1)


def train_goal_grid(learner: str, *, n: int, episodes: int, envs: int, runs: int, horizon: int, gamma: float,
                    alpha: float, epsilon: float, relabels: int, rng: np.random.Generator,
                    eval_every: int = 0):
    """Train ``runs`` tabular learners, each on ``envs`` episodes at a time, ``episodes`` per run in all.

    Every episode: a uniform start and a uniform commanded goal; epsilon-greedy on Q(goal, cell, .); the
    designer's reward is 1 on reaching the goal only when it is ``g* = n*n - 1``. Updates after the episode:
    * "reward-gated": Monte Carlo updates from an episode only if it earned reward (r > 0);
    * "Monte Carlo": Q <- Q + alpha (G_t - Q) at every step, G_t the discounted return (0 or gamma^k);
    * "TD": Q-learning, Q <- Q + alpha (r + gamma max Q(g, s', .) [not terminal] - Q), backwards in time;
    * "... + relabelling": also ``relabels`` hindsight goals per step, each a cell the episode reached later;
      for that goal the designer's goal-conditioned reward 1[s' = goal] is used (MC: gamma^(hit time - 1)).
    Returns a dict: final Q (runs, goals, cells, 4); reward events used per run; and, with ``eval_every``,
    the greedy success curve (evaluations, runs, goals) with its episode counts.
    """
    if learner not in GRID_LEARNERS:
        raise ValueError(f"unknown learner {learner!r}")
    cells, g_star = n * n, n * n - 1
    Q = np.zeros((runs, cells, cells, 4))
    relabel = learner.endswith("relabelling")
    td = learner.startswith("TD")
    events = np.zeros(runs)
    curve, at = [], []
    rr = np.repeat(np.arange(runs), envs)
    for episode in range(0, episodes, envs):
        goal = rng.integers(cells, size=runs * envs)
        cell = rng.integers(cells, size=runs * envs)
        states, actions = [cell], []
        alive = [np.ones(runs * envs, bool)]
        done = cell == goal
        for _ in range(horizon):
            explore = rng.random(runs * envs) < epsilon
            a = np.where(explore, rng.integers(4, size=runs * envs), _greedy(Q[rr, goal, cell], rng))
            cell = np.where(done, cell, grid_step(cell, a, n))
            actions.append(a)
            states.append(cell)
            alive.append(~done)
            done = done | (cell == goal)
        S, A, live = np.array(states), np.array(actions), np.array(alive)  # (H+1, B), (H, B), (H+1, B)
        H = horizon
        # goal sets for updates: the commanded goal, then hindsight goals drawn from later reached cells
        goal_sets = [np.broadcast_to(goal, (H, runs * envs))]
        if relabel:
            for _ in range(relabels):
                later = rng.integers(np.arange(1, H + 1)[:, None], H + 1, size=(H, runs * envs))
                goal_sets.append(S[later, np.arange(runs * envs)])
        # every goal set's updates are applied together, one time step at a time from the end (entries that
        # collide within one step, e.g. a hindsight goal drawn twice, keep one of their updates)
        G = np.concatenate(goal_sets, axis=1)                      # (H, B * sets)
        sets = len(goal_sets)
        Sx, Ax, lx, rx = np.tile(S, sets), np.tile(A, sets), np.tile(live, sets), np.tile(rr, sets)
        commanded = np.arange(G.shape[1]) < runs * envs
        pays = (G == g_star) | ~commanded                          # the designer's reward for this goal
        hit = Sx[1:] == G                                          # (H, Bx): step t reaches its goal
        eq = (Sx[1:][None, :, :] == G[:, None, :]) & np.triu(np.ones((H, H), bool))[:, :, None]
        first = np.argmax(eq, axis=1)                              # first t' >= t whose step reaches t's goal
        ret = np.where(eq.any(1) & pays, gamma ** (first - np.arange(H)[:, None]), 0.0)
        reward = hit & pays
        valid = lx[:-1] & (Sx[:-1] != G)                           # steps taken before standing on the goal
        if learner == "reward-gated":
            valid = valid & reward.any(0)[None, :]                 # learn only from episodes that earned r > 0
        events += np.bincount(rx, (reward & valid).sum(0), minlength=runs)
        for t in range(H - 1, -1, -1):
            v = valid[t]
            if not v.any():
                continue
            idx = (rx[v], G[t][v], Sx[t][v], Ax[t][v])
            if td:
                boot = np.where(hit[t][v], 0.0, gamma * Q[rx[v], G[t][v], Sx[t + 1][v]].max(-1))
                target = reward[t][v] + boot
            else:
                target = ret[t][v]
            Q[idx] += alpha * (target - Q[idx])
        if eval_every and ((episode + envs) % eval_every == 0 or episode + envs >= episodes):
            curve.append(grid_success(Q, n, horizon, rng))
            at.append(episode + envs)
    return {"Q": Q, "reward_events": events, "curve": np.array(curve), "episodes_at": np.array(at)}
