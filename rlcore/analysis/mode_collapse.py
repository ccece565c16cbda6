"""Mode-collapse metrics for 2-D mixtures, calibrated on reference distributions, and the lesson-08 GAN runs.

The metrics follow the benchmark papers (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018), computed
on 2,500 generated samples:

* a sample is **high quality** (HQ) when its distance to the nearest mode centre is below 3 sigma;
* a mode is **captured** when at least ``CAPTURE_SHARE`` (10%) of its fair share of samples, 0.1 * n / K, are
  high-quality samples nearest to it (31.25 -> 32 of 2,500 on the ring of 8; 10 on the grid of 25). The
  papers' looser rule ("at least one HQ sample") is reported as ``modes_touched``: under it a Gaussian blob
  with the data's mean and covariance "captures" most modes, because some of 2,500 blob samples land in
  every 3-sigma disc by chance (see :func:`score_references`);
* the **reverse KL** is KL(q || u) = sum_k q_k log(q_k K) = log K - H(q), with q the histogram of the HQ
  samples over their nearest modes (0 for balance, log K for one mode); undefined when there is no HQ
  sample at all, and then *counted* (``reverse_kl_missing``), never silently dropped from a mean;
* the **crowd share** is the largest share of all samples (sharp or not) that are nearest to one mode: near
  1 for a generator whose samples sit in one crowd, 1/K for one spread evenly;
* the crowd's **spread** and **offset** (:func:`crowd_shape`), in units of sigma: the RMS distance of the
  crowd's samples from their own centroid, and the centroid's distance from the crowd's mode centre. A sharp
  collapse onto a mode has spread sqrt(2) = 1.4 sigma and offset about 0; an unsharp cloud has a spread of
  many sigma.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import Config, choice, param
from ..learners.gan import GanConfig, GanRun, MixtureConfig, mixture_centers, sample_mixture, train_gans
from ..seeding import derive_seed

__all__ = ["CAPTURE_SHARE", "reverse_kl_uniform", "capture_threshold", "mode_metrics", "reference_samples",
           "score_references", "crowd_shape", "scores_at", "calibration_table", "process_summary", "warm_d_scores", "CLOUD_STD", "ModeCollapseConfig", "gan_config", "run_gan", "Condensed", "condense",
           "summarize", "ARMS", "DATA_PATH", "precompute", "load_precomputed", "GanViewConfig", "seeds_of"]

#: A mode counts as captured when it holds at least this share of its fair share n / K of HQ samples.
CAPTURE_SHARE = 0.1
#: Standard deviation (data units) of the "one unsharp cloud" reference: about the plain GAN's crowd.
CLOUD_STD = 0.4
#: The generated samples kept per snapshot in stored runs (for scatter plots; metrics use all 2,500).
KEEP_SAMPLES = 400


def reverse_kl_uniform(counts: np.ndarray) -> np.ndarray:
    """KL(q || uniform) = sum_k q_k log(K q_k) for q = counts / counts.sum(-1), along the last axis.

    NaN where there are no counts at all (no high-quality sample: the histogram is undefined)."""
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = counts / total
        terms = np.where(q > 0, q * np.log(q * counts.shape[-1]), 0.0)
    return np.where(total[..., 0] > 0, terms.sum(axis=-1), np.nan)


def capture_threshold(n: int, n_modes: int, share: float = CAPTURE_SHARE) -> int:
    """The HQ samples a mode needs to count as captured: ceil(share * n / K), at least 1."""
    return max(1, math.ceil(share * n / n_modes - 1e-9))


def mode_metrics(samples: np.ndarray, centers: np.ndarray, sigma: float, share: float = CAPTURE_SHARE) -> dict:
    """The metrics of ``samples`` (..., n, 2) against mode ``centers`` (K, 2) of std ``sigma``.

    Arrays over the leading axes: ``modes_captured`` (the rule above), ``modes_touched`` (>= 1 HQ sample),
    ``hq_share``, ``reverse_kl`` (NaN when no HQ sample), ``crowd_share``, and per mode ``counts`` (..., K)
    (HQ samples nearest to mode k) and ``nearest_counts`` (..., K) (all samples nearest to mode k).
    """
    samples = np.asarray(samples, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    d2 = ((samples[..., :, None, :] - centers) ** 2).sum(axis=-1)  # (..., n, K)
    nearest = d2.argmin(axis=-1)
    hq = np.take_along_axis(d2, nearest[..., None], axis=-1)[..., 0] < (3.0 * sigma) ** 2
    K, n = len(centers), samples.shape[-2]
    is_k = nearest[..., None] == np.arange(K)
    counts = (is_k & hq[..., None]).sum(axis=-2)
    nearest_counts = is_k.sum(axis=-2)
    return {"modes_captured": (counts >= capture_threshold(n, K, share)).sum(axis=-1),
            "modes_touched": (counts > 0).sum(axis=-1), "hq_share": hq.mean(axis=-1),
            "reverse_kl": reverse_kl_uniform(counts), "crowd_share": nearest_counts.max(axis=-1) / n,
            "counts": counts, "nearest_counts": nearest_counts}


def reference_samples(mixture: MixtureConfig, n: int, rng: np.random.Generator) -> dict:
    """``n`` samples from each calibration reference (arrays (n, 2)):

    * ``true mixture``: the data distribution itself (the ideal generator);
    * ``Gaussian blob``: a Gaussian with the data's exact mean and covariance (an untrained-looking cloud);
    * ``uniform square``: uniform on the square spanned by the mode centres, widened by 1 on every side;
    * ``one-mode collapse``: every sample from mode 0's Gaussian (sharp, but one mode);
    * ``one unsharp cloud``: one isotropic Gaussian of std ``CLOUD_STD`` centred near mode 0 (ring: on the
      circle, at a uniformly random angle within half a spacing of mode 0; grid: within a unit box around it).
    """
    centers = mixture_centers(mixture)
    s = mixture.sigma
    mean = centers.mean(axis=0)
    cov = np.cov(centers.T, bias=True) + s ** 2 * np.eye(2)
    lo, hi = centers.min() - 1.0, centers.max() + 1.0
    return {"true mixture": centers[rng.integers(len(centers), size=n)] + s * rng.standard_normal((n, 2)),
            "Gaussian blob": rng.multivariate_normal(mean, cov, size=n),
            "uniform square": rng.uniform(lo, hi, size=(n, 2)),
            "one-mode collapse": centers[0] + s * rng.standard_normal((n, 2)),
            "one unsharp cloud": _cloud_centre(mixture, rng) + CLOUD_STD * rng.standard_normal((n, 2))}


def _cloud_centre(mixture: MixtureConfig, rng: np.random.Generator) -> np.ndarray:
    centers = mixture_centers(mixture)
    if mixture.kind == "ring":
        angle = rng.uniform(-np.pi, np.pi) / mixture.n_modes  # within half a spacing of mode 0 (at angle 0)
        return np.linalg.norm(centers[0]) * np.array([np.cos(angle), np.sin(angle)])
    return centers[0] + rng.uniform(-1.0, 1.0, size=2)


def crowd_shape(samples: np.ndarray, centers: np.ndarray, sigma: float) -> dict:
    """The crowd (the samples nearest to the most popular mode k*) of ``samples`` (..., n, 2), in units of sigma:
    ``crowd_spread`` = sqrt(mean |x - m|^2) over the crowd, m its centroid; ``crowd_offset`` = |m - c_k*|."""
    x = np.asarray(samples, dtype=np.float64)
    nearest = (((x[..., :, None, :] - centers) ** 2).sum(-1)).argmin(-1)  # (..., n)
    counts = (nearest[..., None] == np.arange(len(centers))).sum(-2)
    top = counts.argmax(-1)  # (...)
    mask = (nearest == top[..., None])[..., None]  # (..., n, 1)
    m = (mask * x).sum(-2) / mask.sum(-2)  # (..., 2)
    spread = np.sqrt((mask * (x - m[..., None, :]) ** 2).sum((-2, -1)) / mask[..., 0].sum(-1))
    return {"crowd_spread": spread / sigma, "crowd_offset": np.linalg.norm(m - centers[top], axis=-1) / sigma}


def score_references(mixture: MixtureConfig, n: int = 2500, draws: int = 20, seed: int = 0) -> dict:
    """:func:`mode_metrics` of ``draws`` independent draws of every reference: {name: {metric: (draws,)}}."""
    rng = np.random.default_rng(seed)
    centers = mixture_centers(mixture)
    out: dict = {}
    for _ in range(draws):
        for name, x in reference_samples(mixture, n, rng).items():
            m = {**mode_metrics(x, centers, mixture.sigma), **crowd_shape(x, centers, mixture.sigma)}
            for key in ("modes_captured", "modes_touched", "hq_share", "reverse_kl", "crowd_share", "crowd_spread",
                        "crowd_offset"):
                out.setdefault(name, {}).setdefault(key, []).append(float(m[key]))
    return {name: {k: np.array(v) for k, v in d.items()} for name, d in out.items()}


@dataclass(frozen=True)
class ModeCollapseConfig(Config):
    """One arm of the lesson-08 GAN experiment: the mixture, the GAN's knobs, and how many seeds."""

    mixture: str = choice("ring", ["ring", "grid"], doc="ring of 8 or 5 x 5 grid of Gaussians")
    sigma: float = param(0.05, low=0.0, low_open=True, ui=(0.01, 0.2), widget="none",
                         doc="standard deviation of each mode, > 0")
    remedy: str = choice("none", ["none", "pacgan2", "pacgan4"],
                         doc="none: plain GAN; pacganM: the discriminator judges packs of M samples")
    lr_g: float = param(1e-3, low=0.0, low_open=True, high=1.0, ui=(1e-4, 1e-2), widget="log",
                        doc="generator learning rate, > 0")
    lr_d: float = param(1e-3, low=0.0, low_open=True, high=1.0, ui=(1e-4, 1e-2), widget="log",
                        doc="discriminator learning rate, > 0")
    d_steps: int = param(1, low=1, high=10, ui=(1, 5), doc="discriminator updates per generator update")
    d_depth: int = param(1, low=1, high=4, ui=(1, 3), doc="hidden layers of the discriminator")
    latent: int = param(4, low=1, high=256, ui=(1, 16), doc="dimension of the latent z")
    hidden: int = param(64, low=4, high=512, ui=(16, 128, 16), widget="none", doc="hidden-layer width")
    batch: int = param(256, low=8, high=4096, ui=(64, 512, 64), widget="none", doc="samples (packs) per update")
    steps: int = param(3000, low=1, ui=(100, 4000, 100), doc="generator updates")
    prefit: int = param(0, low=0, high=20000, ui=(0, 4000, 500),
                        doc="generator pre-fit steps on the data's transport map before the GAN; 0 = none")
    snapshots: int = param(16, low=2, high=200, ui=(2, 40), widget="none", doc="snapshots kept over training")
    d_warmup: int = param(0, low=0, high=5000, ui=(0, 1000, 100), widget="none",
                          doc="discriminator-only updates before the GAN starts (after any pre-fit)")
    g_init_scale: float = param(1.0, low=0.0, low_open=True, high=1.0, ui=(0.01, 1.0), widget="none",
                                doc="factor on the generator's initial output layer, in (0, 1]; < 1 = G starts near a point")
    seeds: int = param(10, low=1, high=64, ui=(1, 16), doc="independent GANs trained together")
    seed: int = param(0, low=0, ui=(0, 20), doc="first seed; GAN i uses a seed derived from (seed, i)")

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
                    d_depth=config.d_depth, hidden=config.hidden, latent=config.latent, pack=config.pack, batch=config.batch,
                    prefit=config.prefit, snapshots=config.snapshots, d_warmup=config.d_warmup,
                    g_init_scale=config.g_init_scale)
    return mix, gan


