"""Lesson 02's learners, each vectorized over a batch of independent runs (one row per seed/setting).

* :func:`train_button_pg`: REINFORCE on the button corridor, a tabular softmax policy, optionally plus one
  weight on the lamp of the cell an action leads to:
  ``pi(a|s) ∝ exp(theta[s, a] + theta_lamp * lamp(next(s, a)))``;
  update ``theta += lr (G_t - b(s_t)) grad log pi(a_t|s_t)`` with ``G_t = sum_k gamma^k r_{t+k}`` and ``b(s)``
  a running mean of returns from ``s``.
* :func:`train_button_linear_pg`: REINFORCE, no value function, action scores linear in the features of the cell
  the action leads to (one weight per destination cell and one on its lamp, shared by every state):
  ``pi(a|s) ∝ exp(w . phi(next(s, a)))``.
* :func:`train_button_values`: a value-based agent, ``W(s') = w . phi(s')`` the value of arriving in ``s'``
  (reward included), acting greedily on ``W(next(s, a))``; Q-learning's target
  ``y = r + gamma (1 - done) max_a' W(next(s', a'))``, update ``w += lr (y - W(s')) phi(s')``, epsilon-greedy.
* :func:`fit_reward_model` and :func:`plan_corridor`: ridge regression ``w = (X^T X + ridge I)^-1 X^T r`` of
  reward on cell features, and value iteration on the corridor's known moves with a given reward per cell.
* :func:`train_coin_pg`: REINFORCE on the coin corridor, tabular over what the agent is allowed to read
  (``view``: position only; position and last end; position, last end and whether the score rose there).
* :func:`train_rater_bandit`: a softmax bandit on {do, fake, quit} trained on sampled approval (REINFORCE with a
  running-mean baseline), every setting of a sweep in one array.
"""

from __future__ import annotations

import numpy as np

from ..envs.reward_selects import (LEFT, RIGHT, button_features, button_next, button_step, coin_step,
                                   rater_step)

__all__ = ["train_button_pg", "train_button_linear_pg", "button_policy", "train_button_values", "fit_reward_model",
           "plan_corridor", "train_coin_pg", "coin_view", "COIN_VIEWS", "train_rater_bandit", "softmax"]


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------------------------------- the reward button
def _next_lamp(length: int, button: bool, similarity: float) -> np.ndarray:
    """lamp(next(s, a)) for every cell and action, shape (length, 2)."""
    lamp = button_features(length, button, similarity)[:, -1]
    cells = np.arange(length)
    return np.stack([lamp[button_next(cells, LEFT, length)], lamp[button_next(cells, RIGHT, length)]], axis=1)


def button_policy(theta: np.ndarray, theta_lamp: np.ndarray, length: int, button: bool,
                  similarity: float) -> np.ndarray:
    """pi(a|s) for every run and cell, shape (runs, length, 2)."""
    return softmax(theta + theta_lamp[:, None, None] * _next_lamp(length, button, similarity)[None])


def _button_rollout(policy, runs: int, length: int, button: bool, button_reward: float, gamma: float,
                    rng: np.random.Generator) -> list:
    """One episode per run in the corridor from cell 1 (at most 3 * length steps), actions drawn from
    ``policy(pos)`` (P(LEFT), P(RIGHT)) per run; returns, from the last step back to the first,
    ``(s_t, a_t, G_t, alive_t)`` with ``G_t = r_t + gamma * G_{t+1}`` (rewards after a run's episode ended are 0)."""
    pos, alive = np.ones(runs, dtype=int), np.ones(runs, dtype=bool)
    states, actions, rewards, masks = [], [], [], []
    for _t in range(3 * length):
        pi = policy(pos)
        act = (rng.random(runs) < pi[:, RIGHT]).astype(int)
        new, r, done, _ = button_step(pos, act, length, button, button_reward)
        states.append(pos), actions.append(act), rewards.append(r * alive), masks.append(alive.copy())
        alive &= ~done
        pos = new
        if not alive.any():
            break
    steps, ret = [], np.zeros(runs)
    for s, a, r, m in zip(states[::-1], actions[::-1], rewards[::-1], masks[::-1]):
        ret = r + gamma * ret
        steps.append((s, a, ret, m))
    return steps


