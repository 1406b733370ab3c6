"""The diffusion maths of docs/architecture.md ("Diffusion") and the recipes' parts.

Two families live here:

- the oracle's helpers used by the parity fixtures and the step benchmark
  (`alphas_cumprod`, `q_sample`, `make_optimizer`, `training_step`), unchanged so that
  the fixtures stay byte-identical;
- what the trainer needs to continue a Swift run exactly as the Swift trainer would
  (`Schedule`, `LearningRateSchedule`, targets, min-SNR weights, timestep draws), each
  computed in the same precision and order as `Sources/Diffusion` (the schedule in
  double by the Swift formula, the per-step scales rounded to float32, the noising and
  the velocity target in float32).
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .networks import DIFFUSION_STEPS
from .rng import SeededGenerator


# MARK: - The oracle's helpers (fixtures, benchmarks)

def alphas_cumprod(dtype=torch.float64) -> torch.Tensor:
    """ᾱ_t for t = 0…T−1, with β linear from 1e-4 to 0.02."""
    betas = torch.linspace(1e-4, 0.02, DIFFUSION_STEPS, dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0).to(dtype)


def q_sample(x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, rows [B, G] indexed by t [B]."""
    abar = alphas_cumprod(x0.dtype)[t][:, None]
    return abar.sqrt() * x0 + (1 - abar).sqrt() * noise


def make_optimizer(model: nn.Module) -> torch.optim.AdamW:
    """AdamW over the trainable tensors only (`pos_embed` is fixed)."""
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)


def training_step(model, optimizer, x_t, t, noise, y=None):
    """One step: forward, MSE over the B·G real entries, backward, AdamW update.

    Returns (ε̂, loss) as computed before the update; the gradients stay in `.grad`.
    """
    optimizer.zero_grad(set_to_none=True)
    eps_hat = model(x_t, t, y)
    loss = F.mse_loss(eps_hat, noise)     # ε̂ already has the padding dropped
    loss.backward()
    optimizer.step()
    return eps_hat.detach(), loss.detach()


# MARK: - The schedule as the Swift engine computes it

class Schedule:
    """`NoiseSchedule.standard`: β_t = 1e-4 + (0.02 − 1e-4)·t/999, ᾱ the running product, in double."""

    def __init__(self, beta_start: float = 1e-4, beta_end: float = 0.02, steps: int = DIFFUSION_STEPS):
        self.betas = [beta_start + (beta_end - beta_start) * t / (steps - 1) for t in range(steps)]
        self.alphas = [1 - b for b in self.betas]
        product, bars = 1.0, []
        for a in self.alphas:
            product *= a
            bars.append(product)
        self.alpha_bars = np.asarray(bars, dtype=np.float64)
        # √ᾱ_t and √(1 − ᾱ_t) rounded to float32, as `NoiseSchedule.scales(at:)`.
        self.signal = np.sqrt(self.alpha_bars).astype(np.float32)
        self.noise = np.sqrt(1 - self.alpha_bars).astype(np.float32)

    def scales(self, t) -> tuple[torch.Tensor, torch.Tensor]:
        """Float32 columns [B, 1] of √ᾱ_t and √(1 − ᾱ_t) for integer timesteps t [B]."""
        t = np.asarray(t, dtype=np.int64)
        return (torch.from_numpy(self.signal[t]).unsqueeze(1), torch.from_numpy(self.noise[t]).unsqueeze(1))

    def min_snr_weights(self, t, gamma: float, prediction: str) -> torch.Tensor:
        """`MinSNRWeighting`: min(SNR_t, γ)/SNR_t for ε, min(SNR_t, γ)/(SNR_t + 1) for v; float32 [B]."""
        ab = self.alpha_bars[np.asarray(t, dtype=np.int64)]
        snr = ab / (1 - ab)
        w = np.minimum(snr, gamma) / (snr if prediction == "epsilon" else snr + 1)
        return torch.from_numpy(w.astype(np.float32))


STANDARD = Schedule()


