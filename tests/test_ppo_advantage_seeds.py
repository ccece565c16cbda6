"""Lesson 03's runs trained seed-batched (run_chain_ppo_seeds, cached_runs) equal the runs of one seed at a time."""

import numpy as np
import torch

from rlcore.analysis import ppo_advantage as pa
from rlcore.analysis.ppo_advantage import ChainPPOConfig, cached_runs, run_chain_ppo, run_chain_ppo_seeds

SMALL = ChainPPOConfig(total_steps=2560, checkpoints=3, eval_episodes=50)


def assert_same_chain_run(a, b):
    assert a.config == b.config
    for name in ("steps", "success", "p_correct", "values"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.final_success == b.final_success
    for k, v in a.result.agent.state_dict().items():
        assert torch.equal(v, b.result.agent.state_dict()[k]), k
    for ca, cb in zip(a.result.checkpoints, b.result.checkpoints):
        for k in ca.batch:
            np.testing.assert_array_equal(ca.batch[k], cb.batch[k], err_msg=k)


def test_seed_batched_chain_runs_equal_each_seed_alone():
    cfg = SMALL.replace(value_mode="zero", gae_lambda=1.0, rollout_steps=64)
    batched = run_chain_ppo_seeds(cfg, [5, 0])
    for s, run in zip([5, 0], batched):
        assert_same_chain_run(run, run_chain_ppo(cfg.replace(seed=s)))
    assert not np.array_equal(batched[0].p_correct, batched[1].p_correct)  # the seeds differ


def test_cached_runs_groups_by_setting_keeps_order_and_reuses_the_cache(monkeypatch):
    monkeypatch.setattr(pa, "_RUNS", {})
    configs = [SMALL.replace(seed=1), SMALL.replace(seed=0, gae_lambda=1.0), SMALL.replace(seed=0),
               SMALL.replace(seed=1, gae_lambda=1.0)]
    calls, seen = [], []
    real = pa.run_chain_ppo_seeds
    monkeypatch.setattr(pa, "run_chain_ppo_seeds", lambda c, seeds, p=None: calls.append(list(seeds)) or
                        real(c, seeds, p))
    runs = cached_runs(configs, seen.append)
    assert calls == [[1, 0], [0, 1]]  # one training call per setting, seeds in first-seen order
    assert [r.config for r in runs] == configs
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert_same_chain_run(runs[2], run_chain_ppo(configs[2]))
    again = cached_runs(configs[:2] + [SMALL.replace(seed=2)])
    assert calls[-1] == [2] and again[0] is runs[0] and again[1] is runs[1]  # cached runs are not retrained
