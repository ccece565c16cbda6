"""Lesson 05: what in-episode practice, a heuristics generator and a power/goal trade-off do under selection that
sees only the episode's reward. Three formal models of an argument (seed 004, items 13-15), each with the
assumption that produces its result and that assumption flipped.

1. **Practice** (:class:`PracticeConfig`, :func:`run_practice`): evolution strategies over the genome of an
   in-episode learner (race skill, race rate, donut skill, donut rate) on the donut race
   (:mod:`rlcore.envs.donut_race`), fitness = the race reward only. Expected ES step = lr * grad E[R] with
   grad E[R] = [M, M(M-1)/2, 0, -cost (K-1)] (separate rates; M race segments, K donut loops) or, with one
   shared rate, [M, M(M-1)/2 - cost (K-1), 0, 0] (:func:`expected_gradient`). The shuffled control deals every
   reward difference to another pair: no selection, the same noise; it calibrates "drifts within noise".
2. **Generator** (:class:`GeneratorConfig`, :func:`run_generator`): a heuristics generator with one quality per
   query kind, improved by REINFORCE only through the reward of the episodes its output entered. Expected gain
   of kind k per update: lr * (helped_k + shared^2 * paying queries per episode) (:func:`expected_generator_gain`).
3. **Power and goal** (:class:`PowerGoalConfig`, :func:`run_power_goal`): R = c (1 - d) - beta c^2 d over
   capability c and goal distance d. dR/dd = -c (1 + beta c) < 0 always; dR/dc = 0 on the ridge
   c*(d) = (1 - d) / (2 beta d) (:func:`ridge`).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..learners.in_context_practice import evolve_power_goal, evolve_practice, power_goal_reward, train_generator
from ..seeding import derive_seed

__all__ = ["PracticeConfig", "PracticeResult", "run_practice", "run_practice_cached", "expected_gradient",
           "expected_donut_change", "control_band", "share_above_band", "coupling_sweep", "practice_cost_sweep",
           "break_even_cost", "budget_sweep", "drift_sweep", "control_runs", "GeneratorConfig", "GeneratorResult", "run_generator",
           "run_generator_cached", "expected_generator_gain", "shared_sweep", "PowerGoalConfig", "PowerGoalResult",
           "run_power_goal", "run_power_goal_cached", "ridge", "power_goal_gradient", "lock_sweep"]


# ------------------------------------------------------------------------------------------------- practice
@dataclass(frozen=True)
class PracticeConfig(Config):
    """Item 13: a population of in-episode learners selected on the race reward alone."""

    race_segments: int = param(10, low=1, ui=(1, 30), doc="M, race segments per episode, >= 1")
    donut_loops: int = param(5, low=2, ui=(2, 20), doc="K, donut loops before the race, >= 2")
    practice_cost: float = param(0.0, ui=(-3.0, 15.0, 0.25),
                                 doc="race time lost per unit of in-episode donut improvement (< 0: practice helps)")
    shared_rate: bool = param(False, doc="one in-episode learning rate for race and donuts")
    rate_coupling: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 0.2, 0.01),
                                 doc="partial sharing alpha: donut rate = alpha * race rate + (1 - alpha) * donut "
                                     "rate gene, in [0, 1] (ignored with shared_rate, which is alpha = 1)")
    execution_noise: float = param(0.1, low=0.0, ui=(0.0, 1.0, 0.05), doc="noise on every achieved quality, >= 0")
    initial_rate: float = param(0.02, ui=(-0.2, 0.2, 0.01), doc="in-episode learning rates at the start")
    population: int = param(20, low=2, ui=(2, 60, 2), doc="genomes per generation (antithetic pairs), >= 2")
    generations: int = param(200, low=1, ui=(10, 400, 10), doc="generations of selection, >= 1")
    es_sigma: float = param(0.1, low=0.0, low_open=True, ui=(0.01, 0.5, 0.01), doc="mutation size, > 0")
    learning_rate: float = param(2e-4, low=0.0, low_open=True, ui=(1e-5, 1e-3), widget="log",
                                 doc="ES step size, > 0")
    runs: int = param(20, low=1, ui=(2, 40), doc="independent runs, >= 1")
    seed: int = param(0, low=0, ui=(0, 20), doc="seed of the runs")

    def init(self) -> np.ndarray:
        return np.array([0.0, self.initial_rate, 0.0, self.initial_rate])

    @property
    def coupling(self) -> float:
        """alpha, the race rate's share in the donut's in-episode rate (1 with one shared rate)."""
        return 1.0 if self.shared_rate else float(self.rate_coupling)


#: A run's donut change is "outside the band" when it is beyond 1.96 root-mean-square changes of the shuffled
#: control (whose expected change is 0): the per-run band that about 95% of runs without selection stay in.
BAND_Z = 1.96


def control_band(control: np.ndarray, axis=None):
    """1.96 x the root-mean-square change of the shuffled control (less noisy than a 95% quantile of 10-20 runs)."""
    return BAND_Z * np.sqrt(np.mean(np.square(control), axis=axis))


def expected_gradient(config: PracticeConfig) -> np.ndarray:
    """grad of E[R] over the genome (race skill, race rate, donut skill, donut rate): the expected ES step / lr."""
    m, k, c, a = config.race_segments, config.donut_loops, config.practice_cost, config.coupling
    if config.shared_rate:
        return np.array([m, m * (m - 1) / 2 - c * (k - 1), 0.0, 0.0])
    return np.array([m, m * (m - 1) / 2 - a * c * (k - 1), 0.0, -(1 - a) * c * (k - 1)])


def expected_donut_change(config: PracticeConfig) -> float:
    """Expected change of the end-of-episode donut skill: lr * generations * (grad_2 + (alpha grad_1 + (1 - alpha)
    grad_3) (K - 1)), the donut's rate being alpha * race rate + (1 - alpha) * donut rate."""
    g, a = expected_gradient(config), config.coupling
    rate = g[1] if config.shared_rate else a * g[1] + (1 - a) * g[3]
    return float(config.learning_rate * config.generations * (g[2] + rate * (config.donut_loops - 1)))


