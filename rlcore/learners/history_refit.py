"""Learners that re-optimize from scratch on the whole history before every action.

Two readings of "optimize all the parameters to convergence at every step" on a K-armed bandit, after the
history (a_1, r_1), ..., (a_t, r_t):

* the **surrogate re-fit** maximizes  L(pi) = sum_s r_s log pi(a_s) = sum_a C_a log pi_a  over the simplex,
  with C_a the cumulative reward of arm a. For r >= 0 the maximizer is pi_a = C_a / sum_b C_b (Lagrange:
  C_a / pi_a = lambda). An arm that has never paid gets probability 0, so this is a rich-get-richer urn.
* the **expected-reward re-fit** maximizes the expected reward under the model the history gives (each
  arm's empirical mean): pi = uniform over the arms with the largest empirical mean (an untried arm counts
  as best, so each arm is tried once). This is the plug-in reading of pi* = argmax E[sum r | pi].

Both are exact closed forms; :mod:`rlcore.learners.torch_softmax` checks the first against a numeric
maximizer. The same idea for a linear-softmax policy on the novel-choice bandit is :func:`refit_linear`.
"""

from __future__ import annotations

import numpy as np

from ..seeding import SeedLike, as_generator
from .reinforce import step_envs
from .softmax import sample_actions

__all__ = ["surrogate_policy", "plugin_policy", "train_refit_bandit_batch", "refit_linear", "linear_surrogate"]


def surrogate_policy(reward_sums: np.ndarray) -> np.ndarray:
    """The maximizer of sum_a C_a log pi_a over the simplex: pi_a = C_a / sum_b C_b (rows of ``reward_sums``).

    Requires C >= 0. Where a row sums to 0 every policy is a maximizer; we return the uniform one.
    """
    c = np.asarray(reward_sums, dtype=np.float64)
    if np.any(c < 0):
        raise ValueError("reward_sums must be >= 0: with negative rewards the surrogate has no maximizer")
    total = c.sum(axis=-1, keepdims=True)
    uniform = np.full_like(c, 1.0 / c.shape[-1])
    return np.where(total > 0, c / np.where(total > 0, total, 1.0), uniform)


def plugin_policy(reward_sums: np.ndarray, pulls: np.ndarray) -> np.ndarray:
    """argmax_pi sum_a pi_a mu_hat_a with mu_hat_a = C_a / N_a: uniform over the arms with the largest
    empirical mean, where an arm with N_a = 0 counts as +inf (it is tried first)."""
    c, n = np.asarray(reward_sums, dtype=np.float64), np.asarray(pulls, dtype=np.float64)
    mu_hat = np.where(n > 0, c / np.maximum(n, 1.0), np.inf)
    best = mu_hat >= mu_hat.max(axis=-1, keepdims=True)
    return best / best.sum(axis=-1, keepdims=True)


def train_refit_bandit_batch(envs: list, steps: int, seed: SeedLike, objective: str = "surrogate") -> dict:
    """Re-fit on the whole history before every pull, for ``len(envs)`` independent runs at once.

    ``objective="surrogate"`` uses :func:`surrogate_policy`, ``"expected_reward"`` :func:`plugin_policy`.
    Returns ``probs`` (steps, runs, K) (the policy before each pull), ``actions``, ``rewards`` (steps, runs).
    """
    if objective not in ("surrogate", "expected_reward"):
        raise ValueError(f"objective = {objective!r} is outside its allowed values {{'surrogate', 'expected_reward'}}")
    rng = as_generator(seed)
    for env in envs:
        env.reset(seed=int(rng.integers(2**31)))
    runs, k = len(envs), envs[0].action_space.n
    sums, pulls = np.zeros((runs, k)), np.zeros((runs, k))
    probs_log = np.empty((steps, runs, k))
    actions_log, rewards_log = np.empty((steps, runs), dtype=int), np.empty((steps, runs))
    rows = np.arange(runs)
    for t in range(steps):
        probs = surrogate_policy(sums) if objective == "surrogate" else plugin_policy(sums, pulls)
        actions = sample_actions(probs, rng)
        rewards = step_envs(envs, actions)
        sums[rows, actions] += rewards
        pulls[rows, actions] += 1
        probs_log[t], actions_log[t], rewards_log[t] = probs, actions, rewards
    return {"probs": probs_log, "actions": actions_log, "rewards": rewards_log}


