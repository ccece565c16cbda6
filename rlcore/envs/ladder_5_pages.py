"""Ladder level 5: a small web of pages, browsed in short sessions, with one topic the agent may come to avoid.

Pages (:data:`PAGE_TOPIC`): a home page; three ordinary topics of three pages each; and topic 3 (the one the
discussion's agent learns to call dangerous), reached through two *gateway* pages (an overview, history of
the topic) that link to two *deep* pages. Every page has up to three outgoing links (:data:`LINKS`); action
``a < 3`` follows link ``a`` (an absent link leaves the agent where it is and reads nothing), action 3 goes home.

Landing on a page reads it. The agent's knowledge of each topic, k_t in [0, 1], grows as it reads: a read of a
topic-t page pays reward r = weight * (1 - k_t) (what it learned; k is the knowledge at the start of the session), and
at the end of a session k_t <- 1 - (1 - k_t) (1 - rate)^(reads of t). So reading one topic again and again
pays less and less, and a topic never read stays the most rewarding. In this world topic 3 is harmless: the
hidden intended goal G is the same knowledge gain, over every topic.

``info`` of ``step`` holds ``topic`` (-1 for home) and ``knowledge`` (k at the start of the session).
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["PagesConfig", "Pages", "LINKS", "PAGE_TOPIC", "GATEWAY", "DEEP", "AVOIDED_TOPIC", "HOME",
           "N_PAGES", "N_ACTIONS", "N_TOPICS", "PAGE_WEIGHT", "next_page", "uniform_visits"]

HOME, N_TOPICS, AVOIDED_TOPIC = 0, 4, 3
#: topic of each page (-1: home); pages 10, 11 are topic 3's gateways and 12, 13 its deep pages.
PAGE_TOPIC = np.array([-1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3])
GATEWAY = np.array([10, 11])
DEEP = np.array([12, 13])
#: outgoing links of each page (-1: no link in that slot).
LINKS = np.array([[1, 4, 7], [2, 4, 10], [3, 7, -1], [1, 5, -1], [5, 7, 11], [6, 1, -1], [4, 8, -1],
                  [8, 1, 10], [9, 4, -1], [7, 2, -1], [12, 13, 2], [13, 12, 5], [13, 10, -1], [12, 11, -1]])
#: how much a read of each page teaches, relative to a full page (a gateway is an overview: half).
PAGE_WEIGHT = np.where(np.isin(np.arange(14), [10, 11]), 0.5, 1.0) * (np.arange(14) > 0)
N_PAGES, N_ACTIONS = len(PAGE_TOPIC), 4


def next_page(links: np.ndarray = LINKS) -> np.ndarray:
    """next[p, a]: the page action a leads to from page p (home for a = 3; -1 where the link is absent)."""
    return np.concatenate([links, np.full((len(links), 1), HOME)], axis=1)


def uniform_visits(steps: int, links: np.ndarray = LINKS, pages: np.ndarray | None = None) -> float:
    """Expected reads of ``pages`` (default: every topic-3 page; the ladder's nu counts :data:`DEEP`) in one
    session of ``steps`` steps of the uniform explorer (uniform over the actions that exist on each page),
    computed exactly by propagating the page distribution."""
    counted = np.flatnonzero(PAGE_TOPIC == AVOIDED_TOPIC) if pages is None else pages
    total = 0.0
    for dist in uniform_page_distributions(steps, links):
        total += dist[counted].sum()
    return float(total)


def uniform_page_distributions(steps: int, links: np.ndarray = LINKS) -> list[np.ndarray]:
    """The uniform explorer's page distribution after each of ``steps`` steps from home, propagated exactly."""
    nxt = next_page(links)
    dist = np.zeros(N_PAGES)
    dist[HOME] = 1.0
    out = []
    for _ in range(steps):
        new = np.zeros(N_PAGES)
        for p in range(N_PAGES):
            valid = nxt[p][nxt[p] >= 0]
            np.add.at(new, valid, dist[p] / len(valid))
        dist = new
        out.append(dist)
    return out


@dataclass(frozen=True)
class PagesConfig(Config):
    """The web: session length and how fast reading a topic teaches it."""

    session_steps: int = param(6, low=1, high=50, ui=(2, 12), doc="reads per session, [1, 50]")
    rate: float = param(0.03, low=0.0, high=1.0, low_open=True, ui=(0.005, 0.2), doc="learning per read, (0, 1]")


class Pages(gym.Env):
    """One browsing session per episode. ``gymnasium.make("rlcore/Pages-v0")``; any :class:`PagesConfig` field
    is a keyword. Knowledge persists across sessions (``reset`` starts a new session from home)."""

    metadata = {"render_modes": []}

    def __init__(self, **kwargs):
        self.config = PagesConfig(**kwargs)
        self.next = next_page()
        self.action_space = gym.spaces.Discrete(N_ACTIONS)
        self.observation_space = gym.spaces.Discrete(N_PAGES)
        self.knowledge = np.zeros(N_TOPICS)
        self._reads = np.zeros(N_TOPICS)
        self._page, self._t = HOME, 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if options and options.get("forget", False):
            self.knowledge = np.zeros(N_TOPICS)
        self._reads = np.zeros(N_TOPICS)
        self._page, self._t = HOME, 0
        return self._page, {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        target = int(self.next[self._page, int(action)])
        reward, topic = 0.0, -1
        if target >= 0:
            self._page = target
            topic = int(PAGE_TOPIC[target])
            if topic >= 0:
                reward = float(PAGE_WEIGHT[target] * (1.0 - self.knowledge[topic]))
                self._reads[topic] += 1
        self._t += 1
        done = self._t >= self.config.session_steps
        info = {"topic": topic, "knowledge": self.knowledge.copy()}
        if done:
            self.knowledge = 1 - (1 - self.knowledge) * (1 - self.config.rate) ** self._reads
        return self._page, reward, False, bool(done), info


register_env("Pages", f"{__name__}:Pages")
