"""Figures of lesson 02: the reward button, the rater's boundary, score vs. cue, the probe."""

from __future__ import annotations

import numpy as np

from . import color, label, subplots

SHORT = {"random policy (chance)": "random (chance)", "reward maximizer (true R)": "reward maximizer",
         "pg, trained without": "PG, no button\nin training", "pg + lamp, trained without": "PG + lamp,\nno button",
         "pg, linear features, trained without": "PG, linear\nfeatures,\nno button",
         "planner on a learned reward model": "planner on\nreward model",
         "value-based, trained without": "value-based,\nno button", "pg, trained with": "PG, button\nin training"}


def button_figure(result, similarity: float | None = None):
    """Left: each agent's press rate at one lamp similarity (bars: mean; dots: runs). Right: press rate
    against the similarity for the agents whose features can see the lamp."""
    s = result.config.similarity if similarity is None else similarity
    rates = result.press_rates(s)
    fig, (ax1, ax2) = subplots(2, width=5.2, height=3.6)
    agents = list(rates)
    x = np.arange(len(agents))
    means = [rates[a].mean() for a in agents]
    ax1.bar(x, means, color=["0.6" if i < 2 else color(i) for i in range(len(agents))], alpha=0.75)
    rng = np.random.default_rng(0)
    for i, a in enumerate(agents):
        ax1.scatter(i + rng.uniform(-0.2, 0.2, len(rates[a])), rates[a], s=8, color="k", alpha=0.5, zorder=3)
    ax1.set_xticks(x, [SHORT[a] for a in agents], rotation=60, ha="right", fontsize=7)
    ax1.set_ylim(-0.03, 1.05)
    label(ax1, "", "press rate at test", f"the button offered (lamp similarity {s:.2f})")
    sims, sweep = result.lamp_sweep()
    for i, a in enumerate(("pg, trained without", "pg + lamp, trained without", "pg, linear features, trained without",
                           "planner on a learned reward model", "value-based, trained without")):
        ax2.plot(sims, sweep[a], color=color(i + 2), lw=2, marker="o", ms=3, label=SHORT[a].replace("\n", " "))
    from ..analysis.reward_selects import press_thresholds

    c = result.config
    for thr, i, name in zip(press_thresholds(c.gamma, c.length), (5, 6), ("planner", "value")):
        if thr <= 1:
            ax2.axvline(float(thr), color=color(i), lw=1, ls=":", label=f"closed form, {name}: {float(thr):.2f}")
    ax2.axhline(sweep["random policy (chance)"][0], color="grey", ls=":", lw=1, label="random policy (chance)")
    ax2.axvline(s, color="k", lw=0.8, ls="--")
    ax2.set_ylim(-0.03, 1.05)
    label(ax2, "lamp similarity (button looks like the goal: 1)", "press rate (mean over runs)",
          "trained without the button")
    ax2.legend(fontsize=6, loc="center right")
    return fig


def button_sweeps_figure(reward_sweep, budget_sweep):
    """Left: the model-free agent trained with the button, press rate against the button's reward, with the
    reward maximizer's choice. Right: press rate at similarity 1 of the two lamp-seeing policy-gradient agents
    against the training budget."""
    from ..analysis.reward_selects import BUTTON_BUDGETS

    fig, (ax1, ax2) = subplots(2, width=4.6, height=3.4)
    rewards = list(reward_sweep["press_rate"])
    x = np.arange(len(rewards))
    runs = np.array([reward_sweep["press_rate"][b] for b in rewards])
    ax1.plot(x, runs.mean(1), color=color(7), marker="o", lw=2, label="PG, button in training")
    ax1.scatter(np.repeat(x, runs.shape[1]), runs.ravel(), s=6, color=color(7), alpha=0.4)
    ax1.step(x, [reward_sweep["maximizer"][b] for b in rewards], where="mid", color="k", ls="--", lw=1,
             label="reward maximizer")
    ax1.set_xticks(x, [f"{b:g}" for b in rewards])
    ax1.set_ylim(-0.03, 1.05)
    label(ax1, f"button reward (the goal is worth {reward_sweep['goal_value']:.3f} from the start)",
          "press rate at test", "trained with the button")
    ax1.legend(fontsize=7, loc="center right")
    for i, (agent, rates) in enumerate(budget_sweep.items()):
        ax2.plot(BUTTON_BUDGETS, rates.mean(1), color=color(i + 3), marker="o", lw=2, label=SHORT[agent].replace("\n", " "))
        ax2.scatter(np.repeat(BUTTON_BUDGETS, rates.shape[1]), rates.ravel(), s=6, color=color(i + 3), alpha=0.4)
    ax2.set_xscale("log")
    ax2.set_ylim(-0.03, 1.05)
    label(ax2, "training episodes (no button)", "press rate at similarity 1", "per-cell vs. shared parameters")
    ax2.legend(fontsize=7)
    return fig


