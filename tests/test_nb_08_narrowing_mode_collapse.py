"""Claims of 08_narrowing_mode_collapse.

Calibration: under the lesson's capture rule (a mode needs 10% of its fair share of high-quality samples) the
true mixture captures every mode, a matched Gaussian blob and a uniform square at most one (the papers' loose
rule lets the blob touch most). C12 (stored runs, 10 seeds per arm, ring of 8, sigma 0.05): with a one-layer
discriminator the plain GAN ends on few modes, in a crowd, with few sharp samples (not the papers' sharp
collapse); PacGAN2 covers >= 7 modes in most seeds; with a two-layer discriminator PacGAN2 covers >= 7 modes
with >= 70% high-quality samples in most seeds. Narrowing as a process: a pre-fitted generator on all 8 modes
loses them together within 40 updates (no retreat). C11, recalibrated for an ordinary softmax learner: the
on-policy corr(w, R) rises and overstates the all-topics one; topic entropy falls; the forced-uniform control
shows no gap and no entropy loss.
"""

import math

import numpy as np
import pytest

from rlcore.analysis import mode_collapse as mc
from rlcore.analysis.narrowing import NarrowingExperimentConfig, run_narrowing

NOTEBOOK = "08_narrowing_mode_collapse"


def test_notebook_metrics(notebook_runs):
    m = notebook_runs.quick(NOTEBOOK)
    for mix, k in (("ring of 8", 8), ("grid of 25", 25)):
        cal = m["calibration"][mix]
        assert cal["true mixture"]["modes_captured_max"] == k and cal["true mixture"]["hq_share_mean"] >= 0.95
        assert cal["Gaussian blob"]["modes_captured_max"] <= 1 and cal["uniform square"]["modes_captured_max"] <= 1
        assert cal["one-mode collapse"]["modes_captured_max"] == 1
        assert cal["Gaussian blob"]["modes_touched_mean"] >= 0.6 * k  # the loose rule cannot tell
    ring = m["gan_ring"]
    remedy, plain = ring["PacGAN2, 2-layer D"], ring["plain, 1-layer D"]
    assert remedy["mean_modes"] >= 7 and remedy["mean_hq_share"] >= 0.7  # observed 8.0 and 0.78
    assert remedy["mean_modes"] >= cal["Gaussian blob"]["modes_captured_max"] + 6
    assert plain["mean_modes"] <= 2 and plain["reverse_kl_missing"] >= 1  # observed 1.0 and 4 (counted, not dropped)
    for summary in [*ring.values(), *m["gan_live"].values()]:
        assert 0.0 <= summary["mean_hq_share"] <= 1.0
        assert 0 <= min(summary["modes_captured"]) <= max(summary["modes_captured"]) <= summary["n_modes"]
        assert summary["mean_reverse_kl"] is None or -1e-9 <= summary["mean_reverse_kl"] <= math.log(8) + 1e-9
        assert summary["reverse_kl_missing"] + (summary["mean_reverse_kl"] is not None) >= 1
    for arm in m["gan_prefit"].values():
        assert min(arm["modes_at_start"]) == 8 and max(arm["modes_after_40_updates"]) <= 2  # lost together
    fast, uniform = m["narrowing"]["chooses its topics"], m["narrowing"]["forced uniform topics"]
    assert fast["onpolicy_corr_R_rise"] >= 0.5                 # observed 0.70 (10 worlds, quick)
    assert fast["onpolicy_minus_all_final"] >= 0.2             # observed about 0.3
    assert fast["entropy_ratio"] <= 0.35                       # observed about 0.17
    assert uniform["entropy_ratio"] == pytest.approx(1.0) and abs(uniform["onpolicy_minus_all_final"]) < 1e-9
    assert uniform["corr_R_all_move"] >= fast["corr_R_all_move"] + 0.2


@pytest.fixture(scope="module")
def stored():
    return mc.load_precomputed()


