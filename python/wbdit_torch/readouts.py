"""Per-layer readouts as the Swift trainer takes them (docs/architecture.md, "Per-layer readouts").

The probe batch (`ProbeBatch`): the first B training cells (B = the run's batch), noised
with noise from `SeededGenerator(seed, stream: 999_999)` at t_i = 1 + ⌊i·998/(B − 1)⌋.
For each block:

- coding rate R^c = Σ_h ½ logdet(I_p + p/(N ε²) Z_hᵀ Z_h), ε² = 0.01, where Z_h is head h's
  slice of the white-box block's `attn.qkv` output (for DiT: of the query, the first D
  columns), every token scaled to unit length; mean and standard deviation (n − 1) over
  the cells, in double;
- sparsity: the fraction of exact zeros in the ISTA output (white-box), or of post-GELU
  hidden values with |h| ≤ 0.01 (DiT).
"""

import numpy as np
import torch
import torch.nn.functional as F

from .diffusion import STANDARD
from .networks import DIFFUSION_STEPS, DiffusionTransformer
from .rng import SeededGenerator

EPSILON_SQUARED = 0.01
DIT_THRESHOLD = 1e-2


def probe_batch(cells: np.ndarray, batch: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(x_t [B, G] float32, t [B] int64) of the fixed probe batch."""
    g = cells.shape[1]
    eps = SeededGenerator(seed, stream=999_999).normals(batch * g).reshape(batch, g)
    t = np.asarray([1 + (0 if batch == 1 else i * (DIFFUSION_STEPS - 2) // (batch - 1)) for i in range(batch)])
    a, b = STANDARD.scales(t)
    x_t = a * torch.from_numpy(np.ascontiguousarray(cells[:batch])) + b * torch.from_numpy(eps)
    return x_t, torch.from_numpy(t)


def coding_rate(z: torch.Tensor) -> torch.Tensor:
    """R(Z) per leading index for z [..., N, p]: ½ logdet(I_p + p/(N ε²) ZᵀZ) with unit rows, in double."""
    z = z.double()
    n, p = z.shape[-2], z.shape[-1]
    norms = z.norm(dim=-1, keepdim=True)
    z = torch.where(norms > 0, z / torch.where(norms > 0, norms, torch.ones_like(norms)), torch.zeros_like(z))
    gram = z.transpose(-2, -1) @ z * (p / (n * EPSILON_SQUARED)) + torch.eye(p, dtype=torch.float64)
    return 0.5 * 2 * torch.log(torch.diagonal(torch.linalg.cholesky(gram), dim1=-2, dim2=-1)).sum(-1)


@torch.no_grad()
def readouts(model: DiffusionTransformer, x_t: torch.Tensor, t: torch.Tensor, labels=None) -> list[dict]:
    """Each block's {layer, coding_rate, coding_rate_sd, sparsity} on one batch."""
    captured: dict[int, dict[str, torch.Tensor]] = {}
    hooks = []
    d, heads = model.hidden_size, model.num_heads
    for i, block in enumerate(model.blocks):
        captured[i] = {}
        def keep(key, i=i):
            def hook(_module, _inputs, output):
                captured[i][key] = output.detach()
            return hook
        hooks.append(block.attn.qkv.register_forward_hook(keep("qkv")))
        if model.arch == "wbdit":
            hooks.append(block.mlp.register_forward_hook(keep("code")))
        else:
            hooks.append(block.mlp.fc1.register_forward_hook(keep("fc1")))
    try:
        model(x_t, t, labels)
    finally:
        for h in hooks:
            h.remove()
    results = []
    for i in range(model.depth):
        w = captured[i]["qkv"][..., :d].cpu()                       # [B, N, D]: the projection (or q)
        b, n, _ = w.shape
        p = d // heads
        rates = coding_rate(w.reshape(b, n, heads, p).transpose(1, 2)).sum(-1)   # [B]
        if model.arch == "wbdit":
            code, threshold = captured[i]["code"].cpu(), 0.0
        else:
            code, threshold = F.gelu(captured[i]["fc1"], approximate="tanh").cpu(), DIT_THRESHOLD
        mean = rates.mean().item()
        sd = (((rates - mean) ** 2).sum() / max(1, b - 1)).sqrt().item()
        sparsity = (code.abs() <= threshold).sum().item() / code.numel()
        results.append({"layer": i, "coding_rate": mean, "coding_rate_sd": sd, "sparsity": sparsity})
    return results