def seeds_of(config: ModeCollapseConfig) -> list[int]:
    return [derive_seed(config.seed, i) % 2**31 for i in range(config.seeds)]


def run_gan(config: ModeCollapseConfig, progress=None) -> GanRun:
    """Train ``config.seeds`` GANs (seed i uses ``derive_seed(config.seed, i)``) and return the full run."""
    mix, gan = gan_config(config)
    return train_gans(mix, gan, seeds_of(config), progress)


@dataclass
class Condensed:
    """A GAN run reduced to what the lesson plots and asserts: metrics at every snapshot (arrays
    (seeds, snapshots) and counts (seeds, snapshots, K)), ``d_mode`` (seeds, snapshots, K), the mean
    discriminator probability over the samples nearest to each mode (NaN for a mode with none), and
    ``KEEP_SAMPLES`` samples per snapshot for scatter plots."""

    config: ModeCollapseConfig
    snapshot_steps: np.ndarray
    metrics: dict
    d_mode: np.ndarray
    samples: np.ndarray

    @property
    def mixture(self) -> MixtureConfig:
        return gan_config(self.config)[0]


def condense(config: ModeCollapseConfig, run: GanRun) -> Condensed:
    centers = mixture_centers(run.mixture)
    m = mode_metrics(run.samples, centers, run.mixture.sigma)
    nearest = (((run.samples[..., :, None, :] - centers) ** 2).sum(-1)).argmin(-1)  # (S, T, n)
    onehot = nearest[..., None] == np.arange(len(centers))
    score = np.nan_to_num(run.d_fake)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        d_mode = (onehot * score).sum(-2) / onehot.sum(-2)
    return Condensed(config, np.asarray(run.snapshot_steps), m, d_mode,
                     run.samples[:, :, :KEEP_SAMPLES].astype(np.float16))



