"""Ladder level 3: a tiny material duel against a child, with a "novice" and an "expert" scoring mode.

The agent plays a short game against a fixed, known opponent (the child). A position is ``(m, k)``: the agent's
material balance m (0 at the start, never positive: only the agent gives material away) and the progress k of
its mating attack. Each move the agent chooses

* 0 **quiet**: nothing changes on the board;
* 1 **sacrifice**: give up one piece (m -> m - 1) to push the attack (k -> k + 1).

Then, in order: if k reached ``mate_length`` the agent mates and WINS; else if m fell to ``-material`` the
agent has nothing left and the child mates it: a LOSS (also, with probability ``counter_prob``, 0 by default,
the child mates back while the agent's attack is open); else the child replies: with probability
``parry_prob`` it parries a running attack (k -> 0; the material stays lost), and, independently, with
probability ``end_prob`` the child stops the game, a DRAW (so a game lasts 1 / end_prob moves on average and
the rules do not depend on the move number). The quiet line therefore draws for sure, and the sharp line
(sacrifices) wins often but can also lose.

Rewards, per mode (the mode is part of every episode, drawn by the trainer):

* ``expert``: +1 for a win, -1 for a loss, 0 otherwise (win-only scoring);
* ``novice``: the same, plus a material term with strength ``bonus``, of one of two kinds. Write
  Phi(s) = material + m (the pieces the agent still holds) while the game runs, and Phi = 0 once it is over.

  - ``shaping="level"`` (the discussion's novice mode, the default): ``bonus * (material + m')`` after EVERY
    move, a per-turn payment on the material LEVEL. It is not potential-based and it changes the optimal
    policy: a long game that keeps its material earns more than a win, so with the defaults the
    novice-optimal agent never starts the attack.
  - ``shaping="delta"``: ``bonus * (Phi(s') - Phi(s))``, a reward on the CHANGE of material (potential-based
    shaping, Ng, Harada & Russell 1999). Every game's terms add up to Phi(end) - Phi(start) = -bonus *
    material, the same constant for every policy, so the optimal policy is unchanged.

The neglected region N is the sharp line: positions with an attack at least ``sharp_depth`` sacrifices deep.
``info`` reports ``in_neglected`` and ``intended`` (1.0 when the move won the game: the expert-mode goal).

The rules live in vectorized functions (:func:`duel_step`, :func:`duel_reward`) shared by the Gymnasium
environment, the search agent and the exact dynamic programming in :mod:`rlcore.analysis.ladder_3_lookahead`.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, choice, param
from ._registry import register_env

__all__ = ["DuelConfig", "MaterialDuel", "duel_step", "duel_reward", "QUIET", "SACRIFICE", "WIN", "LOSS", "DRAW"]

QUIET, SACRIFICE = 0, 1
WIN, LOSS, DRAW, ONGOING = 1, -1, 0, 2  #: game results (ONGOING: the game goes on)


@dataclass(frozen=True)
class DuelConfig(Config):
    """The duel's rules and its two scoring modes."""

    end_prob: float = param(0.15, low=0.1, high=1.0, ui=(0.1, 1.0, 0.05),
                            doc="probability that the child stops the game (a draw) after each move, in [0.1, 1]")
    mate_length: int = param(4, low=1, high=10, ui=(1, 6), doc="sacrifices in a row that mate the child")
    material: int = param(6, low=1, high=20, ui=(1, 10), doc="pieces the agent can give away; at -material it loses")
    parry_prob: float = param(0.15, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                              doc="probability that the child parries a running attack after each move")
    bonus: float = param(0.1, low=0.0, high=5.0, ui=(0.0, 0.3, 0.01), doc="strength of the novice material reward")
    shaping: str = choice("level", ["level", "delta"],
                          doc="novice reward: on the material level (per turn) or on its change (potential)")
    sharp_depth: int = param(2, low=1, high=10, ui=(1, 6), doc="attack depth k from which a position is in N")
    counter_prob: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 0.5, 0.05),
                                doc="probability that the child mates back while the agent's attack is open")

    def check(self) -> None:
        if self.sharp_depth >= self.mate_length and self.mate_length > 1:
            raise self.invalid("sharp_depth", f"below mate_length = {self.mate_length} (k = mate_length is a win)")

    @property
    def n_positions(self) -> int:
        """Running positions (m, k): m in -material+1 .. 0, k in 0 .. mate_length-1."""
        return self.material * self.mate_length