def rater_figure(result):
    """Left: the learner's faking rate over (d, task cost) with the analytic boundary. Right: at the marked
    setting, the learner's action probabilities beside the expected approval of each action."""
    from ..analysis.reward_selects import rater_values

    c = result.config
    fig, (ax1, ax2) = subplots(2, width=4.6, height=3.6)
    mean = result.fake_rate.mean(-1)
    dd, cc = result.detect, result.cost_do
    step_d, step_c = dd[1] - dd[0], cc[1] - cc[0]
    im = ax1.imshow(mean.T, origin="lower", aspect="auto", cmap="Oranges", vmin=0, vmax=1,
                    extent=(dd[0] - step_d / 2, dd[-1] + step_d / 2, cc[0] - step_c / 2, cc[-1] + step_c / 2))
    fig.colorbar(im, ax=ax1, label="faking probability (learner, mean over runs)")
    d_line = np.linspace(0, 1, 200)
    fake_v = (1 - d_line) - d_line * c.penalty - c.cost_fake
    # faking beats doing above c_do = 1 - fake_v, and beats quitting where fake_v > 0
    ok = fake_v > 0
    ax1.plot(d_line[ok], 1 - fake_v[ok], color=color(0), lw=2, label="analytic: fake = do")
    if ok.any() and not ok.all():
        d_star = d_line[ok][-1]
        ax1.plot([d_star, d_star], [1 - fake_v[ok][-1], cc[-1] + step_c / 2], color=color(2), lw=2,
                 label="analytic: fake = quit")
    ax1.scatter([c.detect], [c.cost_do], marker="x", color="k", s=60, zorder=4, label="marked setting")
    ax1.set_xlim(dd[0] - step_d / 2, dd[-1] + step_d / 2)
    ax1.set_ylim(cc[0] - step_c / 2, cc[-1] + step_c / 2)
    label(ax1, "d: probability the rater catches a fake", "cost of doing the task",
          f"penalty {c.penalty:g}, fake cost {c.cost_fake:g}")
    ax1.legend(fontsize=7, loc="upper right")
    i, j = int(np.abs(dd - c.detect).argmin()), int(np.abs(cc - c.cost_do).argmin())
    probs = np.array([result.do_rate[i, j].mean(), result.fake_rate[i, j].mean(),
                      1 - result.do_rate[i, j].mean() - result.fake_rate[i, j].mean()])
    values = rater_values(dd[i], c.penalty, cc[j], c.cost_fake)
    x = np.arange(3)
    ax2.bar(x - 0.2, probs, width=0.4, color=color(1), label="learner's probability")
    ax2.bar(x + 0.2, values, width=0.4, color=color(0), alpha=0.6, label="expected approval - cost")
    ax2.axhline(0, color="k", lw=0.6)
    ax2.set_xticks(x, ["do", "fake", "quit"])
    label(ax2, "action", "probability / value", f"at d = {dd[i]:.2f}, task cost = {cc[j]:.3g}")
    ax2.legend(fontsize=7)
    return fig


def coin_figure(result):
    """Left: test success (coin moved) against the share of training episodes with the coin elsewhere, per
    agent (dots: runs). Right: the memory-and-score agent's P(left) per position and register state."""
    from ..learners.reward_selects import COIN_VIEWS

    fig, (ax1, ax2) = subplots(2, width=4.6, height=3.6)
    x = np.arange(len(result.shares))
    for v, view in enumerate(COIN_VIEWS):
        runs = result.test_success[v]
        off = (v - 1) * 0.12
        ax1.plot(x + off, runs.mean(-1), color=color(v), marker="o", lw=2, label=view)
        ax1.scatter(np.repeat(x + off, runs.shape[-1]), runs.ravel(), s=6, color=color(v), alpha=0.35)
    ax1.plot(x, result.train_success.mean((0, 2)), color="grey", ls=":", label="all agents, coin not moved")
    k = list(result.shares).index(result.config.share)
    ax1.axvspan(k - 0.35, k + 0.35, color="grey", alpha=0.12)
    ax1.set_xticks(x, [f"{s:.0%}" for s in result.shares])
    ax1.set_ylim(-0.03, 1.05)
    label(ax1, "training episodes with the coin on the left", "test success (coin moved left)",
          "score vs. cue")
    ax1.legend(fontsize=7, loc="center right")
    grid = result.left_probability()[:, 1:-1]  # the end cells are never occupied (reaching one sends the agent back)
    im = ax2.imshow(grid, cmap="coolwarm_r", vmin=0, vmax=1, aspect="auto")
    fig.colorbar(im, ax=ax2, label="P(step left)")
    ax2.set_yticks(range(5), ["no end yet", "left end, no score", "left end, scored", "right end, no score",
                              "right end, scored"], fontsize=7)
    ax2.set_xticks(range(grid.shape[1]), [str(i + 1) for i in range(grid.shape[1])])
    label(ax2, "position (ends 0 and last not shown)", "memory register", f"memory-and-score agent, trained at {result.config.share:.0%}")
    return fig


def probe_figure(result):
    """Held-out R^2 of the linear probe, per network (runs as dots), for each part of the return."""
    from ..analysis.reward_selects import PROBE_TARGETS

    fig, axes = subplots(2, width=6.0, height=3.8)
    short = {"noise features": "noise\nfeatures", "raw input": "raw\ninput", "untrained network": "untrained\nnetwork",
             "policy only, shuffled rewards": "policy only,\nshuffled", "policy only": "policy\nonly",
             "value head, shuffled rewards": "value head,\nshuffled", "value head": "value\nhead",
             "ideal (both parts given)": "ideal"}
    for ax, target in zip(axes, PROBE_TARGETS):
        r2 = result.r2[target]
        names = list(r2)
        for i, name in enumerate(names):
            vals = r2[name]
            ax.bar(i, np.mean(vals), color=color(i), alpha=0.7)
            ax.scatter(np.full(len(vals), i) + np.random.default_rng(i).uniform(-0.2, 0.2, len(vals)), vals, s=8,
                       color="k", alpha=0.5, zorder=3)
        ax.set_xticks(range(len(names)), [short.get(n, n) for n in names], fontsize=7, rotation=60, ha="right")
        ax.set_ylim(min(0.0, min(np.min(v) for v in r2.values())) - 0.05, 1.05)
        label(ax, "", "held-out R² of a linear probe", target)
    return fig