def retrain_prefix(stored: Condensed, steps: int = 200) -> tuple[Condensed, list[float]]:
    """Seed 0 of a stored arm retrained alone for its first ``steps`` updates, and the largest sample difference
    from the stored file at its first two snapshots (updates 0 and ``steps``): the check that stored runs come from
    the committed code. Batched and alone differ only by float rounding, which GAN training amplifies."""
    if stored.snapshot_steps[1] != steps:
        raise ValueError(f"the stored run's second snapshot is at update {stored.snapshot_steps[1]}, not {steps}")
    cfg = stored.config.replace(seeds=1, steps=steps, snapshots=2)
    again = condense(cfg, run_gan(cfg))
    diffs = [float(np.abs(again.samples[0, i].astype(float) - stored.samples[0, i].astype(float)).max())
             for i in (0, 1)]
    return again, diffs

def scores_at(c: Condensed, snapshot: int = 0) -> dict:
    """One snapshot of a stored run in :func:`score_references`' format, {metric: (seeds,)}: e.g. snapshot 0 of a
    run from scratch is the *untrained generator*, a reference. Crowd spread and offset come from the
    ``KEEP_SAMPLES`` kept samples, the other metrics from all 2,500."""
    out = {k: np.asarray(c.metrics[k][:, snapshot], dtype=float)
           for k in ("modes_captured", "modes_touched", "hq_share", "reverse_kl", "crowd_share")}
    shape = crowd_shape(c.samples[:, snapshot].astype(np.float64), mixture_centers(c.mixture), c.mixture.sigma)
    return {**out, **shape}


