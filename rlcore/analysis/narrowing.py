"""Lesson 08, the RL side: an ordinary learner that chooses its own topics; does its narrowing emerge?

Each run draws a topic world (goal G, bias b, reward R = G + b; :mod:`rlcore.envs.topic_bandit`), initial
wants correlated with G, and trains :func:`rlcore.learners.narrowing.train_narrowing` (softmax choice over
wants, wants learned from reward on visited topics only; it never computes a correlation). Measured at every step,
exactly (from the world's means, not from samples):

* ``onpolicy_corr_R``: rho_pi(w, R), the correlation over the topics the agent works on (weights pi);
* ``corr_G``: corr(w, G) over all topics (uniform weights): do its wants track the designers' goal?
* ``corr_R``: corr(w, R) over all topics;
* ``entropy``: H(pi) = -sum_k pi_k log pi_k in nats (log n_topics for the uniform choice).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ..learners.narrowing import NarrowingConfig, train_narrowing
from ..seeding import derive_seed

__all__ = ["sweep_narrowing", "weighted_corr", "topic_coverage", "entropy", "initial_wants", "NarrowingExperimentConfig", "NarrowingResult",
           "run_narrowing"]


def weighted_corr(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Pearson correlation of x and y under ``weights`` (normalized; uniform when None), along the last axis.

        rho = sum_k p_k (x_k - mx)(y_k - my) / sqrt(sum_k p_k (x_k - mx)^2 * sum_k p_k (y_k - my)^2)
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    p = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    p = p / p.sum(axis=-1, keepdims=True)
    mx, my = (p * x).sum(-1, keepdims=True), (p * y).sum(-1, keepdims=True)
    cov = (p * (x - mx) * (y - my)).sum(-1)
    return cov / np.sqrt((p * (x - mx) ** 2).sum(-1) * (p * (y - my) ** 2).sum(-1))


def topic_coverage(pi: np.ndarray, share: float = 0.1) -> np.ndarray:
    """Share of topics chosen with probability >= ``share`` / n_topics, along the last axis: the GAN's capture
    rule (a mode needs >= 10% of its fair share of high-quality samples) applied to topics."""
    pi = np.asarray(pi)
    return (pi >= share / pi.shape[-1]).mean(axis=-1)


def entropy(p: np.ndarray) -> np.ndarray:
    """H(p) = -sum_k p_k log p_k in nats, along the last axis (0 log 0 = 0)."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log(p), 0.0).sum(axis=-1)


def initial_wants(goal: np.ndarray, corr: float, rng: np.random.Generator) -> np.ndarray:
    """Wants c * g~ + sqrt(1 - c^2) * e with g~ the standardized goal and e ~ N(0, 1) per topic.

    corr(wants, G) is about ``corr`` (exactly so only for many topics)."""
    g = (goal - goal.mean()) / goal.std()
    return corr * g + np.sqrt(1.0 - corr ** 2) * rng.standard_normal(len(goal))


@dataclass(frozen=True)
class NarrowingExperimentConfig(Config):
    """The topic-bandit experiment: the world, the learner, and how many runs."""

    n_topics: int = param(24, low=2, high=200, ui=(4, 40), doc="number of topics")
    bias_std: float = param(1.0, low=0.0, ui=(0.0, 3.0), doc="std of the reward's topic bias b (R = G + b)")
    noise_std: float = param(0.5, low=0.0, ui=(0.0, 2.0), doc="std of the noise on each reward")
    want_goal_corr: float = param(0.5, low=-1.0, high=1.0, ui=(-1.0, 1.0, 0.05),
                                  doc="correlation of the initial wants with G")
    want_scale: float = param(0.5, low=0.0, ui=(0.0, 2.0), doc="standard deviation of the initial wants")
    want_lr: float = param(0.2, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                           doc="step of a visited topic's want toward its reward, in [0, 1]")
    inv_temp: float = param(4.0, low=0.0, ui=(0.0, 6.0, 0.25), doc="how sharply choice follows wants, >= 0")
    forced_uniform: bool = param(False, doc="control: topics drawn uniformly, whatever the wants")
    explore: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 0.5, 0.05),
                           doc="control: exploration floor eps, pi = (1 - eps) softmax + eps / topics")
    learn_all: bool = param(False, doc="control: learn every topic's want each step (choice still by pi)")
    steps: int = param(400, low=1, ui=(20, 1000, 20), doc="updates per run")
    batch: int = param(4, low=1, high=4096, ui=(1, 64), doc="topics drawn per update")
    runs: int = param(10, low=1, high=200, ui=(1, 6), doc="independent runs (worlds)")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed; run i uses seeds derived from (seed, i)")

    def learner(self) -> NarrowingConfig:
        return NarrowingConfig(want_lr=self.want_lr, inv_temp=self.inv_temp, steps=self.steps, batch=self.batch,
                               forced_uniform=self.forced_uniform, explore=self.explore, learn_all=self.learn_all)