def break_even_cost(config: PracticeConfig) -> float:
    """With one shared rate, the practice cost above which selection lowers the shared rate: M(M-1) / (2 (K-1))."""
    return config.race_segments * (config.race_segments - 1) / (2 * (config.donut_loops - 1))


@dataclass(frozen=True)
class PracticeResult:
    """Genome histories (generations + 1, runs, 4) under selection and under the shuffled control."""

    config: PracticeConfig
    selected: np.ndarray
    shuffled: np.ndarray

    def skills(self, which: str = "selected") -> dict:
        """End-of-episode skill (start skill + rate * (steps - 1)) and in-episode improvement (rate * (steps -
        1), end minus start) for the race and the donut, per generation and run."""
        g, c = getattr(self, which), self.config
        donut_rate = g[..., 1] if c.shared_rate else c.coupling * g[..., 1] + (1 - c.coupling) * g[..., 3]
        return {"race_gain_in_episode": g[..., 1] * (c.race_segments - 1),
                "race_skill": g[..., 0] + g[..., 1] * (c.race_segments - 1),
                "donut_gain_in_episode": donut_rate * (c.donut_loops - 1),
                "donut_skill": g[..., 2] + donut_rate * (c.donut_loops - 1)}

    def summary(self) -> dict:
        sel, shu = self.skills("selected"), self.skills("shuffled")
        out = {"break_even_cost": break_even_cost(self.config)}
        for name in ("race_skill", "donut_skill", "race_gain_in_episode", "donut_gain_in_episode"):
            change, control = sel[name][-1] - sel[name][0], shu[name][-1] - shu[name][0]
            band = float(control_band(control)) if control.size else 0.0
            se = float(change.std(ddof=1) / np.sqrt(change.size)) if change.size > 1 else float("nan")
            out[name] = {"change": float(change.mean()), "change_se": se, "change_min": float(change.min()),
                         "change_max": float(change.max()), "control_change": float(control.mean()),
                         "control_band": band, "share_within_band": float(np.mean(np.abs(change) <= band)),
                         "share_rose": float(np.mean(change > band)), "share_fell": float(np.mean(change < -band)),
                         "std": float(change.std()), "control_std": float(control.std())}
        grad = expected_gradient(self.config)
        predicted = self.config.learning_rate * self.config.generations * grad
        out["predicted_genome_change"] = predicted.tolist()
        out["measured_genome_change"] = (self.selected[-1] - self.selected[0]).mean(0).tolist()
        return out


