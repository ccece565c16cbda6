"""Registration of rlcore environments with Gymnasium under the ``rlcore/`` namespace."""

from __future__ import annotations

import gymnasium as gym

REGISTERED: list[str] = []


def register_env(name: str, entry_point: str, **kwargs) -> str:
    """Register ``rlcore/<name>-v0`` (idempotent) and return its id, so ``gymnasium.make(id)`` works.

    Registering the same name again with the same entry point is a no-op (modules can be re-imported); two
    different environments under one name raise ``ValueError`` rather than one silently shadowing the other.
    """
    env_id = f"rlcore/{name}-v0"
    if env_id in gym.registry and gym.registry[env_id].entry_point != entry_point:
        raise ValueError(f"environment name {env_id!r} is already registered by "
                         f"{gym.registry[env_id].entry_point!r}; {entry_point!r} needs another name")
    if env_id not in gym.registry:
        gym.register(id=env_id, entry_point=entry_point, **kwargs)
    if env_id not in REGISTERED:
        REGISTERED.append(env_id)
    return env_id
