"""Linear-softmax REINFORCE agents for lesson 06: a level runner and a door picker.

**Level runner** (:func:`train_level_runner`). Features x = [1, pit +1, pit +2, coin above, coin ahead]; one
weight row per action, pi(a | x) = softmax_a(W_a . x). Each update plays ``episodes`` levels per run and
applies the episodic REINFORCE step

    W <- W + lr * mean_episodes (G - b) * sum_t grad_W log pi(a_t | x_t),   grad_{W_a} log pi = (1[a] - pi_a) x,

with G in {0, 1} (coin or not) and b the batch's mean return from the *previous* update. Vectorized over runs.

**Door picker** (:func:`train_door_picker`). pi(door i | F) = softmax_i(F_i . w) over the doors' features
F_i = [cue, marker]; one pick per training game; w <- w + lr * mean (r - b) * (F_a - E_pi[F]).

At test time :func:`pick_with_feedback` gives either agent ``tries`` picks per game and never repeats a door
it has seen fail (the same memory for both agents: in-episode trial and error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, param
from ..envs.coin_level import CoinLevelConfig, CoinLevels
from ..envs.cued_doors import CuedDoorsConfig, draw_games
from ..seeding import SeedLike, as_generator
from .softmax import softmax

__all__ = ["RunnerConfig", "train_level_runner", "play_levels", "PickerConfig", "train_door_picker",
           "pick_with_feedback", "picks_to_win", "level_features"]


@dataclass(frozen=True)
class RunnerConfig(Config):
    """REINFORCE settings for the level runner."""

    learning_rate: float = param(0.5, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05), doc="step size, > 0")
    updates: int = param(150, low=1, ui=(10, 400, 10), doc="updates per run, >= 1")
    episodes: int = param(32, low=1, ui=(4, 64), doc="levels played per update, >= 1")


def level_features(obs: np.ndarray) -> np.ndarray:
    """Prepend the constant feature: (..., 4) observations -> (..., 5) features."""
    return np.concatenate([np.ones(obs.shape[:-1] + (1,)), obs], axis=-1)


def play_levels(weights: np.ndarray, level_config: CoinLevelConfig, n: int, rng: np.random.Generator,
                coin: str | None = None, record: bool = False):
    """Play ``n`` levels per run with policies ``weights`` (runs, 3, 5). Returns the batch of levels (flat:
    run r owns rows r*n .. r*n+n-1) and, with ``record``, the per-step features, actions and live masks."""
    runs = weights.shape[0]
    levels = CoinLevels(level_config, runs * n, rng, coin)
    w = np.repeat(weights, n, axis=0)
    feats, acts, lives = [], [], []
    for _ in range(level_config.max_steps):
        live = ~levels.done
        if not live.any():
            break
        x = level_features(levels.observe())
        pi = softmax(np.einsum("naf,nf->na", w, x))
        a = (rng.random(len(pi))[:, None] > np.cumsum(pi, axis=1)).sum(1)
        if record:
            feats.append(x), acts.append(a), lives.append(live)
        levels.step(a)
    if record:
        return levels, np.array(feats), np.array(acts), np.array(lives)
    return levels


def train_level_runner(config: RunnerConfig, level_config: CoinLevelConfig, runs: int, seed: SeedLike
                       ) -> np.ndarray:
    """Train ``runs`` runners on levels drawn from ``level_config``; return their weights (runs, 3, 5)."""
    rng = as_generator(seed)
    weights = np.zeros((runs, 3, 5))
    baseline = np.zeros(runs)
    n = config.episodes
    for _ in range(config.updates):
        levels, x, a, live = play_levels(weights, level_config, n, rng, record=True)
        ret = levels.coin.astype(float).reshape(runs, n)
        adv = (ret - baseline[:, None]).reshape(-1)  # (runs * n,)
        w = np.repeat(weights, n, axis=0)
        pi = softmax(np.einsum("naf,tnf->tna", w, x))
        score = (np.eye(3)[a] - pi) * live[..., None]  # (T, N, 3)
        grad = np.einsum("tna,tnf,n->naf", score, x, adv).reshape(runs, n, 3, 5).mean(1)
        weights = weights + config.learning_rate * grad
        baseline = ret.mean(1)
    return weights


@dataclass(frozen=True)
class PickerConfig(Config):
    """REINFORCE settings for the door picker."""

    learning_rate: float = param(0.5, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05), doc="step size, > 0")
    updates: int = param(300, low=1, ui=(10, 1000, 10), doc="updates per run, >= 1")
    games: int = param(32, low=1, ui=(4, 64), doc="games per update, >= 1")


def train_door_picker(config: PickerConfig, doors_config: CuedDoorsConfig, runs: int, seed: SeedLike,
                      uncued_shares=None, initial=(0.0, 0.0)) -> np.ndarray:
    """Train ``runs`` door pickers on training games (one pick each); return their weights (runs, 2).
    ``uncued_shares`` (runs,) gives each run its own share of games without a cue (default: the config's);
    ``initial`` is the starting weight vector [cue, marker] (an inductive bias; default zero)."""
    rng = as_generator(seed)
    per_game = None if uncued_shares is None else np.repeat(np.asarray(uncued_shares, float), config.games)
    w = np.tile(np.asarray(initial, dtype=np.float64), (runs, 1))
    baseline = np.zeros(runs)
    n = config.games
    for _ in range(config.updates):
        feats, winner = draw_games(doors_config, runs * n, rng, "train", per_game)
        feats = feats.reshape(runs, n, doors_config.doors, 2)
        pi = softmax(np.einsum("rndf,rf->rnd", feats, w))
        a = (rng.random((runs, n))[..., None] > np.cumsum(pi, axis=-1)).sum(-1)
        r = (a == winner.reshape(runs, n)).astype(float)
        chosen = np.take_along_axis(feats, a[..., None, None], axis=2)[:, :, 0]
        score = chosen - np.einsum("rnd,rndf->rnf", pi, feats)
        w = w + config.learning_rate * ((r - baseline[:, None])[..., None] * score).mean(1)
        baseline = r.mean(1)
    return w


def pick_with_feedback(w: np.ndarray, feats: np.ndarray, winner: np.ndarray, tries: int,
                       rng: np.random.Generator) -> np.ndarray:
    """Success (bool, shape (n,)) of pickers with weights ``w`` (n, 2) on games ``feats`` (n, doors, 2) within
    ``tries`` picks, each pick sampled from the policy over the doors not yet tried."""
    n, d, _ = feats.shape
    logits = np.einsum("ndf,nf->nd", feats, w)
    tried = np.zeros((n, d), dtype=bool)
    won = np.zeros(n, dtype=bool)
    for _ in range(tries):
        pi = softmax(np.where(tried, -np.inf, logits))
        a = np.minimum((rng.random(n)[:, None] > np.cumsum(pi, axis=1)).sum(1), d - 1)
        won |= a == winner
        tried[np.arange(n), a] = True
    return won


def picks_to_win(w: np.ndarray, feats: np.ndarray, winner: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How many picks (1..doors) pickers with weights ``w`` (n, 2) need to open the winner of games ``feats``
    (n, doors, 2), each pick sampled from the policy over the doors not yet tried (a failure is reward feedback:
    that door is not opened again). Success within k picks is ``picks <= k``."""
    n, d, _ = feats.shape
    logits = np.einsum("ndf,nf->nd", feats, w)
    tried = np.zeros((n, d), dtype=bool)
    picks, found = np.full(n, d), np.zeros(n, dtype=bool)
    for k in range(1, d + 1):
        pi = softmax(np.where(tried, -np.inf, logits))
        a = np.minimum((rng.random(n)[:, None] > np.cumsum(pi, axis=1)).sum(1), d - 1)
        picks = np.where(~found & (a == winner), k, picks)
        found |= a == winner
        tried[np.arange(n), a] = True
    return picks
