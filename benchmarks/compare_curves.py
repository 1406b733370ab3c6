"""Two runs' loss curves side by side, by step and by training time (docs/benchmarks.md,
"BF16 products": a Float32 run against a BF16 one of the same network, seed and budget).

    python3 benchmarks/compare_curves.py RUN_A RUN_B [--window 200]

(RUN_A and RUN_B are run directories, or their metrics.jsonl files as kept in
benchmarks/results.)

Each row is the mean loss over a window of steps, and over the window of the same
training time (the sum of logged step times, which leaves out readouts and checkpoints),
so the table says both whether a run learns as well per step and what it reaches in the
same seconds."""
import argparse
import json
import statistics
from pathlib import Path


def steps(run: Path) -> list[dict]:
    log = run / "metrics.jsonl" if run.is_dir() else run
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [line for line in lines if "loss" in line]


def main() -> None:
    parser = argparse.ArgumentParser(description="Two runs' loss curves side by side.")
    parser.add_argument("runs", nargs=2, type=Path)
    parser.add_argument("--window", type=int, default=200, help="steps a row averages over")
    args = parser.parse_args()
    a, b = (steps(run) for run in args.runs)
    names = [run.name if run.is_dir() else run.name.split(".")[0] for run in args.runs]
    print(f"{'steps':>13} | {'loss ' + names[0]:>18} {'loss ' + names[1]:>18} {'ratio':>6}")
    w = args.window
    for start in range(0, min(len(a), len(b)) - w + 1, w):
        la = statistics.fmean(s["loss"] for s in a[start:start + w])
        lb = statistics.fmean(s["loss"] for s in b[start:start + w])
        print(f"{start + 1:>6}-{start + w:<6} | {la:>18.5f} {lb:>18.5f} {lb / la:>6.3f}")

    def clock(run):
        total, out = 0.0, []
        for s in run:
            total += s["step_seconds"]
            out.append((total, s["loss"]))
        return out

    ca, cb = clock(a), clock(b)
    end = min(ca[-1][0], cb[-1][0])
    span = end / 10
    print()
    print(f"{'seconds':>13} | {'loss ' + names[0]:>18} {'loss ' + names[1]:>18} {'ratio':>6} | steps {names[0]}, {names[1]}")
    for i in range(10):
        lo, hi = i * span, (i + 1) * span
        pa = [loss for t, loss in ca if lo < t <= hi]
        pb = [loss for t, loss in cb if lo < t <= hi]
        if pa and pb:
            la, lb = statistics.fmean(pa), statistics.fmean(pb)
            print(f"{lo:>6.0f}-{hi:<6.0f} | {la:>18.5f} {lb:>18.5f} {lb / la:>6.3f} | "
                  f"{sum(t <= hi for t, _ in ca)}, {sum(t <= hi for t, _ in cb)}")
    print()
    for name, run in zip(names, (a, b)):
        print(f"{name}: {len(run)} steps, {sum(s['step_seconds'] for s in run):.0f} s of steps, "
              f"median step {statistics.median(s['step_seconds'] for s in run) * 1000:.1f} ms, "
              f"last {w} steps' mean loss {statistics.fmean(s['loss'] for s in run[-w:]):.5f}")


if __name__ == "__main__":
    main()
