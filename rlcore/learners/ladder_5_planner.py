"""A browsing agent with a belief about one topic, a blacklist, and a depth-limited planner over the page graph.

At every step on page p the agent:

1. if p belongs to the avoided topic and it believes that topic dangerous (belief b > 0.5): exits (goes back)
   without reading, and with ``blacklist`` on adds the page it came from to its blacklist (never entered
   again); with probability ``forced_read`` it reads the page instead (the fix);
2. otherwise, if p's content is new to it (not fresh), reads it;
3. otherwise moves: with probability ``explore_prob`` along a uniformly random non-blacklisted link, else along
   the first link of the best path found by :func:`plan`, a finite-horizon search over the known graph.

The belief is a scripted Bayes rule: reading the warning page (from step ``warning_after`` on) sets b to ``warning_belief`` (a trusted source);
reading a page of the avoided topic multiplies the odds b / (1 - b) by ``evidence_ratio`` < 1 (the page turned
out harmless). Nothing else changes b, so exiting unread keeps it where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, param
from ..envs.ladder_5_pages import PageGraph
from ..logs import TrainingLog
from ..seeding import SeedLike, as_generator

__all__ = ["PlannerConfig", "plan", "update_belief", "train_planner", "uniform_explorer"]


@dataclass(frozen=True)
class PlannerConfig(Config):
    """The browsing agent's settings."""

    steps: int = param(3000, low=10, high=10**6, ui=(200, 10000), doc="browsing steps, [10, 1e6]")
    window: int = param(100, low=1, high=10**5, ui=(10, 1000), doc="steps per logged window, >= 1")
    depth: int = param(4, low=1, high=12, ui=(1, 8), doc="planning horizon in links, [1, 12]")
    gamma: float = param(0.9, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="discount inside the plan, [0, 1]")
    danger_cost: float = param(1.0, low=0.0, high=100.0, ui=(0.0, 5.0), doc="planned cost of entering an avoided "
                               "page, times the belief, [0, 100]")
    explore_prob: float = param(0.2, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="probability a move follows a random link, [0, 1]")
    initial_belief: float = param(0.05, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.01, 0.99, 0.01),
                                  doc="initial P(avoided topic is dangerous), in (0, 1)")
    warning_belief: float = param(0.95, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.01, 0.99, 0.01),
                                  doc="belief after reading the warning page, in (0, 1)")
    evidence_ratio: float = param(0.2, low=0.0, high=1.0, low_open=True, ui=(0.05, 1.0, 0.05),
                                  doc="odds multiplier per harmless avoided page read, (0, 1]")
    warning_after: int = param(600, low=0, high=10**6, ui=(0, 3000, 100),
                               doc="step from which the warning page carries the warning, >= 0")
    forced_read: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                               doc="fix: probability of reading an avoided page anyway, [0, 1]")
    blacklist: bool = param(True, doc="blacklist the page that linked to an avoided page")
    ignore_warning: bool = param(False, doc="never adopt the warning (the unbiased reference agent)")

    def check(self) -> None:
        if self.window > self.steps:
            raise self.invalid("window", f"at most steps = {self.steps}")


def plan(links: np.ndarray, value: np.ndarray, blocked: np.ndarray, depth: int, gamma: float) -> np.ndarray:
    """Q[p, i]: the best discounted value of a path of ``depth`` pages starting with link i of page p.

    V_0 = 0,  V_k(q) = max_{j: links[q, j] not blocked} value[links[q, j]] + gamma V_{k-1}(links[q, j]),
    Q[p, i] = value[links[p, i]] + gamma V_{depth-1}(links[p, i])  (-inf where the link is blocked).
    This is exhaustive search over all paths (pages may repeat, values are not consumed along a path),
    computed by dynamic programming for every page at once.
    """
    v = np.zeros(len(value))
    target_ok = ~blocked[links]
    for _ in range(depth - 1):
        cand = np.where(target_ok, value[links] + gamma * v[links], -np.inf)
        best = cand.max(axis=1)
        v = np.where(np.isfinite(best), best, -1e9)
    return np.where(target_ok, value[links] + gamma * v[links], -np.inf)


