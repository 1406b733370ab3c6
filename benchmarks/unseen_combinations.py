"""Cells for combinations of attributes never seen in training (issue 40), against two baselines.

Every cell of the left-out combinations (say cell_type=B with condition=stim) is removed from
a counts .h5ad before training; wbdit is trained on the rest with both columns as labels (the
default command otherwise), then asked for as many cells of each left-out combination as were
removed. Beside it:

  nearest  the attribute-wise nearest training cells: real training cells of the same first
           attribute in another value of the second (B cells of the control condition);
  scVI     scvi-tools' SCVI with the second attribute as its batch covariate, trained on the
           same cells and genes for the same time on the same threads; counterfactual counts
           for the same training cells as `nearest`, decoded as the left-out value.

Each method's cells are scored against the real left-out cells by `wbdit eval` (log-normalised
over the run's genes, 20 principal components, floors from two halves of the real cells), and
per attribute by a 5-nearest-neighbour classifier of the training cells (50 principal
components of the run's genes), which also scores the real left-out cells. The same is done
for the largest seen combinations, with cells held out at random from training.

    python3 benchmarks/unseen_combinations.py --data D.h5ad --attributes cell_type,condition \\
        --leave-out cell_type=B,condition=stim [--leave-out …] --out DIR [--time-budget 900]

Writes DIR/train.h5ad, DIR/run (the wbdit run), DIR/cells/*.h5ad, DIR/scores.json and prints a
markdown table. Steps already done (a run with a checkpoint, cells written) are kept.
Needs a release build (make build), anndata, scikit-learn and scvi-tools.
"""
import argparse
import json
import os
import subprocess
import time

import anndata
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier

WBDIT = os.environ.get("WBDIT", ".build/release/wbdit")


def combination(columns, values):
    return ",".join(f"{c}={v}" for c, v in zip(columns, values))


def parse(label, columns):
    parts = dict(p.split("=", 1) for p in label.split(","))
    return tuple(parts[c] for c in columns)


def log_normalised(counts, whole, genes, target=1e4):
    x = sp.csr_matrix(counts)[:, genes].toarray().astype(np.float64)
    return np.log1p(x / whole[:, None] * target).astype(np.float32)


