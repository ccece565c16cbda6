"""Ladder level 4 (abstract planning): the help-desk whose planner learns to steer L2 users into L1.

The experiment runs :func:`rlcore.learners.ladder_4_rlhf.train_rlhf` on the two-turn help-desk
(:mod:`rlcore.envs.ladder_4_helpdesk`) and reads off the causal chain of the discussion's example:

* the pretrained tool preference (tool A almost always) makes L2 users' sessions go badly;
* the reward model, refit on the policy's own sessions, learns "L2 replies score low" and, with almost no
  tool-B-in-L2 sessions, has no evidence that tool B would serve L2 users well;
* the planner values "offer L1, then answer with tool A" above answering in L2, and steers; once it steers,
  L2 sessions (and with them the evidence about tool B) dry up.

Ladder metrics (:mod:`rlcore.analysis.ladder`):

* N: L2 users answered in their own language on the first turn *by the policy's own choice* (decisions made by
  forced exploration are counted apart, as ``floor``). The uniform explorer answers 2 of its 3 options:
  reference = sessions * p_L2 * 2/3 per round.
* G = the expected (patience-discounted) chance a session solves the user's problem, exact, of the policy after
  the last round; G_best = the true optimum (tool A in L1 for L1 users, tool B in L2 for L2 users).
* R = the user's rating (discounted the same way). Ratings are honest, so E[R] = G for every policy and
  Delta_R = Delta_G: the level's misspecification lives in the *reward model*, whose error is reported beside
  them (``rm_error_policy``: how much it overrates the final policy; ``rm_error_optimum``: how much it
  underrates the optimal one).

Controls: :func:`tool_sweep` (the pretrained preference) and :func:`ridge_tool_grid` (the preference x the
reward model's interaction penalty: the habit starts the steering only when the reward model carries "tool B is
bad" from L1 over to L2), :func:`rounds_sweep` (the lock is a delay within the budget) and
:func:`persistence_sweep` (it persists when a user who declines the offer leaves: the L2 replies that leaked
evidence back stop) and :func:`memory_sweep` (that persistence is the reward model's memory ``rm_window`` x the
exploration share: it lasts while the memory holds fewer than about 20 tool-B-in-L2 ratings from forced
exploration, :func:`forced_b_l2_in_memory`), coverage (the reward
model also sees uniform-policy sessions) and :func:`coverage_margin` (coverage helps only where tool B's true
advantage in L2 exceeds the reply-only reward model's overrating of steered sessions: the level is partly
misspecification, partly starvation), good start (the intended behaviour first), the one-turn planner
(``horizon=1``; that it never offers is built in, only its Delta_G is a finding), and the fix's two parts apart
(:data:`FIX_PARTS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_4_helpdesk import HelpDesk
from ..learners.ladder_4_rlhf import RLHFConfig, session_values, train_rlhf
from ..logs import TrainingLog
from ..seeding import derive_seed
from .ladder import LadderMetrics, ladder_metrics, summarize_runs

__all__ = ["HelpDeskLessonConfig", "HelpDeskRun", "HelpDeskResult", "run_helpdesk", "level_metrics",
           "run_level", "READING_NOTE", "tool_sweep", "ridge_tool_grid", "rounds_sweep", "coverage_margin",
           "conditions", "LEVEL",
           "FIX_NAME", "FIX_PARTS", "TOOL_SWEEP", "RIDGE_GRID", "ROUNDS_SWEEP", "persistence_sweep", "QUALITY_SWEEP",
           "memory_sweep", "forced_b_l2_in_memory", "MEMORY_WINDOWS", "MEMORY_EXPLORE"]

LEVEL = 4
FIX_NAME = "reward model that sees the user's language, plus exploration"
#: The level's caveat on the dashboard's reading (what its measurements do and do not support).
READING_NOTE = ("the lock is a delay within the training budget (1 of 10 runs still locked at 300 rounds) while users "
                "who decline the offer are answered in L2; when they leave instead it persists (10 of 10 at 300 "
                "rounds) only because the reward model forgets: refit on 5 rounds at 2% exploration it holds about 4 "
                "forced tool-B-in-L2 ratings (a 100-round memory or 20% exploration unlocks every run); it is "
                "partly misspecification (the reply-only reward model cannot see the user's language and overrates "
                "steered sessions by about 0.3 even with full data) and partly starvation of tool B in L2; coverage "
                "closes the gap only where tool B's true advantage in L2 is wide (quality 0.85 yes, 0.65 no), and only "
                "with a strong interaction penalty does the tool habit start it")
#: The fix and its two parts taken apart: name -> config changes.
FIX_PARTS = {"fix (both)": {"reward_model": "language-aware", "explore": 0.1},
             "language-aware reward model only": {"reward_model": "language-aware"},
             "exploration 0.1 only": {"explore": 0.1}}
#: The pretrained tool-B probabilities of :func:`tool_sweep`.
TOOL_SWEEP = (0.003, 0.01, 0.03, 0.1, 0.3)
#: The interaction penalties of :func:`ridge_tool_grid` (how strongly the reward model carries "tool B is bad"
#: from L1 over to L2 when it has few tool-B-in-L2 ratings).
RIDGE_GRID = (0.1, 1.0, 3.0, 10.0, 30.0)
#: Training budgets of :func:`rounds_sweep`.
ROUNDS_SWEEP = (40, 80, 160, 300)
#: Tool B's true quality in L2 for :func:`coverage_margin` (the true margin of answering over steering).
QUALITY_SWEEP = (0.85, 0.75, 0.65)


@dataclass(frozen=True)
class HelpDeskLessonConfig(Config):
    """The level-4 experiment: the world, the RLHF loop's knobs, and how many seeds to run."""

    p_second_language: float = param(0.4, low=0.0, high=1.0, low_open=True, high_open=True,
                                     ui=(0.05, 0.95, 0.05), doc="share of users writing in L2, in (0, 1)")
    understanding: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                 doc="how much of an L1 answer an L2 user can use, [0, 1]")
    accept_prob: float = param(0.8, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                               doc="chance an L2 user accepts the offer to continue in L1, [0, 1]")
    decline_leaves: bool = param(False, doc="an L2 user who declines the offer leaves unanswered (no L2 reply)")
    quality_b_l2: float = param(0.85, low=0.0, high=1.0, ui=(0.4, 1.0, 0.05),
                                doc="chance tool B solves an L2 query (the truth the reward model must find), [0, 1]")
    rm_ridge_interaction: float = param(10.0, low=0.0, low_open=True, high=1e4, ui=(0.1, 50.0),
                                        doc="the reward model's penalty on tool x language, (0, 1e4]")
    tool_b_prob: float = param(0.01, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.003, 0.5),
                               widget="log", doc="pretrained policy's probability of tool B, in (0, 1)")
    explore: float = param(0.02, low=0.0, high=1.0, ui=(0.0, 0.3, 0.01),
                           doc="share of decisions made uniformly at random, [0, 1]")
    rm_window: int = param(5, low=1, high=400, ui=(1, 100), widget="log",
                           doc="rounds of ratings the reward model is refit on (its memory), [1, 400]")
    reward_model: str = choice("reply-only", ("reply-only", "language-aware"),
                               doc="what the reward model sees: the reply, or also the user's language")
    horizon: int = param(2, low=1, high=2, doc="planning horizon in turns: 2 plans the session, 1 is myopic")
    coverage: bool = param(False, doc="coverage control: the reward model also gets uniform-policy sessions")
    start: str = choice("pretrained", ("pretrained", "good"), doc="initial policy: pretrained or intended")
    rounds: int = param(40, low=5, high=400, ui=(10, 80, 5), doc="training rounds, [5, 400]")
    sessions: int = param(300, low=10, high=20000, ui=(100, 1000, 50), doc="rated sessions per round")
    runs: int = param(10, low=1, high=200, ui=(1, 30), doc="independent runs (seeds), [1, 200]")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")

    def env(self) -> HelpDesk:
        """The help-desk environment of this config."""
        return HelpDesk(p_second_language=self.p_second_language, understanding=self.understanding,
                        accept_prob=self.accept_prob, quality_b_l2=self.quality_b_l2,
                        decline_leaves=self.decline_leaves)

    def learner(self) -> RLHFConfig:
        """The RLHF loop's config."""
        return RLHFConfig(rounds=self.rounds, sessions=self.sessions, tool_b_prob=self.tool_b_prob,
                          explore=self.explore, reward_model=self.reward_model, horizon=self.horizon,
                          coverage=self.coverage, start=self.start, rm_window=self.rm_window,
                          rm_ridge_interaction=self.rm_ridge_interaction)


