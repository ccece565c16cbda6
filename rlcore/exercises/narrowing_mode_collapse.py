"""Lesson 08's exercises: the mode-collapse scores of a set of samples, and the generator's non-saturating loss."""

from __future__ import annotations

import math

import numpy as np

from ..analysis.mode_collapse import capture_threshold, mode_metrics
from . import Case, Exercise, Mistake, register


def _ring(k: int) -> np.ndarray:
    angle = 2 * np.pi * np.arange(k) / k
    return 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def _scores(samples, centers, sigma):
    m = mode_metrics(samples, centers, sigma)
    return np.array([float(m["modes_captured"]), float(m["hq_share"]), float(m["reverse_kl"])])


def _scores_with(samples, centers, sigma, *, radius=3.0, rule="share", kl="reverse", over="hq", strict=False):
    """The scores computed with one ingredient changed (the mistakes below)."""
    samples, centers = np.asarray(samples, float), np.asarray(centers, float)
    d2 = ((samples[:, None, :] - centers) ** 2).sum(-1)
    nearest = d2.argmin(1)
    hq = d2[np.arange(len(samples)), nearest] < (radius * sigma) ** 2
    K = len(centers)
    counts = np.bincount(nearest[hq], minlength=K) if over == "hq" else np.bincount(nearest, minlength=K)
    hq_counts = np.bincount(nearest[hq], minlength=K)
    need = {"touched": 1, "share": capture_threshold(len(samples), K),
            "floor": max(1, math.floor(0.1 * len(samples) / K)),  # rounding 0.1 n / K down
            "hq_n": capture_threshold(int(hq.sum()), K)}[rule]       # n = the HQ samples only
    q = counts / counts.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        if kl == "reverse":
            rkl = float(np.sum(np.where(q > 0, q * np.log(q * K), 0.0)))
        else:  # KL(uniform || q): infinite as soon as a mode is missing
            rkl = float(np.sum((1 / K) * np.log((1 / K) / q)))
    captured = (hq_counts > need) if strict else (hq_counts >= need)
    return np.array([float(captured.sum()), float(hq.mean()), rkl])


def _cases(rng: np.random.Generator):
    sigma = 0.05
    for k in (8, 5):
        centers = _ring(k)
        # balanced and sharp
        x = centers[rng.integers(0, k, 2500)] + sigma * rng.normal(size=(2500, 2))
        yield Case(dict(samples=x, centers=centers, sigma=sigma), f"{k} ring modes, 2,500 true samples")
        # two modes sharp, one mode with only a handful of HQ samples, the rest a wide blob
        x = np.concatenate([centers[0] + sigma * rng.normal(size=(1200, 2)),
                            centers[1] + sigma * rng.normal(size=(800, 2)),
                            centers[2] + sigma * rng.normal(size=(5, 2)),
                            rng.normal(scale=1.4, size=(495, 2))])
        yield Case(dict(samples=x, centers=centers, sigma=sigma),
                   f"{k} ring modes: two sharp crowds, 5 samples on a third, the rest a wide blob")
    # the capture rule at its boundary: n = 1,000, K = 8, so a mode needs ceil(12.5) = 13 HQ samples
    centers = _ring(8)
    x = np.concatenate([np.repeat(centers[[0]], 12, 0), np.repeat(centers[[1]], 9, 0),
                        np.repeat(centers[[2]], 100, 0), centers[[3]], np.zeros((878, 2))])
    yield Case(dict(samples=x, centers=centers, sigma=sigma),
               "8 ring modes, 1,000 samples: 12, 9, 100 and 1 exactly on modes 0-3, 878 at the origin (not HQ); "
               "a mode needs ceil(0.1 * 1000 / 8) = 13 HQ samples")
    x = np.concatenate([np.repeat(centers[[0]], 13, 0), np.repeat(centers[[1]], 12, 0),
                        np.repeat(centers[[2]], 600, 0), np.zeros((375, 2))])
    yield Case(dict(samples=x, centers=centers, sigma=sigma),
               "8 ring modes, 1,000 samples: 13, 12 and 600 exactly on modes 0-2, 375 at the origin (not HQ); "
               "13 = ceil(0.1 * 1000 / 8) is exactly enough")
    x = centers[3] + 2.5 * sigma * rng.normal(size=(1000, 2))
    yield Case(dict(samples=x, centers=centers, sigma=sigma),
               "8 ring modes, 1,000 samples on one mode with 2.5 times its spread (some are not HQ)")


