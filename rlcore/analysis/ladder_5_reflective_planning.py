"""Ladder level 5 (reflective planning): the browser that plans to keep a gap in what it knows.

The experiment runs :func:`rlcore.learners.ladder_5_planner.train_planner` on the page web
(:mod:`rlcore.envs.ladder_5_pages`) and measures what the discussion's example says:

* before the warning the agent reads topic 3 like any other topic (it pays well: the agent knows least there);
* after a (scripted) trusted source tells it the topic is dangerous, the *reflective* planner, which foresees
  that a stray read would change what it believes and then what it wants, and judges that future by what it
  wants now, **chooses** to block every link into the topic for good (a planned action with a cost; its value
  of blocking is logged). A fixed-belief planner given the same option does not take it (it expects its future
  self to avoid the topic anyway), its random clicks reach the topic, its belief falls and the gap closes. The
  choice, not a script, makes the lock-in. The block is a commitment against the trainer's *forced
  exploration* (both futures are valued with an exact future choice, so without forced exploration no planner
  gains by blocking); :func:`block_band` shows for which costs x exploration shares the planners separate, and
  :func:`temperature_table` that no other agent (fixed-belief, updating, never warned) blocks at any
  temperature, while agents that value the block with their own choice noise do at high temperature;
* meanwhile it keeps learning the other topics from reward (their knowledge and learned values are logged).

Ladder metrics (:mod:`rlcore.analysis.ladder`), per window of ``window`` sessions:

* N: reads of topic 3's *deep* pages by the agent's own choice (forced exploration and the coverage control's
  forced reads are counted apart, as ``floor``); reference: the uniform explorer's expected deep reads
  (:func:`rlcore.envs.ladder_5_pages.uniform_visits`). The half-weight gateway overviews do not count: an agent
  that reads only overviews keeps the gap. :func:`references` calibrates nu with the random browser (nu = 1),
  the ideal browser (reads the topic while it teaches, never locks, Delta_G = 0) and a browser that never
  reads the topic (nu = 0, locks).
* G: the knowledge a session of the final policy gains, per read, computed exactly (its own policy, its own
  belief changes within the session); G_best: the best session any policy could browse (exact DP). The
  reward R is the same knowledge gain (the topic is harmless), so Delta_R = Delta_G: the gap is not a
  misspecified reward but the agent's own goal (the fear it acts on) keeping it from the reward.

Controls (:func:`conditions`): coverage (each session starts with a forced topic-3 read, which reaches the
topic even when blocked), good start (no warning: is reading the topic stable under the reward? it cannot lock
by construction), the planners compared with the same option to block and the same exploration, the option
removed, and the fix (a planner that values future reads by the beliefs it will hold then; it keeps the option
and declines it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_5_pages import (AVOIDED_TOPIC, DEEP, LINKS, N_ACTIONS, N_PAGES, N_TOPICS, PAGE_TOPIC,
                                   PAGE_WEIGHT, Pages, next_page, uniform_page_distributions, uniform_visits)
from ..learners.ladder_5_planner import PlannerConfig, blocked_links, optimal_value, train_planner
from ..logs import TrainingLog
from ..seeding import derive_seed
from .ladder import LadderMetrics, ladder_metrics, summarize_runs

__all__ = ["PagesLessonConfig", "PagesRun", "PagesResult", "run_pages", "level_metrics", "conditions",
           "harm_sweep", "run_level", "READING_NOTE", "LEVEL", "FIX_NAME", "FIX_CHANGES", "FIX_PARTS",
           "HARM_SWEEP", "TEMPERATURE_SWEEP", "temperature_table", "block_band", "TEMPERATURE_AGENTS",
           "TABLE_TEMPERATURES", "BAND_EXPLORE", "BAND_COSTS", "BLOCK_COSTS", "block_cost_sweep", "references", "DEFAULT"]

LEVEL = 5
FIX_NAME = "a planner that values future reads by the beliefs it will then hold (it declines to block)"
FIX_CHANGES = {"planner": "updating"}
#: The name of the default condition in :func:`conditions`.
DEFAULT = "default (reflective, may block)"
#: The level's caveat on the dashboard's reading (what its measurements do and do not support).
READING_NOTE = ("the lock-in comes from the agent's own choice to blacklist (block) the topic, a commitment against the "
                "trainer's forced random clicks (no forced exploration: no block), which only the planner that models its "
                "own belief change makes (fixed-belief planner with the same option: blocks in 0 of 10, 1 of 10 locked) and "
                "only in a band of cost x exploration (at 5% exploration costs 0.05-0.8; at 10% the fixed-belief planner "
                "blocks too at costs up to 0.1); valued with an exact future choice, no agent without the self-model (nor "
                "one never warned) blocks at any temperature 0.01-0.5; at 2% exploration foresight alone holds the lock; the "
                "warning that starts it is scripted, and the good start (never warned) holds only above a cost floor (its "
                "small fear is worth a block costing below about 0.02 at 5-10% exploration, 0.1 at 30%); nu counts deep-page "
                "reads (random browser ~1, ideal ~4 with Delta_G 0)")
#: The fix (one change now: the planner; the option to block stays): name -> config changes.
FIX_PARTS = {"fix (updating planner)": FIX_CHANGES}
#: block_cost values of :func:`block_cost_sweep`.
BLOCK_COSTS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
#: harm_deep values of :func:`harm_sweep` (how bad the agent believes the deep pages are).
HARM_SWEEP = (0.0, 0.5, 3.0)
#: softmax temperatures of :func:`harm_sweep` (how noisy the planner's choices are; 0.05 is the default).
TEMPERATURE_SWEEP = (0.01, 0.02, 0.05, 0.1)


@dataclass(frozen=True)
class PagesLessonConfig(Config):
    """The level-5 experiment: the agent, its planner, the controls, and how many seeds."""

    planner: str = choice("reflective", ("reflective", "fixed-belief", "updating"),
                          doc="how the planner treats its own future belief")
    can_block: bool = param(True, doc="the planner may choose to block every link into topic 3 for good")
    block_cost: float = param(0.1, low=0.0, high=5.0, ui=(0.0, 0.5, 0.01),
                              doc="one-time cost of blocking, in reward units (a full new page pays 1), [0, 5]")
    explore: float = param(0.05, low=0.0, high=1.0, ui=(0.0, 0.3, 0.01),
                           doc="share of steps taken uniformly at random, [0, 1]")
    harm_deep: float = param(3.0, low=0.0, high=5.0, ui=(0.0, 4.0, 0.25),
                             doc="harm the agent fears from a deep page, per unit belief, [0, 5]")
    warning_log_odds: float = param(3.0, low=-5.0, high=5.0, ui=(-2.0, 5.0, 0.5),
                                    doc="belief the agent stores on reading the warning, log-odds, [-5, 5]")
    temperature: float = param(0.05, low=0.0, low_open=True, high=10.0, ui=(0.01, 0.5), widget="log",
                               doc="softmax temperature of the planner's choices, (0, 10]")
    block_valuation: str = choice("exact-choice", ("exact-choice", "own-noise"),
                                  doc="the blocking choice values both futures with the future self choosing "
                                      "exactly, or with its own softmax noise (then blocking against that noise pays)")
    coverage: bool = param(False, doc="coverage control: each session starts with a forced topic-3 read")
    warned: bool = param(True, doc="False: no warning arrives (the good-start control)")
    sessions: int = param(80, low=20, high=1000, ui=(30, 200, 10), doc="browsing sessions, [20, 1000]")
    window: int = param(5, low=1, high=100, ui=(1, 20), doc="sessions per window of the nu curve, [1, 100]")
    runs: int = param(10, low=1, high=200, ui=(1, 30), doc="independent runs (seeds), [1, 200]")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")

    def check(self) -> None:
        if self.sessions // self.window < 5:
            raise self.invalid("window", f"must leave at least 5 windows in {self.sessions} sessions")

    def learner(self) -> PlannerConfig:
        """The agent's config."""
        late = 10 * self.sessions
        return PlannerConfig(sessions=self.sessions, planner=self.planner, can_block=self.can_block,
                             block_cost=self.block_cost,
                             explore=self.explore, harm_deep=self.harm_deep, warning_log_odds=self.warning_log_odds,
                             coverage=self.coverage, temperature=self.temperature,
                             block_valuation=self.block_valuation,
                             **({} if self.warned else {"warning_from": late, "warning_to": late}))


