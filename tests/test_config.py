"""rlcore.config: ranges, types and messages that name the field."""

from dataclasses import FrozenInstanceError, dataclass

import pytest

from rlcore.config import Config, ConfigError, Range, choice, field_specs, param


@dataclass(frozen=True)
class Example(Config):
    learning_rate: float = param(0.1, low=0.0, low_open=True, ui=(0.01, 1.0))
    gamma: float = param(0.9, low=0.0, high=1.0)
    steps: int = param(10, low=1, ui=(1, 100))
    flag: bool = param(False)
    mode: str = choice("a", ["a", "b"])
    means: tuple = param((0.1, 0.2), low=0.0, high=1.0, min_len=2, widget="none")
    batch: int = param(8, low=1, ui=(1, 64))
    minibatches: int = param(2, low=1, ui=(1, 8))

    def check(self):
        if self.batch % self.minibatches:
            raise self.invalid("minibatches", f"a divisor of batch = {self.batch}")


@pytest.mark.parametrize("field,value,fragment", [
    ("learning_rate", -0.1, "Example.learning_rate = -0.1 is outside its allowed range (0, inf)"),
    ("learning_rate", 0.0, "(0, inf)"),
    ("gamma", 1.5, "Example.gamma = 1.5 is outside its allowed range [0, 1]"),
    ("gamma", float("nan"), "gamma = nan"),
    ("steps", 0, "Example.steps = 0"),
    ("steps", 2.5, "an integer"),
    ("steps", "3", "steps = '3'"),
    ("mode", "c", "{'a', 'b'}"),
    ("means", (0.5,), "at least 2"),
    ("means", (0.5, 1.5), "entry 1.5"),
    ("means", (), "has 0 entries"),
    ("minibatches", 3, "a divisor of batch = 8"),
    ("flag", "yes", "flag"),
])
def test_bad_values_raise_naming_the_field(field, value, fragment):
    with pytest.raises(ValueError) as err:
        Example(**{field: value})
    assert isinstance(err.value, ConfigError) and err.value.field == field
    assert field in str(err.value) and fragment in str(err.value)


def test_good_values_are_kept_and_coerced():
    e = Example(learning_rate=1, steps=5.0, means=[0.0, 1.0])
    assert e.learning_rate == 1.0 and isinstance(e.learning_rate, float)
    assert e.steps == 5 and isinstance(e.steps, int)
    assert e.means == (0.0, 1.0)
    assert e.replace(gamma=0.0).gamma == 0.0 and e.replace(gamma=1.0).gamma == 1.0


def test_frozen_and_replace_validates():
    e = Example()
    with pytest.raises(FrozenInstanceError):
        e.gamma = 0.5
    with pytest.raises(ValueError, match="gamma"):
        e.replace(gamma=-1)


def test_range_text_and_membership():
    r = Range(0, 1, low_open=True)
    assert str(r) == "(0, 1]" and not r.contains(0) and r.contains(1) and not r.contains(float("inf"))
    assert str(Range()) == "(-inf, inf)"


def test_field_specs_feed_the_widgets():
    specs = {s.name: s for s in field_specs(Example)}
    assert specs["flag"].widget == "checkbox" and specs["mode"].widget == "dropdown"
    assert specs["steps"].kind == "int" and specs["learning_rate"].ui == (0.01, 1.0)
    assert specs["means"].widget == "none"


def test_with_quick_validates_the_readers_value_first_and_only_lowers_budgets():
    with pytest.raises(ConfigError, match="steps"):
        Example(steps=-5).with_quick(True, steps=3)  # a bad budget fails in quick mode too
    assert Example(steps=50).with_quick(True, steps=3).steps == 3
    assert Example(steps=2).with_quick(True, steps=3).steps == 2  # never raised above the reader's value
    assert Example(steps=50).with_quick(False, steps=3).steps == 50
    assert Example().with_quick(True, mode="b").mode == "b"
    with pytest.raises(TypeError, match="nope"):
        Example().with_quick(True, nope=1)