def train_button_pg(runs: int, episodes: int, length: int, button: bool, use_lamp: bool, similarity: float,
                    learning_rate: float, gamma: float, rng: np.random.Generator, button_reward: float = 1.0):
    """REINFORCE for ``runs`` independent runs (the button, when present, pays ``button_reward``); returns
    ``(theta (runs, length, 2), theta_lamp (runs,))``."""
    theta, theta_lamp = np.zeros((runs, length, 2)), np.zeros(runs)
    baseline = np.zeros((runs, length))
    next_lamp = _next_lamp(length, button, similarity) if use_lamp else np.zeros((length, 2))
    rows = np.arange(runs)

    def policy(pos):
        return softmax(theta[rows, pos] + theta_lamp[:, None] * next_lamp[pos])

    for _ in range(episodes):
        for s, a, ret, m in _button_rollout(policy, runs, length, button, button_reward, gamma, rng):
            pi = softmax(theta[rows, s] + theta_lamp[:, None] * next_lamp[s])
            adv = (ret - baseline[rows, s]) * m
            score = np.eye(2)[a] - pi
            theta[rows, s] += learning_rate * adv[:, None] * score
            if use_lamp:
                theta_lamp += learning_rate * adv * (next_lamp[s, a] - (pi * next_lamp[s]).sum(1))
            baseline[rows, s] += 0.1 * (ret - baseline[rows, s]) * m
    return theta, theta_lamp


def train_button_linear_pg(runs: int, episodes: int, length: int, learning_rate: float, gamma: float,
                           rng: np.random.Generator) -> np.ndarray:
    """REINFORCE with no value function whose action scores are linear in the features of the cell the action
    leads to (the value-based agent's parameterization): ``pi(a|s) ∝ exp(w . phi(next(s, a)))``, trained in the
    corridor *without* the button; ``w += lr (G_t - b(s_t)) (phi(next(s_t, a_t)) - E_pi[phi(next(s_t, .))])``.
    Returns ``w`` of shape (runs, length + 1)."""
    phi = button_features(length, False, 0.0)
    cells, rows = np.arange(length), np.arange(runs)
    after = phi[np.stack([button_next(cells, LEFT, length), button_next(cells, RIGHT, length)], axis=1)]  # (L, 2, k)
    w, baseline = np.zeros((runs, length + 1)), np.zeros((runs, length))

    def policy(pos):
        return softmax(np.einsum("rak,rk->ra", after[pos], w))

    for _ in range(episodes):
        for s, a, ret, m in _button_rollout(policy, runs, length, False, 0.0, gamma, rng):
            f = after[s]                                                  # (runs, 2, k)
            pi = softmax(np.einsum("rak,rk->ra", f, w))
            adv = (ret - baseline[rows, s]) * m
            w += learning_rate * adv[:, None] * (f[rows, a] - np.einsum("ra,rak->rk", pi, f))
            baseline[rows, s] += 0.1 * (ret - baseline[rows, s]) * m
    return w


def train_button_values(runs: int, episodes: int, length: int, learning_rate: float, gamma: float,
                        epsilon: float, rng: np.random.Generator) -> np.ndarray:
    """Q-learning on afterstate values ``W = phi . w`` in the corridor *without* the button (lamp only at the
    goal); returns ``w`` of shape (runs, length + 1)."""
    phi = button_features(length, False, 0.0)
    w = np.zeros((runs, length + 1))
    cells, horizon = np.arange(length), 3 * length
    nxt = np.stack([button_next(cells, LEFT, length), button_next(cells, RIGHT, length)], axis=1)
    for _ in range(episodes):
        pos, alive = np.ones(runs, dtype=int), np.ones(runs, dtype=bool)
        for _t in range(horizon):
            q = np.einsum("rak,rk->ra", phi[nxt[pos]], w)
            greedy = np.where(q[:, RIGHT] > q[:, LEFT], RIGHT,
                              np.where(q[:, RIGHT] < q[:, LEFT], LEFT, rng.integers(0, 2, runs)))
            act = np.where(rng.random(runs) < epsilon, rng.integers(0, 2, runs), greedy)
            new, r, done, _ = button_step(pos, act, length, False, 0.0)
            q_next = np.einsum("rak,rk->ra", phi[nxt[new]], w).max(1)
            target = r + gamma * (~done) * q_next
            w += learning_rate * (alive * (target - (phi[new] * w).sum(1)))[:, None] * phi[new]
            alive &= ~done
            pos = new
            if not alive.any():
                break
    return w


def fit_reward_model(features: np.ndarray, rewards: np.ndarray, ridge: float) -> np.ndarray:
    """Ridge regression of reward on features: ``w = (X^T X + ridge I)^-1 X^T r``, shape (k,)."""
    x, r = np.asarray(features, dtype=float), np.asarray(rewards, dtype=float)
    return np.linalg.solve(x.T @ x + ridge * np.eye(x.shape[1]), x.T @ r)


