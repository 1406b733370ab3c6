"""Medians per (configuration, implementation) from a JSON-lines benchmark file, and the
wbdit/PyTorch ratios: python3 benchmarks/summarize.py RESULTS.jsonl

"vs torch" is the ratio of the two medians; "paired" is the median over rounds of each
round's own ratio (the runs of one round ran back to back), the steadier of the two when
the machine is shared and its load changes from round to round. When the file holds runs
with BF16 products (run-engine.sh with BF16=1), a second table sets wbdit's against
PyTorch's under autocast, and against wbdit's own Float32 step."""
import json
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    key = (r["arch"], r["hidden"], r["depth"], r["heads"], r.get("genes", 2000), r.get("patch", 10),
           r["batch"], r["threads"])
    impl = r.get("impl", "wbdit")
    if impl == "wbdit":
        impl += "-" + r.get("kernels", "portable")
    if r.get("precision", "fp32") != "fp32":
        impl += "-" + r["precision"]
    runs[key, impl].append(r)


def median(key, field):
    values = [r[field] for r in runs[key] if field in r]
    return statistics.median(values) if values else float("nan")


def paired(key, ours, peer):
    """The median over rounds of peer time / our time, each round's runs side by side."""
    rounds = [t["step_seconds_median"] / o["step_seconds_median"] for o, t in zip(runs[key, ours], runs[key, peer])]
    return statistics.median(rounds) if rounds else float("nan")


def name(key):
    arch, hidden, depth, heads, genes, patch, batch, threads = key
    return f"{arch} {hidden}/{depth}/{heads} G{genes} P{patch} t{threads}"


keys = sorted({k for k, _ in runs})
print(f"{'config':<30} {'avx512 s':>9} {'portable s':>10} {'torch s':>8} {'vs torch':>8} "
      f"{'paired':>7} {'vs portable':>11} {'GFLOP/s':>8} {'RSS':>8} {'torch RSS':>9}  runs")
for key in keys:
    ours = median((key, "wbdit-avx512"), "step_seconds_median")
    portable = median((key, "wbdit-portable"), "step_seconds_median")
    peer = median((key, "pytorch"), "step_seconds_median")
    rate = median((key, "wbdit-avx512"), "gflops_per_second")
    print(f"{name(key):<30} {ours:>9.4f} {portable:>10.4f} {peer:>8.4f} {peer / ours:>7.2f}x "
          f"{paired(key, 'wbdit-avx512', 'pytorch'):>6.2f}x {portable / ours:>10.2f}x "
          f"{rate:>8.1f} {median((key, 'wbdit-avx512'), 'peak_rss_bytes') / 2**20:>4.0f} MiB "
          f"{median((key, 'pytorch'), 'peak_rss_bytes') / 2**20:>5.0f} MiB  "
          f"{len(runs[key, 'wbdit-avx512'])}+{len(runs[key, 'wbdit-portable'])}+{len(runs[key, 'pytorch'])}")

bf16 = [key for key in keys if runs[key, "wbdit-avx512-bf16"]]
if bf16:
    print()
    print(f"{'BF16 products':<30} {'bf16 s':>9} {'torch bf16 s':>12} {'vs torch bf16':>13} {'paired':>7} "
          f"{'vs own fp32':>11} {'paired':>7} {'torch bf16/fp32':>15}  runs")
    for key in bf16:
        ours = median((key, "wbdit-avx512-bf16"), "step_seconds_median")
        peer = median((key, "pytorch-bf16"), "step_seconds_median")
        own = median((key, "wbdit-avx512"), "step_seconds_median")
        torch32 = median((key, "pytorch"), "step_seconds_median")
        print(f"{name(key):<30} {ours:>9.4f} {peer:>12.4f} {peer / ours:>12.2f}x "
              f"{paired(key, 'wbdit-avx512-bf16', 'pytorch-bf16'):>6.2f}x {own / ours:>10.2f}x "
              f"{paired(key, 'wbdit-avx512-bf16', 'wbdit-avx512'):>6.2f}x {peer / torch32:>14.2f}x  "
              f"{len(runs[key, 'wbdit-avx512-bf16'])}+{len(runs[key, 'pytorch-bf16'])}")
