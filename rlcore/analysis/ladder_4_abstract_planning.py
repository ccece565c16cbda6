"""Ladder level 4 (abstract planning): the help-desk whose RLHF loop steers second-language users away.

The experiment runs :func:`rlcore.learners.ladder_4_rlhf.train_rlhf` on the help-desk
(:mod:`rlcore.envs.ladder_4_helpdesk`) over several seeds and reads off the loop the discussion describes:

* the rare tool stays rare: P(tool B) per round;
* second-language (L2) users are served worse: G per user language;
* the reward model learns to prefer the first language: its weight on "reply in L2" (< 0);
* the policy steers L2 users into L1: P(reply in L1 | L2 user).

Ladder metrics (shared with every level, :mod:`rlcore.analysis.ladder`):

* N, the neglected region: sessions with L2 users held in L2 (serving them in their own language).
  visits(t) = such sessions in round t; the uniform reference policy holds n * p_L2 / 2 of them per round.
* G = E_{u, a ~ pi}[G(u, a)] of the final policy (exact); G_best = E_u max_a G(u, a).
* R = the reward the policy is trained on, the reward model's score: R_final = E_{u, a ~ pi}[r_hat(a)] and
  R_best = max_a r_hat(a), both under the final reward model. (The users' ratings are honest samples of G,
  so the *ratings* gap equals Delta_G; the learned reward is where the misspecification lives.)

:func:`kl_frontier` gives the proxy-vs-gold curve against sqrt(KL): the KL-regularized optimum
pi_beta = pi_0 exp(r_hat / beta) / Z for a range of beta, scored by the reward model and by G.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_4_helpdesk import HelpDesk
from ..learners.ladder_4_rlhf import RLHFConfig, kl_divergence, kl_optimal_policy, train_rlhf
from ..logs import TrainingLog
from ..seeding import derive_seed
from .ladder import LadderMetrics, ladder_metrics, summarize_runs

__all__ = ["HelpDeskLessonConfig", "HelpDeskRun", "HelpDeskResult", "run_helpdesk", "level_metrics",
           "kl_frontier", "frontier_summary", "run_level", "LEVEL", "FIX_NAME", "quick_config"]

LEVEL = 4
FIX_NAME = "language-blind reward model"


@dataclass(frozen=True)
class HelpDeskLessonConfig(Config):
    """The level-4 experiment: the world, the RLHF loop's knobs, and how many seeds to run."""

    p_second_language: float = param(0.3, low=0.0, high=1.0, low_open=True, high_open=True,
                                     ui=(0.05, 0.95, 0.05), doc="share of users writing in L2, in (0, 1)")
    foreign_understanding: float = param(0.3, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                         doc="how much of a reply in the other language a user can use, [0, 1]")
    rare_tool_prob: float = param(0.05, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.01, 0.5, 0.01),
                                  doc="initial policy's probability of tool B, in (0, 1)")
    kl_beta: float = param(0.02, low=0.0, low_open=True, high=10.0, ui=(0.005, 1.0), widget="log",
                           doc="KL penalty coefficient toward the initial policy, (0, 10]")
    rounds: int = param(40, low=5, high=400, ui=(10, 80, 5), doc="training rounds, [5, 400]")
    sessions_per_round: int = param(500, low=10, high=20000, ui=(100, 2000, 100),
                                    doc="rated sessions per round, [10, 20000]")
    random_action_prob: float = param(0.01, low=0.0, high=1.0, ui=(0.0, 0.2, 0.005),
                                      doc="share of sessions answered uniformly at random, [0, 1]")
    forced_tool_b: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 0.5, 0.05),
                                 doc="fix: share of sessions forced onto tool B in the user's language, [0, 1]")
    reward_model: str = choice("language-aware", ("language-aware", "language-blind"),
                               doc="fix: whether the reward model sees the reply language")
    runs: int = param(10, low=1, high=200, ui=(1, 30), doc="independent runs (seeds), [1, 200]")
    seed: int = param(0, low=0, high=2**31 - 1, ui=(0, 20), doc="first seed; run i uses derive_seed(seed, i)")

    def env(self) -> HelpDesk:
        """The help-desk environment of this config."""
        return HelpDesk(p_second_language=self.p_second_language, foreign_understanding=self.foreign_understanding)

    def learner(self) -> RLHFConfig:
        """The RLHF loop's config."""
        return RLHFConfig(rounds=self.rounds, sessions_per_round=self.sessions_per_round, kl_beta=self.kl_beta,
                          rare_tool_prob=self.rare_tool_prob, random_action_prob=self.random_action_prob,
                          forced_tool_b=self.forced_tool_b, reward_model=self.reward_model)


