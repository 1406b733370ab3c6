"""DDIM and DDPM as docs/architecture.md ("Diffusion") and docs/training.md ("Samplers") state them.

The schedule and every step coefficient are float64 Python floats applied to the
model's float32 tensors. `model(x, t)` must return ε̂ (wrap a velocity-trained
network with `diffusion.output_as_noise`). `bench_sample.py` times these.

- DDIM with S steps visits {1} ∪ {round(k·1000/S) : k = 1…S−1} in 1…999 from the top
  (round half away from zero, like Swift's `rounded()`); each step goes to the next
  smaller member, the last one (from t = 1) to ᾱ_0, with z = 0 on that step. The start
  noise is used as x at the top member, and the result is ᾱ_0-noisy, as in the reference.
- DDPM takes all 999 steps, i = 999 … 1, z = 0 at i = 1.
"""

import math

import torch

from .networks import DIFFUSION_STEPS


# MARK: - Schedule

def schedule() -> tuple[list[float], list[float]]:
    """(β_t, ᾱ_t) for t = 0…T−1 as float64 Python floats."""
    betas = torch.linspace(1e-4, 0.02, DIFFUSION_STEPS, dtype=torch.float64)
    return betas.tolist(), torch.cumprod(1 - betas, dim=0).tolist()


def ddim_timesteps(steps: int) -> list[int]:
    """{1} ∪ {round(k·c) : k = 1 … S−1} in 1…999, c = T/S, in decreasing order."""
    spacing = DIFFUSION_STEPS / max(1, steps)
    members = {1}
    for k in range(1, max(1, steps)):
        t = math.floor(k * spacing + 0.5)           # half away from zero (k·c > 0)
        if 1 <= t <= DIFFUSION_STEPS - 1:
            members.add(t)
    return sorted(members, reverse=True)


def ddim_plan(steps: int, eta: float, alpha_bar: list[float]) -> list[tuple]:
    """Per step (i, √ᾱ_i, √(1−ᾱ_i), √ᾱ_i′, √(1−ᾱ_i′−σ²), σ·[z drawn]) in float64."""
    visits = ddim_timesteps(steps)
    plan = []
    for index, i in enumerate(visits):
        prev = visits[index + 1] if index + 1 < len(visits) else 0
        ab, ab_prev = alpha_bar[i], alpha_bar[prev]
        sigma = eta * math.sqrt((1 - ab_prev) / (1 - ab)) * math.sqrt(1 - ab / ab_prev)
        direction = math.sqrt(max(0.0, 1 - ab_prev - sigma * sigma))
        noise_scale = 0.0 if i == 1 else sigma     # z = 0 on the step from t = 1
        plan.append((i, math.sqrt(ab), math.sqrt(1 - ab), math.sqrt(ab_prev), direction, noise_scale))
    return plan


def ddpm_plan(betas: list[float], alpha_bar: list[float]) -> list[tuple]:
    """Per step (i, 1/√α_i, β_i/√(1−ᾱ_i), √β_i·[z drawn]) for i = 999 … 1, in float64."""
    plan = []
    for i in range(DIFFUSION_STEPS - 1, 0, -1):
        beta = betas[i]
        plan.append((i, 1 / math.sqrt(1 - beta), beta / math.sqrt(1 - alpha_bar[i]),
                     math.sqrt(beta) if i > 1 else 0.0))
    return plan


# MARK: - Samplers

def sample_ddim(model, x, plan, gen):
    """Runs the DDIM plan on x [n, G] (the start noise); returns the unclamped sample."""
    n = x.shape[0]
    for i, sqrt_ab, sqrt_one_minus_ab, sqrt_ab_prev, direction, noise_scale in plan:
        eps = model(x, torch.full((n,), i, dtype=torch.long))
        x0 = (x - sqrt_one_minus_ab * eps) / sqrt_ab
        x = sqrt_ab_prev * x0 + direction * eps
        if noise_scale > 0:
            x = x + noise_scale * torch.randn(x.shape, generator=gen, dtype=x.dtype)
    return x


def sample_ddpm(model, x, plan, gen):
    """Runs the DDPM plan on x [n, G] (the start noise); returns the unclamped sample."""
    n = x.shape[0]
    for i, inv_sqrt_alpha, eps_coef, noise_scale in plan:
        eps = model(x, torch.full((n,), i, dtype=torch.long))
        x = (x - eps_coef * eps) * inv_sqrt_alpha
        if noise_scale > 0:
            x = x + noise_scale * torch.randn(x.shape, generator=gen, dtype=x.dtype)
    return x
