"""Fail when any CUDA (nvidia-*) distribution is installed: the collection runs on the CPU build of torch."""

import sys
from importlib.metadata import distributions

cuda = sorted({d.metadata["Name"] for d in distributions() if d.metadata["Name"].lower().startswith("nvidia")})
if cuda:
    sys.exit(f"CUDA packages installed ({', '.join(cuda)}); install the CPU build with `pip install torch==2.13.0`")
print("no CUDA packages installed")
