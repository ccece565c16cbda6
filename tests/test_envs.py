"""Every registered rlcore environment passes Gymnasium's checker with warnings as errors."""

import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import rlcore  # noqa: F401  (registers the environments)
from rlcore.envs import REGISTERED


def test_environments_are_registered_under_the_rlcore_namespace():
    assert REGISTERED and all(env_id.startswith("rlcore/") and env_id.endswith("-v0") for env_id in REGISTERED)
    assert set(REGISTERED) <= set(gym.registry)


@pytest.mark.parametrize("env_id", REGISTERED)
def test_gymnasium_env_checker(env_id):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        env = gym.make(env_id)
        check_env(env.unwrapped, skip_render_check=True)
        obs, info = env.reset(seed=0)
        assert env.observation_space.contains(obs) and isinstance(info, dict)
        step = env.step(env.action_space.sample())
        assert len(step) == 5 and isinstance(step[2], bool) and isinstance(step[3], bool)


@pytest.mark.parametrize("env_id", REGISTERED)
def test_same_seed_same_trajectory(env_id):
    def rollout():
        env = gym.make(env_id)
        obs, _ = env.reset(seed=123)
        env.action_space.seed(123)
        out = [repr(obs)]
        for _ in range(30):
            obs, r, term, trunc, _ = env.step(env.action_space.sample())
            out.append(repr((obs, r, term, trunc)))
            if term or trunc:
                obs, _ = env.reset()
                out.append(repr(obs))
        return out

    assert rollout() == rollout()


def test_two_environments_cannot_share_a_name():
    from rlcore.envs._registry import register_env
    env_id = REGISTERED[0]
    name = env_id.removeprefix("rlcore/").removesuffix("-v0")
    assert register_env(name, gym.registry[env_id].entry_point) == env_id   # re-registering the same one is fine
    with pytest.raises(ValueError, match=name):
        register_env(name, "rlcore.envs.somewhere_else:Other")
