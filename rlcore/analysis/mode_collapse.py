"""Mode-collapse metrics for 2-D mixtures, and the lesson-08 GAN experiments built on them.

The metrics are the ones the benchmark papers (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018)
compute on 2,500 generated samples:

* a sample is **high quality** when its distance to the nearest mode centre is below 3 sigma;
* a mode is **captured** when it is the nearest mode of at least one high-quality sample;
* the **reverse KL** is KL(q || u) = sum_k q_k log(q_k K) = log K - H(q), where q is the histogram of the
  high-quality samples over their nearest modes and u the uniform distribution over the K modes
  (0 for perfect balance, log K when every high-quality sample sits on one mode; empty bins add 0).

A run **collapses** when it captures at most ``collapse_at`` of the modes at the end of training (the
curriculum's calibration for the ring: at most 6 of 8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param
from ..learners.gan import GanConfig, GanRun, MixtureConfig, mixture_centers, train_gans
from ..seeding import derive_seed

__all__ = ["GanExplorerConfig", "GanExplorer", "mode_metrics", "reverse_kl_uniform", "ModeCollapseConfig", "gan_config", "run_gan",
           "final_metrics", "metric_curves", "collapse_summary", "SWEEP_DEPTHS", "SWEEP_LRS", "sweep"]


def reverse_kl_uniform(counts: np.ndarray) -> np.ndarray:
    """KL(q || uniform) = sum_k q_k log(K q_k) for q = counts / counts.sum(-1), along the last axis.

    Returns NaN where there are no counts at all (no high-quality sample: the histogram is undefined).
    """
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = counts / total
        terms = np.where(q > 0, q * np.log(q * counts.shape[-1]), 0.0)
    kl = terms.sum(axis=-1)
    return np.where(total[..., 0] > 0, kl, np.nan)


def mode_metrics(samples: np.ndarray, centers: np.ndarray, sigma: float) -> dict:
    """The benchmark metrics of ``samples`` (..., n, 2) against mode ``centers`` (K, 2) of std ``sigma``.

    Returns a dict of arrays over the leading axes: ``modes_captured`` (int count), ``hq_share`` (fraction
    of samples within 3 sigma of their nearest mode), ``reverse_kl`` (see :func:`reverse_kl_uniform`),
    ``counts`` (..., K), the number of high-quality samples whose nearest mode is k, and ``nearest_counts``
    (..., K), the number of all samples whose nearest mode is k (where the crowd is, sharp or not).
    """
    samples = np.asarray(samples, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    d2 = ((samples[..., :, None, :] - centers) ** 2).sum(axis=-1)  # (..., n, K)
    nearest = d2.argmin(axis=-1)
    hq = np.take_along_axis(d2, nearest[..., None], axis=-1)[..., 0] < (3.0 * sigma) ** 2
    K = len(centers)
    onehot = (nearest[..., None] == np.arange(K)) & hq[..., None]
    counts = onehot.sum(axis=-2)
    nearest_counts = (nearest[..., None] == np.arange(K)).sum(axis=-2)
    return {"modes_captured": (counts > 0).sum(axis=-1), "hq_share": hq.mean(axis=-1),
            "reverse_kl": reverse_kl_uniform(counts), "counts": counts, "nearest_counts": nearest_counts}


@dataclass(frozen=True)
class ModeCollapseConfig(Config):
    """The lesson-08 GAN experiment: the mixture, the GAN's knobs, and how many seeds to train together."""

    mixture: str = choice("ring", ["ring", "grid"], doc="ring of 8 or 5 x 5 grid of Gaussians")
    sigma: float = param(0.1, low=0.0, low_open=True, ui=(0.01, 0.2), widget="none",
                         doc="standard deviation of each mode, > 0")
    remedy: str = choice("none", ["none", "pacgan2", "pacgan4"],
                         doc="none: plain GAN; pacganM: the discriminator judges packs of M samples")
    lr_g: float = param(1e-3, low=0.0, low_open=True, high=1.0, ui=(1e-4, 1e-2), widget="log",
                        doc="generator learning rate, > 0")
    lr_d: float = param(1e-3, low=0.0, low_open=True, high=1.0, ui=(1e-4, 1e-2), widget="log",
                        doc="discriminator learning rate, > 0")
    d_steps: int = param(1, low=1, high=10, ui=(1, 5), doc="discriminator updates per generator update")
    d_depth: int = param(1, low=1, high=4, ui=(1, 3), doc="hidden layers of the discriminator")
    latent: int = param(4, low=1, high=64, ui=(1, 16), doc="dimension of the latent z")
    hidden: int = param(64, low=4, high=512, ui=(16, 128, 16), widget="none", doc="hidden-layer width")
    steps: int = param(1000, low=1, ui=(100, 4000, 100), doc="generator updates")
    seeds: int = param(8, low=1, high=64, ui=(1, 16), doc="independent GANs trained together")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed; GAN i uses a seed derived from (seed, i)")
    collapse_at: int = param(6, low=0, widget="none", doc="a run collapsed if it captures at most this many modes")

    def check(self) -> None:
        if self.collapse_at >= self.n_modes:
            raise self.invalid("collapse_at", f"fewer than the {self.n_modes} modes of the mixture")

    @property
    def n_modes(self) -> int:
        return 8 if self.mixture == "ring" else 25

    @property
    def pack(self) -> int:
        return {"none": 1, "pacgan2": 2, "pacgan4": 4}[self.remedy]