def run_practice(config: PracticeConfig, progress=None) -> PracticeResult:
    """The config's selection and its shuffled control (same seeds of mutation, no selection)."""
    kw = dict(race_segments=config.race_segments, donut_loops=config.donut_loops, practice_cost=config.practice_cost,
              shared_rate=config.shared_rate, execution_noise=config.execution_noise, population=config.population,
              generations=config.generations, es_sigma=config.es_sigma, learning_rate=config.learning_rate,
              runs=config.runs, coupling=config.coupling)
    selected = evolve_practice(config.init(), shuffle=False, seed=derive_seed(config.seed, "practice"), **kw)
    if progress is not None:
        progress(0.5)
    kw["runs"] = control_runs(config.runs)  # more control runs: the band is an estimate of a spread
    shuffled = evolve_practice(config.init(), shuffle=True, seed=derive_seed(config.seed, "practice-shuffled"), **kw)
    return PracticeResult(config, selected, shuffled)


def control_runs(runs: int) -> int:
    """Runs of the shuffled control: twice the selected runs, at least 20 (the band from 20 control runs varied
    from 0.23 to 0.41 across seeds, from 40 runs 0.27 to 0.36; the runs are vectorized, so they cost little)."""
    return max(2 * int(runs), 20)


_PRACTICE_CACHE: dict = {}


def run_practice_cached(config: PracticeConfig, progress=None) -> PracticeResult:
    """:func:`run_practice`, remembered per config (a widget moved back answers at once); ``progress`` is passed on
    when the run is new (the longest panel settings take a couple of seconds)."""
    if config not in _PRACTICE_CACHE:
        if len(_PRACTICE_CACHE) >= 64:
            _PRACTICE_CACHE.pop(next(iter(_PRACTICE_CACHE)))
        _PRACTICE_CACHE[config] = run_practice(config, progress)
    return _PRACTICE_CACHE[config]


def practice_cost_sweep(config: PracticeConfig, costs) -> dict:
    """Donut-skill change (mean, and share of runs above / below the shuffled band) at each practice cost, beside
    the closed-form expected change lr * generations * grad . (0, 0, 1, K-1)."""
    out = {"costs": [float(c) for c in costs], "shared_rate": config.shared_rate, "change": [], "change_se": [],
           "predicted": [], "band": [], "share_rose": [], "share_fell": []}
    for cost in costs:
        cfg = config.replace(practice_cost=float(cost))
        s = run_practice(cfg).summary()["donut_skill"]
        out["change"].append(s["change"])
        out["change_se"].append(s["change_se"])
        out["predicted"].append(expected_donut_change(cfg))
        out["band"].append(s["control_band"])
        out["share_rose"].append(s["share_rose"])
        out["share_fell"].append(s["share_fell"])
    out["break_even_cost"] = break_even_cost(config)
    return out


def share_above_band(expected_change: float, band: float) -> float:
    """Share of single runs above the band +-``band`` if a run's change is normal with mean ``expected_change`` and
    the shuffled control's spread (the band is 1.96 of its root-mean-square): Phi((change - band) / (band / 1.96)).
    Arithmetic from the closed form and the band's definition, not a measurement."""
    if band <= 0:
        return float(expected_change > 0)
    return float(0.5 * (1.0 + math.erf((expected_change - band) / (band / 1.96) / math.sqrt(2.0))))


def coupling_sweep(config: PracticeConfig, couplings=(0.0, 0.01, 0.02, 0.05, 0.1, 0.2),
                   generations=None) -> dict:
    """Partial sharing at zero practice cost: donut-skill change (mean, its standard error, share of runs above
    the shuffled band) against alpha, the race rate's share in the donut rate, for each budget of generations.
    Expected change: alpha * lr * generations * M(M-1)/2 * (K-1); the band grows only as sqrt(generations), so
    the smallest alpha that leaves it shrinks as 1/sqrt(generations). ``predicted_share_rose``: the share of runs
    above the band that follows from the expected change and the band alone (see ``share_above_band``)."""
    budgets = [config.generations] if generations is None else [int(g) for g in generations]
    out = {"couplings": [float(a) for a in couplings], "generations": budgets, "change": [], "change_se": [],
           "predicted": [], "band": [], "share_rose": [], "predicted_share_rose": []}
    for gens in budgets:
        rows = {k: [] for k in ("change", "change_se", "predicted", "band", "share_rose", "predicted_share_rose")}
        for a in couplings:
            cfg = config.replace(shared_rate=False, rate_coupling=float(a), generations=gens)
            s = run_practice(cfg).summary()["donut_skill"]
            rows["change"].append(s["change"])
            rows["change_se"].append(s["change_se"])
            rows["predicted"].append(expected_donut_change(cfg))
            rows["band"].append(s["control_band"])
            rows["share_rose"].append(s["share_rose"])
            rows["predicted_share_rose"].append(share_above_band(rows["predicted"][-1], s["control_band"]))
        for k, v in rows.items():
            out[k].append(v)
    return out


