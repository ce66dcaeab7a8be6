"""Where a graph search starts: the best of the upper-level rows (`AnnSettings.entry_level`).

The data is clustered (300 tight clusters of 30 rows) and large enough (9,000 rows) that
`HnswRows` searches through its graph, not by a scan.
"""

from __future__ import annotations

from dataclasses import replace

import faiss
import numpy as np
import pytest
from clustered_rows import CLUSTERS, DIMENSION, PER_CLUSTER, clustered

from matcher.ann import AnnSettings
from matcher.ann.hnsw import HnswRows

# A narrow search (efSearch 16): one that starts in the wrong cluster stays there.
SETTINGS = AnnSettings(
    threshold=100, m=8, ef_construction=32, ef_search=16, repair_share=0, entry_level=1
)


VECTORS = clustered(CLUSTERS * PER_CLUSTER, seed=1)
QUERIES = clustered(60, seed=2)
TRUTH = np.argsort(-(QUERIES @ VECTORS.T), axis=1)[:, :10]


def recall(rows: HnswRows) -> float:
    found = [set(rows.nearest(query, 10).positions.tolist()) for query in QUERIES]
    hits = [len(f & set(t.tolist())) for f, t in zip(found, TRUTH, strict=True)]
    return float(np.mean(hits)) / 10


def strand_faiss_entry(rows: HnswRows) -> None:
    """Make faiss' own descent end where no search gets out: drop every link above level 0 (the
    descent then stays at faiss' entry point), and every level-0 link from the entry point's
    cluster to another one."""
    hnsw = rows._index.hnsw
    links = faiss.rev_swig_ptr(hnsw.neighbors.data(), hnsw.neighbors.size())
    offsets = faiss.vector_to_array(hnsw.offsets).astype(np.int64)
    width = hnsw.nb_neighbors(0)
    island = hnsw.entry_point % CLUSTERS  # row i is in cluster i % CLUSTERS
    for label in range(rows._index.ntotal):
        links[offsets[label] + width : offsets[label + 1]] = -1
        if label % CLUSTERS == island:
            own = links[offsets[label] : offsets[label] + width]
            kept = own[(own >= 0) & (own % CLUSTERS == island)]
            own[:] = -1
            own[: kept.size] = kept


def test_the_entry_rows_are_the_upper_level_rows_with_their_own_codes() -> None:
    rows = HnswRows(DIMENSION, SETTINGS, VECTORS)
    entries = rows._entry_rows()
    assert entries is not None
    levels = faiss.vector_to_array(rows._index.hnsw.levels)  # level + 1
    assert entries.labels.tolist() == np.flatnonzero(levels > 1).tolist()
    assert 0 < len(entries) < len(rows) // 4
    stored = rows._index.reconstruct_batch(entries.labels.astype(np.int64))
    copies = entries._codes.reconstruct_n(0, len(entries))
    assert np.array_equal(copies, stored)


def test_a_search_that_faiss_would_start_far_away_starts_in_the_querys_cluster() -> None:
    with_entries = HnswRows(DIMENSION, SETTINGS, VECTORS)
    strand_faiss_entry(with_entries)
    without = HnswRows.__new__(HnswRows)
    without.__dict__.update(with_entries.__dict__)  # the same damaged graph
    without.settings = replace(SETTINGS, entry_level=0)
    without._entries = None
    assert recall(without) < 0.1  # the damage is real: searches stay in the entry's cluster
    assert recall(with_entries) >= 0.95


def test_the_entry_rows_count_in_the_memory_and_follow_added_rows() -> None:
    rows = HnswRows(DIMENSION, SETTINGS, VECTORS[:6000])
    before = rows._entry_rows()
    assert before is not None
    with_entries = rows.memory_bytes()
    rows.settings = replace(SETTINGS, entry_level=0)
    assert with_entries - rows.memory_bytes() == before.nbytes > 0
    rows.settings = SETTINGS
    rows.append(VECTORS[6000:])
    after = rows._entry_rows()
    assert after is not None and after.total == len(VECTORS)
    levels = faiss.vector_to_array(rows._index.hnsw.levels)
    assert after.labels.tolist() == np.flatnonzero(levels > 1).tolist()


@pytest.mark.parametrize("change", ["remove", "replace"])
def test_a_removed_or_replaced_entry_row_leaves_no_copy_behind(change: str) -> None:
    rows = HnswRows(DIMENSION, SETTINGS, VECTORS)
    entries = rows._entry_rows()
    assert entries is not None
    label = int(entries.labels[len(entries) // 2])
    position = int(rows._label_position[label])
    gone = VECTORS[position]
    if change == "remove":
        rows.remove(position)
    else:
        rows.replace(np.array([position]), clustered(1, seed=9))
    now = rows._entry_rows()
    assert now is not None
    copies = now._codes.reconstruct_n(0, len(now))
    assert label in now.labels.tolist()  # a dead row still routes, by its stand-in code
    assert (copies @ gone).max() < 0.99
    assert recall(rows) >= 0.9


def test_a_saved_graph_reads_back_and_starts_its_searches_alike(tmp_path) -> None:
    rows = HnswRows(DIMENSION, SETTINGS, VECTORS)
    rows.save(tmp_path / "graph")
    loaded = HnswRows.load(tmp_path / "graph", SETTINGS)
    for query in QUERIES:
        before, after = rows.nearest(query, 10), loaded.nearest(query, 10)
        assert after.positions.tolist() == before.positions.tolist()
    assert loaded.memory_bytes() == rows.memory_bytes()
