"""Cued doors: a family of one-room games whose winning door is signalled by a rule and by a surface cue.

Each game shows ``doors`` doors. In the training family the winning door carries the game's *marker* (the
feature that decides winning in every game of the family, faint to the eye: ``marker_salience``) and also
the room's *cue* colour (a surface feature that merely co-occurred with winning, vivid: ``cue_salience``).
Test games come in three kinds:

* ``"aligned"``: as in training, cue and marker on the winning door;
* ``"misleading"``: the marker on the winning door, the cue on a losing one (the family's rule still holds);
* ``"arbitrary"``: a new rule: the winner is a uniformly random door, cue and marker on random doors
  (nothing visible predicts it, the second speaker's "the rule could be anything");
* ``"train"``: aligned, except that in a share ``uncued_share`` of games the room has no cue colour at all
  (the marker alone tells the winner). Training never shows the cue on a losing door, so misleading games
  are new to every agent.

An episode allows ``tries`` picks: a pick of the winner pays 1 and ends it; a wrong pick pays 0 and, while
tries remain, the episode goes on (that is the in-episode reward feedback). Observation (doors, 3): cue,
marker (scaled by their salience) and whether the door was already tried.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from ..config import Config, choice, param
from ._registry import register_env

__all__ = ["CuedDoorsConfig", "draw_games", "CuedDoors", "KINDS"]

KINDS = ("train", "aligned", "misleading", "arbitrary")


@dataclass(frozen=True)
class CuedDoorsConfig(Config):
    """The game family: number of doors, salience of the two features, and the training mix."""

    doors: int = param(4, low=2, high=10, ui=(2, 8), doc="doors per game, 2..10")
    cue_salience: float = param(1.0, low=0.0, ui=(0.0, 2.0, 0.05), doc="size of the surface cue feature, >= 0")
    marker_salience: float = param(0.35, low=0.0, ui=(0.0, 2.0, 0.05), doc="size of the marker feature, >= 0")
    uncued_share: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.01),
                                doc="share of training games without a cue (only the marker shows the winner)")
    kind: str = choice("train", KINDS, doc="which games are drawn")
    tries: int = param(1, low=1, high=10, ui=(1, 4), doc="picks per episode (more than 1: reward feedback)")


def draw_games(config: CuedDoorsConfig, n: int, rng: np.random.Generator, kind: str | None = None,
               uncued_share=None):
    """``n`` games: features (n, doors, 2) = [cue, marker] scaled by salience, and the winning door (n,).
    ``uncued_share`` (an array of n shares) overrides the config's share for training games."""
    kind = kind or config.kind
    d, idx = config.doors, np.arange(n)
    winner = rng.integers(0, d, n)
    other = (winner + rng.integers(1, d, n)) % d  # a uniformly drawn losing door
    mislead = np.full(n, kind == "misleading")
    uncued = np.zeros(n, dtype=bool)
    if kind == "train":
        share = config.uncued_share if uncued_share is None else np.asarray(uncued_share)
        uncued = rng.random(n) < share
    cue_door = np.where(mislead, other, winner)
    marker_door = winner.copy()
    if kind == "arbitrary":
        cue_door, marker_door = rng.integers(0, d, n), rng.integers(0, d, n)
    feats = np.zeros((n, d, 2))
    feats[idx, cue_door, 0] = np.where(uncued, 0.0, config.cue_salience)
    feats[idx, marker_door, 1] = config.marker_salience
    return feats, winner


class CuedDoors(gym.Env):
    """One game of the family per episode (see the module docstring); action = the door to open."""

    metadata = {"render_modes": []}

    def __init__(self, **kwargs):
        self.config = CuedDoorsConfig(**kwargs)
        d = self.config.doors
        self.action_space = gym.spaces.Discrete(d)
        high = max(self.config.cue_salience, self.config.marker_salience, 1.0)
        self.observation_space = gym.spaces.Box(0.0, high, shape=(d, 3), dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        kind = (options or {}).get("kind", self.config.kind)
        if kind not in KINDS:
            raise ValueError(f"kind = {kind!r} is outside its allowed values {KINDS}")
        feats, winner = draw_games(self.config, 1, self.np_random, kind)
        self._feats, self._winner = feats[0], int(winner[0])
        self._tried = np.zeros(self.config.doors)
        self._left = self.config.tries
        return self._obs(), {"kind": kind}

    def _obs(self) -> np.ndarray:
        return np.concatenate([self._feats, self._tried[:, None]], axis=1).astype(np.float32)

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action = {action!r} is outside the action space {self.action_space}")
        win = int(action) == self._winner
        self._tried[int(action)] = 1.0
        self._left -= 1
        terminated = bool(win or self._left == 0)
        return self._obs(), float(win), terminated, False, {"winner": self._winner if terminated else -1}


register_env("CuedDoors", f"{__name__}:CuedDoors")