# --- the linear-softmax policy of the novel-choice bandit ----------------------------------------------------

def linear_surrogate(w: np.ndarray, features: np.ndarray, chosen: np.ndarray, rewards: np.ndarray,
                     ridge: float, penalty_scales: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, gradient and Hessian of L(w) = sum_s r_s log pi_w(a_s | F_s) - ridge/2 sum_j (s_j w_j)^2, batched
    over runs, with s = ``penalty_scales`` (R, d) (default 1: the plain ridge ridge/2 |w|^2 in raw feature units;
    s_j = feature j's standard deviation puts the penalty on standardized weights, the same optimum as
    standardizing the features before a plain ridge).

    pi_w(i | F) = softmax_i(sum_j w_j F_ij). Shapes put the long history axis last and the short feature and
    option axes first (numpy reduces over a leading axis of length 5 far faster than over a trailing one):
    w (R, d), features (d, K, R, n), chosen (d, R, n) = the features of the chosen options F_{s, a_s},
    rewards (R, n). Returns value (R,), grad (R, d) and Hessian (R, d, d):
    grad = sum_s r_s (F_{s,a_s} - E_pi[F_s]) - ridge s^2 w;  Hessian = -sum_s r_s Cov_pi[F_s] - ridge diag(s^2).
    """
    d = w.shape[1]
    s2 = np.ones_like(w) if penalty_scales is None else np.broadcast_to(np.asarray(penalty_scales) ** 2, w.shape)
    raw = sum(w[:, j, None] * features[j] for j in range(d))  # scores, (K, R, n)
    top = raw.max(axis=0)
    log_norm = top + np.log(np.exp(raw - top).sum(axis=0))  # log sum_i exp(score_i), (R, n)
    pi = np.exp(raw - log_norm)
    mean_f = [(pi * features[j]).sum(0) for j in range(d)]  # E_pi[F_j], each (R, n)
    chosen_score = sum(w[:, j, None] * chosen[j] for j in range(d))
    value = (rewards * (chosen_score - log_norm)).sum(-1) - 0.5 * ridge * (s2 * w * w).sum(-1)
    grad = np.stack([(rewards * (chosen[j] - mean_f[j])).sum(-1) for j in range(d)], axis=-1) - ridge * s2 * w
    hess = np.empty(w.shape + (d,))
    for j in range(d):
        for k in range(j, d):
            cov = (pi * features[j] * features[k]).sum(0) - mean_f[j] * mean_f[k]  # Cov_pi[F_j, F_k], (R, n)
            hess[:, j, k] = hess[:, k, j] = -(rewards * cov).sum(-1)
    hess -= ridge * s2[:, :, None] * np.eye(d)
    return value, grad, hess


def refit_linear(w0: np.ndarray, features: np.ndarray, chosen: np.ndarray, rewards: np.ndarray,
                 ridge: float = 1.0, newton_steps: int = 2, penalty_scales: np.ndarray | None = None
                 ) -> np.ndarray:
    """Maximize :func:`linear_surrogate` over w by Newton's method from ``w0``; returns w (R, d).

    L is concave (a reward-weighted conditional-logit likelihood plus a ridge term), so Newton's step
    w <- w - H^{-1} grad converges fast; warm-started from the previous step's optimum, when one new data
    point has arrived, 2 steps reach it to ~1e-8 (the tests check the gradient there). ``penalty_scales``: see
    :func:`linear_surrogate`.
    """
    w = np.array(w0, dtype=np.float64)
    for _ in range(newton_steps):
        _, grad, hess = linear_surrogate(w, features, chosen, rewards, ridge, penalty_scales)
        w = w - np.linalg.solve(hess, grad[..., None])[..., 0]
    return w
