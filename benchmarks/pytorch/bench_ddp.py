"""Throughput of the PyTorch trainer (`wbdit_torch.train`) with 1 and 2 processes, beside the Swift engine.

usage: python3 benchmarks/pytorch/bench_ddp.py [--rounds 3] [--steps 150] [--genes 0] [--patch 10]
                                               [--hidden 32] [--depth 2] [--heads 4] [--batch 16] [--noise torch]

Makes one small Swift run of the shape (Zeisel slice fixture, `--top-genes GENES`, 0 for
all 400), 20 steps, then per round, alternating, continues a copy of it for `--steps`
steps with:

  torch-1x{B}     torchrun, 1 process, global batch B (the run's batch)
  torch-2x{B}     torchrun, 2 processes (gloo), global batch 2B (the default: B per rank)
  torch-2-gB      torchrun, 2 processes, global batch B (B/2 per rank)
  torch-1-g2B     torchrun, 1 process, global batch 2B (the same work per step as torch-2x{B})
  swift-t1        wbdit train --resume, 1 thread (a run made with --threads 1)
  swift-t2        wbdit train --resume, 2 threads (a run made with --threads 2)

and prints one JSON line per measurement (median `step_seconds` of metrics.jsonl over
the continued steps, steps/s and cells/s from it), then the medians over rounds. Every
process runs 1 torch thread (`--threads 1`). Run it niced on a shared machine; it is CPU only.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WBDIT = REPO / ".build" / "release" / "wbdit"
DATA = REPO / "Tests" / "CellDataTests" / "Fixtures" / "zeisel-slice.h5ad"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--genes", type=int, default=0, help="--top-genes of the Swift run (0: all 400 of the fixture)")
    p.add_argument("--patch", type=int, default=10)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--noise", choices=["auto", "swift", "torch"], default="torch")
    return p.parse_args()


def median_step(run: Path, after: int) -> float:
    steps = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines() if '"loss"' in l]
    return statistics.median(o["step_seconds"] for o in steps if o["step"] > after)


def main():
    args = parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-ddp-"))
    shape = ["--top-genes", str(args.genes), "--holdout", "0.2", "--patch", str(args.patch), "--hidden", str(args.hidden),
             "--depth", str(args.depth), "--heads", str(args.heads), "--batch", str(args.batch), "--no-pca-basis",
             "--steps", "20", "--checkpoint-every", "20"]
    for threads in (1, 2):
        subprocess.run([str(WBDIT), "train", "--data", str(DATA), *shape, "--threads", str(threads),
                        "--run", str(root / f"base-t{threads}")], check=True, capture_output=True)
    end = 20 + args.steps
    b = args.batch
    configs = {
        f"torch-1x{b}": (1, []), f"torch-2x{b}": (2, []),
        f"torch-2-g{b}": (2, ["--global-batch", str(b)]), f"torch-1-g{2 * b}": (1, ["--global-batch", str(2 * b)]),
        "swift-t1": (None, 1), "swift-t2": (None, 2),
    }
    results = {name: [] for name in configs}
    for round_ in range(args.rounds):
        for name, (nproc, extra) in configs.items():
            run = root / f"{name}-{round_}"
            if nproc is None:
                shutil.copytree(root / f"base-t{extra}", run)
                subprocess.run([str(WBDIT), "train", "--resume", "--run", str(run), "--data", str(DATA),
                                "--steps", str(end)], check=True, capture_output=True)
                global_batch = b
            else:
                shutil.copytree(root / "base-t1", run)
                subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc),
                                "-m", "wbdit_torch.train", "--run-dir", str(run), "--steps", str(end), "--threads", "1",
                                "--quiet", "--noise", args.noise, *extra], check=True, capture_output=True, cwd=REPO)
                global_batch = int(extra[1]) if extra else b * nproc
            seconds = median_step(run, 20)
            results[name].append(seconds)
            print(json.dumps({"config": name, "round": round_, "global_batch": global_batch, "step_seconds_median": seconds,
                              "steps_per_second": 1 / seconds, "cells_per_second": global_batch / seconds}), flush=True)
            shutil.rmtree(run)
    print(f"\nshape: genes {args.genes or 400}, patch {args.patch}, hidden {args.hidden}, depth {args.depth}, "
          f"heads {args.heads}, run batch {b}, noise {args.noise}; medians over {args.rounds} rounds")
    for name, values in results.items():
        s = statistics.median(values)
        gb = {f"torch-2x{b}": 2 * b, f"torch-1-g{2 * b}": 2 * b}.get(name, b)
        print(f"{name:14s} {s * 1000:8.2f} ms/step  {1 / s:8.1f} steps/s  {gb / s:9.0f} cells/s")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
