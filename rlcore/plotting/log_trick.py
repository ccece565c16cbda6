"""Figures of lesson 01 (the REINFORCE log trick)."""

from __future__ import annotations

import numpy as np

from ..analysis.log_trick import REGIMES, proxy_share
from . import color, label, mean_band, subplots

ARMS = ("a", "b", "c")

#: One colour index per regime, the same in every figure of the lesson (experiments 2 and 3 share online
#: REINFORCE and the full re-fit of the surrogate on history).
REGIME_COLOR = {"online REINFORCE": 0, "online": 0, "re-fit surrogate on history": 1, "refit": 1,
                "forgetting": 2, "pi* over past data": 3, "plugin": 3, "pi* over the environment": 4,
                "refit_std": 6}  # black: the sky blue of index 5 is too close to online's blue
#: Short legend names of experiment 3's regimes.
NOVEL_SHORT = {"online": "online", "refit": "re-fit, raw ridge", "refit_std": "re-fit, std. ridge",
               "forgetting": "forgetting re-fit", "plugin": "pi* over past data"}


def gradient_figure(curve: dict, check: dict):
    """Left: RMS relative error of the Monte-Carlo gradient against n (log-log) with the exact n^(-1/2) law.
    Right: the exact gradient, the estimate at the largest n with and without the baseline, and autograd of J."""
    fig, (ax1, ax2) = subplots(2, width=4.6)
    ns = curve["ns"]
    for i, (b, name) in enumerate((("none", "no baseline"), ("J", "baseline b = J"))):
        for e in curve["errors"][b]:
            ax1.plot(ns, e, color=color(i), alpha=0.08, lw=0.8)
        ax1.plot(ns, curve["rms"][b], "o", color=color(i), ms=4,
                 label=f"{name}: RMS over repeats (slope {curve['slope'][b]:.2f})")
        ax1.plot(ns, curve["predicted"][b], "-", color=color(i), lw=1.2, label=f"{name}: sqrt(tr Cov / n)")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    label(ax1, "samples n (pulls)", "relative L2 error |g_n - grad J| / |grad J|", "error falls like n^(-1/2)")
    ax1.legend(fontsize=7, loc="lower left")
    x = np.arange(3)
    bars = [("exact pi (mu - J)", check["exact"]), ("MC, no baseline", check["estimate"]),
            ("MC, baseline", check["estimate_baseline"]), ("autograd of J", check["autograd_exact"])]
    for i, (name, v) in enumerate(bars):
        ax2.bar(x + (i - 1.5) * 0.2, v, width=0.2, color=color(i), label=name)
    ax2.set_xticks(x, [f"arm {a}" for a in ARMS])
    ax2.axhline(0, color="k", lw=0.6)
    label(ax2, "logit", "gradient component dJ/dtheta (reward per unit logit)",
          f"one estimate from n = {check['n']:,} pulls vs. the exact gradient")
    ax2.legend(fontsize=7)
    return fig


def regimes_figure(result: dict, max_lines: int = 20):
    """Left: cumulative expected regret of the four regimes (mean, 10-90% band). Middle: probability of the
    best arm. Right: each surrogate re-fit run's probability of the best arm (the urn locks in)."""
    fig, axes = subplots(3, width=4.0)
    mu = result["means"]
    best = int(np.argmax(mu))
    for regime in REGIMES:
        probs, i = result[regime], REGIME_COLOR[regime]
        t = np.arange(1, probs.shape[1] + 1)
        _quartile_band(axes[0], t, np.cumsum(mu.max() - probs @ mu, axis=1), color(i), regime)
        mean_band(axes[1], t, probs[:, :, best], label=regime, i=i, band="sem")
    label(axes[0], "pull t (steps)", "cumulative expected regret (reward)",
          "regret (line: mean; band: 25-75% of runs)")
    label(axes[1], "pull t (steps)", "probability of the best arm", "mean over runs (band: +- 1 s.e.)")
    axes[0].legend(fontsize=7, loc="upper left")
    refit = result[REGIMES[1]]
    t = np.arange(1, refit.shape[1] + 1)
    for k, run in enumerate(refit[:max_lines]):
        final = int(np.argmax(run[-1]))
        axes[2].plot(t, run[:, best], color=color(1) if final == best else "0.55", alpha=0.6, lw=1)
    axes[2].set_ylim(-0.02, 1.02)
    axes[1].set_ylim(-0.02, 1.02)
    label(axes[2], "pull t (steps)", "probability of the best arm",
          f"re-fit runs ({sum(int(np.argmax(r[-1])) == best for r in refit[:max_lines])} of "
          f"{min(len(refit), max_lines)} end on the best arm; grey: a worse arm)")
    for ax in axes:
        ax.set_xscale("log")
    return fig


