"""Figures of lesson 01 (the REINFORCE log trick)."""

from __future__ import annotations

import numpy as np

from ..analysis.log_trick import REGIMES, proxy_share
from . import color, label, mean_band, subplots

ARMS = ("a", "b", "c")


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
    for i, regime in enumerate(REGIMES):
        probs = result[regime]
        t = np.arange(1, probs.shape[1] + 1)
        mean_band(axes[0], t, np.cumsum(mu.max() - probs @ mu, axis=1), label=regime, i=i)
        mean_band(axes[1], t, probs[:, :, best], label=regime, i=i, band="sem")
    label(axes[0], "pull t (steps)", "cumulative expected regret (reward)", "regret: lower is better")
    label(axes[1], "pull t (steps)", "probability of the best arm", "mean over runs (band: +- 1 s.e.)")
    axes[0].legend(fontsize=7, loc="upper left")
    refit = result[REGIMES[1]]
    t = np.arange(1, refit.shape[1] + 1)
    for k, run in enumerate(refit[:max_lines]):
        final = int(np.argmax(run[-1]))
        axes[2].plot(t, run[:, best], color=color(1 if final != best else 2), alpha=0.5, lw=1)
    axes[2].set_ylim(-0.02, 1.02)
    axes[1].set_ylim(-0.02, 1.02)
    label(axes[2], "pull t (steps)", "probability of the best arm",
          "re-fit runs (green: ends on the best arm)")
    for ax in axes:
        ax.set_xscale("log")
    return fig


def novel_choice_figure(result: dict):
    """Left: expected reward per step (mean over runs, 10-90% band) with the shift time and chance level.
    Right: the proxy's share of the policy's feature weights over time."""
    cfg = result["config"]
    fig, (ax1, ax2) = subplots(2, width=4.6)
    for i, regime in enumerate(r for r in ("online", "refit") if r in result):
        res = result[regime]
        t = np.arange(res["expected_reward"].shape[0])
        name = "online REINFORCE" if regime == "online" else "re-fit on all history"
        smooth = _smooth(res["expected_reward"].T, 20)
        mean_band(ax1, t, smooth, label=name, i=i)
        mean_band(ax2, t, proxy_share(res["weights"]).T, label=name, i=i)
    for ax in (ax1, ax2):
        ax.axvline(cfg.shift_time, color="k", ls=":", lw=1)
    ax1.axhline(0.5, color="gray", ls="--", lw=1, label="random choice")
    label(ax1, "step t", "expected reward per step (true value)",
          f"proxy corr {cfg.proxy_corr:g} until step {cfg.shift_time}, then {0:g}")
    label(ax2, "step t", "proxy share |w_proxy| / (|w_true| + |w_proxy|)", "what the policy relies on")
    ax2.set_ylim(0, 1)
    ax1.legend(fontsize=8, loc="lower left")
    return fig


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
        ax1.bar(x + (i - 0.5) * 0.35, v, width=0.35, color=color(i), label=name)
    ax1.axhline(0, color="k", lw=0.6)
    ax1.set_xticks(x, [f"arm {a}" for a in ARMS])
    err = check["rel_error_baseline" if config.baseline else "rel_error"]
    label(ax1, "logit", "dJ/dtheta (reward per unit logit)", f"n = {config.samples:,}: relative error {err:.1%}")
    ax1.legend(fontsize=8)
    best = int(np.argmax(result["means"]))
    for i, regime in enumerate(REGIMES):
        probs = result[regime]
        mean_band(ax2, np.arange(1, probs.shape[1] + 1), probs[:, :, best], label=regime, i=i)
    ax2.set_ylim(-0.02, 1.02)
    label(ax2, "pull t (steps)", "probability of the best arm", f"{config.runs} runs per regime")
    ax2.legend(fontsize=7, loc="lower right")
    return fig