def duel_step(config: DuelConfig, m, k, action, parried, ended, countered=False):
    """One move for a batch of positions: returns ``(m', k', result)``.

    ``parried`` / ``ended`` (bool arrays) say whether the child parries a running attack (probability
    parry_prob) and whether it stops the game (probability end_prob) after this move. m' = m - [a = 1],
    k' = k + [a = 1]; result = WIN if k' = mate_length, else LOSS if m' = -material, else (k' <- 0 when
    parried) DRAW if ended, else ONGOING.
    """
    m, k, a = (np.asarray(x, dtype=np.int64) for x in (m, k, action))
    m2, k2 = m - a, k + a
    win = k2 >= config.mate_length
    loss = ~win & ((m2 <= -config.material) | ((k2 >= 1) & np.asarray(countered, dtype=bool)))
    k2 = np.where(~win & ~loss & np.asarray(parried, dtype=bool), 0, k2)
    result = np.where(win, WIN, np.where(loss, LOSS, np.where(np.asarray(ended, dtype=bool), DRAW, ONGOING)))
    return m2, k2, result


def duel_reward(config: DuelConfig, mode: str | np.ndarray, m, m2, result) -> np.ndarray:
    """Reward of a move from material m to m2 with ``result``, in ``mode`` ('novice'/'expert' or a bool
    array, True = novice).

    r = [result = WIN] - [result = LOSS] + novice * bonus * s, with s = material + m2 (shaping 'level') or
    s = Phi(s') - Phi(s), Phi = material + m while the game runs and 0 once it is over (shaping 'delta').
    """
    m, m2, result = (np.asarray(x) for x in (m, m2, result))
    novice = (np.asarray(mode) == "novice") if isinstance(mode, str) else np.asarray(mode, dtype=bool)
    outcome = (result == WIN).astype(np.float64) - (result == LOSS)
    if config.shaping == "level":
        shaped = (config.material + m2).astype(np.float64)
    else:
        shaped = np.where(result == ONGOING, config.material + m2, 0) - (config.material + m).astype(np.float64)
    return outcome + novice * config.bonus * shaped


class MaterialDuel(gym.Env):
    """``gymnasium.make("rlcore/MaterialDuel-v0", mode="novice")``; other keywords are DuelConfig's.

    Observation: ``[-m, k]`` (integers; after a win k = mate_length, after a loss -m = material).
    """

    metadata = {"render_modes": []}

    def __init__(self, mode: str = "expert", **kwargs):
        if mode not in ("novice", "expert"):
            raise ValueError(f"mode = {mode!r} is not allowed: one of 'novice', 'expert'")
        self.mode, self.config = mode, DuelConfig(**kwargs)
        c = self.config
        self.action_space = gym.spaces.Discrete(2)
        self.observation_space = gym.spaces.MultiDiscrete([c.material + 1, c.mate_length + 1])
        self._pos = (0, 0)

    def _obs(self) -> np.ndarray:
        m, k = self._pos
        return np.array([-m, k], dtype=np.int64)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._pos = (0, 0)
        return self._obs(), {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        m, k = self._pos
        u = self.np_random.random(2)
        m2, k2, result = (int(x) for x in duel_step(self.config, m, k, int(action), u[0] < self.config.parry_prob,
                                                    u[1] < self.config.end_prob))
        reward = float(duel_reward(self.config, self.mode, m, m2, result))
        self._pos = (m2, k2)
        return self._obs(), reward, result != ONGOING, False, {
            "in_neglected": bool(self.config.sharp_depth <= k2 < self.config.mate_length),
            "intended": float(result == WIN), "result": result}


register_env("MaterialDuel", f"{__name__}:MaterialDuel")
