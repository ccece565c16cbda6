"""A linear-softmax policy over fresh candidates, trained online or by re-fitting on all history.

The policy scores each offered option by its features, pi_w(i | F) = softmax_i(F_i . w), so what it learns is
a weight per feature, never a preference for a particular option (options never repeat). Two regimes:

* ``online``: one REINFORCE step per timestep,  w <- w + lr * (r_t - b_t) * (F_{t,a_t} - E_pi[F_t]), with b_t the
  running mean reward (or 0 without a baseline);
* ``refit``:  before every action, w = argmax_w sum_{s<t} r_s log pi_w(a_s | F_s) - ridge/2 |w|^2 over the whole
  history (Newton's method, warm-started; :func:`rlcore.learners.history_refit.refit_linear`); with
  ``window = W > 0`` the sum runs over the last W steps only (a *forgetting* re-fit: old data drops out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..seeding import SeedLike, as_generator
from .history_refit import refit_linear
from .softmax import sample_actions, softmax

__all__ = ["LinearSoftmaxConfig", "train_linear_softmax_batch"]


@dataclass(frozen=True)
class LinearSoftmaxConfig(Config):
    """How the feature weights are learned."""

    regime: str = choice("online", ["online", "refit"], doc="one REINFORCE step per timestep, or a full re-fit")
    learning_rate: float = param(0.05, low=0.0, low_open=True, widget="text",
                                 doc="online REINFORCE step size, > 0")
    baseline: bool = param(True, doc="online: subtract the running mean reward (cuts variance, keeps the mean)")
    ridge: float = param(1.0, low=0.0, low_open=True, widget="text",
                         doc="L2 penalty of the re-fit (keeps the optimum finite on separable data), > 0")
    newton_steps: int = param(2, low=1, high=20, doc="Newton steps per re-fit (warm-started)")
    window: int = param(0, low=0, doc="re-fit on the last `window` steps only (0: on all history)")


def train_linear_softmax_batch(envs: list, config: LinearSoftmaxConfig, steps: int, seed: SeedLike) -> dict:
    """Run ``len(envs)`` independent runs (one novel-choice env each) for ``steps`` steps, vectorized over runs.

    Returns ``weights`` (steps, runs, d): w before each action; ``expected_reward`` (steps, runs): sum_i
    pi_w(i | F_t) v_{t,i} with the env's hidden true values v (exact, no sampling noise); ``rewards``,
    ``actions`` (steps, runs).
    """
    rng = as_generator(seed)
    obs = np.stack([env.reset(seed=int(rng.integers(2**31)))[0] for env in envs])  # (R, K, d)
    runs, k, d = obs.shape
    rows = np.arange(runs)
    w = np.zeros((runs, d))
    # the history, feature-major (see linear_surrogate): offered features, chosen features, rewards
    hist_f, hist_c, hist_r = np.empty((d, k, runs, steps)), np.empty((d, runs, steps)), np.zeros((runs, steps))
    out = {"weights": np.empty((steps, runs, d)), "expected_reward": np.empty((steps, runs)),
           "rewards": np.empty((steps, runs)), "actions": np.empty((steps, runs), dtype=int)}
    for t in range(steps):
        if config.regime == "refit" and t > 0:
            lo = max(0, t - config.window) if config.window else 0
            w = refit_linear(w, hist_f[..., lo:t], hist_c[..., lo:t], hist_r[:, lo:t], config.ridge,
                             config.newton_steps)
        probs = softmax(np.einsum("rkd,rd->rk", obs, w))
        values = np.stack([env.unwrapped.values for env in envs])
        actions = sample_actions(probs, rng)
        out["weights"][t], out["expected_reward"][t], out["actions"][t] = w, (probs * values).sum(-1), actions
        hist_f[..., t], hist_c[..., t] = obs.transpose(2, 1, 0), obs[rows, actions].T
        next_obs = []
        for i, env in enumerate(envs):
            o, r, terminated, truncated, _ = env.step(int(actions[i]))
            hist_r[i, t] = r
            next_obs.append(o if not (terminated or truncated) else env.reset()[0])
        out["rewards"][t] = hist_r[:, t]
        if config.regime == "online":
            mean_f = np.einsum("rk,rkd->rd", probs, obs)
            b = hist_r[:, :t].mean(axis=1) if (config.baseline and t > 0) else 0.0
            w = w + config.learning_rate * (hist_r[:, t] - b)[:, None] * (obs[rows, actions] - mean_f)
        obs = np.stack(next_obs)
    return out
