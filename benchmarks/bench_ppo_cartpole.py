"""Benchmark (not a test): rlcore's PPO vs Stable-Baselines3's PPO, same machine, same run, alternated.

Three measurements, each alternating the two learners so that a change in the machine's load hits both:

1. **Per step** (CartPole-v1, RL Zoo settings, one seed): ``--reps`` repetitions of a fixed budget of
   ``--steps`` environment steps for each learner, alternated; medians, the ratio of medians and the ratio per
   repetition. Then one instrumented run each: where the time goes (environment steps, rollout forward passes,
   update forward passes, backward passes, Adam steps, everything else), timed by wrapping those calls.
2. **Steps to 475** (CartPole-v1): ``--seeds`` seeds each, alternated. "Solved" means the mean return of 20
   evaluation episodes (greedy actions, evaluation seeds fixed) reaches 475, checked every ``--eval-every``
   steps (evaluation time excluded from the seconds, for both).
3. **Lesson 03's chain** (the sparse chain of :mod:`rlcore.analysis.ppo_advantage`, its PPO settings, 12,288
   steps, separate networks since SB3 has no shared trunk): SB3 on one seed vs rlcore's seed-batched PPO on
   10 seeds at once (and rlcore on one seed), ``--reps`` repetitions, alternated.

The CartPole settings are the tuned ones of RL Baselines3 Zoo (8 envs x 32 steps, batch 256, 20 epochs,
lr 1e-3 decaying linearly, gamma 0.98, lambda 0.8, clip 0.2, no entropy bonus) with SB3's default network shape
(separate 64-64 tanh policy and value networks, no value clipping); SB3 also decays its clip range, which
rlcore's PPO does not. One torch thread each. Seconds are wall-clock seconds of the training call only (imports,
model construction and evaluation excluded); the load average is printed with every measurement. The whole
script takes about 6 minutes on an idle 2-core machine (longer under load).

Stable-Baselines3 is a benchmark-only dependency. Install it into a separate venv, never into .venv:

    python3 -m venv build/bench-venv
    build/bench-venv/bin/pip install torch==2.13.0 -r requirements.txt -r benchmarks/requirements-bench.txt
    build/bench-venv/bin/pip install --no-deps -e .
    build/bench-venv/bin/python benchmarks/bench_ppo_cartpole.py          # writes RESULTS_ppo_cartpole.md
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch

from rlcore.learners import ppo as rl_ppo
from rlcore.learners.ppo import PPOConfig, evaluate_policy, train_ppo, train_ppo_seeds

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


def load() -> str:
    return "load average %.1f %.1f %.1f" % os.getloadavg()


def sb3_cartpole(seed: int, max_steps: int):
    """SB3's PPO with the Zoo's CartPole hyperparameters (learning rate and clip range decaying linearly)."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    def linear(x0):
        return lambda progress_remaining: progress_remaining * x0

    env = make_vec_env("CartPole-v1", n_envs=8, seed=seed)
    return PPO("MlpPolicy", env, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20, ent_coef=0.0,
               learning_rate=linear(1e-3), clip_range=linear(0.2), seed=seed, device="cpu", verbose=0)


def time_rlcore(seed: int, steps: int) -> float:
    cfg = PPOConfig(total_steps=steps, critic_learning_rate=ZOO["learning_rate"], **ZOO)
    t0 = time.perf_counter()
    train_ppo(make_cartpole, cfg, seed=seed)
    return time.perf_counter() - t0


def time_sb3(seed: int, steps: int) -> float:
    model = sb3_cartpole(seed, steps)
    t0 = time.perf_counter()
    model.learn(total_timesteps=steps)
    return time.perf_counter() - t0


@contextmanager
def timed_calls(targets):
    """Wrap ``(owner, attribute, label, when)`` calls to add their wall time to a dict label -> seconds."""
    spent, saved = defaultdict(float), []
    for owner, attr, label, when in targets:
        original = getattr(owner, attr)
        saved.append((owner, attr, original))

        def wrapper(*a, _f=original, _label=label, _when=when, **kw):
            t0 = time.perf_counter()
            out = _f(*a, **kw)
            spent[_when(a) if _when else _label] += time.perf_counter() - t0
            return out

        setattr(owner, attr, wrapper)
    try:
        yield spent
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)


