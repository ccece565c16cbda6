"""Unit tests of the 2-D mixtures, the mode-collapse metrics and the batched GAN trainer (lesson 08)."""

import math

import numpy as np
import pytest
import torch

from rlcore.analysis.mode_collapse import (ModeCollapseConfig, capture_threshold, mode_metrics, reverse_kl_uniform,
                                           score_references)
from rlcore.config import ConfigError
from rlcore.learners.gan import (GanConfig, MixtureConfig, mixture_centers, sample_mixture, train_gans,
                                 transport_target)


def test_ring_and_grid_centres():
    ring = mixture_centers(MixtureConfig(kind="ring", n_modes=8))
    assert ring.shape == (8, 2)
    assert np.allclose(np.linalg.norm(ring, axis=1), 2.0)
    gaps = np.linalg.norm(ring - np.roll(ring, 1, axis=0), axis=1)
    assert np.allclose(gaps, 4 * math.sin(math.pi / 8))  # chord of a radius-2 circle over 45 degrees
    grid = mixture_centers(MixtureConfig(kind="grid", n_modes=25))
    assert grid.shape == (25, 2)
    assert sorted(set(grid[:, 0].round(9))) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert np.allclose(grid.mean(axis=0), 0.0)


@pytest.mark.parametrize("cls, kwargs, field", [
    (MixtureConfig, {"n_modes": 1}, "n_modes"),
    (MixtureConfig, {"kind": "grid", "n_modes": 8}, "n_modes"),
    (MixtureConfig, {"sigma": 0.0}, "sigma"),
    (MixtureConfig, {"sigma": -0.1}, "sigma"),
    (GanConfig, {"lr_g": 0.0}, "lr_g"),
    (GanConfig, {"lr_d": -1e-3}, "lr_d"),
    (ModeCollapseConfig, {"sigma": 0.0}, "sigma"),
    (ModeCollapseConfig, {"lr_d": 0.0}, "lr_d"),
    (ModeCollapseConfig, {"lr_g": -1.0}, "lr_g"),
    (ModeCollapseConfig, {"remedy": "unrolled"}, "remedy"),
    (GanConfig, {"prefit": 10, "latent": 2}, "latent"),
])
def test_bad_values_raise_naming_the_field(cls, kwargs, field):
    with pytest.raises(ValueError) as err:
        cls(**kwargs)
    assert isinstance(err.value, ConfigError) and err.value.field == field
    assert f"{cls.__name__}.{field} = " in str(err.value)


@pytest.mark.parametrize("kind, k", [("ring", 8), ("grid", 25)])
def test_true_samples_score_as_the_closed_form_says(kind, k):
    """Samples of the mixture itself: every mode captured, P(within 3 sigma) = 1 - exp(-9/2) in 2-D,
    and a reverse KL near 0 (its expectation is about (K - 1) / (2 N))."""
    mix = MixtureConfig(kind=kind, n_modes=k, sigma=0.05)
    x = sample_mixture(mix, 20000, torch.Generator().manual_seed(1)).numpy()
    m = mode_metrics(x, mixture_centers(mix), mix.sigma)
    assert m["modes_captured"] == k
    assert m["hq_share"] == pytest.approx(1 - math.exp(-4.5), abs=0.003)  # 0.98889
    assert 0 <= m["reverse_kl"] < 5 * (k - 1) / (2 * 20000)


def test_metrics_of_a_collapsed_and_of_a_lost_generator():
    mix = MixtureConfig(kind="ring", n_modes=8, sigma=0.05)
    centers = mixture_centers(mix)
    one_mode = np.repeat(centers[3:4], 2500, axis=0) + 0.01
    m = mode_metrics(one_mode, centers, mix.sigma)
    assert m["modes_captured"] == 1 and m["hq_share"] == 1.0
    assert m["reverse_kl"] == pytest.approx(math.log(8))
    lost = np.zeros((2500, 2))  # the centre of the ring is 2 away from every mode
    m = mode_metrics(lost, centers, mix.sigma)
    assert m["modes_captured"] == 0 and m["hq_share"] == 0.0 and np.isnan(m["reverse_kl"])


def test_metrics_against_a_loop_on_random_points():
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(6, 2)) * 3
    pts = centers[rng.integers(6, size=(3, 400))] + rng.normal(size=(3, 400, 2)) * 0.3
    m = mode_metrics(pts, centers, 0.2)
    for b in range(3):
        counts = np.zeros(6)
        for p in pts[b]:
            d = np.linalg.norm(centers - p, axis=1)
            if d.min() < 0.6:
                counts[d.argmin()] += 1
        assert np.array_equal(m["counts"][b], counts)
        nearest = np.bincount([np.linalg.norm(centers - p, axis=1).argmin() for p in pts[b]], minlength=6)
        assert np.array_equal(m["nearest_counts"][b], nearest)
        assert m["hq_share"][b] == pytest.approx(counts.sum() / 400)
        assert m["modes_touched"][b] == (counts > 0).sum()
        assert m["modes_captured"][b] == (counts >= 7).sum()  # 10% of the fair share 400 / 6, rounded up