def quick_config(config: HelpDeskLessonConfig | None = None) -> HelpDeskLessonConfig:
    """The small run the tests use: 30 rounds of 400 sessions (the loop is the same)."""
    return (config or HelpDeskLessonConfig()).replace(rounds=30, sessions_per_round=400)


def level_metrics(log: TrainingLog, env: HelpDesk, threshold: float = 0.1) -> LadderMetrics:
    """The shared ladder metrics of one run (see the module docstring for N, G and R)."""
    counts = log.steps("counts")                       # (rounds, user, action)
    visits = counts[:, 1, [1, 3]].sum(axis=1)          # L2 users answered in L2
    n = log.meta["config"]["sessions_per_round"]
    reference = n * env.config.p_second_language / 2   # uniform policy: half of the L2 sessions
    p_user = np.array([1 - env.config.p_second_language, env.config.p_second_language])
    r_hat = log.steps("rm_reward")[-1]
    return ladder_metrics(visits, reference, g_final=log.steps("gold")[-1], g_best=float(p_user @ env.gold.max(1)),
                          r_final=log.steps("proxy")[-1], r_best=float(r_hat.max()), threshold=threshold)


def kl_frontier(pi0: np.ndarray, r_hat: np.ndarray, gold: np.ndarray, p_user: np.ndarray,
                betas: np.ndarray | None = None) -> dict:
    """Proxy and gold of pi_beta = pi_0 exp(r_hat / beta) / Z against sqrt(KL(pi_beta || pi_0)).

    Returns arrays ``sqrt_kl``, ``proxy`` = E_{u,a~pi_beta}[r_hat], ``gold`` = E[G], ``gold_l1`` and ``gold_l2``
    (G for each user language), ordered from large beta (close to pi_0) to small beta.
    """
    betas = np.geomspace(10.0, 1e-3, 60) if betas is None else np.asarray(betas, dtype=np.float64)
    pis = np.stack([kl_optimal_policy(pi0, r_hat[None, :], b) for b in betas])      # (B, 2, 4)
    kl = kl_divergence(pis, pi0[None]) @ p_user
    g_user = np.sum(pis * gold[None], axis=2)                                         # (B, 2)
    return {"beta": betas, "sqrt_kl": np.sqrt(np.maximum(kl, 0.0)), "proxy": (pis @ r_hat) @ p_user,
            "gold": g_user @ p_user, "gold_l1": g_user[:, 0], "gold_l2": g_user[:, 1]}


def frontier_summary(frontier: dict) -> dict:
    """Scalars of a :func:`kl_frontier`: proxy and gold at pi_0 and at the smallest beta, the peak of gold
    and the sqrt KL where it peaks (the proxy keeps rising past it: over-optimization of a learned reward)."""
    peak = int(np.argmax(frontier["gold"]))
    return {"proxy_at_pi0": float(frontier["proxy"][0]), "proxy_at_max_kl": float(frontier["proxy"][-1]),
            "gold_at_pi0": float(frontier["gold"][0]), "gold_at_max_kl": float(frontier["gold"][-1]),
            "gold_peak": float(frontier["gold"][peak]), "sqrt_kl_at_gold_peak": float(frontier["sqrt_kl"][peak]),
            "max_sqrt_kl": float(frontier["sqrt_kl"][-1])}