def profile(learner: str, steps: int) -> dict:
    """One instrumented run: seconds in env steps, rollout forwards, update forwards, backward, Adam, the rest."""
    common = [(torch.autograd, "backward", "backward passes", None),
              (torch.optim.Adam, "step", "Adam steps", None)]
    if learner == "rlcore":
        class TimedBatch:
            def __init__(self, batch):
                self.batch = batch

            def __getattr__(self, name):
                return getattr(self.batch, name)

            def step(self, actions):
                t0 = time.perf_counter()
                out = self.batch.step(actions)
                spent["environment steps"] += time.perf_counter() - t0
                return out

        original_batch = rl_ppo.env_batch
        rl_ppo.env_batch = lambda envs: TimedBatch(original_batch(envs))
        which = lambda a: ("update forward passes" if torch.is_grad_enabled() else  # noqa: E731
                           "rollout forward passes" if a[1].shape[1] == ZOO["num_envs"] else "value forward passes")
        try:
            with timed_calls(common + [(rl_ppo, "_forward", None, which),
                                       (rl_ppo._Adam, "step", "Adam steps", None)]) as spent:
                total = time_rlcore(0, steps)
        finally:
            rl_ppo.env_batch = original_batch
    else:
        from stable_baselines3.common.policies import ActorCriticPolicy
        from stable_baselines3.common.vec_env import DummyVecEnv
        with timed_calls(common + [(DummyVecEnv, "step_wait", "environment steps", None),
                                   (ActorCriticPolicy, "forward", "rollout forward passes", None),
                                   (ActorCriticPolicy, "predict_values", "value forward passes", None),
                                   (ActorCriticPolicy, "evaluate_actions", "update forward passes", None)]) as spent:
            total = time_sb3(0, steps)
    spent = dict(spent)
    spent["everything else"] = total - sum(spent.values())
    spent["total"] = total
    return spent


