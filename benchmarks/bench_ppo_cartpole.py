"""Benchmark (not a test): rlcore's PPO vs Stable-Baselines3's PPO on CartPole-v1, same machine, same run.

"Solved" means the mean return of 20 evaluation episodes (greedy actions, evaluation seeds fixed) reaches 475.
Both learners are evaluated every ``--eval-every`` environment steps; the script reports the environment
steps and the training wall-clock seconds (evaluation time excluded, for both) at which each seed first
passed, and writes the table to benchmarks/RESULTS_ppo_cartpole.md.

Both use the tuned CartPole settings of RL Baselines3 Zoo (8 envs x 32 steps, batch 256, 20 epochs,
lr 1e-3 decaying linearly, gamma 0.98, lambda 0.8, clip 0.2, no entropy bonus) and SB3's default network shape
(separate 64-64 tanh policy and value networks, no value clipping); SB3 also decays its clip range, which
rlcore's PPO does not. One torch thread each.

Stable-Baselines3 is a benchmark-only dependency. Install it into a separate venv, never into .venv:

    python3 -m venv build/bench-venv
    build/bench-venv/bin/pip install torch==2.13.0 -r requirements.txt -r benchmarks/requirements-bench.txt
    build/bench-venv/bin/pip install --no-deps -e .
    build/bench-venv/bin/python benchmarks/bench_ppo_cartpole.py --seeds 3
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch

from rlcore.learners.ppo import PPOConfig, evaluate_policy, train_ppo

ROOT = Path(__file__).resolve().parents[1]
TARGET, EVAL_EPISODES, EVAL_SEED = 475.0, 20, 10_000
ZOO = dict(num_envs=8, num_steps=32, num_minibatches=1, update_epochs=20, learning_rate=1e-3, anneal_lr=True,
           gamma=0.98, gae_lambda=0.8, clip_coef=0.2, ent_coef=0.0, vf_coef=0.5, max_grad_norm=0.5,
           architecture="separate", clip_vloss=False)  # as SB3's MlpPolicy: two 64-64 tanh networks


def make_cartpole():
    return gym.make("CartPole-v1")


def run_rlcore(seed: int, max_steps: int, eval_every: int) -> dict:
    """Train rlcore's PPO until solved (or max_steps); returns steps, training seconds, final mean return."""
    cfg = PPOConfig(total_steps=max_steps, critic_learning_rate=ZOO["learning_rate"], **ZOO)
    state = {"next_eval": eval_every, "eval_s": 0.0, "solved_at": None, "score": float("nan")}

    def stop(agent, step):
        if step < state["next_eval"]:
            return False
        state["next_eval"] += eval_every
        t0 = time.perf_counter()
        state["score"] = float(evaluate_policy(agent, make_cartpole, EVAL_EPISODES, EVAL_SEED).mean())
        state["eval_s"] += time.perf_counter() - t0
        if state["score"] >= TARGET:
            state["solved_at"] = step
            return True
        return False

    t0 = time.perf_counter()
    train_ppo(make_cartpole, cfg, seed=seed, stop=stop)
    seconds = time.perf_counter() - t0 - state["eval_s"]
    return dict(solved=state["solved_at"] is not None, steps=state["solved_at"], seconds=seconds,
                score=state["score"])


def run_sb3(seed: int, max_steps: int, eval_every: int) -> dict:
    """The same protocol with Stable-Baselines3's PPO and the Zoo's CartPole hyperparameters."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    def linear(x0):
        return lambda progress_remaining: progress_remaining * x0

    class Solved(BaseCallback):
        def __init__(self):
            super().__init__()
            self.next_eval, self.eval_s, self.solved_at, self.score = eval_every, 0.0, None, float("nan")

        def _on_step(self) -> bool:
            if self.num_timesteps < self.next_eval:
                return True
            self.next_eval += eval_every
            t0 = time.perf_counter()
            env, returns = make_cartpole(), []
            for k in range(EVAL_EPISODES):
                obs, _ = env.reset(seed=EVAL_SEED + k)
                total, done = 0.0, False
                while not done:
                    action, _ = self.model.predict(obs, deterministic=True)
                    obs, r, term, trunc, _ = env.step(int(action))
                    total, done = total + r, term or trunc
                returns.append(total)
            self.score = float(np.mean(returns))
            self.eval_s += time.perf_counter() - t0
            if self.score >= TARGET:
                self.solved_at = self.num_timesteps
                return False
            return True

    env = make_vec_env("CartPole-v1", n_envs=8, seed=seed)
    model = PPO("MlpPolicy", env, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
                ent_coef=0.0, learning_rate=linear(1e-3), clip_range=linear(0.2), seed=seed, device="cpu",
                verbose=0)
    cb = Solved()
    t0 = time.perf_counter()
    model.learn(total_timesteps=max_steps, callback=cb)
    seconds = time.perf_counter() - t0 - cb.eval_s
    return dict(solved=cb.solved_at is not None, steps=cb.solved_at, seconds=seconds, score=cb.score)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--max-steps", type=int, default=300_000)
    ap.add_argument("--eval-every", type=int, default=4096)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS_ppo_cartpole.md")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows = []
    for seed in range(args.seeds):
        for name, fn in (("rlcore PPO", run_rlcore), ("Stable-Baselines3 PPO", run_sb3)):
            r = fn(seed, args.max_steps, args.eval_every)
            rows.append((name, seed, r))
            print(f"{name:24s} seed {seed}: solved={r['solved']} steps={r['steps']} "
                  f"train_seconds={r['seconds']:.1f} last_eval_mean={r['score']:.1f}", flush=True)

    def summary(name):
        rs = [r for n, _, r in rows if n == name]
        solved = [r for r in rs if r["solved"]]
        med = lambda key: float(np.median([r[key] for r in solved])) if solved else float("nan")  # noqa: E731
        return len(solved), len(rs), med("steps"), med("seconds")

    import stable_baselines3

    lines = ["# PPO on CartPole-v1: rlcore vs Stable-Baselines3", "",
             f"Run by `benchmarks/bench_ppo_cartpole.py` on {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
             f"{torch.get_num_threads()} torch thread, torch {torch.__version__}, stable-baselines3 "
             f"{stable_baselines3.__version__}, gymnasium {gym.__version__}. Solved: the mean return of "
             f"{EVAL_EPISODES} greedy evaluation episodes reaches {TARGET:g} (checked every {args.eval_every} "
             f"steps; evaluation time excluded from the seconds). Both use the RL Zoo's tuned CartPole "
             "settings. The machine is shared with other jobs, so seconds are noisy; steps are not.", "",
             "| learner | seed | solved | env steps to solve | training seconds to solve | last eval mean |",
             "|---|---|---|---|---|---|"]
    for name, seed, r in rows:
        lines.append(f"| {name} | {seed} | {'yes' if r['solved'] else 'no'} | {r['steps'] or '-'} | "
                     f"{r['seconds']:.1f} | {r['score']:.1f} |")
    lines += ["", "| learner | seeds solved | median steps | median seconds |", "|---|---|---|---|"]
    for name in ("rlcore PPO", "Stable-Baselines3 PPO"):
        n, total, steps, secs = summary(name)
        lines.append(f"| {name} | {n}/{total} | {steps:.0f} | {secs:.1f} |")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
