"""Ladder level 1 (reflex): the lagoon boat that spins, freezing vs. reward hacking, and the donut exchange.

Experiments on :mod:`rlcore.envs.ladder_1_lagoon` with the learners of :mod:`rlcore.learners.ladder_1_reflex`:

* :func:`run_lagoon` trains ``runs`` boats from one config and computes, per run, the ladder metrics of
  :mod:`rlcore.analysis.ladder`: nu(t) = (visits to region N per race in window t) / (the uniform explorer's
  expected visits per race, exact), tau_lock, Delta_G = G_best - E[G | final policy] and
  Delta_R = R_best - E[R | final policy], all expectations exact (:func:`policy_stats`, :func:`best_return`).
* :func:`bias_sweep` is the finish rate of the final policy against the initial spin bias (the phase diagram
  between a habit that decays and one that freezes).
* :func:`donut_exchange` compares reward-only end-of-race REINFORCE (with and without a baseline) with a TD
  actor-critic (value table from 0, and optimistic) on a weak and a strong spin bias.
* :func:`run_level` is the ladder's shared entry point (see :mod:`rlcore.analysis.ladder`), :func:`run_levels` and
  :func:`level_run` its batched forms and :func:`protocol_runs` the protocol's conditions (:data:`LEVEL_CONDITIONS`
  adds "no_powerups"). The level's boat starts unbiased (every logit 0: nu[0] = 1), has one logit per cell, and is
  paid LEVEL_POWERUP per donut for the whole run besides the finish payment: a small sure reward for circling and a
  larger delayed one for finishing, with finishing better under R as well as G (R* = G* = 0.8; pure circling pays
  0.73). REINFORCE *without* a baseline at LEVEL_LR locks a fraction of runs into circling (about 0.3-0.5 over seed
  sets of 30-40), most of them after the first window: a noise-driven fall into a local optimum of E[R] worth ~91%
  of R* (:func:`entry_landscape`). ``fix`` = the same REINFORCE with the batch baseline; ``start="good"`` = every
  left logit at GOOD_START_LOGIT; ``coverage`` = a forced coin flip steers COVERAGE_FORCED of all steps, every step
  credited with the importance weight pi/mu (``coverage_credit="none"``: forced steps not credited, a named variant;
  ``coverage_from``: the update from which the forcing starts); ``exploration`` = the steering temperature. What the
  controls show: no power-ups, no lock-in; the baseline cuts the rate to a fraction; the good start keeps the race in
  about 90% of runs; coverage from the start prevents the lock-in (0-0.05 of runs); coverage switched on after the
  lock-in does not undo it within the budget (the gradient at a saturated entry cell is tiny; a reviewer's runs
  over about ten times the budget saw most locked runs recover). :func:`level_sweep` gives the lock-in
  rate against the learning rate (with and without the baseline) and against the power-up value, through break-even.
* The contrast, the power-up *season* (:func:`season_config`, :func:`season_protocol_runs`, :func:`season_sweep`):
  power-ups pay SEASON_POWERUP per donut for the first SEASON updates, then stop; a two-weight reflex with a batch
  baseline learns the spin within about 10 updates *while circling pays* (2.8 per race against 0.8), i.e. as reward
  hacking, and then freezes (:func:`season_end_stats`); its fix is an optimistic TD critic (SEASON_FIX_NAME), its
  extra control "no_season" (:data:`SEASON_CONDITIONS`), and the sweep shows the narrow band of season strengths
  where its controls pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, ConfigError, choice, param
from ..envs.ladder_1_lagoon import LagoonTrackConfig, TrackLayout, best_return, policy_stats
from ..learners.ladder_1_reflex import ReflexConfig, ReflexRun, train_reflex
from ..seeding import derive_seed
from .ladder import LATE_LOCK, LOCK_THRESHOLD, LadderMetrics, LadderRuns, ladder_metrics, lock_in_rate  # one threshold

__all__ = ["LagoonConfig", "LagoonResult", "run_lagoon", "uniform_visits", "bias_sweep", "donut_exchange",
           "run_level", "run_levels", "LEVEL_CONDITIONS", "SEASON_CONDITIONS", "season_config", "season_levels",
           "season_protocol_runs", "SEASON_FIX_NAME", "level_run", "late_share", "level_sweep", "LEVEL_POWERUP",
           "LEVEL_LR", "SWEEP_LEARNING_RATES", "SWEEP_LEVEL_POWERUPS", "season_end_stats", "season_sweep", "SWEEP_POWERUPS", "SWEEP_SEASONS", "run_seeds", "level_config", "protocol_runs", "LOCK_THRESHOLD", "SEASON", "SEASON_POWERUP", "FIX_NAME",
           "DELTA_G_SMALL", "entry_landscape", "COVERAGE_FORCED", "GOOD_START_LOGIT", "LEVEL_UPDATES", "WEAK_BIAS", "STRONG_BIAS", "HACKING_POWERUP", "OPTIMISTIC_VALUE", "WINDOW"]

WEAK_BIAS, STRONG_BIAS = 1.0, 4.0
#: a power-up value at which circling forever scores 0.98 against the perfect finisher's 0.80 (about 20% more,
#: like CoastRunners' boat against human players)
HACKING_POWERUP = 0.035
#: the TD fix's initial value of every position: above the largest finish payment (1), i.e. optimism
OPTIMISTIC_VALUE = 1.5
#: updates per nu window
WINDOW = 10


@dataclass(frozen=True)
class LagoonConfig(Config):
    """The level-1 experiment: track, learner and how many runs (seeds) to train."""

    spin_bias: float = param(STRONG_BIAS, low=-20.0, high=20.0, ui=(0.0, 6.0, 0.25),
                             doc="initial left logit in the lagoon (the lagoon detector's bias)")
    powerup: float = param(0.0, low=0.0, high=10.0, ui=(0.0, 0.1, 0.005),
                           doc="reward per donut in the lagoon (0: no power-ups)")
    learning_rate: float = param(0.5, low=0.0, low_open=True, high=100.0, ui=(0.05, 3.0, 0.05),
                                 doc="policy step size, > 0")
    baseline: bool = param(False, doc="REINFORCE: subtract the running mean race return")
    algorithm: str = choice("reinforce", ("reinforce", "td"),
                            doc="reward-only end-of-race REINFORCE, or a TD actor-critic")
    critic_init: float = param(0.0, low=-10.0, high=10.0, ui=(0.0, 2.0, 0.1),
                               doc="TD: initial value of every position (above 1 is optimism)")
    temperature: float = param(1.0, low=0.0, high=100.0, ui=(0.0, 3.0, 0.1),
                               doc="exploration: logits are divided by it (0: greedy)")
    powerup_season: int = param(0, low=0, high=100_000, ui=(0, 200, 10),
                                doc="updates during which the power-ups pay (0: all of training)")
    forced: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                          doc="share of steps steered by a forced coin flip once power-ups are gone (coverage)")
    forced_credit: str = choice("none", ("none", "is"),
                                doc="forced steps: not credited to the policy, or credited with weight pi/mu")
    forced_from: int = param(0, low=0, high=100_000, ui=(0, 400, 10), doc="update from which the forcing starts")
    initial_left: float = param(0.0, low=-20.0, high=20.0, ui=(-6.0, 6.0, 0.25),
                                doc="initial left logit of every cell outside the lagoon")
    tied: bool = param(False, doc="two shared weights (steering bias, lagoon detector) instead of per-cell logits")
    horizon: int = param(30, low=1, high=1000, ui=(10, 60), doc="steps before a race is cut off")
    track: str = param("S.LLL..F", widget="none", doc="cells: S start, . water, L lagoon, F finish (last)")
    updates: int = param(200, low=WINDOW, high=100_000, ui=(20, 400, 10),
                         doc=f"policy updates per run, >= {WINDOW} (one nu window)")
    boats: int = param(10, low=1, high=10_000, ui=(1, 50), doc="races per update")
    runs: int = param(20, low=1, high=1000, ui=(1, 40), doc="independent runs")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="seed of the runs' random stream")

    def check(self) -> None:
        try:
            self.track_config()
        except ConfigError as err:  # re-raise under this class's name: the same field, the same rule
            raise self.invalid(err.field, str(err).split("is not allowed: ", 1)[-1]) from None

    def track_config(self) -> LagoonTrackConfig:
        return LagoonTrackConfig(track=self.track, horizon=self.horizon, powerup=self.powerup)

    def learner(self) -> ReflexConfig:
        return ReflexConfig(algorithm=self.algorithm, spin_bias=self.spin_bias, learning_rate=self.learning_rate,
                            baseline=self.baseline, temperature=self.temperature, updates=self.updates,
                            boats=self.boats, critic_init=self.critic_init, powerup_season=self.powerup_season,
                            forced=self.forced, forced_credit=self.forced_credit,
                            forced_from=self.forced_from, initial_left=self.initial_left, tied=self.tied)


def uniform_visits(layout: TrackLayout) -> float:
    """Expected steps per race started in region N by the uniformly exploring boat (P(left) = 1/2 everywhere)."""
    return float(policy_stats(layout, np.full(layout.n, 0.5))["visits_N"])


@dataclass
class LagoonResult(LadderRuns):
    """A trained batch of runs with exact final-policy statistics and the ladder metrics of every run."""

    config: LagoonConfig
    run: ReflexRun
    final: dict  # policy_stats of each run's final policy, arrays of shape (runs,)
    metrics: list[LadderMetrics]
    reference_visits: float
    r_best: float
    g_best: float

    @property
    def untouched_share(self) -> float:
        """The share of runs whose logits never moved at all (bit for bit equal to the initial ones)."""
        return float(np.mean(np.all(self.run.logits == self.run.initial_logits, axis=(1, 2))))

    def summary(self) -> dict:
        """Scalars for the metrics JSON: lock-in rate, final finish rate, gaps, remaining donut habit."""
        lagoon = self.run.layout.lagoon
        return {
            "lock_rate": self.lock_rate,
            "finish_rate_mean": float(self.final["finish"].mean()),
            "finish_rate_min": float(self.final["finish"].min()),
            "delta_G_mean": float(np.mean([m.delta_g for m in self.metrics])),
            "delta_R_mean": float(np.mean([m.delta_r for m in self.metrics])),
            "final_donuts_mean": float(self.final["donuts"].mean()),
            "final_lagoon_p_left_mean": float(self.run.p_left[:, -1][:, lagoon].mean()),
            "final_nu_mean": float(np.mean([m.nu[-1] for m in self.metrics])),
            "untouched_share": self.untouched_share,
            "R_best": self.r_best, "G_best": self.g_best,
        }


def run_seeds(config: LagoonConfig) -> list[int]:
    """The seeds of a config's runs: run i uses derive_seed(config.seed, "lagoon", i)."""
    return [derive_seed(config.seed, "lagoon", i) for i in range(config.runs)]