def test_c12_stored_runs_across_ten_seeds(stored):
    s = {name: mc.summarize(c) for name, c in stored.items()}
    for name in mc.ARMS:
        assert s[name]["seeds"] == 10
    plain1, pac1 = s["plain, 1-layer D"], s["PacGAN2, 1-layer D"]
    pac2 = s["PacGAN2, 2-layer D"]
    modes = {name: np.array(v["modes_captured"]) for name, v in s.items()}
    hq = {name: np.array(v["hq_share"]) for name, v in s.items()}
    # plain, one-layer D: few modes in most seeds, one crowd, few sharp samples
    assert np.mean(modes["plain, 1-layer D"] <= 2) >= 0.8        # observed 9 / 10 (<= 1)
    assert plain1["mean_crowd_share"] >= 0.6                       # observed 0.81
    assert plain1["mean_hq_share"] < 0.2                           # observed 0.05: not the papers' sharp collapse
    # PacGAN2 with the same D: coverage in most seeds, better than plain by a wide margin
    assert np.mean(modes["PacGAN2, 1-layer D"] >= 7) >= 0.6       # observed 7 / 10
    assert pac1["mean_modes"] >= plain1["mean_modes"] + 4          # observed 7.3 vs 1.0
    # PacGAN2 with a two-layer D: >= 7/8 modes with >= 70% sharp samples, in most seeds
    ok = (modes["PacGAN2, 2-layer D"] >= 7) & (hq["PacGAN2, 2-layer D"] >= 0.7)
    assert ok.mean() >= 0.8                                        # observed 10 / 10 (HQ 0.71 .. 0.85)
    assert pac2["mean_reverse_kl"] < 0.1 < plain1["mean_reverse_kl"]  # observed 0.007 vs 1.76 (4 missing)
    # the plain GAN with a two-layer D also covers: collapse depends on the setup
    assert modes["plain, 2-layer D"].mean() >= 7                   # observed 7.9


def test_prefit_generator_loses_all_modes_together(stored):
    for name in ("pre-fit, plain 1-layer D", "pre-fit, PacGAN2 1-layer D"):
        c = stored[name]
        assert (c.metrics["modes_captured"][:, 0] == 8).all()      # the fit covers every mode
        assert c.metrics["hq_share"][:, 0].mean() >= 0.3           # observed 0.40
        assert c.metrics["modes_captured"][:, 1].max() <= 2        # 40 updates later: 0 .. 2 in every seed
        loss = mc.mode_loss(c)
        assert loss["rank_corr"] is None or abs(loss["rank_corr"]) < 0.5  # D's scores do not order the loss
    plain_final = stored["pre-fit, plain 1-layer D"].metrics["modes_captured"][:, -1]
    assert plain_final.mean() <= 2                                  # observed 0.4


def test_stored_file_is_what_the_code_produces(stored):
    """Retrain seed 0 of the one-layer plain arm alone (the file trained 10 seeds in one batch; float rounding
    differs between batch sizes and GAN training amplifies it, so early snapshots must agree closely and
    the end approximately)."""
    ref = stored["plain, 1-layer D"]
    cfg = ref.config.replace(seeds=1)
    assert cfg == mc.ARMS["plain, 1-layer D"].replace(seeds=1)
    again = mc.condense(cfg, mc.run_gan(cfg))
    early = np.abs(again.samples[0, :6].astype(float) - ref.samples[0, :6].astype(float)).max()
    assert early < 0.05                                             # observed 0.014
    assert abs(int(again.metrics["modes_captured"][0, -1]) - int(ref.metrics["modes_captured"][0, -1])) <= 2
    assert abs(again.metrics["hq_share"][0, -1] - ref.metrics["hq_share"][0, -1]) < 0.15  # observed 0.011


def test_c11_topic_agent_narrows_and_the_uniform_control_does_not():
    base = NarrowingExperimentConfig(runs=20, seed=7)
    fast, uniform = run_narrowing(base), run_narrowing(base.replace(forced_uniform=True))
    f, u = fast.summary(), uniform.summary()
    # calibration: groups of 20 worlds at seeds 0, 7, 100 gave the ranges in the comments
    assert f["onpolicy_corr_R_rise"] >= 0.5                   # 0.69 .. 0.71
    assert f["onpolicy_minus_all_final"] >= 0.2               # 0.32 .. 0.34: on-policy overstates all topics
    assert f["corr_R_all_move"] < 0.6 * f["onpolicy_corr_R_rise"]  # 0.26 .. 0.30 against 0.69 .. 0.71
    assert f["entropy_ratio"] <= 0.3                          # 0.16 .. 0.17
    assert np.allclose(uniform.onpolicy_corr_R, uniform.corr_R)   # control: the agent's data is every topic
    assert np.allclose(uniform.entropy, math.log(24))
    assert u["corr_R_all_move"] >= f["corr_R_all_move"] + 0.25  # 0.65 .. 0.68 against 0.26 .. 0.30
    assert u["corr_G_move"] > f["corr_G_move"]                # 0.10 .. 0.24 against 0.04 .. 0.15


def test_invalid_inverse_temperature_fails_the_papermill_run_naming_the_field(notebook_runs):
    run = notebook_runs.run(NOTEBOOK, "bad_temp", quick=True, inv_temp=-1.0, metrics_path="")
    assert not run.ok
    assert "NarrowingExperimentConfig.inv_temp = -1.0" in run.stderr
