"""The Swift generator, the cell order and the prepared cells, against what the Swift side wrote."""

import json

import anndata
import numpy as np

from conftest import DATA, needs_wbdit, wbdit
from wbdit_torch.rng import SeededGenerator, epoch_order
from wbdit_torch.rundir import RunDirectory, fnv1a_file, prepare_cells


def held_out_split(cells: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """`HeldOutSplit.init` without labels, written with this package's generator."""
    members = list(range(cells))
    g = SeededGenerator(seed + 0x5EED)
    for i in range(cells - 1, 0, -1):
        j = g.next() % (i + 1)
        members[i], members[j] = members[j], members[i]
    count = int(fraction * cells + 0.5)          # Swift's rounded(): half away from zero
    held = sorted(members[:count])
    return [c for c in range(cells) if c not in set(held)], held


@needs_wbdit
def test_generator_reproduces_the_swift_split(swift_runs):
    run = swift_runs["pca"]
    split = json.loads((run / "split.json").read_text())
    cells = json.loads((run / "config.json").read_text())["data"]["cells"]
    train, held = held_out_split(cells, split["fraction"], split["seed"])
    assert train == split["trainCells"]
    assert held == split["heldOutCells"]


def test_generator_state_round_trip_and_ranges():
    g = SeededGenerator(7, stream=3)
    text = g.state_string()
    h = SeededGenerator.from_state_string(text)
    assert [g.next() for _ in range(5)] == [h.next() for _ in range(5)]
    u = [g.next_uniform() for _ in range(1000)]
    assert 0 <= min(u) and max(u) < 1
    z = g.normals(20000)
    assert z.dtype == np.float32 and abs(float(z.mean())) < 0.03 and abs(float(z.std()) - 1) < 0.03
    order = epoch_order(0, 3, 50)
    assert sorted(order.tolist()) == list(range(50)) and order.tolist() != list(range(50))
    # skip(n) advances exactly like n draws
    a, b = SeededGenerator(1), SeededGenerator(1)
    a.skip(9)
    for _ in range(9):
        b.next()
    assert a.state == b.state


@needs_wbdit
def test_prepared_cells_equal_wbdit_prep_bit_for_bit(swift_runs, tmp_path):
    run = RunDirectory(swift_runs["pca"])
    data = run.config["data"]
    assert fnv1a_file(DATA) == data["checksum"]
    out = tmp_path / "prepared.h5ad"
    wbdit("prep", DATA, "--out", out, "--top-genes", "20")
    reference = anndata.read_h5ad(out)
    x = reference.X.toarray() if hasattr(reference.X, "toarray") else np.asarray(reference.X)
    prepared = prepare_cells(DATA, data)
    assert prepared.gene_names == list(reference.var_names) == data["geneNames"]
    assert np.array_equal(prepared.values, x)


@needs_wbdit
def test_training_cells_are_the_split_rows_in_principal_components(swift_runs):
    run = RunDirectory(swift_runs["pca"])
    cells, classes = run.training_cells()
    split = run.split()
    assert cells.shape == (len(split["trainCells"]), 10) and classes is None
    mean, axes = run.basis()
    prepared = prepare_cells(DATA, run.config["data"]).values[split["trainCells"]]
    assert np.allclose(cells, (prepared - mean) @ axes, atol=1e-5)
    # the scores are centred on the training cells' mean
    assert np.abs(cells.mean(axis=0)).max() < 1e-4


@needs_wbdit
def test_conditional_run_reads_its_classes(swift_runs):
    run = RunDirectory(swift_runs["cond"])
    cells, classes = run.training_cells()
    names = run.config["labelNames"]
    assert cells.shape[1] == 20 and classes.shape == (cells.shape[0],)
    assert set(classes.tolist()) <= set(range(len(names)))


@needs_wbdit
def test_two_attribute_run_reads_a_class_per_column(swift_runs):
    run = RunDirectory(swift_runs["cond2"])
    cells, classes = run.training_cells()
    first, second = run.config["labelNames"]
    assert classes.shape == (cells.shape[0], 2)
    assert classes[:, 0].max() < len(first) and classes[:, 1].max() < len(second)
