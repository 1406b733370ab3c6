"""The DiT block's attention and feed-forward layers (docs/architecture.md), in PyTorch.

`networks.Block` puts them between its adaLN modulations when `arch` is "dit". Shapes
as in `networks`: B cells, N tokens, D hidden size, H heads, p = D / H head width.
"""

import torch
import torch.nn.functional as F
from torch import nn


class Attention(nn.Module):
    """Standard multi-head self-attention; `qkv` output is laid out [q | k | v]."""

    def __init__(self, hidden: int, heads: int):
        super().__init__()
        self.heads = heads
        self.scale = (hidden // heads) ** -0.5
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)

    def forward(self, x):                                            # [B, N, D]
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)                         # each [B, H, N, p]
        attn = torch.softmax(q @ k.transpose(-2, -1) * self.scale, dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, n, d)            # heads concatenated
        return self.proj(out)


class Mlp(nn.Module):
    """`fc1` Linear(D → rD), tanh-approximated GELU, `fc2` Linear(rD → D)."""

    def __init__(self, hidden: int, mlp_ratio: float):
        super().__init__()
        inner = int(hidden * mlp_ratio)
        self.fc1 = nn.Linear(hidden, inner)
        self.fc2 = nn.Linear(inner, hidden)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))