def novel_choice_figure(result: dict):
    """Left: expected reward per step (mean over seeds, 25-75% band) with the shift time and the reference
    levels. Middle: proxy reliance of the weights over time. Right: one dot per seed and regime, reliance just
    before the shift against the raw reward drop after it."""
    from ..analysis.log_trick import NOVEL_NAMES, NOVEL_REGIMES, novel_choice_per_seed, proxy_reliance

    cfg = result["config"]
    fig, (ax1, ax2, ax3) = subplots(3, width=4.2)
    per_seed = novel_choice_per_seed(result)
    for regime in (r for r in NOVEL_REGIMES if r in result):
        res, c = result[regime], color(REGIME_COLOR[regime])
        t = np.arange(res["expected_reward"].shape[0])
        _quartile_band(ax1, t, _smooth(res["expected_reward"].T, 20), c, NOVEL_NAMES[regime])
        _quartile_band(ax2, t, proxy_reliance(res["weights"], cfg.feature_scales).T, c, NOVEL_NAMES[regime])
        d = per_seed[regime]
        low = d["reward_pre"] < 0.5  # worse than random before the shift: drawn hollow, its "loss" says little
        note = f" ({int(low.sum())} below random before)" if low.any() else ""
        ax3.scatter(d["reliance"][~low], 100 * d["drop"][~low], color=c, s=22, alpha=0.8,
                    label=f"{NOVEL_SHORT[regime]}: {int((d['drop'] > 0.2).sum())} of {len(d['drop'])} "
                          f"lose > 20%{note}")
        ax3.scatter(d["reliance"][low], 100 * d["drop"][low], facecolors="none", edgecolors=c, s=22)
    for ax in (ax1, ax2):
        ax.axvline(cfg.shift_time, color="k", ls=":", lw=1)
    ax1.axhline(0.5, color="gray", ls="--", lw=1)
    ax1.text(0, 0.505, "random choice", fontsize=7, color="gray", va="bottom")
    ax1.set_ylim(0.4, 0.95)
    label(ax1, "step t", "expected reward per step (20-step mean)",
          f"reward (proxy corr {cfg.proxy_corr:g}, then 0 from t = {cfg.shift_time})")
    label(ax2, "step t", "proxy reliance (0: true feature only)",
          "proxy reliance of the weights")
    ax2.set_ylim(-0.02, 1.02)
    for ax in (ax1, ax2):
        ax.text(0.99, 0.01, "line: mean over seeds\nband: 25-75% of seeds", transform=ax.transAxes,
                fontsize=7, ha="right", va="bottom")
    ax3.axhline(20, color="gray", ls="--", lw=1)
    ax3.set_xlim(-0.02, 1.02)
    ax3.set_ylim(min(-5, ax3.get_ylim()[0]), max(50, ax3.get_ylim()[1]))
    label(ax3, "proxy reliance just before the shift", "reward lost after the shift (%)",
          f"one dot per seed ({cfg.runs} seeds per regime)")
    ax3.legend(fontsize=7, loc="upper left")
    handles, names = ax1.get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=8,
               title="regimes (one colour each in every figure of this lesson)", title_fontsize=8)
    return fig


