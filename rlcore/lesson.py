"""What every lesson notebook calls: parameter checking, style, metrics output, badges.

A lesson's first code cell after its ``parameters`` cell calls :func:`setup`, which validates the shared
parameters (``quick``, ``seed``, ``metrics_path``) and returns them; its last cell calls
:func:`write_metrics`. ``RLCORE_QUICK=1`` in the environment forces quick mode (the tests set it when they
run notebooks without papermill, e.g. under nbval).
"""

from __future__ import annotations

import json
import math
import os
import pathlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from .config import Config, param
from .plotting import apply_style

__all__ = ["LessonParams", "setup", "write_metrics", "jsonable", "badges", "REPO", "BRANCH", "LESSONS", "Lesson",
           "lesson_map"]

#: The GitHub repository the badges point at (owner/name) and its default branch. A fork changes these
#: two lines and runs ``python tools/badges.py`` to rewrite every notebook's badges, its Colab install cell
#: and the README's links.
REPO = "what-rl-optimizes/what-rl-optimizes"
BRANCH = "main"


@dataclass(frozen=True)
class LessonParams(Config):
    """The parameters every lesson shares."""

    quick: bool = param(False, doc="a small, fast run (the tests use it)")
    seed: int = param(0, low=0, high=2**31 - 1, doc="seed of every random stream in the lesson")
    metrics_path: str = ""

    def check(self) -> None:
        if not isinstance(self.metrics_path, str):
            raise self.invalid("metrics_path", "a file path string ('' writes no metrics)")


def setup(quick: bool = False, seed: int = 0, metrics_path: str = "", torch_threads: int | None = None
          ) -> LessonParams:
    """Validate the shared parameters, apply the plot style, and return them.

    ``quick`` is also switched on by ``RLCORE_QUICK=1``; an empty ``metrics_path`` is taken from
    ``RLCORE_METRICS_PATH`` when that is set (``make test`` has nbval's run of each notebook write its metrics,
    and the determinism test compares them with papermill's run of the same seed). ``torch_threads`` (for
    lessons using torch) sets torch's intra-op thread count; 1 or 2 suits a Binder session.
    """
    forced = os.environ.get("RLCORE_QUICK", "") == "1"
    metrics_path = metrics_path or os.environ.get("RLCORE_METRICS_PATH", "")
    params = LessonParams(quick=bool(quick) or forced, seed=seed, metrics_path=metrics_path)
    apply_style()
    if torch_threads is not None:
        import torch

        torch.set_num_threads(int(torch_threads))
    return params


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars/arrays and tuples turned into plain JSON types (non-finite -> None)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def write_metrics(metrics: dict, params: LessonParams) -> dict:
    """Write ``metrics`` as JSON (sorted keys) to ``params.metrics_path`` when it is set; return them.

    The file also records ``quick`` and ``seed`` so a reader of the JSON knows which run it came from.
    """
    record = jsonable({**metrics, "quick": params.quick, "seed": params.seed})
    if params.metrics_path:
        path = pathlib.Path(params.metrics_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


def badges(notebook: str, repo: str = REPO, branch: str = BRANCH) -> str:
    """Markdown for the Binder and Colab badges that open ``notebooks/<notebook>`` directly."""
    binder = f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/notebooks/{notebook}"
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/notebooks/{notebook}"
    return (f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder}) "
            f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})")


@dataclass(frozen=True)
class Lesson:
    """One entry of the lesson plan: file stem, title, the argument it tests, source thread, curriculum items."""

    stem: str
    title: str
    argument: str
    thread: str
    items: str


