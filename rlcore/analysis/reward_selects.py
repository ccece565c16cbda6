"""Lesson 02's claims: when does an agent trained with reward go for reward itself?

**The reward button** (:func:`run_button`). In :class:`rlcore.envs.reward_selects.ButtonCorridor` the button
next to the start pays as much as the goal, sooner, so the reward maximizer ``argmax_pi E[sum_t gamma^t r_t]``
presses it. Agents, all trained ``episodes`` episodes per run:

* ``pg, trained without``: tabular REINFORCE in the corridor without the button, then offered it;
* ``pg + lamp, trained without``: the same with one extra weight on the lamp of the cell an action leads to;
* ``pg, linear features, trained without``: REINFORCE, no value function, action scores linear in the features
  of the cell an action leads to (the value agent's parameterization, every weight shared across states);
* ``planner on a learned reward model``: ridge regression of reward on cell features from random exploration
  without the button, then value iteration on the known moves with that model (the button's lamp is a feature);
* ``value-based, trained without``: Q-learning on afterstate values linear in the same features;
* ``pg, trained with``: tabular REINFORCE with the button present.

References: the uniform random policy (chance) and the planner on the true reward (the reward maximizer). At
similarity 0 the button shows the features of the dead end the agents trained with, so that column is each
agent's button-blind reference. The planner's and the value agent's switching similarities are closed forms
(:func:`press_thresholds`); :func:`run_button_reward_sweep` and :func:`run_button_budget_sweep` vary the
button's reward (agent trained with it) and the training length (the two lamp-seeing PG agents).
The press rate of a stochastic policy is the exact probability that an episode ends on the button (computed
from the policy, no sampling); a greedy agent presses (1) or not (0). Training never depends on the lamp's
similarity (the button is absent, or only the tabular agent sees it), so one training serves every similarity.

**Looking vs. being successful** (:func:`run_rater`). Expected approval of do, fake, quit:
``1 - c_do``, ``(1 - d) - d P - c_fake``, ``0``. Faking is the best action exactly when
``(1 - d) - d P - c_fake > max(1 - c_do, 0)`` (:func:`rater_values`); the learner is an ordinary softmax bandit
on sampled approvals, and its final faking probability is compared with that boundary over a (d, c_do) grid.

**Score vs. cue** (:func:`run_coin`). The coin is on the right in training except in a share ``q`` of episodes;
at test it is always on the left. Success = at least one coin in a test episode (exact mean over
``test_episodes`` sampled episodes per run). Three agents per ``q``: memoryless, memory with the score hidden,
memory and score.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.reward_selects import LEFT, RIGHT, button_features, button_next, button_step, coin_step
from ..learners.reward_selects import (COIN_VIEWS, button_policy, coin_view, fit_reward_model, plan_corridor,
                                       softmax, train_button_linear_pg, train_button_pg, train_button_values,
                                       train_coin_pg, train_rater_bandit)
from ..seeding import derive_seed

__all__ = ["ButtonConfig", "ButtonResult", "run_button", "press_probability", "BUTTON_AGENTS", "BUTTON_REWARDS",
           "BUTTON_BUDGETS", "run_button_budget_sweep", "press_thresholds", "run_button_reward_sweep",
           "RaterSweepConfig", "RaterResult", "run_rater", "rater_values", "faking_is_best",
           "CoinConfig", "CoinResult", "run_coin", "COIN_SHARES", "ProbeConfig", "ProbeResult", "run_probe",
           "probe_r2", "PROBE_NETWORKS", "PROBE_TARGETS"]


# ------------------------------------------------------------------------------------- the reward button
BUTTON_AGENTS = ("random policy (chance)", "reward maximizer (true R)", "pg, trained without",
                 "pg + lamp, trained without", "pg, linear features, trained without",
                 "planner on a learned reward model", "value-based, trained without", "pg, trained with")
#: The button rewards of the "trained with" sweep (the goal is worth gamma^(length - 3) from the start).
BUTTON_REWARDS = (0.0, 0.1, 0.2, 0.3, 1.0)


@dataclass(frozen=True)
class ButtonConfig(Config):
    """The reward-button experiment."""

    similarity: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                              doc="how much the button's lamp looks like the goal's, in [0, 1]")
    runs: int = param(20, low=1, ui=(1, 40), doc="independent runs (seeds) per agent, >= 1")
    episodes: int = param(300, low=1, ui=(20, 600, 20), doc="training episodes per run, >= 1")
    gamma: float = param(0.8, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.5, 0.99, 0.01),
                         doc="discount factor, in (0, 1)")
    learning_rate: float = param(0.5, low=0.0, low_open=True, widget="text", doc="REINFORCE step size, > 0")
    length: int = param(9, low=4, high=30, ui=(5, 15), doc="corridor cells; the goal is the last, >= 4")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed of the runs")


def press_probability(pi: np.ndarray, length: int) -> np.ndarray:
    """The exact probability that an episode from cell 1 ends on the button (cell 0) within ``3 * length``
    steps under policy ``pi`` (shape (runs, length, 2)); returns shape (runs,)."""
    runs = pi.shape[0]
    dist = np.zeros((runs, length))
    dist[:, 1] = 1.0
    pressed = np.zeros(runs)
    cells = np.arange(length)
    left, right = button_next(cells, LEFT, length), button_next(cells, RIGHT, length)
    for _ in range(3 * length):
        new = np.zeros_like(dist)
        np.add.at(new.T, left, (dist * pi[:, :, LEFT]).T)
        np.add.at(new.T, right, (dist * pi[:, :, RIGHT]).T)
        pressed += new[:, 0]
        new[:, 0] = 0.0
        new[:, -1] = 0.0
        dist = new
    return pressed


def _greedy_policy(q: np.ndarray) -> np.ndarray:
    """A deterministic policy from action values (ties go right, to the task)."""
    right = q[..., RIGHT] >= q[..., LEFT]
    return np.stack([~right, right], axis=-1).astype(float)


@dataclass(frozen=True)
class ButtonResult:
    """The trained agents of every run; :meth:`press_rates` evaluates them at any lamp similarity."""

    config: ButtonConfig
    pg_theta: np.ndarray
    lamp_theta: np.ndarray
    lamp_weight: np.ndarray
    value_w: np.ndarray
    model_w: np.ndarray
    with_theta: np.ndarray
    linear_w: np.ndarray

    def press_rates(self, similarity: float | None = None) -> dict[str, np.ndarray]:
        """Per-run press probability of every agent at ``similarity`` (default: the config's)."""
        c = self.config
        s = c.similarity if similarity is None else float(similarity)
        n, runs = c.length, c.runs
        phi = button_features(n, True, s)
        terminal = np.zeros(n, dtype=bool)
        terminal[[0, n - 1]] = True
        true_r = np.zeros(n)
        true_r[[0, n - 1]] = 1.0
        zeros = np.zeros(runs)
        return {
            BUTTON_AGENTS[0]: press_probability(np.full((runs, n, 2), 0.5), n),
            BUTTON_AGENTS[1]: press_probability(np.repeat(_greedy_policy(plan_corridor(true_r, terminal, c.gamma)
                                                                         )[None], runs, 0), n),
            BUTTON_AGENTS[2]: press_probability(button_policy(self.pg_theta, zeros, n, True, s), n),
            BUTTON_AGENTS[3]: press_probability(button_policy(self.lamp_theta, self.lamp_weight, n, True, s), n),
            BUTTON_AGENTS[4]: press_probability(softmax(self._afterstate(self.linear_w, phi)), n),
            BUTTON_AGENTS[5]: press_probability(_greedy_policy(plan_corridor(self.model_w @ phi.T, terminal,
                                                                             c.gamma)), n),
            BUTTON_AGENTS[6]: press_probability(_greedy_policy(self._afterstate(self.value_w, phi)), n),
            BUTTON_AGENTS[7]: press_probability(button_policy(self.with_theta, zeros, n, True, s), n),
        }

    def _afterstate(self, w: np.ndarray, phi: np.ndarray) -> np.ndarray:
        return self._afterstate_of(w, phi, self.config.length)

    @staticmethod
    def _afterstate_of(w: np.ndarray, phi: np.ndarray, n: int) -> np.ndarray:
        """``w . phi(next(s, a))`` for every run, cell and action, shape (runs, length, 2)."""
        cells = np.arange(n)
        arrive = w @ phi.T  # (runs, n): the score of arriving in each cell
        return np.stack([arrive[:, button_next(cells, LEFT, n)], arrive[:, button_next(cells, RIGHT, n)]], -1)

    def lamp_sweep(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Mean press rate of every agent at similarities 0, 0.05, ..., 1: ``(similarities, {agent: (21,)})``
        (computed once per trained set of agents)."""
        return _lamp_sweep(self.config.replace(similarity=0.5))

    def table(self, similarity: float | None = None) -> list[dict]:
        """The lesson's answer: one row per agent, mean press rate and its spread over runs."""
        rows = []
        for agent, p in self.press_rates(similarity).items():
            rows.append({"agent": agent, "press_rate": float(p.mean()), "min": float(p.min()),
                         "max": float(p.max()), "sem": float(p.std(ddof=1) / np.sqrt(len(p))) if len(p) > 1
                         else 0.0})
        return rows


@functools.lru_cache(maxsize=16)
def _lamp_sweep(config: ButtonConfig):
    result, similarities = run_button(config), np.linspace(0.0, 1.0, 21)
    rates = [result.press_rates(s) for s in similarities]
    return similarities, {a: np.array([r[a].mean() for r in rates]) for a in BUTTON_AGENTS}


@functools.lru_cache(maxsize=16)
def run_button(config: ButtonConfig) -> ButtonResult:
    """Train every agent of the button experiment (cached per config; ``similarity`` does not enter training)."""
    key = config.replace(similarity=0.5)
    if key != config:
        trained = run_button(key)
        return ButtonResult(config, *(getattr(trained, f) for f in ("pg_theta", "lamp_theta", "lamp_weight",
                                                                     "value_w", "model_w", "with_theta", "linear_w")))
    c, n = config, config.length
    rng = np.random.default_rng(derive_seed(c.seed, "button"))
    pg_theta, _ = train_button_pg(c.runs, c.episodes, n, False, False, 0.0, c.learning_rate, c.gamma, rng)
    lamp_theta, lamp_w = train_button_pg(c.runs, c.episodes, n, False, True, 0.0, c.learning_rate, c.gamma, rng)
    with_theta, _ = train_button_pg(c.runs, c.episodes, n, True, False, 0.0, c.learning_rate, c.gamma, rng)
    value_w = train_button_values(c.runs, c.episodes, n, 0.2, c.gamma, 0.2, rng)
    # the reward model: the uniform random policy's episodes without the button, as many as the others train
    phi = button_features(n, False, 0.0)
    arrived, rewards = _random_exploration(c.runs, c.episodes, n, rng)
    model_w = np.array([fit_reward_model(phi[arrived[k]], rewards[k], ridge=1.0) for k in range(c.runs)])
    linear_w = train_button_linear_pg(c.runs, c.episodes, n, c.learning_rate, c.gamma, rng)
    return ButtonResult(c, pg_theta, lamp_theta, lamp_w, value_w, model_w, with_theta, linear_w)


def press_thresholds(gamma, length, lamp_weight=0.5):
    """The lamp similarity above which the planner and the value-based agent press, in closed form.

    Both learn the goal's reward (1) split equally between the goal's one-hot entry and its lamp, which always
    light together (``lamp_weight = 1/2``; the ridge shrinks it slightly). From cell 1 the goal is
    ``length - 2`` moves away. The planner compares the button's modelled reward ``sigma w_lamp`` (one move)
    with the goal's ``gamma^(length - 3)``: it presses when ``sigma > gamma^(length - 3) / w_lamp``. The value
    agent compares ``W(cell 0) = gamma^(length - 1) + sigma w_lamp`` (cell 0 was a dead end one step before
    cell 1) with ``W(cell 2) = gamma^(length - 3)``: it presses when
    ``sigma > (gamma^(length - 3) - gamma^(length - 1)) / w_lamp``. A threshold above 1: never presses.
    Returns ``(planner, value)`` thresholds (arrays broadcast over ``gamma`` and ``length``)."""
    gamma, length = np.asarray(gamma, dtype=float), np.asarray(length, dtype=float)
    goal = gamma ** (length - 3)
    return goal / lamp_weight, (goal - gamma ** (length - 1)) / lamp_weight


#: Training budgets of the training-length sweep of the two lamp-seeing policy-gradient agents.
BUTTON_BUDGETS = (30, 100, 300, 1000)


@functools.lru_cache(maxsize=16)
def run_button_budget_sweep(config: ButtonConfig, similarity: float = 1.0) -> dict:
    """Press rate at ``similarity`` of the two policy-gradient agents that can see the lamp (per-cell scores plus
    a lamp weight; scores linear in shared features), after each budget of BUTTON_BUDGETS training episodes:
    ``{agent: (budgets, runs)}``."""
    c, n = config.replace(similarity=0.5), config.length
    phi = button_features(n, True, similarity)
    out = {BUTTON_AGENTS[3]: [], BUTTON_AGENTS[4]: []}
    for k, episodes in enumerate(BUTTON_BUDGETS):
        rng = np.random.default_rng(derive_seed(c.seed, f"button-budget-{k}"))
        theta, lamp_w = train_button_pg(c.runs, episodes, n, False, True, 0.0, c.learning_rate, c.gamma, rng)
        out[BUTTON_AGENTS[3]].append(press_probability(button_policy(theta, lamp_w, n, True, similarity), n))
        w = train_button_linear_pg(c.runs, episodes, n, c.learning_rate, c.gamma, rng)
        out[BUTTON_AGENTS[4]].append(press_probability(softmax(ButtonResult._afterstate_of(w, phi, n)), n))
    return {a: np.array(v) for a, v in out.items()}


@functools.lru_cache(maxsize=16)
def run_button_reward_sweep(config: ButtonConfig) -> dict:
    """The model-free agent trained *with* the button, at every button reward of BUTTON_REWARDS: per-run press
    rates ``{reward: (runs,)}`` and the reward maximizer's choice (presses iff the reward beats
    ``gamma^(length - 3)``, the discounted goal)."""
    c, n = config.replace(similarity=0.5), config.length
    rng = np.random.default_rng(derive_seed(c.seed, "button-reward-sweep"))
    rates = {}
    for b in BUTTON_REWARDS:
        theta, _ = train_button_pg(c.runs, c.episodes, n, True, False, 0.0, c.learning_rate, c.gamma, rng,
                                   button_reward=b)
        rates[b] = press_probability(softmax(theta), n)
    return {"press_rate": rates, "maximizer": {b: float(b > c.gamma ** (n - 3)) for b in BUTTON_REWARDS},
            "goal_value": float(c.gamma ** (n - 3))}


def _random_exploration(runs: int, episodes: int, length: int, rng: np.random.Generator):
    """Cells arrived in and rewards of uniformly random episodes (no button), shape (runs, steps) each."""
    arrived, rewards = [], []
    for _ in range(episodes):
        pos, alive = np.ones(runs, dtype=int), np.ones(runs, dtype=bool)
        for _t in range(3 * length):
            new, r, done, _ = button_step(pos, rng.integers(0, 2, runs), length, False, 0.0)
            arrived.append(np.where(alive, new, -1)), rewards.append(r)
            alive &= ~done
            pos = new
            if not alive.any():
                break
    arrived, rewards = np.array(arrived).T, np.array(rewards).T
    keep = arrived >= 0
    return [a[k] for a, k in zip(arrived, keep)], [r[k] for r, k in zip(rewards, keep)]


# ------------------------------------------------------------------------------------- the rater
def rater_values(detect, penalty, cost_do, cost_fake) -> np.ndarray:
    """Expected approval minus cost of (do, fake, quit), shape (..., 3), broadcast over the settings."""
    detect, penalty, cost_do, cost_fake = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                                 for v in (detect, penalty, cost_do, cost_fake)))
    return np.stack([1.0 - cost_do, (1.0 - detect) - detect * penalty - cost_fake, np.zeros_like(detect)], -1)