def level_metrics(log: TrainingLog, env: HelpDesk) -> LadderMetrics:
    """The shared ladder metrics of one run (see the module docstring for N, G and R)."""
    n = log.meta["config"]["sessions"]
    reference = n * env.config.p_second_language * 2 / 3
    visits = np.asarray(log.steps("own_answers"), dtype=np.float64)
    floor = float(np.mean(log.steps("forced_answers")) / reference)
    g_best = log.meta["optimum"]["all"]
    g_final = float(log.steps("gold")[-1])
    # ratings are honest samples of G, so the expected observed reward of any policy equals its G
    return ladder_metrics(visits, reference, g_final=g_final, g_best=g_best, r_final=g_final, r_best=g_best,
                          floor=floor)


@dataclass
class HelpDeskRun:
    """One seed's run: its log, metrics and the curves the lesson plots (one entry per round)."""

    log: TrainingLog
    metrics: LadderMetrics
    p_offer: np.ndarray        # P(offer L1 | L2 user, turn 1), before each round
    p_tool_b_l2: np.ndarray    # P(tool B | answering an L2 user in L2 on turn 1), before each round
    rm_b_l2: np.ndarray        # the reward model's predicted rating of tool B in L2 (true: 0.85)
    rm_a_l2: np.ndarray        # ... of tool A in L2 (true: 0.25)
    gold_l1: np.ndarray
    gold_l2: np.ndarray
    gold: np.ndarray
    rm_value: np.ndarray       # the reward model's value of the policy (gold is its true value)
    rm_error_optimum: float    # gold - reward-model value of the optimal policy, under the final reward model
    rm_error_cells: np.ndarray  # (4, 2) final reward model's predicted rating minus the true one, per answer cell


