"""The approximate index (HNSW above a threshold) and the ranker's candidate path.

The threshold is forced low so that small data goes through the graph; small data is searched
nearly exhaustively by it, so its answers must be the exact index's.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from matcher import MatcherError, VectorIndex
from matcher.ann import AnnSettings
from matcher.ann.hnsw import HnswRows
from matcher.encoders import HashingEncoder
from matcher.ranker import HybridRanker, Match, Weights

DIMENSION = 32
ROWS = 400
STORAGES = ["int8", "float16"]


def unit_rows(count: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, DIMENSION)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


IDS = [f"row-{i}" for i in range(ROWS)]
VECTORS = unit_rows(ROWS, seed=1)
QUERIES = unit_rows(40, seed=2)
# Every row has a level; one row in fifty is in community "klein" (8 rows in all).
ATTRIBUTES = [
    {"level": ("mbo", "hbo", "wo")[i % 3], "community": "klein" if i % 50 == 0 else "groot"}
    for i in range(ROWS)
]


def indexes(storage: str, threshold: int = 20) -> tuple[VectorIndex, VectorIndex]:
    """The same rows in an exact index and in one that turned approximate."""
    exact = VectorIndex(dimension=DIMENSION)
    exact.add(IDS, VECTORS, ATTRIBUTES)
    approximate = VectorIndex(
        dimension=DIMENSION, ann=AnnSettings(threshold=threshold, storage=storage)
    )
    # Added in two steps: the graph is made at the threshold and then grows.
    approximate.add(IDS[:50], VECTORS[:50], ATTRIBUTES[:50])
    approximate.add(IDS[50:], VECTORS[50:], ATTRIBUTES[50:])
    return exact, approximate


def answers(index: VectorIndex, k: int = 10, **kwargs) -> list[list[str]]:
    return [[hit.id for hit in index.search(query, k, **kwargs)] for query in QUERIES]


#: How far a stored score may be from the exact cosine: int8 keeps about two decimals.
TOLERANCE = {"int8": 0.01, "float16": 0.001}


def assert_exact(
    found: list[list[str]],
    expected: list[list[str]],
    storage: str,
    vectors: dict[str, np.ndarray] | None = None,
) -> None:
    """The same answer, up to the order of rows whose exact cosines are within the tolerance
    (quantised vectors cannot tell them apart): rank by rank, the exact cosine of the row
    found is the exact cosine of the row expected."""
    by_id = vectors or dict(zip(IDS, VECTORS, strict=True))
    for query, found_ids, expected_ids in zip(QUERIES, found, expected, strict=True):
        assert len(found_ids) == len(expected_ids)
        assert len(set(found_ids)) == len(found_ids)
        found_scores = [float(by_id[id_] @ query) for id_ in found_ids]
        expected_scores = [float(by_id[id_] @ query) for id_ in expected_ids]
        assert found_scores == pytest.approx(expected_scores, abs=TOLERANCE[storage])


@pytest.mark.parametrize("storage", STORAGES)
def test_on_small_data_the_approximate_index_gives_the_exact_answer(storage: str) -> None:
    exact, approximate = indexes(storage)
    assert approximate.approximate and not exact.approximate
    assert_exact(answers(approximate), answers(exact), storage)
    hits = approximate.search(QUERIES[0], 5)
    expected = exact.search(QUERIES[0], 5)
    assert [hit.score for hit in hits] == pytest.approx(
        [hit.score for hit in expected], abs=TOLERANCE[storage]
    )


def test_below_the_threshold_the_index_stays_exact_and_turns_at_it() -> None:
    index = VectorIndex(dimension=DIMENSION, ann=AnnSettings(threshold=100))
    index.add(IDS[:99], VECTORS[:99])
    assert not index.approximate
    index.add(IDS[99:100], VECTORS[99:100])
    assert index.approximate
    assert index._matrix.size == 0  # the float32 rows were freed: the graph holds them


@pytest.mark.parametrize("storage", STORAGES)
@pytest.mark.parametrize(
    "filters",
    [
        {"level": ["hbo"]},  # a third of the rows: searched through the graph
        {"level": ["mbo", "wo"], "community": ["groot"]},
        {"community": ["klein"]},  # 8 rows, fewer than the threshold: an exact scan
    ],
)
def test_filters_are_respected_and_give_the_exact_answer(storage: str, filters: dict) -> None:
    exact, approximate = indexes(storage)
    found = answers(approximate, filters=filters)
    assert_exact(found, answers(exact, filters=filters), storage)
    for ids in found:
        for id_ in ids:
            attributes = ATTRIBUTES[IDS.index(id_)]
            assert all(attributes[name] in accepted for name, accepted in filters.items())


def test_as_many_results_as_pass_the_filter_when_fewer_than_k() -> None:
    _, approximate = indexes("int8")
    assert all(
        len(ids) == 8 for ids in answers(approximate, k=10, filters={"community": ["klein"]})
    )


def test_allowed_ids_are_respected() -> None:
    exact, approximate = indexes("int8")
    allowed = set(IDS[::3])
    found = answers(approximate, allowed=allowed)
    assert_exact(found, answers(exact, allowed=allowed), "int8")
    assert all(set(ids) <= allowed and len(ids) == 10 for ids in found)


@pytest.mark.parametrize("storage", STORAGES)
def test_an_updated_vector_is_found_at_its_new_place(storage: str) -> None:
    exact, approximate = indexes(storage)
    moved = unit_rows(5, seed=3)
    for index in (exact, approximate):
        index.update(IDS[10:15], moved)
    for id_, vector in zip(IDS[10:15], moved, strict=True):
        assert approximate.search(vector, 1)[0].id == id_
    # ... and no longer at the old one
    for id_, old in zip(IDS[10:15], VECTORS[10:15], strict=True):
        assert id_ not in [hit.id for hit in approximate.search(old, 3)]
    now = dict(zip(IDS, VECTORS, strict=True)) | dict(zip(IDS[10:15], moved, strict=True))
    assert_exact(answers(approximate), answers(exact), storage, now)


@pytest.mark.parametrize("storage", STORAGES)
def test_a_deleted_id_never_comes_back(storage: str) -> None:
    exact, approximate = indexes(storage)
    removed = IDS[100:140]  # 10% of the rows: tombstones, no rebuild yet
    for index in (exact, approximate):
        index.remove(removed)
    assert len(approximate) == ROWS - len(removed)
    for vector in VECTORS[100:140]:
        assert not set(removed) & {hit.id for hit in approximate.search(vector, 20)}
    assert_exact(answers(approximate), answers(exact), storage)
    everything = {hit.id for hit in approximate.search(QUERIES[0], ROWS)}
    assert everything == set(IDS) - set(removed)


def test_enough_deletes_rebuild_the_graph_and_answers_stay_exact() -> None:
    exact, approximate = indexes("int8")
    removed = IDS[::3]  # a third of the rows: past compact_ratio
    for index in (exact, approximate):
        index.remove(removed)
    graph = approximate._graph
    assert graph is not None
    assert graph._index.ntotal < ROWS  # the graph was rebuilt without the tombstones so far
    assert graph._dead <= graph.settings.compact_ratio * len(approximate)
    assert_exact(answers(approximate), answers(exact), "int8")


def test_a_removed_or_replaced_vector_is_not_kept_in_the_graph() -> None:
    _, approximate = indexes("float16")
    approximate.remove(IDS[200:210])
    approximate.update(IDS[210:220], unit_rows(10, seed=4))
    graph = approximate._graph
    assert graph is not None
    stored = graph._index.reconstruct_n(0, graph._index.ntotal)  # live rows and tombstones
    similarity = stored @ VECTORS[200:220].T
    assert similarity.max() < 0.99


def test_a_removed_or_replaced_vector_leaves_no_int8_residual_behind() -> None:
    _, approximate = indexes("int8")
    graph = approximate._graph
    assert graph is not None
    labels = graph._position_label[[approximate._position[id_] for id_ in IDS[200:220]]].copy()
    gone = VECTORS[200:220]
    storage = graph._storage
    old_residuals = gone - storage.sa_decode(storage.sa_encode(gone))
    approximate.remove(IDS[200:210])
    approximate.update(IDS[210:220], unit_rows(10, seed=4))
    stored = graph._decode(np.arange(graph._index.ntotal))  # codes plus residuals, tombstones too
    assert (stored @ gone.T).max() < 0.99
    # the residuals alone are a fingerprint of the vector: the tombstones' are the stand-ins'
    kept = graph._residuals.decode(labels)
    for kept_row, old_row in zip(kept, old_residuals, strict=True):
        assert abs(np.corrcoef(kept_row, old_row)[0, 1]) < 0.5


@pytest.mark.parametrize(("bits", "tolerance"), [(2, 2.5e-3), (4, 1e-3)])
def test_int8_scores_carry_the_residuals_precision(bits: int, tolerance: float) -> None:
    """int8 codes alone are off by up to ~0.005 here; with the residuals, by far less, and
    the more bits, the less."""
    exact = VectorIndex(dimension=DIMENSION)
    exact.add(IDS, VECTORS)
    approximate = VectorIndex(
        dimension=DIMENSION, ann=AnnSettings(threshold=20, storage="int8", residual_bits=bits)
    )
    approximate.add(IDS, VECTORS)
    graph = approximate._graph
    assert graph is not None
    storage = graph._storage
    int8_only = storage.sa_decode(storage.sa_encode(VECTORS)) @ QUERIES.T
    assert np.abs(int8_only - VECTORS @ QUERIES.T).max() > 2 * tolerance
    for query in QUERIES:
        hits = approximate.search(query, 10)
        cosines = [float(VECTORS[IDS.index(hit.id)] @ query) for hit in hits]
        assert [hit.score for hit in hits] == pytest.approx(cosines, abs=tolerance)
        # the same rows, up to the order of rows closer than that
        expected = [hit.score for hit in exact.search(query, 10)]
        assert cosines == pytest.approx(expected, abs=tolerance)


@pytest.mark.parametrize("storage", STORAGES)
def test_a_rebuild_from_the_stored_vectors_gives_the_same_answers(storage: str) -> None:
    _, approximate = indexes(storage)
    approximate.update(IDS[:20], unit_rows(20, seed=5))
    approximate.remove(IDS[300:320])
    stored = approximate.matrix  # as the service reads its stored vectors: no encoder
    rebuilt = VectorIndex(dimension=DIMENSION, ann=approximate.ann)
    rebuilt.add(approximate.ids, stored, [ATTRIBUTES[IDS.index(i)] for i in approximate.ids])
    assert rebuilt.approximate
    vectors = dict(zip(approximate.ids, stored, strict=True))
    for filters in (None, {"level": ["wo"]}):
        found = answers(rebuilt, filters=filters)
        before = answers(approximate, filters=filters)
        if storage == "float16":
            assert found == before  # float16 codes decode and encode to themselves
        else:
            assert_exact(found, before, storage, vectors)


@pytest.mark.parametrize("storage", STORAGES)
def test_a_saved_graph_reads_back_with_the_same_answers_and_keeps_changing(
    storage: str, tmp_path
) -> None:
    _, approximate = indexes(storage)
    approximate.update(IDS[:20], unit_rows(20, seed=6))
    approximate.remove(IDS[300:310])  # tombstones and moved rows are saved too
    graph = approximate._graph
    assert graph is not None
    graph.save(tmp_path / "graph")
    loaded = HnswRows.load(tmp_path / "graph", approximate.ann)
    mask = approximate.mask(filters={"level": ["wo"]})
    for query in QUERIES:
        for row_mask in (None, mask):
            before, after = graph.nearest(query, 10, row_mask), loaded.nearest(query, 10, row_mask)
            assert after.positions.tolist() == before.positions.tolist()
            assert after.scores == pytest.approx(before.scores)
    assert loaded.memory_bytes() == graph.memory_bytes()
    # the loaded rows take further changes like the built ones
    for rows in (graph, loaded):
        rows.replace(np.array([0]), QUERIES[:1])
        assert rows.nearest(QUERIES[0], 1).positions.tolist() == [0]


def test_a_saved_graph_is_refused_under_settings_it_was_not_built_with(tmp_path) -> None:
    _, approximate = indexes("int8")
    assert approximate._graph is not None
    approximate._graph.save(tmp_path / "graph")
    for other in (
        replace(approximate.ann, m=approximate.ann.m * 2),
        replace(approximate.ann, storage="float16"),
        replace(approximate.ann, residual_bits=6 - approximate.ann.residual_bits),  # 2 <-> 4
    ):
        with pytest.raises(MatcherError, match="graph"):
            HnswRows.load(tmp_path / "graph", other)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("threshold", 0),
        ("candidates", 0),
        ("m", 0),
        ("rerank", 0),
        ("storage", "int4"),
        ("residual_bits", 3),
        ("repair_share", -0.1),
        ("repair_share", 1),
        ("entry_level", -1),
        ("compact_ratio", 0),
    ],
)
def test_bad_ann_settings_are_refused_by_name(field: str, value: object) -> None:
    with pytest.raises(MatcherError, match=field):
        AnnSettings(**{field: value})


# -- the ranker's candidate path ----------------------------------------------------------

WORDS = [
    "warmtepomp installeren",
    "zonnepanelen plannen",
    "biobased isolatie",
    "zorg ouderen",
    "boekhouding jaarrekening",
    "BIM-model renovatie",
    "data-analyse python",
    "energietransitie onderzoek",
    "marketing sociale media",
    "keuken bediening",
    "logistiek planning",
    "webshop teksten",
]
TEXTS = [
    f"Een mkb-bedrijf zoekt hulp bij {a} en {b}, graag met ervaring in {c}."
    for a, b, c in itertools.islice(itertools.permutations(WORDS, 3), 300)
]
TEXT_IDS = [f"t{i}" for i in range(len(TEXTS))]
TEXT_ATTRIBUTES = [{"level": ("mbo", "hbo")[i % 2]} for i in range(len(TEXTS))]
QUERY_TEXTS = ["student voor warmtepomp installeren", "onderzoek energietransitie en zorg"]


def ranker(ann: AnnSettings | None) -> HybridRanker:
    return HybridRanker(encoder=HashingEncoder(), ann=ann).fit(
        TEXT_IDS, TEXTS, attributes=TEXT_ATTRIBUTES
    )


def summary(matches: list[Match]) -> list[tuple[str, float]]:
    return [(match.id, match.score) for match in matches]


def test_the_candidate_path_equals_the_full_path_when_candidates_cover_the_corpus() -> None:
    full = ranker(None)
    every = ranker(AnnSettings(threshold=50, candidates=len(TEXTS), storage="float16"))
    assert every.index_.approximate and not full.index_.approximate
    for expected, found in zip(
        full.rank(QUERY_TEXTS, 10), every.rank(QUERY_TEXTS, 10), strict=True
    ):
        # The same score at every rank; ids may differ only where two rows tie within float16
        # rounding (t223 and t224 differ by 6e-5 in float32).
        assert len(found) == len(expected)
        assert [m.score for m in found] == pytest.approx(
            [m.score for m in expected], rel=1e-2, abs=5e-3
        )
        assert found[0].explanation == expected[0].explanation


def test_the_candidate_path_respects_filters_and_returns_k() -> None:
    few = ranker(AnnSettings(threshold=50, candidates=20))
    for matches in few.rank(QUERY_TEXTS, 10, filters={"level": ["hbo"]}):
        assert len(matches) == 10
        assert all(int(match.id[1:]) % 2 == 1 for match in matches)
    assert few.search(QUERY_TEXTS[0], 3, allowed={"t4", "t6"}) != []
    assert {m.id for m in few.search(QUERY_TEXTS[0], 3, allowed={"t4", "t6"})} == {"t4", "t6"}


def test_with_fewer_candidates_the_best_matches_keep_the_full_paths_scores() -> None:
    # Each component is standardised over every row on both paths, so a row's fused score does
    # not depend on the candidates (float16 rows: no int8 rounding in the way).
    full = ranker(None).rank(QUERY_TEXTS, 5)
    few = ranker(AnnSettings(threshold=50, candidates=30, storage="float16")).rank(QUERY_TEXTS, 5)
    for expected, found in zip(full, few, strict=True):
        assert [m.id for m in found] == [m.id for m in expected]
        assert [m.score for m in found] == pytest.approx([m.score for m in expected], abs=5e-3)


def test_a_removed_row_never_comes_back_on_the_candidate_path() -> None:
    few = ranker(AnnSettings(threshold=50, candidates=30))
    best = few.search(QUERY_TEXTS[0], 1)[0].id
    few.remove([best])
    assert best not in {m.id for m in few.search(QUERY_TEXTS[0], 50)}


@pytest.mark.parametrize("method", ["dense", "lexical"])
def test_one_component_alone_also_returns_k_on_the_candidate_path(method: str) -> None:
    alone = HybridRanker(
        encoder=HashingEncoder(),
        weights=Weights.for_method(method),
        ann=AnnSettings(threshold=50, candidates=5),
    ).fit(TEXT_IDS, TEXTS)
    assert all(len(matches) == 10 for matches in alone.rank(QUERY_TEXTS, 10))
