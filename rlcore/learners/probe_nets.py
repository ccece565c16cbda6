"""Tiny policy networks for the probe experiment of lesson 02, batched over seeds (torch, CPU, float32).

One network per seed, all trained at once with batched matrix products: a trunk ``h = tanh(s W1 + b1)``
(``W1 ~ N(0, 1)``, ``b1 ~ N(0, bias_std^2)``), a
policy head ``logits = h Wp + bp`` and, optionally, a value head ``v = h wv + bv`` on the same trunk.

Loss per batch of contexts (one-step episodes, so the return is the reward r):

* policy only (REINFORCE with a running-mean baseline b):  ``-mean((r - b) log pi(a|s))``;
* with a value head (actor-critic, shared trunk):  ``-mean((r - v(s).detach()) log pi(a|s)) + mean((v(s) - r)^2)``.

``shuffle_rewards=True`` permutes the rewards within each batch before the update: the same reward
distribution with the link between context, action and reward cut (a calibration network).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..envs.reward_selects import context_reward

__all__ = ["ProbeNets", "train_probe_nets"]


@dataclass
class ProbeNets:
    """The weights of ``seeds`` networks (leading axis) as float32 tensors."""

    w1: torch.Tensor
    b1: torch.Tensor
    wp: torch.Tensor
    bp: torch.Tensor
    wv: torch.Tensor
    bv: torch.Tensor

    def hidden(self, s: np.ndarray) -> np.ndarray:
        """Trunk activations for contexts ``s`` (n, dim) in every network: shape (seeds, n, hidden)."""
        with torch.no_grad():
            x = torch.as_tensor(np.asarray(s, dtype=np.float32))
            return torch.tanh(x @ self.w1 + self.b1[:, None]).numpy()

    def p_action(self, s: np.ndarray) -> np.ndarray:
        """pi(a|s), shape (seeds, n, 2)."""
        with torch.no_grad():
            h = torch.as_tensor(self.hidden(s))
            return torch.softmax(h @ self.wp + self.bp[:, None], -1).numpy()

    def value(self, s: np.ndarray) -> np.ndarray:
        """The value head's output v(s), shape (seeds, n) (zeros for a network trained without one)."""
        with torch.no_grad():
            h = torch.as_tensor(self.hidden(s))
            return (h @ self.wv + self.bv[:, None])[..., 0].numpy()


def train_probe_nets(seeds: int, dim: int, hidden: int, steps: int, batch: int, learning_rate: float,
                     value_head: bool, shuffle_rewards: bool, bonus_scale: float, noise_std: float,
                     rng: np.random.Generator, torch_seed: int, bias_std: float = 1.0) -> ProbeNets:
    """Train ``seeds`` networks for ``steps`` Adam steps (``steps = 0``: the untrained initialization). Trunk
    weights and biases start from N(0, 1) and N(0, bias_std^2): with zero biases every unit of an untrained
    trunk is an odd function of the input, which no linear readout can turn into an even target like |s_1|,
    so zero biases would make the untrained reference fail by symmetry."""
    g = torch.Generator().manual_seed(int(torch_seed))
    scale = 1.0
    w1 = (torch.randn(seeds, dim, hidden, generator=g) * scale).requires_grad_()
    b1 = (torch.randn(seeds, hidden, generator=g) * bias_std).requires_grad_()
    wp = (torch.randn(seeds, hidden, 2, generator=g) * 0.1).requires_grad_()
    bp = torch.zeros(seeds, 2, requires_grad=True)
    wv = torch.zeros(seeds, hidden, 1, requires_grad=True)
    bv = torch.zeros(seeds, 1, requires_grad=True)
    params = [w1, b1, wp, bp] + ([wv, bv] if value_head else [])
    opt = torch.optim.Adam(params, lr=learning_rate)
    running = torch.zeros(seeds, 1)
    for _ in range(steps):
        s = rng.uniform(-1, 1, (seeds, batch, dim)).astype(np.float32)
        x = torch.as_tensor(s)
        h = torch.tanh(x @ w1 + b1[:, None])
        logp = torch.log_softmax(h @ wp + bp[:, None], -1)
        a = torch.multinomial(logp.exp().reshape(-1, 2), 1, generator=g).reshape(seeds, batch)
        r = context_reward(s, a.numpy(), bonus_scale, noise_std, rng)
        if shuffle_rewards:
            r = np.take_along_axis(r, rng.permuted(np.tile(np.arange(batch), (seeds, 1)), axis=1), axis=1)
        r = torch.as_tensor(r, dtype=torch.float32)
        chosen = logp.gather(-1, a[..., None])[..., 0]
        if value_head:
            v = (h @ wv + bv[:, None])[..., 0]
            loss = -((r - v.detach()) * chosen).mean() + ((v - r) ** 2).mean()
        else:
            loss = -((r - running) * chosen).mean()
            running = 0.9 * running + 0.1 * r.mean(1, keepdim=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return ProbeNets(w1.detach(), b1.detach(), wp.detach(), bp.detach(), wv.detach(), bv.detach())
