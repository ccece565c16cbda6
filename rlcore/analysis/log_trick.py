"""Lesson 01: the log trick is an estimator; re-fitting the surrogate on history optimizes something else.

Three experiments, one config each:

1. :class:`LogTrickConfig` + :func:`gradient_error_curve` / :func:`gradient_check`: on a 3-arm Bernoulli bandit,
   the Monte-Carlo REINFORCE estimate  g_n = (1/n) sum_i (r_i - b) (onehot(a_i) - pi)  of the exact gradient
   grad J = pi * (mu - J) has relative error ~ n^(-1/2); a baseline b = J cuts its variance, not its mean;
   autograd on the surrogate returns the same vector as the closed form.
2. :func:`run_regimes`: online REINFORCE vs. re-fitting the surrogate sum_s r_s log pi(a_s) on all history before
   every pull (maximizer pi_a = C_a / sum C, a rich-get-richer urn) vs. the two readings of
   pi* = argmax E[sum r | pi]: over the true environment (always the best arm) or over past data (plug-in).
3. :class:`NovelChoiceExperimentConfig` + :func:`run_novel_choice`: a linear-softmax policy on never-repeating
   candidates learns feature weights online, by a full re-fit on all history (ridge in raw or standardized
   units), by a forgetting re-fit on a recent window, or as pi* over past data (least squares, greedy); per
   seed, how much it relies on a real proxy (easier to learn, worse) before the proxy decorrelates, and how
   much reward it loses after. :func:`novel_choice_sweep` runs the controls.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, choice, param
from ..envs.bandits import bernoulli_rewards
from ..envs.novel_choice import draw_candidates
from ..learners.history_refit import surrogate_policy, train_refit_bandit_batch
from ..learners.linear_softmax import LinearSoftmaxConfig, train_linear_softmax_batch
from ..learners.reinforce import ReinforceConfig, train_reinforce_bandit_batch
from ..learners.softmax import sample_actions, score_function, softmax
from ..learners.torch_softmax import maximize_surrogate, objective_gradient, surrogate_gradient
from ..seeding import as_generator, derive_seed
from .bandits import exact_gradient, expected_reward

__all__ = ["LogTrickConfig", "mc_gradient", "gradient_variance", "gradient_error_curve", "gradient_check",
           "REGIMES", "run_regimes", "regime_summary", "NOVEL_REGIMES", "NOVEL_NAMES", "NovelChoiceExperimentConfig",
           "run_novel_choice", "novel_choice_per_seed", "novel_choice_summary", "proxy_share", "proxy_reliance",
           "reference_rewards", "novel_choice_sweep", "SCALE_SWEEP", "RIDGE_SWEEP"]


# --- 1. the estimator ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LogTrickConfig(Config):
    """The 3-arm Bernoulli bandit of experiments 1 and 2, the estimator's settings and the learners'."""

    mean_a: float = param(0.2, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="success probability of arm a")
    mean_b: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="success probability of arm b")
    mean_c: float = param(0.8, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="success probability of arm c")
    logits: tuple = param((0.5, 0.0, -0.5), min_len=3, widget="none",
                          doc="the policy's logits theta at which the gradient is estimated")
    samples: int = param(100_000, low=1, ui=(10, 100_000, 10), doc="pulls n in one Monte-Carlo estimate, >= 1")
    baseline: bool = param(False, doc="subtract a baseline (b = J for the estimate, the running mean for "
                                      "the online learner)")
    repeats: int = param(30, low=2, high=1000, widget="none", doc="independent estimates per sample count")
    learning_rate: float = param(0.5, low=0.0, low_open=True, widget="text",
                                 doc="online REINFORCE step size, > 0 (type a value)")
    steps: int = param(1000, low=1, ui=(20, 2000, 20), doc="pulls per learning run, >= 1")
    runs: int = param(20, low=1, ui=(1, 50), doc="independent learning runs per regime, >= 1")

    def check(self) -> None:
        if len(self.logits) != 3:
            raise self.invalid("logits", "exactly 3 logits, one per arm")

    @property
    def means(self) -> np.ndarray:
        return np.array([self.mean_a, self.mean_b, self.mean_c])


def mc_gradient(logits: np.ndarray, actions: np.ndarray, rewards: np.ndarray, baseline: float = 0.0
                ) -> np.ndarray:
    """The REINFORCE estimate g_n = (1/n) sum_i (r_i - b) (onehot(a_i) - pi), closed-form score; shape (K,)."""
    return ((np.asarray(rewards) - baseline)[:, None] * score_function(logits, np.asarray(actions))).mean(0)


def gradient_variance(logits: np.ndarray, means: np.ndarray, baseline: float = 0.0) -> float:
    """Exact trace of the covariance of one sample (r - b)(onehot(a) - pi), a ~ pi, r ~ Bernoulli(mu_a):

    tr Cov = sum_a pi_a E[(r - b)^2 | a] |onehot(a) - pi|^2 - |grad J|^2,  E[(r - b)^2 | a] = mu_a (1-b)^2 +
    (1 - mu_a) b^2. The RMS error of g_n is sqrt(tr Cov / n): the n^(-1/2) law.
    """
    pi, mu = softmax(logits), np.asarray(means, dtype=np.float64)
    second = mu * (1 - baseline) ** 2 + (1 - mu) * baseline**2
    sq_score = ((np.eye(len(pi)) - pi) ** 2).sum(1)
    return float((pi * second * sq_score).sum() - (exact_gradient(logits, mu) ** 2).sum())


def _draw(logits: np.ndarray, means: np.ndarray, n: int, rng: np.random.Generator):
    actions = sample_actions(np.broadcast_to(softmax(logits), (n, len(means))), rng)
    return actions, bernoulli_rewards(means, actions, rng)


def gradient_error_curve(config: LogTrickConfig, seed: int, points: int = 12) -> dict:
    """Relative L2 error |g_n - grad J| / |grad J| at ``points`` sample counts n = 10 .. config.samples.

    Each of ``config.repeats`` independent streams of n_max pulls gives one estimate per n (its first n
    pulls). Returns ``ns``, ``errors[b]`` (repeats, points) and ``rms[b]`` for b in ("none", "J"), the
    ``predicted`` RMS errors sqrt(tr Cov / n) / |grad J|, and ``slope[b]``: the least-squares slope of
    log RMS error against log n (theory: -1/2).
    """
    theta, mu = np.asarray(config.logits), config.means
    exact = exact_gradient(theta, mu)
    norm = np.linalg.norm(exact)
    n_max = max(config.samples, 10)
    ns = np.unique(np.round(np.geomspace(10, n_max, points)).astype(int))
    baselines = {"none": 0.0, "J": float(expected_reward(softmax(theta), mu))}
    rng = as_generator(seed)
    errors = {b: np.empty((config.repeats, len(ns))) for b in baselines}
    for rep in range(config.repeats):
        actions, rewards = _draw(theta, mu, n_max, rng)
        score = score_function(theta, actions)
        for name, b in baselines.items():
            running = np.cumsum((rewards - b)[:, None] * score, axis=0)[ns - 1] / ns[:, None]
            errors[name][rep] = np.linalg.norm(running - exact, axis=1) / norm
    rms = {b: np.sqrt((e**2).mean(0)) for b, e in errors.items()}
    predicted = {b: np.sqrt(gradient_variance(theta, mu, v) / ns) / norm for b, v in baselines.items()}
    slope = {b: float(np.polyfit(np.log(ns), np.log(r), 1)[0]) for b, r in rms.items()}
    return {"ns": ns, "errors": errors, "rms": rms, "predicted": predicted, "slope": slope,
            "baselines": baselines}


def gradient_check(config: LogTrickConfig, seed: int) -> dict:
    """One estimate at n = config.samples, with and without the baseline b = J, against the exact gradient.

    Returns the vectors (``exact``, ``estimate``, ``estimate_baseline``, ``autograd_exact``) and the numbers
    the claims are about: ``rel_error`` and ``rel_error_baseline`` (relative L2 errors),
    ``autograd_vs_closed_form`` (max |autograd of the surrogate - closed-form estimate| on the same pulls),
    ``autograd_exact_vs_closed_form`` (max |autograd of J - pi * (mu - J)|), and the per-sample variances.
    """
    theta, mu = np.asarray(config.logits), config.means
    exact = exact_gradient(theta, mu)
    b = float(expected_reward(softmax(theta), mu))
    actions, rewards = _draw(theta, mu, config.samples, as_generator(seed))
    est, est_b = mc_gradient(theta, actions, rewards), mc_gradient(theta, actions, rewards, b)
    auto, auto_exact = surrogate_gradient(theta, actions, rewards, b), objective_gradient(theta, mu)
    norm = np.linalg.norm(exact)
    return {
        "n": config.samples, "exact": exact, "estimate": est, "estimate_baseline": est_b, "autograd_exact": auto_exact,
        "baseline_value": b,
        "rel_error": float(np.linalg.norm(est - exact) / norm),
        "rel_error_baseline": float(np.linalg.norm(est_b - exact) / norm),
        "autograd_vs_closed_form": float(np.abs(auto - est_b).max()),
        "autograd_exact_vs_closed_form": float(np.abs(auto_exact - exact).max()),
        "variance": gradient_variance(theta, mu, 0.0), "variance_baseline": gradient_variance(theta, mu, b),
    }


# --- 2. online vs. re-fit vs. pi* ---------------------------------------------------------------------------

#: The four regimes of experiment 2, in plotting order.
REGIMES = ("online REINFORCE", "re-fit surrogate on history", "pi* over past data", "pi* over the environment")


def run_regimes(config: LogTrickConfig, seed: int, progress=None) -> dict:
    """Run each regime ``config.runs`` times for ``config.steps`` pulls; returns {regime: probs (runs, steps, K)}
    plus ``histories`` (actions, rewards of the surrogate re-fit runs, each (runs, steps)) and ``means``."""
    mu = config.means

    def envs():
        return [gym.make("rlcore/BernoulliBandit-v0", means=tuple(mu)).unwrapped for _ in range(config.runs)]

    online = train_reinforce_bandit_batch(envs(), ReinforceConfig(
        learning_rate=config.learning_rate, steps=config.steps, baseline=config.baseline), derive_seed(seed, 1))
    if progress:
        progress(1 / 3)
    refit = train_refit_bandit_batch(envs(), config.steps, derive_seed(seed, 2), "surrogate")
    if progress:
        progress(2 / 3)
    plugin = train_refit_bandit_batch(envs(), config.steps, derive_seed(seed, 3), "expected_reward")
    oracle = np.zeros((config.runs, config.steps, 3))
    oracle[..., int(np.argmax(mu))] = 1.0
    if progress:
        progress(1.0)
    out = {REGIMES[0]: online["probs"].transpose(1, 0, 2), REGIMES[1]: refit["probs"].transpose(1, 0, 2),
           REGIMES[2]: plugin["probs"].transpose(1, 0, 2), REGIMES[3]: oracle}
    out["histories"] = (refit["actions"].T, refit["rewards"].T)
    out["means"] = mu
    return out


def regime_summary(result: dict, check_runs: int = 8, iters: int = 2000) -> dict:
    """The numbers of experiment 2.

    Per regime: ``final_p_best`` (mean over runs of the final probability of the best arm), ``final_regret``
    (mean cumulative expected regret) and ``locked_wrong`` (fraction of runs whose final policy gives the best
    arm < 1/2). For the surrogate re-fit: ``surrogate_max_abs_diff``, the largest gap between the closed form
    pi proportional to cumulative reward and a numeric maximizer (autograd ascent, ``iters`` steps) on the
    full histories of ``check_runs`` runs; and ``tv_from_argmax``, the mean total-variation distance between
    its final policy and the argmax-E[r] policy.
    """
    mu = result["means"]
    best = int(np.argmax(mu))
    out = {}
    for regime in REGIMES:
        probs = result[regime]
        regret = np.cumsum(mu.max() - probs @ mu, axis=1)[:, -1]
        out[regime] = {"final_p_best": float(probs[:, -1, best].mean()), "final_regret": float(regret.mean()),
                       "locked_wrong": float((probs[:, -1, best] < 0.5).mean())}
    actions, rewards = result["histories"]
    h = min(check_runs, len(actions))
    sums = np.zeros((h, len(mu)))
    np.add.at(sums, (np.repeat(np.arange(h), actions.shape[1]), actions[:h].ravel()), rewards[:h].ravel())
    numeric = maximize_surrogate(actions[:h], rewards[:h], len(mu), iters=iters)
    closed = surrogate_policy(sums)
    final = result[REGIMES[1]][:, -1]
    argmax_policy = np.eye(len(mu))[best]
    out["surrogate_max_abs_diff"] = float(np.abs(numeric - closed).max())
    out["tv_from_argmax"] = float(0.5 * np.abs(final - argmax_policy).sum(-1).mean())
    return out


# --- 3. the novel-choice bandit -----------------------------------------------------------------------------

#: The regimes of experiment 3: one gradient step per timestep (the second speaker's setup); a re-fit of the
#: surrogate to convergence on all history before every action (the first speaker's first formulation), with
#: the lesson's ridge in raw feature units, and the same re-fit with the ridge on standardized weights (the
#: control that separates the objective from the feature units); the raw-unit re-fit on a recent window only (a
#: forgetting re-fit; the full re-fit can never forget); and pi* over past data (least squares on the history,
#: greedy: the reading the first speaker accepted).
NOVEL_REGIMES = ("online", "refit", "refit_std", "forgetting", "plugin")
NOVEL_NAMES = {"online": "online REINFORCE (one step per timestep)",
               "refit": "re-fit on all history (raw-unit ridge)",
               "refit_std": "re-fit on all history (standardized ridge)",
               "forgetting": "forgetting re-fit (recent window, raw-unit ridge)",
               "plugin": "pi* over past data (least squares, greedy)"}


@dataclass(frozen=True)
class NovelChoiceExperimentConfig(Config):
    """Experiment 3: never-repeating candidates, a real proxy that decorrelates at ``shift_time``, three regimes.

    The true feature ranks the options exactly (``true_noise = 0``) but at a small scale (``true_scale``); the
    proxy is a large-scale cue (``proxy_scale``) with correlation ``proxy_corr``: easier to pick up, worse."""

    regime: str = choice("all", ["all", "online", "refit", "refit_std", "forgetting", "plugin"],
                         doc="which learners to run")
    proxy_corr: float = param(0.9, low=-1.0, high=1.0, ui=(0.0, 1.0, 0.05),
                              doc="correlation of the proxy feature with the true value before the shift")
    true_scale: float = param(0.1, low=0.0, low_open=True, high=100.0, ui=(0.05, 1.0, 0.05),
                              doc="scale of the true feature, > 0 (1 = as large as the proxy)")
    proxy_scale: float = param(1.0, low=0.0, low_open=True, high=100.0, widget="none",
                               doc="scale of the proxy feature, > 0")
    true_noise: float = param(0.0, low=0.0, high=5.0, ui=(0.0, 2.0, 0.25),
                              doc="noise on the observed true feature (0: it ranks the options exactly)")
    shift_time: int = param(400, low=1, ui=(50, 600, 10), doc="step at which the proxy decorrelates")
    steps: int = param(600, low=2, ui=(100, 800, 50), doc="steps per run (learning never stops)")
    candidates: int = param(8, low=2, high=50, ui=(2, 20), doc="fresh options offered each step")
    learning_rate: float = param(0.05, low=0.0, low_open=True, widget="text",
                                 doc="online REINFORCE step size, > 0")
    ridge: float = param(1.0, low=0.0, low_open=True, ui=(0.03, 3.0, 0.01), widget="log",
                         doc="L2 penalty of the re-fits, > 0")
    forget_window: int = param(100, low=1, ui=(10, 400, 10), doc="steps the forgetting re-fit keeps, >= 1")
    window: int = param(100, low=1, widget="none", doc="steps averaged before and after the shift")
    runs: int = param(10, low=1, ui=(1, 5), doc="independent runs (seeds), >= 1 (the panel's slider stops at 5 "
                                                 "to answer within about a second)")

    def check(self) -> None:
        if self.shift_time >= self.steps:
            raise self.invalid("shift_time", f"a step before the end of the run (< steps = {self.steps})")
        if self.window > self.shift_time or self.window > self.steps - self.shift_time:
            raise self.invalid("window", "at most shift_time and at most steps - shift_time")

    @property
    def regimes(self) -> tuple:
        return NOVEL_REGIMES if self.regime == "all" else (self.regime,)

    @property
    def feature_scales(self) -> np.ndarray:
        """Standard deviation of each feature: (true_scale * sqrt(1 + true_noise^2), proxy_scale)."""
        return np.array([self.true_scale * np.hypot(1.0, self.true_noise), self.proxy_scale])


def proxy_share(weights: np.ndarray) -> np.ndarray:
    """|w_proxy| / (|w_true| + |w_proxy|) over the last axis (0.5 where both weights are 0)."""
    w = np.abs(np.asarray(weights))
    total = w.sum(-1)
    return np.where(total > 0, w[..., 1] / np.where(total > 0, total, 1.0), 0.5)


def proxy_reliance(weights: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """The proxy's share of the policy's *standardized* weights, |w_p s_p| / (|w_t s_t| + |w_p s_p|), with s the
    features' standard deviations: how much of the score's spread comes from the proxy, whatever the scales.
    0 = the true feature only (the ideal here), 1 = the proxy only, 0.5 also where both weights are 0."""
    return proxy_share(np.asarray(weights) * np.asarray(scales))


def reference_rewards(config: NovelChoiceExperimentConfig, seed: int = 0, n: int = 200_000) -> dict:
    """Calibration of the reward scale: the expected reward per step of fixed policies, before and after the
    shift (Monte Carlo over ``n`` offers): ``random`` (uniform choice, 1/2), ``true`` (argmax of the true
    feature), ``proxy`` (argmax of the proxy). Each entry is {"pre": .., "post": ..}."""
    rng = as_generator(seed)
    out = {"random": {}, "true": {}, "proxy": {}}
    for phase, rho in (("pre", config.proxy_corr), ("post", 0.0)):
        v, f = draw_candidates(rng, (n, config.candidates), rho, config.true_noise, config.true_scale,
                               config.proxy_scale)
        rows = np.arange(n)
        out["random"][phase] = float(v.mean())
        out["true"][phase] = float(v[rows, f[..., 0].argmax(1)].mean())
        out["proxy"][phase] = float(v[rows, f[..., 1].argmax(1)].mean())
    return out


def run_novel_choice(config: NovelChoiceExperimentConfig, seed: int, progress=None, regimes=None) -> dict:
    """Train each selected regime for ``config.runs`` runs; returns {regime: {"weights": (steps, runs, 2),
    "expected_reward": (steps, runs)}} and the config under ``"config"``. Every regime sees the same offers
    in run i (the envs are seeded alike), so the regimes are compared seed by seed. ``regimes`` overrides
    ``config.regimes``."""
    out = {"config": config}
    regimes = tuple(regimes or config.regimes)
    learners = {"online": LinearSoftmaxConfig(regime="online", learning_rate=config.learning_rate),
                "refit": LinearSoftmaxConfig(regime="refit", ridge=config.ridge, newton_steps=2),
                "refit_std": LinearSoftmaxConfig(regime="refit", ridge=config.ridge, newton_steps=2,
                                                 standardized=True),
                "forgetting": LinearSoftmaxConfig(regime="refit", ridge=config.ridge, newton_steps=3,
                                                  window=config.forget_window),
                "plugin": LinearSoftmaxConfig(regime="plugin")}
    for i, regime in enumerate(regimes):
        envs = [gym.make("rlcore/NovelChoiceBandit-v0", candidates=config.candidates,
                         proxy_corr=config.proxy_corr, true_noise=config.true_noise, true_scale=config.true_scale,
                         proxy_scale=config.proxy_scale, shift_time=config.shift_time, horizon=config.steps)
                for _ in range(config.runs)]
        res = train_linear_softmax_batch(envs, learners[regime], config.steps, derive_seed(seed, "novel"))
        out[regime] = {"weights": res["weights"], "expected_reward": res["expected_reward"]}
        if progress:
            progress((i + 1) / len(regimes))
    return out


def novel_choice_per_seed(result: dict) -> dict:
    """Per regime, one value per run (seed): ``reliance`` (proxy reliance of the weights just before the
    shift), ``reward_pre`` / ``reward_post`` (mean expected reward in the ``window`` steps before / after the
    shift), ``drop`` = 1 - post / pre (the raw relative loss) and ``gain_lost`` = (pre - post) / (pre - 1/2)."""
    cfg = result["config"]
    s, w = cfg.shift_time, cfg.window
    out = {}
    for regime in NOVEL_REGIMES:
        if regime not in result:
            continue
        er = result[regime]["expected_reward"]
        pre, post = er[s - w:s].mean(0), er[s:s + w].mean(0)
        out[regime] = {"reliance": proxy_reliance(result[regime]["weights"][s - 1], cfg.feature_scales),
                       "reward_pre": pre, "reward_post": post, "drop": 1 - post / pre,
                       "gain_lost": (pre - post) / np.maximum(pre - 0.5, 1e-9)}
    return out


def novel_choice_summary(result: dict, drop_threshold: float = 0.2) -> dict:
    """The per-seed numbers of :func:`novel_choice_per_seed` as lists, with their means, the range, and the
    count of seeds whose raw drop exceeds ``drop_threshold`` (``drop_above``), whose reliance exceeds 1/2
    (``reliant``) and whose reward before the shift is below random choice's 1/2 (``below_random``: their raw
    drop is measured from a level worse than chance, so it says little), per regime."""
    out = {}
    for regime, per in novel_choice_per_seed(result).items():
        d = {k: [float(x) for x in v] for k, v in per.items()}
        d.update({f"{k}_mean": float(np.mean(v)) for k, v in per.items()})
        d.update({"reliance_min": float(per["reliance"].min()), "reliance_max": float(per["reliance"].max()),
                  "drop_min": float(per["drop"].min()), "drop_max": float(per["drop"].max()),
                  "drop_above": int((per["drop"] > drop_threshold).sum()),
                  "reliant": int((per["reliance"] > 0.5).sum()), "seeds": int(len(per["drop"])),
                  "below_random": int((per["reward_pre"] < 0.5).sum())})
        out[regime] = d
    return out


#: The sweeps that control experiment 3: the scale handicap of the true feature and the re-fits' ridge.
SCALE_SWEEP = (0.1, 0.3, 1.0)
RIDGE_SWEEP = (1.0, 0.1, 0.03)


def novel_choice_sweep(config: NovelChoiceExperimentConfig, seed: int, field: str, values, progress=None,
                       regimes=None, base: dict | None = None) -> dict:
    """Re-run experiment 3 with ``field`` set to each of ``values`` (only ``regimes`` if given); returns
    {"values": values, "field": field, regime: {"reliance": (len(values), runs), "drop": (len(values), runs)}}
    (per-seed numbers at each value). ``base``, the result of ``run_novel_choice(config, seed)``, is reused
    at the value ``config`` already has (the same runs, not recomputed)."""
    out = {"values": tuple(values), "field": field}
    regimes = tuple(regimes or config.regimes)
    for j, v in enumerate(values):
        if base is not None and v == getattr(config, field) and base["config"] == config:
            per = {r: d for r, d in novel_choice_per_seed(base).items() if r in regimes}
        else:
            per = novel_choice_per_seed(run_novel_choice(config.replace(**{field: v}), seed, regimes=regimes))
        for regime, d in per.items():
            slot = out.setdefault(regime, {"reliance": [], "drop": []})
            slot["reliance"].append(d["reliance"])
            slot["drop"].append(d["drop"])
        if progress:
            progress((j + 1) / len(values))
    for regime in NOVEL_REGIMES:
        if regime in out:
            out[regime] = {k: np.array(v) for k, v in out[regime].items()}
    return out
