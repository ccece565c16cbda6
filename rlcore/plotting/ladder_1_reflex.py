"""Figures of the level-1 ladder notebook (the lagoon boat)."""

from __future__ import annotations

import numpy as np

from . import color, label, mean_band, subplots


def _races(result) -> np.ndarray:
    """x axis: races run so far at each update (update index times boats per update)."""
    return np.arange(result.run.donuts.shape[1]) * result.config.boats


def _nu_x(result) -> np.ndarray:
    """x of nu(t): nu[k] is the policy before update k * WINDOW (nu[0]: the initial policy), in races."""
    from ..analysis.ladder_1_reflex import WINDOW
    return np.arange(len(result.metrics[0].nu)) * WINDOW * result.config.boats


def fates(named: dict):
    """Donuts per race, finish rate and nu(t) over training for several named :class:`LagoonResult` s.

    ``named`` maps a legend label to a result; each curve is the mean over runs with a 10-90% band.
    """
    fig, axes = subplots(3, width=4.0)
    for i, (name, res) in enumerate(named.items()):
        x = _races(res)
        mean_band(axes[0], x, res.run.donuts, label=name, i=i)
        mean_band(axes[1], x, res.run.finished, label=name, i=i)
        nu = np.array([m.nu for m in res.metrics])
        mean_band(axes[2], _nu_x(res), nu, label=name, i=i)
    label(axes[0], "races trained on (episodes)", "donuts per race (count)", "the lagoon habit")
    label(axes[1], "races trained on (episodes)", "share of races finished", "finishing the race")
    axes[1].set_ylim(-0.03, 1.03)
    from ..analysis.ladder import LOCK_THRESHOLD
    axes[2].axhline(LOCK_THRESHOLD, color="k", ls=":", lw=1, label=f"lock-in threshold {LOCK_THRESHOLD}")
    label(axes[2], "races trained on (episodes)", "ν: visits to N / uniform explorer's", "visits to region N")
    axes[2].set_ylim(bottom=-0.03)
    axes[0].legend(loc="best", fontsize=8)
    axes[2].legend(loc="best", fontsize=8)
    return fig


def phase_diagram(biases, sweeps: dict, runs: int):
    """Final finish probability (left) and lock-in rate (right) against the initial spin bias.

    ``sweeps`` maps a label to a :func:`bias_sweep` result with ``runs`` runs per bias.
    """
    fig, (ax1, ax2) = subplots(2)
    biases = np.asarray(biases)
    for i, (name, res) in enumerate(sweeps.items()):
        finish = res.final["finish"].reshape(len(biases), runs)
        locked = np.array([m.locked for m in res.metrics], dtype=float).reshape(len(biases), runs)
        ax1.plot(biases, finish.mean(1), "o-", color=color(i), label=name)
        ax1.fill_between(biases, finish.min(1), finish.max(1), color=color(i), alpha=0.15, lw=0)
        ax2.plot(biases, locked.mean(1), "o-", color=color(i), label=name)
    for ax in (ax1, ax2):
        ax.set_ylim(-0.03, 1.03)
        ax.legend(loc="center right", fontsize=8)
    label(ax1, "initial spin bias (lagoon left logit)", "P(finish) of the final policy",
          "mean over runs; band: min to max")
    label(ax2, "initial spin bias (lagoon left logit)", "share of runs locked in (τ_lock exists)",
          "lock-in rate")
    return fig


def gap_map(named: dict):
    """Delta_R against Delta_G, one dot per run, with the ladder's reading of each corner."""
    fig, ax = subplots(1, width=5.2, height=4.0)
    rng = np.random.default_rng(0)  # jitter only, so overlapping dots stay visible
    for i, (name, res) in enumerate(named.items()):
        dg = np.array([m.delta_g for m in res.metrics])
        dr = np.array([m.delta_r for m in res.metrics])
        ax.scatter(dg + rng.normal(0, 0.008, dg.size), dr + rng.normal(0, 0.008, dr.size), s=22, alpha=0.7,
                   color=color(i), label=name)
    ax.axhline(0.1, color="k", ls=":", lw=1)
    ax.axvline(0.1, color="k", ls=":", lw=1)
    ax.set_xlim(-0.05, 0.9)
    ax.set_ylim(-0.05, 0.9)
    ax.text(0.74, 0.8, "both large:\nexploration lock-in", ha="right", va="center", fontsize=8)
    ax.text(0.74, 0.16, "Δ_R ≈ 0, Δ_G large:\nmisspecified reward", ha="right", va="bottom", fontsize=8)
    ax.text(0.12, 0.16, "both small:\nlearned the race", ha="left", va="bottom", fontsize=8)
    label(ax, "Δ_G: gap to the best race result (finish payment)", "Δ_R: gap to the best return (reward)",
          "one dot per run")
    ax.legend(loc="center left", fontsize=8)
    return fig


