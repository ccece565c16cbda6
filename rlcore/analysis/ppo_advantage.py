"""How much of PPO's policy gradient comes from reward, and how much from the value head (lesson 03).

PPO (:mod:`rlcore.learners.ppo`, shared trunk with a linear value head, or separate networks) trains on the sparse
chain (:mod:`rlcore.envs.sparse_chain`), each run at its own GAE lambda and value mode (learned, or V == 0). At
evenly spaced checkpoints we keep the weights and the batch they collected. The quantities:

* ``success``: share of episodes from cell 0 that reach the goal within the time limit (exact per-cell policy,
  simulated on arrays); :func:`sweep_lambda_modes` over (value mode, lambda, seed), and the rollout-length axis
  (:func:`far_cells`: with V == 0 the closing bootstrap at each rollout cut is zero, so no credit reaches a cell
  more than ``rollout_steps`` - 1 steps from the goal);
* :func:`expected_update_split`: g = (1/N) sum_t A_t grad log pi(a_t|s_t) (raw A, ratio 1, before Adam and
  clipping) split as g = g^R + g^B + g^b along A = reward part + bootstrap part (gamma V(s') terms) + baseline part
  (-V(s)) (:func:`rlcore.analysis.gae.split_advantage`), over many simulated batches from one policy: per part
  |E g^X| / |E g|, cos(E g^X, E g), and the total variance with the part removed;
* :func:`trunk_gradients`: the policy and value losses' gradients on a shared trunk, beside the same value loss
  fitted to shuffled returns (the reference for "any regression error of that size");
* single-batch measures (``reward_reach``, ``reward_share``, ``cosine``) for the panel.

"Directly from reward" is defined here as *through A^R*: the rewards of this batch, weighted by (gamma lam)^l.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch

from ..config import Config, choice, param
from ..envs.sparse_chain import SparseChain, SparseChainConfig, chain_pattern, chain_step
from ..learners.ppo import PPOConfig, PPOResult, train_ppo_seeds
from ..seeding import as_generator, derive_seed
from .gae import AdvantageParts, decompose_advantage, normalize_parts, reward_reach, split_advantage

__all__ = ["ChainPPOConfig", "ChainRun", "run_chain_ppo", "run_chain_ppo_seeds", "cached_runs", "policy_gradients",
           "cosine", "decomposition_metrics",
           "success_from_start", "cell_tables", "ends_at_goal", "lambda_sweep", "View", "cached_run",
           "LAMBDAS", "MODES", "sweep_lambda_modes", "simulate_batches", "expected_update_split", "trunk_gradients",
           "trunk_over_training", "reach_and_episode_length", "LessonSizes", "split_table", "split_over_training",
           "ROLLOUTS", "BATCH", "far_cells", "rollout_boundary"]

BATCH = 256  # environment steps per PPO update: num_envs * rollout_steps
ROLLOUTS = (16, 32, 64, 128, 256)


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
    architecture: str = choice("shared", ("shared", "separate"),
                               doc="policy and value heads on one trunk, or two separate networks")
    rollout_steps: int = choice(32, ROLLOUTS, doc="steps per environment per PPO rollout (num_envs = 256 / this)")
    total_steps: int = param(12_288, low=256, ui=(2_000, 100_000, 2_000), doc="environment steps of training")
    checkpoints: int = param(10, low=2, high=50, ui=(2, 20), doc="snapshots kept for the analysis")
    eval_episodes: int = param(200, low=1, ui=(10, 1000), doc="episodes from cell 0 per success estimate")
    seed: int = param(0, low=0, ui=(0, 20), doc="seed of the run (PPO, environments, evaluation)")

    def ppo(self) -> PPOConfig:
        """PPO's config for this experiment: 256 // rollout_steps envs x rollout_steps steps (8 x 32 by default),
        2 minibatches, 4 epochs, a 32-wide network whose value head starts at V = 0."""
        return PPOConfig(total_steps=self.total_steps, num_envs=BATCH // self.rollout_steps,
                         num_steps=self.rollout_steps, num_minibatches=2,
                         update_epochs=4, learning_rate=self.learning_rate, value_init_gain=0.0,
                         critic_learning_rate=self.critic_learning_rate, anneal_lr=False, gamma=self.gamma,
                         gae_lambda=self.gae_lambda, norm_adv=self.norm_adv, hidden=32,
                         architecture=self.architecture, value_mode=self.value_mode, checkpoints=self.checkpoints)

    def make_env(self) -> SparseChain:
        return SparseChain(length=self.length, reward_prob=self.reward_prob)

    def check(self) -> None:
        batch = BATCH
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


def _evaluate(config: ChainPPOConfig, result: PPOResult) -> ChainRun:
    """A :class:`ChainRun` from a trained ``result``: every checkpoint (and the final policy) evaluated from cell 0."""
    env = config.make_env()
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


def run_chain_ppo(config: ChainPPOConfig, progress=None) -> ChainRun:
    """Train PPO on the chain and evaluate every checkpoint (and the final policy) from cell 0."""
    return run_chain_ppo_seeds(config, [config.seed], progress)[0]


def run_chain_ppo_seeds(config: ChainPPOConfig, seeds, progress=None) -> list[ChainRun]:
    """:func:`run_chain_ppo` of ``config`` at each of ``seeds``, trained in one batched call
    (:func:`rlcore.learners.ppo.train_ppo_seeds`): run i is, bit for bit,
    ``run_chain_ppo(config.replace(seed=seeds[i]))``."""
    seeds = [int(s) for s in seeds]
    results = train_ppo_seeds(config.make_env, config.ppo(), seeds, progress=progress)
    # leave torch's global generator as training the seeds one after another would (PPO seeds it; nothing reads it)
    torch.manual_seed(seeds[-1])
    return [_evaluate(config.replace(seed=s), result) for s, result in zip(seeds, results)]


def lambda_sweep(run: ChainRun, k: int, lams: np.ndarray, normalize: bool = False) -> dict:
    """``reward_reach``, ``reward_share``, ``cosine`` and ``grad_ratio`` at checkpoint k for each lam."""
    rows = [run.metrics(k, float(lam), normalize=normalize) for lam in lams]
    return {name: np.array([r[name] for r in rows]) for name in ("reward_reach", "reward_share", "cosine",
                                                                 "grad_ratio")}


# --- lambda x value-mode sweep, each run trained at its own lambda ------------------------------------------

LAMBDAS = (0.0, 0.5, 0.9, 0.95, 1.0)
MODES = ("learned", "zero")


def _train_grid(configs: dict, progress=None) -> dict:
    """:func:`cached_run` of every config of ``{key: ChainPPOConfig}``, the configs that differ only in their seed
    trained together (:func:`cached_runs`); reports the share of runs done."""
    runs = dict(zip(configs, cached_runs(list(configs.values()), progress)))
    return {key: runs[key] for key in configs}


def _on_grid(runs: dict, modes: list, settings: list, seeds: list, value) -> np.ndarray:
    """``value(run)`` for every (mode, setting, seed) of a grid of runs, shape (modes, settings, seeds, ...)."""
    return np.array([[[value(runs[m, x, s]) for s in seeds] for x in settings] for m in modes])


def sweep_lambda_modes(base: ChainPPOConfig, lams=LAMBDAS, modes=MODES, seeds=range(5), progress=None) -> dict:
    """Train ``base`` at every (value_mode, lam, seed) (each run at its own lambda; cached by :func:`cached_run`).

    Returns ``final`` (modes, lams, seeds): success from cell 0 of the final policy; ``curves`` (modes, lams,
    seeds, K): success at each checkpoint; ``steps`` (K,); ``runs``: {(mode, lam, seed): ChainRun}.
    """
    lams, modes, seeds = [float(x) for x in lams], list(modes), [int(s) for s in seeds]
    runs = _train_grid({(m, lam, s): base.replace(gae_lambda=lam, value_mode=m, seed=s)
                        for m in modes for lam in lams for s in seeds}, progress)
    final = _on_grid(runs, modes, lams, seeds, lambda run: run.final_success)
    curves = _on_grid(runs, modes, lams, seeds, lambda run: run.success)
    steps = runs[modes[0], lams[0], seeds[0]].steps
    return dict(lams=np.array(lams), modes=modes, seeds=seeds, final=final, curves=curves, steps=steps, runs=runs)


def far_cells(length: int, rollout_steps: int) -> np.ndarray:
    """Cells whose every path to the goal is at least ``rollout_steps`` steps long: cells c < length - rollout_steps.

    With V == 0, GAE at lambda 1 credits an action only with rewards collected later *in the same rollout* (the
    closing bootstrap at the rollout's cut is gamma * V = 0), and a rollout has ``rollout_steps`` steps, so an action
    in such a cell never meets a reward: its advantage is zero on every batch.
    """
    return np.arange(max(length - rollout_steps, 0))


def rollout_boundary(base: ChainPPOConfig, rollouts=(32, 128), modes=MODES, seeds=range(5), progress=None) -> dict:
    """Train ``base`` (its lambda and length) at every (value_mode, rollout_steps, seed), same 256-step batches.

    Returns ``final`` (modes, rollouts, seeds): final success from cell 0; ``far_p`` (modes, rollouts, seeds): the
    final pi(correct) averaged over :func:`far_cells` of the shortest rollout (nan when there are none);
    ``runs``: {(mode, rollout, seed): ChainRun}.
    """
    rollouts, modes, seeds = [int(r) for r in rollouts], list(modes), [int(s) for s in seeds]
    runs = _train_grid({(m, ro, s): base.replace(value_mode=m, rollout_steps=ro, seed=s)
                        for m in modes for ro in rollouts for s in seeds}, progress)

    cells = far_cells(base.length, min(rollouts))

    def far_p(run):
        return float(run.p_correct[-1][cells].mean()) if len(cells) else float("nan")

    final = _on_grid(runs, modes, rollouts, seeds, lambda run: run.final_success)
    far = _on_grid(runs, modes, rollouts, seeds, far_p)
    return dict(rollouts=np.array(rollouts), modes=modes, seeds=seeds, final=final, far_p=far, runs=runs,
                far_cells={r: far_cells(base.length, r) for r in rollouts})


# --- the expected update and its variance, over many batches from one policy --------------------------------

def simulate_batches(p_correct: np.ndarray, env: SparseChainConfig, n_batches: int, seed, n_envs: int = 8,
                     n_steps: int = 32) -> dict:
    """``n_batches`` independent PPO batches (n_envs x n_steps) of the chain policy ``p_correct``, on arrays.

    Each of the n_batches * n_envs walkers first runs ``env.max_steps`` steps (so batches start mid-episode,
    as PPO's rollouts do), then n_steps are recorded. Returns arrays (n_steps, n_batches * n_envs): ``cells``,
    ``correct`` (the action taken was the correct one), ``rewards``, ``terminated``, ``truncated``,
    ``next_cells``; walker j belongs to batch j // n_envs.
    """
    if env.distractor_reward > 0:
        raise ValueError("simulate_batches models the chain without a side exit (distractor_reward = 0)")
    rng = as_generator(seed)
    m, last = n_batches * n_envs, env.length - 1
    pos = rng.integers(0, env.max_start + 1, m)
    t = np.zeros(m, dtype=int)
    rec = {k: [] for k in ("cells", "correct", "rewards", "terminated", "truncated", "next_cells")}
    for step in range(env.max_steps + n_steps):
        correct = rng.random(m) < p_correct[pos]
        new = np.where(correct, pos + 1, np.maximum(pos - env.setback, 0))
        term = new == last
        reward = np.where(term & (rng.random(m) < env.reward_prob), env.goal_reward, 0.0)
        t += 1
        trunc = ~term & (t >= env.max_steps)
        if step >= env.max_steps:
            for k, v in zip(rec, (pos, correct, reward, term, trunc, new)):
                rec[k].append(v)
        done = term | trunc
        pos = np.where(done, rng.integers(0, env.max_start + 1, m), new)
        t = np.where(done, 0, t)
    return {k: np.array(v) for k, v in rec.items()}


def _score_jacobian(agent, length: int, layout_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """J (length, 2, P): grad_theta log pi(a | cell) for a = correct (index 0) and wrong (1), theta the actor
    parameters; and pi (length, 2) in the same order."""
    params = [p for p in agent.actor_parameters() if p.requires_grad]
    logits, _ = agent(torch.eye(length))
    logp = torch.log_softmax(logits, -1)
    pattern = chain_pattern(length, layout_seed)
    rows = np.zeros((length, 2, sum(p.numel() for p in params)))
    for c in range(length):
        for k, a in enumerate((pattern[c], 1 - pattern[c])):
            grads = torch.autograd.grad(logp[c, a], params, retain_graph=True, allow_unused=True)
            rows[c, k] = torch.cat([(g if g is not None else torch.zeros_like(p)).reshape(-1)
                                    for g, p in zip(grads, params)]).double().numpy()
    pi = torch.exp(logp).detach().double().numpy()
    return rows, np.stack([pi[np.arange(length), pattern], pi[np.arange(length), 1 - pattern]], axis=1)


def expected_update_split(agent, config: ChainPPOConfig, lam: float | None = None, n_batches: int = 1000,
                          seed=0, zero_value: bool | None = None, rollout_steps: int | None = None) -> dict:
    """Split PPO's policy gradient g = (1/N) sum_t A_t grad log pi(a_t|s_t) (raw A at ratio 1: before Adam, clipping
    and the later epochs) into the parts of A (reward, bootstrap gamma V(s'), baseline -V(s);
    :func:`rlcore.analysis.gae.split_advantage`) over ``n_batches`` independent batches of 256 steps from
    ``agent``'s policy, cut into rollouts of ``rollout_steps`` (default: the run's own).

    Returns per part X: ``norm_ratio`` = |E[g^X]| / |E[g]| (how large the part's mean gradient is against the mean
    step), ``expected_cosine`` = cos(E[g^X], E[g]) (whether it points the same way), ``expected_share`` =
    E[g^X] . E[g] / |E[g]|^2 (the projection; the shares add up to 1 by identity, and can exceed 1 when parts
    point against each other), ``variance_without`` = tr Cov(g - g^X) (the update's total variance with the
    part removed; compare with ``variance_total`` = tr Cov(g)), ``variance_share`` = tr Cov(g^X) / tr Cov(g),
    ``expected_norm`` = |E[g^X]| and ``standard_error`` = sqrt(tr Cov(g^X) / n_batches) (the size of |E[g^X]| a
    zero-mean part would show by chance); and ``baseline_exact_norm``, the norm of the exact expectation of the
    baseline part given the simulated states, -(1/N) sum_t V(s_t) sum_a pi(a|s_t) grad log pi(a|s_t), computed
    without sampled actions (zero up to rounding).
    """
    lam = config.gae_lambda if lam is None else float(lam)
    zero_value = config.value_mode == "zero" if zero_value is None else zero_value
    env = config.make_env().config
    p_correct, values = cell_tables(agent, config.length)
    if zero_value:
        values = np.zeros_like(values)
    n_steps = config.rollout_steps if rollout_steps is None else int(rollout_steps)
    b = simulate_batches(p_correct, env, n_batches, seed, n_envs=BATCH // n_steps, n_steps=n_steps)
    parts = split_advantage(b["rewards"], values[b["cells"]], values[b["next_cells"]], b["terminated"],
                            b["truncated"], config.gamma, lam).as_dict()
    J, pi = _score_jacobian(agent, config.length)
    T, M = b["cells"].shape
    n_envs, N = M // n_batches, T * M // n_batches
    batch_of = np.broadcast_to(np.arange(M) // n_envs, (T, M))
    index = (batch_of * config.length + b["cells"]) * 2 + (~b["correct"]).astype(int)
    Jf = J.reshape(-1, J.shape[-1])
    grads = {}
    for name, w in parts.items():
        W = np.bincount(index.ravel(), w.ravel(), minlength=n_batches * config.length * 2) / N
        grads[name] = W.reshape(n_batches, -1) @ Jf
    total = sum(grads.values())
    mean_total = total.mean(0)
    var_total = float(((total - mean_total) ** 2).sum(1).mean())
    out = {"expected_share": {}, "variance_share": {}, "expected_norm": {}, "standard_error": {},
           "expected_cosine": {}, "norm_ratio": {}, "variance_without": {}}
    for name, g in grads.items():
        mean = g.mean(0)
        var = float(((g - mean) ** 2).sum(1).mean())
        out["expected_share"][name] = float(mean @ mean_total / max(mean_total @ mean_total, 1e-300))
        out["variance_share"][name] = var / max(var_total, 1e-300)
        out["expected_norm"][name] = float(np.linalg.norm(mean))
        out["expected_cosine"][name] = cosine(mean, mean_total)
        out["standard_error"][name] = float(np.sqrt(var / n_batches))
        out["norm_ratio"][name] = float(np.linalg.norm(mean) / max(np.linalg.norm(mean_total), 1e-300))
        rest = total - g
        out["variance_without"][name] = float(((rest - rest.mean(0)) ** 2).sum(1).mean())
    visits = np.bincount((batch_of * config.length + b["cells"]).ravel(),
                         (-values[b["cells"]]).ravel(), minlength=n_batches * config.length).reshape(n_batches, -1)
    exact = (visits / N) @ np.einsum("ck,ckp->cp", pi, J)  # sum_a pi(a|s) grad log pi(a|s) per cell
    out["baseline_exact_norm"] = float(np.linalg.norm(exact.mean(0)))
    out["total_norm"] = float(np.linalg.norm(mean_total))
    out["variance_total"] = var_total
    out["lam"], out["n_batches"], out["rollout_steps"] = lam, n_batches, n_steps
    return out


# --- the shared trunk: how much of its update comes from the value loss -------------------------------------

def trunk_gradients(agent, batch: dict, ppo: PPOConfig, zero_value: bool = False, seed=0) -> dict:
    """Raw gradients (not Adam's step) of PPO's two losses on one batch, at the start of the update (ratio 1,
    V = V_old), restricted to the trunk's parameters: policy loss -mean(A log pi) - ent_coef * entropy, value loss
    vf_coef * 0.5 * mean((V - R)^2) with R = A + V_old (zero when the value head is ablated).

    Returns ``policy_norm``, ``value_norm``, ``cosine`` and ``value_share`` = g_V . (g_V + g_pi) / |g_V + g_pi|^2
    (the value loss's share of the trunk gradient; with separate networks it is 0: the value loss has its own body),
    and the reference ``shuffled_value_share`` / ``shuffled_cosine``: the same with the returns R randomly
    permuted over the batch (a regression target carrying no information about the states).
    """
    params = list(agent.trunk.parameters())
    obs = torch.as_tensor(batch["obs"].reshape(-1, batch["obs"].shape[-1]))
    act = torch.as_tensor(batch["actions"].reshape(-1, 1))
    adv = torch.as_tensor(batch["advantages"].reshape(-1), dtype=torch.float32)
    ret = adv + torch.as_tensor(batch["values"].reshape(-1), dtype=torch.float32)
    logits, value = agent(obs)
    logp_all = torch.log_softmax(logits, -1)
    entropy = -(logp_all.exp() * logp_all).sum(-1).mean()
    policy_loss = -(adv * logp_all.gather(1, act).squeeze(1)).mean() - ppo.ent_coef * entropy
    shuffled = ret[torch.as_tensor(as_generator(seed).permutation(len(ret)))]
    losses = [policy_loss]
    for target in (ret, shuffled):
        losses.append(ppo.vf_coef * 0.5 * ((value - target) ** 2).mean() if not zero_value else 0.0 * value.sum())
    flat = []
    for k, loss in enumerate(losses):
        grads = torch.autograd.grad(loss, params, retain_graph=k < len(losses) - 1, allow_unused=True)
        flat.append(torch.cat([(g if g is not None else torch.zeros_like(p)).reshape(-1)
                               for g, p in zip(grads, params)]).double().numpy())
    g_pi, g_v, g_s = flat

    def share(gv):
        both = g_pi + gv
        return float(gv @ both / max(both @ both, 1e-300))

    return dict(policy_norm=float(np.linalg.norm(g_pi)), value_norm=float(np.linalg.norm(g_v)),
                cosine=cosine(g_pi, g_v), value_share=share(g_v), shuffled_value_share=share(g_s),
                shuffled_cosine=cosine(g_pi, g_s))


def trunk_over_training(run: ChainRun) -> dict:
    """:func:`trunk_gradients` at every checkpoint of ``run``: arrays of shape (K,) per key."""
    rows = [trunk_gradients(run.agent(k), c.batch, run.config.ppo(), run.config.value_mode == "zero",
                            seed=derive_seed(run.config.seed, "shuffle", k))
            for k, c in enumerate(run.result.checkpoints)]
    return {key: np.array([r[key] for r in rows]) for key in rows[0]}


def reach_and_episode_length(run: ChainRun) -> dict:
    """Pooled over the run's checkpoint batches at lambda = 0: ``reach`` (share of timesteps with a non-zero
    reward), ``mean_length`` (timesteps per episode end), ``paid_share`` (share of episode ends that paid).

    Counting gives reach = paid_share / mean_length exactly; the measurement is what the two factors are.
    """
    rewards = np.concatenate([c.batch["rewards"].ravel() for c in run.result.checkpoints])
    ends = np.concatenate([(c.batch["terminated"] | c.batch["truncated"]).ravel() for c in run.result.checkpoints])
    paid = int((rewards != 0).sum())
    return dict(reach=paid / rewards.size, mean_length=rewards.size / max(int(ends.sum()), 1),
                paid_share=paid / max(int(ends.sum()), 1))


@dataclass(frozen=True)
class View(Config):
    """What the lesson's panel shows: a training stage and an estimator (instant), and a run's knobs (cached).

    ``stage``, ``lam`` and ``normalize`` only re-analyse stored checkpoints. ``gae_lambda``, ``value_mode``,
    ``length``, ``reward_prob``, ``gamma`` and ``critic_learning_rate`` pick a training run: a new combination
    trains once (a few seconds) and is then cached by :func:`cached_run`.
    """

    stage: int = param(9, low=0, high=49, ui=(0, 9), doc="checkpoint shown (0: before training)")
    lam: float = param(0.0, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="lambda of the analysed advantage")
    normalize: bool = param(False, doc="analyse the batch-normalized advantage")
    gae_lambda: float = choice(0.0, LAMBDAS, doc="lambda the run trains with")
    value_mode: str = choice("learned", MODES, doc="learned value head, or the ablation V == 0")
    length: int = choice(20, (10, 20, 30), doc="cells in the chain")
    reward_prob: float = choice(1.0, (1.0, 0.5, 0.25), doc="probability the goal pays (sparsity)")
    gamma: float = choice(0.99, (0.95, 0.99), doc="discount the run trains with")
    critic_learning_rate: float = choice(1e-2, (1e-3, 1e-2, 3e-2), doc="value-head learning rate")

    def run_config(self, base: ChainPPOConfig) -> ChainPPOConfig:
        """``base`` with this view's training knobs."""
        return base.replace(gae_lambda=self.gae_lambda, value_mode=self.value_mode, length=self.length,
                            reward_prob=self.reward_prob, gamma=self.gamma,
                            critic_learning_rate=self.critic_learning_rate)


_RUNS: dict = {}


def cached_run(config: ChainPPOConfig, progress=None) -> ChainRun:
    """:func:`run_chain_ppo`, remembered per config for this kernel (the panel's training knobs use it)."""
    if config not in _RUNS:
        _RUNS[config] = run_chain_ppo(config, progress)
    elif progress is not None:
        progress(1.0)
    return _RUNS[config]


def cached_runs(configs: list, progress=None) -> list:
    """:func:`cached_run` of every config in ``configs``: those not yet cached that differ only in their seed are
    trained in one :func:`run_chain_ppo_seeds` call (same numbers as one at a time). ``progress(fraction)`` gets the
    share of the runs done."""
    groups: dict = {}
    for config in configs:
        if config not in _RUNS:
            groups.setdefault(config.replace(seed=0), []).append(config.seed)
    total, done = max(sum(len(set(s)) for s in groups.values()), 1), 0
    for base, seeds in groups.items():
        seeds = list(dict.fromkeys(seeds))
        step = None if progress is None else (lambda f, d=done, n=len(seeds): progress((d + f * n) / total))
        for seed, run in zip(seeds, run_chain_ppo_seeds(base, seeds, step)):
            _RUNS[base.replace(seed=seed)] = run
        done += len(seeds)
    if progress is not None:
        progress(1.0)
    return [_RUNS[config] for config in configs]


def _store(config: ChainPPOConfig, run: ChainRun) -> None:
    """Remember an existing run for ``config`` (so the panel reuses a run the notebook already made)."""
    _RUNS[config] = run


cached_run.store = _store


@dataclass(frozen=True)
class LessonSizes(Config):
    """How many seeds and samples the lesson's sweeps use (quick mode lowers them)."""

    seeds: int = param(5, low=1, ui=(1, 20), doc="seeds per (lambda, value mode) in the sweep, >= 1")
    split_batches: int = param(600, low=10, ui=(10, 5000), doc="batches averaged per expected-update split")
    reporter_seeds: int = param(20, low=1, ui=(1, 200), doc="seeds per setting of the honest-reporter race")
    long_steps: int = param(40_960, low=2560, ui=(2560, 200_000), widget="text",
                            doc="training steps on the length-40 chain")


def split_table(runs: dict, config: ChainPPOConfig, lams, seeds, stage: int, n_batches: int) -> dict:
    """lam -> [:func:`expected_update_split` of the learned-V run (lam, seed) at checkpoint ``stage``, per seed]."""
    return {float(lam): [expected_update_split(runs["learned", float(lam), s].agent(stage), config.replace(
        gae_lambda=float(lam)), n_batches=n_batches, seed=derive_seed(s, "split", stage)) for s in seeds]
        for lam in lams}


def split_over_training(run: ChainRun, n_batches: int, seed=0, rollout_steps: int | None = None) -> dict:
    """:func:`expected_update_split` at every checkpoint of ``run`` (at its own lambda and value mode), batches cut
    into ``rollout_steps`` rollouts (default the run's own): ``reward_ratio`` (|E[g^R]| / |E[g]|), ``reward_cosine``
    (cos(E[g^R], E[g])), ``bootstrap_ratio``, ``reward_share`` and ``bootstrap_share`` (projections), shape (K,)."""
    rows = [expected_update_split(run.agent(k), run.config, n_batches=n_batches, seed=derive_seed(seed, "stage", k),
                                  rollout_steps=rollout_steps)
            for k in range(len(run.steps))]
    return dict(reward_ratio=np.array([r["norm_ratio"]["reward"] for r in rows]),
                bootstrap_ratio=np.array([r["norm_ratio"]["bootstrap"] for r in rows]),
                reward_share=np.array([r["expected_share"]["reward"] for r in rows]),
                bootstrap_share=np.array([r["expected_share"]["bootstrap"] for r in rows]),
                reward_cosine=np.array([r["expected_cosine"]["reward"] for r in rows]))
