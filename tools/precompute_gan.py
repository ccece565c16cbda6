"""Regenerate lesson 08's stored GAN runs (rlcore/data/gan_runs.npz): every arm in
rlcore.analysis.mode_collapse.ARMS, 10 seeds each, on one torch thread (about 5-10 minutes on 2 cores).

    python tools/precompute_gan.py            # writes rlcore/data/gan_runs.npz
    python tools/precompute_gan.py OUT.npz    # writes elsewhere
tests/test_nb_08_narrowing_mode_collapse.py retrains one seed of one arm and compares it with the file.
"""

import sys
import time
from pathlib import Path

import torch

from rlcore.analysis.mode_collapse import DATA_PATH, precompute

if __name__ == "__main__":
    torch.set_num_threads(1)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_PATH
    start = time.time()
    precompute(path=out, progress=lambda f, name: print(f"{f:4.0%} {name} ({time.time() - start:.0f} s)", flush=True))
    print(f"wrote {out}")