def _finite_mean(v) -> float | None:
    v = np.asarray(v, dtype=float)
    return round(float(v[np.isfinite(v)].mean()), 4) if np.isfinite(v).any() else None


def calibration_table(scores: dict) -> dict:
    """{mixture: {reference: summary}} of :func:`score_references`-style scores: the worst case of modes
    captured, means of the rest; the reverse KL's mean over the draws where it is defined, with the others
    counted in ``reverse_kl_missing``."""
    return {mix: {ref: {"modes_captured_max": float(s["modes_captured"].max()),
                        "modes_captured_mean": float(s["modes_captured"].mean()),
                        "modes_touched_mean": float(s["modes_touched"].mean()),
                        "hq_share_mean": _finite_mean(s["hq_share"]),
                        "reverse_kl_mean": _finite_mean(s["reverse_kl"]),
                        "reverse_kl_missing": int((~np.isfinite(np.asarray(s["reverse_kl"], float))).sum()),
                        "crowd_share_mean": _finite_mean(s["crowd_share"]),
                        "crowd_spread_sigma_mean": _finite_mean(s["crowd_spread"]),
                        "crowd_offset_sigma_mean": _finite_mean(s["crowd_offset"])}
                  for ref, s in sc.items()} for mix, sc in scores.items()}


def process_summary(c: Condensed, early_step: int = 40) -> dict:
    """What happened to a run that starts from a pre-fitted generator: modes per seed at the start, at the first
    snapshot at or after ``early_step`` updates and at the end; the lowest mean (over seeds) number of modes
    over training and when; the mean HQ share at those three points."""
    modes, hq, steps = c.metrics["modes_captured"], c.metrics["hq_share"], np.asarray(c.snapshot_steps)
    early = int(np.flatnonzero(steps >= early_step)[0])
    mean_modes = modes.mean(0)
    low = int(mean_modes.argmin())
    return {"modes_at_start": modes[:, 0].tolist(), f"modes_after_{early_step}_updates": modes[:, early].tolist(),
            "modes_final": modes[:, -1].tolist(), "mean_modes_lowest": round(float(mean_modes[low]), 2),
            "lowest_at_update": int(steps[low]), "mean_modes_final": float(modes[:, -1].mean()),
            "hq_at_start": round(float(hq[:, 0].mean()), 3), f"hq_after_{early_step}_updates": round(float(hq[:, early].mean()), 3),
            "hq_final": round(float(hq[:, -1].mean()), 3)}