def run(cmd, log):
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        subprocess.run(cmd, check=True, stdout=f, stderr=subprocess.STDOUT)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--attributes", required=True, help="two obs columns: the kept attribute, then the varied one")
    p.add_argument("--leave-out", action="append", required=True, help="COL=A,COL=B: a combination to leave out")
    p.add_argument("--out", required=True)
    p.add_argument("--time-budget", type=float, default=900)
    p.add_argument("--seen", type=int, default=3, help="seen combinations scored too (the largest)")
    p.add_argument("--max-cells", type=int, default=500, help="real cells scored per combination, at most (a random subset)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    columns = args.attributes.split(",")
    assert len(columns) == 2, "two attributes"
    os.makedirs(os.path.join(args.out, "cells"), exist_ok=True)
    log = os.path.join(args.out, "log.txt")
    rng = np.random.default_rng(args.seed)

    adata = anndata.read_h5ad(args.data)
    counts = sp.csr_matrix(adata.X).astype(np.float32)
    if (counts.data != np.round(counts.data)).any():
        raise SystemExit(f"{args.data}: X is not counts")
    values = np.array([tuple(str(v) for v in row) for row in adata.obs[columns].astype(str).values], dtype=object)
    keys = np.array([combination(columns, v) for v in values])
    left = [combination(columns, parse(label, columns)) for label in args.leave_out]
    for label in left:
        if not (keys == label).any():
            raise SystemExit(f"no cells of {label}")
    is_left = np.isin(keys, left)
    rest = np.flatnonzero(~is_left)
    seen_test = rng.choice(rest, size=len(rest) // 10, replace=False)
    is_seen_test = np.zeros(len(keys), bool)
    is_seen_test[seen_test] = True
    train = np.flatnonzero(~is_left & ~is_seen_test)

    train_path = os.path.join(args.out, "train.h5ad")
    if not os.path.exists(train_path):
        t = anndata.AnnData(counts[train])
        t.var_names = list(adata.var_names)
        for a, c in enumerate(columns):
            t.obs[c] = np.array([v[a] for v in values[train]], dtype=object)
            t.obs[c] = t.obs[c].astype("category")
        t.write_h5ad(train_path, compression="gzip")
    run_path = os.path.join(args.out, "run")
    if not os.path.exists(os.path.join(run_path, "latest")):
        run([WBDIT, "train", "--data", train_path, "--labels", ",".join(columns), "--time-budget", str(args.time_budget),
             "--run", run_path], log)
    config = json.load(open(os.path.join(run_path, "config.json")))
    names = list(adata.var_names)
    index = {n: j for j, n in enumerate(names)}
    genes = [index[n] for n in config["data"]["geneNames"]]
    whole = np.asarray(counts.sum(1)).ravel().astype(np.float64)

    seen_keys, seen_sizes = np.unique(keys[seen_test], return_counts=True)
    seen = [k for _, k in sorted(zip(-seen_sizes, seen_keys))][: args.seen]
    asked = [(k, "unseen", np.flatnonzero(keys == k)) for k in left] + [(k, "seen", seen_test[keys[seen_test] == k]) for k in seen]

    # The classifiers of each attribute, on the training cells' principal components.
    x_train = log_normalised(counts[train], whole[train], genes)
    pca = PCA(n_components=50, random_state=0).fit(x_train)
    z_train = pca.transform(x_train)
    classifiers = [KNeighborsClassifier(5).fit(z_train, [v[a] for v in values[train]]) for a in range(2)]

    scvi_model = train_scvi(counts, train, genes, values, columns, args, log)
    results = []
    for k, kind, rows in asked:
        want = parse(k, columns)
        if len(rows) > args.max_cells:
            rows = np.sort(rng.choice(rows, size=args.max_cells, replace=False))
        n = len(rows)
        real = log_normalised(counts[rows], whole[rows], genes)
        donors_all = train[[v[0] == want[0] and v[1] != want[1] for v in values[train]]]
        # A seen combination whose counterpart was left out has no cells to borrow from.
        donors = rng.choice(donors_all, size=n, replace=len(donors_all) < n) if len(donors_all) else None
        tag = k.replace("/", "_").replace(",", "__").replace(" ", "_")
        cells = {}
        ours = os.path.join(args.out, "cells", f"ours-{tag}.h5ad")
        for compose in ("joint", "product"):
            path = ours.replace("ours-", f"ours-{compose}-")
            if not os.path.exists(path):
                run([WBDIT, "sample", "--run", run_path, "--n", str(n), "--label", k, "--compose", compose, "--out", path], log)
            g = anndata.read_h5ad(path)
            cells[f"wbdit ({compose})"] = np.asarray(g.layers["log1p_norm"].todense() if sp.issparse(g.layers["log1p_norm"])
                                                     else g.layers["log1p_norm"], dtype=np.float32)
        if donors is not None:
            cells["nearest training cells"] = log_normalised(counts[donors], whole[donors], genes)
            cells["scVI (counterfactual)"] = scvi_counterfactual(scvi_model, counts, donors, genes, whole, want[1])
        for method, x in cells.items():
            stem = method.split(" (")[0].replace(" ", "-") + ("-" + method.split("(")[1].rstrip(")") if "(" in method else "")
            score = score_cells(real, x, os.path.join(args.out, "cells", f"{tag}-{stem}"), log)
            z = pca.transform(x)
            for a in range(2):
                score[f"accuracy_{columns[a]}"] = float(np.mean(classifiers[a].predict(z) == want[a]))
            results.append({"combination": k, "kind": kind, "cells": n, "method": method, **score})
        z_real = pca.transform(real)
        results.append({"combination": k, "kind": kind, "cells": n, "method": "real (left-out cells)",
                        **{f"accuracy_{columns[a]}": float(np.mean(classifiers[a].predict(z_real) == want[a])) for a in range(2)}})
    json.dump(results, open(os.path.join(args.out, "scores.json"), "w"), indent=1)
    print(table(results, columns))


def score_cells(real, generated, stem, log):
    np.save(stem + "-real.npy", real)
    np.save(stem + "-gen.npy", generated)
    out = subprocess.run([WBDIT, "eval", "--real", stem + "-real.npy", "--generated", stem + "-gen.npy", "--components", "20",
                          "--json"], check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    keep = ["mmd2_rbf", "knn_auc", "gene_gene_corr_r", "wasserstein1_gene_mean", "gene_mean_pearson", "gene_variance_pearson"]
    return {k: report.get(k) for k in keep} | {k + "_floor": report.get(k + "_floor") for k in keep}


def train_scvi(counts, train, genes, values, columns, args, log):
    import scvi
    import torch
    torch.set_num_threads(2)
    scvi.settings.seed = args.seed
    path = os.path.join(args.out, "scvi-model")
    t = anndata.AnnData(counts[train][:, genes])
    t.obs["batch"] = [v[1] for v in values[train]]
    scvi.model.SCVI.setup_anndata(t, batch_key="batch")
    if os.path.exists(path):
        return scvi.model.SCVI.load(path, adata=t)
    model = scvi.model.SCVI(t)
    started = time.time()
    model.train(accelerator="cpu", max_time={"seconds": args.time_budget}, enable_progress_bar=False)
    with open(log, "a") as f:
        f.write(f"scVI {scvi.__version__}: {model.history['elbo_train'].shape[0]} epochs in {time.time() - started:.0f} s\n")
    model.save(path)
    return model


def scvi_counterfactual(model, counts, donors, genes, whole, value):
    """The donors' counts encoded, then decoded with the batch set to `value` and sampled."""
    d = anndata.AnnData(counts[donors][:, genes])
    d.obs["batch"] = value
    drawn = model.posterior_predictive_sample(d, n_samples=1)
    drawn = np.asarray(drawn.todense() if hasattr(drawn, "todense") else drawn, dtype=np.float64).reshape(len(donors), -1)
    return np.log1p(drawn / whole[donors][:, None] * 1e4).astype(np.float32)


def table(results, columns):
    head = ["combination", "seen?", "cells", "method", "MMD² (floor)", "kNN AUC (floor)", "gene–gene r (floor)",
            f"{columns[0]} recognised", f"{columns[1]} recognised"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    f = lambda v: "–" if v is None else f"{v:.3f}"
    for r in results:
        lines.append("| " + " | ".join([r["combination"], r["kind"], str(r["cells"]), r["method"],
                                        f"{f(r.get('mmd2_rbf'))} ({f(r.get('mmd2_rbf_floor'))})",
                                        f"{f(r.get('knn_auc'))} ({f(r.get('knn_auc_floor'))})",
                                        f"{f(r.get('gene_gene_corr_r'))} ({f(r.get('gene_gene_corr_r_floor'))})",
                                        f(r.get(f"accuracy_{columns[0]}")), f(r.get(f"accuracy_{columns[1]}"))]) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