def gan_config(config: ModeCollapseConfig) -> tuple[MixtureConfig, GanConfig]:
    """The learner-level configs for an experiment config."""
    mix = MixtureConfig(kind=config.mixture, n_modes=config.n_modes, sigma=config.sigma)
    gan = GanConfig(steps=config.steps, lr_g=config.lr_g, lr_d=config.lr_d, d_steps=config.d_steps,
                    d_depth=config.d_depth, hidden=config.hidden, latent=config.latent, pack=config.pack)
    return mix, gan


def run_gan(config: ModeCollapseConfig, progress=None) -> GanRun:
    """Train ``config.seeds`` GANs (seed i uses ``derive_seed(config.seed, i)``) and return the run."""
    mix, gan = gan_config(config)
    seeds = [derive_seed(config.seed, i) % 2**31 for i in range(config.seeds)]
    return train_gans(mix, gan, seeds, progress)


def metric_curves(run: GanRun) -> dict:
    """:func:`mode_metrics` at every snapshot: arrays of shape (n_seeds, n_snapshots) (counts: + (K,))."""
    return mode_metrics(run.samples, mixture_centers(run.mixture), run.mixture.sigma)


def final_metrics(run: GanRun) -> dict:
    """:func:`mode_metrics` of the last snapshot, arrays of shape (n_seeds,)."""
    return mode_metrics(run.samples[:, -1], mixture_centers(run.mixture), run.mixture.sigma)


def collapse_summary(run: GanRun, collapse_at: int) -> dict:
    """Per-seed final modes captured, the fraction of seeds that collapsed (<= ``collapse_at`` modes), and
    the means of the three metrics over seeds."""
    m = final_metrics(run)
    return {"modes_captured": m["modes_captured"].tolist(),
            "collapse_fraction": float(np.mean(m["modes_captured"] <= collapse_at)),
            "mean_modes": float(m["modes_captured"].mean()),
            "mean_hq_share": float(m["hq_share"].mean()),
            "mean_reverse_kl": float(np.nanmean(m["reverse_kl"])) if np.isfinite(m["reverse_kl"]).any()
            else float("nan"),
            "n_modes": int(run.mixture.n_modes)}


#: The setup grid the lesson sweeps: discriminator depth x learning rate (both networks).
SWEEP_DEPTHS = (1, 2)
SWEEP_LRS = (2e-4, 1e-3)


def sweep(config: ModeCollapseConfig, depths=SWEEP_DEPTHS, lrs=SWEEP_LRS, progress=None) -> dict:
    """Train ``config`` at every (depth, learning rate) pair (both networks share the rate).

    Returns {(depth, lr): (the config used, its GanRun)}; summarize with :func:`collapse_summary`.
    """
    out, cells = {}, [(d, lr) for d in depths for lr in lrs]
    for i, (depth, lr) in enumerate(cells):
        cell = config.replace(d_depth=depth, lr_g=lr, lr_d=lr)
        out[(depth, lr)] = (cell, run_gan(cell))
        if progress is not None:
            progress((i + 1) / len(cells))
    return out


@dataclass(frozen=True)
class GanExplorerConfig(ModeCollapseConfig):
    """The widget's view of a GAN experiment: which snapshot and which of the trained seeds to show."""

    snapshot: int = param(15, low=0, high=199, ui=(0, 15), doc="training snapshot to show (0 = untrained)")
    view_seed: int = param(0, low=0, high=63, ui=(0, 7), doc="which of the trained GANs to show")

    def check(self) -> None:
        super().check()
        if self.view_seed >= self.seeds:
            raise self.invalid("view_seed", f"below the number of trained GANs ({self.seeds})")

    def training(self) -> ModeCollapseConfig:
        """The part of the config that decides the training run (the view fields dropped)."""
        return ModeCollapseConfig(**{k: v for k, v in self.to_dict().items() if k not in ("snapshot", "view_seed")})


class GanExplorer:
    """Trains on demand and caches: ``explorer(config, progress) -> (run, metric_curves(run))``.

    Moving the snapshot or seed slider re-uses the cached run (a redraw in well under a second); changing a
    training knob trains once (a few seconds, with the panel's progress bar) and caches that run too.
    """

    def __init__(self, runs: dict | None = None):
        self.cache: dict = {}
        for config, run in (runs or {}).items():
            self.cache[config.training() if isinstance(config, GanExplorerConfig) else config] = \
                (run, metric_curves(run))

    def __call__(self, config: GanExplorerConfig, progress=None):
        key = config.training()
        if key not in self.cache:
            run = run_gan(key, progress)
            self.cache[key] = (run, metric_curves(run))
        return self.cache[key]
