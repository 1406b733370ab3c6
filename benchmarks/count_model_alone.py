"""The count model alone: a run's training cells put through its count model as if a perfect
network had generated them (as many as it holds out, a seeded draw of those it keeps), written
as `wbdit sample` writes counts, for `wbdit eval --run R --generated FILE`. What the count
model's output misses here it misses by itself; what the default output misses beyond it comes
from the network's cells. (Training cells, not the held-out ones: counts made from the held-out
cells would sit next to their own source in every cell-level comparison.)

    python3 benchmarks/count_model_alone.py --run RUN --out alone.h5ad [--seed 0]
    wbdit eval --run RUN --generated alone.h5ad --json > alone.json

It reads the run's `count-model.safetensors` (format 4, docs/recipe.md "Counts out") with
NumPy and draws as `CountModel.counts(for:seed:)` does, with NumPy's generator: each
cell's smooth part on the model's k components, each gene's mean from the
calibration curve (linear between knots, flat past them) at least its floor and at most
the normalize_total target, times its scale; a depth donor among the 30 training cells
nearest in the k scores, drawn by the file's weights; the composition sharpened to w^γ until,
at the donor's depth over the model's genes, it detects as many genes as the donor's smooth part
(bisection on log γ); NB(φ_d θ_g) counts, φ_d the donor's dispersion factor, log-normalised
with the donor's library."""
import argparse
import json
import os
import struct

import anndata
import numpy as np
import pandas as pd


def tensors(path):
    """Each tensor of a safetensors file as a float64 array, and its metadata."""
    data = open(path, "rb").read()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    metadata = header.pop("__metadata__", {})
    def read(info):
        start, end = info["data_offsets"]
        return np.frombuffer(data[8 + size + start:8 + size + end], dtype=np.float32).reshape(info["shape"]).astype(np.float64)
    return {name: read(info) for name, info in header.items()}, metadata


def sharpened(weights, totals, theta, target):
    """Per cell, the composition w^γ scaled to `totals` counts, γ (log γ in [log ¼, log 4],
    20 bisection steps) the one whose expected genes detected under NB(μ_cg, θ_cg),
    Σ_g 1 − (1 + μ_cg/θ_cg)^(−θ_cg), is the cell's target (θ: cells × genes)."""
    log_w = np.log(weights)
    log_w -= log_w.max(1, keepdims=True)
    def means(log_gamma):
        w = np.exp(np.exp(log_gamma)[:, None] * log_w)
        return w / w.sum(1, keepdims=True) * totals[:, None]
    low, high = np.full(len(weights), np.log(0.25)), np.full(len(weights), np.log(4.0))
    for _ in range(20):
        middle = (low + high) / 2
        mu = means(middle)
        detected = (-np.expm1(-theta * np.log1p(mu / theta))).sum(1)
        above = detected >= target
        low, high = np.where(above, middle, low), np.where(above, high, middle)
    return means((low + high) / 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    model, metadata = tensors(os.path.join(args.run, "count-model.safetensors"))
    if metadata.get("format") != "4":
        raise SystemExit(f"count_model_alone.py: {args.run}: count-model format {metadata.get('format')}, this script reads 4")
    k, target = int(metadata["components"]), float(metadata["target_sum"])
    mean, axes = model["basis_mean"], model["basis_axes"][:, :k]

    split = json.load(open(os.path.join(args.run, "split.json")))
    kept = anndata.read_h5ad(os.path.join(args.run, "cells.h5ad"))
    held_out = np.isin(kept.obs["row"].values.astype(int), split["heldOutCells"])
    rng = np.random.default_rng(args.seed)
    training = np.flatnonzero(~held_out)
    chosen = np.sort(rng.choice(training, size=min(int(held_out.sum()), len(training)), replace=False))
    x = kept.X[chosen]
    x = np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=np.float64)

    scores = (x - mean) @ axes
    smooth = scores @ axes.T + mean
    knots, means = model["calibration_values"], model["calibration_means"]
    m = np.stack([np.interp(smooth[:, j], knots[j], means[j]) for j in range(smooth.shape[1])], axis=1)
    m = np.minimum(np.maximum(m, model["floor"]), target) * model["scale"]

    reference = model["reference_scores"]
    squared = (scores ** 2).sum(1)[:, None] + (reference ** 2).sum(1)[None, :] - 2 * scores @ reference.T
    candidates = np.argsort(squared, axis=1, kind="stable")[:, :min(30, len(reference))]
    weights = model["reference_weights"][candidates]
    donors = np.array([rng.choice(row, p=w / w.sum()) for row, w in zip(candidates, weights)])

    theta = model["dispersion"][None, :] * model["reference_dispersion_factors"][donors][:, None]
    expected = sharpened(m, model["reference_totals"][donors], theta, model["reference_detected"][donors])
    counts = rng.negative_binomial(theta, theta / (theta + expected)).astype(np.float32)
    libraries = model["reference_library_sizes"][donors].astype(np.float32)
    out = anndata.AnnData(counts, obs=pd.DataFrame({"library_size": libraries}, index=[str(i) for i in range(len(counts))]),
                          var=kept.var.copy())
    out.layers["log1p_norm"] = np.log1p(counts / libraries[:, None] * np.float32(target))
    out.write_h5ad(args.out)


if __name__ == "__main__":
    main()