def level_metrics(log: TrainingLog, env: Pages, window: int) -> LadderMetrics:
    """The shared ladder metrics of one run (see the module docstring)."""
    own = np.asarray(log.steps("own_deep_reads"), dtype=np.float64)
    forced = np.asarray(log.steps("forced_deep_reads"), dtype=np.float64)
    n = len(own) // window
    reference = uniform_visits(env.config.session_steps, pages=DEEP) * window
    visits = own[:n * window].reshape(n, window).sum(axis=1)
    floor = float(forced[:n * window].reshape(n, window).sum(axis=1).mean() / reference)
    g_best, g_final = log.meta["g_best"], log.meta["g_final"]
    return ladder_metrics(visits, reference, g_final=g_final, g_best=g_best, r_final=g_final, r_best=g_best,
                          floor=floor)


@dataclass
class PagesRun:
    """One seed's run and the curves the lesson plots (one entry per session)."""

    log: TrainingLog
    metrics: LadderMetrics
    belief: np.ndarray         # P(topic 3 is harmful) at the end of each session
    knowledge: np.ndarray      # (sessions, 4) knowledge of each topic at the start of each session
    values: np.ndarray         # (sessions, 4) the learned value of a full page of each topic
    reward: np.ndarray         # reward collected per session
    warning_session: int