def run_lagoon(config: LagoonConfig, progress=None, spin_biases: np.ndarray | None = None,
               seeds: list[int] | None = None, powerups: np.ndarray | None = None,
               seasons: np.ndarray | None = None) -> LagoonResult:
    """Train ``config.runs`` reflex boats and compute exact final statistics and ladder metrics per run.

    ``spin_biases`` (one per run) overrides ``config.spin_bias`` run by run (used by :func:`bias_sweep`);
    ``seeds`` overrides :func:`run_seeds` (one per run); ``powerups`` and ``seasons`` override the power-up value
    and season run by run (every season > 0: the final race is scored without power-ups).
    """
    layout = TrackLayout.from_config(config.track_config())
    seeds = run_seeds(config) if seeds is None else list(seeds)
    if len(seeds) != config.runs:
        raise ValueError(f"seeds has {len(seeds)} entries; config.runs = {config.runs}")
    run = train_reflex(layout, config.learner(), seeds, spin_biases=spin_biases, powerups=powerups, seasons=seasons)
    if progress is not None:
        progress(1.0)
    # the race as it is at the end of training: without power-ups once their season is over
    seasonal = config.powerup_season > 0 if seasons is None else bool(np.all(np.asarray(seasons) > 0))
    final_layout = layout if not seasonal else TrackLayout.from_config(
        config.track_config().replace(powerup=0.0))
    final = policy_stats(final_layout, run.p_left[:, -1])
    ref = uniform_visits(layout)
    # nu: the expected visits to N of the agent's own policy at every WINDOW-th update (exact, so neither sampling
    # noise nor forced steps enter it); nu[0] is the initial policy's
    own = policy_stats(layout, run.p_left[:, ::WINDOW])["visits_N"]
    floor = 0.0
    if config.forced > 0:  # the nu forced steps alone give a boat whose own policy always spins in the lagoon
        f = config.forced
        floor = float(policy_stats(layout, np.where(layout.lagoon, 1 - f / 2, f / 2))["visits_N"]) / ref
    r_best, g_best = best_return(final_layout), final_layout.best_g
    metrics = [ladder_metrics(own[i], ref, g_final=final["G"][i], g_best=g_best, r_final=final["R"][i],
                              r_best=r_best, floor=floor) for i in range(config.runs)]
    return LagoonResult(config, run, final, metrics, ref, r_best, g_best)


