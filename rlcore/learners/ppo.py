"""Proximal Policy Optimization (PPO, clipped surrogate) for discrete actions, in one readable file.

The loop, after CleanRL's ``ppo.py`` (Huang et al. 2022, "The 37 implementation details of PPO"):

1. Roll out ``num_steps`` steps in each of ``num_envs`` environments (stepped as one batch,
   :func:`rlcore.envs.vector.env_batch`; an env that ends is reset at once). For every step keep s_t, a_t, log pi_old(a_t|s_t), r_t, V(s_t), the flags
   *terminated* (a true terminal state: its value is 0) and *truncated* (time ran out: not terminal), and the
   true next observation s'_t (the final observation when the episode ended).
2. Generalized advantage estimation, with the two kinds of episode end kept apart (:func:`compute_gae`)::

       delta_t = r_t + gamma * (1 - terminated_t) * V(s'_t) - V(s_t)
       A_t     = delta_t + gamma * lam * (1 - done_t) * A_{t+1},       done_t = terminated_t or truncated_t

   A truncated step still bootstraps from V(s'_t); only the recursion stops there. Value targets: A_t + V(s_t).
3. ``update_epochs`` passes over the batch in ``num_minibatches`` shuffled minibatches that partition it. Per
   minibatch, with ratio rho = pi(a|s) / pi_old(a|s) and A optionally normalized per minibatch::

       L_clip  = mean( max(-A rho, -A clip(rho, 1 - eps, 1 + eps)) )
       L_value = 0.5 * mean( max((V - R)^2, (V_old + clip(V - V_old, -eps, eps) - R)^2) )   (or unclipped)
       loss    = L_clip - ent_coef * entropy + vf_coef * L_value

   then one Adam step after clipping the global gradient norm to ``max_grad_norm``.

The network: a shared trunk (two tanh layers) with a linear policy head and a linear value head, or two
separate networks (``architecture="separate"``); orthogonal initialization (gain sqrt 2 in the trunk, 0.01 on
the policy head, ``value_init_gain``, 1 by default, on the value head). The value head has its own learning
rate (``critic_learning_rate``).
``value_mode="zero"`` is the ablation V == 0: advantages use V = 0 everywhere and no value loss is trained.

Seeds: :func:`train_ppo_seeds` trains S seeds in one set of tensors, a leading seed axis on every array and
weight (each seed's weights are one row of a flat tensor; layers are batched matrix products over that axis). A
seed's losses, gradient-norm clip and Adam moments touch only its own row, and its generators are its own, so
each seed's run is bit-for-bit the run of that seed alone (tests/test_ppo_seeds.py); :func:`train_ppo` is the
case S = 1.

Logged per update: approximate KL (the k3 estimator mean((rho - 1) - log rho)), clip fraction, entropy,
explained variance 1 - Var(R - V) / Var(R), losses. ``checkpoints > 0`` keeps that many snapshots, evenly
spread over training, each holding the weights that collected a batch and the batch itself, so the
advantage PPO used at that moment can be analysed afterwards.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from ..config import Config, choice, param
from ..logs import TrainingLog
from ..envs.vector import env_batch
from ..seeding import as_generator

__all__ = ["PPOConfig", "ActorCritic", "Checkpoint", "PPOResult", "compute_gae", "encode_observation",
           "encode_observations", "train_ppo", "train_ppo_seeds", "evaluate_policy"]


@dataclass(frozen=True)
class PPOConfig(Config):
    """PPO's hyperparameters (defaults: CleanRL's classic-control settings, 4 envs x 128 steps)."""

    total_steps: int = param(100_000, low=1, ui=(1000, 500_000), widget="text", doc="environment steps in all")
    num_envs: int = param(4, low=1, ui=(1, 16), doc="environments stepped side by side")
    num_steps: int = param(128, low=1, ui=(8, 512), doc="steps per environment per rollout")
    learning_rate: float = param(2.5e-4, low=0.0, low_open=True, ui=(1e-5, 0.1), widget="log",
                                 doc="Adam step size of the policy (and of the trunk), > 0")
    critic_learning_rate: float = param(2.5e-4, low=0.0, low_open=True, ui=(1e-5, 0.1), widget="log",
                                        doc="Adam step size of the value head (or value network), > 0")
    anneal_lr: bool = param(True, doc="decay both learning rates linearly to 0 over training")
    gamma: float = param(0.99, low=0.0, high=1.0, ui=(0.0, 1.0, 0.01), doc="discount, in [0, 1]")
    gae_lambda: float = param(0.95, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05), doc="GAE lambda, in [0, 1]")
    num_minibatches: int = param(4, low=1, ui=(1, 32), doc="minibatches per epoch; must divide the batch")
    update_epochs: int = param(4, low=1, ui=(1, 20), doc="passes over each batch")
    clip_coef: float = param(0.2, low=0.0, low_open=True, ui=(0.01, 1.0), doc="clip range eps, > 0")
    clip_vloss: bool = param(True, doc="clip the value update to +-clip_coef around the old value")
    ent_coef: float = param(0.01, low=0.0, ui=(0.0, 0.1), doc="entropy bonus weight, >= 0")
    vf_coef: float = param(0.5, low=0.0, ui=(0.0, 2.0), doc="value loss weight, >= 0")
    max_grad_norm: float = param(0.5, low=0.0, low_open=True, ui=(0.1, 10.0), doc="gradient-norm clip, > 0")
    norm_adv: bool = param(True, doc="normalize advantages per minibatch (zero mean, unit std)")
    hidden: int = param(64, low=1, ui=(4, 256), doc="width of the hidden layers")
    value_init_gain: float = param(1.0, low=0.0, ui=(0.0, 2.0),
                                   doc="orthogonal-init gain of the value head (0 starts from V = 0)")
    architecture: str = choice("shared", ("shared", "separate"),
                               doc="shared trunk with two linear heads, or separate policy and value networks")
    value_mode: str = choice("learned", ("learned", "zero"), doc="'zero' is the ablation V == 0")
    checkpoints: int = param(0, low=0, ui=(0, 50), doc="snapshots (weights + batch) kept, evenly spread")

    @property
    def batch_size(self) -> int:
        return self.num_envs * self.num_steps

    @property
    def num_updates(self) -> int:
        return self.total_steps // self.batch_size

    def check(self) -> None:
        if self.batch_size % self.num_minibatches:
            raise self.invalid("num_minibatches", f"a divisor of the batch size num_envs * num_steps = "
                                                  f"{self.batch_size}")
        if self.total_steps < self.batch_size:
            raise self.invalid("total_steps", f"at least one batch, num_envs * num_steps = {self.batch_size}")


def encode_observation(space: gym.Space) -> Callable[[Any], np.ndarray]:
    """A function turning one observation of ``space`` into a flat float32 vector (one-hot for Discrete)."""
    if isinstance(space, gym.spaces.Discrete):
        eye = np.eye(space.n, dtype=np.float32)
        return lambda obs: eye[int(obs) - space.start]
    if isinstance(space, gym.spaces.Box):
        return lambda obs: np.asarray(obs, dtype=np.float32).reshape(-1)
    raise ValueError(f"observation space {space} is not supported: use Discrete or Box")


def encode_observations(space: gym.Space) -> Callable[[np.ndarray], np.ndarray]:
    """:func:`encode_observation` for a stack of observations: (N, ...) -> (N, obs_dim) float32."""
    if isinstance(space, gym.spaces.Discrete):
        eye = np.eye(space.n, dtype=np.float32)
        return lambda obs: eye[np.asarray(obs, dtype=np.int64) - space.start]
    if isinstance(space, gym.spaces.Box):
        return lambda obs: np.asarray(obs, dtype=np.float32).reshape(len(obs), -1)
    raise ValueError(f"observation space {space} is not supported: use Discrete or Box")


def _layer(n_in: int, n_out: int, gain: float, generator: torch.Generator) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    nn.init.orthogonal_(layer.weight, gain, generator=generator)
    nn.init.zeros_(layer.bias)
    return layer


def _body(n_in: int, hidden: int, generator: torch.Generator) -> nn.Sequential:
    g = math.sqrt(2.0)
    return nn.Sequential(_layer(n_in, hidden, g, generator), nn.Tanh(), _layer(hidden, hidden, g, generator),
                         nn.Tanh())


class ActorCritic(nn.Module):
    """Policy logits and state value from one trunk with two linear heads, or from two separate networks."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: int = 64, architecture: str = "shared",
                 generator: torch.Generator | None = None, value_init_gain: float = 1.0):
        super().__init__()
        self.architecture = architecture
        self.trunk = _body(obs_dim, hidden, generator)
        self.critic_body = _body(obs_dim, hidden, generator) if architecture == "separate" else None
        self.policy_head = _layer(hidden, n_actions, 0.01, generator)
        self.value_head = _layer(hidden, 1, value_init_gain, generator)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns ``(logits, value)`` of shapes (B, n_actions) and (B,)."""
        h = self.trunk(obs)
        hv = h if self.critic_body is None else self.critic_body(obs)
        return self.policy_head(h), self.value_head(hv).squeeze(-1)

    def critic_parameters(self) -> list[nn.Parameter]:
        """The parameters trained at the critic learning rate: the value head (and value network)."""
        extra = list(self.critic_body.parameters()) if self.critic_body is not None else []
        return extra + list(self.value_head.parameters())

    def actor_parameters(self) -> list[nn.Parameter]:
        """Everything else: the (shared) trunk and the policy head."""
        ids = {id(p) for p in self.critic_parameters()}
        return [p for p in self.parameters() if id(p) not in ids]


def compute_gae(rewards: np.ndarray, values: np.ndarray, next_values: np.ndarray, terminated: np.ndarray,
                truncated: np.ndarray, gamma: float, lam: float) -> np.ndarray:
    """GAE(lambda) advantages, arrays of shape (T, ...) with time first; returns A of the same shape.

    delta_t = r_t + gamma (1 - terminated_t) V(s'_t) - V(s_t) and A_t = delta_t + gamma lam (1 - done_t) A_{t+1}
    with done = terminated or truncated, and A_T = 0 past the end of the rollout. Equivalently
    A_t = sum_{l >= 0} (gamma lam)^l delta_{t+l}, summed up to the end of t's episode or of the rollout.
    """
    rewards, values, next_values = (np.asarray(x, dtype=np.float64) for x in (rewards, values, next_values))
    term = np.asarray(terminated, dtype=bool)
    done = term | np.asarray(truncated, dtype=bool)
    delta = rewards + gamma * np.where(term, 0.0, next_values) - values
    adv = np.zeros_like(delta)
    last = np.zeros_like(delta[0])
    for t in reversed(range(len(delta))):
        last = delta[t] + gamma * lam * np.where(done[t], 0.0, last)
        adv[t] = last
    return adv


@dataclass
class Checkpoint:
    """The weights that collected one batch, and that batch (numpy arrays of shape (num_steps, num_envs, ...))."""

    update: int
    global_step: int
    state: dict
    batch: dict


@dataclass
class PPOResult:
    """A trained agent, its log (per update and per episode), checkpoints and the wall-clock seconds."""

    agent: ActorCritic
    log: TrainingLog
    config: PPOConfig
    checkpoints: list[Checkpoint] = field(default_factory=list)
    seconds: float = 0.0

    def agent_at(self, checkpoint: Checkpoint) -> ActorCritic:
        """A copy of the agent with the checkpoint's weights."""
        agent = copy.deepcopy(self.agent)
        agent.load_state_dict(checkpoint.state)
        return agent


def _explained_variance(pred: np.ndarray, target: np.ndarray) -> float:
    var = np.var(target)
    return float("nan") if var == 0 else float(1.0 - np.var(target - pred) / var)


def train_ppo(env_fn: Callable[[], gym.Env], config: PPOConfig, seed: int,
              progress: Callable[[float], None] | None = None,
              stop: Callable[[ActorCritic, int], bool] | None = None) -> PPOResult:
    """Train PPO on the discrete-action environments made by ``env_fn``; returns a :class:`PPOResult`.

    ``seed`` seeds the environments (env i is reset with seed + i), the initial weights (a private
    ``torch.Generator``), and the action sampling and minibatch shuffling (a numpy Generator). ``progress(fraction)``
    is called after each update; ``stop(agent, global_step)``, if given, is asked after each update and ends
    training on True. The same as :func:`train_ppo_seeds` with one seed.
    """
    stop_one = None if stop is None else (lambda agents, step: stop(agents[0], step))
    return train_ppo_seeds(env_fn, config, [seed], progress, stop_one)[0]


def _linear(weights: dict, name: str, x: torch.Tensor) -> torch.Tensor:
    """Layer ``name`` of every seed at once: x (S, B, n_in) -> (S, B, n_out), one matrix product per seed.

    A one-column layer (the value head) is an elementwise product and sum: BLAS treats a batch of matrix-vector
    products differently from a single one, which would make a seed's value depend on the batch size S."""
    w = weights[name + ".weight"]
    if w.shape[1] == 1:
        return (x * w).sum(-1, keepdim=True) + weights[name + ".bias"][:, None]  # w: (S, 1, n_in)
    return torch.baddbmm(weights[name + ".bias"].unsqueeze(1), x, weights[name + ".weight"].transpose(1, 2))


def _forward(weights: dict, x: torch.Tensor, separate: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """:meth:`ActorCritic.forward` with a seed axis: ``(logits, value)`` of shapes (S, B, n_actions), (S, B)."""
    h = torch.tanh(_linear(weights, "trunk.2", torch.tanh(_linear(weights, "trunk.0", x))))
    hv = torch.tanh(_linear(weights, "critic_body.2", torch.tanh(_linear(weights, "critic_body.0", x)))) \
        if separate else h
    return _linear(weights, "policy_head", h), _linear(weights, "value_head", hv).squeeze(-1)


def train_ppo_seeds(env_fn: Callable[[], gym.Env], config: PPOConfig, seeds: list[int],
                    progress: Callable[[float], None] | None = None,
                    stop: Callable[[list[ActorCritic], int], bool] | None = None) -> list[PPOResult]:
    """:func:`train_ppo` for several seeds at once, one :class:`PPOResult` per seed.

    Every array and weight carries a leading seed axis of length S = len(seeds): the S networks are one set of
    stacked tensors (batched matrix products), the S x num_envs environments one batch
    (:func:`rlcore.envs.vector.env_batch`), and each seed keeps its own generators, losses, gradient-norm clip and
    Adam moments, so a seed's numbers do not depend on which other seeds share the batch. ``stop(agents,
    global_step)`` sees the current agents of all seeds and ends training for all on True.
    """
    seeds = [int(s) for s in seeds]
    S, n_envs, n_steps, updates = len(seeds), config.num_envs, config.num_steps, config.num_updates
    torch.manual_seed(seeds[0])
    rngs = [as_generator(s) for s in seeds]
    envs = env_batch([env_fn() for _ in range(S * n_envs)])  # env (s, i) is envs[s * n_envs + i]
    probe = envs.envs[0]
    if not isinstance(probe.action_space, gym.spaces.Discrete):
        raise ValueError(f"action space {probe.action_space} is not supported: PPO here needs Discrete")
    encode = encode_observations(probe.observation_space)
    obs_dim, n_actions = encode(probe.observation_space.sample()[None]).shape[1], int(probe.action_space.n)
    agents = [ActorCritic(obs_dim, n_actions, config.hidden, config.architecture,
                          torch.Generator().manual_seed(s), config.value_init_gain) for s in seeds]
    # Seed s's weights are row s of one flat tensor theta (S, P), the actor's (trunk, policy head) columns first,
    # then the critic's (value head, value network); each column has its learning rate; layers are views.
    shapes = {name: w.shape for name, w in agents[0].state_dict().items()}
    is_critic = {n: n.startswith(("critic_body.", "value_head.")) for n in shapes}
    names = sorted(shapes, key=lambda n: is_critic[n])  # stable: actor layers, then critic layers
    theta = torch.stack([torch.cat([a.state_dict()[n].reshape(-1) for n in names]) for a in agents]).requires_grad_()
    base_lr = torch.cat([torch.full((shapes[n].numel(),), config.critic_learning_rate if is_critic[n]
                                    else config.learning_rate) for n in names])  # (P,)
    adam = _Adam(theta)

    def layers() -> dict[str, torch.Tensor]:
        """name -> (S, *shape), views into the rows of ``theta``."""
        chunks = theta.split([shapes[n].numel() for n in names], dim=1)
        return {n: c.view(S, *shapes[n]) for n, c in zip(names, chunks)}

    zero_v, separate = config.value_mode == "zero", config.architecture == "separate"
    keep = set(np.unique(np.linspace(0, updates - 1, config.checkpoints).round().astype(int)).tolist()) \
        if config.checkpoints else set()

    def sync_agents() -> list[ActorCritic]:
        for s, agent in enumerate(agents):
            agent.load_state_dict({name: w[s].detach() for name, w in layers().items()})
        return agents

    logs = [TrainingLog(meta={"config": config.to_dict(), "seed": s}) for s in seeds]
    checkpoints: list[list[Checkpoint]] = [[] for _ in seeds]
    obs = encode(envs.reset([s + i for s in seeds for i in range(n_envs)])).reshape(S, n_envs, obs_dim)
    ep_return, ep_length = np.zeros((S, n_envs)), np.zeros((S, n_envs), dtype=int)
    global_step, start = 0, time.perf_counter()

    for update in range(updates):
        lr_frac = 1.0 - update / updates if config.anneal_lr else 1.0
        states_before = [{n: w[s].detach().clone() for n, w in layers().items()} for s in range(S)] \
            if update in keep else None

        # 1. rollout: arrays (n_steps, S, n_envs, ...)
        b_obs = np.zeros((n_steps, S, n_envs, obs_dim), dtype=np.float32)
        b_next_obs = np.zeros_like(b_obs)
        b_actions = np.zeros((n_steps, S, n_envs), dtype=np.int64)
        b_logp, b_rewards = np.zeros((n_steps, S, n_envs)), np.zeros((n_steps, S, n_envs))
        b_term, b_trunc = np.zeros((n_steps, S, n_envs), dtype=bool), np.zeros((n_steps, S, n_envs), dtype=bool)
        uniforms = np.stack([rng.random((n_steps, n_envs, 1)) for rng in rngs], axis=1)  # (T, S, n, 1)
        with torch.no_grad():
            weights = layers()
        for t in range(n_steps):
            b_obs[t] = obs
            with torch.no_grad():
                logp_all = torch.log_softmax(_forward(weights, torch.from_numpy(obs), separate)[0], -1).double().numpy()
            cdf = np.cumsum(np.exp(logp_all), axis=-1)  # inverse-CDF sampling from pi_old(.|s_t), per seed's rng
            b_actions[t] = np.minimum((uniforms[t] > cdf).sum(-1), n_actions - 1)
            b_logp[t] = np.take_along_axis(logp_all, b_actions[t][..., None], -1)[..., 0]
            next_o, r, term, trunc, o = envs.step(b_actions[t].reshape(-1))
            b_next_obs[t] = encode(next_o).reshape(S, n_envs, obs_dim)
            obs = encode(o).reshape(S, n_envs, obs_dim)
            b_rewards[t], b_term[t], b_trunc[t] = (x.reshape(S, n_envs) for x in (r, term, trunc))
            ep_return += b_rewards[t]
            ep_length += 1
            for s, i in zip(*np.nonzero(b_term[t] | b_trunc[t])):
                logs[s].episode(ret=ep_return[s, i], length=ep_length[s, i], step=global_step + (t + 1) * n_envs,
                                terminated=bool(b_term[t, s, i]))
                ep_return[s, i], ep_length[s, i] = 0.0, 0
        global_step += n_steps * n_envs

        # 2. values and GAE (V(s'_t) from the true next observation; 0 for terminal states via the flags)
        per_seed = lambda x: x.swapaxes(0, 1).reshape(S, n_steps * n_envs, *x.shape[3:])  # (S, T*n, ...)  # noqa: E731
        with torch.no_grad():
            values = _forward(weights, torch.from_numpy(per_seed(b_obs)), separate)[1].numpy()
            next_values = _forward(weights, torch.from_numpy(per_seed(b_next_obs)), separate)[1].numpy()
        values, next_values = (v.reshape(S, n_steps, n_envs).swapaxes(0, 1) for v in (values, next_values))
        if zero_v:
            values, next_values = np.zeros_like(values), np.zeros_like(next_values)
        advantages = compute_gae(b_rewards, values, next_values, b_term, b_trunc, config.gamma, config.gae_lambda)
        returns = advantages + values
        if states_before is not None:
            batch = dict(obs=b_obs, next_obs=b_next_obs, actions=b_actions, logp=b_logp, rewards=b_rewards,
                         terminated=b_term, truncated=b_trunc, values=values, next_values=next_values,
                         advantages=advantages)
            for s in range(S):
                checkpoints[s].append(Checkpoint(update, global_step, states_before[s],
                                                 {k: v[:, s].copy() for k, v in batch.items()}))

        # 3. epochs of shuffled minibatches, each seed its own permutation, loss, gradient clip and Adam step
        # every per-sample quantity in one float tensor (S, T*n, obs_dim + 5), so a minibatch is one gather
        columns = [per_seed(x)[..., None].astype(np.float32) for x in (b_actions, b_logp, advantages, returns, values)]
        samples = torch.from_numpy(np.concatenate([per_seed(b_obs)] + columns, axis=-1))
        mb_size = config.batch_size // config.num_minibatches
        rows = torch.arange(S)[:, None]
        stats = []
        for _ in range(config.update_epochs):
            order = torch.from_numpy(np.stack([rng.permutation(config.batch_size) for rng in rngs]))
            for k in range(config.num_minibatches):
                mb = samples[rows, order[:, k * mb_size:(k + 1) * mb_size]]
                mb_obs, (mb_act, mb_logp, adv, mb_ret, mb_val) = mb[..., :obs_dim], mb[..., obs_dim:].unbind(-1)
                logits, new_value = _forward(layers(), mb_obs, separate)
                logp_all = torch.log_softmax(logits, dim=-1)
                new_logp = logp_all.gather(2, mb_act.long()[..., None]).squeeze(2)
                entropy = -(logp_all.exp() * logp_all).sum(-1).mean(1)
                logratio = new_logp - mb_logp
                ratio = logratio.exp()
                if config.norm_adv and mb_size > 1:
                    adv = (adv - adv.mean(1, keepdim=True)) / (adv.std(1, keepdim=True) + 1e-8)
                pg_loss = torch.max(-adv * ratio,
                                    -adv * torch.clamp(ratio, 1 - config.clip_coef, 1 + config.clip_coef)).mean(1)
                if zero_v:
                    v_loss = torch.zeros(S)
                elif config.clip_vloss:
                    v_clipped = mb_val + torch.clamp(new_value - mb_val, -config.clip_coef, config.clip_coef)
                    v_loss = 0.5 * torch.max((new_value - mb_ret) ** 2, (v_clipped - mb_ret) ** 2).mean(1)
                else:
                    v_loss = 0.5 * ((new_value - mb_ret) ** 2).mean(1)
                loss = pg_loss - config.ent_coef * entropy + config.vf_coef * v_loss  # (S,): seeds do not mix
                theta.grad = None
                loss.sum().backward()
                _clip_grad_norm_per_seed(theta.grad, config.max_grad_norm)
                adam.step(base_lr * lr_frac)
                with torch.no_grad():
                    stats.append(torch.stack([((ratio - 1) - logratio).mean(1),
                                              ((ratio - 1.0).abs() > config.clip_coef).float().mean(1),
                                              entropy, v_loss, pg_loss]))
        stats = torch.stack(stats).double().mean(0).numpy()  # (5, S)
        for s in range(S):
            logs[s].step(update=update, global_step=global_step, approx_kl=float(stats[0, s]),
                         clip_fraction=float(stats[1, s]), entropy=float(stats[2, s]), value_loss=float(stats[3, s]),
                         policy_loss=float(stats[4, s]),
                         explained_variance=_explained_variance(values[:, s], returns[:, s]),
                         learning_rate=config.learning_rate * lr_frac)
        if progress is not None:
            progress((update + 1) / updates)
        if stop is not None and stop(sync_agents(), global_step):
            break
    envs.close()
    seconds = time.perf_counter() - start
    return [PPOResult(agent, log, config, cps, seconds) for agent, log, cps in zip(sync_agents(), logs, checkpoints)]


def _clip_grad_norm_per_seed(grad: torch.Tensor, max_norm: float) -> None:
    """``nn.utils.clip_grad_norm_`` for each seed on its own: row s of ``grad`` (S, P), all of seed s's
    parameters, is scaled by min(1, max_norm / (|g_s| + 1e-6))."""
    grad.mul_((max_norm / (grad.square().sum(1).sqrt() + 1e-6)).clamp(max=1.0)[:, None])


class _Adam:
    """``torch.optim.Adam``'s arithmetic (betas 0.9, 0.999, eps 1e-5) on a tensor of rows, with a learning rate
    per column: m <- lerp(m, g, 1 - b1); v <- b2 v + (1 - b2) g^2; theta <- theta - lr / (1 - b1^k) * m /
    (sqrt(v) / sqrt(1 - b2^k) + eps). Written out: every operation is elementwise, so a row's numbers do not
    depend on the other rows (torch's fused kernel does not guarantee that)."""

    def __init__(self, theta: torch.Tensor, betas=(0.9, 0.999), eps=1e-5):
        self.theta, self.betas, self.eps, self.k = theta, betas, eps, 0
        self.m, self.v = torch.zeros_like(theta), torch.zeros_like(theta)

    @torch.no_grad()
    def step(self, lr: torch.Tensor) -> None:
        (b1, b2), g = self.betas, self.theta.grad
        self.k += 1
        self.m.lerp_(g, 1 - b1)
        self.v.mul_(b2).addcmul_(g, g, value=1 - b2)
        denom = (self.v.sqrt() / math.sqrt(1 - b2 ** self.k)).add_(self.eps)
        self.theta.addcdiv_(self.m * (lr / (1 - b1 ** self.k)), denom, value=-1.0)


def evaluate_policy(agent: ActorCritic, env_fn: Callable[[], gym.Env], episodes: int, seed: int,
                    greedy: bool = True, max_steps: int = 100_000) -> np.ndarray:
    """Returns the undiscounted return of each of ``episodes`` episodes (greedy or sampled actions).

    Episode k is reset with seed + k; sampled actions use a torch.Generator seeded with ``seed``.
    """
    env = env_fn()
    encode = encode_observation(env.observation_space)
    gen = torch.Generator().manual_seed(int(seed))
    returns = np.zeros(episodes)
    for k in range(episodes):
        obs, _ = env.reset(seed=int(seed) + k)
        for _ in range(max_steps):
            with torch.no_grad():
                logits, _ = agent(torch.from_numpy(encode(obs)[None]))
            a = int(logits.argmax(-1)) if greedy else int(torch.multinomial(torch.softmax(logits, -1), 1,
                                                                             generator=gen))
            obs, r, term, trunc, _ = env.step(a)
            returns[k] += r
            if term or trunc:
                break
    env.close()
    return returns
