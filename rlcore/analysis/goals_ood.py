"""Lesson 06: goals out of distribution.

Three measurements, each with its references and controls:

1. **Goal misgeneralization, small** (after CoinRun, Langosco et al. 2022). Level runners
   (:func:`rlcore.learners.goal_agents.train_level_runner`) trained on coin levels
   (:mod:`rlcore.envs.coin_level`) where a share ``s`` of levels has the coin on a ledge and the rest at the
   level's end. Tested on new levels with the coin at the end (in distribution) and on a ledge (moved). Per
   run: coin rate (the goal), end rate and death rate (the capability). The metric is calibrated on an
   untrained (uniform) policy, a scripted competent runner that ignores coins, and a scripted coin seeker.
   Two representations (``CoinConfig.coin_feature``): "separate" (the coin feature is never on in training at
   s = 0, so its weights stay at their start: an identity) and "shared" (the same feature marks the training
   coin and the moved one): at s = 0 the representation decides whether the goal carries over.
2. **Cue-follower vs. rule-inferrer** (:mod:`rlcore.envs.cued_doors`). The same door-picking learner trained
   on the game family as it is (it keys on the vivid cue) and with a share of games that show no cue (it keys on
   the faint marker). Neither ever sees a misleading game in training. Measured: how far apart their policies
   are (mean total-variation distance) on every kind of game, including the uncued games only one of them saw;
   the share of games won within 1..doors picks and the expected number of picks to win (in-episode reward
   feedback: a failed door is not opened again); a sweep over the number of doors; and the same learner on the
   same aligned data from two starting weights (:func:`same_data_different_start`). On "arbitrary" games every
   policy wins within k picks with probability k / doors (an identity, used as a calibration).
3. **The cloning example**: an agent that values fitness correlates and one that values fitness, offered
   familiar options and then a new option that raises fitness without its correlates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.coin_level import CoinLevelConfig
from ..envs.cued_doors import CuedDoorsConfig, draw_games
from ..learners.goal_agents import (PickerConfig, RunnerConfig, picks_to_win, play_levels,
                                    train_door_picker, train_level_runner)
from ..learners.softmax import softmax
from ..seeding import as_generator, derive_seed

__all__ = ["CoinConfig", "run_coin_sweep", "coin_summary", "scripted_runner", "DoorsConfig", "run_doors",
           "doors_summary", "run_doors_cached", "policy_distance", "doors_sweep", "same_data_different_start",
           "MARKER_LEANING",
           "chance_within_tries", "cloning_choices", "SHARES"]

#: Training shares of levels with the coin elsewhere (the curriculum's 0, 2, 10, 30% and a few more).
SHARES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3)


@dataclass(frozen=True)
class CoinConfig(Config):
    """Part 1: level generation, the runner's training, and the test."""

    length: int = param(14, low=6, high=40, ui=(6, 30), doc="cells per level, 6..40")
    pit_density: float = param(0.35, low=0.0, high=1.0, ui=(0.0, 0.8, 0.05), doc="chance of a pit per cell")
    learning_rate: float = param(0.5, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05), doc="step size, > 0")
    updates: int = param(150, low=1, ui=(10, 400, 10), doc="REINFORCE updates per run, >= 1")
    episodes: int = param(32, low=1, ui=(4, 64), doc="levels per update, >= 1")
    runs: int = param(10, low=1, ui=(1, 20), doc="independent runs (seeds) per training share, >= 1")
    test_levels: int = param(200, low=1, ui=(20, 500), doc="new test levels per run and placement, >= 1")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed")
    coin_feature: str = choice("separate", ("separate", "shared"),
                               doc="the runner's coin feature: 'separate' (coin on the ledge above; end coin "
                                   "taken by touch) or 'shared' (coin in my cell; every coin taken by grab)")


def scripted_runner(seek_coin: bool, margin: float = 10.0) -> np.ndarray:
    """Hand-set weights (1, 3, 5): jump over a pit ahead, otherwise step right; with ``seek_coin``, grab a
    coin above. Features [1, pit +1, pit +2, coin above, coin ahead]; actions [right, jump, grab]."""
    m, c = margin, (2 * margin if seek_coin else 0.0)
    return np.array([[[m / 2, -m, 0, -c, 0], [0, m, -m, -c, 0], [-m / 2, 0, 0, c, 0]]])


def _evaluate(weights, level_config, n, rng) -> dict:
    runs, out = weights.shape[0], {}
    for placement in ("end", "ledge"):
        lv = play_levels(weights, level_config, n, rng, coin=placement)
        for name, arr in (("coin", lv.coin), ("end", lv.reached_end), ("died", lv.died)):
            out[f"{placement}_{name}"] = arr.reshape(runs, n).mean(1)
    return out