def test_reverse_kl_is_log_k_minus_entropy_on_random_histograms():
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 50, size=(20, 9)).astype(float)
    counts[:5, :4] = 0  # some empty bins
    q = counts / counts.sum(axis=1, keepdims=True)
    loop = [sum(qi * math.log(qi * 9) for qi in row if qi > 0) for row in q]
    h = -np.where(q > 0, q * np.log(np.where(q > 0, q, 1)), 0).sum(axis=1)
    assert np.allclose(reverse_kl_uniform(counts), loop)
    assert np.allclose(reverse_kl_uniform(counts), math.log(9) - h)


TINY = GanConfig(steps=30, hidden=16, batch=32, snapshots=3, n_eval=200)


def test_gan_runs_are_reproducible_and_independent_of_the_other_seeds_in_the_batch():
    mix = MixtureConfig()
    a = train_gans(mix, TINY, [3, 4])
    b = train_gans(mix, TINY, [3, 4])
    alone = train_gans(mix, TINY, [4])
    assert np.array_equal(a.samples, b.samples) and np.array_equal(a.d_loss, b.d_loss)
    assert a.samples.shape == (2, 3, 200, 2) and list(a.snapshot_steps) == [0, 15, 30]
    np.testing.assert_allclose(a.samples[1], alone.samples[0], atol=1e-4)  # same run, batched or alone
    assert not np.allclose(a.samples[0], a.samples[1])


def test_packed_discriminator_trains_and_the_first_snapshot_is_untrained():
    mix = MixtureConfig()
    plain = train_gans(mix, TINY, [5])
    packed = train_gans(mix, TINY.replace(pack=2), [5])
    np.testing.assert_array_equal(plain.samples[:, 0], packed.samples[:, 0])  # same generator at update 0
    assert not np.allclose(plain.samples[:, -1], packed.samples[:, -1])
    assert np.isfinite(packed.d_loss).all() and packed.d_loss.shape == (1, 30)
    # at initialisation D outputs about 0.5 everywhere: loss about 2 log 2
    assert packed.d_loss[0, 0] == pytest.approx(2 * math.log(2), abs=0.2)