# ------------------------------------------------------------------------------------------------ generator
@dataclass(frozen=True)
class GeneratorConfig(Config):
    """Item 14: a heuristics generator improved only through the reward of the episodes its output entered."""

    kinds: int = param(6, low=2, ui=(2, 10), doc="query kinds: 0 = donut, 1 = win the race, 2.. other subgoals")
    use: str = choice("narrow", ("narrow", "broad"),
                      doc="narrow: every subgoal query is 'win the race'; broad: each episode needs its own subgoals")
    queries: int = param(4, low=1, ui=(1, 10), doc="subgoal queries per episode, >= 1")
    donut_queries: int = param(2, low=0, ui=(0, 10), doc="donut queries per episode (never pay), >= 0")
    linked_queries: int = param(0, low=0, ui=(0, 4), doc="> 0: donut queries only in half the episodes, which also "
                                "ask this many extra subgoal queries (donut presence covaries with winning), >= 0")
    shared: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                          doc="weight of machinery shared by all kinds, in [0, 1]")
    exploration: float = param(0.5, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05),
                               doc="noise on each heuristic's quality, > 0")
    learning_rate: float = param(0.01, low=0.0, low_open=True, ui=(0.001, 0.05, 0.001), doc="REINFORCE step, > 0")
    batch: int = param(16, low=1, ui=(1, 64), doc="episodes per update, >= 1")
    updates: int = param(300, low=1, ui=(10, 600, 10), doc="updates, >= 1")
    runs: int = param(20, low=1, ui=(2, 40), doc="independent runs, >= 1")
    seed: int = param(0, low=0, ui=(0, 20), doc="seed of the runs")


def expected_generator_gain(config: GeneratorConfig) -> np.ndarray:
    """Expected quality gain of each kind after all updates: lr * updates * (helped_k + shared^2 * queries), with
    helped_k the expected paying queries of kind k per episode (0 for donuts)."""
    helped = np.zeros(config.kinds)
    paying = config.queries + config.linked_queries / 2  # linked queries come in half the episodes
    if config.use == "narrow":
        helped[1] = paying
    else:
        helped[1:] = paying / (config.kinds - 1)
    return config.learning_rate * config.updates * (helped + config.shared ** 2 * paying)


@dataclass(frozen=True)
class GeneratorResult:
    config: GeneratorConfig
    selected: dict
    shuffled: dict

    def summary(self) -> dict:
        gain = self.selected["quality"][-1] - self.selected["quality"][0]
        control = self.shuffled["quality"][-1] - self.shuffled["quality"][0]
        band = control_band(control, axis=0)  # per kind
        pooled_band = float(control_band(control))
        improved = gain.mean(0) > pooled_band
        return {"gain": gain.mean(0).tolist(), "gain_min": gain.min(0).tolist(), "gain_max": gain.max(0).tolist(),
                "control_gain": control.mean(0).tolist(), "control_band": band.tolist(), "pooled_band": pooled_band,
                "predicted_gain": expected_generator_gain(self.config).tolist(),
                "asked": self.selected["asked"].mean(0).tolist(),
                "asked_rewarded": self.selected["asked_rewarded"].mean(0).tolist(),
                "helped": self.selected["helped"].mean(0).tolist(),
                "kinds_improved": int(improved.sum()), "subgoal_kinds_improved": int(improved[1:].sum()),
                "donut_gain": float(gain[:, 0].mean()), "donut_gain_std": float(gain[:, 0].std()),
                "donut_gain_se": float(gain[:, 0].std(ddof=1) / np.sqrt(len(gain))) if len(gain) > 1 else float("nan"),
                "donut_share_within_band": float(np.mean(
                    np.abs(gain[:, 0]) <= band[0])), "donut_share_rose": float(np.mean(gain[:, 0] > band[0])),
                "race_gain": float(gain[:, 1].mean()), "race_share_rose": float(np.mean(gain[:, 1] > band[1]))}