def run_coin_sweep(config: CoinConfig, shares=SHARES, progress=None) -> dict:
    """Train ``config.runs`` runners at every training share and test them; plus the references.

    Returns {"shares": [...], "learned": {share: {metric: per-run array}}, "references": {name: {metric: x}}}.
    """
    learner = RunnerConfig(learning_rate=config.learning_rate, updates=config.updates, episodes=config.episodes)
    test_levels = CoinLevelConfig(length=config.length, pit_density=config.pit_density,
                                  coin_feature=config.coin_feature)
    learned = {}
    for i, share in enumerate(shares):
        train_levels = test_levels.replace(coin_elsewhere=float(share))
        w = train_level_runner(learner, train_levels, config.runs, seed=derive_seed(config.seed, "train", i))
        learned[float(share)] = _evaluate(w, test_levels, config.test_levels,
                                          as_generator(derive_seed(config.seed, "test", i)))
        # how strongly "coin above" pushes towards grab, relative to the other actions (per run)
        learned[float(share)]["grab_coin_weight"] = w[:, 2, 3] - w[:, :2, 3].mean(1)
        if progress is not None:
            progress((i + 1) / (len(shares) + 1))
    rng = as_generator(derive_seed(config.seed, "references"))
    references = {name: {k: float(v.mean()) for k, v in _evaluate(w, test_levels, config.test_levels, rng).items()}
                  for name, w in (("untrained (uniform)", np.zeros((1, 3, 5))),
                                  ("scripted runner, ignores coins", scripted_runner(False)),
                                  ("scripted coin seeker", scripted_runner(True)))}
    if progress is not None:
        progress(1.0)
    return {"shares": [float(s) for s in shares], "learned": learned, "references": references}


def coin_summary(sweep: dict) -> dict:
    """Means and per-run extremes of the sweep, for the notebook's metrics."""
    out = {"references": sweep["references"], "by_share": {}}
    for share, m in sweep["learned"].items():
        out["by_share"][f"{share:g}"] = {
            **{k: float(v.mean()) for k, v in m.items()},
            "ledge_coin_max": float(m["ledge_coin"].max()), "ledge_coin_min": float(m["ledge_coin"].min()),
            "end_coin_min": float(m["end_coin"].min()),
            "ledge_capable_min": float((1 - m["ledge_died"]).min()),
            "grab_coin_weight_max_abs": float(np.abs(m["grab_coin_weight"]).max()),
        }
    return out


@dataclass(frozen=True)
class DoorsConfig(Config):
    """Part 2: the game family, the two agents' training, and the test."""

    doors: int = param(4, low=2, high=10, ui=(2, 8), doc="doors per game, 2..10")
    cue_salience: float = param(1.0, low=0.0, ui=(0.0, 2.0, 0.05), doc="size of the surface cue, >= 0")
    marker_salience: float = param(0.5, low=0.0, ui=(0.0, 2.0, 0.05), doc="size of the rule's marker, >= 0")
    uncued_share: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 1.0, 0.05),
                                doc="share of games without a cue in the rule-inferrer's training")
    learning_rate: float = param(1.0, low=0.0, low_open=True, ui=(0.05, 2.0, 0.05), doc="step size, > 0")
    updates: int = param(400, low=1, ui=(20, 800, 20), doc="REINFORCE updates per agent, >= 1")
    games: int = param(32, low=1, ui=(4, 64), doc="training games per update, >= 1")
    runs: int = param(10, low=1, ui=(1, 20), doc="independent runs (seeds) per agent, >= 1")
    test_games: int = param(500, low=1, ui=(50, 1000, 50), doc="test games per run, kind and budget, >= 1")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed")


def policy_distance(pi_a: np.ndarray, pi_b: np.ndarray) -> float:
    """Mean over games of the total-variation distance 1/2 sum_i |pi_a(i) - pi_b(i)| (arrays (games, doors))."""
    return float(0.5 * np.abs(np.asarray(pi_a) - np.asarray(pi_b)).sum(-1).mean())


def chance_within_tries(doors: int, tries: int) -> float:
    """Success of an agent with no information that never repeats a door: min(tries, doors) / doors."""
    return min(tries, doors) / doors


AGENTS = ("cue-follower", "rule-inferrer")
KINDS = ("aligned", "misleading", "arbitrary")


def _train_both(config: DoorsConfig) -> dict:
    learner = PickerConfig(learning_rate=config.learning_rate, updates=config.updates, games=config.games)
    shares = np.r_[np.zeros(config.runs), np.full(config.runs, config.uncued_share)]
    both = train_door_picker(learner, _family(config), 2 * config.runs, derive_seed(config.seed, "pickers"), shares)
    return {"cue-follower": both[:config.runs], "rule-inferrer": both[config.runs:]}