def warm_d_scores(c: Condensed) -> dict:
    """For a run whose D was trained first against the fixed pre-fitted G (``d_warmup > 0``): D's mean probability
    "real" on each mode's samples at snapshot 0, before G has moved (``d_mode[:, 0]``, (seeds, K)); its mean,
    the mean within-seed range over modes (max - min), and per seed the Spearman rank correlation between those
    scores and each mode's HQ count at snapshot 1 (positive: modes where D was fooled more kept more samples,
    a retreat's signature); seeds where the counts are all equal have no ranking and are left out (counted)."""
    if c.config.d_warmup <= 0:
        raise ValueError(f"this run's D was not warmed up (d_warmup = {c.config.d_warmup}); its snapshot-0 scores "
                         "come from an untrained D")
    score, later = c.d_mode[:, 0], c.metrics["counts"][:, 1]
    corrs = []
    for s, h in zip(score, later):
        if np.ptp(h) > 0 and np.ptp(s) > 0:
            ra, rb = np.argsort(np.argsort(s)), np.argsort(np.argsort(h))
            corrs.append(float(np.corrcoef(ra, rb)[0, 1]))
    return {"mean_score": round(float(np.nanmean(score)), 3),
            "mean_range_over_modes": round(float(np.nanmean(np.nanmax(score, 1) - np.nanmin(score, 1))), 3),
            "rank_corr_per_seed": [round(r, 2) for r in corrs],
            "mean_rank_corr": round(float(np.mean(corrs)), 2) if corrs else None,
            "seeds_without_ranking": int(len(score) - len(corrs))}


def summarize(c: Condensed, snapshot: int = -1) -> dict:
    """Per-seed metrics at one snapshot (default: the end of training) and their means over seeds.

    The reverse KL's mean is over the seeds where it is defined; ``reverse_kl_missing`` counts the others."""
    m = {k: np.asarray(v)[:, snapshot] for k, v in c.metrics.items()}
    shape = crowd_shape(c.samples[:, snapshot].astype(np.float64), mixture_centers(c.mixture), c.mixture.sigma)
    rkl = m["reverse_kl"]
    return {"modes_captured": m["modes_captured"].tolist(), "hq_share": np.round(m["hq_share"], 4).tolist(),
            "mean_modes": float(m["modes_captured"].mean()), "mean_modes_touched": float(m["modes_touched"].mean()),
            "mean_hq_share": float(m["hq_share"].mean()), "mean_crowd_share": float(m["crowd_share"].mean()),
            "crowd_share": np.round(m["crowd_share"], 3).tolist(),
            "crowd_spread_sigma": np.round(shape["crowd_spread"], 1).tolist(),
            "mean_crowd_spread_sigma": float(shape["crowd_spread"].mean()),
            "mean_crowd_offset_sigma": float(shape["crowd_offset"].mean()),
            "mean_reverse_kl": float(rkl[np.isfinite(rkl)].mean()) if np.isfinite(rkl).any() else None,
            "reverse_kl_missing": int((~np.isfinite(rkl)).sum()), "seeds": int(len(rkl)),
            "n_modes": int(c.config.n_modes)}


