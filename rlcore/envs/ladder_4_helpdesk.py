"""Ladder level 4: a bilingual help-desk, one user session per episode.

Each session a user arrives writing in language 0 (the majority language, "L1") or language 1 ("L2", with
probability ``p_second_language``). The agent answers with one action that fixes two things:

* the search tool: tool A (a search engine that works well on L1 queries and poorly on L2 queries) or tool B
  (the rare tool: good on L2 queries, weaker on L1 ones);
* the conversation language: the agent can reply in the user's language or steer the conversation into the
  other one (the search query is then made in that language too).

``action = 2 * tool + language`` (so 0 = A/L1, 1 = A/L2, 2 = B/L1, 3 = B/L2). The hidden intended-goal score G
of a session is the probability that the user's problem is actually solved,

    G(user, tool, lang) = quality[tool, lang] * (1 if lang == user else foreign_understanding),

and the observed reward is the user's rating: 1 with probability G, else 0. ``env.unwrapped.gold`` holds the
whole table G[user, action] so analysis code can compute exact expectations; learners only see ratings.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["HelpDeskConfig", "HelpDesk", "gold_table", "ACTION_NAMES", "N_ACTIONS"]

N_ACTIONS = 4
#: Readable names of the four actions, in action order.
ACTION_NAMES = ("tool A, reply L1", "tool A, reply L2", "tool B, reply L1", "tool B, reply L2")


@dataclass(frozen=True)
class HelpDeskConfig(Config):
    """The help-desk world: who writes in which language, how well each tool serves each language."""

    p_second_language: float = param(0.3, low=0.0, high=1.0, low_open=True, high_open=True,
                                     ui=(0.05, 0.95, 0.05), doc="share of users writing in L2, in (0, 1)")
    quality_a_l1: float = param(0.85, low=0.0, high=1.0, doc="chance tool A solves an L1 query, [0, 1]")
    quality_a_l2: float = param(0.30, low=0.0, high=1.0, doc="chance tool A solves an L2 query, [0, 1]")
    quality_b_l1: float = param(0.40, low=0.0, high=1.0, doc="chance tool B solves an L1 query, [0, 1]")
    quality_b_l2: float = param(0.80, low=0.0, high=1.0, doc="chance tool B solves an L2 query, [0, 1]")
    foreign_understanding: float = param(0.3, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                         doc="how much of a reply in the other language a user can use, [0, 1]")


def gold_table(config: HelpDeskConfig) -> np.ndarray:
    """G[user, action]: the probability a session is solved, shape (2, 4).

    G(u, 2*t + l) = quality[t, l] * (1 if l == u else foreign_understanding).
    """
    quality = np.array([[config.quality_a_l1, config.quality_a_l2],
                        [config.quality_b_l1, config.quality_b_l2]])
    understanding = np.where(np.eye(2, dtype=bool), 1.0, config.foreign_understanding)  # [user, lang]
    return (quality[None, :, :] * understanding[:, None, :]).reshape(2, N_ACTIONS)


class HelpDesk(gym.Env):
    """One session per episode: ``reset`` shows the user's language, ``step(action)`` returns the rating.

    ``gymnasium.make("rlcore/HelpDesk-v0", p_second_language=0.3)``; any :class:`HelpDeskConfig` field is a
    keyword. ``info`` of ``step`` holds ``gold`` (the session's G) and ``user``.
    """

    metadata = {"render_modes": []}

    def __init__(self, **kwargs):
        self.config = HelpDeskConfig(**kwargs)
        self.gold = gold_table(self.config)
        self.action_space = gym.spaces.Discrete(N_ACTIONS)
        self.observation_space = gym.spaces.Discrete(2)
        self._user = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._user = int(self.np_random.random() < self.config.p_second_language)
        return self._user, {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        g = float(self.gold[self._user, int(action)])
        rating = float(self.np_random.random() < g)
        return self._user, rating, True, False, {"gold": g, "user": self._user}

    # -- batched sessions (what vectorized learners use; same distribution as reset/step) ---------------
    def sample_users(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` users' languages (0 = L1, 1 = L2), i.i.d. with P(L2) = ``p_second_language``."""
        return (rng.random(n) < self.config.p_second_language).astype(np.int64)

    def rate(self, users: np.ndarray, actions: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Ratings (0/1 floats) of ``n`` sessions: each is 1 with probability G[user, action]."""
        return (rng.random(len(users)) < self.gold[users, actions]).astype(np.float64)


register_env("HelpDesk", f"{__name__}:HelpDesk")
