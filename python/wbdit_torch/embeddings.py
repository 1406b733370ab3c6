"""The networks' input embeddings (docs/architecture.md), shared by both architectures.

The fixed position table and timestep features, and the three embedders that turn the
cells, the timesteps and the class labels into width-D vectors. Shapes as in
`networks`: B cells, N tokens, P genes per token, D hidden size.
"""

import math

import torch
from torch import nn

TIME_FREQ_DIM = 256      # sinusoidal timestep features (cos half, then sin half)


# MARK: - Fixed embeddings

def sincos_pos_embed(num_tokens: int, hidden: int) -> torch.Tensor:
    """Position table [1, N, D] in float64.

    First D/2 channels: the constant coordinate 0 (D/4 zeros = sin 0, D/4 ones = cos 0).
    Last D/2 channels: sin(n ω_k) then cos(n ω_k), ω_k = 1 / 10000^(k / (D/4)).
    """
    assert hidden % 4 == 0, "hidden size must be a multiple of 4 for the position table"
    quarter = hidden // 4
    omega = 1.0 / 10000 ** (torch.arange(quarter, dtype=torch.float64) / quarter)
    n = torch.arange(num_tokens, dtype=torch.float64)
    angles = n[:, None] * omega[None, :]                                   # [N, D/4]
    zero_coord = torch.cat([torch.zeros(num_tokens, quarter),
                            torch.ones(num_tokens, quarter)], dim=1).double()
    token_coord = torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
    return torch.cat([zero_coord, token_coord], dim=1).unsqueeze(0)        # [1, N, D]


def timestep_features(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Sinusoidal features [B, 256] = [cos(t f_k), sin(t f_k)], f_k = exp(-ln(10000) k / 128).

    Evaluated in float64 and rounded to `dtype`: in float32, t·f_k for t near 999
    carries an argument error of up to ~3e-5, the largest single float32 error in
    the network (it moves the fixtures' outputs by ~5e-7 relative).
    """
    half = TIME_FREQ_DIM // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / half)
    args = t.to(torch.float64)[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1).to(dtype)


# MARK: - Embedders

class PatchEmbed(nn.Module):
    """Token n = Linear over genes n·P … n·P+P−1, stored as a Conv2d weight [D, 1, P, 1]."""

    def __init__(self, patch: int, hidden: int):
        super().__init__()
        self.proj = nn.Conv2d(1, hidden, kernel_size=(patch, 1), stride=(patch, 1))

    def forward(self, x):                               # x [B, N·P] -> [B, N, D]
        y = self.proj(x[:, None, :, None])              # [B, D, N, 1]
        return y.flatten(2).transpose(1, 2)


class TimestepEmbedder(nn.Module):
    """t [B] -> c [B, D]: sinusoid, `mlp.0` Linear(256 → D), SiLU, `mlp.2` Linear(D → D)."""

    def __init__(self, hidden: int):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(TIME_FREQ_DIM, hidden), nn.SiLU(), nn.Linear(hidden, hidden))

    def forward(self, t):
        return self.mlp(timestep_features(t, self.mlp[0].weight.dtype))


class LabelEmbedder(nn.Module):
    """Class labels [B] (one attribute) or [B, A] -> [B, D].

    One attribute of C classes has rows 0…C−1 and the "no label" row C. Several attributes
    stack one such block each, and a cell's embedding is the sum of its attributes' rows;
    code C_a means "no label" in attribute a. The reference's random label dropout for
    classifier-free guidance is left to the caller (pass the "no label" codes), so this
    module is deterministic.
    """

    def __init__(self, label_classes: list[int], hidden: int):
        super().__init__()
        self.embedding_table = nn.Embedding(sum(c + 1 for c in label_classes), hidden)
        offsets = [sum(c + 1 for c in label_classes[:a]) for a in range(len(label_classes))]
        self.register_buffer("offsets", torch.tensor(offsets, dtype=torch.long), persistent=False)

    def forward(self, y):
        if y.dim() == 1:
            y = y[:, None]
        return self.embedding_table(y + self.offsets).sum(1)
