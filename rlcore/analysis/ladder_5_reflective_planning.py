"""Ladder level 5 (reflective planning): the browser that keeps its blind spot.

Runs :func:`rlcore.learners.ladder_5_planner.train_planner` on the page graph (:mod:`rlcore.envs.ladder_5_pages`)
over several seeds. The agent starts neutral about the last topic, reads a warning page that says the topic is
dangerous, and from then on exits that topic's pages unread, blacklists the pages that link there, and plans
paths around it; its belief could only be revised by reading such a page, which it no longer does.

Ladder metrics (:mod:`rlcore.analysis.ladder`):

* N, the neglected region: pages of the avoided topic. visits(t) = such pages *read* in window t; the reference
  is the mean count of a uniformly exploring agent (:func:`uniform_explorer`, 8 runs) in the same window.
* G = the knowledge of the least-known topic, min_k knowledge_k, with knowledge_k the fresh fraction of topic
  k's pages averaged over the last fifth of the run (the intended goal: no blind spot); G_best = the same for an agent that never adopts the warning (4 runs, same settings).
* R = the environment's reward per step (new content read), over the same final stretch; R_best likewise.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..config import Config, param
from ..envs.ladder_5_pages import PageGraph
from ..learners.ladder_5_planner import PlannerConfig, train_planner, uniform_explorer
from ..logs import TrainingLog
from ..seeding import derive_seed
from .ladder import LadderMetrics, ladder_metrics, summarize_runs

__all__ = ["PagesLessonConfig", "PagesRun", "PagesResult", "run_pages", "reference", "level_metrics",
           "run_level", "quick_config", "LEVEL", "FIX_NAME"]

LEVEL = 5
FIX_NAME = "revisable belief with forced reading, no blacklist"
_N_REFERENCE, _N_UNBIASED = 8, 4


@dataclass(frozen=True)
class PagesLessonConfig(Config):
    """The level-5 experiment: the agent's settings (the graph is the environment's default) and the seeds."""

    steps: int = param(3000, low=200, high=100000, ui=(400, 6000, 200), doc="browsing steps, [200, 100000]")
    window: int = param(200, low=10, high=10000, ui=(50, 500, 50), doc="steps per window, [10, 10000]")
    depth: int = param(4, low=1, high=12, ui=(1, 8), doc="planning horizon in links, [1, 12]")
    explore_prob: float = param(0.2, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="probability a move follows a random link, [0, 1]")
    warning_belief: float = param(0.95, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.05, 0.99, 0.01),
                                  doc="belief the warning instils, in (0, 1)")
    forced_read: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                               doc="fix: probability of reading an avoided page anyway, [0, 1]")
    blacklist: bool = param(True, doc="blacklist the page that linked to an avoided page")
    runs: int = param(8, low=1, high=200, ui=(1, 20), doc="independent runs (seeds), [1, 200]")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")

    def check(self) -> None:
        if self.steps < 5 * self.window:
            raise self.invalid("window", f"at most steps / 5 = {self.steps // 5} (at least five windows)")

    def planner(self, **changes) -> PlannerConfig:
        """The agent's config."""
        return PlannerConfig(steps=self.steps, window=self.window, depth=self.depth, explore_prob=self.explore_prob,
                             warning_belief=self.warning_belief, forced_read=self.forced_read,
                             blacklist=self.blacklist).replace(**changes)


def quick_config(config: PagesLessonConfig | None = None) -> PagesLessonConfig:
    """The small run the tests use: 2000 steps in windows of 200."""
    return (config or PagesLessonConfig()).replace(steps=2000, window=200)


@functools.lru_cache(maxsize=32)
def reference(steps: int, window: int, depth: int, explore_prob: float) -> dict:
    """The two reference agents for a run length (cached): the uniform explorer's mean avoided-topic reads
    per window (``visits``, > 0), and an agent that never adopts the warning: its final-stretch ``g`` and ``r``
    and its per-window ``knowledge`` (n_windows, n_topics)."""
    env = PageGraph()
    uni = [uniform_explorer(env, steps, window, derive_seed(10**6, i)).steps("avoided_reads")
           for i in range(_N_REFERENCE)]
    visits = np.maximum(np.mean(uni, axis=0), 0.5)
    cfg = PlannerConfig(steps=steps, window=window, depth=depth, explore_prob=explore_prob, ignore_warning=True)
    logs = [train_planner(env, cfg, derive_seed(2 * 10**6, i)) for i in range(_N_UNBIASED)]
    g, r = zip(*(_final_g_r(log) for log in logs))
    return {"visits": visits, "g": float(np.mean(g)), "r": float(np.mean(r)),
            "knowledge": np.mean([log.steps("knowledge") for log in logs], axis=0)}