def chain_sb3(seed: int) -> float:
    """SB3 on lesson 03's chain with lesson 03's PPO settings (separate 32-32 networks), seconds of learn()."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    from rlcore.analysis.ppo_advantage import ChainPPOConfig
    c = ChainPPOConfig(architecture="separate")
    p = c.ppo()
    env = make_vec_env(c.make_env, n_envs=p.num_envs, seed=seed)
    model = PPO("MlpPolicy", env, n_steps=p.num_steps, batch_size=p.batch_size // p.num_minibatches,
                n_epochs=p.update_epochs, learning_rate=p.learning_rate, gamma=p.gamma, gae_lambda=p.gae_lambda,
                clip_range=p.clip_coef, clip_range_vf=p.clip_coef, ent_coef=p.ent_coef, vf_coef=p.vf_coef,
                max_grad_norm=p.max_grad_norm, normalize_advantage=p.norm_adv,
                policy_kwargs=dict(net_arch=dict(pi=[p.hidden] * 2, vf=[p.hidden] * 2)), seed=seed, device="cpu",
                verbose=0)
    t0 = time.perf_counter()
    model.learn(total_timesteps=p.total_steps)
    return time.perf_counter() - t0


def chain_rlcore(seeds: list[int]) -> float:
    from rlcore.analysis.ppo_advantage import ChainPPOConfig
    c = ChainPPOConfig(architecture="separate")
    t0 = time.perf_counter()
    train_ppo_seeds(c.make_env, c.ppo(), seeds)
    return time.perf_counter() - t0


def median(xs) -> float:
    return float(np.median(xs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5, help="alternated repetitions of each timing")
    ap.add_argument("--steps", type=int, default=16_384, help="CartPole steps per per-step timing run")
    ap.add_argument("--seeds", type=int, default=5, help="seeds of the steps-to-475 comparison")
    ap.add_argument("--max-steps", type=int, default=100_000, help="give up on a seed after this many steps")
    ap.add_argument("--eval-every", type=int, default=4096)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: step, solve, chain")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS_ppo_cartpole.md")
    args = ap.parse_args()
    torch.set_num_threads(1)
    skip = set(filter(None, args.skip.split(",")))
    import stable_baselines3

    started = time.perf_counter()
    lines = ["# PPO: rlcore vs Stable-Baselines3", "",
             f"Run by `benchmarks/bench_ppo_cartpole.py` on {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
             f"{os.cpu_count()} cores, {torch.get_num_threads()} torch thread, torch {torch.__version__}, "
             f"stable-baselines3 {stable_baselines3.__version__}, gymnasium {gym.__version__}; {load()} at the start. "
             "Learners alternate within each measurement; seconds are wall-clock seconds of the training call.", ""]
    time_rlcore(0, 2048), time_sb3(0, 2048)  # warm-up (first-call costs of both)

    if "step" not in skip:
        rows = []
        for rep in range(args.reps):
            a, b = time_rlcore(rep, args.steps), time_sb3(rep, args.steps)
            rows.append((a, b))
            print(f"per step rep {rep}: rlcore {a:.2f} s, SB3 {b:.2f} s, ratio {a / b:.2f} ({load()})", flush=True)
        a, b = median([r[0] for r in rows]), median([r[1] for r in rows])
        lines += [f"## 1. Time per step, CartPole-v1, one seed ({args.steps} steps, {args.reps} alternated "
                  f"repetitions, {load()} at the end)", "",
                  "| learner | median seconds | median microseconds per env step | every repetition (s) |",
                  "|---|---|---|---|",
                  f"| rlcore PPO | {a:.2f} | {1e6 * a / args.steps:.0f} | "
                  + ", ".join(f"{r[0]:.2f}" for r in rows) + " |",
                  f"| Stable-Baselines3 PPO | {b:.2f} | {1e6 * b / args.steps:.0f} | "
                  + ", ".join(f"{r[1]:.2f}" for r in rows) + " |", "",
                  f"Ratio rlcore / SB3: **{a / b:.2f}** (of the medians); per repetition "
                  + ", ".join(f"{r[0] / r[1]:.2f}" for r in rows) + ".", ""]
        prof = {"rlcore": profile("rlcore", args.steps), "sb3": profile("sb3", args.steps)}
        parts = ["environment steps", "rollout forward passes", "value forward passes", "update forward passes",
                 "backward passes", "Adam steps", "everything else", "total"]
        lines += ["Where the time goes (one instrumented run each, the calls timed by wrappers; microseconds per "
                  f"environment step; {load()}):", "",
                  "| part | rlcore PPO | Stable-Baselines3 PPO |", "|---|---|---|"]
        for part in parts:
            lines.append(f"| {part} | {1e6 * prof['rlcore'].get(part, 0) / args.steps:.0f} | "
                         f"{1e6 * prof['sb3'].get(part, 0) / args.steps:.0f} |")
        lines.append("")
        print("\n".join(lines[-len(parts) - 5:]), flush=True)

    if "solve" not in skip:
        solve = []
        for seed in range(args.seeds):
            for name, fn in (("rlcore PPO", run_rlcore), ("Stable-Baselines3 PPO", run_sb3)):
                r = fn(seed, args.max_steps, args.eval_every)
                solve.append((name, seed, r))
                print(f"{name:24s} seed {seed}: solved={r['solved']} steps={r['steps']} "
                      f"train_seconds={r['seconds']:.1f} last_eval_mean={r['score']:.1f} ({load()})", flush=True)
        lines += [f"## 2. Steps to 475, CartPole-v1 ({args.seeds} seeds each, evaluation every {args.eval_every} "
                  f"steps, at most {args.max_steps}; {load()} at the end)", "",
                  "| learner | seed | solved | env steps to solve | training seconds | last eval mean |",
                  "|---|---|---|---|---|---|"]
        for name, seed, r in solve:
            lines.append(f"| {name} | {seed} | {'yes' if r['solved'] else 'no'} | {r['steps'] or '-'} | "
                         f"{r['seconds']:.1f} | {r['score']:.1f} |")
        lines += ["", "| learner | seeds solved | median steps (solved seeds) | median seconds |", "|---|---|---|---|"]
        for name in ("rlcore PPO", "Stable-Baselines3 PPO"):
            rs = [r for n, _, r in solve if n == name]
            ok = [r for r in rs if r["solved"]]
            steps = median([r["steps"] for r in ok]) if ok else float("nan")
            lines.append(f"| {name} | {len(ok)}/{len(rs)} | {steps:.0f} | {median([r['seconds'] for r in rs]):.1f} |")
        lines.append("")

    if "chain" not in skip:
        rows = []
        for rep in range(args.reps):
            a, b, c = chain_sb3(rep), chain_rlcore(list(range(10 * rep, 10 * rep + 10))), chain_rlcore([rep])
            rows.append((a, b, c))
            print(f"chain rep {rep}: SB3 1 seed {a:.2f} s, rlcore 10 seeds {b:.2f} s, rlcore 1 seed {c:.2f} s "
                  f"({load()})", flush=True)
        a, b, c = (median([r[k] for r in rows]) for k in range(3))
        lines += [f"## 3. Lesson 03's chain: ten seeds batched vs SB3's one ({args.reps} alternated repetitions, "
                  f"{load()} at the end)", "",
                  "Lesson 03's PPO settings (8 envs x 32 steps, 2 minibatches, 4 epochs, 32-wide separate networks, "
                  "12,288 steps on the 20-cell chain); SB3 with the same settings (one learning rate, 3e-3, for both "
                  "networks, where rlcore's critic uses 1e-2).", "",
                  "| run | median seconds | every repetition (s) |", "|---|---|---|",
                  f"| Stable-Baselines3 PPO, 1 seed | {a:.2f} | " + ", ".join(f"{r[0]:.2f}" for r in rows) + " |",
                  f"| rlcore PPO, 10 seeds in one batch | {b:.2f} | " + ", ".join(f"{r[1]:.2f}" for r in rows) + " |",
                  f"| rlcore PPO, 1 seed | {c:.2f} | " + ", ".join(f"{r[2]:.2f}" for r in rows) + " |", "",
                  f"Ratio rlcore 10 seeds / SB3 1 seed: **{b / a:.2f}** (of the medians); per repetition "
                  + ", ".join(f"{r[1] / r[0]:.2f}" for r in rows) + ".", ""]
    lines.append(f"The script ran for {time.perf_counter() - started:.0f} s.")
    notes = args.out.read_text().split("<!-- notes -->", 1)[1] if args.out.exists() and \
        "<!-- notes -->" in args.out.read_text() else "\n"
    args.out.write_text("\n".join(lines) + "\n\n<!-- notes -->" + notes)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