@dataclass
class PagesResult:
    """All runs of one config."""

    config: PagesLessonConfig
    runs: list[PagesRun]

    @property
    def metrics(self) -> list[LadderMetrics]:
        return [r.metrics for r in self.runs]

    def summary(self) -> dict:
        """The numbers the lesson reports (means over runs)."""
        k_end = np.mean([r.log.meta["final_knowledge"] for r in self.runs], axis=0)
        k_start = np.mean([r.knowledge[0] for r in self.runs], axis=0)
        early = [r.reward[:r.warning_session].mean() if r.warning_session > 0 else np.nan for r in self.runs]
        return {
            **summarize_runs(self.metrics),
            "start_nu": float(np.mean([m.nu[0] for m in self.metrics])),
            "floor": float(np.mean([m.floor for m in self.metrics])),
            "final_belief": float(np.mean([r.belief[-1] for r in self.runs])),
            "knowledge_avoided_start": float(k_start[3]), "knowledge_avoided_end": float(k_end[3]),
            "knowledge_others_start": float(k_start[:3].mean()), "knowledge_others_end": float(k_end[:3].mean()),
            "final_value_others": float(np.mean([r.values[-1][:3].mean() for r in self.runs])),
            "final_value_avoided": float(np.mean([r.values[-1][3] for r in self.runs])),
            "reward_before_warning": float(np.nanmean(early)) if not np.all(np.isnan(early)) else None,
            "reward_last_window": float(np.mean([r.reward[-self.config.window:].mean() for r in self.runs])),
            "blacklisted_links": float(np.mean([r.log.steps("blacklisted")[-1] for r in self.runs])),
            "blocked_share": float(np.mean([bool(r.log.steps("blocked")[-1]) for r in self.runs])),
            "value_of_blocking_at_warning": self.value_at_warning(),
        }

    def value_at_warning(self) -> float | None:
        """Mean over runs of the planner's value of blocking (before its cost) in the session the warning
        arrives (None when no run was warned, or none could still block then)."""
        vals = []
        for r in self.runs:
            gain = np.asarray(r.log.steps("value_of_blocking"), dtype=np.float64)
            if r.warning_session < len(gain) and np.isfinite(gain[r.warning_session]):
                vals.append(gain[r.warning_session] + self.config.block_cost)
        return float(np.mean(vals)) if vals else None


