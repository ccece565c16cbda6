"""The exercises of lessons 00-04, 06-08, 10, 11 and 14: every lesson has at least two, each reference agrees with
an independent computation (the code the lesson runs, or a hand calculation), each notebook asks at least two
predict-then-check questions revealed from the run, with one solution cell per exercise, and every solution cell's
code passes its exercise's checker."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import rlcore.envs  # noqa: F401  (registers the environments)
from rlcore.analysis.gae import decompose_advantage
from rlcore.analysis.ladder import LOCK_THRESHOLD, LadderMetrics, ladder_metrics
from rlcore.analysis.ladder_dashboard import locked
from rlcore.analysis.log_trick import maximize_surrogate
from rlcore.envs.ladder_3_duel import ONGOING, DuelConfig, duel_reward, duel_step
from rlcore.exercises import EXERCISES
from rlcore.learners.ladder_3_search import duel_tables
from rlcore.learners.ppo import compute_gae
from rlcore.learners.reinforce import ReinforceConfig, train_reinforce_bandit

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = ["00_start_here", "01_reinforce_log_trick", "02_reward_selects", "03_ppo_advantage",
           "04_reinforcement_without_reward", "06_goals_out_of_distribution", "07_relative_fitness",
           "08_narrowing_mode_collapse", "10_ladder_2_model_free", "11_ladder_3_lookahead", "14_ladder_dashboard"]


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_lesson_has_two_exercises_and_two_predictions(lesson):
    names = [n for n, e in EXERCISES.items() if e.lesson == lesson]
    assert len(names) >= 2, names
    cells = json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    for name in names:
        assert f'run_check("{name}"' in code, f"{lesson}: no check cell for {name}"
    solutions = [c for c in cells if "solution" in c["metadata"].get("tags", [])]
    assert len(solutions) >= len(names) and all("<details>" in "".join(c["source"]) for c in solutions)
    assert code.count("reveal(") >= 2 and code.count("my_prediction_") >= 4  # asked, then revealed
    for c in cells:  # never hard-coded: each reveal's answer is an expression of the run, not a literal number
        source = "".join(c["source"])
        if c["cell_type"] == "code" and "reveal(" in source:
            calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                     and getattr(n.func, "id", None) == "reveal"]
            assert calls and all(not isinstance(call.args[2], ast.Constant) for call in calls), source


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_solution_cell_passes_its_checker(lesson):
    """The code in the collapsed solutions, run on its own (numpy and math only), passes the check cell's exercise:
    the function each `run_check("name", fn)` hands over is looked up by name in the solutions' code."""
    cells = json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text())["cells"]
    checked_as = {}  # the reader's function name -> the exercise its check cell runs
    for c in cells:
        if c["cell_type"] == "code" and "run_check(" in "".join(c["source"]):
            for call in ast.walk(ast.parse("".join(c["source"]))):
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "run_check":
                    checked_as[call.args[1].id] = call.args[0].value
    namespace = {"np": np, "math": math}
    for c in cells:
        if "solution" in c["metadata"].get("tags", []):
            for code in re.findall(r"```python\n(.*?)```", "".join(c["source"]), re.S):
                exec(code, namespace)
    found = {fn: name for fn, name in checked_as.items() if callable(namespace.get(fn))}
    assert set(found.values()) == {n for n, e in EXERCISES.items() if e.lesson == lesson}, (checked_as, found)
    for fn, name in found.items():
        EXERCISES[name].check(namespace[fn])


def test_reinforce_step_is_the_learners_update():
    env = gym.make("rlcore/BernoulliBandit-v0", means=(0.3, 0.7))
    for seed in range(10):
        log = train_reinforce_bandit(env, ReinforceConfig(learning_rate=0.5, steps=1), seed=seed)
        action, reward = int(log.steps("action")[0]), float(log.steps("reward")[0])
        got = EXERCISES["reinforce_step"].reference(np.zeros(2), action, reward, 0.0, 0.5)
        np.testing.assert_allclose(got, log.meta["final_logits"], atol=1e-12)