def merge_identical(named: dict, atol: float = 0.05) -> dict:
    """Group results whose mean donuts-per-race curves agree within ``atol`` donuts at every update under one
    joined label, so that curves lying on top of each other are drawn once and named together."""
    groups: list[tuple[list[str], object]] = []
    for name, res in named.items():
        curve = res.run.donuts.mean(0)
        for names, first in groups:
            if np.allclose(first.run.donuts.mean(0), curve, rtol=0, atol=atol):
                names.append(name)
                break
        else:
            groups.append(([name], res))
    return {" =\n".join(names) + (f"\n(curves coincide within {atol:g} donuts)" if len(names) > 1 else ""): res
            for names, res in groups}


def exchange(results: dict):
    """Donuts per race over training for each learner, one panel per initial bias (weak, strong); learners
    with identical records are drawn once, under a joined label."""
    fig, axes = subplots(len(results), width=4.6, sharey=True)
    for ax, (bias_name, named) in zip(np.atleast_1d(axes), results.items()):
        for i, (name, res) in enumerate(merge_identical(named).items()):
            mean_band(ax, _races(res), res.run.donuts, label=name, i=i)
            ax.lines[-1].set_linestyle(("-", "--", "-.", ":")[i % 4])
        label(ax, "races trained on (episodes)", "donuts per race (count)", f"{bias_name} spin bias")
    for ax in np.atleast_1d(axes):
        ax.legend(loc="center right", fontsize=7)
    return fig


def season(named: dict, season_end: int):
    """P(steer left) in each lagoon cell over training (mean over runs) and the own-policy nu(t), for several
    named :class:`LagoonResult` s; the dotted line marks the end of the power-up season."""
    first = next(iter(named.values()))
    lagoon = np.flatnonzero(first.run.layout.lagoon)
    fig, axes = subplots(len(lagoon) + 1, width=3.3)
    for i, (name, res) in enumerate(named.items()):
        x = np.arange(res.run.p_left.shape[1]) * res.config.boats
        for ax, cell in zip(axes, lagoon):
            mean_band(ax, x, res.run.p_left[:, :, cell], label=name, i=i)
        mean_band(axes[-1], _nu_x(res), np.array([m.nu for m in res.metrics]), label=name, i=i)
    for k, (ax, cell) in enumerate(zip(axes, lagoon)):
        label(ax, "races trained on", "P(steer left)", f"lagoon cell {k + 1}" + (" (entry)" if k == 0 else ""))
        ax.set_ylim(-0.03, 1.03)
    label(axes[-1], "races trained on", "ν (own policy, exact)", "visits to N")
    axes[-1].set_yscale("symlog", linthresh=0.01)
    from ..analysis.ladder import LOCK_THRESHOLD
    axes[-1].axhline(LOCK_THRESHOLD, color="k", ls=":", lw=1)
    for ax in axes:
        ax.axvline(season_end * first.config.boats, color="k", ls="--", lw=0.8)
    axes[0].legend(loc="lower right", fontsize=7)
    return fig


def training_panel(result):
    """The Try-this figure: finish share and donuts per race over training; final steering per cell.

    Kept to two plain panels (no constrained layout) so a widget redraw stays well under a second.
    """
    fig, (ax1, ax2) = subplots(2, width=4.2, height=3.0, constrained_layout=False)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.16, top=0.86, wspace=0.3)
    x = _races(result)
    finished = result.run.finished.mean(0)
    donuts = result.run.donuts.mean(0) / result.config.horizon
    ax1.plot(x, finished, color=color(0), lw=1.8, label="share of races finished")
    ax1.plot(x, donuts, color=color(1), lw=1.8, label="donuts per race / horizon")
    ax1.set_ylim(-0.03, 1.03)
    ax1.legend(loc="center right", fontsize=8)
    label(ax1, "races trained on (episodes)", "fraction (mean over runs)",
          f"{result.lock_rate:.0%} of runs locked in (ν < 0.2)")
    track = result.config.track[:-1]
    p = result.run.p_left[:, -1].mean(0)
    ax2.bar(np.arange(len(track)), p, color=[color(1) if c == "L" else color(0) for c in track])
    ax2.set_xticks(np.arange(len(track)), list(track))
    ax2.set_ylim(0, 1.03)
    label(ax2, "track cell (L = lagoon)", "final P(steer left), mean over runs",
          f"Δ_G {np.mean([m.delta_g for m in result.metrics]):.2f}, "
          f"Δ_R {np.mean([m.delta_r for m in result.metrics]):.2f}")
    return fig


