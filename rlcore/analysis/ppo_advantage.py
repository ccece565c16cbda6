"""How much of PPO's policy gradient comes from reward, and how much from the value head (lesson 03).

PPO (:mod:`rlcore.learners.ppo`, shared trunk with a linear value head) trains on the sparse chain
(:mod:`rlcore.envs.sparse_chain`). At evenly spaced checkpoints we keep the batch PPO was about to learn from
and the weights that collected it, and split its advantages with :mod:`rlcore.analysis.gae`:
A = A^R + A^V, where A^R only contains rewards and A^V only contains value estimates. The quantities:

* ``reward_reach``: the share of timesteps whose advantage contains a non-zero reward term;
* ``reward_share``: the mean over timesteps of |A^R| / (|A^R| + |A^V|);
* ``cosine``: the cosine between the policy gradient PPO starts its update from,
  g = grad_theta mean_t A_t log pi_theta(a_t|s_t) (the gradient of the clipped surrogate at ratio 1), and the
  same gradient with A^R alone; ``grad_ratio`` = |g^R| / |g|. theta is every policy parameter (trunk + head);
* ``success``: the share of episodes started in cell 0 that reach the goal within the time limit, with actions
  sampled from the policy (computed exactly per cell, simulated on arrays).

"Directly from reward" is defined here as *through A^R*: the rewards of this batch, weighted by
(gamma lam)^l. Rewards also act indirectly, through the value head that earlier rewards trained; that path
is A^V. Everything is computed for any lam and gamma after training (the value head stays the one trained
with the run's own gamma and lam), and with or without batch-wide advantage normalization.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch

from ..config import Config, choice, param
from ..envs.sparse_chain import SparseChain, chain_pattern, chain_step
from ..learners.ppo import PPOConfig, PPOResult, train_ppo
from ..seeding import as_generator, derive_seed
from .gae import AdvantageParts, decompose_advantage, normalize_parts, reward_reach

__all__ = ["ChainPPOConfig", "ChainRun", "run_chain_ppo", "policy_gradients", "cosine", "decomposition_metrics",
           "success_from_start", "cell_tables", "ends_at_goal", "lambda_sweep", "View", "cached_run"]


@dataclass(frozen=True)
class ChainPPOConfig(Config):
    """The lesson's experiment: the chain, PPO's knobs that matter here, and how long to train."""

    length: int = param(20, low=4, high=200, ui=(10, 60, 5), doc="cells in the chain, goal included")
    reward_prob: float = param(1.0, low=0.0, high=1.0, low_open=True, ui=(0.1, 1.0, 0.1),
                               doc="probability the goal pays (reward sparsity), in (0, 1]")
    gamma: float = param(0.99, low=0.0, high=1.0, ui=(0.8, 1.0, 0.01), doc="discount, in [0, 1]")
    gae_lambda: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                              doc="GAE lambda PPO trains with, in [0, 1] (0: the one-step TD error)")
    learning_rate: float = param(3e-3, low=0.0, low_open=True, ui=(1e-4, 3e-2), widget="log",
                                 doc="policy (and trunk) learning rate, > 0")
    critic_learning_rate: float = param(1e-2, low=0.0, low_open=True, ui=(1e-4, 1e-1), widget="log",
                                        doc="value-head learning rate, > 0")
    norm_adv: bool = param(False, doc="PPO normalizes advantages per minibatch while training")
    value_mode: str = choice("learned", ("learned", "zero"), doc="'zero' is the ablation V == 0")
    total_steps: int = param(12_288, low=256, ui=(2_000, 100_000, 2_000), doc="environment steps of training")
    checkpoints: int = param(10, low=2, high=50, ui=(2, 20), doc="snapshots kept for the analysis")
    eval_episodes: int = param(200, low=1, ui=(10, 1000), doc="episodes from cell 0 per success estimate")
    seed: int = param(0, low=0, ui=(0, 20), doc="seed of the run (PPO, environments, evaluation)")

    def ppo(self) -> PPOConfig:
        """PPO's config for this experiment: 8 envs x 32 steps, 2 minibatches, 4 epochs, a 32-wide network whose
        value head starts at V = 0 (so early advantages are not random value noise)."""
        return PPOConfig(total_steps=self.total_steps, num_envs=8, num_steps=32, num_minibatches=2,
                         update_epochs=4, learning_rate=self.learning_rate, value_init_gain=0.0,
                         critic_learning_rate=self.critic_learning_rate, anneal_lr=False, gamma=self.gamma,
                         gae_lambda=self.gae_lambda, norm_adv=self.norm_adv, hidden=32,
                         architecture="shared", value_mode=self.value_mode, checkpoints=self.checkpoints)

    def make_env(self) -> SparseChain:
        return SparseChain(length=self.length, reward_prob=self.reward_prob)

    def check(self) -> None:
        batch = 8 * 32
        if self.total_steps < batch * self.checkpoints:
            raise self.invalid("total_steps", f"at least checkpoints * {batch} = {batch * self.checkpoints} "
                                              f"(one batch per checkpoint)")


def policy_gradients(agent, obs: np.ndarray, actions: np.ndarray, weights: list[np.ndarray]) -> list[np.ndarray]:
    """For each weight vector w: g = grad_theta (1/N) sum_t w_t log pi_theta(a_t | s_t), flattened.

    theta is every parameter the policy depends on (trunk and policy head; not the value head).
    """
    params = [p for p in agent.actor_parameters() if p.requires_grad]
    logits, _ = agent(torch.as_tensor(obs.reshape(-1, obs.shape[-1])))
    logp = torch.log_softmax(logits, -1).gather(1, torch.as_tensor(actions.reshape(-1, 1))).squeeze(1)
    out = []
    for k, w in enumerate(weights):
        surrogate = (torch.as_tensor(w.reshape(-1), dtype=logp.dtype) * logp).mean()
        grads = torch.autograd.grad(surrogate, params, retain_graph=k < len(weights) - 1, allow_unused=True)
        out.append(torch.cat([(g if g is not None else torch.zeros_like(p)).reshape(-1)
                              for g, p in zip(grads, params)]).double().numpy())
    return out


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """a . b / (|a| |b|); 0 when either vector is 0."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return 0.0 if na == 0 or nb == 0 else float(a @ b / (na * nb))