def faking_is_best(detect, penalty, cost_do, cost_fake) -> np.ndarray:
    """True where faking has the highest expected approval (the analytic boundary)."""
    v = rater_values(detect, penalty, cost_do, cost_fake)
    return v[..., 1] > np.maximum(v[..., 0], v[..., 2])


@dataclass(frozen=True)
class RaterSweepConfig(Config):
    """The rater sweep: a grid over detection probability d and task cost, at one penalty and fake cost."""

    detect: float = param(0.3, low=0.0, high=1.0, ui=(0.0, 1.0, 0.1), doc="the marked point's d")
    cost_do: float = param(0.9, low=0.0, high=1.5, ui=(0.0, 1.5, 0.1), doc="the marked point's task cost")
    penalty: float = param(1.0, low=0.0, high=3.0, ui=(0.0, 3.0, 0.5), doc="penalty for a caught fake")
    cost_fake: float = param(0.05, low=0.0, high=0.5, ui=(0.0, 0.5, 0.05), doc="cost of faking")
    runs: int = param(10, low=1, ui=(1, 20), doc="learner runs (seeds) per grid cell, >= 1")
    steps: int = param(2000, low=1, ui=(100, 4000, 100), doc="approvals per run, >= 1")
    learning_rate: float = param(0.5, low=0.0, low_open=True, widget="text", doc="bandit step size, > 0")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed")