def season_sweep(sweep: dict, powerups, seasons, seeds: int):
    """The protocol's four controls against the season's strength (from :func:`season_sweep`): left, the power-up
    value at the protocol's season; right, the season length at the protocol's power-up value. A grey band marks
    where all four controls pass (lock-in >= 0.8, good start and coverage >= 0.8, fix <= half the lock-in)."""
    fig, axes = subplots(2, width=4.4, sharey=True)
    k = len(powerups)
    curves = (("lock_rate", "lock-in rate (defaults)", "-", "o"),
              ("good_start_keeps", "good start keeps the race", "--", "s"),
              ("coverage_reaches", "coverage reaches the race", "-.", "^"),
              ("fix_lock_rate", "fix's lock-in rate", ":", "v"))
    panels = ((axes[0], slice(0, k), np.asarray(powerups), "power-up value per donut (season 60 updates)"),
              (axes[1], slice(k, None), np.asarray(seasons), "season length in updates (0.1 per donut)"))
    for ax, sl, xs, xlabel in panels:
        lock = sweep["lock_rate"][sl]
        passing = ((lock >= 0.8) & (sweep["good_start_keeps"][sl] >= 0.8)
                   & (sweep["coverage_reaches"][sl] >= 0.8) & (sweep["fix_lock_rate"][sl] <= lock / 2))
        for x, ok in zip(xs, passing):
            if ok:
                ax.axvspan(x * 0.93, x * 1.07, color="0.85", lw=0)
        for i, (key, name, ls, mk) in enumerate(curves):
            ax.plot(xs, sweep[key][sl], ls=ls, marker=mk, color=color(i), label=name)
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{x:g}" for x in xs], fontsize=7, rotation=45)
        ax.minorticks_off()
        ax.set_ylim(-0.03, 1.03)
        label(ax, xlabel, f"share of {seeds} runs", "grey: all four controls pass")
    axes[0].axvline(0.8 / 28, color="k", ls=":", lw=0.8)
    axes[0].text(0.8 / 28 * 1.03, 0.5, "circling pays\nmore than racing", fontsize=7)
    axes[1].legend(fontsize=7, loc="lower right")
    return fig


def develops(result, window_races: int):
    """The level's lock-in as it develops: P(left) at the lagoon's entry cell (where every donut lands) and nu(t) of
    every run over training, the locked runs (coloured) apart from the rest (grey), against races trained on."""
    from ..analysis.ladder import LOCK_THRESHOLD
    fig, (ax1, ax2) = subplots(2, width=4.4)
    entry = int(np.flatnonzero(result.run.layout.lagoon)[0])
    p = result.run.p_left[:, :, entry]
    x = np.arange(p.shape[1]) * result.config.boats
    nu = np.array([m.nu for m in result.metrics])
    xn = np.arange(nu.shape[1]) * window_races
    for i, m in enumerate(result.metrics):
        style = dict(color=color(3), lw=1.2, alpha=0.9) if m.locked else dict(color="0.6", lw=0.7, alpha=0.5)
        ax1.plot(x, p[i], **style)
        ax2.plot(xn, nu[i], **style)
    ax1.plot([], [], color=color(3), label="runs that lock in")
    ax1.plot([], [], color="0.6", label="the others")
    ax1.legend(fontsize=8, loc="center right")
    label(ax1, "races trained on (episodes)", "P(left) at the lagoon's entry cell", "the habit, run by run")
    ax1.set_ylim(-0.02, 1.02)
    ax2.axhline(LOCK_THRESHOLD, color="k", ls=":", lw=1, label=f"lock threshold {LOCK_THRESHOLD}")
    ax2.legend(fontsize=8, loc="upper right")
    label(ax2, "races trained on (episodes)", "ν: own visits to N / uniform's", "ν(t), run by run (ν[0] = 1)")
    ax2.set_ylim(-0.03, max(1.3, float(nu.max()) + 0.05))
    return fig