def _generator_kw(config: GeneratorConfig) -> dict:
    return dict(kinds=config.kinds, use=config.use, queries=config.queries, donut_queries=config.donut_queries,
                shared=config.shared, exploration=config.exploration, learning_rate=config.learning_rate,
                batch=config.batch, updates=config.updates, runs=config.runs, linked_queries=config.linked_queries)


def run_generator(config: GeneratorConfig, progress=None) -> GeneratorResult:
    selected = train_generator(shuffle=False, seed=derive_seed(config.seed, "generator"), **_generator_kw(config))
    if progress is not None:
        progress(0.5)
    shuffled = train_generator(shuffle=True, seed=derive_seed(config.seed, "generator-shuffled"),
                               **_generator_kw(config))
    return GeneratorResult(config, selected, shuffled)


@functools.lru_cache(maxsize=64)
def run_generator_cached(config: GeneratorConfig) -> GeneratorResult:
    return run_generator(config)


def shared_sweep(config: GeneratorConfig, shares=(0.0, 0.25, 0.5, 0.75, 1.0)) -> dict:
    """Donut-kind gain (measured and predicted) and the number of improved kinds at each weight of shared
    machinery, narrow and broad use."""
    out = {"shares": [float(s) for s in shares]}
    for use in ("narrow", "broad"):
        rows = {"donut_gain": [], "donut_predicted": [], "band": [], "kinds_improved": []}
        for share in shares:
            cfg = config.replace(use=use, shared=float(share))
            s = run_generator(cfg).summary()
            rows["donut_gain"].append(s["donut_gain"])
            rows["donut_predicted"].append(s["predicted_gain"][0])
            rows["band"].append(s["control_band"][0])
            rows["kinds_improved"].append(s["kinds_improved"])
        out[use] = rows
    return out


# -------------------------------------------------------------------------------------------- power and goal
@dataclass(frozen=True)
class PowerGoalConfig(Config):
    """Item 15: selection over capability c and goal distance d, R = c (1 - d) - beta c^2 d."""

    beta: float = param(0.5, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05),
                        doc="how fast the tails come apart with capability, > 0")
    start_capability: float = param(0.2, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05), doc="c at the start, > 0")
    start_distance: float = param(0.5, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.05, 0.95, 0.05),
                                  doc="d at the start (0 = the intended goal G), in (0, 1)")
    capability_noise: float = param(0.1, low=0.0, ui=(0.0, 0.5, 0.01),
                                    doc="mutation size of log capability, >= 0")
    goal_noise: float = param(0.005, low=0.0, ui=(0.0, 0.1, 0.005),
                              doc="exploration noise on the goal distance, >= 0 (0: never explores goals)")
    lock_scale: float = param(2.0, low=0.0, low_open=True, ui=(0.5, 20.0, 0.5),
                              doc="lock-in run: goal exploration shrinks as exp(-c / lock_scale), > 0")
    population: int = param(20, low=2, ui=(2, 60, 2), doc="mutants per generation (antithetic pairs), >= 2")
    generations: int = param(400, low=1, ui=(20, 800, 20), doc="generations, >= 1")
    learning_rate: float = param(1.0, low=0.0, low_open=True, ui=(0.1, 3.0, 0.1), doc="selection step, > 0")
    runs: int = param(20, low=1, ui=(2, 40), doc="independent runs, >= 1")
    seed: int = param(0, low=0, ui=(0, 20), doc="seed of the runs")