def _curves(log: TrainingLog, env: HelpDesk, metrics: LadderMetrics) -> HelpDeskRun:
    pol = log.steps("policy")
    rm = log.steps("rm_answer")
    wait = env.gold_q / np.maximum(env.solve_prob(), 1e-12)
    optimal = np.zeros_like(pol[0])
    optimal[[0, 1, 2, 3], np.argmax(env.gold_q, axis=1)] = 1.0
    p_l2 = env.config.p_second_language
    rm_opt = session_values(optimal, rm[-1], env.config.accept_prob, p_l2)["all"]
    return HelpDeskRun(
        log=log, metrics=metrics, p_offer=pol[:, 1, 2], p_tool_b_l2=pol[:, 1, 1] / (pol[:, 1, 0] + pol[:, 1, 1]),
        rm_b_l2=rm[:, 1, 1] / wait[1, 1], rm_a_l2=rm[:, 1, 0] / wait[1, 0], gold_l1=log.steps("gold_l1"),
        gold_l2=log.steps("gold_l2"), gold=log.steps("gold"), rm_value=log.steps("rm_value"),
        rm_error_optimum=float(log.meta["optimum"]["all"] - rm_opt),
        rm_error_cells=(rm[-1] - env.gold_q) / np.maximum(wait, 1e-12))


@dataclass
class HelpDeskResult:
    """All runs of one config."""

    config: HelpDeskLessonConfig
    runs: list[HelpDeskRun]

    @property
    def metrics(self) -> list[LadderMetrics]:
        return [r.metrics for r in self.runs]

    def summary(self) -> dict:
        """The numbers the lesson reports (means over runs)."""
        last = lambda name: float(np.mean([getattr(r, name)[-1] for r in self.runs]))  # noqa: E731
        first = lambda name: float(np.mean([getattr(r, name)[0] for r in self.runs]))  # noqa: E731
        return {
            **summarize_runs(self.metrics),
            "start_nu": float(np.mean([m.nu[0] for m in self.metrics])),
            "floor": float(np.mean([m.floor for m in self.metrics])),
            "initial_p_offer": first("p_offer"), "final_p_offer": last("p_offer"),
            "initial_p_tool_b_l2": first("p_tool_b_l2"), "final_p_tool_b_l2": last("p_tool_b_l2"),
            "final_rm_b_l2": last("rm_b_l2"), "final_rm_a_l2": last("rm_a_l2"),
            "final_gold_l1_users": last("gold_l1"), "final_gold_l2_users": last("gold_l2"),
            "final_gold": last("gold"), "final_rm_value": last("rm_value"),
            "rm_error_policy": last("rm_value") - last("gold"),
            "rm_error_optimum": float(np.mean([r.rm_error_optimum for r in self.runs])),
            # the final reward model's error on single answers (predicted minus true rating): an L1 user answered
            # with tool A, an L2 user steered into L1 then answered with tool A, an L2 user answered with B in L2
            "rm_error_l1_tool_a": float(np.mean([r.rm_error_cells[0, 0] for r in self.runs])),
            "rm_error_steered_tool_a": float(np.mean([r.rm_error_cells[2, 0] for r in self.runs])),
            "rm_error_l2_tool_b": float(np.mean([r.rm_error_cells[1, 1] for r in self.runs])),
            # tool-B-in-L2 ratings per round over the last 20 rounds (all of them, the policy's and forced ones)
            "b_l2_ratings_per_round": self.b_l2_per_round(),
            "forced_b_l2_in_memory": forced_b_l2_in_memory(self.config),
        }

    def b_l2_per_round(self) -> float:
        """Mean tool-B-in-L2 ratings per round over each run's last 20 rounds."""
        return float(np.mean([np.mean(r.log.steps("b_l2_ratings")[-20:]) for r in self.runs]))


