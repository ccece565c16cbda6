"""A linear-softmax policy over fresh candidates, trained online or by re-fitting on all history.

The policy scores each offered option by its features, pi_w(i | F) = softmax_i(F_i . w), so what it learns is
a weight per feature, never a preference for a particular option (options never repeat). Two regimes:

* ``online``: one REINFORCE step per timestep,  w <- w + lr * (r_t - b_t) * (F_{t,a_t} - E_pi[F_t]), with b_t the
  running mean reward (or 0 without a baseline);
* ``refit``:  before every action, w = argmax_w sum_{s<t} r_s log pi_w(a_s | F_s) - ridge/2 |w|^2 over the whole
  history (Newton's method, warm-started; :func:`rlcore.learners.history_refit.refit_linear`); with
  ``window = W > 0`` the sum runs over the last W steps only (a *forgetting* re-fit: old data drops out);
  with ``standardized = True`` the penalty is on standardized weights, ridge/2 sum_j (s_j w_j)^2 with s_j the
  standard deviation of feature j over the options offered in that data (the same optimum as standardizing
  the features first), so the penalty no longer depends on the units the features come in;
* ``plugin``: pi* over past data. Before every action, fit the expected reward of an option to its features by
  least squares on the history of chosen options, r_s ~ c + F_{s,a_s} . w (intercept unpenalized, a ridge of
  ``PLUGIN_RIDGE`` only to make the first solves well posed), and choose the option with the highest predicted
  value (greedy; ties uniformly). The weights w are the regression coefficients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..seeding import SeedLike, as_generator
from .history_refit import refit_linear
from .softmax import sample_actions, softmax

__all__ = ["LinearSoftmaxConfig", "train_linear_softmax_batch", "PLUGIN_RIDGE"]

#: The plug-in regime's ridge on its regression coefficients (numerical only: 1e-6 against sums over hundreds
#: of data points).
PLUGIN_RIDGE = 1e-6


@dataclass(frozen=True)
class LinearSoftmaxConfig(Config):
    """How the feature weights are learned."""

    regime: str = choice("online", ["online", "refit", "plugin"],
                         doc="one REINFORCE step per timestep, a full re-fit of the surrogate, or pi* over past data")
    learning_rate: float = param(0.05, low=0.0, low_open=True, widget="text",
                                 doc="online REINFORCE step size, > 0")
    baseline: bool = param(True, doc="online: subtract the running mean reward (cuts variance, keeps the mean)")
    ridge: float = param(1.0, low=0.0, low_open=True, widget="text",
                         doc="L2 penalty of the re-fit (keeps the optimum finite on separable data), > 0")
    newton_steps: int = param(2, low=1, high=20, doc="Newton steps per re-fit (warm-started)")
    window: int = param(0, low=0, doc="re-fit on the last `window` steps only (0: on all history)")
    standardized: bool = param(False, doc="re-fit: penalize standardized weights (s_j w_j) instead of raw ones")


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
            scales = hist_f[..., lo:t].std(axis=(1, 3)).T if config.standardized else None  # (R, d)
            w = refit_linear(w, hist_f[..., lo:t], hist_c[..., lo:t], hist_r[:, lo:t], config.ridge,
                             config.newton_steps, scales)
        if config.regime == "plugin" and t > 0:
            w = _least_squares(hist_c[..., :t], hist_r[:, :t])
        scores = np.einsum("rkd,rd->rk", obs, w)
        if config.regime == "plugin":  # greedy on the predicted values; ties (w = 0 at t = 0) uniformly
            top = scores >= scores.max(axis=1, keepdims=True)
            probs = top / top.sum(axis=1, keepdims=True)
        else:
            probs = softmax(scores)
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


def _least_squares(chosen: np.ndarray, rewards: np.ndarray) -> np.ndarray:
    """Coefficients w (R, d) of the regression r_s ~ c + x_s . w with an unpenalized intercept c and a ridge of
    PLUGIN_RIDGE on w: w = (Xc^T Xc + PLUGIN_RIDGE I)^(-1) Xc^T (r - mean r), Xc the centred chosen features.
    ``chosen`` (d, R, n), ``rewards`` (R, n)."""
    x = chosen - chosen.mean(axis=-1, keepdims=True)
    y = rewards - rewards.mean(axis=-1, keepdims=True)
    gram = np.einsum("irn,jrn->rij", x, x) + PLUGIN_RIDGE * np.eye(x.shape[0])
    return np.linalg.solve(gram, np.einsum("irn,rn->ri", x, y)[..., None])[..., 0]
