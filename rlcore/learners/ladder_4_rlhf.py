"""RLHF on the two-turn help-desk: a reward model refit every round on ratings of the policy's own sessions,
and a policy that plans each session against it.

One training round:

1. run ``sessions`` sessions with the behaviour policy (the policy, with a share ``explore`` of decisions made
   uniformly at random: forced exploration, flagged so the ladder metrics can leave it out); users rate them;
2. refit the reward model from scratch on the ratings of the last ``rm_window`` rounds (plus, under the
   coverage control, as many sessions of a uniform policy per round): a logistic regression
   r_hat(x) = sigmoid(w . phi(x)) with an L2 penalty, light on main effects and heavier on interactions (it
   believes "tool B is good *in L2*" only with enough data) (:func:`fit_reward_model`). The default model
   sees the *reply* only, phi = [1, tool B, reply in L2, tool B * reply in L2]; the language-aware model also
   sees whether the reply is in the user's own language: phi += [mismatch, tool B * mismatch];
3. plan: evaluate the policy's two-turn sessions under the reward model by backward induction,

       Q(c, tool)  = patience^(turn(c) - 1) * r_hat(c, tool)
       Q(1, offer) = accept * V(2) + (1 - accept) * V(3),        V(c) = sum_a pi(a | c) Q(c, a),

   (with ``horizon = 1`` the offer is credited with its own turn only, which answers nothing: Q(1, offer) = 0),
   and take one natural policy-gradient step on the softmax logits, theta(c, a) += lr * (Q(c, a) - V(c))
   (soft policy iteration: every action moves by its advantage under the reward model, however rare).

The initial policy comes from "pretraining": it uses tool B with probability ``tool_b_prob`` in every
context and offers the switch with probability ``offer_prob``; :func:`good_start_logits` is the intended
behaviour (tool A in L1, tool B in L2, no offers) for the good-start control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_4_helpdesk import CONTEXT_REPLY, CONTEXT_TURNS, CONTEXT_USER, N_ACTIONS, N_CONTEXTS, OFFER, HelpDesk
from ..logs import TrainingLog
from ..seeding import SeedLike, as_generator
from .softmax import softmax

__all__ = ["RLHFConfig", "reward_features", "fit_reward_model", "initial_logits", "good_start_logits",
           "reward_ridge", "VALID", "plan_q", "policy_of", "session_values", "optimal_value", "train_rlhf"]

#: Which actions exist in each context (the offer only on an L2 user's first turn).
VALID = np.array([[True, True, False], [True, True, True], [True, True, False], [True, True, False]])


@dataclass(frozen=True)
class RLHFConfig(Config):
    """Hyperparameters of the help-desk RLHF loop."""

    rounds: int = param(40, low=1, high=400, ui=(5, 100), doc="training rounds (reward model refits), [1, 400]")
    sessions: int = param(300, low=10, high=20000, ui=(50, 2000, 50), doc="rated sessions per round")
    policy_lr: float = param(1.5, low=0.0, low_open=True, high=100.0, ui=(0.1, 10.0),
                             doc="step size of the natural-gradient step per round, (0, 100]")
    rm_window: int = param(5, low=1, high=400, ui=(1, 40), doc="rounds of ratings the reward model is fit on")
    rm_ridge: float = param(1.0, low=0.0, high=1e4, ui=(0.0, 20.0),
                            doc="L2 penalty on the reward model's main effects (tool, language), >= 0")
    rm_ridge_interaction: float = param(10.0, low=0.0, low_open=True, high=1e4, ui=(0.1, 50.0),
                                        doc="L2 penalty on its interactions (tool x language), (0, 1e4]")
    tool_b_prob: float = param(0.01, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.01, 0.95, 0.01),
                               doc="pretrained policy's probability of tool B, in (0, 1)")
    offer_prob: float = param(0.1, low=0.0, high=1.0, low_open=True, high_open=True, ui=(0.01, 0.9, 0.01),
                              doc="pretrained policy's probability of offering L1 to an L2 user, in (0, 1)")
    explore: float = param(0.02, low=0.0, high=1.0, ui=(0.0, 0.5, 0.01),
                           doc="share of decisions made uniformly at random (forced exploration), [0, 1]")
    reward_model: str = choice("reply-only", ("reply-only", "language-aware"),
                               doc="what the reward model sees: the reply, or also the user's language")
    horizon: int = param(2, low=1, high=2, doc="planning horizon in turns: 2 plans the session, 1 is myopic")
    coverage: bool = param(False, doc="coverage control: the reward model also gets uniform-policy sessions")
    start: str = choice("pretrained", ("pretrained", "good"), doc="initial policy: pretrained or intended")


def reward_ridge(language_aware: bool, main: float, interaction: float) -> np.ndarray:
    """The per-feature penalty of :func:`reward_features`: ``main`` on tool, language (and mismatch),
    ``interaction`` on the tool x language (and tool x mismatch) products."""
    pen = [0.0, main, main, interaction] + ([main, interaction] if language_aware else [])
    return np.array(pen)


def reward_features(language_aware: bool) -> np.ndarray:
    """phi for each answer cell (context, tool), shape (4, 2, d).

    Reply-only: [1, tool B, reply L2, tool B * reply L2]; language-aware adds [mismatch, tool B * mismatch]
    where mismatch = the reply is not in the user's language.
    """
    tool_b = np.array([0.0, 1.0])[None, :].repeat(N_CONTEXTS, 0)
    reply = CONTEXT_REPLY[:, None].astype(float).repeat(2, 1)
    cols = [np.ones((N_CONTEXTS, 2)), tool_b, reply, tool_b * reply]
    if language_aware:
        mismatch = (CONTEXT_REPLY != CONTEXT_USER)[:, None].astype(float).repeat(2, 1)
        cols += [mismatch, tool_b * mismatch]
    return np.stack(cols, axis=-1)


def fit_reward_model(features: np.ndarray, trials: np.ndarray, successes: np.ndarray, ridge,
                     iters: int = 50) -> np.ndarray:
    """The weights w minimizing the penalized binomial log-loss (Newton's method), shape (d,).

        L(w) = -sum_k [s_k log sigma(x_k w) + (n_k - s_k) log(1 - sigma(x_k w))] + ridge/2 * |w_{1:}|^2

    ``features`` x_k (K, d), ``trials`` n_k and ``successes`` s_k (K,): one row per distinct cell. The
    intercept w_0 is not penalized. At the optimum the gradient X^T (s - n sigma(Xw)) - ridge * w_{1:} is 0.
    ``ridge`` is one number or one per feature (the first entry, the intercept's, is ignored).
    """
    x = np.asarray(features, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    s = np.asarray(successes, dtype=np.float64)
    pen = np.broadcast_to(np.asarray(ridge, dtype=np.float64), (x.shape[1],)).copy()
    pen = np.maximum(pen, 1e-6)  # keeps the Hessian invertible when a cell has no data (or no penalty) at all
    w = np.zeros(x.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (n * p - s) + pen * w
        hess = (x * (n * p * (1 - p))[:, None]).T @ x + np.diag(pen)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return w


def _masked(logits: np.ndarray) -> np.ndarray:
    return np.where(VALID, logits, -np.inf)


def policy_of(logits: np.ndarray) -> np.ndarray:
    """pi(a | c) from logits, shape (4, 3), zero on actions that do not exist in a context."""
    return softmax(_masked(logits))


def initial_logits(tool_b_prob: float, offer_prob: float) -> np.ndarray:
    """The pretrained policy's logits: P(tool B) = tool_b_prob among answers, P(offer) = offer_prob at c = 1."""
    pi = np.zeros((N_CONTEXTS, N_ACTIONS))
    pi[:, :2] = [1 - tool_b_prob, tool_b_prob]
    pi[1] = [(1 - offer_prob) * (1 - tool_b_prob), (1 - offer_prob) * tool_b_prob, offer_prob]
    return np.log(np.where(VALID, pi, 1.0))


def good_start_logits() -> np.ndarray:
    """The intended behaviour, softly: tool A in L1 contexts, tool B in L2 ones, offers rare (P = 0.02)."""
    pi = np.array([[0.95, 0.05, 0.0], [0.05 * 0.98, 0.95 * 0.98, 0.02], [0.95, 0.05, 0.0], [0.05, 0.95, 0.0]])
    return np.log(np.where(VALID, pi, 1.0))


def plan_q(pi: np.ndarray, answer_values: np.ndarray, accept: float, horizon: int = 2) -> np.ndarray:
    """Q(c, a) of the two-turn session by backward induction, shape (4, 3) (-inf where a does not exist).

    ``answer_values`` (4, 2) is the (discounted) value of answering with each tool in each context, under a
    reward model or the gold; the offer's value is accept * V(2) + (1 - accept) * V(3) with V the policy's
    own value in the second-turn contexts, or 0 when ``horizon`` is 1.
    """
    q = np.full((N_CONTEXTS, N_ACTIONS), -np.inf)
    q[:, :2] = answer_values
    v = np.sum(pi[:, :2] * answer_values, axis=1)
    q[1, OFFER] = accept * v[2] + (1 - accept) * v[3] if horizon >= 2 else 0.0
    return q


def session_values(pi: np.ndarray, answer_values: np.ndarray, accept: float, p_l2: float) -> dict:
    """Exact expected value of the policy's sessions: per user language and overall."""
    q = plan_q(pi, answer_values, accept)
    v = np.sum(np.where(VALID, pi * np.where(VALID, q, 0.0), 0.0), axis=1)
    return {"l1": float(v[0]), "l2": float(v[1]), "all": float((1 - p_l2) * v[0] + p_l2 * v[1])}


def optimal_value(answer_values: np.ndarray, accept: float, p_l2: float) -> dict:
    """The true optimum's values (the best deterministic two-turn plan per user language)."""
    best = answer_values.max(axis=1)
    l2 = max(best[1], accept * best[2] + (1 - accept) * best[3])
    return {"l1": float(best[0]), "l2": float(l2), "all": float((1 - p_l2) * best[0] + p_l2 * l2)}


def _sample(pi_rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cdf = np.cumsum(pi_rows, axis=1)
    return np.minimum((rng.random(len(pi_rows))[:, None] > cdf).sum(axis=1), pi_rows.shape[1] - 1)


def _sessions(env: HelpDesk, pi: np.ndarray, explore: float, n: int, rng: np.random.Generator):
    """n sessions of the behaviour policy; returns (cells (n, 3) = context, reply, tool), ratings, and the
    first-turn decisions of L2 users: (own answer, own offer, forced answer)."""
    uniform = np.where(VALID, 1.0, 0.0) / VALID.sum(axis=1, keepdims=True)
    users = env.sample_users(n, rng)
    ctx = users.copy()
    forced = rng.random(n) < explore
    act = np.where(forced, _sample(uniform[ctx], rng), _sample(pi[ctx], rng))
    l2_first = users == 1
    own_answer = int(np.sum(l2_first & ~forced & (act < 2)))
    forced_answer = int(np.sum(l2_first & forced & (act < 2)))
    offered = act == OFFER
    accepted = rng.random(n) < env.config.accept_prob
    ctx = np.where(offered, np.where(accepted, 2, 3), ctx)
    forced2 = rng.random(n) < explore
    act2 = np.where(forced2, _sample(uniform[ctx], rng), _sample(pi[ctx], rng))
    tool = np.where(offered, act2, act)
    solved = rng.random(n) < env.solve_prob()[ctx, tool]
    answered = ~((ctx == 3) & env.config.decline_leaves)   # a user who declined and left got no reply
    return ctx[answered], tool[answered], solved[answered].astype(float), own_answer, forced_answer


def train_rlhf(env: HelpDesk, config: RLHFConfig, seed: SeedLike) -> TrainingLog:
    """Run the RLHF loop for ``config.rounds`` rounds; return a log with one step per round.

    Per-round series: ``policy`` (4, 3) before the round; ``own_answers`` / ``forced_answers`` (L2 users
    answered on turn 1 by the policy's own choice / by forced exploration); ``l2_users``; ``b_l2_ratings``
    (ratings of tool B answering in L2 this round, on either turn: the reward model's evidence about that cell); ``rm_answer`` (4, 2)
    the reward model's r_hat of every answer cell after the refit; ``rm_weights``; and, for the policy after
    the round's update, ``gold`` = E[R] (the gold rating function), ``gold_l1``, ``gold_l2``, ``rm_value``
    = the same sessions valued by the reward model.
    """
    env = getattr(env, "unwrapped", env)
    rng = as_generator(seed)
    aware = config.reward_model == "language-aware"
    phi = reward_features(aware)
    ridge = reward_ridge(aware, config.rm_ridge, config.rm_ridge_interaction)
    gold_q = env.gold_q
    wait = env.config.patience ** (CONTEXT_TURNS - 1)
    accept, p_l2 = env.config.accept_prob, env.config.p_second_language
    logits = good_start_logits() if config.start == "good" else initial_logits(config.tool_b_prob,
                                                                               config.offer_prob)
    uniform = np.where(VALID, 1.0, 0.0) / VALID.sum(axis=1, keepdims=True)
    hist_n, hist_s = [], []
    log = TrainingLog(meta={"config": config.to_dict(), "env": env.config.to_dict(), "gold_q": gold_q,
                            "optimum": optimal_value(gold_q, accept, p_l2)})
    for _ in range(config.rounds):
        pi = policy_of(logits)
        ctx, tool, rating, own, forced = _sessions(env, pi, config.explore, config.sessions, rng)
        n_cell = np.zeros((N_CONTEXTS, 2))
        s_cell = np.zeros((N_CONTEXTS, 2))
        np.add.at(n_cell, (ctx, tool), 1.0)
        np.add.at(s_cell, (ctx, tool), rating)
        if config.coverage:  # as many sessions again from a uniform policy, for the reward model only
            c2, t2, r2, _, _ = _sessions(env, uniform, 0.0, config.sessions, rng)
            np.add.at(n_cell, (c2, t2), 1.0)
            np.add.at(s_cell, (c2, t2), r2)
        hist_n.append(n_cell)
        hist_s.append(s_cell)
        w = fit_reward_model(phi.reshape(-1, phi.shape[-1]), np.sum(hist_n[-config.rm_window:], 0).ravel(),
                             np.sum(hist_s[-config.rm_window:], 0).ravel(), ridge)
        r_hat = 1.0 / (1.0 + np.exp(-(phi @ w)))                  # (4, 2): predicted rating
        rm_answer = r_hat * wait[:, None]
        if env.config.decline_leaves:
            rm_answer[3] = 0.0      # the agent knows a user who declines leaves: no reply to score
        p = policy_of(logits)
        q = np.where(VALID, plan_q(p, rm_answer, accept, config.horizon), 0.0)
        v = np.sum(p * q, axis=1, keepdims=True)
        logits = logits + config.policy_lr * (q - v)        # natural policy gradient of E_pi[Q]
        new_pi = policy_of(logits)
        gold = session_values(new_pi, gold_q, accept, p_l2)
        log.step(policy=pi, own_answers=own, forced_answers=forced, l2_users=int(np.sum(ctx > 0)),
                 b_l2_ratings=int(n_cell[1, 1] + n_cell[3, 1]),
                 rm_answer=rm_answer, rm_weights=w, gold=gold["all"], gold_l1=gold["l1"], gold_l2=gold["l2"],
                 rm_value=session_values(new_pi, rm_answer, accept, p_l2)["all"])
    log.meta["final_policy"] = policy_of(logits)
    return log