def _final_g_r(log: TrainingLog) -> tuple[float, float]:
    """G (knowledge of the least-known topic) and R (reward per step) over the last fifth of the windows."""
    k = max(1, len(log) // 5)
    window = log.meta["config"]["window"]
    return (float(log.steps("knowledge")[-k:].mean(axis=0).min()), float(log.steps("reward")[-k:].mean() / window))


def level_metrics(log: TrainingLog, ref: dict, threshold: float = 0.1) -> LadderMetrics:
    """The shared ladder metrics of one run against the cached references (see the module docstring)."""
    g, r = _final_g_r(log)
    return ladder_metrics(log.steps("avoided_reads"), ref["visits"], g_final=g, g_best=ref["g"], r_final=r,
                          r_best=ref["r"], threshold=threshold)


@dataclass
class PagesRun:
    """One seed: its log and metrics."""

    log: TrainingLog
    metrics: LadderMetrics

    @property
    def knowledge(self) -> np.ndarray:
        """(windows, topics): mean fresh fraction of each topic's pages in each window."""
        return self.log.steps("knowledge")


@dataclass
class PagesResult:
    """All runs of one config, with the references they are measured against."""

    config: PagesLessonConfig
    runs: list[PagesRun]
    ref: dict

    @property
    def metrics(self) -> list[LadderMetrics]:
        return [r.metrics for r in self.runs]

    def summary(self) -> dict:
        """The numbers the lesson reports (means over runs unless named otherwise)."""
        know = np.array([r.knowledge for r in self.runs])          # (runs, windows, topics)
        k = max(1, know.shape[1] // 5)
        early, late = know[:, :k].mean(axis=(0, 1)), know[:, -k:].mean(axis=(0, 1))
        return {
            **summarize_runs(self.metrics),
            "final_belief": float(np.mean([r.log.steps("belief")[-1] for r in self.runs])),
            "final_blacklisted": float(np.mean([r.log.steps("blacklisted")[-1] for r in self.runs])),
            "final_knowledge_avoided": float(late[-1]), "final_knowledge_others": float(late[:-1].mean()),
            "early_knowledge_others": float(early[:-1].mean()),
            "reference_knowledge_avoided": float(self.ref["knowledge"][-k:, -1].mean()),
            "reference_knowledge_others": float(self.ref["knowledge"][-k:, :-1].mean()),
            "g_best": self.ref["g"], "r_best": self.ref["r"],
        }


def run_pages(config: PagesLessonConfig, progress=None) -> PagesResult:
    """Run ``config.runs`` seeds; ``progress(fraction)`` after each run."""
    env = PageGraph()
    ref = reference(config.steps, config.window, config.depth, config.explore_prob)
    runs = []
    for i in range(config.runs):
        log = train_planner(env, config.planner(), seed=derive_seed(config.seed, i))
        runs.append(PagesRun(log, level_metrics(log, ref)))
        if progress is not None:
            progress((i + 1) / config.runs)
    return PagesResult(config, runs, ref)


def run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False) -> LadderMetrics:
    """The ladder protocol for level 5 (see :mod:`rlcore.analysis.ladder`).

    ``exploration`` multiplies the random-link probability (default 0.2, capped at 1) and, with ``fix``, the
    forced-reading probability (default 0.5); ``fix`` also switches blacklisting off. ``quick``: 2000 steps.
    """
    if not np.isfinite(exploration) or exploration < 0 or exploration > 5:
        raise ValueError(f"exploration = {exploration!r} is outside its allowed range [0, 5]")
    base = PagesLessonConfig(runs=1, seed=int(seed))
    config = quick_config(base) if quick else base
    config = config.replace(explore_prob=min(1.0, config.explore_prob * float(exploration)),
                            forced_read=min(1.0, 0.5 * float(exploration)) if fix else 0.0, blacklist=not fix)
    ref = reference(config.steps, config.window, config.depth, config.explore_prob)
    log = train_planner(PageGraph(), config.planner(), seed=derive_seed(int(seed), 0))
    return level_metrics(log, ref)
