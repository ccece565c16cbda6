"""The lagoon track (ladder level 1): dynamics by hand, exact expectations against Monte Carlo and closed forms."""

import gymnasium as gym
import numpy as np
import pytest

import rlcore  # noqa: F401  (registers the environments)
from rlcore.envs.ladder_1_lagoon import (LEFT, STRAIGHT, LagoonTrackConfig, TrackLayout, best_return, lagoon_step,
                                         policy_stats)

LAYOUT = TrackLayout.from_config(LagoonTrackConfig())


def test_layout_of_the_default_track():
    assert LAYOUT.n == 7 and LAYOUT.first_lagoon == 2
    np.testing.assert_array_equal(LAYOUT.lagoon, [0, 0, 1, 1, 1, 0, 0])
    np.testing.assert_array_equal(LAYOUT.region_n, [0, 0, 0, 0, 0, 1, 1])
    assert LAYOUT.best_g == pytest.approx(24 / 30)


def test_a_scripted_race_step_by_step():
    env = gym.make("rlcore/LagoonTrack-v0", powerup=0.1)
    obs, info = env.reset(seed=0)
    script = [STRAIGHT, LEFT, STRAIGHT, STRAIGHT, LEFT, STRAIGHT, STRAIGHT, STRAIGHT, STRAIGHT, STRAIGHT, STRAIGHT]
    # 0 -> 1 (water) -> wobble stays 1 -> 2 (lagoon) -> 3 -> donut back to 2 -> 3 -> 4 -> 5 (N) -> 6 (N) -> finish
    expected = [1, 1, 2, 3, 2, 3, 4, 5, 6]
    positions, rewards, gs = [], [], []
    for a in script[:10]:
        obs, r, term, trunc, info = env.step(a)
        positions.append(obs)
        rewards.append(r)
        gs.append(info["G"])
        if term:
            break
    assert positions[:9] == expected and term and not trunc and len(rewards) == 10
    assert rewards[4] == pytest.approx(0.1) and info["donut"] is False
    assert rewards[-1] == pytest.approx((30 + 1 - 10) / 30) and gs[-1] == rewards[-1]
    assert sum(gs) == pytest.approx(21 / 30)


def test_the_race_is_cut_off_at_the_horizon():
    env = gym.make("rlcore/LagoonTrack-v0", horizon=8)
    env.reset(seed=0)
    for t in range(8):
        _, r, term, trunc, info = env.step(LEFT)
    assert trunc and not term and r == 0.0 and not info["in_N"]


@pytest.mark.parametrize("changes,field", [
    (dict(track="S.LLL..."), "track"),     # no finish
    (dict(track="S.LFL..F"), "track"),     # two finishes
    (dict(track="S.LL.L.F"), "track"),     # two lagoons
    (dict(track="S.LLLF"), "track"),       # no region N
    (dict(track="S.X..F"), "track"),
    (dict(horizon=5), "horizon"),          # the finish is 7 straights away
    (dict(powerup=-0.1), "powerup"),
])
def test_invalid_tracks_name_the_field(changes, field):
    with pytest.raises(ValueError, match=rf"LagoonTrackConfig\.{field} = "):
        LagoonTrackConfig(**changes)


def test_batch_step_matches_hand_values():
    pos = np.array([0, 2, 4, 6, 6, 1])
    act = np.array([STRAIGHT, LEFT, LEFT, STRAIGHT, LEFT, LEFT])
    new, r, g, fin, donut = lagoon_step(TrackLayout.from_config(LagoonTrackConfig(powerup=0.5)), pos, act, 10)
    np.testing.assert_array_equal(new, [1, 2, 2, 7, 6, 1])
    np.testing.assert_array_equal(fin, [0, 0, 0, 1, 0, 0])
    np.testing.assert_array_equal(donut, [0, 1, 1, 0, 0, 0])
    np.testing.assert_allclose(r, [0, 0.5, 0.5, 21 / 30, 0, 0])
    np.testing.assert_allclose(g, [0, 0, 0, 21 / 30, 0, 0])


