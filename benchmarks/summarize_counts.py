"""Prints one dataset's table of the counts protocol (docs/benchmarks.md) from a
benchmarks/counts_vs_scvi.sh folder, as Markdown: each figure for our counts (the default
output), our network's own cells, scVI's, and the floor, with the target and whether our
counts and scVI's meet it. Targets (issue 37): cell level MMD² ≤ 5× floor, kNN AUC ≤ floor
+ 0.1, gene–gene r ≥ floor − 0.05; gene level W1, zero gap, library size and genes
detected ≤ 2× floor, mean and variance r ≥ floor − 0.01, variance ratio median 0.8–1.25;
memorisation: median-distance ratio ≥ 0.9, near-copies ≤ 5%.
Where OUT_DIR holds alone.json (benchmarks/count_model_alone.py: the held-out cells through the
count model, as if from a perfect network), its column shows what the count model misses by itself.
Counts are never to be worse than the network's own cells at the cell level beyond the
noise between two seeds: where OUT_DIR holds seed1-counts.json and seed1-network.json
(`wbdit eval --seed 1`), that noise is the larger seed-to-seed change of the two, per
figure (MMD² and kNN AUC).
Usage: python3 benchmarks/summarize_counts.py OUT_DIR            one dataset's table
       python3 benchmarks/summarize_counts.py --summary DIR...     one line per dataset
       python3 benchmarks/summarize_counts.py --formats DIR...     the same checkpoint's counts by
                                                                   the previous count model (f2-counts.json)
                                                                   and today's (ours-counts.json)"""
import json
import os
import sys


def load(out, name):
    """The JSON file `name` in `out`, or {} when it is missing or not (yet) complete."""
    try:
        with open(os.path.join(out, name)) as file:
            return json.load(file)
    except (OSError, ValueError):
        return {}


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


def meets(value, floor, target):
    """True or False, or None when the figure has no target or is missing."""
    if value is None or floor is None or target is None:
        return None
    kind, v = target
    return {"times": lambda: value <= v * max(floor, 1e-12), "plus": lambda: value <= floor + v,
            "minus": lambda: value >= floor - v, "range": lambda: v[0] <= value <= v[1]}[kind]()


def met(value, floor, target):
    ok = meets(value, floor, target)
    return "–" if ok is None else "yes" if ok else "**no**"


def better(a, b, target):
    """Whether figure a is at least as good as b under the target's direction; for the
    memorisation guards (a range open on one side), meeting the target is enough."""
    kind, v = target
    if kind in ("times", "plus"):
        return a <= b
    if kind == "minus":
        return a >= b
    if v[1] == float("inf"):
        return a >= v[0] or a >= b
    if v[0] == 0:
        return a <= v[1] or a <= b
    return abs(a - 1) <= abs(b - 1)


def describe(target):
    if target is None:
        return "–"
    kind, v = target
    if kind == "range":
        return f"≥ {v[0]}" if v[1] == float("inf") else f"≤ {v[1]}" if v[0] == 0 else f"{v[0]}–{v[1]}"
    return {"times": f"≤ {v}× floor", "plus": f"≤ floor + {v}", "minus": f"≥ floor − {v}"}[kind]


def f(v):
    return "–" if v is None else f"{v:.4f}"


def counts_hold(out):
    """Per cell-level figure, whether the counts are within the two seeds' noise of the
    network's cells or better: {key: (counts, network, noise, holds)}; {} without seed 1."""
    ours, network = load(out, "ours-counts.json"), load(out, "ours-network.json")
    ours1, network1 = load(out, "seed1-counts.json"), load(out, "seed1-network.json")
    verdicts = {}
    for key in ("mmd2_rbf_biased", "knn_auc"):
        if all(key in d for d in (ours, network, ours1, network1)):
            noise = max(abs(ours[key] - ours1[key]), abs(network[key] - network1[key]))
            verdicts[key] = (ours[key], network[key], noise, ours[key] <= network[key] + noise)
    return verdicts


