"""Medians per (configuration, implementation) from a JSON-lines benchmark file, and the
wbdit/PyTorch ratios: python3 benchmarks/summarize.py RESULTS.jsonl"""
import json
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    key = (r["arch"], r["hidden"], r["depth"], r["heads"], r["batch"], r["threads"])
    runs[key, r.get("impl", "wbdit")].append(r)

def median(key, field):
    values = [r[field] for r in runs[key] if field in r]
    return statistics.median(values) if values else float("nan")

print(f"{'config':<22} {'wbdit s/step':>12} {'torch s/step':>12} {'speed-up':>9} "
      f"{'GFLOP/s':>8} {'sgemm':>7} {'of sgemm':>8} {'wbdit RSS':>10} {'torch RSS':>10}  runs")
for key in sorted({k for k, _ in runs}):
    arch, hidden, depth, heads, batch, threads = key
    ours, peer = median((key, "wbdit"), "step_seconds_median"), median((key, "pytorch"), "step_seconds_median")
    rate, sgemm = median((key, "wbdit"), "gflops_per_second"), median((key, "wbdit"), "sgemm_gflops_per_second")
    name = f"{arch} {hidden}/{depth}/{heads} b{batch} t{threads}"
    print(f"{name:<22} {ours:>12.4f} {peer:>12.4f} {peer / ours:>8.2f}x {rate:>8.1f} {sgemm:>7.1f} "
          f"{rate / sgemm:>8.0%} {median((key, 'wbdit'), 'peak_rss_bytes') / 2**20:>7.0f} MiB "
          f"{median((key, 'pytorch'), 'peak_rss_bytes') / 2**20:>6.0f} MiB  {len(runs[key, 'wbdit'])}+{len(runs[key, 'pytorch'])}")
