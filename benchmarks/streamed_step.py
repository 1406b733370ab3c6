"""The training step streamed against the same step reading the file whole: the default
network on a file's top 2000 genes (read whole, also on the genes: `--no-pca-basis`, the
shape a streamed run has), the same steps, seed and batch, alternating rounds.
A step's time (metrics.jsonl `step_seconds`) includes the window reads a streamed run
makes between batches, so the mean over steps 21 on is the figure that counts; the median
is the step alone. Prints one JSON row per run and the ratios.

    python3 benchmarks/streamed_step.py DATA.h5ad OUT_DIR [--steps 600] [--rounds 2]

Needs a release build (make build); DATA must fit in memory when read whole.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess

WBDIT = os.environ.get("WBDIT", ".build/release/wbdit")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data")
    p.add_argument("out")
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for r in range(args.rounds):
        for reading in ["--streaming", "--in-memory"]:
            shape = ["--no-pca-basis"] if reading == "--in-memory" else []
            run = os.path.join(args.out, f"run{reading}-{r}")
            shutil.rmtree(run, ignore_errors=True)
            subprocess.run([WBDIT, "train", "--data", args.data, reading, *shape, "--top-genes", "2000", "--steps", str(args.steps),
                            "--checkpoint-every", "100000", "--readout-every", "100000", "--run", run],
                           check=True, capture_output=True)
            steps = [json.loads(line) for line in open(os.path.join(run, "metrics.jsonl")) if '"step_seconds"' in line]
            seconds = [s["step_seconds"] for s in steps if s["step"] > 20]
            row = {"reading": reading[2:], "round": r, "mean_ms": 1000 * statistics.mean(seconds),
                   "median_ms": 1000 * statistics.median(seconds), "peak_mib": max(s["peak_mib"] for s in steps)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    for figure in ["mean_ms", "median_ms"]:
        ratios = [a[figure] / b[figure] for a, b in zip(rows[0::2], rows[1::2])]
        print(f"streamed / in memory, {figure}: " + ", ".join(f"{x:.3f}" for x in ratios))


if __name__ == "__main__":
    main()
