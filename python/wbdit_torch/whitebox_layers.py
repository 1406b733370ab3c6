"""The white-box block's layers (CRATE-style), in PyTorch: MSSA and one ISTA step.

`networks.Block` puts them between its adaLN modulations when `arch` is "wbdit"
(docs/architecture.md). Shapes as in `networks`: B cells, N tokens, D hidden size,
H heads, p = D / H head width.
"""

import torch
import torch.nn.functional as F
from torch import nn

ISTA_STEP = 0.1          # η
ISTA_LAMBDA = 0.1        # λ


class MSSA(nn.Module):
    """Multi-head subspace self-attention: one projection w serves as q, k and v.

    `to_out.0` exists only with more than one head; a single head returns its
    output as it is.
    """

    def __init__(self, hidden: int, heads: int):
        super().__init__()
        self.heads = heads
        self.scale = (hidden // heads) ** -0.5
        self.qkv = nn.Linear(hidden, hidden, bias=False)
        if heads > 1:
            self.to_out = nn.Sequential(nn.Linear(hidden, hidden), nn.Dropout(0.0))

    def forward(self, x):                                            # [B, N, D]
        b, n, d = x.shape
        w = self.qkv(x).reshape(b, n, self.heads, d // self.heads).transpose(1, 2)  # [B, H, N, p]
        attn = torch.softmax(w @ w.transpose(-2, -1) * self.scale, dim=-1)
        out = (attn @ w).transpose(1, 2).reshape(b, n, d)
        return self.to_out(out) if self.heads > 1 else out


class ISTA(nn.Module):
    """One non-negative ISTA step: ReLU(z + η (z W − (z Wᵀ) W) − η λ), dictionary W [D, D]."""

    def __init__(self, hidden: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(hidden, hidden))
        nn.init.kaiming_uniform_(self.weight, a=0)

    def preactivation(self, z):
        """The argument of the ReLU, z + η (z W − (z Wᵀ) W) − η λ."""
        zwt = F.linear(z, self.weight)                  # z Wᵀ
        zwtw = F.linear(zwt, self.weight.t())           # (z Wᵀ) W
        zw = F.linear(z, self.weight.t())               # z W
        return z + ISTA_STEP * (zw - zwtw) - ISTA_STEP * ISTA_LAMBDA

    def forward(self, z):
        return F.relu(self.preactivation(z))
