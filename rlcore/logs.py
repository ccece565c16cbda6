"""The training log that learners fill and that plots and claims read.

A :class:`TrainingLog` keeps named per-step arrays (one entry per environment step or update) and named
per-episode arrays (one entry per finished episode), plus free-form ``meta``. Learners append with
:meth:`TrainingLog.step` / :meth:`TrainingLog.episode` (or whole arrays with :meth:`extend_steps`), and readers
get numpy arrays from :meth:`steps` / :meth:`episodes`. :func:`stack` aligns logs from several seeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

__all__ = ["TrainingLog", "stack"]


@dataclass
class TrainingLog:
    """Per-step and per-episode records of one training run."""

    meta: dict[str, Any] = field(default_factory=dict)
    _steps: dict[str, list] = field(default_factory=dict, repr=False)
    _episodes: dict[str, list] = field(default_factory=dict, repr=False)

    def step(self, **values: Any) -> None:
        """Append one value to each named per-step series."""
        for k, v in values.items():
            self._steps.setdefault(k, []).append(v)

    def extend_steps(self, **arrays: Iterable) -> None:
        """Append whole arrays to named per-step series (for vectorized learners)."""
        for k, v in arrays.items():
            self._steps.setdefault(k, []).extend(np.asarray(v).tolist())

    def episode(self, **values: Any) -> None:
        """Append one value to each named per-episode series."""
        for k, v in values.items():
            self._episodes.setdefault(k, []).append(v)

    def steps(self, name: str) -> np.ndarray:
        """The per-step series ``name`` as an array (first axis: step)."""
        if name not in self._steps:
            raise KeyError(f"no per-step series {name!r}; have {sorted(self._steps)}")
        return np.asarray(self._steps[name])

    def episodes(self, name: str) -> np.ndarray:
        """The per-episode series ``name`` as an array (first axis: episode)."""
        if name not in self._episodes:
            raise KeyError(f"no per-episode series {name!r}; have {sorted(self._episodes)}")
        return np.asarray(self._episodes[name])

    @property
    def step_names(self) -> list[str]:
        return sorted(self._steps)

    @property
    def episode_names(self) -> list[str]:
        return sorted(self._episodes)

    def __len__(self) -> int:
        return max((len(v) for v in self._steps.values()), default=0)


def stack(logs: list[TrainingLog], name: str, per: str = "steps") -> np.ndarray:
    """Stack series ``name`` from several logs into an array of shape (n_logs, length, ...).

    Series of unequal length are cut to the shortest, so curves from several seeds line up.
    """
    series = [log.steps(name) if per == "steps" else log.episodes(name) for log in logs]
    n = min(len(s) for s in series)
    return np.stack([s[:n] for s in series])
