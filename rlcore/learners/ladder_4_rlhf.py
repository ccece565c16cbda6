"""RLHF on the help-desk: a reward model retrained on ratings every round, a policy pulled toward it under a KL leash.

One training round:

1. collect ``sessions_per_round`` sessions from the current policy pi(a | user) (with a small share of uniformly
   random actions, and optionally a share of sessions forced onto tool B and the user's own language); users rate each one 0/1;
2. retrain the reward model from scratch on the ratings of the last ``rm_window`` rounds: a logistic
   regression p_hat(a) = sigmoid(w . phi(a)) with an L2 penalty, where phi(a) describes the *reply* only
   (the reply language and which tool's results it quotes; the language-blind model drops the language);
3. improve the policy by ``policy_steps`` steps of exact gradient ascent, for each user language u, on

       J_u(theta) = sum_a pi(a|u) r_hat(a) - beta * KL(pi(.|u) || pi_0(.|u)),   r_hat = p_hat,

   whose maximizer is pi*(a|u) proportional to pi_0(a|u) exp(r_hat(a) / beta) (see :func:`kl_optimal_policy`).

The initial policy pi_0 is inherited from "pretraining": it uses tool B with probability ``rare_tool_prob`` and
replies in the user's own language with probability ``native_reply_prob``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_4_helpdesk import N_ACTIONS, HelpDesk
from ..logs import TrainingLog
from ..seeding import SeedLike, as_generator
from .softmax import softmax

__all__ = ["RLHFConfig", "reply_features", "fit_reward_model", "initial_policy", "kl_objective_gradient",
           "kl_optimal_policy", "kl_divergence", "train_rlhf"]


@dataclass(frozen=True)
class RLHFConfig(Config):
    """Hyperparameters of the help-desk RLHF loop."""

    rounds: int = param(40, low=1, high=400, ui=(5, 100), doc="training rounds (reward model refits), [1, 400]")
    sessions_per_round: int = param(500, low=10, high=20000, ui=(50, 2000, 50),
                                    doc="rated sessions collected per round, [10, 20000]")
    kl_beta: float = param(0.02, low=0.0, low_open=True, high=10.0, ui=(0.005, 1.0), widget="log",
                           doc="KL penalty coefficient beta toward the initial policy, (0, 10]")
    policy_lr: float = param(2.0, low=0.0, low_open=True, high=100.0, ui=(0.1, 10.0),
                             doc="step size of the policy's gradient ascent, (0, 100]")
    policy_steps: int = param(10, low=1, high=1000, ui=(1, 100), doc="policy gradient steps per round, [1, 1000]")
    rm_window: int = param(3, low=1, high=400, ui=(1, 40), doc="rounds of ratings the reward model is fit on")
    rm_ridge: float = param(1.0, low=0.0, high=1e4, ui=(0.0, 20.0), doc="L2 penalty of the reward model, >= 0")
    rare_tool_prob: float = param(0.05, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.01, 0.5, 0.01),
                                  doc="initial policy's probability of tool B, in (0, 1)")
    native_reply_prob: float = param(0.95, low=0.0, high=1.0, low_open=True, high_open=True,
                                     ui=(0.5, 0.99, 0.01),
                                     doc="initial policy's probability of replying in the user's language")
    random_action_prob: float = param(0.01, low=0.0, high=1.0, ui=(0.0, 0.3, 0.01),
                                      doc="share of sessions answered with a uniformly random action, [0, 1]")
    forced_tool_b: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 0.5, 0.01),
                                 doc="share of sessions forced onto tool B in the user's language, [0, 1]")
    reward_model: str = choice("language-aware", ("language-aware", "language-blind"),
                               doc="whether the reward model sees the reply language")


def reply_features(language_blind: bool) -> np.ndarray:
    """phi(a) for the four actions, shape (4, d): [1, tool_B, reply_L2] (or [1, tool_B] when language-blind)."""
    tool_b = np.array([0.0, 0.0, 1.0, 1.0])
    reply_l2 = np.array([0.0, 1.0, 0.0, 1.0])
    cols = [np.ones(N_ACTIONS), tool_b] + ([] if language_blind else [reply_l2])
    return np.stack(cols, axis=1)


def fit_reward_model(features: np.ndarray, trials: np.ndarray, successes: np.ndarray, ridge: float,
                     iters: int = 50) -> np.ndarray:
    """The weights w minimizing the penalized binomial log-loss (Newton's method), shape (d,).

        L(w) = -sum_k [s_k log sigma(x_k w) + (n_k - s_k) log(1 - sigma(x_k w))] + ridge/2 * |w_{1:}|^2

    ``features`` x_k (K, d), ``trials`` n_k and ``successes`` s_k (K,): one row per distinct reply. The
    intercept w_0 is not penalized. At the optimum the gradient X^T (s - n sigma(Xw)) - ridge * w_{1:} is 0.
    """
    x = np.asarray(features, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    s = np.asarray(successes, dtype=np.float64)
    pen = np.full(x.shape[1], float(ridge))
    pen[0] = 1e-6  # keeps the Hessian invertible when no data at all has arrived
    w = np.zeros(x.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (n * p - s) + pen * w
        hess = (x * (n * p * (1 - p))[:, None]).T @ x + np.diag(pen)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return w


def initial_policy(rare_tool_prob: float, native_reply_prob: float) -> np.ndarray:
    """pi_0[user, action], shape (2, 4): P(tool B) = rare_tool_prob, P(reply in user's language) = native."""
    tool = np.array([1 - rare_tool_prob, rare_tool_prob])
    pi0 = np.zeros((2, N_ACTIONS))
    for user in (0, 1):
        lang = np.array([native_reply_prob, 1 - native_reply_prob])[::(1 if user == 0 else -1)]
        pi0[user] = np.outer(tool, lang).reshape(-1)
    return pi0


def kl_divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """KL(p || q) = sum_a p_a log(p_a / q_a) along the last axis."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return np.sum(np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0), axis=-1)


def kl_objective_gradient(logits: np.ndarray, reward: np.ndarray, log_pi0: np.ndarray, beta: float
                          ) -> np.ndarray:
    """d/d(theta) of J = sum_a pi_a r_a - beta KL(pi || pi_0), pi = softmax(theta); batched over leading axes.

    With c_a = r_a - beta (log pi_a - log pi0_a): dJ/dtheta_b = pi_b (c_b - sum_a pi_a c_a).
    """
    pi = softmax(logits)
    c = reward - beta * (np.log(pi) - log_pi0)
    return pi * (c - np.sum(pi * c, axis=-1, keepdims=True))


def kl_optimal_policy(pi0: np.ndarray, reward: np.ndarray, beta: float) -> np.ndarray:
    """argmax_pi sum_a pi_a r_a - beta KL(pi || pi_0) = pi_0 exp(r / beta) / Z (along the last axis)."""
    return softmax(np.log(pi0) + np.asarray(reward) / beta)


def train_rlhf(env: HelpDesk, config: RLHFConfig, seed: SeedLike) -> TrainingLog:
    """Run the RLHF loop for ``config.rounds`` rounds; return a log with one step per round.

    Per-round series: ``policy`` (2, 4) before the round's sessions; ``rm_weights`` (d,); ``rm_reward``
    (4,) = p_hat(a); ``counts`` (2, 4) sessions per (user, action) collected in the round; ``ratings`` the
    mean rating of the round; ``proxy`` = E_{u, a ~ pi}[r_hat] and ``gold`` = E_{u, a ~ pi}[G] of the policy
    after the round's update; ``kl`` = E_u KL(pi(.|u) || pi_0(.|u)) after the update.
    """
    env = getattr(env, "unwrapped", env)
    rng = as_generator(seed)
    language_blind = config.reward_model == "language-blind"
    phi = reply_features(language_blind)
    pi0 = initial_policy(config.rare_tool_prob, config.native_reply_prob)
    log_pi0 = np.log(pi0)
    logits = log_pi0.copy()
    p_user = np.array([1 - env.config.p_second_language, env.config.p_second_language])
    history_n, history_s = [], []
    log = TrainingLog(meta={"config": config.to_dict(), "env": env.config.to_dict(), "pi0": pi0,
                            "gold_table": env.gold, "features": phi})
    for _ in range(config.rounds):
        pi = softmax(logits)
        n = config.sessions_per_round
        users = env.sample_users(n, rng)
        behaviour = (1 - config.random_action_prob) * pi + config.random_action_prob / N_ACTIONS
        cdf = np.cumsum(behaviour[users], axis=1)
        actions = np.minimum((rng.random(n)[:, None] > cdf).sum(axis=1), N_ACTIONS - 1)
        forced = rng.random(n) < config.forced_tool_b
        actions = np.where(forced, 2 + users, actions)  # tool B, in the user's own language
        ratings = env.rate(users, actions, rng)
        counts = np.zeros((2, N_ACTIONS))
        np.add.at(counts, (users, actions), 1.0)
        history_n.append(np.bincount(actions, minlength=N_ACTIONS).astype(float))
        history_s.append(np.bincount(actions, weights=ratings, minlength=N_ACTIONS))
        trials = np.sum(history_n[-config.rm_window:], axis=0)
        successes = np.sum(history_s[-config.rm_window:], axis=0)
        w = fit_reward_model(phi, trials, successes, config.rm_ridge)
        r_hat = 1.0 / (1.0 + np.exp(-(phi @ w)))
        for _ in range(config.policy_steps):
            logits = logits + config.policy_lr * kl_objective_gradient(logits, r_hat, log_pi0, config.kl_beta)
        new_pi = softmax(logits)
        log.step(policy=pi, rm_weights=w, rm_reward=r_hat, counts=counts, ratings=float(ratings.mean()),
                 proxy=float(p_user @ (new_pi @ r_hat)), gold=float(p_user @ np.sum(new_pi * env.gold, axis=1)),
                 kl=float(p_user @ kl_divergence(new_pi, pi0)))
    log.meta["final_policy"] = softmax(logits)
    return log