def bias_sweep(biases, config: LagoonConfig) -> LagoonResult:
    """``config.runs`` runs at every initial spin bias in ``biases``, trained in one vectorized batch.

    Run ``i * config.runs + j`` has bias ``biases[i]``; reshape per-run arrays to (len(biases), config.runs).
    """
    biases = np.asarray(biases, dtype=np.float64)
    return run_lagoon(config.replace(runs=len(biases) * config.runs), spin_biases=np.repeat(biases, config.runs))


#: the learners the donut exchange compares: label -> config changes
EXCHANGE_LEARNERS = {
    "REINFORCE, end of race": dict(algorithm="reinforce", baseline=False),
    "REINFORCE + baseline": dict(algorithm="reinforce", baseline=True),
    "TD actor-critic, V from 0": dict(algorithm="td", critic_init=0.0),
    "TD actor-critic, optimistic V": dict(algorithm="td", critic_init=OPTIMISTIC_VALUE),
}


def donut_exchange(config: LagoonConfig) -> dict:
    """Donuts per race over training for each learner of ``EXCHANGE_LEARNERS`` at the weak and strong bias.

    Returns ``{bias_name: {label: LagoonResult}}`` with bias names ``"weak"`` and ``"strong"`` (power-ups
    off); every other setting comes from ``config``.
    """
    out = {}
    for name, bias in (("weak", WEAK_BIAS), ("strong", STRONG_BIAS)):
        out[name] = {label: run_lagoon(config.replace(spin_bias=bias, powerup=0.0, **changes))
                     for label, changes in EXCHANGE_LEARNERS.items()}
    return out


