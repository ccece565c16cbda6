"""Lesson 08's sharp-collapse runs: a plain GAN that collapses onto one mode, sharply, and PacGAN2 on the same budget.

Setting (ring of 8, radius 2, sigma 0.05, so the 3-sigma discs are 0.15 wide against a mode spacing of 1.53):
G and D two hidden layers of 128 units, latent 16, batch 256, Adam (beta1 0.5) with the discriminator ten
times faster than the generator (lr_d 1e-3, lr_g 1e-4), 3,000 generator updates, 10 seeds.

The one ingredient beyond the plain GAN: the generator's output layer is initialized 10x smaller than usual
(``g_init_scale=0.1``), so G starts as a near-point at the origin (a common small/zero init of a last layer).
The discriminator's early gradient then moves all of G's samples the same way, onto one mode, and the fast
discriminator sharpens them there. With the usual init (scale 1) the same GAN spreads its samples over a few
modes, unsharply, in 7 of 10 seeds tried; with the generator faster than D (lr_g 1e-3, lr_d 1e-4, the unrolled-GAN
paper's ratio) the samples gather near one mode as an unsharp cloud that chases the discriminator, 5-20 sigma
off the mode (short unstored tries, summarized in lesson 08, Part 2b).

Stored in ``rlcore/data/gan_sharp.npz`` (same format as :func:`mode_collapse.precompute`); regenerate with
``python -m rlcore.analysis.gan_sharp`` (about 10 minutes on one loaded core).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .mode_collapse import ModeCollapseConfig, load_precomputed, precompute

__all__ = ["SHARP", "SHARP_ARMS", "SHARP_PATH", "precompute_sharp", "load_sharp"]

SHARP = ModeCollapseConfig(sigma=0.05, hidden=128, latent=16, batch=256, d_depth=2, lr_g=1e-4, lr_d=1e-3,
                           steps=3000, snapshots=16, g_init_scale=0.1)
SHARP_ARMS = {"plain, small-start G": SHARP, "PacGAN2, small-start G": SHARP.replace(remedy="pacgan2")}
SHARP_PATH = Path(__file__).resolve().parent.parent / "data" / "gan_sharp.npz"


def precompute_sharp(path: Path = SHARP_PATH, arms: dict = SHARP_ARMS, progress=None) -> None:
    precompute(arms, path=path, progress=progress)


def load_sharp(path: Path = SHARP_PATH) -> dict:
    return load_precomputed(path)


if __name__ == "__main__":
    import torch

    torch.set_num_threads(1)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARP_PATH
    names = sys.argv[2:] or list(SHARP_ARMS)
    start = time.time()
    precompute_sharp(out, {n: SHARP_ARMS[n] for n in names},
                     progress=lambda f, name: print(f"{f:4.0%} {name} ({time.time() - start:.0f} s)", flush=True))
    print(f"wrote {out}")
