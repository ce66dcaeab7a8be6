"""Re-linking badly placed HNSW rows (`matcher.ann.repair`) and the indexes built with it.

The data is clustered (300 tight clusters of 30 rows), as the million-row benchmark's is, and
large enough (9,000 rows) that a bulk add ranks its rows and re-links the worst linked share, and
that searches go through the graph (below 4,096 rows `HnswRows` scans).
"""

from __future__ import annotations

from dataclasses import replace

import faiss
import numpy as np
import pytest
from clustered_rows import CLUSTERS, DIMENSION, PER_CLUSTER, clustered

from matcher import VectorIndex
from matcher.ann import AnnSettings
from matcher.ann.hnsw import HnswRows
from matcher.ann.repair import closest_link

SETTINGS = AnnSettings(threshold=100, m=8, ef_construction=32, ef_search=64, repair_share=0.05)


VECTORS = clustered(CLUSTERS * PER_CLUSTER, seed=1)
QUERIES = clustered(40, seed=2)
IDS = [f"row-{i}" for i in range(VECTORS.shape[0])]
# Row i is in cluster i % CLUSTERS: every cluster has rows of each level.
ATTRIBUTES = [{"level": ("mbo", "hbo", "wo")[i // CLUSTERS % 3]} for i in range(len(VECTORS))]


def level0(rows: HnswRows) -> tuple[np.ndarray, np.ndarray, int]:
    hnsw = rows._index.hnsw
    links = faiss.rev_swig_ptr(hnsw.neighbors.data(), hnsw.neighbors.size())
    starts = faiss.vector_to_array(hnsw.offsets)[:-1].astype(np.int64)
    return links, starts, hnsw.nb_neighbors(0)


def neighbours(rows: HnswRows, label: int) -> np.ndarray:
    links, starts, width = level0(rows)
    own = links[starts[label] : starts[label] + width]
    return own[own >= 0].astype(np.int64)


def test_closest_link_is_the_most_similar_level0_neighbour() -> None:
    rows = HnswRows(DIMENSION, replace(SETTINGS, repair_share=0), VECTORS)
    labels = np.arange(len(rows))
    found = closest_link(rows._index, labels, VECTORS)
    stored = rows._index.reconstruct_n(0, len(rows))
    expected = [max(stored[neighbours(rows, label)] @ VECTORS[label]) for label in labels]
    assert found == pytest.approx(expected, abs=1e-5)


def test_a_row_linked_into_the_wrong_cluster_is_found_again_after_the_repair() -> None:
    rows = HnswRows(DIMENSION, replace(SETTINGS, repair_share=0), VECTORS)
    links, starts, width = level0(rows)
    levels = rows._index.hnsw.levels
    # a row on level 0 only, so that no upper level leads a search to it
    lost = next(label for label in range(len(rows)) if levels.at(label) == 1)
    elsewhere = np.flatnonzero(np.arange(len(rows)) % CLUSTERS == (lost + 1) % CLUSTERS)
    for label in range(len(rows)):  # no row links to it any more ...
        own = links[starts[label] : starts[label] + width]
        kept = own[(own >= 0) & (own != lost)]
        own[:] = -1
        own[: kept.size] = kept
    own = links[starts[lost] : starts[lost] + width]  # ... and it links into another cluster
    own[:] = -1
    own[: min(width, elsewhere.size)] = elsewhere[:width]
    assert lost not in rows.nearest(VECTORS[lost], 5).positions  # the damage is real

    rows.settings = SETTINGS
    rows._repair(np.arange(len(rows)), VECTORS)
    assert rows.nearest(VECTORS[lost], 1).positions.tolist() == [lost]
    mates = np.flatnonzero(np.arange(len(rows)) % CLUSTERS == lost % CLUSTERS)
    assert set(neighbours(rows, lost)[:5]) <= set(mates)


def test_after_a_bulk_add_the_level0_lists_stay_well_formed() -> None:
    """faiss reads a row's neighbours up to the first empty slot: re-linked lists must stay
    packed, without duplicates or self-links."""
    rows = HnswRows(DIMENSION, SETTINGS, VECTORS)
    assert np.isfinite(rows._repair_below)
    links, starts, width = level0(rows)
    for label in range(len(rows)):
        own = links[starts[label] : starts[label] + width]
        valid = own >= 0
        assert not valid[np.argmin(valid) :].any() or valid.all()  # no hole before a link
        linked = own[valid]
        assert len(set(linked.tolist())) == linked.size
        assert label not in linked and linked.max() < len(rows)


def indexes(settings: AnnSettings = SETTINGS) -> tuple[VectorIndex, VectorIndex]:
    exact = VectorIndex(dimension=DIMENSION)
    exact.add(IDS, VECTORS, ATTRIBUTES)
    approximate = VectorIndex(dimension=DIMENSION, ann=settings)
    approximate.add(IDS, VECTORS, ATTRIBUTES)
    return exact, approximate


def answers(index: VectorIndex, **kwargs) -> list[list[str]]:
    return [[hit.id for hit in index.search(query, 10, **kwargs)] for query in QUERIES]


def assert_exact(found: list[list[str]], expected: list[list[str]]) -> None:
    """The same rows, up to the order of rows whose cosines int8 cannot tell apart."""
    by_id = dict(zip(IDS, VECTORS, strict=True))
    for query, found_ids, expected_ids in zip(QUERIES, found, expected, strict=True):
        assert len(found_ids) == len(expected_ids) == len(set(found_ids))
        found_scores = [float(by_id[id_] @ query) for id_ in found_ids]
        expected_scores = [float(by_id[id_] @ query) for id_ in expected_ids]
        assert found_scores == pytest.approx(expected_scores, abs=2e-3)


def test_a_repaired_index_gives_the_exact_answer_with_filters_and_deletes() -> None:
    exact, approximate = indexes()
    assert approximate.approximate
    assert_exact(answers(approximate), answers(exact))
    filters = {"level": ["hbo", "wo"]}  # 6,000 rows: through the graph
    found = answers(approximate, filters=filters)
    assert_exact(found, answers(exact, filters=filters))
    assert all(ATTRIBUTES[IDS.index(id_)]["level"] != "mbo" for ids in found for id_ in ids)
    removed = IDS[100:160]
    for index in (exact, approximate):
        index.remove(removed)
    assert_exact(answers(approximate), answers(exact))
    for vector in VECTORS[100:160]:
        assert not set(removed) & {hit.id for hit in approximate.search(vector, 20)}


def test_a_saved_repaired_graph_reads_back_and_relinks_later_rows_alike(tmp_path) -> None:
    _, approximate = indexes()
    graph = approximate._graph
    assert graph is not None
    graph.save(tmp_path / "graph")
    loaded = HnswRows.load(tmp_path / "graph", SETTINGS)
    assert loaded._repair_below == graph._repair_below
    later = clustered(30, seed=3)
    for rows in (graph, loaded):
        for vector in later:  # one at a time, as the service adds profiles
            rows.append(vector[None, :])
    for query in QUERIES:
        before, after = graph.nearest(query, 10), loaded.nearest(query, 10)
        assert after.positions.tolist() == before.positions.tolist()
    assert [neighbours(loaded, label).tolist() for label in range(len(loaded))] == [
        neighbours(graph, label).tolist() for label in range(len(graph))
    ]