def novel_sweep_figure(scale_sweep: dict, ridge_sweep: dict):
    """The controls of experiment 3, one dot per seed and the mean per regime. Left two panels: proxy reliance
    and reward lost against the true feature's scale (1 = as large as the proxy). Right: both re-fits'
    reliance against their ridge penalty."""
    from ..analysis.log_trick import NOVEL_REGIMES

    fig, axes = subplots(3, width=4.0)
    panels = ((axes[0], scale_sweep, "reliance", 1.0), (axes[1], scale_sweep, "drop", 100.0),
              (axes[2], ridge_sweep, "reliance", 1.0))
    for ax, sweep, key, mult in panels:
        x = np.arange(len(sweep["values"]))
        regimes = [r for r in NOVEL_REGIMES if r in sweep]
        for k, regime in enumerate(regimes):
            c, vals = color(REGIME_COLOR[regime]), mult * sweep[regime][key]
            off = (k - (len(regimes) - 1) / 2) * 0.12
            for j in x:
                ax.scatter(np.full(vals.shape[1], j + off), vals[j], color=c, s=10, alpha=0.45)
            ax.plot(x + off, vals.mean(1), "-o", color=c, lw=1.6, ms=5, label=NOVEL_SHORT[regime])
        ax.set_xticks(x, [f"{v:g}" for v in sweep["values"]])
    axes[1].axhline(20, color="gray", ls="--", lw=1)
    label(axes[0], "true feature's scale (proxy's = 1)", "proxy reliance before the shift",
          "reliance vs. the scale gap")
    label(axes[1], "true feature's scale (proxy's = 1)", "reward lost after the shift (%)",
          "loss after the shift vs. the scale gap")
    label(axes[2], "ridge penalty of the raw-unit re-fits", "proxy reliance before the shift",
          "the raw-unit re-fits' reliance vs. their ridge")
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(names), fontsize=8,
               title="line: mean over seeds; dots: one seed each", title_fontsize=8)
    for ax in (axes[0], axes[2]):
        ax.set_ylim(-0.02, 1.02)
    return fig


def _quartile_band(ax, x, runs, c, name):
    """Mean over seeds (axis 0) with the 25-75% band across seeds, both in colour ``c``."""
    lo, hi = np.quantile(runs, [0.25, 0.75], axis=0)
    ax.plot(x, runs.mean(0), color=c, lw=1.8, label=name)
    ax.fill_between(x, lo, hi, color=c, alpha=0.2, lw=0)


def _smooth(x: np.ndarray, k: int) -> np.ndarray:
    """Trailing moving average over the last axis (window k, shorter at the start)."""
    c = np.cumsum(x, axis=-1)
    out = c.copy()
    out[..., k:] = c[..., k:] - c[..., :-k]
    n = np.minimum(np.arange(1, x.shape[-1] + 1), k)
    return out / n


def bandit_panel_figure(config, seed: int, progress=None):
    """The widget's view of experiments 1 and 2: one gradient estimate at ``config.samples`` pulls against
    the exact gradient, and the probability of the best arm under each regime."""
    from ..analysis.log_trick import gradient_check, run_regimes

    check = gradient_check(config, seed)
    result = run_regimes(config, seed, progress)
    fig, (ax1, ax2) = subplots(2, width=4.6)
    x = np.arange(3)
    bars = [("exact", check["exact"]), ("MC estimate" + (" (baseline)" if config.baseline else ""),
                                        check["estimate_baseline" if config.baseline else "estimate"])]
    for i, (name, v) in enumerate(bars):
        ax1.bar(x + (i - 0.5) * 0.35, v, width=0.35, color=("0.2", "0.65")[i], label=name)  # not regime colours
    ax1.axhline(0, color="k", lw=0.6)
    ax1.set_xticks(x, [f"arm {a}" for a in ARMS])
    err = check["rel_error_baseline" if config.baseline else "rel_error"]
    label(ax1, "logit", "dJ/dtheta (reward per unit logit)", f"n = {config.samples:,}: relative error {err:.1%}")
    ax1.legend(fontsize=8)
    best = int(np.argmax(result["means"]))
    for regime in REGIMES:
        probs = result[regime]
        mean_band(ax2, np.arange(1, probs.shape[1] + 1), probs[:, :, best], label=regime, i=REGIME_COLOR[regime],
                  band="sem")
    ax2.set_ylim(-0.02, 1.02)
    label(ax2, "pull t (steps)", "probability of the best arm", f"{config.runs} runs per regime (band: +- 1 s.e.)")
    ax2.legend(fontsize=7, loc="lower right")
    return fig
