"""The peer for generated counts: scVI (scvi-tools, from PyPI) trained on a wbdit run's own
training counts, on the same threads and for the same time budget, then as many cells as
the run holds out generated from its prior with negative-binomial sampling. Written as
`wbdit sample` writes counts, so `wbdit eval --run RUN --generated OUT` scores it in the
run's space and floors:

    python3 benchmarks/scvi_peer.py --run runs/demo --out scvi.h5ad --time-budget 900
    wbdit eval --run runs/demo --generated scvi.h5ad

scVI models the run's genes (its highly variable genes); each generated cell takes the
library size of a random training cell over those genes (scVI's own library) and is
log-normalised with the same cell's whole-transcriptome size, as the training cells were.
"""
import argparse
import json
import os
import time

import anndata
import numpy as np
import scipy.sparse as sp


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, help="a wbdit run directory")
    p.add_argument("--out", required=True, help="the generated cells (.h5ad)")
    p.add_argument("--time-budget", type=float, default=900, help="seconds of training (default 900)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    import scvi
    scvi.settings.seed = args.seed

    config = json.load(open(os.path.join(args.run, "config.json")))
    split = json.load(open(os.path.join(args.run, "split.json")))
    data, prep = config["data"], config["data"]["preparation"]
    if prep["minimumGenes"] or prep["minimumCells"] or prep["scaleGenes"]:
        raise SystemExit("scvi_peer.py: runs with cell or gene filters or scaled genes are not supported")
    adata = anndata.read_h5ad(data["path"])
    source = prep["source"]
    matrix = adata.X if source == "X" else adata.raw.X if source in ("raw", "raw/X") else adata.layers[source.split("/", 1)[1]]
    matrix = sp.csr_matrix(matrix).astype(np.float32)
    if (matrix.data != np.round(matrix.data)).any():
        raise SystemExit(f"scvi_peer.py: {data['path']} {source} is not counts")
    names = list(adata.var_names if source not in ("raw", "raw/X") else adata.raw.var_names)
    index = {n: j for j, n in enumerate(names)}
    genes = [index[n] for n in data["geneNames"]]
    train = np.array(split["trainCells"])
    whole = np.asarray(matrix[train].sum(1)).ravel()
    counts = matrix[train][:, genes]
    cells = anndata.AnnData(counts)
    cells.var_names = data["geneNames"]
    scvi.model.SCVI.setup_anndata(cells)
    model = scvi.model.SCVI(cells)
    started = time.time()
    model.train(accelerator="cpu", max_time={"seconds": args.time_budget}, enable_progress_bar=False)
    seconds = time.time() - started
    epochs = model.history["elbo_train"].shape[0]

    n = len(split["heldOutCells"])
    rng = np.random.default_rng(args.seed)
    donors = rng.integers(0, len(train), n)
    library = np.asarray(counts.sum(1)).ravel()[donors]
    module = model.module
    with torch.no_grad():
        z = torch.randn(n, module.n_latent, generator=torch.Generator().manual_seed(args.seed))
        out = module.generative(z=z, library=torch.log(torch.tensor(library, dtype=torch.float32)).unsqueeze(1),
                                batch_index=torch.zeros(n, 1, dtype=torch.long))
        drawn = out["px"].sample().numpy().astype(np.float32)
    size = whole[donors].astype(np.float64)
    result = anndata.AnnData(drawn)
    result.var_names = data["geneNames"]
    result.obs_names = [f"scvi-{i}" for i in range(n)]
    result.layers["log1p_norm"] = np.log1p(drawn / size[:, None] * prep["targetSum"]).astype(np.float32)
    result.obs["total_counts"] = drawn.sum(1).astype(np.float64)
    result.obs["n_genes_by_counts"] = (drawn > 0).sum(1).astype(np.float64)
    result.obs["library_size"] = size
    result.uns["scvi"] = {"epochs": int(epochs), "train_seconds": seconds, "version": scvi.__version__}
    result.write_h5ad(args.out)
    print(f"scVI {scvi.__version__}: {epochs} epochs in {seconds:.0f} s on {len(train)} cells x {len(genes)} genes; "
          f"wrote {args.out} ({n} cells)")


if __name__ == "__main__":
    main()