def run_pages(config: PagesLessonConfig, progress=None) -> PagesResult:
    """Run ``config.runs`` seeds; ``progress(fraction)`` after each run."""
    env, learner = Pages(), config.learner()
    runs = []
    for i in range(config.runs):
        log = train_planner(env, learner, seed=derive_seed(config.seed, i))
        runs.append(PagesRun(log=log, metrics=level_metrics(log, env, config.window),
                             belief=1 / (1 + np.exp(-np.asarray(log.steps("log_odds")))),
                             knowledge=log.steps("knowledge"), values=log.steps("values"),
                             reward=log.steps("reward"), warning_session=int(log.meta["warning_session"])))
        if progress is not None:
            progress((i + 1) / config.runs)
    return PagesResult(config, runs)


def conditions(config: PagesLessonConfig) -> dict[str, PagesLessonConfig]:
    """The lesson's conditions from one base config: the protocol's controls, the planners compared with the same
    option to block and the same exploration, the option removed, and the fix."""
    out = {DEFAULT: config,
           "coverage control": config.replace(coverage=True),
           "good start (never warned)": config.replace(warned=False),
           "fixed-belief, may block": config.replace(planner="fixed-belief"),
           "reflective, cannot block": config.replace(can_block=False),
           "fixed-belief, cannot block": config.replace(planner="fixed-belief", can_block=False),
           "reflective, cannot block, no exploration": config.replace(can_block=False, explore=0.0),
           "fixed-belief, cannot block, no exploration": config.replace(planner="fixed-belief", can_block=False,
                                                                        explore=0.0)}
    out.update({name: config.replace(**changes) for name, changes in FIX_PARTS.items()})
    return out


def block_cost_sweep(config: PagesLessonConfig, costs=BLOCK_COSTS, planners=("reflective", "fixed-belief"),
                     progress=None) -> dict:
    """Share of runs that chose to block, lock-in rate and Delta_G of each planner against the cost of blocking.
    ``out[planner]["blocked_share"][i]`` is for ``costs[i]``."""
    out = {"block_cost": list(costs)}
    cells = [(p, c) for p in planners for c in costs]
    for i, (p, c) in enumerate(cells):
        r = run_pages(config.replace(planner=p, block_cost=float(c))).summary()
        d = out.setdefault(p, {"blocked_share": [], "lock_in_rate": [], "delta_G": []})
        d["blocked_share"].append(r["blocked_share"])
        d["lock_in_rate"].append(r["lock_in_rate"])
        d["delta_G"].append(r["delta_G"])
        if progress is not None:
            progress((i + 1) / len(cells))
    return out


#: The agents of :func:`temperature_table`: name -> config changes (all keep the option to block).
TEMPERATURE_AGENTS = {"reflective": {}, "fixed-belief": {"planner": "fixed-belief"},
                      "updating": {"planner": "updating"}, "never warned": {"warned": False},
                      "fixed-belief, own-noise valuation": {"planner": "fixed-belief", "block_valuation": "own-noise"},
                      "never warned, own-noise valuation": {"warned": False, "block_valuation": "own-noise"}}
#: Softmax temperatures of :func:`temperature_table` (the panel's range is 0.01-0.5).
TABLE_TEMPERATURES = (0.01, 0.05, 0.1, 0.2, 0.5)
#: Exploration shares of :func:`block_band`.
BAND_EXPLORE = (0.0, 0.02, 0.05, 0.1, 0.2)
#: Block costs of :func:`block_band`.
BAND_COSTS = (0.05, 0.1, 0.2, 0.4, 0.8)