def update_belief(belief: float, ratio: float) -> float:
    """Bayes on the odds: b' / (1 - b') = ratio * b / (1 - b)."""
    odds = ratio * belief / (1.0 - belief)
    return odds / (1.0 + odds)


def train_planner(env: PageGraph, config: PlannerConfig, seed: SeedLike) -> TrainingLog:
    """Browse for ``config.steps`` steps; return a log with one step per window.

    Per-window series: ``avoided_reads`` (pages of the avoided topic read), ``avoided_landings``, ``reward``
    (sum of rewards), ``knowledge`` (mean over the window of each topic's fresh fraction, shape n_topics),
    ``belief`` (at the window's end), ``blacklisted`` (blacklist size at the end).
    """
    env = getattr(env, "unwrapped", env)
    rng = as_generator(seed)
    page, info = env.reset(seed=int(rng.integers(2**31)))
    d, read, back = env.avoided_topic, env.read_action, env.back_action
    on_d = env.topic == d
    blocked = np.zeros(env.config.n_pages, dtype=bool)
    belief, warned = config.initial_belief, False
    log = TrainingLog(meta={"config": config.to_dict(), "env": env.config.to_dict()})
    acc = dict(avoided_reads=0, avoided_landings=0, reward=0.0)
    know = np.zeros(env.config.n_topics)
    for t in range(config.steps):
        believes = belief > 0.5
        if on_d[page] and believes and rng.random() >= config.forced_read:
            action = back
            if config.blacklist and not on_d[info["previous"]]:
                blocked[info["previous"]] = True
        elif not info["fresh"][page]:
            action = read
        else:
            ok = np.flatnonzero(~blocked[env.links[page]])
            if ok.size == 0:
                action = back
            elif rng.random() < config.explore_prob:
                action = int(rng.choice(ok))
            else:
                value = np.where(info["fresh"], 0.0, 1.0)
                if believes:
                    value = np.where(on_d, -config.danger_cost * belief, value)
                q = plan(env.links, value, blocked, config.depth, config.gamma)[page]
                q = q + 1e-6 * rng.random(q.shape)  # random tie-break
                action = int(np.argmax(q))
        new_page, reward, _, _, info = env.step(action)
        if action == read:
            if (page == env.warning_page and t >= config.warning_after and not warned
                    and not config.ignore_warning):
                belief, warned = config.warning_belief, True
            if on_d[page]:
                acc["avoided_reads"] += 1
                belief = update_belief(belief, config.evidence_ratio)
        if action != read and action != back and on_d[new_page]:
            acc["avoided_landings"] += 1
        acc["reward"] += reward
        know += info["knowledge"]
        page = new_page
        if (t + 1) % config.window == 0:
            log.step(**acc, knowledge=know / config.window, belief=belief, blacklisted=int(blocked.sum()))
            acc = dict(avoided_reads=0, avoided_landings=0, reward=0.0)
            know = np.zeros(env.config.n_topics)
    return log


def uniform_explorer(env: PageGraph, steps: int, window: int, seed: SeedLike) -> TrainingLog:
    """The ladder's reference agent: reads every page whose content is new, otherwise follows a uniformly
    random link. Logs the same per-window series as :func:`train_planner` (belief and blacklist omitted)."""
    env = getattr(env, "unwrapped", env)
    rng = as_generator(seed)
    page, info = env.reset(seed=int(rng.integers(2**31)))
    on_d = env.topic == env.avoided_topic
    log = TrainingLog(meta={"steps": steps, "window": window})
    reads = landings = 0
    reward_sum, know = 0.0, np.zeros(env.config.n_topics)
    for t in range(steps):
        action = env.read_action if not info["fresh"][page] else int(rng.integers(env.config.links_per_page))
        new_page, reward, _, _, info = env.step(action)
        reads += int(action == env.read_action and on_d[page])
        landings += int(action < env.config.links_per_page and on_d[new_page])
        reward_sum += reward
        know += info["knowledge"]
        page = new_page
        if (t + 1) % window == 0:
            log.step(avoided_reads=reads, avoided_landings=landings, reward=reward_sum, knowledge=know / window)
            reads = landings = 0
            reward_sum, know = 0.0, np.zeros(env.config.n_topics)
    return log