DETECT_GRID = np.round(np.linspace(0.0, 1.0, 11), 3)
COST_GRID = np.round(np.linspace(0.0, 1.5, 16), 3)


@dataclass(frozen=True)
class RaterResult:
    config: RaterSweepConfig
    detect: np.ndarray     # (nd,)
    cost_do: np.ndarray    # (nc,)
    fake_rate: np.ndarray  # (nd, nc, runs): final probability of faking per run
    do_rate: np.ndarray    # (nd, nc, runs)

    @property
    def predicted(self) -> np.ndarray:
        """Where faking is analytically best, (nd, nc)."""
        c = self.config
        return faking_is_best(self.detect[:, None], c.penalty, self.cost_do[None, :], c.cost_fake)

    def margin(self) -> np.ndarray:
        """How far faking's expected approval is from the best other action (negative: faking loses)."""
        c = self.config
        v = rater_values(self.detect[:, None], c.penalty, self.cost_do[None, :], c.cost_fake)
        return v[..., 1] - np.maximum(v[..., 0], v[..., 2])

    def summary(self, clear: float = 0.15) -> dict:
        """Agreement with the boundary on cells at least ``clear`` away from it, and the d = 1 control."""
        mean = self.fake_rate.mean(-1)
        far = np.abs(self.margin()) >= clear
        pred = self.predicted
        return {
            "fake_rate_where_predicted": float(mean[far & pred].mean()) if (far & pred).any() else float("nan"),
            "fake_rate_where_not_predicted": float(mean[far & ~pred].mean()),
            "agreement_far_from_boundary": float(((mean > 0.5) == pred)[far].mean()),
            "agreement_per_run_near_boundary": float(((self.fake_rate > 0.5) == pred[..., None])[
                (np.abs(self.margin()) < 0.1)].mean()),
            "fake_rate_at_d1_max": float(self.fake_rate[np.isclose(self.detect, 1.0)].max()),
            "cells_far_from_boundary": int(far.sum()),
        }


