"""Prints the gene-level table of a benchmarks/counts_vs_scvi.sh folder as Markdown: each
figure for our cells (counts out, and the network's own cells), scVI's, and the floor,
with whether ours meets the target of issue 17 (within 2x the floor; r's within 0.01;
cell-level: MMD² ≤ 5x floor, AUC ≤ floor + 0.1, gene–gene r ≥ floor − 0.05).
Usage: python3 benchmarks/summarize_counts.py OUT_DIR"""
import json
import os
import sys

out = sys.argv[1]
load = lambda name: json.load(open(os.path.join(out, name))) if os.path.exists(os.path.join(out, name)) else {}
ours, network, scvi = load("ours-counts.json"), load("ours-network.json"), load("scvi.json")
rows = [  # key, label, kind of target
    ("mmd2_rbf_biased", "MMD² (V, RBF, 50 PCs)", "5x"),
    ("knn_auc", "kNN real-vs-generated AUC", "+0.1"),
    ("gene_gene_corr_r", "gene–gene correlation r", "-0.05"),
    ("wasserstein1_gene_mean", "per-gene W1 (log-normalised), mean", "2x"),
    ("ks_gene_mean", "per-gene KS, mean", "2x"),
    ("zero_fraction_gene_gap", "per-gene zero-fraction gap, mean", "2x"),
    ("gene_mean_pearson", "gene means r", "-0.01"),
    ("gene_variance_pearson", "gene variances r", "-0.01"),
    ("library_size_w1_log", "library size, W1 of ln(1+counts)", "2x"),
    ("genes_detected_w1_log", "genes detected, W1 of ln(1+genes)", "2x"),
    ("label_mix_tv", "cell-type proportions, TV (kNN types)", "2x"),
    ("lfc_pearson", "per-type log-fold change r (top 100)", "-0.01"),
    ("marker_overlap", "top-20 markers shared", "-0.01"),
]


def met(value, floor, kind):
    if value is None or floor is None:
        return "–"
    if kind == "5x":
        ok = value <= 5 * max(floor, 1e-12)
    elif kind == "2x":
        ok = value <= 2 * max(floor, 1e-12)
    elif kind == "+0.1":
        ok = value <= floor + 0.1
    else:
        ok = value >= floor + float(kind)
    return "yes" if ok else "no"


def f(v):
    return "–" if v is None else f"{v:.4f}"


print("| figure | ours (counts) | ours (network's cells) | scVI | floor | target | ours meets |")
print("|---|---|---|---|---|---|---|")
for key, label, kind in rows:
    floor = ours.get(key + "_floor", scvi.get(key + "_floor"))
    target = {"5x": "≤ 5× floor", "2x": "≤ 2× floor", "+0.1": "≤ floor + 0.1"}.get(kind, f"≥ floor {kind}")
    print(f"| {label} | {f(ours.get(key))} | {f(network.get(key))} | {f(scvi.get(key))} | {f(floor)} | {target} | "
          f"{met(ours.get(key), floor, kind)} |")
