"""Write the PyTorch parity fixtures for the Swift networks.

usage: python3 make_fixtures.py OUTDIR

For every configuration NAME below it writes
  NAME.safetensors       the weights (float32, every state_dict tensor including
                         pos_embed) with the checkpoint metadata;
  NAME.case.safetensors  one batch of B = 3 cells: x, t, noise (and labels for
                         conditional models), output = ε̂(x, t), loss = MSE(output,
                         noise) [1], grad.<name> for every trainable tensor, and for
                         the first configuration adamw.<name>, each tensor's value
                         after one AdamW step from zero moments.
Expected values are computed in float64 from the float32 weights and inputs, then
rounded to float32. The same computation in float32 must agree with them to
1e-5 (output, loss) and 1e-4 (gradients), measured per tensor as
max|f32 − f64| / max|f64|; the script prints that figure for every tensor and
fails if a limit is exceeded. Weights and batch are drawn again until no ISTA
pre-activation lies within 1e-4 of the ReLU kink, so another implementation's
float32 rounding cannot switch a unit on or off. Seeds are fixed, so reruns give
the same files.
"""

import copy
import json
import math
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import save

try:
    import wbdit_torch  # noqa: F401  (pip install ./python)
except ImportError:  # not installed: use the package from this checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from wbdit_torch import ISTA, DiffusionTransformer, make_optimizer, q_sample, randomize_all, training_step

FIXTURE_FORMAT = "wbdit-parity-case"
FIXTURE_VERSION = "1"
SEED = 20241125
BATCH = 3
OUTPUT_LIMIT = 1e-5      # float32 vs float64, output and loss
GRAD_LIMIT = 1e-4        # float32 vs float64, gradients
RELU_MARGIN = 1e-4       # smallest allowed |ISTA pre-activation|
MAX_DRAWS = 20           # attempts at a draw that respects RELU_MARGIN


@dataclass(frozen=True)
class Config:
    name: str
    arch: str
    genes: int
    patch: int
    hidden: int
    heads: int
    depth: int
    classes: int = 0     # 0 = unconditional


CONFIGS = [
    Config("wbdit-g24-p4-d16-h2-l2", "wbdit", 24, 4, 16, 2, 2),
    Config("dit-g24-p4-d16-h2-l2", "dit", 24, 4, 16, 2, 2),
    Config("wbdit-g22-p4-d16-h2-l2", "wbdit", 22, 4, 16, 2, 2),     # padded to 24 genes
    Config("dit-g22-p4-d16-h2-l2", "dit", 22, 4, 16, 2, 2),
    Config("wbdit-g20-p5-d8-h1-l1", "wbdit", 20, 5, 8, 1, 1),       # one head: no to_out
    Config("wbdit-g30-p3-d32-h4-l3", "wbdit", 30, 3, 32, 4, 3),
    Config("dit-g24-p4-d16-h2-l2-c3", "dit", 24, 4, 16, 2, 2, classes=3),
    Config("wbdit-g24-p4-d16-h2-l2-c3", "wbdit", 24, 4, 16, 2, 2, classes=3),
]


def make_case(cfg: Config, gen: torch.Generator) -> dict:
    """One training batch: x = x_t built from log1p Poisson counts with the stored noise."""
    gene_rate = torch.exp(1.5 * torch.randn(cfg.genes, generator=gen, dtype=torch.float64))
    cell_size = torch.exp(0.5 * torch.randn(BATCH, 1, generator=gen, dtype=torch.float64))
    x0 = torch.log1p(torch.poisson(cell_size * gene_rate, generator=gen))
    t = torch.tensor([999, 1, int(torch.randint(0, 1000, (1,), generator=gen))])
    noise = torch.randn(BATCH, cfg.genes, generator=gen)
    case = {"x": q_sample(x0, t, noise.double()).float(), "t": t, "noise": noise}
    if cfg.classes > 0:
        # Row `classes` of the label table is the "no label" row; always include it.
        case["labels"] = torch.tensor([cfg.classes, *torch.randint(0, cfg.classes, (BATCH - 1,), generator=gen)])
    return case


