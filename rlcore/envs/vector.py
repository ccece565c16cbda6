"""Many copies of one environment stepped as a batch, with the episode ends kept honest.

:class:`EnvBatch` steps a list of Gymnasium environments with arrays in and out: ``step(actions)`` returns the
true next observation of every copy (the final observation when its episode ended), the rewards and the
*terminated* / *truncated* flags, and the observation each copy continues from (a copy whose episode ended is
reset at once, without a seed, so it continues its own random stream). The generic batch is a plain loop over
the copies; an environment class that can step its copies on arrays offers ``batched(envs)`` (e.g.
:class:`rlcore.envs.sparse_chain.SparseChainBatch`), and :func:`env_batch` picks it. Either way each copy's
numbers are those of stepping it alone: the tests compare the two.
"""

from __future__ import annotations

from typing import Sequence

import gymnasium as gym
import numpy as np

__all__ = ["EnvBatch", "env_batch"]


class EnvBatch:
    """``n`` environments stepped in a loop; observations stacked on a leading axis of length ``n``."""

    def __init__(self, envs: Sequence[gym.Env]):
        self.envs = list(envs)

    def __len__(self) -> int:
        return len(self.envs)

    def reset(self, seeds: Sequence[int]) -> np.ndarray:
        """Reset copy i with ``seeds[i]``; returns the stacked first observations."""
        return np.stack([np.asarray(env.reset(seed=int(s))[0]) for env, s in zip(self.envs, seeds)])

    def step(self, actions: np.ndarray):
        """Returns ``(next_obs, rewards, terminated, truncated, obs)``: ``next_obs`` the true next observations,
        ``obs`` the observations to act on next (after resetting the copies whose episode ended)."""
        n = len(self.envs)
        rewards, term, trunc = np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        next_obs, obs = [], []
        for i, env in enumerate(self.envs):
            o, rewards[i], term[i], trunc[i], _ = env.step(int(actions[i]))
            next_obs.append(np.asarray(o))
            if term[i] or trunc[i]:
                o, _ = env.reset()
            obs.append(np.asarray(o))
        return np.stack(next_obs), rewards, term, trunc, np.stack(obs)

    def close(self) -> None:
        for env in self.envs:
            env.close()


def env_batch(envs: Sequence[gym.Env]):
    """The fastest exact batch for ``envs``: the class's own ``batched(envs)`` if it has one, else :class:`EnvBatch`."""
    kind = type(envs[0])
    if all(type(e) is kind for e in envs) and hasattr(kind, "batched"):
        batch = kind.batched(envs)
        if batch is not None:
            return batch
    return EnvBatch(envs)
