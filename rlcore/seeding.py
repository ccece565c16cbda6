"""Explicit randomness: every function that samples takes a seed or a ``numpy.random.Generator``.

The same seed gives the same numbers: :func:`as_generator` turns an ``int`` into a fresh generator and
passes an existing generator through unchanged, so callers can either share one stream or pin one.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SeedLike", "as_generator", "spawn", "torch_generator", "derive_seed"]

SeedLike = int | np.random.Generator | None


def as_generator(seed: SeedLike) -> np.random.Generator:
    """Return a ``numpy.random.Generator``: a new PCG64 stream for an int, the same object for a generator.

    ``None`` is rejected on purpose: silent entropy-seeded randomness makes lessons irreproducible.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise ValueError("seed is None: pass an int >= 0 or a numpy Generator so runs are reproducible")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed = {seed!r} is outside its allowed range: an integer >= 0 or a numpy Generator")
    return np.random.default_rng(int(seed))


def derive_seed(seed: int, *labels: int | str) -> int:
    """A reproducible child seed for ``(seed, *labels)``, e.g. one per arm of an experiment.

    Returns an int in [0, 2**63) computed with numpy's SeedSequence (not Python's salted ``hash``).
    """
    words = [int(seed)] + [int(x) if isinstance(x, (int, np.integer)) else sum(x.encode()) * 1000003 + len(x)
                           for x in labels]
    return int(np.random.SeedSequence(words).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def spawn(seed: SeedLike, n: int) -> list[np.random.Generator]:
    """``n`` independent generators derived from ``seed`` (for per-seed or per-worker streams)."""
    return as_generator(seed).spawn(n)


def torch_generator(seed: int):
    """A ``torch.Generator`` on the CPU seeded with ``seed`` (torch is imported only when asked for)."""
    import torch

    g = torch.Generator(device="cpu")
    g.manual_seed(int(seed))
    return g