def test_adam_matches_a_numpy_reference():
    from rlcore.learners.gan import _Adam

    rng = np.random.default_rng(7)
    p0, grads = rng.normal(size=(2, 3)), rng.normal(size=(5, 2, 3))
    p = torch.tensor(p0, dtype=torch.float64)
    opt = _Adam([p], lr=0.01)
    m, v, q = np.zeros_like(p0), np.zeros_like(p0), p0.copy()
    for t, g in enumerate(grads, start=1):
        opt.step([torch.tensor(g)])
        m = 0.5 * m + 0.5 * g
        v = 0.999 * v + 0.001 * g * g
        q -= 0.01 * (m / (1 - 0.5 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    np.testing.assert_allclose(p.numpy(), q, rtol=1e-12)


def test_capture_threshold_is_a_tenth_of_the_fair_share():
    assert capture_threshold(2500, 8) == 32 and capture_threshold(2500, 25) == 10
    assert capture_threshold(10, 25) == 1


@pytest.mark.parametrize("kind, k", [("ring", 8), ("grid", 25)])
def test_references_calibrate_the_capture_rule(kind, k):
    """The true mixture captures every mode sharply; a matched blob and a uniform square capture at most one
    mode in every one of 20 draws (the papers' loose rule lets the blob touch most modes); a one-mode collapse
    captures exactly one, sharply, with the largest reverse KL."""
    sc = score_references(MixtureConfig(kind=kind, n_modes=k, sigma=0.05), draws=20, seed=3)
    true, blob, square, one = (sc[n] for n in ("true mixture", "Gaussian blob", "uniform square", "one-mode collapse"))
    assert (true["modes_captured"] == k).all() and true["hq_share"].min() >= 0.95
    for ref in (blob, square):
        assert ref["modes_captured"].max() <= 1               # observed 0 on the ring, at most 1 on the grid
        assert ref["hq_share"].max() < 0.05                   # observed about 0.02
        assert ref["modes_touched"].mean() >= 0.6 * k          # the loose rule fails: observed 7.95 / 8, 18 / 25
    assert (one["modes_captured"] == 1).all() and one["hq_share"].min() >= 0.95
    assert one["reverse_kl"].min() == pytest.approx(math.log(k))
    assert blob["reverse_kl"].mean() < 0.25 * math.log(k)     # reverse KL alone rewards a spread-out blob


@pytest.mark.parametrize("kind, k", [("ring", 8), ("grid", 25)])
def test_transport_map_produces_the_mixture(kind, k):
    mix = MixtureConfig(kind=kind, n_modes=k, sigma=0.05)
    x = transport_target(mix, torch.randn(20000, 4, generator=torch.Generator().manual_seed(2))).numpy()
    m = mode_metrics(x, mixture_centers(mix), mix.sigma)
    assert m["modes_captured"] == k
    assert m["hq_share"] == pytest.approx(1 - math.exp(-4.5), abs=0.003)
    assert m["reverse_kl"] < 0.01


def test_crowd_shape_closed_forms():
    """A crowd sitting on its mode has spread sqrt(2) sigma (RMS of a 2-D Gaussian) and offset about 0; a cloud
    of std s placed d away from the mode has spread about sqrt(2) s / sigma and offset d / sigma."""
    from rlcore.analysis.mode_collapse import crowd_shape

    centers = mixture_centers(MixtureConfig(kind="ring", n_modes=8, sigma=0.05))
    rng = np.random.default_rng(0)
    sharp = crowd_shape(centers[2] + 0.05 * rng.standard_normal((20000, 2)), centers, 0.05)
    assert sharp["crowd_spread"] == pytest.approx(math.sqrt(2), rel=0.02) and sharp["crowd_offset"] < 0.05
    shifted = crowd_shape(centers[5] + [0.1, 0.0] + 0.02 * rng.standard_normal((5000, 2)), centers, 0.05)
    assert shifted["crowd_spread"] == pytest.approx(math.sqrt(2) * 0.4, rel=0.03)
    assert shifted["crowd_offset"] == pytest.approx(2.0, rel=0.02)
    batched = crowd_shape(np.stack([centers[2] + 0.05 * rng.standard_normal((500, 2))] * 3), centers, 0.05)
    assert batched["crowd_spread"].shape == (3,)


def test_unsharp_cloud_and_collapse_references_differ_in_spread_not_in_modes():
    sc = score_references(MixtureConfig(kind="ring", n_modes=8, sigma=0.05), draws=10, seed=4)
    cloud, one = sc["one unsharp cloud"], sc["one-mode collapse"]
    assert cloud["modes_captured"].max() <= 1 and one["modes_captured"].min() == 1
    assert cloud["hq_share"].max() < 0.1 < 0.95 < one["hq_share"].min()
    assert cloud["crowd_spread"].min() > 5 * one["crowd_spread"].max()   # about 10 sigma against 1.4


def test_precompute_reuses_unchanged_arms_and_retrains_changed_ones(tmp_path):
    from rlcore.analysis import mode_collapse as mc

    tiny = mc.ModeCollapseConfig(steps=3, snapshots=2, seeds=1, hidden=8)
    path = tmp_path / "runs.npz"
    mc.precompute({"a": tiny, "b": tiny.replace(seed=1)}, path=path)
    first = mc.load_precomputed(path)
    mc.precompute({"a": tiny, "b": tiny.replace(seed=2)}, path=path, reuse=True)
    second = mc.load_precomputed(path)
    assert np.array_equal(first["a"].samples, second["a"].samples) and second["b"].config.seed == 2
    assert not np.array_equal(first["b"].samples, second["b"].samples)


def test_d_warmup_trains_d_only():
    """D-only warm-up leaves the generator's first snapshot unchanged and changes D's scores on it."""
    mix = MixtureConfig(kind="ring", n_modes=8, sigma=0.05)
    cfg = GanConfig(steps=2, snapshots=2, hidden=8, prefit=20, batch=32, n_eval=200)
    cold = train_gans(mix, cfg, [3])
    warm = train_gans(mix, cfg.replace(d_warmup=30), [3])
    np.testing.assert_array_equal(cold.samples[:, 0], warm.samples[:, 0])
    assert not np.allclose(cold.d_fake[:, 0], warm.d_fake[:, 0])


def test_the_papers_network_sizes_reach_the_learner():
    """The unrolled-GAN paper's settings (256-dimensional latent, batches of 512, 128-unit layers) are valid
    configs and pass through to the GAN unchanged."""
    from rlcore.analysis import mode_collapse as mc

    mix, gan = mc.gan_config(mc.ModeCollapseConfig(sigma=0.02, latent=256, batch=512, hidden=128, d_depth=2))
    assert (gan.latent, gan.batch, gan.hidden, gan.d_depth, mix.sigma) == (256, 512, 128, 2, 0.02)
    assert mc.ModeCollapseConfig().batch == 256  # the stored arms' batch