#: The lesson plan (file names are fixed so course links never break). The 00 notebook's map, the README's
#: list and the tests all read this one table; a test fails if a notebook exists that is not listed here.
LESSONS: tuple[Lesson, ...] = (
    Lesson("00_start_here", "Start here", "the map of the collection and a first live experiment", "-", "-"),
    Lesson("01_reinforce_log_trick", "The REINFORCE log trick",
           "the log belongs to the gradient estimator, not to the objective; re-fitting on history optimizes "
           "something else; online vs. re-fit with a real proxy; deception without a deployment phase", "001",
           "1-3"),
    Lesson("02_reward_selects", "Reward selects",
           "reward as selection vs. a learned target: which agents press a reward button, approval that selects "
           "faking, score vs. cue, a probe for expected return", "002", "4-6, 4b"),
    Lesson("03_ppo_advantage", "PPO's advantage, decomposed",
           "with sparse reward, how much of PPO's update comes from reward, from the value head's bootstrap and "
           "from its baseline, at every λ; mostly-correct reward and an honest reporter", "003", "7, 8"),
    Lesson("04_reinforcement_without_reward", "Reinforcement without reward",
           "an unrewarded donut habit decays only where the reward's signal beats its noise within the budget; a "
           "delta rule learns from intention with zero reward; TD vs. Monte Carlo given the same relabelled "
           "reward events (TD also reaches the rewarded goal about 1.7x sooner)", "004", "10-12"),
    Lesson("05_in_context_practice", "In-context practice",
           "in-episode practice is carried across episodes only through the reward: unpaid skill drifts unless "
           "its learning shares a few percent of the paid skill's; a heuristics generator improves on the queries "
           "that entered the reward; capability tracks the ridge of its goal unless a channel not gated by the "
           "reward outruns selection (a drift above lr x sigma_c), and then the reward collapses too", "004", "13-15"),
    Lesson("06_goals_out_of_distribution", "Goals out of distribution",
           "a goal generator vs. contextual shards: the representation decides whether a goal generalizes; agents "
           "alike in distribution differ outside it; feedback costs extra picks", "004", "16"),
    Lesson("07_relative_fitness", "Relative fitness",
           "selection on relative payoff need not raise payoff; melioration comes from credit that stops at the "
           "agent's own round", "004", "18"),
    Lesson("08_narrowing_mode_collapse", "Narrowing: mode collapse",
           "calibrated mode-collapse metrics, GANs that blur from the usual start and collapse sharply only from a "
           "point start that never spreads, and an agent whose own data overstates its alignment", "004", "17"),
    Lesson("09_ladder_1_reflex", "Ladder 1: reflex",
           "a boat that drifts into circling: a noise-driven fall into a local optimum (about 91% of R*), "
           "continuous with reward hacking; coverage during training prevents it, after saturation it does not "
           "undo it; the power-up season as the hacking contrast", "004",
           "9, 10, 19"),
    Lesson("10_ladder_2_model_free", "Ladder 2: model-free",
           "the fork never re-explored: penalty × prize factorial, bootstrapping ablated", "004", "19"),
    Lesson("11_ladder_3_lookahead", "Ladder 3: lookahead",
           "a search agent that stops playing the sharp line through a shared, mode-blind table (not through "
           "lookahead): model-free, coverage, good-start, depth, shaping and calibration controls", "004", "19"),
    Lesson("12_ladder_4_abstract_planning", "Ladder 4: abstract planning",
           "the help-desk planner that steers users out of their language (a delay within the budget; when "
           "decliners leave it lasts only while the reward model's short memory x exploration starves it; partly "
           "a reward model blind to the user's language)", "004", "19"),
    Lesson("13_ladder_5_reflective_planning", "Ladder 5: reflective planning",
           "the browser that chooses to block a topic: a commitment against forced exploration that only the "
           "self-modelling planner makes, in a band of cost x exploration", "004", "19"),
    Lesson("14_ladder_dashboard", "The ladder at a glance", "all five levels on one set of metrics", "004",
           "19"),
)

THREADS = {
    "001": "online learning, the log trick, and optimizing to convergence at every step",
    "002": "reward as selection vs. a learned target",
    "003": "PPO, advantages and the value head",
    "004": "donuts, bootstrapping, heuristics generators, narrowing, and the exploration-to-deception ladder",
}


def lesson_map(notebook_dir: str | os.PathLike = ".") -> str:
    """The lesson plan as a Markdown table, linking the notebooks that exist in ``notebook_dir``."""
    rows = ["| notebook | what it tests | thread | items |", "|---|---|---|---|"]
    for entry in LESSONS:
        exists = (pathlib.Path(notebook_dir) / f"{entry.stem}.ipynb").exists()
        name = f"[{entry.stem}]({entry.stem}.ipynb)" if exists else f"{entry.stem} *(to come)*"
        rows.append(f"| {name} | {entry.argument} | {entry.thread} | {entry.items} |")
    return "\n".join(rows)