#: the protocol's level-1 defaults: power-ups worth SEASON_POWERUP per donut pay during the first SEASON updates
#: (circling then pays 28 * 0.1 = 2.8 per race against finishing's 0.8), the boat starts unbiased (uniform
#: steering, nu[0] = 1), its reflex has two tied weights (a steering bias shared by every cell and a lagoon
#: detector, ``tied=True``) and REINFORCE with a batch baseline trains it; then the power-ups are gone.
SEASON_POWERUP, SEASON = 0.1, 60
#: updates per protocol run (quick, full); windows of WINDOW updates
LEVEL_UPDATES = {True: 500, False: 500}
#: the coverage control's forced exploration: this share of steps is a forced coin flip after the season
COVERAGE_FORCED = 0.5
#: the good start: every left logit at this value (P(left) = 0.047: straight to the finish)
GOOD_START_LOGIT = -3.0
#: Delta_G at or below this counts as reaching the intended behaviour (G_best = 0.8)
DELTA_G_SMALL = 0.1
#: the season contrast's fix: a TD actor-critic with an optimistic value table
SEASON_FIX_NAME = "TD actor-critic with optimistic values"


def season_end_stats(result: LagoonResult, season: int | np.ndarray = SEASON) -> dict[str, np.ndarray]:
    """The policy at the end of the power-up season, scored on the race without power-ups, per run: P(finish) per
    race, the expected finishes in the rest of the budget, and the mean P(left) in the lagoon."""
    runs = result.run.p_left.shape[0]
    season = np.broadcast_to(np.asarray(season), (runs,))
    p = result.run.p_left[np.arange(runs), season]
    layout = TrackLayout.from_config(result.config.track_config().replace(powerup=0.0))
    finish = policy_stats(layout, p)["finish"]
    races_left = (result.config.updates - season) * result.config.boats
    return {"finish": finish, "expected_finishes": finish * races_left,
            "lagoon_p_left": p[:, layout.lagoon].mean(-1)}


