"""Figures of the level-4 lesson (the help-desk RLHF loop)."""

from __future__ import annotations

import numpy as np

from . import color, label, mean_band, subplots


def the_loop(result):
    """Four panels, mean over runs with a 10-90% band, one point per round: P(tool B); the reward model's
    weight on a reply in L2; P(an L2 user is answered in L1); G for each user language."""
    fig, axes = subplots(4, width=3.3, height=2.9)
    t = np.arange(result.config.rounds)
    mean_band(axes[0], t, [r.p_tool_b for r in result.runs], i=0)
    label(axes[0], "round", "P(tool B)", "the rare tool stays rare")
    axes[0].set_ylim(0, max(0.1, axes[0].get_ylim()[1]))
    lw = np.array([r.lang_weight for r in result.runs])
    if np.all(np.isnan(lw)):
        axes[1].text(0.5, 0.5, "language-blind:\nno language weight", ha="center", va="center",
                     transform=axes[1].transAxes)
    else:
        mean_band(axes[1], t, lw, i=1)
        axes[1].axhline(0, color="0.4", lw=0.8)
    label(axes[1], "round", "weight on 'reply in L2' (logit)", "the reward model's taste")
    mean_band(axes[2], t, [r.p_steer for r in result.runs], i=2)
    axes[2].set_ylim(-0.02, 1.02)
    label(axes[2], "round", "P(L2 user answered in L1)", "steering")
    gold = np.array([r.gold_by_user for r in result.runs])
    mean_band(axes[3], t, gold[:, :, 0], i=0, label="L1 users")
    mean_band(axes[3], t, gold[:, :, 1], i=1, label="L2 users")
    axes[3].set_ylim(0, 1)
    label(axes[3], "round", "G: P(problem solved)", "who is served")
    axes[3].legend(loc="center right")
    return fig


def nu_curves(results: dict, threshold: float = 0.1):
    """nu(t) on a log scale for several configs (``{name: HelpDeskResult}``), mean with a band, and the
    lock-in threshold; the title of each curve's legend entry gives its lock-in rate."""
    fig, ax = subplots(1, width=6.0, height=3.4)
    for i, (name, res) in enumerate(results.items()):
        nu = np.array([m.nu for m in res.metrics])
        rate = res.summary()["lock_in_rate"]
        mean_band(ax, np.arange(nu.shape[1]), np.maximum(nu, 1e-3), i=i, label=f"{name} (locked in {rate:.0%})")
    ax.axhline(threshold, color="0.3", ls="--", lw=1, label=f"threshold {threshold}")
    ax.set_yscale("log")
    label(ax, "round", "nu(t): L2-in-L2 sessions / uniform's", "visits to the neglected region")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def proxy_vs_gold(result, i: int = 0):
    """Left: the KL frontier under run i's final reward model (proxy and G against sqrt KL, with G split by
    user language) and the training trajectory of run i. Right: proxy and G per round over training."""
    fig, (ax1, ax2) = subplots(2, width=4.6, height=3.4)
    f = result.frontier(i)
    ax1.plot(f["sqrt_kl"], f["proxy"], color=color(0), lw=2, label="proxy (reward model)")
    ax1.plot(f["sqrt_kl"], f["gold"], color=color(1), lw=2, label="gold G, all users")
    ax1.plot(f["sqrt_kl"], f["gold_l2"], color=color(1), lw=1.2, ls=":", label="gold G, L2 users")
    run = result.runs[i]
    ax1.plot(np.sqrt(run.kl), run.gold, "o", ms=3, color=color(2), alpha=0.7, label="training, gold per round")
    label(ax1, "sqrt KL(pi || pi_0) (sqrt nats)", "expected score per session",
          "pi_0 exp(r_hat / beta) for every beta")
    ax1.legend(fontsize=8, loc="lower left")
    t = np.arange(result.config.rounds)
    mean_band(ax2, t, [r.proxy for r in result.runs], i=0, label="proxy: E[r_hat]")
    mean_band(ax2, t, [r.gold for r in result.runs], i=1, label="gold: E[G]")
    mean_band(ax2, t, [r.gold_by_user[:, 1] for r in result.runs], i=4, label="gold, L2 users")
    label(ax2, "round", "expected score per session", "during training (all runs)")
    ax2.legend(fontsize=8)
    return fig


def panel_figure(result):
    """What the Try-this panel shows: the loop plus nu(t)."""
    fig, axes = subplots(3, width=3.6, height=2.9)
    t = np.arange(result.config.rounds)
    mean_band(axes[0], t, [r.p_steer for r in result.runs], i=2)
    axes[0].set_ylim(-0.02, 1.02)
    label(axes[0], "round", "P(L2 user answered in L1)", "steering")
    gold = np.array([r.gold_by_user for r in result.runs])
    mean_band(axes[1], t, gold[:, :, 0], i=0, label="L1 users")
    mean_band(axes[1], t, gold[:, :, 1], i=1, label="L2 users")
    axes[1].set_ylim(0, 1)
    axes[1].legend(fontsize=8)
    label(axes[1], "round", "G: P(problem solved)", "who is served")
    nu = np.array([m.nu for m in result.metrics])
    mean_band(axes[2], t, np.maximum(nu, 1e-3), i=3)
    axes[2].axhline(0.1, color="0.3", ls="--", lw=1)
    axes[2].set_yscale("log")
    s = result.summary()
    label(axes[2], "round", "nu(t)", f"locked in: {s['lock_in_rate']:.0%} of runs")
    return fig
