"""Environments, all following the Gymnasium API and registered as ``rlcore/<Name>-v0``.

Every module in this package registers its environments when imported; this file imports them all, so
``import rlcore`` is enough for ``gymnasium.make("rlcore/BernoulliBandit-v0")``. A new environment module
needs no other wiring: drop it here and call :func:`register_env` at its bottom.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._registry import REGISTERED, register_env

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTERED", "register_env"]
