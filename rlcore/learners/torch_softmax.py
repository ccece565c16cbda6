"""The same softmax policy in torch, so autograd can check the closed forms of the numpy code.

Everything runs in float64 on the CPU and returns numpy arrays. Nothing here samples, so no seed is needed.

* :func:`surrogate_gradient`: autograd of the surrogate  (1/n) sum_i (r_i - b) log pi_theta(a_i), which is the
  REINFORCE estimate (1/n) sum_i (r_i - b) (onehot(a_i) - pi) of the gradient of J.
* :func:`objective_gradient`: autograd of J(theta) = sum_a pi_a mu_a itself (the exact gradient).
* :func:`maximize_surrogate`: gradient ascent on  sum_s r_s log pi_theta(a_s)  from raw histories, a
  numeric check of the closed-form maximizer pi_a proportional to cumulative reward.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["surrogate_gradient", "objective_gradient", "maximize_surrogate"]


def surrogate_gradient(logits: np.ndarray, actions: np.ndarray, rewards: np.ndarray, baseline: float = 0.0
                       ) -> np.ndarray:
    """grad_theta of (1/n) sum_i (r_i - b) log softmax(theta)[a_i], by autograd; returns shape (K,)."""
    theta = torch.tensor(np.asarray(logits, dtype=np.float64), requires_grad=True)
    a = torch.as_tensor(np.asarray(actions), dtype=torch.long)
    r = torch.as_tensor(np.asarray(rewards, dtype=np.float64))
    surrogate = ((r - baseline) * torch.log_softmax(theta, dim=-1)[a]).mean()
    surrogate.backward()
    return theta.grad.numpy().copy()


def objective_gradient(logits: np.ndarray, means: np.ndarray) -> np.ndarray:
    """grad_theta of J(theta) = softmax(theta) . mu, by autograd; returns shape (K,)."""
    theta = torch.tensor(np.asarray(logits, dtype=np.float64), requires_grad=True)
    (torch.softmax(theta, dim=-1) @ torch.as_tensor(np.asarray(means, dtype=np.float64))).backward()
    return theta.grad.numpy().copy()


def maximize_surrogate(actions: np.ndarray, rewards: np.ndarray, n_arms: int, iters: int = 4000,
                       lr: float = 1.5) -> np.ndarray:
    """Maximize sum_s r_s log softmax(theta)[a_s] over theta for each history by gradient ascent (autograd).

    ``actions``, ``rewards``: shape (H, n), one history per row (pad with reward 0: padded entries add
    nothing to the sum). The objective is divided by each row's total reward so one step size suits every
    row (the maximizer is unchanged). Starts from theta = 0; returns softmax(theta) after ``iters`` steps,
    shape (H, K). An arm with zero cumulative reward has supremum probability 0, approached like 1/iters.
    """
    a = torch.as_tensor(np.atleast_2d(actions), dtype=torch.long)
    r = torch.as_tensor(np.atleast_2d(np.asarray(rewards, dtype=np.float64)))
    weight = r / r.sum(dim=1, keepdim=True).clamp_min(1e-300)
    theta = torch.zeros(a.shape[0], n_arms, dtype=torch.float64, requires_grad=True)
    for _ in range(iters):
        objective = (weight * torch.log_softmax(theta, dim=1).gather(1, a)).sum()
        (grad,) = torch.autograd.grad(objective, theta)
        with torch.no_grad():
            theta += lr * grad
    return torch.softmax(theta.detach(), dim=1).numpy()
