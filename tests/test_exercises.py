"""rlcore.exercises: each checker accepts its reference, rejects realistic wrong answers with the right hint,
and the references agree with independent computations; the student build drops every solution."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rlcore.analysis.gae import gae_bruteforce
from rlcore.exercises import EXERCISES, ExerciseFailed, NotAttempted, reveal, run_check

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import student  # noqa: E402

CASES = [(name, m.name) for name, ex in EXERCISES.items() for m in ex.mistakes]


def test_the_fixed_exercises_exist_with_their_signatures():
    expected = {
        "reinforce_gradient": ["logits", "actions", "rewards", "baseline"],
        "gae": ["rewards", "values", "next_values", "terminated", "truncated", "gamma", "lam"],
        "q_learning_update": ["q", "state", "action", "reward", "next_state", "terminated", "alpha", "gamma"],
    }
    for name, args in expected.items():
        assert list(inspect.signature(EXERCISES[name].reference).parameters) == args
    assert {"01_reinforce_log_trick", "03_ppo_advantage", "10_ladder_2_model_free"} <= {
        e.lesson for e in EXERCISES.values()}


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_reference_passes_and_knows_at_least_three_mistakes(name):
    exercise = EXERCISES[name]
    exercise.check(exercise.reference)
    assert len(exercise.mistakes) >= 3 and exercise.prompt and "\n" not in exercise.prompt


@pytest.mark.parametrize("name,mistake", CASES)
def test_each_known_mistake_is_rejected_with_its_own_hint(name, mistake):
    exercise = EXERCISES[name]
    wrong = next(m for m in exercise.mistakes if m.name == mistake)
    with pytest.raises(ExerciseFailed) as caught:
        exercise.check(wrong.implementation)
    assert caught.value.hint == wrong.hint, f"{mistake}: got the hint {caught.value.hint!r}"
    assert "Hint:" in str(caught.value) and caught.value.case in str(caught.value)


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_unknown_wrong_answers_fail_with_the_input_named(name):
    exercise = EXERCISES[name]

    def zeros(**kw):
        return np.zeros_like(np.asarray(exercise.reference(**kw), dtype=float))

    def transposed(**kw):
        return np.atleast_2d(exercise.reference(**kw)).T

    def crashes(**kw):
        raise IndexError("index 3 is out of bounds")

    for fn in (zeros, transposed, crashes, lambda **kw: None):
        with pytest.raises(ExerciseFailed) as caught:
            exercise.check(fn)
        assert " on " in str(caught.value) and caught.value.case


def test_stub_is_not_attempted_and_run_check_says_so(capsys):
    def stub(**kw):
        raise NotImplementedError

    with pytest.raises(NotAttempted):
        EXERCISES["gae"].check(stub)
    assert run_check("gae", stub) is False and "not attempted yet" in capsys.readouterr().out
    assert run_check("gae", EXERCISES["gae"].reference) is True and "passed" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed):
        run_check("gae", lambda **kw: 0.0)


def test_a_function_that_changes_its_input_fails_even_with_the_right_answer():
    def in_place(q, state, action, reward, next_state, terminated, alpha, gamma):
        target = reward + (0.0 if terminated else gamma * q[next_state].max())
        q[state, action] += alpha * (target - q[state, action])
        return q

    with pytest.raises(ExerciseFailed) as caught:
        EXERCISES["q_learning_update"].check(in_place)
    assert "changed its input `q`" in str(caught.value) and "copy" in caught.value.hint and caught.value.case

    def in_place_logits(logits, action, reward, baseline, learning_rate):
        pi = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        logits -= learning_rate * (reward - baseline) * pi
        logits[action] += learning_rate * (reward - baseline)
        return logits

    with pytest.raises(ExerciseFailed, match="changed its input `logits`"):
        EXERCISES["reinforce_step"].check(in_place_logits)

    def wrong_and_in_place(q, state, action, reward, next_state, terminated, alpha, gamma):
        q[state, action] = reward
        return q

    with pytest.raises(ExerciseFailed, match=r"disagrees(.|\n)*also changed its input `q`"):
        EXERCISES["q_learning_update"].check(wrong_and_in_place)
    # a copy made before the change passes, and so does every reference (none of them changes its inputs)
    EXERCISES["q_learning_update"].check(lambda q, **kw: in_place(np.array(q, dtype=float), **kw))


def test_leftover_stub_line_is_reported_not_taken_for_an_unattempted_stub():
    def tau_lock(nu, threshold, min_tail):
        above = np.flatnonzero(np.asarray(nu) >= threshold)
        tau = 0 if above.size == 0 else int(above[-1]) + 1
        raise NotImplementedError  # your code here

    with pytest.raises(ExerciseFailed) as caught:
        run_check("tau_lock", tau_lock)
    assert "delete `raise NotImplementedError`" in str(caught.value) and caught.value.hint == "delete the stub line"

    def documented_stub(nu, threshold, min_tail):
        """Write tau_lock here."""
        pass
        raise NotImplementedError("your code here")

    with pytest.raises(NotAttempted):
        EXERCISES["tau_lock"].check(documented_stub)
    # without source (code run by exec from a string, as a solution checker does) the code object decides
    namespace = {"np": np}
    exec("def stub(nu, threshold, min_tail):\n    raise NotImplementedError\n"
         "def leftover(nu, threshold, min_tail):\n    n = len(nu)\n    raise NotImplementedError\n", namespace)
    with pytest.raises(NotAttempted):
        EXERCISES["tau_lock"].check(namespace["stub"])
    with pytest.raises(ExerciseFailed, match="delete"):
        EXERCISES["tau_lock"].check(namespace["leftover"])

    def calls_an_unwritten_helper(nu, threshold, min_tail):
        return documented_stub(nu, threshold, min_tail)

    with pytest.raises(ExerciseFailed, match="in `documented_stub`.*not written yet"):
        EXERCISES["tau_lock"].check(calls_an_unwritten_helper)


def test_none_for_no_lock_in_gets_the_exercises_own_hint():
    def none_when_unlocked(nu, threshold, min_tail):
        tau = EXERCISES["tau_lock"].reference(nu, threshold, min_tail)
        return None if tau < 0 else tau

    with pytest.raises(ExerciseFailed) as caught:
        EXERCISES["tau_lock"].check(none_when_unlocked)
    assert "return -1 when there is no lock-in, not None" in str(caught.value)
    with pytest.raises(ExerciseFailed, match="forget `return`"):  # None where the reference has a lock-in
        EXERCISES["tau_lock"].check(lambda nu, threshold, min_tail: None)


def test_reinforce_reference_is_autograd_on_the_surrogate():
    rng = np.random.default_rng(0)
    logits, actions, rewards = rng.normal(size=4), rng.integers(0, 4, 30), rng.random(30)
    theta = torch.tensor(logits, requires_grad=True)
    surrogate = ((torch.tensor(rewards) - 0.3) * torch.log_softmax(theta, 0)[torch.tensor(actions)]).mean()
    surrogate.backward()
    got = EXERCISES["reinforce_gradient"].reference(logits, actions, rewards, 0.3)
    np.testing.assert_allclose(got, theta.grad.numpy(), rtol=1e-10)


def test_gae_reference_matches_the_brute_force_sum():
    rng = np.random.default_rng(1)
    for case in EXERCISES["gae"].cases(rng):
        np.testing.assert_allclose(EXERCISES["gae"].reference(**case.kwargs), gae_bruteforce(**case.kwargs),
                                   atol=1e-10)


def test_q_update_reference_by_hand():
    q = np.array([[0.0, 1.0], [2.0, -1.0]])
    got = EXERCISES["q_learning_update"].reference(q, 0, 1, 0.5, 1, False, 0.1, 0.9)
    assert got[0, 1] == pytest.approx(1.0 + 0.1 * (0.5 + 0.9 * 2.0 - 1.0)) and q[0, 1] == 1.0  # input untouched
    assert EXERCISES["q_learning_update"].reference(q, 0, 1, 0.5, 1, True, 0.1, 0.9)[0, 1] == pytest.approx(0.95)


def test_reveal_prints_the_measured_answer_beside_the_guess(capsys):
    line = reveal("How often does it lock in?", 0.5, 0.3125)
    assert "0.312" in line and "0.5" in line and line in capsys.readouterr().out


def test_student_copy_removes_solution_cells_and_outputs(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Write it yourself."),
                nbformat.v4.new_markdown_cell("<details><summary>Solution</summary>SECRET-ANSWER</details>",
                                              metadata={"tags": ["solution"]}),
                nbformat.v4.new_code_cell("1 + 1", outputs=[nbformat.v4.new_output("execute_result",
                                                                                    {"text/plain": "2"})])]
    source = tmp_path / "lesson.ipynb"
    nbformat.write(nb, source)
    out = student.student_copy(source, tmp_path / "student")
    text = out.read_text()
    assert "SECRET-ANSWER" not in text and "Write it yourself." in text
    assert all(not c.get("outputs") for c in json.loads(text)["cells"] if c["cell_type"] == "code")


def test_student_build_of_the_lessons_has_no_solution_text(tmp_path):
    lessons = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for source in lessons:
        solutions = ["".join(c["source"]) for c in json.loads(source.read_text())["cells"]
                     if "solution" in c.get("metadata", {}).get("tags", [])]
        copy = json.loads(student.student_copy(source, tmp_path).read_text())
        assert not any("solution" in c.get("metadata", {}).get("tags", []) for c in copy["cells"])
        copied = json.dumps(copy)
        for text in solutions:
            assert json.dumps(text)[1:-1] not in copied, f"{source.name}: solution text left in the student copy"