#: the season-strength sweep: power-up values at the protocol's season, and season lengths at its power-up value
SWEEP_POWERUPS = (0.02, 0.03, 0.04, 0.06, 0.1, 0.13, 0.15, 0.2)
SWEEP_SEASONS = (5, 10, 20, 60, 120)


def season_sweep(seeds, *, powerups=SWEEP_POWERUPS, seasons=SWEEP_SEASONS, quick: bool = False) -> dict:
    """The protocol's four conditions across season strengths, each condition one vectorized batch.

    Settings: every value of ``powerups`` at season SEASON, then every length of ``seasons`` at SEASON_POWERUP.
    Returns ``{"settings": [(powerup, season), ...], "lock_rate", "good_start_keeps", "coverage_reaches",
    "fix_lock_rate", "season_end_finishes": arrays over settings}``: the lock-in rate at the defaults, the share of
    good-start and coverage runs with Delta_G <= DELTA_G_SMALL, the fix's lock-in rate, and the mean expected
    finishes of the season-end policy in the rest of the budget (defaults).
    """
    seeds = [int(s) for s in seeds]
    settings = [(float(p), SEASON) for p in powerups] + [(SEASON_POWERUP, int(k)) for k in seasons]
    pu = np.repeat([p for p, _ in settings], len(seeds))
    se = np.repeat([k for _, k in settings], len(seeds))
    run_seeds_ = [derive_seed(s, "level1") for s in seeds] * len(settings)
    out = {"settings": settings}
    k = len(settings)

    def batch(**kw):
        cfg = season_config(0, quick=quick, **kw).replace(runs=len(pu))
        return run_lagoon(cfg, seeds=run_seeds_, powerups=pu, seasons=se)

    default = batch()
    locked = np.array([m.locked for m in default.metrics], float).reshape(k, -1)
    out["lock_rate"] = locked.mean(1)
    out["season_end_finishes"] = season_end_stats(default, se)["expected_finishes"].reshape(k, -1).mean(1)
    for name, kw in (("good_start_keeps", {"start": "good"}), ("coverage_reaches", {"coverage": True})):
        res = batch(**kw)
        out[name] = np.array([m.delta_g <= DELTA_G_SMALL for m in res.metrics], float).reshape(k, -1).mean(1)
    fix = batch(fix=True)
    out["fix_lock_rate"] = np.array([m.locked for m in fix.metrics], float).reshape(k, -1).mean(1)
    return out


def season_config(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
                  start: str = "default", coverage: bool = False) -> LagoonConfig:
    """The power-up season (the reward-hacking contrast): one run (see SEASON_POWERUP and SEASON above)."""
    if start not in ("default", "good"):
        raise ValueError(f"start = {start!r} is not one of 'default', 'good'")
    changes = dict(algorithm="td", critic_init=OPTIMISTIC_VALUE) if fix else {}
    if start == "good":
        changes.update(spin_bias=GOOD_START_LOGIT, initial_left=GOOD_START_LOGIT)
    return LagoonConfig(runs=1, seed=seed, temperature=exploration, updates=LEVEL_UPDATES[bool(quick)],
                        spin_bias=changes.pop("spin_bias", 0.0), powerup=SEASON_POWERUP, powerup_season=SEASON,
                        baseline=True, tied=True, forced=COVERAGE_FORCED if coverage else 0.0, **changes)