@functools.lru_cache(maxsize=16)
def run_rater(config: RaterSweepConfig) -> RaterResult:
    """Train the bandit at every (d, c_do) of the grid, ``runs`` times (cached; the marked point is not used)."""
    key = config.replace(detect=0.3, cost_do=0.9)
    if key != config:
        r = run_rater(key)
        return RaterResult(config, r.detect, r.cost_do, r.fake_rate, r.do_rate)
    c = config
    rng = np.random.default_rng(derive_seed(c.seed, "rater"))
    d, cost = np.meshgrid(DETECT_GRID, COST_GRID, indexing="ij")
    d, cost = np.repeat(d[..., None], c.runs, -1), np.repeat(cost[..., None], c.runs, -1)
    probs = train_rater_bandit(d.ravel(), c.penalty, cost.ravel(), c.cost_fake, c.steps, c.learning_rate, rng)
    shape = d.shape
    return RaterResult(c, DETECT_GRID, COST_GRID, probs[:, 1].reshape(shape), probs[:, 0].reshape(shape))


# ------------------------------------------------------------------------------------- score vs cue
COIN_SHARES = (0.0, 0.02, 0.1, 0.3)


@dataclass(frozen=True)
class CoinConfig(Config):
    """Score vs. cue: the share of training episodes with the coin elsewhere, swept over COIN_SHARES."""

    share: float = choice(0.02, COIN_SHARES, doc="the share whose policies the figure shows (display only)")
    runs: int = param(10, low=1, ui=(1, 20), doc="independent runs (seeds) per agent and share, >= 1")
    episodes: int = param(1500, low=1, ui=(100, 3000, 100), doc="training episodes per run, >= 1")
    learning_rate: float = param(0.3, low=0.0, low_open=True, widget="text", doc="REINFORCE step size, > 0")
    test_episodes: int = param(200, low=1, ui=(20, 400, 20), doc="test episodes per run (coin moved), >= 1")
    length: int = param(7, low=3, high=15, ui=(3, 15, 2), doc="corridor cells (odd), >= 3")
    trips: int = param(4, low=2, high=10, ui=(2, 8), doc="episode length in shortest trips, >= 2")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed")

    def check(self) -> None:
        if self.length % 2 == 0:
            raise self.invalid("length", "an odd number of cells, so that the start is in the middle")


