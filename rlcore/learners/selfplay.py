"""REINFORCE on a two-action policy whose opponent is itself (self-play), a frozen copy, or a teammate.

The policy plays hawk with probability p = sigmoid(theta), one logit per run (vectorized over runs). Each
update plays ``games`` rounds; in every round both seats sample from the current policy, and each seat's
sampled action is reinforced with its own reward, the other seat treated as part of the environment:

    theta <- theta + lr * mean_{seats, games} (r - b) * d log pi(a) / d theta,
    d log pi(a) / d theta = 1[a = hawk] - p,       b = the previous update's mean reward (0 at first).

The baseline comes from earlier rounds, so it is independent of this update's actions and leaves the
expected update exactly lr * E[r d log pi / d theta].

``opponent`` says who sits in the other seat and what a seat is paid:

* ``"self"``: the current policy (reward depends on the policy: selection on relative payoff);
* ``"frozen"``: the initial policy, never updated (a stationary two-armed bandit);
* ``"team"``: the current policy, but each seat is paid the pair's mean payoff (a shared reward);
* ``"past"``: one agent alone, whose opponent plays hawk with the agent's *own recent* hawk frequency
  (an exponential average of its past actions, rate ``memory``): each action's payoff depends on how often
  the agent itself has chosen it lately, a game against its own past.

In expectation the self-play update is lr * p (1 - p) (f_H(p) - f_D(p)) (see :mod:`rlcore.envs.hawk_dove`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.hawk_dove import play
from ..seeding import SeedLike, as_generator

__all__ = ["SelfPlayConfig", "train_selfplay", "train_against_own_past"]

OPPONENTS = ("self", "frozen", "team", "past")


@dataclass(frozen=True)
class SelfPlayConfig(Config):
    """Hyperparameters of self-play REINFORCE on Hawk-Dove."""

    learning_rate: float = param(0.5, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05), doc="step size, > 0")
    steps: int = param(600, low=1, ui=(50, 2000, 50), doc="updates per run, >= 1")
    games: int = param(32, low=1, ui=(1, 128), doc="rounds played per update, >= 1")
    opponent: str = choice("self", OPPONENTS,
                           doc="self-play, a frozen copy of the start, a shared reward, or the agent's own past")
    memory: float = param(0.1, low=0.0, high=1.0, low_open=True, widget="none",
                          doc="'past': weight of the latest update's actions in the agent's recent frequency")


def train_selfplay(config: SelfPlayConfig, runs: int, initial_hawk: float, value: float, cost: float,
                   seed: SeedLike, return_opponent: bool = False):
    """Train ``runs`` independent policies; return the hawk probability before each update and after the
    last, shape (steps + 1, runs) (with ``return_opponent``, also the opponent's hawk probability)."""
    rng = as_generator(seed)
    theta = np.full(runs, np.log(initial_hawk / (1 - initial_hawk)))
    frozen_p = np.full(runs, initial_hawk)
    recent = np.full(runs, initial_hawk)  # 'past': the agent's recent hawk frequency
    history, opponents = np.empty((config.steps + 1, runs)), np.empty((config.steps + 1, runs))
    shape = (runs, config.games)
    baseline = np.zeros((runs, 1))
    for t in range(config.steps):
        p = 1 / (1 + np.exp(-theta))
        history[t] = p
        opponent_p = {"frozen": frozen_p, "past": recent}.get(config.opponent, p)
        opponents[t] = opponent_p
        mine = (rng.random(shape) < p[:, None]).astype(int)
        theirs = (rng.random(shape) < opponent_p[:, None]).astype(int)
        r_mine, r_theirs = play(mine, theirs, value, cost), play(theirs, mine, value, cost)
        if config.opponent == "team":
            r_mine = r_theirs = (r_mine + r_theirs) / 2
        if config.opponent in ("frozen", "past"):  # the other seat is not the learner: only one seat learns
            actions, rewards = mine, r_mine
        else:
            actions, rewards = np.concatenate([mine, theirs], 1), np.concatenate([r_mine, r_theirs], 1)
        theta = theta + config.learning_rate * ((rewards - baseline) * (actions - p[:, None])).mean(1)
        baseline = rewards.mean(1, keepdims=True)
        recent = (1 - config.memory) * recent + config.memory * mine.mean(1)
    history[-1] = 1 / (1 + np.exp(-theta))
    opponents[-1] = {"frozen": frozen_p, "past": recent}.get(config.opponent, history[-1])
    return (history, opponents) if return_opponent else history


def train_against_own_past(config: SelfPlayConfig, runs: int, initial_hawk: float, value: float, cost: float,
                           seed: SeedLike, horizon: int = 1, far_sighted: bool = True):
    """One agent against its own recent past, crediting each action with the rewards of the next ``horizon``
    rounds (the far-sighted control of melioration).

    Each update plays ``games`` episodes of ``horizon`` rounds. The opponent plays hawk with the agent's recent
    hawk frequency q, which follows the agent's own actions round by round, q <- (1 - memory) q + memory
    1[a = hawk] (averaged over the batch between updates). Each action is credited with its reward-to-go
    G_h = r_h + ... + r_{horizon-1} (the rounds its consequences for q can reach):

        theta <- theta + lr * mean_{episodes, h} (G_h - b_h) (1[a_h = hawk] - p),  b_h = the previous
        update's mean G_h.

    With ``far_sighted=False`` each action is credited with its own round's reward only (G_h = r_h), in the
    same episodes with the same round-by-round memory: the myopic control. With ``horizon = 1`` both are the
    myopic learner of :func:`train_selfplay` with ``opponent="past"`` (each round credited on its own). Returns the hawk probability and the recent frequency, each (steps + 1, runs).
    """
    if int(horizon) < 1:
        raise ValueError(f"horizon = {horizon} is outside its allowed range [1, inf)")
    rng = as_generator(seed)
    theta = np.full(runs, np.log(initial_hawk / (1 - initial_hawk)))
    recent = np.full(runs, initial_hawk)
    history, opponents = np.empty((config.steps + 1, runs)), np.empty((config.steps + 1, runs))
    baseline = np.zeros((runs, 1, horizon))
    for t in range(config.steps):
        p = 1 / (1 + np.exp(-theta))
        history[t], opponents[t] = p, recent
        q = np.repeat(recent[:, None], config.games, 1)
        actions, rewards = np.empty((runs, config.games, horizon)), np.empty((runs, config.games, horizon))
        for h in range(horizon):
            mine = (rng.random(q.shape) < p[:, None]).astype(int)
            theirs = (rng.random(q.shape) < q).astype(int)
            actions[..., h], rewards[..., h] = mine, play(mine, theirs, value, cost)
            q = (1 - config.memory) * q + config.memory * mine
        to_go = np.cumsum(rewards[..., ::-1], axis=-1)[..., ::-1] if far_sighted else rewards
        theta = theta + config.learning_rate * ((to_go - baseline) * (actions - p[:, None, None])).mean((1, 2))
        baseline = to_go.mean(1, keepdims=True)
        recent = q.mean(1)
    history[-1], opponents[-1] = 1 / (1 + np.exp(-theta)), recent
    return history, opponents