@dataclass(frozen=True)
class NarrowingResult:
    """Per-run curves, each of shape (runs, steps): see the module docstring."""

    config: NarrowingExperimentConfig
    onpolicy_corr_R: np.ndarray
    corr_G: np.ndarray
    corr_R: np.ndarray
    entropy: np.ndarray
    final_pi: np.ndarray
    pi: np.ndarray  # (runs, steps, n_topics): the choice distribution before every update

    def final_gap(self) -> np.ndarray:
        """Per run: the on-policy corr(w, R) minus the all-topics corr(w, R) at the last step (how much the
        correlation measured on the agent's own topics overstates the one over every topic)."""
        return self.onpolicy_corr_R[:, -1] - self.corr_R[:, -1]

    def corr_G_move(self) -> np.ndarray:
        """Per run: corr(w, G) over all topics, last step minus first."""
        return self.corr_G[:, -1] - self.corr_G[:, 0]

    def summary(self) -> dict:
        """Changes from the first to the last step, averaged over runs, and the share of runs in which the
        on-policy corr(w, R) rose by >= 0.3 while corr(w, G) over all topics rose by < 0.1 and the topic
        entropy at least halved (the curriculum's C11, checked per run; it fails for this learner, see lesson 08)."""
        rise = self.onpolicy_corr_R[:, -1] - self.onpolicy_corr_R[:, 0]
        g_move = self.corr_G[:, -1] - self.corr_G[:, 0]
        h_ratio = self.entropy[:, -1] / self.entropy[:, 0]
        ok = (rise >= 0.3) & (g_move < 0.1) & (h_ratio <= 0.5)
        return {"onpolicy_corr_R_rise": float(rise.mean()), "onpolicy_corr_R_rise_min": float(rise.min()),
                "onpolicy_corr_R_final": float(self.onpolicy_corr_R[:, -1].mean()),
                "corr_G_move": float(g_move.mean()), "corr_G_move_max": float(g_move.max()),
                "corr_R_all_move": float((self.corr_R[:, -1] - self.corr_R[:, 0]).mean()),
                "onpolicy_minus_all_final": float((self.onpolicy_corr_R[:, -1] - self.corr_R[:, -1]).mean()),
                "onpolicy_minus_all_final_min": float((self.onpolicy_corr_R[:, -1] - self.corr_R[:, -1]).min()),
                "entropy_start": float((self.entropy[:, 0] / np.log(self.config.n_topics)).mean()),
                "entropy_ratio": float(h_ratio.mean()), "entropy_ratio_max": float(h_ratio.max()),
                "c11_fraction": float(ok.mean())}


def run_narrowing(config: NarrowingExperimentConfig, progress=None) -> NarrowingResult:
    """Run ``config.runs`` independent worlds and learners; ``progress(fraction)`` after each run."""
    curves = {k: [] for k in ("onpolicy_corr_R", "corr_G", "corr_R", "entropy")}
    final_pi, pis = [], []
    for i in range(config.runs):
        env = gym.make("rlcore/TopicBandit-v0", n_topics=config.n_topics, bias_std=config.bias_std,
                       noise_std=config.noise_std, world_seed=derive_seed(config.seed, i, "world") % 2**31)
        goal, reward = env.unwrapped.goal, env.unwrapped.reward_means
        wants0 = config.want_scale * initial_wants(goal, config.want_goal_corr,
                                                   np.random.default_rng(derive_seed(config.seed, i, "w")))
        log = train_narrowing(env, wants0, config.learner(), seed=derive_seed(config.seed, i, "learn"))
        pi, w = log.steps("pi"), log.steps("wants")
        curves["onpolicy_corr_R"].append(weighted_corr(w, reward, pi))
        curves["corr_G"].append(weighted_corr(w, goal))
        curves["corr_R"].append(weighted_corr(w, reward))
        curves["entropy"].append(entropy(pi))
        final_pi.append(log.meta["final_pi"])
        pis.append(pi)
        if progress is not None:
            progress((i + 1) / config.runs)
    return NarrowingResult(config, **{k: np.array(v) for k, v in curves.items()}, final_pi=np.array(final_pi),
                            pi=np.array(pis))


def sweep_narrowing(config: NarrowingExperimentConfig, field: str, values, control: dict | None = None) -> dict:
    """Run the experiment at each of ``values`` of ``field`` (same worlds, same initial wants): {value: result},
    or {value: (result, control_result)} with the same config plus ``control`` (e.g. forced_uniform=True)."""
    out = {}
    for v in values:
        cfg = config.replace(**{field: v})
        out[v] = run_narrowing(cfg) if control is None else (run_narrowing(cfg), run_narrowing(cfg.replace(**control)))
    return out