def table(out):
    ours, network, scvi = load(out, "ours-counts.json"), load(out, "ours-network.json"), load(out, "scvi.json")
    ours1, network1 = load(out, "seed1-counts.json"), load(out, "seed1-network.json")
    alone = load(out, "alone.json")
    print("| figure | ours: counts | seed 1 | ours: network's cells | seed 1 | count model alone | scVI | floor | target | "
          "ours meets | alone meets | scVI meets |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key, label, target in rows:
        if key not in ours and key not in scvi:
            continue
        floor = ours.get(key + "_floor", scvi.get(key + "_floor"))
        print(f"| {label} | {f(ours.get(key))} | {f(ours1.get(key))} | {f(network.get(key))} | {f(network1.get(key))} | "
              f"{f(alone.get(key))} | {f(scvi.get(key))} | {f(floor)} | {describe(target)} | "
              f"{met(ours.get(key), floor, target)} | {met(alone.get(key), floor, target)} | {met(scvi.get(key), floor, target)} |")
    for key, (counts, cells, noise, holds) in counts_hold(out).items():
        print(f"\nCounts against the network's cells, {key}: {counts:.4f} against {cells:.4f}, two seeds' noise {noise:.4f}: "
              f"{'within' if holds else '**worse**'}.")
    if "count_model_components" in ours:
        print(f"\nCount model: {ours['count_model_components']} components kept.")
    gge_ours, gge_scvi = load(out, "gge-ours.json"), load(out, "gge-scvi.json")
    if gge_ours:
        print("\n| GGE 1.0.1, per cell type, mean | ours: counts | scVI | floor |\n|---|---|---|---|")
        for key in ("mmd", "wasserstein_1", "wasserstein_2", "energy", "r_squared"):
            print(f"| {key} | {f(gge_ours['generated'].get(key))} | {f(gge_scvi.get('generated', {}).get(key))} | "
                  f"{f(gge_ours['floor'].get(key))} |")


def summary(outs):
    print("| dataset | k | MMD² / floor | AUC − floor | gene–gene r − floor | W1 / floor | zero gap / floor | library / floor | "
          "detected / floor | var ratio | near-copies | counts hold the network's cell level | targets met: ours | "
          "count model alone | scVI | ours ahead of scVI |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for out in outs:
        ours, scvi = load(out, "ours-counts.json"), load(out, "scvi.json")
        fl = lambda k: ours.get(k + "_floor")
        def ratio(k):
            return "–" if ours.get(k) is None or not fl(k) else f"{ours[k] / fl(k):.1f}×"
        def gap(k):
            return "–" if ours.get(k) is None or fl(k) is None else f"{ours[k] - fl(k):+.3f}"
        targeted = [(k, t) for k, _, t in rows if t is not None and ours.get(k) is not None and fl(k) is not None]
        ours_met = sum(bool(meets(ours[k], fl(k), t)) for k, t in targeted)
        alone = load(out, "alone.json")
        alone_met = sum(bool(meets(alone.get(k), fl(k), t)) for k, t in targeted if alone.get(k) is not None)
        scvi_met = sum(bool(meets(scvi.get(k), fl(k), t)) for k, t in targeted if scvi.get(k) is not None)
        compared = [(k, t) for k, t in targeted if scvi.get(k) is not None]
        ahead = sum(better(ours[k], scvi[k], t) for k, t in compared)
        name = os.path.basename(os.path.normpath(out))
        hold = counts_hold(out)
        holds = "–" if not hold else "yes" if all(v[3] for v in hold.values()) else "**no**"
        print(f"| {name} | {ours.get('count_model_components', '–')} | {ratio('mmd2_rbf_biased')} | {gap('knn_auc')} | "
              f"{gap('gene_gene_corr_r')} | {ratio('wasserstein1_gene_mean')} | {ratio('zero_fraction_gene_gap')} | "
              f"{ratio('library_size_w1_log')} | {ratio('genes_detected_w1_log')} | "
              f"{f(ours.get('variance_ratio_median'))} | {f(ours.get('near_copy_share'))} | {holds} | {ours_met}/{len(targeted)} | "
              f"{f'{alone_met}/{len(targeted)}' if alone else '–'} | "
              f"{f'{scvi_met}/{len(compared)}' if scvi else '–'} | {f'{ahead}/{len(compared)}' if scvi else '–'} |")


def formats(outs):
    keys = [("mmd2_rbf_biased", "MMD²", "ratio"), ("knn_auc", "AUC", "gap"), ("wasserstein1_gene_mean", "W1", "ratio"),
            ("zero_fraction_gene_gap", "zero gap", "ratio"), ("library_size_w1_log", "library", "ratio"),
            ("genes_detected_w1_log", "detected", "ratio"), ("variance_ratio_median", "var ratio", "value"),
            ("variance_ratio_p90", "var ratio p90", "value")]
    print("| dataset | " + " | ".join(label for _, label, _ in keys) + " |")
    print("|---|" + "---|" * len(keys))
    for out in outs:
        old, new = load(out, "f2-counts.json"), load(out, "ours-counts.json")
        def cell(key, kind):
            if key not in old or key not in new:
                return "–"
            floor = new.get(key + "_floor")
            if kind == "ratio" and floor:
                return f"{old[key] / floor:.1f}× → {new[key] / floor:.1f}×"
            if kind == "gap" and floor is not None:
                return f"{old[key] - floor:+.3f} → {new[key] - floor:+.3f}"
            return f"{old[key]:.3f} → {new[key]:.3f}"
        print(f"| {os.path.basename(os.path.normpath(out))} | " + " | ".join(cell(k, kind) for k, _, kind in keys) + " |")


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        summary(sys.argv[2:])
    elif sys.argv[1] == "--formats":
        formats(sys.argv[2:])
    else:
        table(sys.argv[1])