mode_scores = register(Exercise(
    name="mode_scores", lesson="08_narrowing_mode_collapse",
    prompt="mode_scores(samples, centers, sigma) -> np.array([modes captured, HQ share, reverse KL]): HQ = within "
           "3 sigma of the nearest centre; a mode is captured with >= ceil(0.1 n / K) HQ samples nearest to it; "
           "reverse KL = sum_k q_k log(K q_k) over the histogram q of the HQ samples",
    reference=_scores,
    cases=_cases,
    mistakes=(
        Mistake("loose capture rule", lambda samples, centers, sigma: _scores_with(samples, centers, sigma,
                                                                                   rule="touched"),
                "a mode needs at least 10% of its fair share of HQ samples, ceil(0.1 n / K), not a single one: "
                "under the loose rule a blob with the data's spread 'captures' most modes by chance"),
        Mistake("capture threshold rounded down", lambda samples, centers, sigma: _scores_with(
                    samples, centers, sigma, rule="floor"),
                "round the fair share up: a mode needs ceil(0.1 n / K) HQ samples (13 when n = 1,000 and K = 8), "
                "not floor(0.1 n / K)"),
        Mistake("n = the HQ samples", lambda samples, centers, sigma: _scores_with(samples, centers, sigma,
                                                                                   rule="hq_n"),
                "n in ceil(0.1 n / K) is the number of ALL samples, not of the HQ ones: a generator that puts "
                "most samples off the modes must not lower the bar for the few it puts on them"),
        Mistake("capture needs more than the threshold", lambda samples, centers, sigma: _scores_with(
                    samples, centers, sigma, strict=True),
                "a mode with exactly ceil(0.1 n / K) HQ samples is captured: use >=, not >"),
        Mistake("radius 3 sigma^2", lambda samples, centers, sigma: _scores_with(samples, centers, sigma,
                                                                                 radius=math.sqrt(3.0)),
                "HQ means distance < 3 sigma, i.e. squared distance < (3 sigma)^2 = 9 sigma^2, not 3 sigma^2"),
        Mistake("histogram of every sample", lambda samples, centers, sigma: _scores_with(samples, centers, sigma,
                                                                                          over="all"),
                "the reverse KL uses the histogram of the HQ samples only; the diffuse samples are already "
                "counted by the HQ share"),
        Mistake("forward KL", lambda samples, centers, sigma: _scores_with(samples, centers, sigma, kl="forward"),
                "that is KL(uniform || q), infinite whenever a mode is missing; the papers' number is "
                "KL(q || uniform) = sum_k q_k log(K q_k), which is log K for one mode"),
    ),
    rtol=1e-9, atol=1e-12,
))


def _ns_loss(d_logits):
    """The non-saturating generator loss of D's logits on generated samples, and its gradient with respect to
    each logit: loss = mean_i log(1 + exp(-l_i)) = -mean log sigma(l_i), d loss / d l_i = -(1 - sigma(l_i)) / n."""
    l = np.asarray(d_logits, dtype=np.float64)
    loss = np.mean(np.logaddexp(0.0, -l))
    grad = -(1.0 - 1.0 / (1.0 + np.exp(-l))) / l.size
    return np.concatenate([[loss], grad])


def _minimax(d_logits):  # minimize log(1 - sigma(l)) = -softplus(l): the saturating form
    l = np.asarray(d_logits, dtype=np.float64)
    sig = 1.0 / (1.0 + np.exp(-l))
    return np.concatenate([[np.mean(-np.logaddexp(0.0, l))], -sig / l.size])


def _loss_cases(rng: np.random.Generator):
    for n in (1, 4, 64):
        yield Case(dict(d_logits=rng.normal(scale=2.0, size=n)), f"{n} random logits")
    yield Case(dict(d_logits=np.array([-30.0, -8.0, 0.0, 8.0, 30.0])),
               "logits from -30 (D sure the sample is fake) to 30 (sure it is real): no overflow, no nan")


g_loss = register(Exercise(
    name="nonsaturating_g_loss", lesson="08_narrowing_mode_collapse",
    prompt="nonsaturating_g_loss(d_logits) -> np.array([loss, *grad]): loss = -mean log sigma(l_i), the "
           "generator's non-saturating loss, followed by its gradient with respect to each logit l_i",
    reference=_ns_loss,
    cases=_loss_cases,
    mistakes=(
        Mistake("saturating (minimax) loss", _minimax,
                "that is the minimax form log(1 - sigma(l)): its gradient sigma(l) / n vanishes exactly where D "
                "rejects the samples (l very negative), the saturation the non-saturating loss avoids"),
        Mistake("flipped sign", lambda d_logits: -_ns_loss(d_logits),
                "the generator minimizes -log sigma(l) (it wants D to say 'real'); you have its negative"),
        Mistake("gradient without the 1/n", lambda d_logits: np.concatenate(
                    [_ns_loss(d_logits)[:1], _ns_loss(d_logits)[1:] * np.size(d_logits)]),
                "the loss is a mean over the n samples, so each logit's gradient carries a factor 1/n"),
        Mistake("gradient sigma - 1 written as sigma", lambda d_logits: np.concatenate(
                    [_ns_loss(d_logits)[:1], -(1.0 / (1.0 + np.exp(-np.asarray(d_logits, float)))) / np.size(d_logits)]),
                "d/dl of -log sigma(l) is -(1 - sigma(l)): large where D rejects the sample, near 0 where it "
                "is already fooled (which is why G stops moving samples D already accepts)"),
    ),
))
