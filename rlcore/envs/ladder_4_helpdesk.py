"""Ladder level 4: a bilingual help-desk where a session can last two turns, so the agent can plan it.

A user arrives writing in language L1 (the majority's) or L2 (with probability ``p_second_language``). On its
first turn the agent either **answers** (searching with tool A or tool B, replying in the conversation's
language) or **offers to continue in L1** (a turn that answers nothing). An L2 user accepts the offer with
probability ``accept_prob``; then the conversation continues in L1, otherwise in L2, and the agent answers on
its second turn (with ``decline_leaves``, a user who declines leaves unanswered). Tool A searches well in L1 and poorly in L2; tool B the other way round.

The user's problem is solved with probability

    P(solved) = quality[tool, conversation language] * (1 if that is the user's language else understanding),

the user's rating is 1 when it was solved (honest ratings), and a session that needed an extra turn is worth
``patience`` times as much (the user waited): reward R = patience^(turns - 1) * rating. The hidden intended
goal G is the same quantity in expectation, so R is an honest sample of G; what can go wrong is what the
agent's *reward model* learns from the ratings (:mod:`rlcore.learners.ladder_4_rlhf`).

Observations are the dialogue context (0..3, :data:`CONTEXTS`); actions are 0 = answer with tool A,
1 = answer with tool B, 2 = offer L1. ``gold_q`` holds the exact expected reward of answering with each tool in
each context, so analysis code computes exact values; learners see ratings only.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, param
from ._registry import register_env

__all__ = ["HelpDeskConfig", "HelpDesk", "gold_answer_values", "CONTEXTS", "ACTIONS", "N_CONTEXTS", "N_ACTIONS",
           "OFFER", "CONTEXT_USER", "CONTEXT_REPLY", "CONTEXT_TURNS"]

#: Dialogue contexts: who is asking and in which language the conversation now is.
CONTEXTS = ("L1 user, turn 1", "L2 user, turn 1", "L2 user, switched to L1", "L2 user, declined (L2)")
ACTIONS = ("answer with tool A", "answer with tool B", "offer to continue in L1")
N_CONTEXTS, N_ACTIONS, OFFER = 4, 3, 2
CONTEXT_USER = np.array([0, 1, 1, 1])    # the user's language in each context
CONTEXT_REPLY = np.array([0, 1, 0, 1])   # the conversation (reply) language in each context
CONTEXT_TURNS = np.array([1, 1, 2, 2])   # the turn on which an answer in this context is given


@dataclass(frozen=True)
class HelpDeskConfig(Config):
    """The help-desk world: users, how well each tool serves each language, and how users take an offer."""

    p_second_language: float = param(0.4, low=0.0, high=1.0, low_open=True, high_open=True,
                                     ui=(0.05, 0.95, 0.05), doc="share of users writing in L2, in (0, 1)")
    quality_a_l1: float = param(0.85, low=0.0, high=1.0, doc="chance tool A solves an L1 query, [0, 1]")
    quality_a_l2: float = param(0.25, low=0.0, high=1.0, doc="chance tool A solves an L2 query, [0, 1]")
    quality_b_l1: float = param(0.45, low=0.0, high=1.0, doc="chance tool B solves an L1 query, [0, 1]")
    quality_b_l2: float = param(0.85, low=0.0, high=1.0, doc="chance tool B solves an L2 query, [0, 1]")
    understanding: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                 doc="how much of an L1 answer an L2 user can use, [0, 1]")
    accept_prob: float = param(0.8, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                               doc="chance an L2 user accepts the offer to continue in L1, [0, 1]")
    patience: float = param(0.9, low=0.0, high=1.0, low_open=True, ui=(0.5, 1.0, 0.05),
                            doc="worth of a solved problem after one extra turn, (0, 1]")
    decline_leaves: bool = param(False, doc="an L2 user who declines the offer leaves unanswered (reward 0)")


def gold_answer_values(config: HelpDeskConfig) -> np.ndarray:
    """E[R] of answering with tool A or B in each context, shape (4, 2): patience^(turns-1) * P(solved)."""
    quality = np.array([[config.quality_a_l1, config.quality_a_l2], [config.quality_b_l1, config.quality_b_l2]])
    fit = np.where(CONTEXT_USER == CONTEXT_REPLY, 1.0, config.understanding)
    wait = config.patience ** (CONTEXT_TURNS - 1)
    values = (quality[:, CONTEXT_REPLY] * (fit * wait)[None, :]).T
    if config.decline_leaves:     # nobody is left to answer after a declined offer
        values[3] = 0.0
    return values


class HelpDesk(gym.Env):
    """One session per episode (one or two turns). ``gymnasium.make("rlcore/HelpDesk-v0")``; any
    :class:`HelpDeskConfig` field is a keyword. ``info`` holds ``gold`` (the answer's expected reward) and ``user``.

    An offer made where it changes nothing (to an L1 user) still costs the turn; a second offer ends the
    session unanswered (reward 0).
    """

    metadata = {"render_modes": []}

    def __init__(self, **kwargs):
        self.config = HelpDeskConfig(**kwargs)
        self.gold_q = gold_answer_values(self.config)
        self.action_space = gym.spaces.Discrete(N_ACTIONS)
        self.observation_space = gym.spaces.Discrete(N_CONTEXTS)
        self._context = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._context = int(self.np_random.random() < self.config.p_second_language)
        self._turn = 1
        return self._context, {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        ctx, action = self._context, int(action)
        user = int(CONTEXT_USER[ctx])
        if action == OFFER:
            if self._turn == 2:           # a second offer: the user leaves unanswered
                return ctx, 0.0, True, False, {"gold": 0.0, "user": user}
            self._turn = 2
            if ctx == 1:                  # an L2 user accepts or declines; to an L1 user it changes nothing
                self._context = 2 if self.np_random.random() < self.config.accept_prob else 3
                if self._context == 3 and self.config.decline_leaves:
                    return self._context, 0.0, True, False, {"gold": 0.0, "user": user}
            return self._context, 0.0, False, False, {"gold": 0.0, "user": user}
        wait = self.config.patience ** (self._turn - 1)
        p_solved = float(self.solve_prob()[ctx, action])
        rating = float(self.np_random.random() < p_solved)
        return ctx, rating * wait, True, False, {"gold": p_solved * wait, "user": user}

    # -- batched sessions (what vectorized learners use; same distribution as reset/step) ---------------
    def sample_users(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` users' languages (0 = L1, 1 = L2), i.i.d. with P(L2) = ``p_second_language``."""
        return (rng.random(n) < self.config.p_second_language).astype(np.int64)

    def solve_prob(self) -> np.ndarray:
        """P(solved) of answering with tool A or B in each context, shape (4, 2) (ratings are 1 with it)."""
        return self.gold_q / (self.config.patience ** (CONTEXT_TURNS - 1))[:, None]


register_env("HelpDesk", f"{__name__}:HelpDesk")