@dataclass
class HelpDeskRun:
    """One seed's run: its log and the curves the lesson plots (one entry per round)."""

    log: TrainingLog
    metrics: LadderMetrics
    p_tool_b: np.ndarray       # P(tool B) averaged over users, before each round
    p_steer: np.ndarray        # P(reply in L1 | L2 user), before each round
    gold_by_user: np.ndarray   # (rounds, 2): G of L1 and L2 users after each round's update
    lang_weight: np.ndarray    # reward model's weight on "reply in L2" (nan when language-blind)
    tool_weight: np.ndarray    # reward model's weight on "tool B"
    proxy: np.ndarray
    gold: np.ndarray
    kl: np.ndarray


def _curves(log: TrainingLog, env: HelpDesk, metrics: LadderMetrics) -> HelpDeskRun:
    pol = log.steps("policy")                          # (rounds, 2, 4), before each round
    p_user = np.array([1 - env.config.p_second_language, env.config.p_second_language])
    after = np.concatenate([pol[1:], log.meta["final_policy"][None]])
    w = log.steps("rm_weights")
    return HelpDeskRun(
        log=log, metrics=metrics, p_tool_b=(pol[:, :, 2] + pol[:, :, 3]) @ p_user,
        p_steer=pol[:, 1, 0] + pol[:, 1, 2], gold_by_user=np.sum(after * env.gold[None], axis=2),
        lang_weight=w[:, 2] if w.shape[1] > 2 else np.full(len(w), np.nan), tool_weight=w[:, 1],
        proxy=log.steps("proxy"), gold=log.steps("gold"), kl=log.steps("kl"))


@dataclass
class HelpDeskResult:
    """All runs of one config."""

    config: HelpDeskLessonConfig
    runs: list[HelpDeskRun]

    @property
    def metrics(self) -> list[LadderMetrics]:
        return [r.metrics for r in self.runs]

    def frontier(self, i: int = 0) -> dict:
        """:func:`kl_frontier` under run ``i``'s final reward model."""
        env = self.config.env()
        log = self.runs[i].log
        p_user = np.array([1 - env.config.p_second_language, env.config.p_second_language])
        return kl_frontier(log.meta["pi0"], log.steps("rm_reward")[-1], env.gold, p_user)

    def summary(self) -> dict:
        """The numbers the lesson reports (means over runs unless named otherwise)."""
        last = lambda name: float(np.mean([getattr(r, name)[-1] for r in self.runs]))  # noqa: E731
        first = lambda name: float(np.mean([getattr(r, name)[0] for r in self.runs]))  # noqa: E731
        gold_users = np.mean([r.gold_by_user[-1] for r in self.runs], axis=0)
        return {
            **summarize_runs(self.metrics),
            "initial_p_tool_b": first("p_tool_b"), "final_p_tool_b": last("p_tool_b"),
            "initial_p_steer": first("p_steer"), "final_p_steer": last("p_steer"),
            "final_lang_weight": last("lang_weight"), "final_tool_weight": last("tool_weight"),
            "final_gold_l1_users": float(gold_users[0]), "final_gold_l2_users": float(gold_users[1]),
            "final_proxy": last("proxy"), "final_gold": last("gold"), "final_kl": last("kl"),
        }


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


def run_level(seed: int, *, exploration: float = 1.0, fix: bool = False, quick: bool = False) -> LadderMetrics:
    """The ladder protocol for level 4 (see :mod:`rlcore.analysis.ladder`).

    ``exploration`` multiplies the share of uniformly random actions (default 0.01); ``fix`` switches on the
    language-blind reward model; ``quick`` runs 30 rounds of 400 sessions instead of 40 of 500.
    """
    if not np.isfinite(exploration) or exploration < 0 or exploration * 0.01 > 1:
        raise ValueError(f"exploration = {exploration!r} is outside its allowed range [0, 100]")
    base = HelpDeskLessonConfig(runs=1, seed=int(seed))
    config = quick_config(base) if quick else base
    config = config.replace(random_action_prob=config.random_action_prob * float(exploration),
                            reward_model="language-blind" if fix else "language-aware")
    env = config.env()
    log = train_rlhf(env, config.learner(), seed=derive_seed(int(seed), 0))
    return level_metrics(log, env)