@torch.no_grad()
def relu_margin(model: DiffusionTransformer, case: dict) -> float:
    """Smallest |ISTA pre-activation| over the batch, in float64 (inf for DiT)."""
    model = copy.deepcopy(model).double()
    margins = [math.inf]
    hooks = [block.mlp.register_forward_hook(
                 lambda ista, inputs, _: margins.append(ista.preactivation(inputs[0]).abs().min().item()))
             for block in model.blocks if isinstance(block.mlp, ISTA)]
    model(case["x"].double(), case["t"], case.get("labels"))
    for hook in hooks:
        hook.remove()
    return min(margins)


def run(model: DiffusionTransformer, case: dict, dtype: torch.dtype) -> dict:
    """One training step in `dtype`: output, loss, gradients, and the updated tensors."""
    model = copy.deepcopy(model).to(dtype)
    optimizer = make_optimizer(model)
    output, loss = training_step(model, optimizer, case["x"].to(dtype), case["t"],
                                 case["noise"].to(dtype), case.get("labels"))
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    return {"output": output, "loss": loss.reshape(1),
            **{f"grad.{name}": p.grad.detach().clone() for name, p in trainable},
            **{f"adamw.{name}": p.detach().clone() for name, p in trainable}}


def relative_difference(a: torch.Tensor, b: torch.Tensor) -> float:
    """max|a − b| / max|b| over one tensor (b the float64 reference)."""
    return ((a.double() - b).abs().max() / b.abs().max()).item()


def check_float32(cfg: Config, f32: dict, f64: dict) -> None:
    """Print the float32-vs-float64 difference of every tensor; stop on a failure."""
    failures = []
    for key in [k for k in f64 if not k.startswith("adamw.")]:
        limit = GRAD_LIMIT if key.startswith("grad.") else OUTPUT_LIMIT
        rel = relative_difference(f32[key], f64[key])
        print(f"  {key:<42} {rel:9.2e}  (limit {limit:.0e})")
        if not rel <= limit:
            failures.append(key)
    if failures:
        sys.exit(f"float32 disagrees with float64 in {cfg.name}: {', '.join(failures)}")


def save_stable(tensors: dict, path: Path, metadata: dict) -> None:
    """safetensors.torch.save_file with the metadata keys in sorted order.

    The library writes metadata in hash-map order, which changes from run to run;
    sorting it makes regenerated fixtures byte-identical. The header stays valid:
    it is length-prefixed JSON, space-padded to a multiple of 8 bytes.
    """
    blob = save(tensors, metadata=metadata)
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + length])
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + blob[8 + length:])


def write_fixture(cfg: Config, index: int, outdir: Path) -> None:
    """Draw, compute, check and write the two files of one configuration."""
    gen = torch.Generator().manual_seed(SEED + index)
    model = DiffusionTransformer(cfg.arch, cfg.genes, cfg.patch, cfg.hidden, cfg.depth,
                                 cfg.heads, mlp_ratio=4.0, num_classes=cfg.classes)
    for draw in range(1, MAX_DRAWS + 1):
        randomize_all(model, gen)
        case = make_case(cfg, gen)
        margin = relu_margin(model, case)
        if margin >= RELU_MARGIN:
            break
    else:
        sys.exit(f"{cfg.name}: no draw in {MAX_DRAWS} keeps ISTA {RELU_MARGIN:.0e} from the ReLU kink")
    print(f"{cfg.name}  (draw {draw}, ReLU margin {margin:.1e})")

    f64 = run(model, case, torch.float64)
    check_float32(cfg, run(model, case, torch.float32), f64)

    weights = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    save_stable(weights, outdir / f"{cfg.name}.safetensors", model.config())

    with_adamw = index == 0      # the optimiser does not depend on the network
    expected = {k: v.float().contiguous() for k, v in f64.items()
                if with_adamw or not k.startswith("adamw.")}
    meta = {"format": FIXTURE_FORMAT, "version": FIXTURE_VERSION, "config": cfg.name}
    save_stable({**case, **expected}, outdir / f"{cfg.name}.case.safetensors", meta)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python3 make_fixtures.py OUTDIR")
    outdir = Path(sys.argv[1])
    outdir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(SEED)      # construction draws an init that randomize_all replaces
    for index, cfg in enumerate(CONFIGS):
        write_fixture(cfg, index, outdir)
    print(f"wrote {2 * len(CONFIGS)} files to {outdir}")


if __name__ == "__main__":
    main()