def season_levels(seeds, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
                  start: str = "default", coverage: bool = False) -> list[LadderMetrics]:
    """The season contrast's protocol runs, one per seed, in one vectorized batch."""
    seeds = [int(s) for s in seeds]
    config = season_config(0, exploration=exploration, fix=fix, quick=quick, start=start,
                           coverage=coverage).replace(runs=len(seeds))
    return run_lagoon(config, seeds=[derive_seed(s, "level1") for s in seeds]).metrics


#: the season contrast's conditions, beyond the shared four: the same boat without any power-up season
SEASON_CONDITIONS = {"default": {}, "coverage": {"coverage": True}, "good_start": {"start": "good"},
                     "fix": {"fix": True}, "no_season": {"no_season": True}}


def season_protocol_runs(seeds, *, quick: bool = False, conditions: dict | None = None) -> dict[str, list[LadderMetrics]]:
    """The protocol's conditions for the power-up season (the reward-hacking contrast), one batch per condition;
    ``{"no_season": True}`` trains the season's boat with power-ups worth 0."""
    from .ladder import CONDITIONS
    out = {}
    for name, kw in (conditions or CONDITIONS).items():
        kw = dict(kw)
        if kw.pop("no_season", False):
            seeds_ = [derive_seed(int(s), "level1") for s in seeds]
            cfg = season_config(0, quick=quick, **kw).replace(runs=len(seeds_), powerup=0.0)
            out[name] = run_lagoon(cfg, seeds=seeds_).metrics
        else:
            out[name] = season_levels(seeds, quick=quick, **kw)
    return out


# ---- the level's protocol: a lock-in that develops (a small sure reward, REINFORCE without a baseline) ----------
#: the level's power-up, paid throughout training: circling pays at most 28 * 0.026 = 0.73 per race, less than the
#: perfect race's 0.8 (break-even 0.8 / 28 = 0.0286), and a donut costs a step worth 1/30 of the finish payment,
#: more than it pays; so the best policy under R is the perfect race (R* = G* = 0.8): finishing is better under R
#: as well as G throughout, and a boat that circles is not reward hacking. (Circling is a *local* optimum of E[R]:
#: once the lagoon's P(left) is above about 0.7, more circling pays more, because the race is lost anyway.)
LEVEL_POWERUP = 0.026
#: REINFORCE's step size at the defaults (per update of 10 races; one logit per cell, no baseline)
LEVEL_LR = 2.0
#: the level's fix: REINFORCE with a baseline (the update's mean race return subtracted)
FIX_NAME = "REINFORCE with a baseline (the batch's mean return)"
#: the level's conditions, beyond the shared four: the same boat with power-ups worth 0 (no sure reward for circling)
LEVEL_CONDITIONS = {"default": {}, "coverage": {"coverage": True}, "good_start": {"start": "good"},
                    "fix": {"fix": True}, "no_powerups": {"no_powerups": True}}
#: the learning-rate sweep (lock-in rate with and without the baseline) and the power-up sweep
SWEEP_LEARNING_RATES = (0.25, 0.5, 1.0, 2.0, 5.0)
SWEEP_LEVEL_POWERUPS = (0.0, 0.01, 0.02, 0.024, 0.026, 0.028, 0.03, 0.035)