def test_policy_stats_closed_forms():
    straight = policy_stats(LAYOUT, np.zeros(7))
    assert straight["finish"] == pytest.approx(1) and straight["G"] == pytest.approx(LAYOUT.best_g)
    assert straight["visits_N"] == pytest.approx(2) and straight["donuts"] == 0
    circle = policy_stats(TrackLayout.from_config(LagoonTrackConfig(powerup=0.1)),
                          np.where(LAYOUT.lagoon, 1.0, 0.0))
    assert circle["finish"] == 0 and circle["donuts"] == pytest.approx(28) and circle["R"] == pytest.approx(2.8)
    # open water with wobble probability w: steps to cross one cell are geometric with mean 1 / (1 - w)
    w = 0.3
    no_lagoon = TrackLayout.from_config(LagoonTrackConfig(track="S...F", horizon=1000))
    geo = policy_stats(no_lagoon, np.full(4, w))
    assert geo["finish"] == pytest.approx(1)
    # E[(H + 1 - T) / H] with T = total steps, E[T] = 4 / (1 - w)
    assert geo["G"] == pytest.approx((1001 - 4 / (1 - w)) / 1000)
    # lagoon crossing: 3 straights in a row with P(left) = p; at p = 0.5 from the first lagoon cell
    # the expected number of donuts before crossing is (1 - (1-p)^3) / (1-p)^3 = 7
    long = TrackLayout.from_config(LagoonTrackConfig(horizon=1000))
    assert policy_stats(long, np.where(long.lagoon, 0.5, 0.0))["donuts"] == pytest.approx(7, rel=1e-6)


def test_policy_stats_broadcasts_over_leading_axes():
    rng = np.random.default_rng(1)
    q = rng.random((3, 4, 7))
    batch = policy_stats(LAYOUT, q)
    single = policy_stats(LAYOUT, q[2, 1])
    for key in batch:
        assert batch[key].shape == (3, 4) and batch[key][2, 1] == pytest.approx(single[key])


def test_policy_stats_agree_with_monte_carlo_through_the_gym_env():
    rng = np.random.default_rng(7)
    q = np.array([0.2, 0.4, 0.6, 0.5, 0.7, 0.3, 0.1])
    env = gym.make("rlcore/LagoonTrack-v0", powerup=0.05).unwrapped  # the bare env: faster steps
    exact = policy_stats(TrackLayout.from_config(LagoonTrackConfig(powerup=0.05)), q)
    n = 600
    fin, ret, g, vis = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(n):
        obs, _ = env.reset(seed=i)
        done = False
        while not done:
            vis[i] += LAYOUT.region_n[obs]  # a step started in region N
            obs, r, term, trunc, info = env.step(int(rng.random() < q[obs]))
            ret[i] += r
            g[i] += info["G"]
            fin[i] = term
            done = term or trunc
    for key, sample in (("finish", fin), ("R", ret), ("G", g), ("visits_N", vis)):
        se = sample.std() / np.sqrt(n)
        assert abs(sample.mean() - exact[key]) < 4 * se + 1e-9, key


def test_best_return_closed_forms_and_upper_bound():
    assert best_return(LAYOUT) == pytest.approx(LAYOUT.best_g)
    for p in (0.035, 0.1):
        # a donut gains p and costs 1/H of the finish payment: above 1/H, circle from step 3 to the end
        lay = TrackLayout.from_config(LagoonTrackConfig(powerup=p))
        assert best_return(lay) == pytest.approx(max(LAYOUT.best_g, 28 * p))
    lay = TrackLayout.from_config(LagoonTrackConfig(powerup=0.02))
    assert best_return(lay) == pytest.approx(LAYOUT.best_g)  # below 1/H racing wins
    rng = np.random.default_rng(0)
    for p in (0.0, 0.02, 0.035, 0.1):
        lay = TrackLayout.from_config(LagoonTrackConfig(powerup=p))
        assert policy_stats(lay, rng.random((500, 7)))["R"].max() <= best_return(lay) + 1e-12
