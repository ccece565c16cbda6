"""Frozen configuration dataclasses that validate themselves.

Every experiment in the collection is driven by a small frozen dataclass. Each numeric field declares its
allowed range with :func:`param`; constructing a config with a value outside that range raises
:class:`ConfigError` (a ``ValueError``) whose message names the class, the field, the value and the range.
The widget panels in :mod:`rlcore.widgets` read the same declarations to build their sliders, so a notebook,
a test and a widget all go through one check.

Example::

    @dataclass(frozen=True)
    class BanditConfig(Config):
        learning_rate: float = param(0.1, low=0.0, low_open=True, ui=(0.001, 2.0), doc="step size")
        steps: int = param(500, low=1, doc="number of pulls")

    BanditConfig(learning_rate=-0.1)
    # ValueError: BanditConfig.learning_rate = -0.1 is outside its allowed range (0, inf): step size
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass
from typing import Any, Sequence

__all__ = ["Config", "ConfigError", "Range", "param", "choice", "field_specs"]


class ConfigError(ValueError):
    """A configuration value outside its allowed range. ``field`` names the offending field."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Range:
    """An interval ``low .. high``; ``None`` means unbounded; ``*_open`` excludes the endpoint."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def contains(self, x: float) -> bool:
        """True when ``x`` is a finite number inside the interval."""
        if not math.isfinite(x):
            return False
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return False
        if self.high is not None and (x > self.high or (self.high_open and x == self.high)):
            return False
        return True

    def __str__(self) -> str:
        def fmt(x: float) -> str:
            return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"

        lo = "-inf" if self.low is None else fmt(self.low)
        hi = "inf" if self.high is None else fmt(self.high)
        left = "(" if self.low_open or self.low is None else "["
        right = ")" if self.high_open or self.high is None else "]"
        return f"{left}{lo}, {hi}{right}"


@dataclass(frozen=True)
class FieldSpec:
    """What :func:`param` / :func:`choice` record about a field (read by validation and by widgets)."""

    name: str
    default: Any
    kind: str  # "int", "float", "bool", "choice", "floats" (a tuple of floats), "other"
    range: Range | None
    choices: tuple | None
    doc: str
    ui: tuple | None  # (min, max) or (min, max, step) for widgets when the range is unbounded
    widget: str  # "slider", "log", "text", "checkbox", "dropdown", or "none"
    min_len: int


def param(
    default: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    doc: str = "",
    ui: tuple | None = None,
    widget: str = "slider",
    min_len: int = 1,
) -> Any:
    """Declare a numeric field (int, float, bool, or a tuple of floats) with its allowed range.

    For a tuple field the range applies to every element and ``min_len`` bounds its length.
    ``ui`` gives widget bounds where the allowed range is unbounded; it never widens what is valid.
    """
    meta = dict(range=Range(low, high, low_open, high_open), doc=doc, ui=ui, widget=widget, min_len=min_len)
    if isinstance(default, list):
        default = tuple(default)
    return dataclasses.field(default=default, metadata={"rlcore": meta})


def choice(default: Any, options: Sequence[Any], *, doc: str = "") -> Any:
    """Declare a field whose value must be one of ``options`` (shown as a dropdown)."""
    meta = dict(choices=tuple(options), doc=doc, widget="dropdown")
    return dataclasses.field(default=default, metadata={"rlcore": meta})


def _kind_of(default: Any, meta: dict) -> str:
    if meta.get("choices") is not None:
        return "choice"
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, numbers.Integral):
        return "int"
    if isinstance(default, numbers.Real):
        return "float"
    if isinstance(default, tuple):
        return "floats"
    return "other"


def field_specs(config_cls: type) -> list[FieldSpec]:
    """The declared fields of a config class, in order, with their ranges, docs and widget hints."""
    specs = []
    for f in dataclasses.fields(config_cls):
        meta = dict(f.metadata.get("rlcore", {}))
        default = f.default if f.default is not dataclasses.MISSING else None
        kind = _kind_of(default, meta)
        widget = meta.get("widget", "none" if not meta else "slider")
        if kind == "bool":
            widget = "checkbox"
        specs.append(
            FieldSpec(
                name=f.name,
                default=default,
                kind=kind,
                range=meta.get("range"),
                choices=meta.get("choices"),
                doc=meta.get("doc", ""),
                ui=meta.get("ui"),
                widget=widget if meta else "none",
                min_len=meta.get("min_len", 1),
            )
        )
    return specs


def _fail(cls_name: str, spec: FieldSpec, value: Any, allowed: str) -> ConfigError:
    doc = f": {spec.doc}" if spec.doc else ""
    return ConfigError(f"{cls_name}.{spec.name} = {value!r} is outside its allowed range {allowed}{doc}", spec.name)


def _check_number(cls_name: str, spec: FieldSpec, value: Any, integer: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(cls_name, spec, value, f"{'an integer' if integer else 'a number'} in {spec.range}")
    if integer and not float(value).is_integer():
        raise _fail(cls_name, spec, value, f"an integer in {spec.range}")
    if not math.isfinite(float(value)):
        raise _fail(cls_name, spec, value, f"a finite number in {spec.range}")
    if spec.range is not None and not spec.range.contains(float(value)):
        raise _fail(cls_name, spec, value, str(spec.range))


class Config:
    """Base class for frozen, self-validating experiment configs.

    Subclasses are ``@dataclass(frozen=True)`` and declare fields with :func:`param` or :func:`choice`.
    Cross-field rules go in :meth:`check`, which raises :class:`ConfigError` via :meth:`invalid`.
    Integer fields given a whole float (as widgets and papermill sometimes do) are stored as ``int``.
    """

    def __post_init__(self) -> None:
        name = type(self).__name__
        for spec in field_specs(type(self)):
            value = getattr(self, spec.name)
            if spec.kind in ("int", "float"):
                _check_number(name, spec, value, integer=spec.kind == "int")
                if spec.kind == "int" and not isinstance(value, int):
                    object.__setattr__(self, spec.name, int(value))
                if spec.kind == "float" and not isinstance(value, float):
                    object.__setattr__(self, spec.name, float(value))
            elif spec.kind == "bool":
                if not isinstance(value, (bool,)) and value not in (0, 1):
                    raise _fail(name, spec, value, "{True, False}")
                object.__setattr__(self, spec.name, bool(value))
            elif spec.kind == "choice":
                if value not in spec.choices:
                    raise _fail(name, spec, value, "{" + ", ".join(map(repr, spec.choices)) + "}")
            elif spec.kind == "floats":
                if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                    raise _fail(name, spec, value, f"a sequence of numbers in {spec.range}")
                value = tuple(value)
                if len(value) < spec.min_len:
                    raise ConfigError(
                        f"{name}.{spec.name} = {value!r} has {len(value)} entries; at least {spec.min_len} "
                        f"are required", spec.name)
                for v in value:
                    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not (
                            spec.range or Range()).contains(float(v)):
                        raise ConfigError(
                            f"{name}.{spec.name} = {value!r} has an entry {v!r} outside its allowed range "
                            f"{spec.range or Range()}", spec.name)
                object.__setattr__(self, spec.name, tuple(float(v) for v in value))
        self.check()

    def check(self) -> None:
        """Cross-field validation; override in subclasses. Raise with :meth:`invalid`."""

    def invalid(self, field: str, allowed: str) -> ConfigError:
        """Build the error for ``field`` whose value is not ``allowed`` (a phrase describing what is)."""
        value = getattr(self, field)
        return ConfigError(f"{type(self).__name__}.{field} = {value!r} is not allowed: {allowed}", field)

    def replace(self, **changes: Any):
        """A copy with ``changes`` applied, validated again."""
        return dataclasses.replace(self, **changes)

    def with_quick(self, quick: bool, **small: Any):
        """This config, or in quick mode a copy with the budget fields in ``small`` made small.

        The reader's values are validated first (by constructing ``self``), so a bad budget a reader passes
        fails in quick mode exactly as in full mode; quick mode only ever *lowers* a numeric budget
        (``min(reader's value, small value)``) and never replaces a value it was not asked to. Notebooks
        write ``Cfg(runs=runs, steps=steps).with_quick(params.quick, runs=10, steps=500)``.
        """
        if not quick:
            return self
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(small) - names)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field(s) {unknown} to shrink in quick mode")
        changes = {}
        for name, value in small.items():
            current = getattr(self, name)
            numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in (current, value))
            changes[name] = min(current, value) if numeric else value
        return self.replace(**changes)

    def to_dict(self) -> dict:
        """The fields as a plain dict (tuples kept), e.g. for metrics JSON."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
