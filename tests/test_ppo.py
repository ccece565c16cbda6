"""PPO passes the probe environments (known values), keeps terminated and truncated apart, and validates."""

import numpy as np
import pytest
import torch

from rlcore.config import ConfigError
from rlcore.envs.probes import Probe1, Probe2, Probe3, Probe4, Probe5, Probe6
from rlcore.learners.ppo import PPOConfig, compute_gae, encode_observation, train_ppo


# Tiny runs: 4 envs x 8 steps per update, one minibatch, large steps (the probes are trivial to fit).
TINY = dict(num_envs=4, num_steps=8, num_minibatches=1, update_epochs=4, learning_rate=2e-2,
            critic_learning_rate=2e-2, anneal_lr=False, hidden=16, clip_vloss=False, ent_coef=0.0)


def train(env_cls, updates=40, seed=0, **kw):
    cfg = PPOConfig(total_steps=32 * updates, **{**TINY, **kw})
    return train_ppo(env_cls, cfg, seed=seed)


def value_and_probs(agent, xs):
    with torch.no_grad():
        logits, v = agent(torch.tensor([[x] for x in xs], dtype=torch.float32))
    return v.numpy(), torch.softmax(logits, -1).numpy()


def test_probe1_value_of_a_constant_reward():
    v, _ = value_and_probs(train(Probe1).agent, [0.0])
    assert v[0] == pytest.approx(1.0, abs=0.05)  # observed 1.000


def test_probe2_value_reads_the_observation():
    v, _ = value_and_probs(train(Probe2).agent, [-1.0, 1.0])
    assert v == pytest.approx([-1.0, 1.0], abs=0.1)  # observed about +-0.99


def test_probe3_discounting_by_bootstrapping():
    v, _ = value_and_probs(train(Probe3, gamma=0.5, updates=60).agent, [0.0, 1.0])
    assert v == pytest.approx([0.5, 1.0], abs=0.1)  # observed 0.50, 1.00


@pytest.mark.parametrize("architecture", ["shared", "separate"])
def test_probe4_policy_learns_the_better_action(architecture):
    v, p = value_and_probs(train(Probe4, architecture=architecture).agent, [0.0])
    assert p[0, 1] > 0.95 and v[0] == pytest.approx(1.0, abs=0.15)  # observed p = 1.00, V = 1.00


def test_probe5_policy_reads_the_observation():
    _, p = value_and_probs(train(Probe5, updates=60).agent, [-1.0, 1.0])
    assert p[0, 0] > 0.9 and p[1, 1] > 0.9  # observed 1.00, 1.00


def test_probe6_truncation_bootstraps_from_the_last_observation():
    # reward 1 forever, cut after 4 steps: the right value is 1 / (1 - gamma) = 2; treating the cut as a
    # termination would fit the average return-to-cut, (1.875 + 1.75 + 1.5 + 1) / 4 = 1.53
    v, _ = value_and_probs(train(Probe6, gamma=0.5, updates=60).agent, [0.0])
    assert v[0] == pytest.approx(2.0, abs=0.15)  # observed 2.00


def test_value_mode_zero_keeps_v_at_zero_in_the_advantages():
    res = train(Probe1, updates=2, value_mode="zero", checkpoints=2)
    for c in res.checkpoints:
        assert np.all(c.batch["values"] == 0) and np.all(c.batch["advantages"] == c.batch["rewards"])


def test_checkpoints_hold_the_batch_and_the_weights_that_collected_it():
    res = train(Probe5, updates=6, checkpoints=3, gae_lambda=0.7, gamma=0.9)
    assert [c.update for c in res.checkpoints] == [0, 2, 5] or len(res.checkpoints) == 3
    for c in res.checkpoints:
        b = c.batch
        agent = res.agent_at(c)
        with torch.no_grad():
            logits, values = agent(torch.from_numpy(b["obs"].reshape(-1, 1)))
        logp = torch.log_softmax(logits, -1).gather(1, torch.from_numpy(b["actions"].reshape(-1, 1))).squeeze(1)
        np.testing.assert_allclose(logp.numpy(), b["logp"].reshape(-1), atol=1e-5)
        np.testing.assert_allclose(values.numpy(), b["values"].reshape(-1), atol=1e-5)
        np.testing.assert_allclose(b["advantages"], compute_gae(b["rewards"], b["values"], b["next_values"],
                                                                b["terminated"], b["truncated"], 0.9, 0.7))


def test_same_seed_same_weights_and_logs():
    a, b = train(Probe4, updates=5, seed=3), train(Probe4, updates=5, seed=3)
    for (k, x), y in zip(a.agent.state_dict().items(), b.agent.state_dict().values()):
        assert torch.equal(x, y), k
    assert np.array_equal(a.log.steps("approx_kl"), b.log.steps("approx_kl"))
    c = train(Probe4, updates=5, seed=4)
    assert not torch.equal(a.agent.policy_head.weight, c.agent.policy_head.weight)