#: The stored full-mode arms (regenerated by ``tools/precompute_gan.py``): ring of 8, sigma 0.05.
_BASE = ModeCollapseConfig()
ARMS = {
    "plain, 1-layer D": _BASE,
    "PacGAN2, 1-layer D": _BASE.replace(remedy="pacgan2"),
    "plain, 2-layer D": _BASE.replace(d_depth=2),
    "PacGAN2, 2-layer D": _BASE.replace(d_depth=2, remedy="pacgan2"),
    "pre-fit, plain 1-layer D": _BASE.replace(prefit=3000, steps=1000, snapshots=26),
    "pre-fit, PacGAN2 1-layer D": _BASE.replace(prefit=3000, steps=1000, snapshots=26, remedy="pacgan2"),
    # Part 3's controls: the generator's step size, and a discriminator that never learns (its step size 1e-9:
    # frozen at its random initialization, so the generator ascends a fixed random function)
    "pre-fit, plain 1-layer D, lr_g 1e-4": _BASE.replace(prefit=3000, steps=1000, snapshots=26, lr_g=1e-4),
    "pre-fit, plain 1-layer D, lr_g 1e-5": _BASE.replace(prefit=3000, steps=1000, snapshots=26, lr_g=1e-5),
    "pre-fit, frozen random D": _BASE.replace(prefit=3000, steps=1000, snapshots=26, lr_d=1e-9),
    "pre-fit, frozen random D, lr_g 1e-4": _BASE.replace(prefit=3000, steps=1000, snapshots=26, lr_d=1e-9, lr_g=1e-4),
    # D trained first (500 updates against the fixed pre-fitted G): its scores at snapshot 0 say where G fooled it
    "pre-fit, D warmed up": _BASE.replace(prefit=3000, steps=1000, snapshots=26, d_warmup=500),
    "pre-fit, D warmed up, lr_g 1e-4": _BASE.replace(prefit=3000, steps=1000, snapshots=26, d_warmup=500, lr_g=1e-4),
}
DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "gan_runs.npz"


def precompute(arms: dict = ARMS, path: Path = DATA_PATH, progress=None, reuse: bool = False) -> None:
    """Train every arm and store its :class:`Condensed` form in one compressed ``.npz`` at ``path``.

    ``reuse=True`` keeps the arms already in ``path`` whose stored config equals the arm's (arms are trained
    independently, so a kept arm is exactly what retraining it would give) and trains only the others."""
    old = load_precomputed(path) if reuse and Path(path).exists() else {}
    arrays = {}
    for i, (name, config) in enumerate(arms.items()):
        c = old[name] if name in old and old[name].config == config else condense(config, run_gan(config))
        arrays[f"{name}|config"] = np.array(json.dumps(config.to_dict()))
        arrays[f"{name}|snapshot_steps"] = c.snapshot_steps
        arrays[f"{name}|d_mode"] = c.d_mode.astype(np.float32)
        arrays[f"{name}|samples"] = c.samples.astype(np.float16)
        for k, v in c.metrics.items():
            arrays[f"{name}|m|{k}"] = v
        if progress is not None:
            progress((i + 1) / len(arms), name)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load_precomputed(path: Path = DATA_PATH) -> dict:
    """{arm name: Condensed} from a file written by :func:`precompute`."""
    with np.load(path) as f:
        data = {k: f[k] for k in f.files}
    out = {}
    for key in data:
        name, _, field = key.partition("|")
        if field == "config":
            metrics = {k.split("|")[2]: v for k, v in data.items() if k.startswith(f"{name}|m|")}
            out[name] = Condensed(ModeCollapseConfig(**json.loads(str(data[key]))), data[f"{name}|snapshot_steps"],
                                  metrics, data[f"{name}|d_mode"], data[f"{name}|samples"])
    return out


@dataclass(frozen=True)
class GanViewConfig(Config):
    """The GAN panel's view of the stored runs: which arm, which of its seeds, which snapshot."""

    arm: str = choice("plain, 1-layer D", list(ARMS), doc="stored setup to show")
    view_seed: int = param(1, low=0, high=9, ui=(0, 9), doc="which of the arm's 10 seeds to show, 0 .. 9")
    snapshot: int = param(15, low=0, high=25, ui=(0, 25),
                          doc="training snapshot, 0 = start (0 .. 15 for the arms from scratch, 0 .. 25 pre-fit)")

    def check(self) -> None:
        last = ARMS[self.arm].snapshots - 1
        if self.snapshot > last:
            raise self.invalid("snapshot", f"0 .. {last} for the arm {self.arm!r} (it has {last + 1} snapshots)")