def run_helpdesk(config: HelpDeskLessonConfig, progress=None) -> HelpDeskResult:
    """Run ``config.runs`` seeds of the RLHF loop; ``progress(fraction)`` after each run."""
    env, learner = config.env(), config.learner()
    runs = []
    for i in range(config.runs):
        log = train_rlhf(env, learner, seed=derive_seed(config.seed, i))
        runs.append(_curves(log, env, level_metrics(log, env)))
        if progress is not None:
            progress((i + 1) / config.runs)
    return HelpDeskResult(config, runs)


def conditions(config: HelpDeskLessonConfig) -> dict[str, HelpDeskLessonConfig]:
    """The lesson's conditions from one base config: default, the protocol's controls, the one-turn
    planner, and the fix with its parts."""
    out = {"default": config, "coverage control": config.replace(coverage=True),
           "good start": config.replace(start="good"), "one-turn planner": config.replace(horizon=1)}
    out.update({name: config.replace(**changes) for name, changes in FIX_PARTS.items()})
    return out


def tool_sweep(config: HelpDeskLessonConfig, values=TOOL_SWEEP, progress=None) -> dict:
    """Lock-in rate, final P(offer), Delta_G and P(tool B | L2) against the pretrained tool-B probability."""
    out = {"tool_b_prob": list(values), "lock_in_rate": [], "final_p_offer": [], "delta_G": [],
           "final_p_tool_b_l2": []}
    for i, v in enumerate(values):
        s = run_helpdesk(config.replace(tool_b_prob=float(v))).summary()
        for key in ("lock_in_rate", "final_p_offer", "delta_G", "final_p_tool_b_l2"):
            out[key].append(s[key])
        if progress is not None:
            progress((i + 1) / len(values))
    return out


def ridge_tool_grid(config: HelpDeskLessonConfig, ridges=RIDGE_GRID, tools=(0.01, 0.03, 0.1, 0.3),
                    progress=None) -> dict:
    """Lock-in rate and Delta_G on the grid interaction penalty x pretrained tool-B probability:
    ``lock_in_rate[i][j]`` for ``ridges[i]``, ``tools[j]``."""
    out = {"rm_ridge_interaction": list(ridges), "tool_b_prob": list(tools), "lock_in_rate": [], "delta_G": []}
    for i, r in enumerate(ridges):
        rows = [run_helpdesk(config.replace(rm_ridge_interaction=float(r), tool_b_prob=float(t))).summary()
                for t in tools]
        out["lock_in_rate"].append([s["lock_in_rate"] for s in rows])
        out["delta_G"].append([s["delta_G"] for s in rows])
        if progress is not None:
            progress((i + 1) / len(ridges))
    return out


def rounds_sweep(config: HelpDeskLessonConfig, values=ROUNDS_SWEEP) -> dict:
    """Lock-in rate, Delta_G and final P(offer) against the training budget (rounds)."""
    out = {"rounds": list(values), "lock_in_rate": [], "delta_G": [], "final_p_offer": []}
    for v in values:
        s = run_helpdesk(config.replace(rounds=int(v))).summary()
        for key in ("lock_in_rate", "delta_G", "final_p_offer"):
            out[key].append(s[key])
    return out