def test_logged_diagnostics_are_sane():
    res = train(Probe4, updates=10)
    kl, clip, ent = (res.log.steps(n) for n in ("approx_kl", "clip_fraction", "entropy"))
    assert np.all(kl >= -1e-6) and np.all((clip >= 0) & (clip <= 1))
    assert ent[0] == pytest.approx(np.log(2), abs=0.02) and ent[-1] < ent[0]
    assert len(res.log.steps("explained_variance")) == 10


def test_critic_learning_rate_drives_only_the_value_head():
    cfg = dict(updates=3, learning_rate=1e-12, critic_learning_rate=5e-2)
    res, before = train(Probe2, **cfg), train(Probe2, updates=1, learning_rate=1e-12, critic_learning_rate=1e-12)
    # the trunk and policy head barely move at lr 1e-12; the value head moves
    assert torch.allclose(res.agent.trunk[0].weight, before.agent.trunk[0].weight, atol=1e-6)
    assert not torch.allclose(res.agent.value_head.weight, before.agent.value_head.weight, atol=1e-3)


@pytest.mark.parametrize("field,value", [("gamma", 1.5), ("gamma", -0.1), ("gae_lambda", 1.01),
                                         ("gae_lambda", -0.5), ("clip_coef", 0.0), ("clip_coef", -0.2)])
def test_out_of_range_values_raise_naming_the_field(field, value):
    with pytest.raises(ValueError, match=f"PPOConfig.{field} = {value}") as err:
        PPOConfig(**{field: value})
    assert err.value.field == field


def test_minibatch_count_must_divide_the_batch():
    with pytest.raises(ConfigError, match="num_minibatches = 3 .* divisor of the batch size") as err:
        PPOConfig(num_envs=4, num_steps=8, num_minibatches=3)
    assert err.value.field == "num_minibatches"


def test_one_hot_encoding_of_discrete_observations():
    import gymnasium as gym

    enc = encode_observation(gym.spaces.Discrete(3))
    assert enc(2).tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="not supported"):
        encode_observation(gym.spaces.MultiBinary(2))


# --- the sparse chain PPO is trained on in lesson 03 ------------------------------------------------------------

def test_sparse_chain_dynamics_have_the_documented_values():
    from rlcore.envs.sparse_chain import SparseChain, chain_pattern

    env = SparseChain(length=5, horizon=2.0, setback=2)
    pattern = chain_pattern(5, 0)
    assert env.pattern.tolist() == pattern.tolist()
    obs, info = env.reset(seed=0, options={"start": 3})
    assert info["position"] == 3 and obs.tolist() == [0, 0, 0, 1, 0]
    _, r, term, trunc, info = env.step(int(1 - pattern[3]))  # wrong: back 2 cells
    assert (info["position"], r, term, trunc) == (1, 0.0, False, False)
    for cell in (1, 2, 3):
        _, r, term, trunc, info = env.step(int(pattern[cell]))
    assert (info["position"], r, term, trunc) == (4, 1.0, True, False)  # entering the goal pays and ends
    env.reset(options={"start": 0})
    for t in range(10):  # 2 x 5 steps, always wrong: stays at the wall, then truncated (not terminated)
        _, r, term, trunc, _ = env.step(int(1 - pattern[0]))
    assert (r, term, trunc) == (0.0, False, True)


def test_sparse_chain_reward_prob_and_side_exit():
    from rlcore.envs.sparse_chain import SparseChain, chain_pattern

    env = SparseChain(length=3, reward_prob=0.3)
    pattern, paid = chain_pattern(3, 0), []
    env.reset(seed=1)
    for _ in range(2000):
        env.reset(options={"start": 1})
        paid.append(env.step(int(pattern[1]))[1])
    assert np.mean(paid) == pytest.approx(0.3, abs=0.04)  # binomial sd 0.01
    side = SparseChain(length=3, distractor_reward=0.2)
    side.reset(seed=0, options={"start": 0})
    assert side.step(int(1 - pattern[0]))[1:3] == (0.2, True)


def test_vectorized_success_matches_rollouts_of_the_environment():
    from rlcore.analysis.ppo_advantage import success_from_start
    from rlcore.envs.sparse_chain import SparseChain

    rng = np.random.default_rng(0)
    p = rng.uniform(0.6, 0.95, size=8)
    env = SparseChain(length=8, horizon=2.0)
    wins = 0
    env.reset(seed=0)
    for _ in range(1500):
        obs, info = env.reset(options={"start": 0})
        pos = 0
        while True:
            correct = int(env.pattern[pos])
            action = correct if rng.random() < p[pos] else 1 - correct
            _, r, term, trunc, info = env.step(action)
            pos = info["position"]
            if term or trunc:
                wins += term
                break
    fast = success_from_start(p, env.config.max_steps, 20000, seed=1)
    assert fast == pytest.approx(wins / 1500, abs=0.04)  # two independent Monte Carlo estimates (sd ~0.013)
