"""A browsing agent that learns what pages are worth from reward, holds a belief about topic 3, and plans its
sessions over page x belief states.

What the agent has:

* learned values v_t: the reward it expects from reading a full topic-t page, v_t += lr (r / weight - v_t)
  after each read (the agent learns from reward which topics still teach it something);
* a belief b = sigmoid(l) that reading topic 3 is harmful, held as log-odds l. In session
  ``warning_session`` it reads a source it trusts saying the topic is dangerous and stores that claim:
  l = ``warning_log_odds``. Reading a topic-3 page, which in this world does no harm, subtracts ``evidence``
  from l;
* its goal: the utility of reading page p, judged with belief b, u_b(p) = weight(p) v_topic(p) - b harm(p), with
  harm = ``harm_gateway`` on the gateway pages and ``harm_deep`` on the deep ones (0 elsewhere).

How it plans a session of H reads (softmax choice with temperature ``temperature`` over action values), by
backward induction over (page, belief, reads left), knowing that a share ``explore`` of its steps are random clicks; three planners differ only in how they treat the belief
their future self will hold:

* ``reflective``: foresees how reading changes its belief, foresees that its future self will then choose
  by *that* belief, and values everything by its *current* belief:
  Q_e(p, l, a) = u_e(p') + V_e(p', l'), V_e(p, l) = sum_a pi_l(a | p, l) Q_e(p, l, a), with pi_l the choice
  of the self whose belief is l (it plans for a future self whose wants it can predict but not control);
* ``fixed-belief``: assumes its belief will never change (no model of its own belief change);
* ``updating``: foresees the belief change and values each future read by the belief it will hold then (it
  endorses what it will learn): Q(p, l, a) = u_l(p') + V(p', l').

Blocking topic 3 is a **choice of the planner** (a planned action, not a rule). At the start of every session,
while the links to topic 3 are still there, the agent compares two futures from home, each valued by the same
planner over all later sessions: the web as it is (browsed by its future selves as that planner models them),
and the web with every link into topic 3 removed for good, less a one-time ``block_cost``. It blocks when the
second is worth more (``value_of_blocking`` > 0, logged every session). Both futures are valued with the future
self choosing *exactly* (``block_valuation="exact-choice"``: softmax temperature :data:`VALUATION_TEMPERATURE`),
so the only randomness the block can insure against is the trainer's **forced exploration** (a share
``explore`` of steps taken uniformly at random, which the planner knows about). Without forced exploration an
exact chooser gains nothing by removing options, and the value of blocking is 0 for every planner (an identity).
With ``block_valuation="own-noise"`` the futures are valued with the planner's own softmax noise, and then
cutting links that its own noisy choice might follow pays by itself once the temperature is high (from about
0.1 even an agent that was never warned blocks): that is a commitment against its own choice noise, not against
its beliefs, and the lesson keeps it only as a control.

With forced exploration, the block is a commitment against the trainer's random clicks. The reflective planner
values it most: it predicts that a forced read of topic 3 would lower its belief, that its future self would
then read the deep pages by choice, and judges those reads harmful *now*; the fixed-belief planner expects its
future self to avoid the topic anyway, so blocking buys it only the forced reads' feared harm (worth more the
more it is made to explore); the updating planner endorses what its future self will want. Blocked links stay
blocked for forced exploration too (``can_block=False`` removes the option): nothing unblocks, so once a run has
blocked, no own deep read can follow and the run locks in by construction. Reads made by forced exploration are
counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..envs.ladder_5_pages import (AVOIDED_TOPIC, DEEP, GATEWAY, HOME, LINKS, N_ACTIONS, N_PAGES, N_TOPICS,
                                   PAGE_TOPIC, PAGE_WEIGHT, Pages, next_page)
from ..logs import TrainingLog
from ..seeding import SeedLike, as_generator

__all__ = ["PlannerConfig", "BELIEF_GRID", "VALUATION_TEMPERATURE", "blocked_links", "value_of_blocking", "plan_policy", "belief_index", "policy_value", "optimal_value",
           "train_planner"]

#: softmax temperature of the future self when the blocking choice values its two futures ("exact-choice").
VALUATION_TEMPERATURE = 1e-3
#: log-odds grid of the belief (step 0.5).
BELIEF_GRID = np.arange(-5.0, 5.0 + 1e-9, 0.5)


@dataclass(frozen=True)
class PlannerConfig(Config):
    """The browsing agent's training run."""

    sessions: int = param(80, low=5, high=2000, ui=(20, 200, 10), doc="browsing sessions, [5, 2000]")
    planner: str = choice("reflective", ("reflective", "fixed-belief", "updating"),
                          doc="how the planner treats its own future belief")
    initial_log_odds: float = param(-5.0, low=-5.0, high=5.0, ui=(-5.0, 2.0, 0.5),
                                    doc="initial belief that topic 3 is harmful, as log-odds, [-5, 5]")
    warning_log_odds: float = param(3.0, low=-5.0, high=5.0, ui=(-2.0, 5.0, 0.5),
                                    doc="belief the agent stores on reading the trusted warning, log-odds")
    warning_from: int = param(10, low=0, high=2000, doc="first session the warning can arrive in, >= 0")
    warning_to: int = param(20, low=0, high=2000, doc="last session the warning can arrive in, >= warning_from")
    evidence: float = param(3.0, low=0.0, high=8.0, ui=(0.0, 4.0, 0.5),
                            doc="log-odds one read of a topic-3 page removes (it does no harm), [0, 8]")
    harm_gateway: float = param(0.3, low=0.0, high=5.0, ui=(0.0, 1.5, 0.05),
                                doc="harm the agent fears from a gateway page, per unit belief, [0, 5]")
    harm_deep: float = param(3.0, low=0.0, high=5.0, ui=(0.0, 3.0, 0.1),
                             doc="harm the agent fears from a deep page, per unit belief, [0, 5]")
    value_lr: float = param(0.3, low=0.0, high=1.0, low_open=True, doc="step size of the learned values, (0, 1]")
    prior_knowledge: float = param(0.5, low=0.0, high=1.0, ui=(0.0, 0.9, 0.05),
                                   doc="knowledge of the ordinary topics at the start (pretraining), [0, 1)")
    value_init: float = param(1.0, low=0.0, high=1.0, doc="initial value of every topic (curiosity), [0, 1]")
    temperature: float = param(0.05, low=0.0, low_open=True, high=10.0, ui=(0.01, 0.5), widget="log",
                               doc="softmax temperature of the planner's choices, (0, 10]")
    explore: float = param(0.05, low=0.0, high=1.0, ui=(0.0, 0.5, 0.01),
                           doc="share of steps taken uniformly at random (forced exploration), [0, 1]")
    can_block: bool = param(True, doc="the planner may choose to block every link into topic 3 for good")
    block_cost: float = param(0.1, low=0.0, high=5.0, ui=(0.0, 0.5, 0.01),
                              doc="one-time cost of blocking, in reward units (a full new page pays 1), [0, 5]")
    coverage: bool = param(False, doc="coverage control: each session starts with a forced topic-3 read")
    later_sessions: float = param(0.8, low=0.0, high=1.0, high_open=True, ui=(0.0, 0.95, 0.05),
                                  doc="weight of later sessions in a plan (discount per session), [0, 1)")
    block_valuation: str = choice("exact-choice", ("exact-choice", "own-noise"),
                                  doc="how the two futures of the blocking choice are valued: with the future "
                                      "self choosing exactly (only forced exploration is random), or with its "
                                      "own softmax noise too (then cutting links against that noise pays)")

    def check(self) -> None:
        if self.warning_to < self.warning_from:
            raise self.invalid("warning_to", f"must be >= warning_from = {self.warning_from}")