def _family(config: DoorsConfig) -> CuedDoorsConfig:
    return CuedDoorsConfig(doors=config.doors, cue_salience=config.cue_salience,
                           marker_salience=config.marker_salience, uncued_share=config.uncued_share)


def run_doors(config: DoorsConfig, progress=None) -> dict:
    """Train both agents (``config.runs`` runs each) and test them on every kind of game.

    Each test game is played until the winner is found (a failed door is not opened again): ``picks`` per agent
    and kind (runs, games); success within k picks (k = 1: no feedback) is the share with picks <= k, and the
    expected number of picks to win is their mean. Policy distances (runs,) are measured on every test kind
    and also on games that show no cue ("uncued") and on the rule-inferrer's own training mix ("train mix")."""
    weights = _train_both(config)
    family = _family(config)
    if progress is not None:
        progress(0.5)
    rng = as_generator(derive_seed(config.seed, "test"))
    n, runs, d = config.test_games, config.runs, config.doors
    budgets = np.arange(1, d + 1)
    success = {a: {} for a in AGENTS + ("uniform",)}
    picks = {a: {} for a in AGENTS + ("uniform",)}
    distance = {}
    for kind in KINDS + ("uncued", "train mix"):
        share = {"uncued": 1.0, "train mix": config.uncued_share}.get(kind)
        feats, winner = draw_games(family, runs * n, rng, "train" if share is not None else kind,
                                   None if share is None else np.full(runs * n, share))
        pis = {a: softmax(np.einsum("ndf,nf->nd", feats, np.repeat(weights[a], n, 0))) for a in AGENTS}
        distance[kind] = np.array([policy_distance(pis["cue-follower"][r * n:(r + 1) * n],
                                                   pis["rule-inferrer"][r * n:(r + 1) * n]) for r in range(runs)])
        if share is not None:
            continue
        for a in AGENTS + ("uniform",):
            w = np.zeros((runs * n, 2)) if a == "uniform" else np.repeat(weights[a], n, 0)
            p = picks_to_win(w, feats, winner, rng).reshape(runs, n)
            picks[a][kind] = p.mean(1)
            success[a][kind] = (p[..., None] <= budgets).mean(1)
    if progress is not None:
        progress(1.0)
    return {"weights": weights, "success": success, "picks": picks, "distance": distance, "budgets": budgets,
            "chance": np.array([chance_within_tries(d, int(k)) for k in budgets]),
            "chance_picks": (d + 1) / 2}


def doors_sweep(config: DoorsConfig, doors=(2, 4, 6, 8)) -> dict:
    """Expected picks to win a misleading game for both agents at each number of doors (everything else from
    ``config``), beside the no-information reference (doors + 1) / 2; and each agent's one-pick win rate."""
    out = {"doors": [int(x) for x in doors], "chance_picks": [(x + 1) / 2 for x in doors]}
    for a in AGENTS:
        out[a] = {"picks": [], "picks_max": [], "one_pick": []}
    out["picks_saved_min"] = []
    for x in doors:
        r = run_doors(config.replace(doors=int(x)))
        for a in AGENTS:
            out[a]["picks"].append(float(r["picks"][a]["misleading"].mean()))
            out[a]["picks_max"].append(float(r["picks"][a]["misleading"].max()))
            out[a]["one_pick"].append(float(r["success"][a]["misleading"][:, 0].mean()))
        out["picks_saved_min"].append(float((r["picks"]["cue-follower"]["misleading"]
                                             - r["picks"]["rule-inferrer"]["misleading"]).min()))
    return out


#: The marker-leaning starting weights [cue, marker] of the same-data control.
MARKER_LEANING = (-2.0, 4.0)