def level_sweep(sweep: dict, seeds: int):
    """Lock-in rate against the learning rate (without and with the baseline) and against the power-up value, with
    binomial standard errors (sqrt(p (1 - p) / seeds)); the power-up panel marks break-even and, on a second axis,
    the reward the locked runs forgo (their mean Delta_R)."""
    fig, (ax1, ax2) = subplots(2, width=4.2)

    def se(p):
        p = np.asarray(p, float)
        return np.sqrt(p * (1 - p) / max(seeds, 1))

    lr = sweep["learning_rates"]
    ax1.errorbar(lr, sweep["lock_no_baseline"], se(sweep["lock_no_baseline"]), fmt="o-", color=color(3), capsize=3,
                 label="no baseline (the defaults)")
    ax1.errorbar(lr, sweep["lock_baseline"], se(sweep["lock_baseline"]), fmt="s--", color=color(0), capsize=3,
                 label="baseline (the fix)")
    ax1.set_xscale("log")
    ax1.minorticks_off()
    ax1.set_xticks(lr, [f"{v:g}" for v in lr])
    ax1.set_ylim(-0.03, 1.03)
    ax1.legend(fontsize=8, loc="upper left")
    label(ax1, "learning rate (per update of 10 races)", "lock-in rate (± 1 s.e.)",
          f"lock-in against step size, {seeds} seeds")
    pu = sweep["powerups"]
    ax2.errorbar(pu, sweep["lock_by_powerup"], se(sweep["lock_by_powerup"]), fmt="o-", color=color(3), capsize=3,
                 label="lock-in rate")
    ax2.axvline(0.8 / 28, color="k", ls=":", lw=1, label="break-even 0.8/28: above it circling pays best")
    ax2.set_ylim(-0.03, 1.03)
    if "delta_R_locked_by_powerup" in sweep:
        ax3 = ax2.twinx()
        ax3.plot(pu, sweep["delta_R_locked_by_powerup"], "^:", color=color(1), label="Δ_R of the locked runs")
        ax3.set_ylim(-0.005, 0.2)
        ax3.set_ylabel("Δ_R of the locked runs", color=color(1))
        ax3.legend(fontsize=8, loc="center left")
    ax2.legend(fontsize=8, loc="upper left")
    label(ax2, "power-up per donut (paid all training)", "lock-in rate (± 1 s.e.)",
          "lock-in against the sure reward")
    return fig


def coverage_timing(results: dict, landscapes: dict, switch_on: int | None = None, threshold: float = 0.9):
    """Coverage during training against coverage after the lock-in. Left: the share of runs whose lagoon entry cell
    has P(left) > ``threshold`` over training, one line per condition (``results``: label -> LagoonResult), with
    the update at which the late coverage is switched on marked. Right: the exact E[R] against the entry cell's
    P(left) (``landscapes``: label -> :func:`rlcore.analysis.ladder_1_reflex.entry_landscape` output), whose slope
    in the logit is the expected REINFORCE step there."""
    fig, (ax1, ax2) = subplots(2, width=4.4)
    for k, (name, res) in enumerate(results.items()):
        entry = int(np.flatnonzero(res.run.layout.lagoon)[0])
        share = (res.run.p_left[:, :, entry] > threshold).mean(0)
        ax1.plot(np.arange(share.size) * res.config.boats, share, color=color(k), lw=1.5, label=name)
    if switch_on is not None:
        boats = next(iter(results.values())).config.boats
        ax1.axvline(switch_on * boats, color="k", ls=":", lw=1, label="late coverage switched on")
    ax1.set_ylim(-0.02, 1.02)
    ax1.legend(fontsize=8, loc="upper left")
    label(ax1, "races trained on (episodes)", f"share of runs with entry P(left) > {threshold}",
          "the habit, share of runs")
    for k, (name, ls) in enumerate(landscapes.items()):
        p = np.asarray(ls["entry_p_left"], float)
        ax2.plot(np.log(p / (1 - p)), ls["R"], "-", color=color(k + 4), lw=1.5, label=name)
    ax2.axhline(0.8, color="k", ls=":", lw=1, label="R* = 0.8, the perfect race")
    for q in (0.5, 0.9, 0.99):
        ax2.axvline(np.log(q / (1 - q)), color="0.7", lw=0.8)
        ax2.text(np.log(q / (1 - q)), 0.805, f"P = {q:g}", fontsize=7, ha="center", va="bottom", color="0.4")
    ax2.legend(fontsize=8, loc="lower left")
    label(ax2, "left logit of the lagoon's entry cell (inner cells straight)", "E[R] (exact)",
          "the reward landscape along the habit")
    return fig
