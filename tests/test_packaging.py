"""Pins, Binder files and the CPU-only torch build."""

from importlib.metadata import distributions, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(path: Path) -> dict[str, str]:
    lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
    return dict(ln.split("==") for ln in lines if ln)


def test_every_direct_dependency_is_pinned_exactly():
    text = [ln.split("#")[0].strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()]
    assert all("==" in ln for ln in text if ln)
    assert pins(ROOT / "requirements.txt")["torch"] == "2.13.0"


def test_binder_pins_equal_requirements():
    assert pins(ROOT / "binder" / "requirements.txt") == pins(ROOT / "requirements.txt")
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "set -e" in post and "pip install" in post and "-e ." in post


def test_installed_versions_match_the_pins():
    for name, pinned in pins(ROOT / "requirements.txt").items():
        assert version(name).split("+")[0] == pinned, name


def test_no_cuda_packages_and_cpu_torch():
    cuda = [d.metadata["Name"] for d in distributions() if d.metadata["Name"].lower().startswith("nvidia")]
    assert not cuda, f"CUDA packages installed: {cuda}"
    import torch

    assert not torch.cuda.is_available() and "cu" not in torch.__version__.split("+")[-1]