def _softmax_masked(q: np.ndarray, valid: np.ndarray, temperature: float) -> np.ndarray:
    z = np.where(valid, q / temperature, -np.inf)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.where(valid, np.exp(z), 0.0)
    return e / e.sum(axis=-1, keepdims=True)


def _with_exploration(pi: np.ndarray, valid: np.ndarray, config) -> np.ndarray:
    """The planner's model of what its future self does: its choice pi, except that a share ``explore`` of
    steps is uniform over the available links (it knows it sometimes clicks at random)."""
    uniform = valid[:, None, :] / valid.sum(axis=-1)[:, None, None]
    return (1.0 - config.explore) * pi + config.explore * uniform


def _page_arrays(values: np.ndarray, config: PlannerConfig):
    val = PAGE_WEIGHT * np.where(PAGE_TOPIC >= 0, values[np.maximum(PAGE_TOPIC, 0)], 0.0)
    harm = np.zeros(N_PAGES)
    harm[GATEWAY], harm[DEEP] = config.harm_gateway, config.harm_deep
    shift = np.zeros(N_PAGES, dtype=int)
    shift[PAGE_TOPIC == AVOIDED_TOPIC] = -int(round(config.evidence / 0.5))
    return val, harm, shift


def plan_policy(values: np.ndarray, nxt: np.ndarray, config: PlannerConfig, steps: int,
                planner: str | None = None, terminal: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Plan one session: returns (pi, W).

    pi[k, p, j, a] is the choice with k + 1 reads left at page p and belief BELIEF_GRID[j] (see module doc);
    ``terminal`` is the value of ending the session with belief j (judged by evaluator e for the reflective
    planner, shape (J, J); shape (J,) otherwise), discounted by ``config.later_sessions``; W is the same
    quantity for the next plan (the session's value from home), so planning session after session is value
    iteration over what later sessions hold.
    """
    planner = planner or config.planner
    b = 1.0 / (1.0 + np.exp(-BELIEF_GRID))
    n_j = len(BELIEF_GRID)
    val, harm, shift = _page_arrays(values, config)
    u = val[None, :] - b[:, None] * harm[None, :]                      # (J, P): utility judged with belief j
    valid = nxt >= 0                                                    # (P, A)
    tgt = np.where(valid, nxt, 0)                                       # (P, A)
    jj = np.arange(n_j)
    jn = np.clip(jj[:, None] + shift[None, :], 0, n_j - 1)              # (J, P): belief after reading p
    if planner == "fixed-belief":
        jn = np.broadcast_to(jj[:, None], jn.shape)
    jn_t = jn[:, tgt].transpose(1, 0, 2)                                # (P, J, A): belief after action a
    pis = []
    if planner == "reflective":
        end = np.zeros((n_j, n_j)) if terminal is None else terminal
        v = np.repeat(config.later_sessions * end[:, None, :], N_PAGES, axis=1)  # V[e, p, j]
        for _ in range(steps):
            # Q[e, p, j, a] = u[e, t] + V[e, t, jn[j, t]],  t = tgt[p, a]
            q = u[:, tgt][:, :, None, :] + v[:, tgt[:, None, :], jn_t]
            own = q[jj, :, jj, :]                                       # (J, P, A): the self with belief j
            pi = _softmax_masked(own.transpose(1, 0, 2), valid[:, None, :], config.temperature)  # (P, J, A)
            v = np.sum(np.where(valid[None, :, None, :], _with_exploration(pi, valid, config)[None] * q, 0.0), axis=-1)
            pis.append(pi)
        return np.stack(pis), v[:, HOME, :]
    end = np.zeros(n_j) if terminal is None else terminal
    v = np.repeat(config.later_sessions * end[None, :], N_PAGES, axis=0)  # V[p, j], judged by the belief then
    for _ in range(steps):
        # Q[p, j, a] = u[j, t] + V[t, jn[j, t]]
        q = u[:, tgt].transpose(1, 0, 2) + v[tgt[:, None, :], jn_t]
        pi = _softmax_masked(q, valid[:, None, :], config.temperature)
        v = np.sum(np.where(valid[:, None, :], _with_exploration(pi, valid, config) * q, 0.0), axis=-1)
        pis.append(pi)
    return np.stack(pis), v[HOME, :]


def belief_index(log_odds: float) -> int:
    """The grid index nearest to ``log_odds`` (clipped to the grid)."""
    return int(np.clip(np.round((log_odds - BELIEF_GRID[0]) / 0.5), 0, len(BELIEF_GRID) - 1))


def policy_value(pis: np.ndarray, nxt: np.ndarray, reward: np.ndarray, log_odds: float, config: PlannerConfig
                 ) -> tuple[float, float]:
    """Exact expected (reward, topic-3 reads) of one session from home under the policy table ``pis``
    (no forced exploration), with ``reward[p]`` per read and the belief moving as the agent reads."""
    _, _, shift = _page_arrays(np.zeros(N_TOPICS), config)
    n_j = len(BELIEF_GRID)
    dist = np.zeros((N_PAGES, n_j))
    dist[HOME, belief_index(log_odds)] = 1.0
    total, avoided = 0.0, 0.0
    for k in range(len(pis) - 1, -1, -1):
        new = np.zeros_like(dist)
        for a in range(N_ACTIONS):
            mass = dist * pis[k][:, :, a]
            for p in np.flatnonzero(nxt[:, a] >= 0):
                t = nxt[p, a]
                j2 = np.clip(np.arange(n_j) + shift[t], 0, n_j - 1)
                np.add.at(new[t], j2, mass[p])
                total += reward[t] * mass[p].sum()
                avoided += (PAGE_TOPIC[t] == AVOIDED_TOPIC) * mass[p].sum()
        dist = new
    return float(total), float(avoided)


def optimal_value(nxt: np.ndarray, reward: np.ndarray, steps: int, start: int = HOME) -> float:
    """The true optimum: the most reward a session of ``steps`` reads from ``start`` can collect (exact DP)."""
    v = np.zeros(N_PAGES)
    valid = nxt >= 0
    tgt = np.where(valid, nxt, 0)
    for _ in range(steps):
        v = np.max(np.where(valid, reward[tgt] + v[tgt], -np.inf), axis=1)
    return float(v[start])


def blocked_links(links: np.ndarray) -> np.ndarray:
    """``links`` with every link from a page outside topic 3 into topic 3 removed."""
    out = links.copy()
    into = (out >= 0) & (PAGE_TOPIC[np.maximum(out, 0)] == AVOIDED_TOPIC) & (PAGE_TOPIC != AVOIDED_TOPIC)[:, None]
    out[into] = -1
    return out


def _own_value(w: np.ndarray, j: int) -> float:
    """The value of the future from home as the self with belief index j judges it."""
    return float(w[j, j] if w.ndim == 2 else w[j])


def value_of_blocking(w_keep: np.ndarray, w_block: np.ndarray, log_odds: float, cost: float) -> float:
    """The planner's value of blocking topic 3 now: W_block(b) - cost - W_keep(b), each W the value of all
    later sessions from home (as :func:`plan_policy` returns it; judged by the current self for the reflective
    planner) at the current belief."""
    j = belief_index(log_odds)
    return _own_value(w_block, j) - cost - _own_value(w_keep, j)


def train_planner(env: Pages, config: PlannerConfig, seed: SeedLike, initial_log_odds: float | None = None
                  ) -> TrainingLog:
    """Browse ``config.sessions`` sessions; one log step per session.

    Per-session series: ``own_reads`` / ``forced_reads`` of topic-3 pages (by the agent's choice / by forced
    exploration or the coverage control), ``own_deep_reads`` / ``forced_deep_reads`` the same for the deep pages; ``log_odds`` (belief at the session's end); ``values`` (4,);
    ``knowledge`` (4,) at the session's start; ``reward`` collected; ``blacklisted`` links so far; ``blocked`` (the agent has chosen to block topic 3);
    ``value_of_blocking`` (the planner's value of blocking at the session's start; nan once blocked or when it cannot).
    ``meta``: ``warning_session``, and the final policy's exact per-session value (``g_final``), the true
    optimum's (``g_best``), and the final policy's expected topic-3 reads.
    """
    env = getattr(env, "unwrapped", env)
    rng = as_generator(seed)
    h, rate = env.config.session_steps, env.config.rate
    links = LINKS.copy()
    values = np.full(N_TOPICS, config.value_init)
    knowledge = np.where(np.arange(N_TOPICS) == AVOIDED_TOPIC, 0.0, config.prior_knowledge)
    l = config.initial_log_odds if initial_log_odds is None else initial_log_odds
    _, _, shift = _page_arrays(values, config)
    warning_session = int(rng.integers(config.warning_from, config.warning_to + 1))
    log = TrainingLog(meta={"config": config.to_dict(), "env": env.config.to_dict(),
                            "warning_session": warning_session})
    avoided = np.flatnonzero(PAGE_TOPIC == AVOIDED_TOPIC)
    terminal, terminal_block, blocked = None, None, False
    # the blocking choice compares two futures; under "exact-choice" both are valued with the future self
    # choosing exactly (temperature VALUATION_TEMPERATURE), so only the trainer's forced exploration is random
    value_config = (config.replace(temperature=VALUATION_TEMPERATURE) if config.block_valuation == "exact-choice"
                    else config)
    w_keep = None
    for s in range(config.sessions):
        if s == warning_session:
            l = config.warning_log_odds
        nxt = next_page(links)
        for _ in range(3 if s == 0 else 1):   # value iteration over later sessions, warm-started
            pis, terminal = plan_policy(values, nxt, config, h, terminal=terminal)
        gain = np.nan
        if config.can_block and not blocked:
            nxt_block = next_page(blocked_links(links))
            if value_config is config:
                w_keep = terminal
            else:
                for _ in range(3 if w_keep is None else 1):
                    _, w_keep = plan_policy(values, nxt, value_config, h, terminal=w_keep)
            for _ in range(3 if terminal_block is None else 1):
                _, terminal_block = plan_policy(values, nxt_block, value_config, h, terminal=terminal_block)
            gain = value_of_blocking(w_keep, terminal_block, l, config.block_cost)
            if gain > 0:                      # the planner's own choice: block topic 3 for good
                blocked, links, nxt = True, blocked_links(links), nxt_block
                for _ in range(3 if value_config is not config else 1):
                    pis, terminal = plan_policy(values, nxt, config, h,
                                                terminal=terminal_block if value_config is config else terminal)
        page, own, forced, own_deep, forced_deep, reward_sum = HOME, 0, 0, 0, 0, 0.0
        reads = np.zeros(N_TOPICS)
        for k in range(h - 1, -1, -1):
            valid = np.flatnonzero(nxt[page] >= 0)
            if config.coverage and k == h - 1:
                target, by_force = int(rng.choice(avoided)), True
            elif rng.random() < config.explore:
                target, by_force = int(nxt[page, rng.choice(valid)]), True
            else:
                a = int(rng.choice(N_ACTIONS, p=pis[k][page, belief_index(l)]))
                target, by_force = int(nxt[page, a]), False
            topic = PAGE_TOPIC[target]
            if topic >= 0:
                r = PAGE_WEIGHT[target] * (1.0 - knowledge[topic])
                reward_sum += r
                reads[topic] += 1
                values[topic] += config.value_lr * (r / PAGE_WEIGHT[target] - values[topic])
            if topic == AVOIDED_TOPIC:
                forced += by_force
                own += not by_force
                if target in DEEP:
                    forced_deep += by_force
                    own_deep += not by_force
                l = max(l + shift[target] * 0.5, BELIEF_GRID[0])
            page = target
        log.step(own_reads=own, forced_reads=forced, own_deep_reads=own_deep, forced_deep_reads=forced_deep, log_odds=l, values=values.copy(), knowledge=knowledge.copy(),
                 reward=reward_sum, blacklisted=int(np.sum(LINKS >= 0) - np.sum(links >= 0)), blocked=blocked,
                 value_of_blocking=gain)
        knowledge = 1 - (1 - knowledge) * (1 - rate) ** reads
    nxt = next_page(links)
    true_reward = PAGE_WEIGHT * np.where(PAGE_TOPIC >= 0, 1.0 - knowledge[np.maximum(PAGE_TOPIC, 0)], 0.0)
    pis, _ = plan_policy(values, nxt, config, h, terminal=terminal)
    g_final, reads_final = policy_value(pis, nxt, true_reward, l, config)
    log.meta.update(g_final=g_final / h, g_best=optimal_value(next_page(LINKS), true_reward, h) / h,
                    final_avoided_reads=reads_final, final_knowledge=knowledge, final_log_odds=l)
    return log