def temperature_table(config: PagesLessonConfig, temperatures=TABLE_TEMPERATURES, agents=None, progress=None) -> dict:
    """Blocked share, lock-in rate and Delta_G of each agent (:data:`TEMPERATURE_AGENTS`, all with the option to
    block) against the softmax temperature of its choices. ``out[agent]["blocked_share"][i]`` is for
    ``temperatures[i]``."""
    agents = TEMPERATURE_AGENTS if agents is None else agents
    out = {"temperature": list(temperatures)}
    cells = [(a, t) for a in agents for t in temperatures]
    for i, (a, t) in enumerate(cells):
        r = run_pages(config.replace(temperature=float(t), **agents[a])).summary()
        d = out.setdefault(a, {"blocked_share": [], "lock_in_rate": [], "delta_G": []})
        for key in d:
            d[key].append(r[key])
        if progress is not None:
            progress((i + 1) / len(cells))
    return out


def block_band(config: PagesLessonConfig, costs=BAND_COSTS, explores=BAND_EXPLORE,
               planners=("reflective", "fixed-belief"), progress=None) -> dict:
    """Blocked share of each planner on the grid block cost x forced exploration: where the choice to block
    separates the planners. ``out[planner]["blocked_share"][i][j]`` is for ``explores[i]``, ``costs[j]``; also
    ``lock_in_rate`` and ``value_at_warning`` (the planner's mean value of blocking at the warning, before
    the cost; it does not depend on the cost)."""
    out = {"block_cost": list(costs), "explore": list(explores)}
    cells = [(p, e) for p in planners for e in explores]
    for i, (p, e) in enumerate(cells):
        rows = [run_pages(config.replace(planner=p, explore=float(e), block_cost=float(c))).summary() for c in costs]
        d = out.setdefault(p, {"blocked_share": [], "lock_in_rate": [], "value_at_warning": []})
        d["blocked_share"].append([r["blocked_share"] for r in rows])
        d["lock_in_rate"].append([r["lock_in_rate"] for r in rows])
        d["value_at_warning"].append(rows[0]["value_of_blocking_at_warning"])
        if progress is not None:
            progress((i + 1) / len(cells))
    return out


def harm_sweep(config: PagesLessonConfig, values=HARM_SWEEP, temperatures=TEMPERATURE_SWEEP,
               planners=("reflective", "fixed-belief"), progress=None) -> dict:
    """Lock-in rate and Delta_G of each planner on the grid feared harm of a deep page x softmax temperature,
    with neither the option to block nor forced exploration, so that only the session planning decides.
    ``out[planner]["lock_in_rate"][i][j]`` is for ``temperatures[i]``, ``values[j]``."""
    out = {"harm_deep": list(values), "temperature": list(temperatures)}
    cells = [(p, t) for p in planners for t in temperatures]
    for i, (p, t) in enumerate(cells):
        rows = [run_pages(config.replace(planner=p, harm_deep=float(v), temperature=float(t), can_block=False,
                                         explore=0.0)).summary() for v in values]
        d = out.setdefault(p, {"lock_in_rate": [], "delta_G": []})
        d["lock_in_rate"].append([r["lock_in_rate"] for r in rows])
        d["delta_G"].append([r["delta_G"] for r in rows])
        if progress is not None:
            progress((i + 1) / len(cells))
    return out