@dataclass(frozen=True)
class CoinResult:
    config: CoinConfig
    shares: np.ndarray
    test_success: np.ndarray   # (views, shares, runs): coin moved to the left
    train_success: np.ndarray  # (views, shares, runs): coin on the right, as in most of training
    theta: np.ndarray          # (views, shares, runs, length * 6, 2): the trained policies

    def left_probability(self, share: float | None = None) -> np.ndarray:
        """Mean over runs of P(left) of the memory-and-score agent, shape (5 register states, length):
        rows none, left end paid nothing, left end paid, right end paid nothing, right end paid."""
        c = self.config
        s = list(self.shares).index(c.share if share is None else share)
        pi = softmax(self.theta[2, s]).reshape(c.runs, c.length, 6, 2)[..., LEFT].mean(0)
        return pi[:, :5].T

    def summary(self) -> dict:
        out = {}
        for v, view in enumerate(COIN_VIEWS):
            for s, share in enumerate(self.shares):
                key = f"{view} @ {share:g}"
                out[f"test_success[{key}]"] = float(self.test_success[v, s].mean())
                out[f"train_success[{key}]"] = float(self.train_success[v, s].mean())
        return out


def _coin_success(theta, view, coin_left: bool, c: CoinConfig, rng) -> np.ndarray:
    runs, rows = len(view), np.arange(len(view))
    succ = np.zeros(runs)
    horizon = c.trips * (c.length // 2)
    left = np.full(runs, coin_left)
    for _ in range(c.test_episodes):
        pos, last_end, rose = np.full(runs, c.length // 2), np.zeros(runs, int), np.zeros(runs, int)
        got = np.zeros(runs)
        for _t in range(horizon):
            pi = softmax(theta[rows, pos * 6 + coin_view(view, last_end, rose)])
            pos, r, end, r_rose = coin_step(pos, (rng.random(runs) < pi[:, RIGHT]).astype(int), left, c.length)
            last_end, rose = np.where(end > 0, end, last_end), np.where(end > 0, r_rose, rose)
            got += r
        succ += got > 0
    return succ / c.test_episodes


@functools.lru_cache(maxsize=16)
def run_coin(config: CoinConfig) -> CoinResult:
    """Train the three agents at every share of moved coins, ``runs`` runs each, and test with the coin moved."""
    key = config.replace(share=0.02)
    if key != config:
        r = run_coin(key)
        return CoinResult(config, r.shares, r.test_success, r.train_success, r.theta)
    c = config
    rng = np.random.default_rng(derive_seed(c.seed, "coin"))
    nv, ns = len(COIN_VIEWS), len(COIN_SHARES)
    view = np.repeat(np.arange(nv), ns * c.runs)
    share = np.tile(np.repeat(np.array(COIN_SHARES), c.runs), nv)
    theta = train_coin_pg(view, share, c.episodes, c.length, c.trips, c.learning_rate, rng)
    test = _coin_success(theta, view, True, c, rng).reshape(nv, ns, c.runs)
    train = _coin_success(theta, view, False, c, rng).reshape(nv, ns, c.runs)
    return CoinResult(c, np.array(COIN_SHARES), test, train, theta.reshape(nv, ns, c.runs, *theta.shape[1:]))


# ------------------------------------------------------------------------------------- the probe
PROBE_NETWORKS = ("noise features", "raw input", "untrained network", "policy only, shuffled rewards",
                  "policy only", "value head, shuffled rewards", "value head", "ideal (both parts given)")
#: The two parts of the return the probe reads: the part no action changes, and the part the action controls.
PROBE_TARGETS = ("uncontrolled part: 2|s_1|", "controlled part: Q(s,1) - Q(s,0)")
PROBE_RIDGES = tuple(10.0 ** np.arange(-4, 4))


@dataclass(frozen=True)
class ProbeConfig(Config):
    """Does a policy network's hidden layer linearly encode expected return?"""

    runs: int = param(10, low=1, ui=(1, 20), doc="networks (seeds) per kind, >= 1")
    steps: int = param(400, low=1, ui=(100, 2000, 100), doc="Adam steps (batches of 64 contexts), >= 1")
    hidden: int = param(32, low=2, high=256, ui=(4, 64), doc="trunk width, >= 2")
    learning_rate: float = param(0.05, low=0.0, low_open=True, widget="text", doc="Adam step size, > 0")
    bonus_scale: float = param(2.0, low=0.0, low_open=True, ui=(0.5, 4.0), doc="weight of |s_1| in reward, > 0")
    bias_std: float = param(1.0, low=0.0, ui=(0.0, 2.0), doc="std of the trunk biases at initialization, >= 0")
    probe_points: int = param(400, low=20, ui=(50, 1000, 50), doc="probe fit and held-out contexts each, >= 20")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed")


def probe_r2(train_features, test_features, train_target, test_target, ridge: float | None = None,
             folds: int = 5) -> float:
    """Held-out R^2 of a ridge linear probe with an unpenalized intercept (features and target centred on the
    fitting set), fitted on the training features. ``ridge=None`` chooses the penalty from PROBE_RIDGES by
    ``folds``-fold cross-validation on the training set only."""
    def fit_predict(x_fit, y_fit, x_new, lam):
        mx, my = x_fit.mean(0), y_fit.mean()
        return (x_new - mx) @ fit_reward_model(x_fit - mx, y_fit - my, lam) + my

    x, z = np.asarray(train_features, dtype=float), np.asarray(test_features, dtype=float)
    y = np.asarray(train_target, dtype=float)
    if ridge is None:
        fold = np.arange(len(x)) % folds
        errors = [sum(((y[fold == k] - fit_predict(x[fold != k], y[fold != k], x[fold == k], lam)) ** 2).sum()
                      for k in range(folds)) for lam in PROBE_RIDGES]
        ridge = PROBE_RIDGES[int(np.argmin(errors))]
    resid = np.asarray(test_target) - fit_predict(x, y, z, ridge)
    return float(1.0 - (resid ** 2).sum() / ((test_target - np.mean(test_target)) ** 2).sum())


@dataclass(frozen=True)
class ProbeResult:
    config: ProbeConfig
    r2: dict             # target -> network kind -> (runs,) held-out R^2
    accuracy: dict       # network kind -> (runs,) share of held-out contexts where the greedy action is right
    head_r2: np.ndarray  # (runs,) held-out R^2 of the value head's own output against V*(s)

    def summary(self) -> dict:
        out = {}
        for t, name in zip(PROBE_TARGETS, ("uncontrolled", "controlled")):
            out.update({f"r2_median[{name}][{k}]": float(np.median(v)) for k, v in self.r2[t].items()})
        out.update({f"accuracy_mean[{k}]": float(np.mean(v)) for k, v in self.accuracy.items()})
        out["r2_median[value head's own output]"] = float(np.median(self.head_r2))
        return out


@functools.lru_cache(maxsize=4)
def run_probe(config: ProbeConfig) -> ProbeResult:
    """Train the networks and probe their trunks for the two parts of the expected return of a competent
    policy, ``V*(s) = bonus_scale |s_1| + 1``: the part no action changes, ``bonus_scale |s_1|`` (the same R^2 as
    V* itself), and the part the action controls, ``Q(s, 1) - Q(s, 0) = 2 * 1[s_0 > 0] - 1``."""
    from ..envs.reward_selects import ContextBanditConfig
    from ..learners.probe_nets import train_probe_nets

    c, dim = config, ContextBanditConfig().dim
    rng = np.random.default_rng(derive_seed(c.seed, "probe"))
    x_fit, x_test = rng.uniform(-1, 1, (c.probe_points, dim)), rng.uniform(-1, 1, (c.probe_points, dim))
    targets = {PROBE_TARGETS[0]: (c.bonus_scale * np.abs(x_fit[:, 1]), c.bonus_scale * np.abs(x_test[:, 1])),
               PROBE_TARGETS[1]: (2.0 * (x_fit[:, 0] > 0) - 1.0, 2.0 * (x_test[:, 0] > 0) - 1.0)}
    right = (x_test[:, 0] > 0).astype(int)
    features = {PROBE_NETWORKS[0]: [(rng.standard_normal((c.probe_points, c.hidden)),
                                     rng.standard_normal((c.probe_points, c.hidden))) for _ in range(c.runs)],
                PROBE_NETWORKS[1]: [(x_fit, x_test)]}
    kinds = {PROBE_NETWORKS[2]: (0, False, False), PROBE_NETWORKS[3]: (c.steps, False, True),
             PROBE_NETWORKS[4]: (c.steps, False, False), PROBE_NETWORKS[5]: (c.steps, True, True),
             PROBE_NETWORKS[6]: (c.steps, True, False)}
    torch_seed = derive_seed(c.seed, "probe-init") % (2 ** 31)
    acc = {}
    for name, (steps, value_head, shuffle) in kinds.items():
        nets = train_probe_nets(c.runs, dim, c.hidden, steps, 64, c.learning_rate, value_head, shuffle,
                                c.bonus_scale, 0.5, rng, torch_seed, bias_std=c.bias_std)
        h_fit, h_test = nets.hidden(x_fit), nets.hidden(x_test)
        features[name] = [(h_fit[k], h_test[k]) for k in range(c.runs)]
        acc[name] = (nets.p_action(x_test).argmax(-1) == right).mean(-1)
        if name == PROBE_NETWORKS[6]:
            v_star = c.bonus_scale * np.abs(x_test[:, 1]) + 1.0
            v = nets.value(x_test)
            head_r2 = 1.0 - ((v_star - v) ** 2).sum(-1) / ((v_star - v_star.mean()) ** 2).sum()
    features[PROBE_NETWORKS[7]] = [tuple(np.c_[x, np.abs(x[:, 1]), x[:, 0] > 0] for x in (x_fit, x_test))]
    r2 = {}
    for t, (y_fit, y_test) in targets.items():
        r2[t] = {}
        for name in PROBE_NETWORKS:
            vals = [probe_r2(f, g, y_fit, y_test) for f, g in features[name]]
            r2[t][name] = np.array(vals * (c.runs if len(vals) == 1 else 1))
    return ProbeResult(c, r2, acc, head_r2)
