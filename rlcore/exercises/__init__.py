"""Exercises: the reader writes a piece of a lesson, and a checker compares it with the reference.

Each :class:`Exercise` has a ``lesson``, a one-line ``prompt``, the ``reference`` implementation (the function
the lesson itself uses, where there is one) and :meth:`Exercise.check`, which calls the reader's function and
the reference on many random inputs (several shapes and seeds) plus edge cases (episode ends, zero rewards,
...). On success ``check`` returns quietly. On a wrong answer it raises :class:`ExerciseFailed` (an
``AssertionError``) naming the input that broke it and, when the answer matches a mistake people actually
make (a flipped sign, a missing baseline, a terminal state that bootstraps, ...), a hint for that mistake.
A stub that raises ``NotImplementedError`` is reported as :class:`NotAttempted`.

In a notebook, :func:`run_check` wraps this: it prints one line ("passed" or "not attempted yet") and lets a
wrong answer's error through, so a lesson runs top to bottom with its exercises unattempted.

The registry :data:`EXERCISES` maps each exercise's name to it. Each lesson's exercises live in a module
``rlcore/exercises/<lesson's analysis name>.py`` that calls :func:`register`; every module of the package is
imported here, so a new file needs no other wiring. Solutions go in the notebook, in a markdown cell tagged
``solution`` holding a collapsed ``<details>`` block (``make student`` removes those cells).
"""

from __future__ import annotations

import copy
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["Exercise", "Mistake", "Case", "ExerciseFailed", "NotAttempted", "EXERCISES", "register", "run_check",
           "reveal"]


class ExerciseFailed(AssertionError):
    """A reader's implementation disagrees with the reference; the message says where and, if known, why."""

    def __init__(self, message: str, hint: str | None = None, case: str | None = None):
        super().__init__(message)
        self.hint, self.case = hint, case


class NotAttempted(Exception):
    """The reader's function still raises ``NotImplementedError``."""


@dataclass(frozen=True)
class Case:
    """One input: keyword arguments for the function, and a few words describing it."""

    kwargs: dict
    description: str


@dataclass(frozen=True)
class Mistake:
    """A realistic wrong implementation and the hint shown when a reader's answer matches it."""

    name: str
    implementation: Callable[..., Any]
    hint: str


@dataclass(frozen=True)
class Exercise:
    """An exercise: what to write, the reference, the inputs it is checked on, and the mistakes it knows."""

    name: str
    lesson: str
    prompt: str
    reference: Callable[..., Any]
    cases: Callable[[np.random.Generator], Iterable[Case]]
    mistakes: tuple[Mistake, ...] = field(default=())
    rtol: float = 1e-6
    atol: float = 1e-9
    seed: int = 12345

    def _agrees(self, got: Any, want: Any) -> bool:
        try:
            got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
        except (TypeError, ValueError):
            return False
        return got.shape == want.shape and bool(np.allclose(got, want, rtol=self.rtol, atol=self.atol))

    def _diagnose(self, got: Any, case: Case) -> str | None:
        for mistake in self.mistakes:
            try:
                wrong = mistake.implementation(**copy.deepcopy(case.kwargs))
            except Exception:  # a mistake that cannot run on this input cannot be the reader's
                continue
            if wrong is not None and self._agrees(got, wrong):
                return mistake.hint
        return None

    def check(self, fn: Callable[..., Any]) -> None:
        """Run ``fn`` against the reference on every case; return quietly or raise ExerciseFailed/NotAttempted."""
        for case in self.cases(np.random.default_rng(self.seed)):
            want = self.reference(**copy.deepcopy(case.kwargs))
            try:
                got = fn(**copy.deepcopy(case.kwargs))
            except NotImplementedError as err:
                raise NotAttempted(f"{self.name}: not attempted yet") from err
            except Exception as err:
                raise ExerciseFailed(f"{self.name} raised {type(err).__name__}: {err} on {case.description}\n"
                                     f"{traceback.format_exc(limit=-1)}", case=case.description) from err
            if got is None:
                raise ExerciseFailed(f"{self.name} returned None on {case.description}: did you forget `return`?",
                                     hint="return the result", case=case.description)
            if not self._agrees(got, want):
                hint = self._diagnose(got, case)
                try:
                    got_a = np.asarray(got, dtype=np.float64)
                except (TypeError, ValueError):
                    raise ExerciseFailed(f"{self.name} returned {type(got).__name__}, not an array of numbers, on "
                                         f"{case.description}", case=case.description) from None
                want_a = np.asarray(want, dtype=np.float64)
                detail = (f"shape {got_a.shape}, expected {want_a.shape}" if got_a.shape != want_a.shape else
                          f"got\n{np.array2string(got_a, precision=4)}\nexpected\n"
                          f"{np.array2string(want_a, precision=4)}")
                raise ExerciseFailed(f"{self.name} disagrees with the reference on {case.description}: {detail}"
                                     + (f"\nHint: {hint}" if hint else ""), hint=hint, case=case.description)


#: Every exercise of the collection, by name.
EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to :data:`EXERCISES` (names are unique)."""
    if exercise.name in EXERCISES:
        raise ValueError(f"an exercise named {exercise.name!r} is already registered")
    EXERCISES[exercise.name] = exercise
    return exercise


def run_check(name: str, fn: Callable[..., Any]) -> bool:
    """The notebook form of a check: prints one line and returns True when ``fn`` passed, False when it is
    still a stub. A wrong answer raises :class:`ExerciseFailed` with its message and hint."""
    exercise = EXERCISES[name]
    try:
        exercise.check(fn)
    except NotAttempted:
        print(f"{name}: not attempted yet; the lesson goes on with the reference implementation.")
        return False
    print(f"{name}: passed, it agrees with the reference on every test input.")
    return True


def reveal(question: str, guess: Any, answer: Any, fmt: str = "{:.3g}") -> str:
    """Predict, then check: the measured ``answer`` beside the reader's ``guess`` (None: no guess made)."""
    shown = fmt.format(answer) if isinstance(answer, (int, float, np.number)) else str(answer)
    line = f"{question} Measured: {shown}."
    if guess is not None:
        line += f" Your prediction: {fmt.format(guess) if isinstance(guess, (int, float)) else guess}."
    print(line)
    return line


def _register_all() -> None:
    """Import every module of this package; each registers its lesson's exercises (no list to keep)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_register_all()
