"""rlcore: small, tested building blocks for lessons on what reinforcement learning actually optimizes.

Layers, lowest first (a module imports only from layers below it):
``config``, ``seeding``, ``logs`` -> ``envs`` -> ``learners`` -> ``analysis`` -> ``plotting`` -> ``widgets``
-> ``lesson``. Importing ``rlcore`` registers every environment with Gymnasium under ``rlcore/``.
"""

from . import envs  # noqa: F401  (registers the environments)
from .config import Config, ConfigError, choice, param  # noqa: F401

__version__ = "0.1.0"
