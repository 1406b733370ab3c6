"""Scores a run's generated cells with GGE (`pip install gge-eval`), the Gen2 workshop's
evaluator of generated expression, so that our figures compare with published ones: the
run's held-out cells against the generated cells, and, as the floor, against as many of
the run's training cells, all log-normalised as the run prepared them, over the run's genes.

    python3 benchmarks/gge_score.py --run RUN --generated cells.h5ad [--labels COLUMN] > gge.json

The generated file is what `wbdit sample --out` (or benchmarks/scvi_peer.py) writes: its
`layers["log1p_norm"]` is scored. With --labels, GGE matches cells by type (generated cells
take the type of their nearest held-out cells by a 5-nearest-neighbour vote in 50 PCs, as
`wbdit eval` does); otherwise all cells form one group. Prints one JSON object: per metric,
the generated cells' mean over groups and the floor's."""
import argparse
import json
import os
import warnings

import anndata
import numpy as np
import scipy.sparse as sp


def prepared(run):
    """The run's cells over its genes, log-normalised with whole-transcriptome sizes, with the split."""
    config = json.load(open(os.path.join(run, "config.json")))
    split = json.load(open(os.path.join(run, "split.json")))
    data, prep = config["data"], config["data"]["preparation"]
    a = anndata.read_h5ad(data["path"])
    x = sp.csr_matrix(a.X).astype(np.float64)
    sizes = np.asarray(x.sum(1)).ravel()
    index = {n: j for j, n in enumerate(a.var_names)}
    genes = [index[n] for n in data["geneNames"]]
    values = np.log1p(x[:, genes].toarray() / sizes[:, None] * prep["targetSum"])
    return a, values, data["geneNames"], np.array(split["trainCells"]), np.array(split["heldOutCells"])


def kept_types(reference, labels, cells):
    from sklearn.decomposition import PCA
    from sklearn.neighbors import KNeighborsClassifier
    pca = PCA(min(50, reference.shape[1] - 1), random_state=0).fit(reference)
    return KNeighborsClassifier(5).fit(pca.transform(reference), labels).predict(pca.transform(cells))


def score(real, generated, genes, real_types, generated_types):
    from gge import evaluate
    def adata(values, types, tag):
        a = anndata.AnnData(values.astype(np.float32))
        a.var_names = genes
        a.obs_names = [f"{tag}{i}" for i in range(len(values))]
        a.obs["group"] = list(types)
        return a
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate(adata(real, real_types, "r"), adata(generated, generated_types, "g"), condition_columns=["group"],
                          verbose=False)
    figures = {}
    for split in result.splits.values():
        for condition in split.conditions.values():
            for name, metric in condition.metrics.items():
                figures.setdefault(name, []).append(float(metric.aggregate_value))
    return {name: float(np.nanmean(values)) for name, values in figures.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", required=True)
    p.add_argument("--generated", required=True)
    p.add_argument("--labels")
    args = p.parse_args()
    a, values, genes, train, held_out = prepared(args.run)
    generated = anndata.read_h5ad(args.generated)
    g = np.asarray(generated.layers["log1p_norm"].todense() if sp.issparse(generated.layers["log1p_norm"])
                   else generated.layers["log1p_norm"], dtype=np.float64)
    rng = np.random.default_rng(0)
    peer = np.sort(rng.choice(train, len(held_out), replace=False))
    real = values[held_out]
    if args.labels:
        types = a.obs[args.labels].astype(str).values
        real_types, peer_types = types[held_out], types[peer]
        generated_types = kept_types(real, real_types, g)
    else:
        real_types = peer_types = generated_types = None
    ones = lambda n: ["all"] * n
    ours = score(real, g, genes, real_types if args.labels else ones(len(real)),
                 generated_types if args.labels else ones(len(g)))
    floor = score(real, values[peer], genes, real_types if args.labels else ones(len(real)),
                  peer_types if args.labels else ones(len(peer)))
    print(json.dumps({"generated": ours, "floor": floor}, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