def ridge(d, beta):
    """The capability at which dR/dc = 0 for goal distance d: c*(d) = (1 - d) / (2 beta d) (inf at d = 0)."""
    d = np.asarray(d, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(d > 0, (1 - d) / (2 * beta * np.where(d > 0, d, 1.0)), np.inf)


def power_goal_gradient(c, d, beta):
    """[dR/dc, dR/dd] of R = c (1 - d) - beta c^2 d: [(1 - d) - 2 beta c d, -c - beta c^2]."""
    c, d = np.asarray(c, dtype=np.float64), np.asarray(d, dtype=np.float64)
    return np.stack([(1 - d) - 2 * beta * c * d, -c - beta * c ** 2], axis=-1)


CONDITIONS = ("explores goals", "no goal exploration", "lock-in")


@dataclass(frozen=True)
class PowerGoalResult:
    config: PowerGoalConfig
    paths: dict  # condition -> (generations + 1, runs, 2) of (c, d)

    def summary(self) -> dict:
        cfg, out = self.config, {}
        stall = float(ridge(cfg.start_distance, cfg.beta))
        out["ridge_at_start"] = stall
        for cond, p in self.paths.items():
            c, d = p[..., 0], p[..., 1]
            half = p.shape[0] // 2
            on_path = d > 0.02
            ratio = np.where(on_path, c / np.where(on_path, ridge(d, cfg.beta), 1.0), np.nan)
            out[cond] = {"final_capability": float(np.median(c[-1])), "final_capability_min": float(c[-1].min()),
                         "final_distance": float(d[-1].mean()), "final_distance_min": float(d[-1].min()),
                         "final_distance_max": float(d[-1].max()),
                         "distance_moved_last_half": float(np.abs(d[-1] - d[half]).max()),
                         "capability_over_start_ridge": float(np.median(c[-1]) / stall),
                         "capability_over_ridge_median": float(np.nanmedian(ratio)) if np.any(on_path) else None,
                         "capability_over_ridge_max": float(np.nanmax(ratio)) if np.any(on_path) else None,
                         "final_capability_over_ridge": float(np.median(c[-1] / ridge(d[-1], cfg.beta)))}
        return out


def run_power_goal(config: PowerGoalConfig, progress=None) -> PowerGoalResult:
    kw = dict(beta=config.beta, c0=config.start_capability, d0=config.start_distance, sigma_c=config.capability_noise,
              population=config.population, generations=config.generations, learning_rate=config.learning_rate,
              runs=config.runs)
    paths = {"explores goals": evolve_power_goal(sigma_d=config.goal_noise, lock_scale=0.0,
                                                 seed=derive_seed(config.seed, "explore"), **kw),
             "no goal exploration": evolve_power_goal(sigma_d=0.0, lock_scale=0.0,
                                                      seed=derive_seed(config.seed, "stall"), **kw),
             "lock-in": evolve_power_goal(sigma_d=config.goal_noise, lock_scale=config.lock_scale,
                                          seed=derive_seed(config.seed, "lock"), **kw)}
    if progress is not None:
        progress(1.0)
    return PowerGoalResult(config, paths)


@functools.lru_cache(maxsize=64)
def run_power_goal_cached(config: PowerGoalConfig) -> PowerGoalResult:
    return run_power_goal(config)


def lock_sweep(config: PowerGoalConfig, betas=(0.1, 0.25, 0.5, 1.0, 2.0), lock_scales=(1.0, 3.0, 10.0),
               lock_times=(100.0,)) -> dict:
    """The lock-in run's goal distance after the config's generations (mean over runs) for each beta and lock
    scale, and for goal exploration that shrinks with training time instead (``time_distance``, one row per lock
    time: sigma_d exp(-generation / lock_time), no tie to capability)."""
    out = {"betas": [float(b) for b in betas], "lock_scales": [float(s) for s in lock_scales], "frozen_distance": [],
           "final_capability": [], "lock_times": [float(t) for t in lock_times], "time_distance": []}
    for lt in lock_times:
        row = []
        for beta in betas:
            p = evolve_power_goal(beta=float(beta), c0=config.start_capability, d0=config.start_distance,
                                  sigma_c=config.capability_noise, sigma_d=config.goal_noise, lock_scale=0.0,
                                  lock_time=float(lt), population=config.population, generations=config.generations,
                                  learning_rate=config.learning_rate, runs=config.runs,
                                  seed=derive_seed(config.seed, "time-lock", int(beta * 100), int(lt)))
            row.append(float(p[-1, :, 1].mean()))
        out["time_distance"].append(row)
    for scale in lock_scales:
        row_d, row_c = [], []
        for beta in betas:
            cfg = config.replace(beta=float(beta), lock_scale=float(scale))
            p = evolve_power_goal(beta=cfg.beta, c0=cfg.start_capability, d0=cfg.start_distance,
                                  sigma_c=cfg.capability_noise, sigma_d=cfg.goal_noise, lock_scale=cfg.lock_scale,
                                  population=cfg.population, generations=cfg.generations,
                                  learning_rate=cfg.learning_rate, runs=cfg.runs,
                                  seed=derive_seed(cfg.seed, "lock-sweep", int(beta * 100), int(scale * 100)))
            row_d.append(float(p[-1, :, 1].mean()))
            row_c.append(float(np.median(p[-1, :, 0])))
        out["frozen_distance"].append(row_d)
        out["final_capability"].append(row_c)
    return out


def budget_sweep(config: PowerGoalConfig, budgets=(400, 800, 1600, 3200), slow_noise: float = 0.001) -> dict:
    """Is the lock-in run's near miss frozen, or just slow? Goal distance (mean over runs) after each budget of
    generations for the lock-in run and for constant, small goal exploration with no lock (``slow_noise``), and
    how much the goal slowed down: its mean speed |d(T) - d(T/2)| / (T/2) over the second half of the longest
    budget divided by its speed over the first ``budgets[0]`` generations (1: no slowing; near 0: frozen; None if
    the goal had reached G, mean d <= 0.02, by then), and the generation at which the mean d first reached 0.02."""
    budgets = sorted(int(b) for b in budgets)
    longest = budgets[-1]
    kw = dict(beta=config.beta, c0=config.start_capability, d0=config.start_distance, sigma_c=config.capability_noise,
              population=config.population, generations=longest, learning_rate=config.learning_rate,
              runs=config.runs)
    paths = {"lock-in": evolve_power_goal(sigma_d=config.goal_noise, lock_scale=config.lock_scale,
                                          seed=derive_seed(config.seed, "budget-lock"), **kw),
             f"constant goal noise {slow_noise:g}": evolve_power_goal(
                 sigma_d=slow_noise, lock_scale=0.0, seed=derive_seed(config.seed, "budget-slow"), **kw)}
    out = {"budgets": budgets, "conditions": list(paths), "distance": {}, "slowdown": {}, "capability": {},
           "reached_G_at": {}}
    first = budgets[0]
    for name, p in paths.items():
        d = p[:, :, 1].mean(1)
        out["distance"][name] = [float(d[b]) for b in budgets]
        out["capability"][name] = [float(np.median(p[b, :, 0])) for b in budgets]
        early = abs(d[first] - d[0]) / first
        late = abs(d[longest] - d[longest // 2]) / (longest - longest // 2)
        # a goal that reached G has stopped for another reason: no slowdown reported for it
        out["slowdown"][name] = float(late / early) if early > 0 and d[longest // 2] > 0.02 else None
        reached = np.flatnonzero(d <= 0.02)
        out["reached_G_at"][name] = int(reached[0]) if reached.size else None
    return out


def drift_sweep(config: PowerGoalConfig, drifts=(0.0, 0.04, 0.08, 0.1, 0.12)) -> dict:
    """The lock-in run with a capability channel not gated by R: log capability also grows by ``drift`` every
    generation (machinery improved by other goals). Per drift: mean final d, median final c, median final c /
    c*(d), the largest c / c*(d) along the way while d > 0.02 (median over runs of each run's largest), and the
    median final reward R. ``selection_limit`` = learning_rate * capability_noise: with standardized fitness one
    generation moves log c by at most that much (all mutants ranked perfectly by capability), so a drift above it
    cannot be pushed back by selection on R, whatever R is."""
    out = {"drifts": [float(x) for x in drifts], "final_distance": [], "final_capability": [],
           "final_over_ridge": [], "max_over_ridge": [], "final_reward": [],
           "selection_limit": float(config.learning_rate * config.capability_noise)}
    for drift in drifts:
        p = evolve_power_goal(beta=config.beta, c0=config.start_capability, d0=config.start_distance,
                              sigma_c=config.capability_noise, sigma_d=config.goal_noise, lock_scale=config.lock_scale,
                              population=config.population, generations=config.generations,
                              learning_rate=config.learning_rate, runs=config.runs, capability_drift=float(drift),
                              seed=derive_seed(config.seed, "drift", int(round(drift * 1000))))
        c, d = p[..., 0], p[..., 1]
        ratio = np.where(d > 0.02, c / ridge(np.maximum(d, 0.02), config.beta), np.nan)
        out["final_distance"].append(float(d[-1].mean()))
        out["final_capability"].append(float(np.median(c[-1])))
        out["final_over_ridge"].append(float(np.median(c[-1] / ridge(d[-1], config.beta))))
        out["max_over_ridge"].append(float(np.median(np.nanmax(ratio[1:], axis=0))))
        out["final_reward"].append(float(np.median(power_goal_reward(c[-1], d[-1], config.beta))))
    return out