def plan_corridor(cell_reward: np.ndarray, terminal: np.ndarray, gamma: float, iterations: int = 200
                  ) -> np.ndarray:
    """Value iteration with reward ``cell_reward[s']`` on entering ``s'`` (episode ends in ``terminal`` cells);
    returns action values Q, shape (..., length, 2). Batched over leading axes of ``cell_reward``."""
    length = cell_reward.shape[-1]
    cells = np.arange(length)
    nxt = np.stack([button_next(cells, LEFT, length), button_next(cells, RIGHT, length)], axis=1)
    v = np.zeros_like(cell_reward)
    for _ in range(iterations):
        arrive = cell_reward + gamma * np.where(terminal, 0.0, v)
        q = arrive[..., nxt]
        v = q.max(-1)
    return q


# ------------------------------------------------------------------------------------- the moved coin
#: What each coin agent reads besides its position: nothing, the last end reached, or that and the score.
COIN_VIEWS = ("memoryless", "memory, score hidden", "memory and score")


def coin_view(view: np.ndarray, last_end: np.ndarray, rose: np.ndarray) -> np.ndarray:
    """The code (0..5) of what an agent of kind ``view`` (index into COIN_VIEWS) reads from its register."""
    scored = np.where(last_end == 0, 0, 1 + 2 * (last_end - 1) + rose)  # 0 none, 1 L0, 2 L+, 3 R0, 4 R+
    return np.where(view == 0, 0, np.where(view == 1, last_end, scored))


def train_coin_pg(view: np.ndarray, coin_left_prob: np.ndarray, episodes: int, length: int, trips: int,
                  learning_rate: float, rng: np.random.Generator) -> np.ndarray:
    """REINFORCE (undiscounted return-to-go, per-observation running baseline) for one run per entry of
    ``view``/``coin_left_prob``; returns theta of shape (runs, length * 6, 2) (index ``position * 6 + code``)."""
    runs = len(view)
    theta, baseline = np.zeros((runs, length * 6, 2)), np.zeros((runs, length * 6))
    rows, horizon = np.arange(runs), trips * (length // 2)
    for _ in range(episodes):
        coin_left = rng.random(runs) < coin_left_prob
        pos, last_end, rose = np.full(runs, length // 2), np.zeros(runs, dtype=int), np.zeros(runs, dtype=int)
        obs_list, actions, rewards = [], [], []
        for _t in range(horizon):
            obs = pos * 6 + coin_view(view, last_end, rose)
            act = (rng.random(runs) < softmax(theta[rows, obs])[:, RIGHT]).astype(int)
            pos, r, end, r_rose = coin_step(pos, act, coin_left, length)
            last_end, rose = np.where(end > 0, end, last_end), np.where(end > 0, r_rose, rose)
            obs_list.append(obs), actions.append(act), rewards.append(r)
        ret = np.zeros(runs)
        for obs, a, r in zip(obs_list[::-1], actions[::-1], rewards[::-1]):
            ret = ret + r
            adv = ret - baseline[rows, obs]
            theta[rows, obs] += learning_rate * adv[:, None] * (np.eye(2)[a] - softmax(theta[rows, obs]))
            baseline[rows, obs] += 0.1 * adv
    return theta


# ------------------------------------------------------------------------------------- the rater
def train_rater_bandit(detect: np.ndarray, penalty: np.ndarray, cost_do: np.ndarray, cost_fake: np.ndarray,
                       steps: int, learning_rate: float, rng: np.random.Generator) -> np.ndarray:
    """Softmax REINFORCE with a running-mean baseline on {do, fake, quit}, one run per entry of the (broadcast)
    settings; returns the final action probabilities, shape (runs, 3)."""
    detect, penalty, cost_do, cost_fake = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                                 for v in (detect, penalty, cost_do, cost_fake)))
    runs = detect.size
    logits, baseline, eye = np.zeros((runs, 3)), np.zeros(runs), np.eye(3)
    flat = [v.ravel() for v in (detect, penalty, cost_do, cost_fake)]
    for _ in range(steps):
        pi = softmax(logits)
        act = (rng.random(runs)[:, None] > np.cumsum(pi, 1)).sum(1).clip(0, 2)
        reward, _ = rater_step(act, *flat, rng)
        logits += learning_rate * (reward - baseline)[:, None] * (eye[act] - pi)
        baseline += 0.05 * (reward - baseline)
    return softmax(logits)
