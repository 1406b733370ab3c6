"""Benchmark peer: time PyTorch sampling (DDIM or DDPM) with the oracle networks.

usage: python3 bench_sample.py --arch wbdit|dit --genes 2000 --patch 10 --hidden D
                               --depth L --heads H --cells N --batch B --steps S
                               --eta 1.0 --sampler ddim|ddpm --threads T --seed 0 [--json]

The samplers follow docs/architecture.md ("Diffusion"): T = 1000, β linear
from 1e-4 to 0.02, ᾱ the cumulative product of 1 − β, all in float64 (the per-step
coefficients are float64 scalars applied to float32 tensors).

- DDIM with S steps (1 ≤ S ≤ 999) visits, from the top, the members of
  {1} ∪ {round(k·c) : k = 1 … S−1}, c = 1000/S, that lie in 1…999 (round half away
  from zero, like Swift's `rounded()`); for S = 100: 990, 980, …, 10, 1. Each step goes
  from i to the next smaller member i′, the last (from t = 1) to i′ = 0:
      x̂_0 = (x − √(1−ᾱ_i) ε̂) / √ᾱ_i
      σ   = η · √((1−ᾱ_i′)/(1−ᾱ_i)) · √(1 − ᾱ_i/ᾱ_i′)
      x  ← √ᾱ_i′ x̂_0 + √(1−ᾱ_i′−σ²) ε̂ + σ z,   z = 0 on the step from t = 1.
  Like the reference, the start noise is used as x at the top member (990 for S = 100)
  and the last step lands on ᾱ_0, not on a clean x̂_0. The radicand 1−ᾱ_i′−σ² is
  clamped at 0 (it is ≥ 0 for η ≤ 1 and only goes negative for η > 1).
- DDPM takes all 999 steps, i = 999 … 1 (--steps and --eta are ignored):
      x ← (x − β_i/√(1−ᾱ_i) ε̂) / √α_i + √β_i z,   z = 0 at i = 1.
- Either way the sample starts from x ~ N(0, I) and is finally clamped at 0.

The model is built with the reference initialisation and then given random weights
(`randomize_all`), since a reference-initialised model outputs exactly 0; timing does
not depend on the values. After one untimed warm-up forward call, the whole generation
of N cells, B at a time (the last batch may be smaller), is timed under
torch.inference_mode(): start noise, every denoising step with its noise draws, the
final clamp, and copying each batch into the [N, G] output.

Reported: wall seconds, cells per second, and the process's peak RSS (`ru_maxrss`).
"steps" is the number of denoising steps (network evaluations) per batch actually
taken: S for DDIM (S − 1 for S > 666, where round(c) = 1 duplicates the member 1),
999 for DDPM. With --json one JSON object on one line; otherwise an aligned summary.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import torch

try:
    import wbdit_torch  # noqa: F401  (pip install ./python)
except ImportError:  # not installed: use the package from this checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from wbdit_torch import DIFFUSION_STEPS, DiffusionTransformer, randomize_all
from wbdit_torch.sampling import ddim_plan, ddpm_plan, sample_ddim, sample_ddpm, schedule


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time PyTorch DDIM/DDPM sampling with the oracle networks.")
    parser.add_argument("--arch", choices=["wbdit", "dit"], default="wbdit")
    parser.add_argument("--genes", type=int, default=2000)
    parser.add_argument("--patch", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--cells", type=int, default=256, help="cells to generate")
    parser.add_argument("--batch", type=int, default=32, help="cells per batch")
    parser.add_argument("--steps", type=int, default=100, help="DDIM steps, 1…999 (DDPM always takes 999)")
    parser.add_argument("--eta", type=float, default=1.0, help="DDIM η (0 = deterministic, 1 = reference)")
    parser.add_argument("--sampler", choices=["ddim", "ddpm"], default="ddim")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not 1 <= args.steps <= DIFFUSION_STEPS - 1:
        parser.error(f"--steps must be between 1 and {DIFFUSION_STEPS - 1} (got {args.steps})")
    if args.cells < 1 or args.batch < 1:
        parser.error("--cells and --batch must be positive")
    if args.eta < 0:
        parser.error("--eta must be non-negative")
    return args


def generate(model, args, plan, gen) -> torch.Tensor:
    """All N cells, B at a time, clamped at 0: [N, G]."""
    run = sample_ddim if args.sampler == "ddim" else sample_ddpm
    out = torch.empty(args.cells, args.genes)
    for start in range(0, args.cells, args.batch):
        n = min(args.batch, args.cells - start)
        x = torch.randn(n, args.genes, generator=gen)
        out[start:start + n] = run(model, x, plan, gen).clamp_(min=0)
    return out


# MARK: - Main

def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = DiffusionTransformer(args.arch, args.genes, args.patch, args.hidden, args.depth, args.heads)
    randomize_all(model, torch.Generator().manual_seed(args.seed))
    model.eval()

    betas, alpha_bar = schedule()
    plan = ddim_plan(args.steps, args.eta, alpha_bar) if args.sampler == "ddim" else ddpm_plan(betas, alpha_bar)
    gen = torch.Generator().manual_seed(args.seed + 1)

    with torch.inference_mode():
        warm = min(args.batch, args.cells)
        model(torch.randn(warm, args.genes, generator=gen), torch.full((warm,), plan[0][0], dtype=torch.long))
        start = time.perf_counter()
        cells = generate(model, args, plan, gen)
        seconds = time.perf_counter() - start
    if not torch.isfinite(cells).all():
        print("warning: the generated cells contain non-finite values", file=sys.stderr)

    result = {"impl": "pytorch", "arch": args.arch, "genes": args.genes, "patch": args.patch,
              "hidden": args.hidden, "depth": args.depth, "heads": args.heads,
              "cells": args.cells, "batch": args.batch, "steps": len(plan), "eta": args.eta,
              "sampler": args.sampler, "threads": args.threads, "seconds": seconds,
              "cells_per_second": args.cells / seconds,
              "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
    if args.json:
        print(json.dumps(result))
        return
    batches = -(-args.cells // args.batch)
    eta = f"{args.eta:g}" if args.sampler == "ddim" else "n/a (DDPM)"
    rows = [("implementation", "pytorch"),
            ("architecture", args.arch),
            ("genes / patch", f"{args.genes} genes, {args.patch} per token"),
            ("model", f"hidden {args.hidden}, depth {args.depth}, {args.heads} heads"),
            ("sampler", f"{args.sampler}, {len(plan)} steps, eta {eta}"),
            ("cells", f"{args.cells} in {batches} batch(es) of up to {args.batch}"),
            ("threads", str(args.threads)),
            ("seed", str(args.seed)),
            ("network evaluations", f"{len(plan) * batches} forward calls"),
            ("time", f"{seconds:.3f} s"),
            ("time per step", f"{1000 * seconds / (len(plan) * batches):.2f} ms per batch step (mean)"),
            ("throughput", f"{args.cells / seconds:.2f} cells/s"),
            ("peak RSS", f"{result['peak_rss_bytes'] / 2**20:.1f} MiB")]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
