"""The two networks of docs/architecture.md in PyTorch: the one PyTorch implementation.

This is our own implementation of the White-Box Diffusion Transformer (CRATE-style
MSSA + ISTA blocks) and of its DiT baseline, written from the specification. Its
`state_dict()` uses exactly the specification's tensor names and shapes, so a
checkpoint written from it loads into the Swift engine and vice versa. It produces
the parity fixtures (benchmarks/pytorch/make_fixtures.py), is the benchmark peer
(bench_step.py, bench_sample.py) and is what `python -m wbdit_torch.train` trains;
nothing in the Swift build or CI imports it.

Shapes: B cells, G genes, P genes per token, N = ceil(G / P) tokens, D hidden
size, H heads, p = D / H head width.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

LN_EPS = 1e-6            # every LayerNorm; no learned scale or shift
TIME_FREQ_DIM = 256      # sinusoidal timestep features (cos half, then sin half)
ISTA_STEP = 0.1          # η
ISTA_LAMBDA = 0.1        # λ
DIFFUSION_STEPS = 1000   # T


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


def modulate(z: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """z [B, N, D] · (1 + scale [B, D]) + shift [B, D], broadcast over tokens."""
    return z * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


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
    """Class label [B] -> [B, D]; row `num_classes` is the "no label" row.

    The reference's random label dropout for classifier-free guidance is left to the
    caller (pass label num_classes), so this module is deterministic.
    """

    def __init__(self, num_classes: int, hidden: int):
        super().__init__()
        self.embedding_table = nn.Embedding(num_classes + 1, hidden)

    def forward(self, y):
        return self.embedding_table(y)


# MARK: - DiT block parts

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


# MARK: - White-box block parts

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


# MARK: - Blocks and final layer

class Block(nn.Module):
    """adaLN-conditioned block; `arch` picks DiT (Attention + Mlp) or white-box (MSSA + ISTA)."""

    def __init__(self, arch: str, hidden: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden, eps=LN_EPS, elementwise_affine=False)
        self.norm2 = nn.LayerNorm(hidden, eps=LN_EPS, elementwise_affine=False)
        if arch == "dit":
            self.attn, self.mlp = Attention(hidden, heads), Mlp(hidden, mlp_ratio)
        else:
            self.attn, self.mlp = MSSA(hidden, heads), ISTA(hidden)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 6 * hidden))

    def forward(self, x, c):
        shift1, scale1, gate1, shift2, scale2, gate2 = self.adaLN_modulation(c).chunk(6, dim=1)
        x = x + gate1.unsqueeze(1) * self.attn(modulate(self.norm1(x), shift1, scale1))
        x = x + gate2.unsqueeze(1) * self.mlp(modulate(self.norm2(x), shift2, scale2))
        return x


class FinalLayer(nn.Module):
    """adaLN (shift, scale), LayerNorm, `linear` D → P: one output gene per channel."""

    def __init__(self, hidden: int, patch: int):
        super().__init__()
        self.norm_final = nn.LayerNorm(hidden, eps=LN_EPS, elementwise_affine=False)
        self.linear = nn.Linear(hidden, patch)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 2 * hidden))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(self.norm_final(x), shift, scale))   # [B, N, P]


# MARK: - The network

class DiffusionTransformer(nn.Module):
    """ε̂(x_t [B, G], t [B], y [B] optional) -> [B, G]; arch is "wbdit" or "dit".

    num_classes = 0 builds an unconditional model (no `y_embedder`).
    """

    def __init__(self, arch: str, genes: int, patch_size: int, hidden_size: int, depth: int,
                 num_heads: int, mlp_ratio: float = 4.0, num_classes: int = 0):
        super().__init__()
        assert arch in ("wbdit", "dit"), f"unknown architecture {arch!r}"
        assert hidden_size % num_heads == 0, "hidden size must be a multiple of the head count"
        self.arch, self.genes, self.patch_size = arch, genes, patch_size
        self.hidden_size, self.depth, self.num_heads = hidden_size, depth, num_heads
        self.mlp_ratio, self.num_classes = mlp_ratio, num_classes
        self.num_tokens = -(-genes // patch_size)            # ceil: the gene axis is zero-padded

        self.x_embedder = PatchEmbed(patch_size, hidden_size)
        self.t_embedder = TimestepEmbedder(hidden_size)
        if num_classes > 0:
            self.y_embedder = LabelEmbedder(num_classes, hidden_size)
        self.pos_embed = nn.Parameter(sincos_pos_embed(self.num_tokens, hidden_size).float(),
                                      requires_grad=False)
        self.blocks = nn.ModuleList(
            [Block(arch, hidden_size, num_heads, mlp_ratio) for _ in range(depth)])
        self.final_layer = FinalLayer(hidden_size, patch_size)
        reference_init(self)

    def config(self) -> dict:
        """The checkpoint metadata (all strings); `num_classes` only for conditional models."""
        meta = {"architecture": self.arch, "genes": str(self.genes),
                "patch_size": str(self.patch_size), "hidden_size": str(self.hidden_size),
                "depth": str(self.depth), "num_heads": str(self.num_heads),
                "mlp_ratio": str(float(self.mlp_ratio))}
        if self.num_classes > 0:
            meta["num_classes"] = str(self.num_classes)
        return meta

    def forward(self, x, t, y=None):
        """x [B, G] float, t [B] int64, y [B] int64 (conditional models; None = "no label")."""
        b, g = x.shape
        assert g == self.genes, f"expected {self.genes} genes, got {g}"
        x = F.pad(x, (0, self.num_tokens * self.patch_size - g))    # no-op when G % P == 0
        h = self.x_embedder(x) + self.pos_embed                       # [B, N, D]
        c = self.t_embedder(t)                                        # [B, D]
        if self.num_classes > 0:
            if y is None:
                y = torch.full((b,), self.num_classes, dtype=torch.long, device=x.device)
            c = c + self.y_embedder(y)
        for block in self.blocks:
            h = block(h, c)
        out = self.final_layer(h, c)                                  # [B, N, P]
        return out.reshape(b, -1)[:, :g]                              # gene n·P + j = out[n, j]


# MARK: - Initialisation

@torch.no_grad()
def reference_init(model: DiffusionTransformer, generator: torch.Generator | None = None):
    """The reference initialisation; a freshly initialised model outputs exactly 0.

    Xavier-uniform Linear weights and zero biases (ISTA's W keeps its Kaiming-uniform
    init, it is not an nn.Linear); patch embedding Xavier over its [D, P] view;
    timestep MLP and label table N(0, 0.02); every adaLN Linear and the final linear zero.
    """
    for module in model.modules():
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight, generator=generator)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    for block in model.blocks:
        if isinstance(block.mlp, ISTA):
            nn.init.kaiming_uniform_(block.mlp.weight, a=0, generator=generator)
    proj = model.x_embedder.proj
    nn.init.xavier_uniform_(proj.weight.view(proj.weight.shape[0], -1), generator=generator)
    nn.init.zeros_(proj.bias)
    if model.num_classes > 0:
        nn.init.normal_(model.y_embedder.embedding_table.weight, std=0.02, generator=generator)
    nn.init.normal_(model.t_embedder.mlp[0].weight, std=0.02, generator=generator)
    nn.init.normal_(model.t_embedder.mlp[2].weight, std=0.02, generator=generator)
    for layer in [block.adaLN_modulation[1] for block in model.blocks] + [
            model.final_layer.adaLN_modulation[1], model.final_layer.linear]:
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)


@torch.no_grad()
def randomize_all(model: nn.Module, generator: torch.Generator, std: float = 0.5):
    """Give every trainable tensor random nonzero values, for parity tests.

    Weights ~ N(0, std² / fan_in) keep activations O(1) and make the adaLN gates and
    the final layer non-trivial; biases and the label table ~ N(0, (std/2)²).
    The fixed `pos_embed` is left alone.
    """
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.dim() == 1 or name.startswith("y_embedder."):
            scale = std / 2
        else:
            scale = std / math.sqrt(param[0].numel())          # fan_in: the input width
        param.copy_(torch.randn(param.shape, generator=generator, dtype=param.dtype) * scale)


# MARK: - Checkpoint layout

def trainable_names(model: DiffusionTransformer) -> list[str]:
    """The trainable tensors in the Swift engine's order (`ParameterLayout`).

    The optimiser file's flat vectors (`adam.exp_avg`, `adam.exp_avg_sq`, `ema`) hold
    the tensors concatenated in this order: embeddings, the label table, each block's
    adaLN pair then its attention and feed-forward tensors, the final layer. It is not
    `named_parameters()`'s order (which registers a block's adaLN after its attention,
    and `pos_embed` before the blocks), so it is spelled out here.
    """
    names = ["x_embedder.proj.weight", "x_embedder.proj.bias",
             "t_embedder.mlp.0.weight", "t_embedder.mlp.0.bias",
             "t_embedder.mlp.2.weight", "t_embedder.mlp.2.bias"]
    if model.num_classes > 0:
        names.append("y_embedder.embedding_table.weight")
    for i in range(model.depth):
        p = f"blocks.{i}."
        names += [p + "adaLN_modulation.1.weight", p + "adaLN_modulation.1.bias"]
        if model.arch == "wbdit":
            names.append(p + "attn.qkv.weight")
            if model.num_heads > 1:
                names += [p + "attn.to_out.0.weight", p + "attn.to_out.0.bias"]
            names.append(p + "mlp.weight")
        else:
            names += [p + "attn.qkv.weight", p + "attn.qkv.bias", p + "attn.proj.weight", p + "attn.proj.bias",
                      p + "mlp.fc1.weight", p + "mlp.fc1.bias", p + "mlp.fc2.weight", p + "mlp.fc2.bias"]
    names += ["final_layer.adaLN_modulation.1.weight", "final_layer.adaLN_modulation.1.bias",
              "final_layer.linear.weight", "final_layer.linear.bias"]
    return names


def trainable_parameters(model: DiffusionTransformer) -> list[nn.Parameter]:
    """The trainable parameters in `trainable_names` order (what the optimiser holds)."""
    params = dict(model.named_parameters())
    ordered = [params[name] for name in trainable_names(model)]
    assert len(ordered) == sum(1 for p in model.parameters() if p.requires_grad), "layout misses a tensor"
    return ordered


def from_metadata(metadata: dict[str, str]) -> DiffusionTransformer:
    """A network shaped as a checkpoint's metadata describes (all values strings)."""
    return DiffusionTransformer(
        metadata["architecture"], int(metadata["genes"]), int(metadata["patch_size"]),
        int(metadata["hidden_size"]), int(metadata["depth"]), int(metadata["num_heads"]),
        float(metadata.get("mlp_ratio", "4.0")), int(metadata.get("num_classes", "0")))