def test_surrogate_maximizer_matches_a_numeric_maximizer():
    rng = np.random.default_rng(3)
    actions = rng.integers(0, 3, size=(4, 60))
    rewards = (rng.random((4, 60)) < np.array([0.2, 0.5, 0.8])[actions]).astype(float)
    numeric = maximize_surrogate(actions, rewards, 3, iters=2000)
    closed = np.array([EXERCISES["surrogate_maximizer"].reference(a, r, 3) for a, r in zip(actions, rewards)])
    assert np.abs(numeric - closed).max() < 1e-3


def test_reward_part_plus_value_part_is_the_advantage():
    rng = np.random.default_rng(4)
    for case in EXERCISES["gae"].cases(rng):
        kw = case.kwargs
        a_r = EXERCISES["reward_part"].reference(kw["rewards"], kw["terminated"], kw["truncated"], kw["gamma"],
                                                 kw["lam"])
        a_v = decompose_advantage(**kw).value
        np.testing.assert_allclose(a_r + a_v, compute_gae(**kw), atol=1e-10)


def test_epsilon_greedy_breaks_ties_uniformly_and_explores_at_rate_epsilon():
    rng = np.random.default_rng(5)
    fn = EXERCISES["epsilon_greedy"].reference
    n = 20_000
    ties = fn(np.zeros((n, 3)), 0.0, rng.random(n), rng.random(n))
    assert np.all(np.abs(np.bincount(ties, minlength=3) / n - 1 / 3) < 0.02)
    q = np.tile([0.0, 1.0], (n, 1))
    act = fn(q, 0.3, rng.random(n), rng.random(n))
    assert abs((act == 0).mean() - 0.15) < 0.01  # half of the 30% random moves pick the worse action


def test_potential_shaping_is_the_duels_change_bonus_and_keeps_the_optimal_policy():
    duel = DuelConfig(shaping="delta")
    rng = np.random.default_rng(6)
    m, k = -rng.integers(0, duel.material, 500), rng.integers(0, duel.mate_length, 500)
    a = rng.integers(0, 2, 500)
    m2, k2, res = duel_step(duel, m, k, a, rng.random(500) < 0.3, rng.random(500) < 0.3)
    shaped = duel_reward(duel, "novice", m, m2, res) - duel_reward(duel, "expert", m, m2, res)
    f = EXERCISES["potential_shaping"].reference(duel.material + m, duel.material + m2, res != ONGOING, 1.0)
    np.testing.assert_allclose(shaped, duel.bonus * f, atol=1e-12)


def test_search_q_depth_one_by_hand():
    nxt, reward, prob, _ = duel_tables(DuelConfig())
    rng = np.random.default_rng(7)
    v = rng.normal(size=(1, nxt.shape[0]))
    q = EXERCISES["search_q"].reference(v, nxt, reward[:1], prob, 1)
    w = np.append(v[0], 0.0)
    s, a = 3, 1
    assert q[0, s, a] == pytest.approx(sum(p * (reward[0, s, a, o] + w[nxt[s, a, o]]) for o, p in enumerate(prob)))


def test_tau_lock_and_nu_agree_with_the_dashboards_protocol():
    rng = np.random.default_rng(8)
    fn = EXERCISES["tau_lock"].reference
    for _ in range(200):
        windows = int(rng.integers(3, 30))
        nu = rng.uniform(0, 0.5, windows) * (rng.random(windows) < 0.7)
        metrics = LadderMetrics(nu=nu, tau_lock=None, delta_g=0.0, delta_r=0.0)
        assert (fn(nu, LOCK_THRESHOLD, max(1, windows // 5)) >= 0) == locked(metrics)
    visits, forced, ref = rng.poisson(5, 12).astype(float), rng.poisson(1, 12).astype(float), rng.uniform(4, 8, 12)
    expected = ladder_metrics(visits - forced, ref, 0.0, 1.0, 0.0, 1.0)
    np.testing.assert_allclose(EXERCISES["own_nu"].reference(visits, forced, ref), expected.nu)