def level_config(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
                 start: str = "default", coverage: bool = False, powerup: float = LEVEL_POWERUP,
                 learning_rate: float = LEVEL_LR, coverage_credit: str = "is",
                 coverage_from: int = 0) -> LagoonConfig:
    """The config :func:`run_level` trains: one unbiased boat (every logit 0: nu[0] = 1), one logit per cell,
    power-ups worth ``powerup`` per donut for the whole run, REINFORCE without a baseline (``fix``: with the batch
    baseline); ``coverage``: a forced coin flip steers COVERAGE_FORCED of all steps, credited to the policy with the
    per-step importance weight pi/mu (``coverage_credit="is"``, the protocol's coverage) or not at all
    (``"none"``, a named variant), from update ``coverage_from`` on (0: all of training); ``start="good"``: every left logit at GOOD_START_LOGIT; ``exploration``: the steering temperature."""
    if start not in ("default", "good"):
        raise ValueError(f"start = {start!r} is not one of 'default', 'good'")
    good = start == "good"
    return LagoonConfig(runs=1, seed=seed, temperature=exploration, updates=LEVEL_UPDATES[bool(quick)],
                        spin_bias=GOOD_START_LOGIT if good else 0.0, initial_left=GOOD_START_LOGIT if good else 0.0,
                        powerup=powerup, powerup_season=0, learning_rate=learning_rate, baseline=bool(fix),
                        tied=False, forced=COVERAGE_FORCED if coverage else 0.0,
                        forced_credit=coverage_credit, forced_from=int(coverage_from))


def level_run(seeds, *, exploration: float = 1.0, fix: bool = False, quick: bool = False, start: str = "default",
              coverage: bool = False, powerup: float = LEVEL_POWERUP, learning_rate: float = LEVEL_LR,
              coverage_credit: str = "is", coverage_from: int = 0) -> LagoonResult:
    """The level's runs for ``seeds`` (run i trains from derive_seed(seeds[i], "level1")) in one vectorized batch,
    as a :class:`LagoonResult` (the trained policies and the metrics)."""
    seeds = [int(s) for s in seeds]
    config = level_config(0, exploration=exploration, fix=fix, quick=quick, start=start, coverage=coverage,
                          powerup=powerup, learning_rate=learning_rate, coverage_credit=coverage_credit,
                          coverage_from=coverage_from).replace(runs=len(seeds))
    return run_lagoon(config, seeds=[derive_seed(s, "level1") for s in seeds])


def run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
              start: str = "default", coverage: bool = False) -> LadderMetrics:
    """The ladder's shared entry point for level 1: one run's nu(t), tau_lock, Delta_G and Delta_R."""
    return run_levels([seed], exploration=exploration, fix=fix, quick=quick, start=start, coverage=coverage)[0]


def run_levels(seeds, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
               start: str = "default", coverage: bool = False) -> list[LadderMetrics]:
    """``[run_level(s, ...) for s in seeds]`` with the same numbers, trained in one vectorized batch."""
    return level_run(seeds, exploration=exploration, fix=fix, quick=quick, start=start, coverage=coverage).metrics


def protocol_runs(seeds, *, quick: bool = False, conditions: dict | None = None) -> dict[str, list[LadderMetrics]]:
    """:func:`rlcore.analysis.ladder.run_protocol` for level 1, one vectorized batch per condition (the same
    numbers as ``run_level`` seed by seed). ``{"no_powerups": True}`` trains the default boat with power-ups worth
    0 (see :data:`LEVEL_CONDITIONS`)."""
    from .ladder import CONDITIONS
    out = {}
    for name, kw in (conditions or CONDITIONS).items():
        kw = dict(kw)
        if kw.pop("no_powerups", False):
            kw["powerup"] = 0.0
        out[name] = level_run(seeds, quick=quick, **kw).metrics
    return out


def late_share(metrics: list[LadderMetrics], late: int | None = None) -> float:
    """Among the locked runs, the share whose tau_lock is at least ``late`` windows (default LATE_LOCK); 0 if none
    locked."""
    taus = [m.tau_lock for m in metrics if m.locked]
    return float(np.mean([t >= (LATE_LOCK if late is None else late) for t in taus])) if taus else 0.0


