"""Prints one dataset's table of the counts protocol (docs/benchmarks.md) from a
benchmarks/counts_vs_scvi.sh folder, as Markdown: each figure for our counts (the default
output), our network's own cells, scVI's, and the floor, with the target and whether our
counts and scVI's meet it. Targets (issue 37): cell level MMD² ≤ 5× floor, kNN AUC ≤ floor
+ 0.1, gene–gene r ≥ floor − 0.05; gene level W1, zero gap, library size and genes
detected ≤ 2× floor, mean and variance r ≥ floor − 0.01, variance ratio median 0.8–1.25;
memorisation: median-distance ratio ≥ 0.9, near-copies ≤ 5%.
Usage: python3 benchmarks/summarize_counts.py OUT_DIR"""
import json
import os
import sys

out = sys.argv[1]


def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else {}


ours, network, scvi = load("ours-counts.json"), load("ours-network.json"), load("scvi.json")
rows = [  # key, label, target: (kind, value)
    ("mmd2_rbf_biased", "MMD² (V, RBF, 50 PCs)", ("times", 5)),
    ("knn_auc", "kNN real-vs-generated AUC", ("plus", 0.1)),
    ("gene_gene_corr_r", "gene–gene correlation r", ("minus", 0.05)),
    ("wasserstein1_gene_mean", "per-gene W1 (log-normalised), mean", ("times", 2)),
    ("zero_fraction_gene_gap", "per-gene zero-fraction gap, mean", ("times", 2)),
    ("library_size_w1_log", "library size, W1 of ln(1+counts)", ("times", 2)),
    ("genes_detected_w1_log", "genes detected, W1 of ln(1+genes)", ("times", 2)),
    ("gene_mean_pearson", "gene means r", ("minus", 0.01)),
    ("gene_variance_pearson", "gene variances r", ("minus", 0.01)),
    ("variance_ratio_median", "gene variance generated/real, median", ("range", (0.8, 1.25))),
    ("variance_ratio_p90", "gene variance generated/real, 90th pct", None),
    ("gene_cv_spearman", "gene CV, Spearman ρ", None),
    ("cell_cv_w1", "cell CV, W1", None),
    ("nearest_training_ratio", "nearest training cell, median / held-out's", ("range", (0.9, float("inf")))),
    ("near_copy_share", "near-copies of training cells", ("range", (0, 0.05))),
    ("label_mix_tv", "cell-type proportions, TV (kNN types)", ("times", 2)),
    ("marker_overlap", "top-20 markers shared", ("minus", 0.01)),
]


def met(value, floor, target):
    if value is None or floor is None or target is None:
        return "–"
    kind, v = target
    ok = {"times": lambda: value <= v * max(floor, 1e-12), "plus": lambda: value <= floor + v,
          "minus": lambda: value >= floor - v, "range": lambda: v[0] <= value <= v[1]}[kind]()
    return "yes" if ok else "**no**"


def describe(target):
    if target is None:
        return "–"
    kind, v = target
    if kind == "range":
        return f"≥ {v[0]}" if v[1] == float("inf") else f"≤ {v[1]}" if v[0] == 0 else f"{v[0]}–{v[1]}"
    return {"times": f"≤ {v}× floor", "plus": f"≤ floor + {v}", "minus": f"≥ floor − {v}"}[kind]


def f(v):
    return "–" if v is None else f"{v:.4f}"


print("| figure | ours: counts | ours: network's cells | scVI | floor | target | ours meets | scVI meets |")
print("|---|---|---|---|---|---|---|---|")
for key, label, target in rows:
    if key not in ours and key not in scvi:
        continue
    floor = ours.get(key + "_floor", scvi.get(key + "_floor"))
    print(f"| {label} | {f(ours.get(key))} | {f(network.get(key))} | {f(scvi.get(key))} | {f(floor)} | {describe(target)} | "
          f"{met(ours.get(key), floor, target)} | {met(scvi.get(key), floor, target)} |")
if "count_model_components" in ours:
    print(f"\nCount model: {ours['count_model_components']} components kept.")