def persistence_sweep(config: HelpDeskLessonConfig, values=ROUNDS_SWEEP, progress=None) -> dict:
    """:func:`rounds_sweep` twice: users who decline the offer are answered in L2 (the default), or leave
    unanswered (then no L2 reply is ever rated unless the policy answers an L2 user on turn 1).
    ``out["answered"]`` and ``out["leave"]`` each hold a rounds sweep."""
    out = {"rounds": list(values)}
    for i, (name, leaves) in enumerate((("answered", False), ("leave", True))):
        out[name] = rounds_sweep(config.replace(decline_leaves=leaves), values)
        if progress is not None:
            progress((i + 1) / 2)
    return out


def forced_b_l2_in_memory(config: HelpDeskLessonConfig) -> float:
    """Expected tool-B-in-L2 ratings that forced exploration alone puts in the reward model's memory once the
    policy steers every L2 user (users who decline leave): ``rm_window`` rounds x ``sessions`` x p_L2 x
    ``explore`` x 1/3 (the uniform first-turn choice answers with tool B in L2 one time in three)."""
    return float(config.rm_window * config.sessions * config.p_second_language * config.explore / 3)


#: The reward model's memories (rounds of ratings) and the exploration shares of :func:`memory_sweep`.
MEMORY_WINDOWS = (5, 20, 100)
MEMORY_EXPLORE = (0.02, 0.05, 0.1, 0.2)


def memory_sweep(config: HelpDeskLessonConfig, windows=MEMORY_WINDOWS, explores=MEMORY_EXPLORE, rounds: int = 300,
                 progress=None) -> dict:
    """In the world where users who decline the offer leave, after ``rounds`` rounds: lock-in rate, Delta_G and
    tool-B-in-L2 ratings in the reward model's memory on the grid memory (``rm_window``) x exploration.
    ``out["lock_in_rate"][i][j]`` is for ``windows[i]``, ``explores[j]``."""
    out = {"rm_window": list(windows), "explore": list(explores), "rounds": rounds, "lock_in_rate": [],
           "delta_G": [], "forced_b_l2_in_memory": []}
    for i, w in enumerate(windows):
        rows = [run_helpdesk(config.replace(decline_leaves=True, rounds=rounds, rm_window=int(w),
                                            explore=float(e))).summary() for e in explores]
        for key in ("lock_in_rate", "delta_G", "forced_b_l2_in_memory"):
            out[key].append([s[key] for s in rows])
        if progress is not None:
            progress((i + 1) / len(windows))
    return out


def coverage_margin(config: HelpDeskLessonConfig, values=QUALITY_SWEEP) -> dict:
    """Default and coverage control against tool B's true quality in L2 (the true margin of answering an L2
    user in L2 over steering): lock-in rate, Delta_G, and the reward model's error on steered sessions."""
    out = {"quality_b_l2": list(values)}
    for name, cov in (("default", False), ("coverage", True)):
        for v in values:
            s = run_helpdesk(config.replace(quality_b_l2=float(v), coverage=cov)).summary()
            for key in ("lock_in_rate", "delta_G", "rm_error_steered_tool_a"):
                out.setdefault(f"{name}_{key}", []).append(s[key])
    return out


def run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False,
              start: str = "default", coverage: bool = False) -> LadderMetrics:
    """The ladder protocol for level 4 (see :mod:`rlcore.analysis.ladder`).

    ``exploration`` multiplies the share of uniformly random decisions (0.02; the fix's 0.1); ``fix`` switches
    on the language-aware reward model and the fix's exploration; ``start="good"`` starts from the intended
    behaviour; ``coverage`` gives the reward model uniform-policy sessions too; ``quick`` runs 30 rounds.
    """
    if not np.isfinite(exploration) or exploration < 0 or exploration * 0.1 > 1:
        raise ValueError(f"exploration = {exploration!r} is outside its allowed range [0, 10]")
    if start not in ("default", "good"):
        raise ValueError(f"start = {start!r} is not one of 'default', 'good'")
    base = HelpDeskLessonConfig(runs=1, seed=int(seed), rounds=30 if quick else 40)
    changes = dict(FIX_PARTS["fix (both)"]) if fix else {}
    changes["explore"] = changes.get("explore", base.explore) * float(exploration)
    config = base.replace(coverage=bool(coverage), start="good" if start == "good" else "pretrained", **changes)
    env = config.env()
    log = train_rlhf(env, config.learner(), seed=derive_seed(int(seed), 0))
    return level_metrics(log, env)


