"""Exercises: the reader writes a piece of a lesson, and a checker compares it with the reference.

Each :class:`Exercise` has a ``lesson``, a one-line ``prompt``, the ``reference`` implementation (the function
the lesson itself uses, where there is one) and :meth:`Exercise.check`, which calls the reader's function and
the reference on many random inputs (several shapes and seeds) plus edge cases (episode ends, zero rewards,
...). On success ``check`` returns quietly. On a wrong answer it raises :class:`ExerciseFailed` (an
``AssertionError``) naming the input that broke it and, when the answer matches a mistake people actually
make (a flipped sign, a missing baseline, a terminal state that bootstraps, ...), a hint for that mistake.
A function that changes its inputs in place fails too, even when its result is right (the caller still needs
them). A stub that raises ``NotImplementedError`` and has nothing else in its body is reported as
:class:`NotAttempted`; a function with code of its own that still reaches the stub's ``raise`` line fails with a
message saying to delete that line.

In a notebook, :func:`run_check` wraps this: it prints one line ("passed" or "not attempted yet") and lets a
wrong answer's error through, so a lesson runs top to bottom with its exercises unattempted.

The registry :data:`EXERCISES` maps each exercise's name to it. Each lesson's exercises live in a module
``rlcore/exercises/<lesson's analysis name>.py`` that calls :func:`register`; every module of the package is
imported here, so a new file needs no other wiring. Solutions go in the notebook, in a markdown cell tagged
``solution`` holding a collapsed ``<details>`` block (``make student`` removes those cells).
"""

from __future__ import annotations

import ast
import copy
import inspect
import textwrap
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
    #: The reference's value for "there is none" (e.g. -1 for no lock-in) and what to tell a reader who returns
    #: None in its place (the generic "did you forget `return`?" would mislead them).
    none_value: Any = None
    none_hint: str | None = None

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
            given = copy.deepcopy(case.kwargs)  # the reader's own copy: compared with the case's after the call
            try:
                got = fn(**given)
            except NotImplementedError as err:
                if _is_bare_stub(fn):
                    raise NotAttempted(f"{self.name}: not attempted yet") from err
                where = _raised_in(err)
                if where is None or where is getattr(fn, "__code__", None):
                    raise ExerciseFailed(f"{self.name} still raises NotImplementedError on {case.description}: your "
                                         f"function has code of its own but still reaches the stub's line; delete "
                                         f"`raise NotImplementedError`", hint="delete the stub line",
                                         case=case.description) from err
                raise ExerciseFailed(f"{self.name} raised NotImplementedError in `{where.co_name}` on "
                                     f"{case.description}: a function it calls is not written yet",
                                     case=case.description) from err
            except Exception as err:
                raise ExerciseFailed(f"{self.name} raised {type(err).__name__}: {err} on {case.description}\n"
                                     f"{traceback.format_exc(limit=-1)}", case=case.description) from err
            changed = [key for key in case.kwargs if not _same(given[key], case.kwargs[key])]
            if got is None:
                if self.none_hint and self._agrees(self.none_value, want):
                    raise ExerciseFailed(f"{self.name} returned None on {case.description}: {self.none_hint}",
                                         hint=self.none_hint, case=case.description)
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
                also = (f"\n(It also changed its input{'s' if len(changed) > 1 else ''} "
                        f"{', '.join(f'`{k}`' for k in changed)} in place.)" if changed else "")
                raise ExerciseFailed(f"{self.name} disagrees with the reference on {case.description}: {detail}"
                                     + (f"\nHint: {hint}" if hint else "") + also, hint=hint, case=case.description)
            if changed:
                names = ", ".join(f"`{k}`" for k in changed)
                hint = (f"do not change the inputs: work on a copy (e.g. `{changed[0]} = np.array({changed[0]}, "
                        f"dtype=float)`) and return that; the caller still needs the original")
                raise ExerciseFailed(f"{self.name} returns the right answer on {case.description}, but your function "
                                     f"changed its input{'s' if len(changed) > 1 else ''} {names} in place\n"
                                     f"Hint: {hint}", hint=hint, case=case.description)


def _same(a: Any, b: Any) -> bool:
    """True when the reader's copy ``a`` of an input still equals the untouched ``b`` (arrays by value and dtype,
    NaN equal to NaN; containers item by item; objects by ``==`` or, without one, by their attributes)."""
    if isinstance(b, np.ndarray):
        if not isinstance(a, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=True))
        except TypeError:  # object or string arrays: no NaN to worry about
            return bool(np.array_equal(a, b))
    if hasattr(b, "detach") and hasattr(b, "cpu"):  # a torch tensor, compared as numpy (no torch import here)
        return hasattr(a, "detach") and _same(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(b, (float, np.floating)) and isinstance(a, (float, np.floating)) and np.isnan(a) and np.isnan(b):
        return True
    if type(b).__eq__ is object.__eq__:  # no value equality: compare the attributes, if any
        return not hasattr(b, "__dict__") or _same(vars(a), vars(b))
    try:
        return bool(a == b)
    except Exception:  # an == that does not give one bool: cannot tell, do not accuse the reader
        return True


def _stub_statement(node: ast.stmt) -> bool:
    """A statement a stub may hold: a docstring or other constant, ``pass``, or ``raise NotImplementedError``."""
    if isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        return True
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _is_bare_stub(fn: Callable[..., Any]) -> bool:
    """True when ``fn`` is still the stub: its body holds nothing but ``raise NotImplementedError`` (with a
    docstring or ``pass`` at most). From the source where there is one, else from the code object; a callable
    with neither (a builtin, a partial) counts as a stub."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return True
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        node = tree.body[0]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            return all(_stub_statement(stmt) for stmt in node.body)
    except (OSError, TypeError, SyntaxError, IndexError):
        pass
    # no usable source (exec'd text, a lambda): a stub names nothing but NotImplementedError and has no locals
    n_args = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS) \
        + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    return set(code.co_names) <= {"NotImplementedError"} and code.co_nlocals == n_args


def _raised_in(err: BaseException):
    """The code object of the innermost frame that raised ``err`` (None when there is no traceback)."""
    tb = err.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code


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