def _reference_run(kind: str, seed: int, sessions: int, window: int, env: Pages) -> LadderMetrics:
    """One run of a trivial reference browser on the true knowledge gain: ``random`` (uniform over the links),
    ``ideal`` (each session, the exact best session for the knowledge it has) or ``never`` (the best session
    with every link into topic 3 removed)."""
    rng = np.random.default_rng(seed)
    h, rate = env.config.session_steps, env.config.rate
    knowledge = np.where(np.arange(N_TOPICS) == AVOIDED_TOPIC, 0.0, PlannerConfig().prior_knowledge)
    deep = []
    for _ in range(sessions):
        reward = PAGE_WEIGHT * np.where(PAGE_TOPIC >= 0, 1.0 - knowledge[np.maximum(PAGE_TOPIC, 0)], 0.0)
        nxt = next_page(blocked_links(LINKS) if kind == "never" else LINKS)
        page, reads, n_deep = 0, np.zeros(N_TOPICS), 0
        for k in range(h, 0, -1):
            valid = np.flatnonzero(nxt[page] >= 0)
            if kind == "random":
                page = int(nxt[page, rng.choice(valid)])
            else:   # the first step of an optimal path with k reads left (ties broken at random)
                q = np.array([reward[nxt[page, a]] + optimal_value(nxt, reward, k - 1, start=nxt[page, a])
                              for a in valid])
                page = int(nxt[page, valid[rng.choice(np.flatnonzero(q >= q.max() - 1e-12))]])
            if PAGE_TOPIC[page] >= 0:
                reads[PAGE_TOPIC[page]] += 1
            n_deep += page in DEEP
        deep.append(n_deep)
        knowledge = 1 - (1 - knowledge) * (1 - rate) ** reads
    reward = PAGE_WEIGHT * np.where(PAGE_TOPIC >= 0, 1.0 - knowledge[np.maximum(PAGE_TOPIC, 0)], 0.0)
    g_best = optimal_value(next_page(LINKS), reward, h) / h
    if kind == "random":
        g_final = _uniform_session_value(reward, h) / h
    else:
        g_final = optimal_value(next_page(blocked_links(LINKS) if kind == "never" else LINKS), reward, h) / h
    n = sessions // window
    visits = np.asarray(deep[:n * window], dtype=np.float64).reshape(n, window).sum(axis=1)
    return ladder_metrics(visits, uniform_visits(h, pages=DEEP) * window, g_final=g_final, g_best=g_best,
                          r_final=g_final, r_best=g_best)


def _uniform_session_value(reward: np.ndarray, steps: int) -> float:
    total = 0.0
    for dist in uniform_page_distributions(steps, LINKS):
        total += float(dist @ reward)
    return total


def references(config: PagesLessonConfig) -> dict[str, dict]:
    """Calibration of the level's metrics: the random browser, the ideal browser and a browser that never reads
    topic 3, each over ``config.runs`` seeds and ``config.sessions`` sessions, summarized like a condition
    (lock-in rate, Delta_G, final nu; also the mean nu over the run)."""
    env = Pages()
    out = {}
    for kind, name in (("random", "random browser"), ("ideal", "ideal browser"), ("never", "never reads topic 3")):
        ms = [_reference_run(kind, derive_seed(config.seed, i), config.sessions, config.window, env)
              for i in range(config.runs)]
        out[name] = {**summarize_runs(ms), "mean_nu": float(np.mean([m.nu.mean() for m in ms]))}
    return out


def run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
              start: str = "default", coverage: bool = False) -> LadderMetrics:
    """The ladder protocol for level 5 (see :mod:`rlcore.analysis.ladder`).

    ``exploration`` multiplies the share of random steps (0.05); ``fix`` uses the updating planner (which keeps
    the option to block and declines it); ``start="good"`` is the agent never warned; ``coverage`` forces one
    topic-3 read per session; ``quick`` runs 60 sessions instead of 80.
    """
    if not np.isfinite(exploration) or exploration < 0 or exploration * 0.05 > 1:
        raise ValueError(f"exploration = {exploration!r} is outside its allowed range [0, 20]")
    if start not in ("default", "good"):
        raise ValueError(f"start = {start!r} is not one of 'default', 'good'")
    config = PagesLessonConfig(runs=1, seed=int(seed), sessions=60 if quick else 80)
    config = config.replace(explore=config.explore * float(exploration), coverage=bool(coverage),
                            warned=start != "good", **(FIX_CHANGES if fix else {}))
    env = Pages()
    log = train_planner(env, config.learner(), seed=derive_seed(int(seed), 0))
    return level_metrics(log, env, config.window)
