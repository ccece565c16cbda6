"""A small GAN on 2-D Gaussian mixtures, trained for several seeds at once (torch, CPU).

The data are the two standard mode-collapse benchmarks: a ring of ``n_modes`` Gaussians on a circle of
radius 2, and a square grid of ``n_modes`` Gaussians spaced 2 apart (5 x 5 in the papers), each with
standard deviation ``sigma``.

Generator G: latent z ~ N(0, I_latent) -> MLP (two ReLU hidden layers) -> a point in R^2.
Discriminator D: ``pack`` points concatenated -> MLP (``d_depth`` LeakyReLU hidden layers) -> one logit.
Training is the usual non-saturating GAN (Goodfellow et al. 2014) with Adam:

    D step:  minimize  -log sigma(D(x_real)) - log(1 - sigma(D(G(z))))
    G step:  minimize  -log sigma(D(G(z)))

``pack > 1`` is PacGAN (Lin et al. 2018): D judges ``pack`` samples jointly, all real or all generated, so a
generator that puts many samples on one mode is easy to spot (a pack of near-identical points is unlike a
pack of real points).

``prefit > 0`` first fits G by least squares to an exact transport map of the data (:func:`transport_target`),
so the adversarial phase starts from a generator that already puts samples on every mode (lesson 08's
"narrowing as a process": does adversarial training keep that coverage or lose it?). ``d_warmup > 0`` then
trains D alone against that fixed generator, so the first snapshot's D scores say where G fools D before G moves.

Vectorized over seeds: every weight has a leading seed axis (``torch.baddbmm``), the loss is the sum of the
per-seed losses, so each seed's gradient is its own, and Adam is elementwise, so the S runs are exactly
S independent GANs. Each seed has its own ``torch.Generator`` for its initial weights, latents and data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import Config, choice, param

__all__ = ["MixtureConfig", "GanConfig", "GanRun", "mixture_centers", "sample_mixture", "train_gans"]

RING_RADIUS = 2.0
_CHUNK = 50  # updates' worth of random numbers drawn at once per seed
PREFIT_LR = 3e-3  # Adam step size of the generator pre-fit (decayed linearly to zero)
GRID_SPACING = 2.0


@dataclass(frozen=True)
class MixtureConfig(Config):
    """A 2-D Gaussian mixture with equal weights: ``kind`` "ring" or "grid", ``n_modes`` modes, std ``sigma``."""

    kind: str = choice("ring", ["ring", "grid"], doc="modes on a circle of radius 2, or a square grid spaced 2")
    n_modes: int = param(8, low=2, ui=(2, 25), widget="none",
                         doc="number of modes, >= 2 (a grid needs a square number, >= 4)")
    sigma: float = param(0.1, low=0.0, low_open=True, ui=(0.01, 0.3), widget="none",
                         doc="standard deviation of each mode, > 0")

    def check(self) -> None:
        if self.kind == "grid":
            side = math.isqrt(self.n_modes)
            if side * side != self.n_modes or side < 2:
                raise self.invalid("n_modes", "a square number >= 4 for a grid (4, 9, 16, 25, ...)")


def mixture_centers(mixture: MixtureConfig) -> np.ndarray:
    """The mode centres, shape (n_modes, 2): ring points 2(cos 2pi k/K, sin 2pi k/K), or a centred grid."""
    if mixture.kind == "ring":
        angle = 2 * np.pi * np.arange(mixture.n_modes) / mixture.n_modes
        return RING_RADIUS * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    side = math.isqrt(mixture.n_modes)
    axis = GRID_SPACING * (np.arange(side) - (side - 1) / 2)
    xx, yy = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def sample_mixture(mixture: MixtureConfig, n: int, generator) -> "torch.Tensor":
    """``n`` samples (float32 tensor (n, 2)) from the mixture: a uniform mode, plus sigma * N(0, I)."""
    import torch

    centers = torch.as_tensor(mixture_centers(mixture), dtype=torch.float32)
    idx = torch.randint(len(centers), (n,), generator=generator)
    return centers[idx] + mixture.sigma * torch.randn(n, 2, generator=generator)


@dataclass(frozen=True)
class GanConfig(Config):
    """Hyperparameters of the 2-D GAN."""

    steps: int = param(1500, low=1, ui=(100, 5000, 100), doc="generator updates, >= 1")
    lr_g: float = param(1e-3, low=0.0, low_open=True, high=1.0, ui=(1e-4, 1e-2), widget="log",
                        doc="generator Adam learning rate, > 0")
    lr_d: float = param(1e-3, low=0.0, low_open=True, high=1.0, ui=(1e-4, 1e-2), widget="log",
                        doc="discriminator Adam learning rate, > 0")
    d_steps: int = param(1, low=1, high=10, ui=(1, 5), doc="discriminator updates per generator update")
    d_depth: int = param(2, low=1, high=4, ui=(1, 3), doc="hidden layers of the discriminator")
    hidden: int = param(64, low=4, high=512, ui=(16, 128, 16), doc="width of every hidden layer")
    latent: int = param(4, low=1, high=256, ui=(1, 16), doc="dimension of the generator's latent z")
    pack: int = param(1, low=1, high=8, ui=(1, 4), doc="samples the discriminator judges together (PacGAN); 1 = plain GAN")
    batch: int = param(256, low=8, high=4096, ui=(64, 512, 64), doc="samples (packs when pack > 1) per update")
    snapshots: int = param(16, low=2, high=200, ui=(2, 40), doc="evenly spaced snapshots kept over training")
    prefit: int = param(0, low=0, high=20000, ui=(0, 2000, 100),
                        doc="regression steps fitting G to the data's transport map before the GAN starts; 0 = none")
    n_eval: int = param(2500, low=100, high=20000, widget="none", doc="generated samples per snapshot")
    d_warmup: int = param(0, low=0, high=5000, ui=(0, 1000, 100),
                          doc="discriminator-only updates against the (pre-fitted) generator before the GAN starts")
    g_init_scale: float = param(1.0, low=0.0, low_open=True, high=1.0, ui=(0.01, 1.0), widget="log",
                                doc="factor on the generator's initial output layer (weights and bias), in (0, 1]; "
                                    "< 1 starts G as a near-point at the origin")

    def check(self) -> None:
        if self.prefit and self.latent < 4:
            raise self.invalid("latent", ">= 4 when prefit > 0 (the transport map reads z_1 .. z_4)")


@dataclass
class GanRun:
    """What :func:`train_gans` returns.

    ``samples``: float32 array (n_seeds, n_snapshots, n_eval, 2), the generator's output on a fixed set of
    latents at each snapshot; ``snapshot_steps``: the generator update after which each snapshot was taken
    (the first is 0, before training); ``d_loss`` / ``g_loss``: (n_seeds, steps) per-update losses;
    ``d_fake``: (n_seeds, n_snapshots, n_eval), the discriminator's probability "real" for each snapshot sample
    (the current D at that snapshot; with packing, the score of the pack the sample is in).
    """

    mixture: MixtureConfig
    config: GanConfig
    seeds: tuple
    samples: np.ndarray
    snapshot_steps: np.ndarray
    d_loss: np.ndarray
    g_loss: np.ndarray
    d_fake: np.ndarray


def _init_layers(sizes: list[int], gens: list) -> list:
    """Per-seed weights for an MLP with layer ``sizes``: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) like nn.Linear."""
    import torch

    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        w = torch.stack([(torch.rand(fan_in, fan_out, generator=g) * 2 - 1) * bound for g in gens])
        b = torch.stack([(torch.rand(1, fan_out, generator=g) * 2 - 1) * bound for g in gens])
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


class _Adam:
    """Adam (Kingma & Ba 2015), elementwise, so it treats every seed's slice of a weight independently:

        m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
        p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps),   with (b1, b2) = (0.5, 0.999) as in
    most GAN code. (A few lines here instead of ``torch.optim.Adam``, whose first step costs seconds of set-up.)
    """

    def __init__(self, params: list, lr: float, betas=(0.5, 0.999), eps: float = 1e-8):
        self.params, self.lr, self.b1, self.b2, self.eps, self.t = params, lr, betas[0], betas[1], eps, 0
        self.m = [p.detach().clone().zero_() for p in params]
        self.v = [p.detach().clone().zero_() for p in params]

    def step(self, grads) -> None:
        import torch

        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        with torch.no_grad():
            for p, g, m, v in zip(self.params, grads, self.m, self.v):
                m.mul_(self.b1).add_(g, alpha=1 - self.b1)
                v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
                p.addcdiv_(m, (v / c2).sqrt_().add_(self.eps), value=-self.lr / c1)


def transport_target(mixture: MixtureConfig, z):
    """A map from latent z (..., latent >= 3) to exact samples of the mixture, used to pre-fit the generator.

    Ring: u = Phi(z_1) picks mode floor(K u) (neighbouring bins are neighbouring modes), plus sigma (z_2, z_3).
    Grid (side s): Phi(z_1) and Phi(z_2) pick the column and the row, plus sigma (z_3, z_4) (latent >= 4).
    With z ~ N(0, I) the targets are distributed exactly as the mixture.
    """
    import torch

    u = 0.5 * (1 + torch.erf(z / math.sqrt(2)))  # Phi(z), uniform on (0, 1)
    if mixture.kind == "ring":
        k = (u[..., 0] * mixture.n_modes).floor().clamp(max=mixture.n_modes - 1)
        angle = 2 * math.pi * k / mixture.n_modes
        centre = RING_RADIUS * torch.stack([torch.cos(angle), torch.sin(angle)], dim=-1)
        return centre + mixture.sigma * z[..., 1:3]
    side = math.isqrt(mixture.n_modes)
    ij = (u[..., 0:2] * side).floor().clamp(max=side - 1)
    return GRID_SPACING * (ij - (side - 1) / 2) + mixture.sigma * z[..., 2:4]


def _mlp(params: list, x, act):
    """Apply a batched MLP: x (S, n, in) -> (S, n, out); ``act`` between layers, none after the last."""
    import torch

    n_layers = len(params) // 2
    for i in range(n_layers):
        x = torch.baddbmm(params[2 * i + 1], x, params[2 * i])
        if i < n_layers - 1:
            x = act(x)
    return x


def _prefit(g_params, mixture, c: GanConfig, gens) -> None:
    """Fit the generator to :func:`transport_target` by least squares (Adam, ``c.prefit`` steps, step size PREFIT_LR
    decayed linearly to 0):
    a generator that already covers every mode, sharply, before any discriminator is involved."""
    import torch
    import torch.nn.functional as F

    opt = _Adam(g_params, PREFIT_LR, betas=(0.9, 0.999))
    for t in range(c.prefit):
        if t % _CHUNK == 0:
            zs = torch.stack([torch.randn(_CHUNK, c.batch, c.latent, generator=g) for g in gens], 1)
        opt.lr = PREFIT_LR * (1 - t / c.prefit)
        z = zs[t % _CHUNK]
        loss = ((_mlp(g_params, z, F.relu) - transport_target(mixture, z)) ** 2).sum(-1).mean(1)
        opt.step(torch.autograd.grad(loss.sum(), g_params))


def train_gans(mixture: MixtureConfig, config: GanConfig, seeds, progress=None) -> GanRun:
    """Train one GAN per seed in ``seeds`` (all at once) and return their snapshots and losses.

    Seeds' streams are independent: seed s draws its weights, latents and data from ``torch.Generator``
    seeded with s. ``progress(fraction)`` is called about 20 times.
    """
    import torch
    import torch.nn.functional as F

    seeds = tuple(int(s) for s in seeds)
    if not seeds or min(seeds) < 0:
        raise ValueError(f"seeds = {seeds!r} is outside its allowed range: a non-empty list of integers >= 0")
    c, S = config, len(seeds)
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    g_params = _init_layers([c.latent, c.hidden, c.hidden, 2], gens)
    if c.g_init_scale != 1.0:  # after the draw, so the random streams are the same for every scale
        with torch.no_grad():
            g_params[-2].mul_(c.g_init_scale)
            g_params[-1].mul_(c.g_init_scale)
    eval_z = torch.stack([torch.randn(c.n_eval, c.latent, generator=g) for g in gens])
    d_params = _init_layers([2 * c.pack] + [c.hidden] * c.d_depth + [1], gens)
    opt_g, opt_d = _Adam(g_params, c.lr_g), _Adam(d_params, c.lr_d)
    centers = torch.as_tensor(mixture_centers(mixture), dtype=torch.float32)
    n = c.batch * c.pack

    def generate(z):
        return _mlp(g_params, z, F.relu)

    def discriminate(x):  # x (S, n, 2) -> logits (S, n / pack)
        return _mlp(d_params, x.reshape(S, -1, 2 * c.pack), lambda h: F.leaky_relu(h, 0.2))[..., 0]

    def draw_chunk(length):  # per-seed streams, drawn ``length`` updates at a time (few, large torch calls)
        reals, zd, zg = [], [], []
        for g in gens:
            idx = torch.randint(len(centers), (length, c.d_steps, n), generator=g)
            reals.append(centers[idx] + mixture.sigma * torch.randn(length, c.d_steps, n, 2, generator=g))
            zd.append(torch.randn(length, c.d_steps, n, c.latent, generator=g))
            zg.append(torch.randn(length, n, c.latent, generator=g))
        return torch.stack(reals, 1), torch.stack(zd, 1), torch.stack(zg, 1)  # seed axis second

    snap_at = set(np.unique(np.linspace(0, c.steps, c.snapshots).round().astype(int)).tolist())
    samples, snap_steps, d_fake = [], [], []
    d_losses, g_losses = np.zeros((S, c.steps)), np.zeros((S, c.steps))

    def snapshot(step):
        with torch.no_grad():
            x = generate(eval_z)
            samples.append(x.numpy().astype(np.float32))
            m = (c.n_eval // c.pack) * c.pack  # D judges consecutive packs; a pack's score goes to each member
            score = torch.sigmoid(discriminate(x[:, :m])).repeat_interleave(c.pack, dim=1)
            d_fake.append(np.pad(score.numpy(), ((0, 0), (0, c.n_eval - m)), constant_values=np.nan))
        snap_steps.append(step)

    if c.prefit:
        _prefit(g_params, mixture, c, gens)
    for _ in range(c.d_warmup):  # D learns to tell the fixed generator from the data; G does not move
        real = torch.stack([sample_mixture(mixture, n, g) for g in gens])
        with torch.no_grad():
            fake = generate(torch.stack([torch.randn(n, c.latent, generator=g) for g in gens]))
        d_loss = F.softplus(-discriminate(real)).mean(dim=1) + F.softplus(discriminate(fake)).mean(dim=1)
        opt_d.step(torch.autograd.grad(d_loss.sum(), d_params))
    snapshot(0)
    for t in range(c.steps):
        if t % _CHUNK == 0:
            reals, zd, zg = draw_chunk(min(_CHUNK, c.steps - t))
        for j in range(c.d_steps):
            real = reals[t % _CHUNK, :, j]
            with torch.no_grad():
                fake = generate(zd[t % _CHUNK, :, j])
            lr, lf = discriminate(real), discriminate(fake)
            d_loss = F.softplus(-lr).mean(dim=1) + F.softplus(lf).mean(dim=1)  # per seed
            opt_d.step(torch.autograd.grad(d_loss.sum(), d_params))
        g_loss = F.softplus(-discriminate(generate(zg[t % _CHUNK]))).mean(dim=1)
        opt_g.step(torch.autograd.grad(g_loss.sum(), g_params))
        d_losses[:, t], g_losses[:, t] = d_loss.detach().numpy(), g_loss.detach().numpy()
        if t + 1 in snap_at:
            snapshot(t + 1)
        if progress is not None and (t + 1) % max(1, c.steps // 20) == 0:
            progress((t + 1) / c.steps)
    return GanRun(mixture, config, seeds, np.stack(samples, axis=1), np.array(snap_steps), d_losses, g_losses,
                  np.stack(d_fake, axis=1))
