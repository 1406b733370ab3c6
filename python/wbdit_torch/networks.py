"""The two networks of docs/architecture.md in PyTorch: the one PyTorch implementation.

This is our own implementation of the White-Box Diffusion Transformer (CRATE-style
MSSA + ISTA blocks) and of its DiT baseline, written from the specification. Its
`state_dict()` uses exactly the specification's tensor names and shapes, so a
checkpoint written from it loads into the Swift engine and vice versa. It produces
the parity fixtures (benchmarks/pytorch/make_fixtures.py), is the benchmark peer
(bench_step.py, bench_sample.py) and is what `python -m wbdit_torch.train` trains;
nothing in the Swift build or CI imports it.

This module assembles the network: the adaLN-conditioned blocks and the final layer,
`DiffusionTransformer`, its initialisations and its parameter layout. The parts live
beside it: the embeddings in `embeddings`, the white-box block's MSSA and ISTA in
`whitebox_layers`, the DiT block's attention and MLP in `dit_layers`; their names are
importable from here as well.

Shapes: B cells, G genes, P genes per token, N = ceil(G / P) tokens, D hidden
size, H heads, p = D / H head width.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from .dit_layers import Attention, Mlp
from .embeddings import (TIME_FREQ_DIM, LabelEmbedder, PatchEmbed, TimestepEmbedder, sincos_pos_embed,
                         timestep_features)
from .whitebox_layers import ISTA, ISTA_LAMBDA, ISTA_STEP, MSSA

__all__ = ["DIFFUSION_STEPS", "ISTA", "ISTA_LAMBDA", "ISTA_STEP", "LN_EPS", "MSSA", "TIME_FREQ_DIM", "Attention", "Block",
           "DiffusionTransformer", "FinalLayer", "LabelEmbedder", "Mlp", "PatchEmbed", "TimestepEmbedder",
           "from_metadata", "modulate", "randomize_all", "reference_init", "sincos_pos_embed", "timestep_features",
           "trainable_names", "trainable_parameters"]

LN_EPS = 1e-6            # every LayerNorm; no learned scale or shift
DIFFUSION_STEPS = 1000   # T


# MARK: - Blocks and final layer

def modulate(z: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """z [B, N, D] · (1 + scale [B, D]) + shift [B, D], broadcast over tokens."""
    return z * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


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

    num_classes = 0 builds an unconditional model (no `y_embedder`); a list builds one
    conditioned on several label attributes, one class count each (`label_classes`).
    """

    def __init__(self, arch: str, genes: int, patch_size: int, hidden_size: int, depth: int,
                 num_heads: int, mlp_ratio: float = 4.0, num_classes: int | list[int] = 0):
        super().__init__()
        assert arch in ("wbdit", "dit"), f"unknown architecture {arch!r}"
        assert hidden_size % num_heads == 0, "hidden size must be a multiple of the head count"
        self.arch, self.genes, self.patch_size = arch, genes, patch_size
        self.hidden_size, self.depth, self.num_heads = hidden_size, depth, num_heads
        self.mlp_ratio = mlp_ratio
        self.label_classes = list(num_classes) if isinstance(num_classes, (list, tuple)) else [num_classes] if num_classes else []
        # One attribute: its class count, which is also its "no label" code (0: unconditional).
        self.num_classes = self.label_classes[0] if len(self.label_classes) == 1 else 0
        self.num_tokens = -(-genes // patch_size)            # ceil: the gene axis is zero-padded

        self.x_embedder = PatchEmbed(patch_size, hidden_size)
        self.t_embedder = TimestepEmbedder(hidden_size)
        if self.label_classes:
            self.y_embedder = LabelEmbedder(self.label_classes, hidden_size)
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
        if self.label_classes:
            meta["num_classes"] = ",".join(map(str, self.label_classes))
        return meta

    def forward(self, x, t, y=None):
        """x [B, G] float, t [B] int64, y [B] or [B, A] int64 (conditional models; None = "no label")."""
        b, g = x.shape
        assert g == self.genes, f"expected {self.genes} genes, got {g}"
        x = F.pad(x, (0, self.num_tokens * self.patch_size - g))    # no-op when G % P == 0
        h = self.x_embedder(x) + self.pos_embed                       # [B, N, D]
        c = self.t_embedder(t)                                        # [B, D]
        if self.label_classes:
            if y is None:
                y = torch.tensor(self.label_classes, dtype=torch.long, device=x.device).expand(b, -1)
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
    if model.label_classes:
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
    if model.label_classes:
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
        float(metadata.get("mlp_ratio", "4.0")), [int(c) for c in metadata.get("num_classes", "0").split(",")]
        if "," in metadata.get("num_classes", "") else int(metadata.get("num_classes", "0")))
