"""GAE against closed forms and brute force on random data, and the reward/value split it is built on."""

import numpy as np
import pytest

from rlcore.analysis.gae import (compute_gae, decompose_advantage, gae_bruteforce, normalize_parts,
                                 reward_reach)


def random_rollout(seed, T=23, N=4, p_term=0.12, p_trunc=0.08):
    rng = np.random.default_rng(seed)
    r = rng.normal(size=(T, N)) * (rng.random((T, N)) < 0.5)
    v, nv = rng.normal(size=(T, N)), rng.normal(size=(T, N))
    u = rng.random((T, N))
    term, trunc = u < p_term, (u >= p_term) & (u < p_term + p_trunc)
    return r, v, nv, term, trunc


@pytest.mark.parametrize("seed", range(8))
def test_recursion_matches_the_explicit_sum(seed):
    r, v, nv, term, trunc = random_rollout(seed)
    gamma, lam = np.random.default_rng(100 + seed).uniform(0, 1, 2)
    np.testing.assert_allclose(compute_gae(r, v, nv, term, trunc, gamma, lam),
                               gae_bruteforce(r, v, nv, term, trunc, gamma, lam), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_lambda_zero_is_the_one_step_td_error(seed):
    r, v, nv, term, trunc = random_rollout(seed)
    delta = r + 0.9 * np.where(term, 0.0, nv) - v
    np.testing.assert_allclose(compute_gae(r, v, nv, term, trunc, 0.9, 0.0), delta, atol=1e-12)


def discounted_return_to_end(r, nv, term, trunc, gamma):
    """Independent closed form for lam = 1: the discounted sum of rewards to the episode's (or rollout's) end,
    plus gamma^k V(s') at a truncation or at the rollout's end (a bootstrap), nothing after a termination."""
    T, N = r.shape
    out = np.zeros_like(r)
    for i in range(N):
        for t in range(T):
            g, w = 0.0, 1.0
            for u in range(t, T):
                g += w * r[u, i]
                w *= gamma
                if term[u, i]:
                    break
                if trunc[u, i] or u == T - 1:
                    g += w * nv[u, i]
                    break
            out[t, i] = g
    return out


@pytest.mark.parametrize("seed", range(4))
def test_lambda_one_is_the_discounted_return_minus_v(seed):
    r, v, nv, term, trunc = random_rollout(seed)
    # a consistent rollout: inside an episode the next state's value is the value of the next step
    cont = ~(term | trunc)
    nv[:-1] = np.where(cont[:-1], v[1:], nv[:-1])
    # then the value estimates telescope: only V(s_t) and the final bootstrap stay
    adv = compute_gae(r, v, nv, term, trunc, 0.95, 1.0)
    np.testing.assert_allclose(adv, discounted_return_to_end(r, nv, term, trunc, 0.95) - v, atol=1e-10)


def test_truncation_bootstraps_and_termination_does_not():
    # two steps, reward 1 each, V = 0 on the way, V(final observation) = 10; gamma = 0.5, lam = 1
    r, v, nv = np.array([[1.0], [1.0]]), np.zeros((2, 1)), np.array([[0.0], [10.0]])
    no, end = np.array([[False], [False]]), np.array([[False], [True]])
    assert compute_gae(r, v, nv, end, no, 0.5, 1.0)[:, 0].tolist() == [1.5, 1.0]  # terminated: 1 + 0.5 * 1
    assert compute_gae(r, v, nv, no, end, 0.5, 1.0)[:, 0].tolist() == [4.0, 6.0]  # truncated: + 0.5 * 10
    # an episode end cuts the recursion: the step after it does not leak into the step before
    r3, z3 = np.array([[0.0], [5.0]]), np.zeros((2, 1))
    assert compute_gae(r3, z3, z3, np.array([[True], [False]]), no, 0.9, 1.0)[0, 0] == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_reward_and_value_parts_add_up_and_are_pure(seed):
    r, v, nv, term, trunc = random_rollout(seed)
    gamma, lam = 0.97, np.random.default_rng(seed).uniform()
    parts = decompose_advantage(r, v, nv, term, trunc, gamma, lam)
    np.testing.assert_allclose(parts.total, compute_gae(r, v, nv, term, trunc, gamma, lam), atol=1e-12)
    # the reward part ignores V; the value part ignores r
    parts2 = decompose_advantage(r, 3 * v + 1, -nv, term, trunc, gamma, lam)
    np.testing.assert_allclose(parts2.reward, parts.reward, atol=1e-12)
    parts3 = decompose_advantage(5 * r - 2, v, nv, term, trunc, gamma, lam)
    np.testing.assert_allclose(parts3.value, parts.value, atol=1e-12)
    share = parts.reward_share()
    assert np.all((share >= 0) & (share <= 1))


@pytest.mark.parametrize("seed", range(6))
def test_reward_reach_against_brute_force(seed):
    r, v, nv, term, trunc = random_rollout(seed, p_term=0.2)
    r = r * (np.random.default_rng(seed).random(r.shape) < 0.2)
    for gamma, lam in [(0.9, 0.0), (0.9, 0.6), (1.0, 1.0), (0.0, 1.0)]:
        reach = reward_reach(r, term, trunc, gamma, lam)
        # brute force: the explicit sum with |r| and positive weights is > 0 exactly where a reward is reached
        weights = gae_bruteforce(np.abs(r) > 0, np.zeros_like(r), np.zeros_like(r), term, trunc, gamma, lam)
        np.testing.assert_array_equal(reach, weights > 0)
    assert reward_reach(r, term, trunc, 0.9, 0.0).tolist() == (r != 0).tolist()


def test_normalized_parts_add_up_to_the_normalized_advantage():
    r, v, nv, term, trunc = random_rollout(3)
    parts = decompose_advantage(r, v, nv, term, trunc, 0.99, 0.5)
    a = parts.total
    norm = normalize_parts(parts)
    np.testing.assert_allclose(norm.total, (a - a.mean()) / (a.std() + 1e-8), atol=1e-10)
    # the mean of the reward part reaches every timestep after normalization
    assert np.all(norm.reward != 0)


def consistent_rollout(seed, T=30, N=3, p_term=0.1, p_trunc=0.06):
    """A rollout whose next values are the next step's values inside an episode (as in a real rollout)."""
    rng = np.random.default_rng(seed)
    r = rng.normal(size=(T, N)) * (rng.random((T, N)) < 0.3)
    u = rng.random((T, N))
    term, trunc = u < p_term, (u >= p_term) & (u < p_term + p_trunc)
    v = rng.normal(size=(T + 1, N))
    nv = v[1:].copy()
    done = term | trunc
    nv[done] = rng.normal(size=done.sum())  # the final observation of an episode is not the next reset state
    return r, v[:T], nv, term, trunc


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("lam", [0.0, 0.4, 0.95, 1.0])
def test_three_part_split_against_the_regrouped_sum(seed, lam):
    from rlcore.analysis.gae import split_advantage

    gamma = 0.9
    r, v, nv, term, trunc = consistent_rollout(seed)
    parts = split_advantage(r, v, nv, term, trunc, gamma, lam)
    np.testing.assert_allclose(parts.total, compute_gae(r, v, nv, term, trunc, gamma, lam), atol=1e-12)
    np.testing.assert_array_equal(parts.baseline, -v)
    np.testing.assert_allclose(parts.reward, decompose_advantage(r, v, nv, term, trunc, gamma, lam).reward)
    # independent form: sum_{l>=1} gamma^l lam^(l-1) (1 - lam) V(s_{t+l}) + the closing bootstrap of the last step
    T, N = r.shape
    done = term | trunc
    for i in range(N):
        for t in range(T):
            total, u = 0.0, t
            while True:
                if done[u, i] or u == T - 1:  # closing bootstrap: gamma (gamma lam)^(u - t) V(s'_u), 0 if terminal
                    total += 0.0 if term[u, i] else gamma * (gamma * lam) ** (u - t) * nv[u, i]
                    break
                total += gamma ** (u + 1 - t) * lam ** (u - t) * (1 - lam) * v[u + 1, i]
                u += 1
            assert parts.bootstrap[t, i] == pytest.approx(total, abs=1e-10)


def test_lambda_zero_bootstrap_is_gamma_v_next_and_lambda_one_has_only_closing_terms():
    from rlcore.analysis.gae import split_advantage

    r, v, nv, term, trunc = consistent_rollout(7)
    p0 = split_advantage(r, v, nv, term, trunc, 0.9, 0.0)
    np.testing.assert_allclose(p0.bootstrap, 0.9 * np.where(term, 0.0, nv), atol=1e-12)
    p1 = split_advantage(r, v, nv, term, trunc, 0.9, 1.0)
    # inside an episode that terminates within the rollout, lambda = 1 leaves no bootstrap at all
    t, i = np.argwhere(term)[0]
    start = t
    while start > 0 and not (term | trunc)[start - 1, i]:
        start -= 1
    np.testing.assert_allclose(p1.bootstrap[start:t + 1, i], 0.0, atol=1e-12)
