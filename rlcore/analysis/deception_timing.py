"""Deception without a deployment phase (curriculum item 2): when should a model with a hidden goal defect?

A scripted dynamic program, not a learner. Time runs t = 0 .. horizon-1 and never has a deployment phase:
the model is trained (can be modified) at every step. At step t it either

* **complies**: its hidden goal gains nothing, nobody modifies it; or
* **defects**: its hidden goal gains the opportunity size O(t) = (1 + g)^t, and then it is caught and
  modified (its goal erased: no further gains) with probability q.

Future gains are discounted by gamma per step. With V(horizon) = 0, the Bellman equation of the unmodified
model is

    V(t) = max( gamma V(t+1),  O(t) + (1 - q) gamma V(t+1) ),

so defecting at t is optimal iff O(t) >= q gamma V(t+1): the gain now must beat the expected loss of the
whole future. The *optimal defection time* is the first t at which defecting is optimal; the steps before it
are spent complying while holding the other goal (the deceptive phase). Controls: with flat opportunities
(g = 0) the model defects at once (O = 1 >= q gamma V(t+1) because V(t+1) <= 1 / (1 - (1 - q) gamma)); with
q = 0 (no modification) too, whatever g.

**Closed form** (so the lesson's results are theorems, and the tests unit checks). Count steps from the end,
k = horizon - 1 - t, and let x = (1 + g) gamma, y = (1 - q) x. If the model defects at every step after t,
gamma V(t+1) / O(t) = R_k with R_0 = 0, R_k = x (1 + (1 - q) R_{k-1}), i.e. R_k = x (1 - y^k) / (1 - y)
(k x for y = 1). R_k rises with k, so the model defects in exactly the last k* + 1 steps, with

    k* = max{k : q R_k <= 1} = floor( ln(1 - (1 - y) / (q x)) / ln y )     (0 < q < 1, x > 1),

and at once (k* = infinity, capped by the horizon) when x <= 1 or q = 0; k* = 0 when q = 1 and x > 1. So the
defection time is horizon - 1 - k*: **how many steps before the end it defects does not depend on the
horizon**; it falls as g grows (x up) and as q grows, and jumps from "at once" to a finite number at x = 1.
:func:`steps_before_end` computes k*; the tests check it against the dynamic program.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, param

__all__ = ["DeceptionConfig", "solve", "defection_time", "defection_curve", "value_of_first_defection",
           "steps_before_end", "GROWTH_RANGE", "MODIFY_RANGE"]

#: The range of growth rates g and modification probabilities q the lesson shows (and the tests sweep).
GROWTH_RANGE = np.round(np.linspace(0.0, 0.3, 31), 4)
MODIFY_RANGE = (0.1, 0.3, 0.6, 1.0)


@dataclass(frozen=True)
class DeceptionConfig(Config):
    """The deception-timing dynamic program."""

    growth: float = param(0.1, low=0.0, high=1.0, ui=(0.0, 0.3, 0.01),
                          doc="growth rate g of the opportunity size O(t) = (1 + g)^t, in [0, 1]")
    modify_prob: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                               doc="probability q of being caught and modified after a defection, in [0, 1]")
    discount: float = param(0.95, low=0.0, high=1.0, low_open=True, ui=(0.8, 1.0, 0.01),
                            doc="discount gamma per step, in (0, 1]")
    horizon: int = param(40, low=1, high=1000, ui=(5, 100), doc="steps the model lives, >= 1")


def solve(config: DeceptionConfig) -> dict:
    """Backward induction. Returns ``value`` (horizon + 1,) (V(t), V(horizon) = 0), ``defect`` (horizon,) bool
    (defecting is optimal at t, ties count as defecting), ``opportunity`` (horizon,) and ``defection_time``
    (the first t with ``defect``; ``horizon`` if never)."""
    T, q, gamma = config.horizon, config.modify_prob, config.discount
    opportunity = (1.0 + config.growth) ** np.arange(T)
    value, defect = np.zeros(T + 1), np.zeros(T, dtype=bool)
    for t in range(T - 1, -1, -1):
        comply, defect_now = gamma * value[t + 1], opportunity[t] + (1 - q) * gamma * value[t + 1]
        defect[t] = defect_now >= comply
        value[t] = max(comply, defect_now)
    first = int(np.argmax(defect)) if defect.any() else T
    return {"value": value, "defect": defect, "opportunity": opportunity, "defection_time": first}


def defection_time(config: DeceptionConfig) -> int:
    """The optimal first defection time (``horizon`` if the model never defects)."""
    return solve(config)["defection_time"]


def defection_curve(config: DeceptionConfig, growths=GROWTH_RANGE, modify_probs=MODIFY_RANGE) -> dict:
    """The optimal defection time for every (q, g) pair: ``times`` (len(modify_probs), len(growths)) and
    ``flat`` (one per q): the control with flat opportunities (g = 0)."""
    times = np.array([[defection_time(config.replace(growth=float(g), modify_prob=float(q))) for g in growths]
                      for q in modify_probs])
    flat = np.array([defection_time(config.replace(growth=0.0, modify_prob=float(q))) for q in modify_probs])
    return {"growths": np.asarray(growths), "modify_probs": np.asarray(modify_probs), "times": times,
            "flat": flat}


def value_of_first_defection(config: DeceptionConfig, tau: int) -> float:
    """An independent check of :func:`solve`: the value of "comply until tau, then defect at every step"
    summed directly, sum_{t >= tau} gamma^t (1 - q)^(t - tau) O(t). The DP's V(0) is the maximum over tau of
    this (the optimal policy has this threshold form)."""
    t = np.arange(tau, config.horizon)
    return float(np.sum(config.discount ** t * (1 - config.modify_prob) ** (t - tau) * (1 + config.growth) ** t))


def steps_before_end(growth: float, modify_prob: float, discount: float) -> float:
    """The closed form k* of the module docstring: the model defects in the last k* + 1 steps of any horizon
    longer than k* + 1 (``inf`` where it defects at once whatever the horizon: (1 + g) gamma <= 1 or q = 0)."""
    x, q = (1.0 + growth) * discount, modify_prob
    if q == 0.0 or x <= 1.0:
        return float("inf")
    y = (1.0 - q) * x
    if y == 0.0:  # q = 1: one defection ends the game
        return 0.0
    if y == 1.0:
        ratio = 1.0 / (q * x)  # R_k = k x
    else:  # the argument of the log is positive because x > 1
        ratio = np.log(1.0 - (1.0 - y) / (q * x)) / np.log(y)
    return float(np.floor(ratio + 1e-9))
