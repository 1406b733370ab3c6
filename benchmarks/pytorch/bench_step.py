"""Benchmark peer: time full PyTorch training steps of the oracle networks.

usage: python3 bench_step.py --arch wbdit|dit --genes 2000 --patch 10 --hidden D
                             --depth L --heads H --batch B --steps N --threads T
                             [--precision fp32|bf16] [--json]

Each step draws a fresh batch (x_0 = non-negative log1p counts, t uniform in
1…999, noise ε, x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε) untimed, then times the training
step itself: forward, MSE backward, AdamW update. The model has the reference
initialisation. After 2 warm-up steps, N steps are timed and the median is
reported, with the process's peak RSS. With --precision bf16 the forward pass runs under
torch.autocast(device_type="cpu", dtype=torch.bfloat16) (PyTorch's mixed precision: the
products in bfloat16, weights and optimiser in Float32), the peer of `wbdit bench
--precision bf16`.
With --json it prints one JSON object on one line; otherwise an aligned summary.
"""

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

try:
    import wbdit_torch  # noqa: F401  (pip install ./python)
except ImportError:  # not installed: use the package from this checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from wbdit_torch import DiffusionTransformer, make_optimizer, q_sample, training_step

WARMUP_STEPS = 2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time PyTorch training steps of the oracle networks.")
    parser.add_argument("--arch", choices=["wbdit", "dit"], default="wbdit")
    parser.add_argument("--genes", type=int, default=2000)
    parser.add_argument("--patch", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=768)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=10, help="timed steps, after 2 warm-up steps")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                        help="bf16: the forward pass under torch.autocast with bfloat16")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


def random_batch(batch: int, genes: int, gen: torch.Generator):
    """(x_t, t, noise): x_0 = log1p(Poisson counts), t uniform in 1…999."""
    x0 = torch.log1p(torch.poisson(torch.full((batch, genes), 0.5), generator=gen))
    t = torch.randint(1, 1000, (batch,), generator=gen)
    noise = torch.randn(batch, genes, generator=gen)
    return q_sample(x0, t, noise), t, noise


def autocast_step(model, optimizer, x_t, t, noise):
    """`training_step` with the forward pass under CPU autocast to bfloat16 (backward
    follows the forward's casts, as PyTorch's AMP recipe has it)."""
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        eps_hat = model(x_t, t)
    loss = F.mse_loss(eps_hat.float(), noise)
    loss.backward()
    optimizer.step()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = DiffusionTransformer(args.arch, args.genes, args.patch, args.hidden, args.depth, args.heads)
    optimizer = make_optimizer(model)

    durations = []
    for step in range(WARMUP_STEPS + args.steps):
        x_t, t, noise = random_batch(args.batch, args.genes, gen)
        start = time.perf_counter()
        (autocast_step if args.precision == "bf16" else training_step)(model, optimizer, x_t, t, noise)
        if step >= WARMUP_STEPS:
            durations.append(time.perf_counter() - start)

    result = {"impl": "pytorch", "arch": args.arch, "genes": args.genes, "patch": args.patch,
              "hidden": args.hidden, "depth": args.depth, "heads": args.heads,
              "batch": args.batch, "steps": args.steps, "threads": args.threads,
              "precision": args.precision, "step_seconds_median": statistics.median(durations),
              "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:<20} {value:.4f}" if isinstance(value, float) else f"{key:<20} {value}")


if __name__ == "__main__":
    main()
