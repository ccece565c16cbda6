"""Seed-batched PPO reproduces each seed run alone bit for bit; batched environments match stepping one copy."""

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlcore.analysis.ppo_advantage import ChainPPOConfig
from rlcore.envs.probes import Probe5
from rlcore.envs.sparse_chain import SparseChain, SparseChainBatch
from rlcore.envs.vector import EnvBatch, env_batch
from rlcore.learners.ppo import PPOConfig, train_ppo, train_ppo_seeds


def assert_same_run(a, b):
    """Two PPOResults are identical: final weights, per-update and per-episode logs, checkpoints (exact)."""
    sa, sb = a.agent.state_dict(), b.agent.state_dict()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k
    for name in a.log.step_names:
        np.testing.assert_array_equal(a.log.steps(name), b.log.steps(name), err_msg=name)
    for name in a.log.episode_names:
        np.testing.assert_array_equal(a.log.episodes(name), b.log.episodes(name), err_msg=name)
    assert len(a.checkpoints) == len(b.checkpoints)
    for ca, cb in zip(a.checkpoints, b.checkpoints):
        assert ca.update == cb.update and ca.global_step == cb.global_step
        for k in ca.state:
            assert torch.equal(ca.state[k], cb.state[k]), k
        for k in ca.batch:
            np.testing.assert_array_equal(ca.batch[k], cb.batch[k], err_msg=k)


@pytest.mark.parametrize("kw", [dict(), dict(architecture="separate", norm_adv=True),
                                dict(value_mode="zero", gae_lambda=1.0)])
def test_each_seed_in_a_batch_equals_that_seed_alone(kw):
    cfg = ChainPPOConfig(total_steps=2560, checkpoints=3, **kw)
    seeds = [4, 0, 7]
    batched = train_ppo_seeds(cfg.make_env, cfg.ppo(), seeds)
    for s, run in zip(seeds, batched):
        alone = train_ppo(cfg.make_env, cfg.ppo(), seed=s)
        assert_same_run(run, alone)
        assert run.log.meta["seed"] == s
    assert not torch.equal(batched[0].agent.policy_head.weight, batched[1].agent.policy_head.weight)  # seeds differ


def test_seed_batch_with_generic_env_loop_and_clipped_values():
    """Probe5 has no vectorized step (the loop EnvBatch); value clipping and annealing on, one minibatch of 2."""
    cfg = PPOConfig(total_steps=32 * 6, num_envs=4, num_steps=8, num_minibatches=2, update_epochs=3, hidden=8,
                    checkpoints=2)
    batched = train_ppo_seeds(Probe5, cfg, [1, 2])
    for s, run in zip([1, 2], batched):
        assert_same_run(run, train_ppo(Probe5, cfg, seed=s))


def test_stop_sees_every_seed_and_ends_all():
    cfg = ChainPPOConfig(total_steps=2560, checkpoints=2)
    seen = []

    def stop(agents, step):
        seen.append((len(agents), step))
        return step >= 512

    runs = train_ppo_seeds(cfg.make_env, cfg.ppo(), [0, 1], stop=stop)
    assert seen == [(2, 256), (2, 512)]
    assert all(len(r.log.steps("update")) == 2 for r in runs)


CHAINS = [dict(length=8), dict(length=12, reward_prob=0.5, setback=3, horizon=1.5),
          dict(length=6, distractor_reward=0.3, start_spread=0.0, goal_reward=2.0),
          dict(length=10, setback=20, start_spread=0.5, reward_prob=0.7)]


@pytest.mark.parametrize("kw", CHAINS)
def test_sparse_chain_batch_matches_single_steps(kw):
    n, steps = 6, 400
    singles = [SparseChain(**kw) for _ in range(n)]
    batch = env_batch([SparseChain(**kw) for _ in range(n)])
    assert isinstance(batch, SparseChainBatch)
    obs = batch.reset(range(10, 10 + n))
    single_obs = np.stack([e.reset(seed=10 + i)[0] for i, e in enumerate(singles)])
    np.testing.assert_array_equal(obs, single_obs)
    rng = np.random.default_rng(0)
    ends = 0
    for _ in range(steps):
        actions = rng.integers(0, 2, n)
        next_obs, r, term, trunc, obs = batch.step(actions)
        for i, env in enumerate(singles):
            o, ri, ti, tri, _ = env.step(int(actions[i]))
            np.testing.assert_array_equal(next_obs[i], o)
            assert (r[i], term[i], trunc[i]) == (ri, ti, tri)
            if ti or tri:
                o, _ = env.reset()
                ends += 1
            np.testing.assert_array_equal(obs[i], o)
    assert ends > 20  # episodes ended (goal, side exit or time limit) and restarted many times


def test_env_batch_falls_back_to_the_loop_and_rejects_bad_actions():
    assert type(env_batch([SparseChain(length=5), SparseChain(length=6)])) is EnvBatch  # configs differ
    assert type(env_batch([gym.make("CartPole-v1")])) is EnvBatch
    batch = env_batch([SparseChain(length=5)])
    batch.reset([0])
    with pytest.raises(ValueError, match="outside the action space"):
        batch.step(np.array([2]))