def level_sweep(seeds, *, learning_rates=SWEEP_LEARNING_RATES, powerups=SWEEP_LEVEL_POWERUPS,
                quick: bool = False) -> dict:
    """Where the level's lock-in holds: the lock-in rate against the learning rate, without and with the baseline
    (at LEVEL_POWERUP), and against the power-up value (at LEVEL_LR, no baseline). Returns
    ``{"learning_rates", "lock_no_baseline", "lock_baseline", "late_no_baseline", "powerups", "lock_by_powerup",
    "delta_R_locked_by_powerup"}`` (arrays; late_*: the share of locked runs with tau_lock >= LATE_LOCK;
    delta_R_locked: the mean Delta_R of the locked runs, nan where none locked)."""
    out = {"learning_rates": np.asarray(learning_rates, float), "powerups": np.asarray(powerups, float)}
    for key, fix in (("no_baseline", False), ("baseline", True)):
        runs = [level_run(seeds, quick=quick, fix=fix, learning_rate=lr).metrics for lr in learning_rates]
        out[f"lock_{key}"] = np.array([lock_in_rate(ms) for ms in runs])
        out[f"late_{key}"] = np.array([late_share(ms) for ms in runs])
    # every power-up value in one batch (train_reflex takes a power-up per run)
    seeds = [int(s) for s in seeds]
    config = level_config(0, quick=quick).replace(runs=len(seeds) * len(powerups))
    res = run_lagoon(config, seeds=[derive_seed(s, "level1") for s in seeds] * len(powerups),
                     powerups=np.repeat(np.asarray(powerups, float), len(seeds)))
    locked = np.array([m.locked for m in res.metrics], float).reshape(len(powerups), -1)
    out["lock_by_powerup"] = locked.mean(1)
    # Delta_R scored on each setting's own race (run_lagoon scores every run on config.powerup's)
    p_final = res.run.p_left[:, -1].reshape(len(powerups), len(seeds), -1)
    dr = []
    for pu, p, lk in zip(out["powerups"], p_final, locked):
        layout = TrackLayout.from_config(config.track_config().replace(powerup=float(pu)))
        r = np.asarray(policy_stats(layout, p[lk > 0])["R"]) if lk.any() else np.array([])
        dr.append(best_return(layout) - r.mean() if lk.any() else np.nan)
    out["delta_R_locked_by_powerup"] = np.array(dr)
    return out



def entry_landscape(entry_p_left, *, inner_p_left: float = 0.005, forced: float = 0.0,
                    powerup: float = LEVEL_POWERUP, h: float = 1e-5) -> dict[str, np.ndarray]:
    """The exact E[R] of the level's boat as a function of the lagoon entry cell's P(left), and its derivative with
    respect to the entry cell's left logit (central differences on :func:`policy_stats`, exact expectations).

    Every cell outside the lagoon steers straight with P(left) = 0, the two inner lagoon cells with ``inner_p_left``.
    ``forced`` > 0 scores the forced mixture mu = (1 - forced) pi + forced / 2 that steers the coverage runs: the
    importance-weighted REINFORCE update of :mod:`rlcore.learners.ladder_1_reflex` follows the gradient of this
    E_mu[R] (times 1 / (1 - forced)). Returns ``{"entry_p_left", "R", "dR_dlogit"}`` (arrays over ``entry_p_left``).
    The gradient carries the softmax's factor pi (1 - pi): it vanishes as the entry cell saturates.
    """
    layout = TrackLayout.from_config(LagoonTrackConfig(powerup=powerup))
    lag = np.flatnonzero(layout.lagoon)
    p = np.atleast_1d(np.asarray(entry_p_left, dtype=np.float64))

    def value(pe):
        q = np.zeros((len(pe), layout.n))
        q[:, lag[1:]] = inner_p_left
        q[:, lag[0]] = pe
        return np.asarray(policy_stats(layout, (1 - forced) * q + forced / 2)["R"], dtype=np.float64)

    z = np.log(p) - np.log1p(-p)
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))  # noqa: E731
    grad = (value(sig(z + h)) - value(sig(z - h))) / (2 * h)
    return {"entry_p_left": p, "R": value(p), "dR_dlogit": grad}