def noisy_and_target(x0: torch.Tensor, noise: torch.Tensor, t, prediction: str,
                     schedule: Schedule = STANDARD) -> tuple[torch.Tensor, torch.Tensor]:
    """x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε and the target (ε, or v = √ᾱ_t·ε − √(1 − ᾱ_t)·x_0), in float32.

    x0 and noise are float32 [B, G] on any device; t holds B integers.
    """
    a, b = schedule.scales(t)
    a, b = a.to(x0.device), b.to(x0.device)
    x_t = a * x0 + b * noise
    if prediction == "epsilon":
        return x_t, noise
    if prediction == "velocity":
        return x_t, a * noise - b * x0
    raise ValueError(f"unknown prediction target {prediction!r} (epsilon or velocity)")


def output_as_noise(output: torch.Tensor, x_t: torch.Tensor, t, prediction: str,
                    schedule: Schedule = STANDARD) -> torch.Tensor:
    """The network's output read back as ε̂ (`PredictionTarget.noisePredictor`)."""
    if prediction == "epsilon":
        return output
    a, b = schedule.scales(t)
    return a.to(output.device) * output + b.to(output.device) * x_t


# MARK: - Learning rate

@dataclass
class LearningRateSchedule:
    """`LearningRateSchedule`: linear warm-up from 0, then constant or half-cosine to `minimum_rate`."""
    peak_rate: float
    warmup_steps: int = 0
    cosine_decay: bool = False
    minimum_rate: float = 0.0
    total_steps: int = 1
    # (step, progress): where the decay stood when a time budget last changed the run's length
    anchor: tuple[int, float] | None = None

    @classmethod
    def from_config(cls, c: dict) -> "LearningRateSchedule":
        anchor = c.get("anchor")
        return cls(peak_rate=float(c["peakRate"]), warmup_steps=int(c.get("warmupSteps", 0)),
                   cosine_decay=bool(c.get("cosineDecay", False)), minimum_rate=float(c.get("minimumRate", 0.0)),
                   total_steps=int(c["totalSteps"]),
                   anchor=(int(anchor["step"]), float(anchor["progress"])) if anchor else None)

    def rate(self, step: int) -> float:
        """The rate of update `step` (1-based)."""
        if step <= self.warmup_steps:
            return self.peak_rate * step / max(1, self.warmup_steps)
        if not self.cosine_decay or self.total_steps <= self.warmup_steps:
            return self.peak_rate
        return self.minimum_rate + (self.peak_rate - self.minimum_rate) * 0.5 * (1 + math.cos(math.pi * self.progress(step)))

    def progress(self, step: int) -> float:
        """How far the decay is: linear from the end of warm-up to the anchor, and from there to the end."""
        from_step, from_progress = self.anchor or (self.warmup_steps, 0.0)
        if step <= from_step:
            return from_progress * (step - self.warmup_steps) / max(1, from_step - self.warmup_steps)
        return min(1.0, from_progress + (1 - from_progress) * (step - from_step) / max(1, self.total_steps - from_step))


# MARK: - Timestep draws

def draw_timestep(generator: SeededGenerator, power: float | None) -> int:
    """`TimestepSampling.draw`: 1 + (next % 999) uniformly, or 1 + min(998, ⌊999·u^(1/K)⌋)."""
    last = DIFFUSION_STEPS - 1
    if power is None or power == 1:
        return 1 + generator.next() % last
    u = (generator.next() >> 11) * 2.0 ** -53
    return 1 + min(last - 1, int(last * u ** (1 / power)))


def draw_timesteps_torch(count: int, power: float | None, generator: torch.Generator) -> torch.Tensor:
    """The same distributions drawn with a torch generator (the `--noise torch` stream): int64 [count]."""
    last = DIFFUSION_STEPS - 1
    if power is None or power == 1:
        return torch.randint(1, last + 1, (count,), generator=generator)
    u = torch.rand(count, generator=generator, dtype=torch.float64)
    return 1 + torch.clamp((last * u ** (1 / power)).long(), max=last - 1)