def decomposition_metrics(agent, batch: dict, gamma: float, lam: float, normalize: bool) -> dict:
    """The split of one batch's advantages and of the policy gradient; returns a dict of floats and arrays.

    Keys: ``reward_reach`` (share of timesteps touched by a non-zero reward), ``reward_share`` (mean
    |A^R| / (|A^R| + |A^V|)), ``cosine`` (between g and g^R), ``grad_ratio`` (|g^R| / |g|), ``parts``.
    With ``normalize`` the split is of (A - mean A) / std A over the batch, and ``reward_reach`` counts every
    timestep whose normalized reward part is non-zero (the batch mean of A^R enters every timestep).
    """
    parts = decompose_advantage(batch["rewards"], batch["values"], batch["next_values"], batch["terminated"],
                                batch["truncated"], gamma, lam)
    reach = reward_reach(batch["rewards"], batch["terminated"], batch["truncated"], gamma, lam)
    if normalize:
        parts = normalize_parts(parts)
        reach = parts.reward != 0
    g_full, g_reward = policy_gradients(agent, batch["obs"], batch["actions"], [parts.total, parts.reward])
    return dict(reward_reach=float(reach.mean()), reward_share=float(parts.reward_share().mean()),
                cosine=cosine(g_full, g_reward),
                grad_ratio=float(np.linalg.norm(g_reward) / max(np.linalg.norm(g_full), 1e-300)),
                parts=parts, reach=reach)


def ends_at_goal(terminated, truncated, rewards) -> np.ndarray:
    """Mask (T, N): the timestep's episode terminates with a non-zero reward inside the batch."""
    term, done = np.asarray(terminated, bool), np.asarray(terminated, bool) | np.asarray(truncated, bool)
    paid = term & (np.asarray(rewards) != 0)
    out, carry = np.zeros_like(term), np.zeros_like(term[0])
    for t in reversed(range(len(term))):
        carry = paid[t] | (~done[t] & carry)
        out[t] = carry
    return out