def same_data_different_start(config: DoorsConfig, initial=MARKER_LEANING) -> dict:
    """The cleanest form of "same behaviour in distribution, different outside": the same learner trained on
    the same kind of data (aligned games only) from two starting weights, zero and ``initial`` (an inductive
    bias towards the marker). Returns the policy distance and each start's one-pick win rate on aligned and
    misleading games (means and per-run extremes over ``config.runs`` runs)."""
    learner = PickerConfig(learning_rate=config.learning_rate, updates=config.updates, games=config.games)
    family = _family(config).replace(uncued_share=0.0)
    w = {"zero start": train_door_picker(learner, family, config.runs, derive_seed(config.seed, "start", 0)),
         "marker-leaning start": train_door_picker(learner, family, config.runs,
                                                   derive_seed(config.seed, "start", 1), initial=initial)}
    rng = as_generator(derive_seed(config.seed, "start test"))
    n, out = config.test_games, {"initial": list(initial), "weights": {k: v.mean(0).tolist() for k, v in w.items()}}
    for kind in ("aligned", "misleading"):
        feats, winner = draw_games(family, n, rng, kind)
        pis = {k: [softmax(np.einsum("ndf,f->nd", feats, v[r])) for r in range(config.runs)] for k, v in w.items()}
        dist = np.array([policy_distance(a, b) for a, b in zip(*pis.values())])
        out[kind] = {"distance": float(dist.mean()), "distance_max": float(dist.max()),
                     "distance_min": float(dist.min()),
                     **{k: float(np.mean([p[np.arange(n), winner].mean() for p in v])) for k, v in pis.items()}}
    return out


@functools.lru_cache(maxsize=64)
def run_doors_cached(config: DoorsConfig) -> dict:
    """:func:`run_doors`, remembered per config (a widget moved back answers at once)."""
    return run_doors(config)


def doors_summary(result: dict) -> dict:
    """Mean success per agent, kind and budget; the rule-inferrer's advantage; policy distances."""
    s, out = result["success"], {"budgets": result["budgets"].tolist(), "chance": result["chance"].tolist()}
    for a in s:
        out[a] = {k: s[a][k].mean(0).tolist() for k in KINDS}
    out["advantage"] = {k: (s["rule-inferrer"][k] - s["cue-follower"][k]).mean(0).tolist() for k in KINDS}
    out["advantage_min_over_runs"] = {k: (s["rule-inferrer"][k] - s["cue-follower"][k]).min(0).tolist()
                                      for k in KINDS}
    out["picks"] = {a: {k: float(v.mean()) for k, v in result["picks"][a].items()} for a in result["picks"]}
    out["picks_saved"] = {k: float((result["picks"]["cue-follower"][k] - result["picks"]["rule-inferrer"][k]).mean())
                          for k in KINDS}
    out["picks_saved_min"] = {k: float((result["picks"]["cue-follower"][k]
                                        - result["picks"]["rule-inferrer"][k]).min()) for k in KINDS}
    out["chance_picks"] = result["chance_picks"]
    out["distance"] = {k: float(v.mean()) for k, v in result["distance"].items()}
    out["distance_max"] = {k: float(v.max()) for k, v in result["distance"].items()}
    out["distance_min"] = {k: float(v.min()) for k, v in result["distance"].items()}
    out["weights"] = {a: result["weights"][a].mean(0).tolist() for a in AGENTS}
    return out


def cloning_choices(n_familiar: int = 200, seed: int = 0) -> dict:
    """The thread's cloning example as a computation (an illustration, not a finding).

    Familiar options have food and offspring care in [0, 1]; their fitness (expected offspring) is
    ``food + 1.5 care`` plus noise. The correlate-valuer's utility is the least-squares fit of fitness on
    (food, care) over the familiar options (it values what went with fitness); the fitness-valuer's utility is
    the option's fitness. Offered pairs of familiar options, both choose alike. Offered *cloning* (no food, no
    care, fitness twice the best familiar option) against each familiar option, they part ways. Control: a
    new option that raises fitness *through* its correlates (plenty of food and care), which both take.
    """
    rng = as_generator(seed)
    x = rng.random((n_familiar, 2))
    fitness = x @ np.array([1.0, 1.5]) + 0.1 * rng.standard_normal(n_familiar)
    coef, *_ = np.linalg.lstsq(np.c_[np.ones(n_familiar), x], fitness, rcond=None)

    def correlate_utility(features):
        return coef[0] + features @ coef[1:]

    i, j = rng.integers(0, n_familiar, (2, 2000))
    keep = i != j
    i, j = i[keep], j[keep]
    agree = np.mean((correlate_utility(x[i]) > correlate_utility(x[j])) == (fitness[i] > fitness[j]))
    clone_fitness = 2 * fitness.max()
    rich_features = np.array([1.2, 1.2])
    rich_fitness = rich_features @ np.array([1.0, 1.5])
    return {
        "familiar_pair_agreement": float(agree),
        "clone_taken_by_fitness_valuer": float(np.mean(clone_fitness > fitness)),
        "clone_taken_by_correlate_valuer": float(np.mean(correlate_utility(np.zeros(2)) > correlate_utility(x))),
        "rich_option_taken_by_fitness_valuer": float(np.mean(rich_fitness > fitness)),
        "rich_option_taken_by_correlate_valuer": float(np.mean(correlate_utility(rich_features)
                                                               > correlate_utility(x))),
        "correlate_weights": coef.tolist(),
    }