def cell_tables(agent, length: int, layout_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of the chain: (pi(correct action | cell), V(cell)), each of shape (length,)."""
    with torch.no_grad():
        logits, value = agent(torch.eye(length))
    p = torch.softmax(logits, -1).double().numpy()
    return p[np.arange(length), chain_pattern(length, layout_seed)], value.double().numpy()


def success_from_start(p_correct: np.ndarray, max_steps: int, episodes: int, seed, setback: int = 1) -> float:
    """Share of ``episodes`` chain episodes from cell 0 that reach the goal within ``max_steps``.

    Each step takes the correct action with probability p_correct[cell] (the policy's), else the other one;
    :func:`rlcore.envs.sparse_chain.chain_step` moves the walkers, all episodes at once.
    """
    rng = as_generator(seed)
    length = len(p_correct)
    pattern = np.zeros(length, dtype=int)  # relabel actions so that action 0 is the correct one everywhere
    pos, done = np.zeros(episodes, dtype=int), np.zeros(episodes, dtype=bool)
    for _ in range(max_steps):
        action = (rng.random(episodes) >= p_correct[pos]).astype(int)
        new, at_goal, _ = chain_step(pos, action, pattern, False, setback)
        pos = np.where(done, pos, new)
        done |= at_goal
        if done.all():
            break
    return float(done.mean())


@dataclass
class ChainRun:
    """One PPO run on the chain with its checkpoints, and per checkpoint: success, pi(correct) and V per cell."""

    config: ChainPPOConfig
    result: PPOResult
    steps: np.ndarray  # global step at each checkpoint
    success: np.ndarray  # (K,)
    p_correct: np.ndarray  # (K, length)
    values: np.ndarray  # (K, length)
    final_success: float = 0.0
    _agents: list = field(default_factory=list, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    def agent(self, k: int):
        return self._agents[k]

    def metrics(self, k: int, lam: float | None = None, gamma: float | None = None,
                normalize: bool = False) -> dict:
        """:func:`decomposition_metrics` at checkpoint k (defaults: the run's own lam and gamma); cached."""
        lam = self.config.gae_lambda if lam is None else float(lam)
        gamma = self.config.gamma if gamma is None else float(gamma)
        key = (k, lam, gamma, bool(normalize))
        if key not in self._cache:
            self._cache[key] = decomposition_metrics(self._agents[k], self.result.checkpoints[k].batch, gamma,
                                                     lam, normalize)
        return self._cache[key]

    def over_training(self, name: str, lam: float | None = None, normalize: bool = False) -> np.ndarray:
        """Metric ``name`` at every checkpoint, shape (K,)."""
        return np.array([self.metrics(k, lam, normalize=normalize)[name] for k in range(len(self.steps))])

    def reach_in_finished_episodes(self, k: int, lam: float | None = None) -> float:
        """Share of timesteps with a reward term, among those whose episode reaches the goal inside the batch."""
        batch = self.result.checkpoints[k].batch
        finished = ends_at_goal(batch["terminated"], batch["truncated"], batch["rewards"])
        reach = self.metrics(k, lam)["reach"]
        return float(reach[finished].mean()) if finished.any() else float("nan")

    def pooled_reach(self, lam: float | None = None) -> float:
        """Share of all checkpoint timesteps (pooled) whose advantage contains a non-zero reward term."""
        masks = [self.metrics(k, lam)["reach"] for k in range(len(self.steps))]
        return float(np.mean(np.concatenate([m.reshape(-1) for m in masks])))


def run_chain_ppo(config: ChainPPOConfig, progress=None) -> ChainRun:
    """Train PPO on the chain and evaluate every checkpoint (and the final policy) from cell 0."""
    env = config.make_env()
    result = train_ppo(config.make_env, config.ppo(), seed=config.seed, progress=progress)
    agents = [result.agent_at(c) for c in result.checkpoints]
    tables = [cell_tables(a, config.length) for a in agents]
    p_correct = np.array([t[0] for t in tables])
    values = np.array([t[1] for t in tables])
    eval_seed = derive_seed(config.seed, "eval")
    success = np.array([success_from_start(p, env.config.max_steps, config.eval_episodes, derive_seed(eval_seed, k))
                        for k, p in enumerate(p_correct)])
    final = success_from_start(cell_tables(result.agent, config.length)[0], env.config.max_steps,
                               config.eval_episodes, derive_seed(eval_seed, "final"))
    return ChainRun(config, result, np.array([c.global_step for c in result.checkpoints]), success, p_correct,
                    values, final, agents)


def lambda_sweep(run: ChainRun, k: int, lams: np.ndarray, normalize: bool = False) -> dict:
    """``reward_reach``, ``reward_share``, ``cosine`` and ``grad_ratio`` at checkpoint k for each lam."""
    rows = [run.metrics(k, float(lam), normalize=normalize) for lam in lams]
    return {name: np.array([r[name] for r in rows]) for name in ("reward_reach", "reward_share", "cosine",
                                                                 "grad_ratio")}


@dataclass(frozen=True)
class View(Config):
    """What the lesson's panel shows: a training stage and an estimator (instant), and a run's knobs (cached).

    ``stage``, ``lam`` and ``normalize`` only re-analyse stored checkpoints. ``length``, ``reward_prob``,
    ``gamma`` and ``critic_learning_rate`` pick a training run: a new combination trains once (a few
    seconds) and is then cached by :func:`cached_run`.
    """

    stage: int = param(9, low=0, high=49, ui=(0, 9), doc="checkpoint shown (0: before training)")
    lam: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="lambda of the analysed advantage")
    normalize: bool = param(False, doc="analyse the batch-normalized advantage")
    length: int = choice(20, (10, 20, 30), doc="cells in the chain")
    reward_prob: float = choice(1.0, (1.0, 0.5, 0.25), doc="probability the goal pays (sparsity)")
    gamma: float = choice(0.99, (0.95, 0.99), doc="discount the run trains with")
    critic_learning_rate: float = choice(1e-2, (1e-3, 1e-2, 3e-2), doc="value-head learning rate")

    def run_config(self, base: ChainPPOConfig) -> ChainPPOConfig:
        """``base`` with this view's training knobs."""
        return base.replace(length=self.length, reward_prob=self.reward_prob, gamma=self.gamma,
                            critic_learning_rate=self.critic_learning_rate)


_RUNS: dict = {}


def cached_run(config: ChainPPOConfig, progress=None) -> ChainRun:
    """:func:`run_chain_ppo`, remembered per config for this kernel (the panel's training knobs use it)."""
    if config not in _RUNS:
        _RUNS[config] = run_chain_ppo(config, progress)
    elif progress is not None:
        progress(1.0)
    return _RUNS[config]


def _store(config: ChainPPOConfig, run: ChainRun) -> None:
    """Remember an existing run for ``config`` (so the panel reuses a run the notebook already made)."""
    _RUNS[config] = run


cached_run.store = _store
