"""Contracts every searcher and every encoder keeps, run against each implementation."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import numpy as np
import pytest
from dutch_corpus import ATTRIBUTES, CORPUS, QUERIES

from matcher import (
    CachedEncoder,
    EmptyTextError,
    HashingEncoder,
    HybridRanker,
    SentenceEncoder,
    SqliteEmbeddingStore,
    TextEncoder,
    VectorIndex,
    Weights,
)
from matcher.ann import AnnSettings
from matcher.openvino_encoder import missing

# -- searchers: the hybrid ranker under each method, and the bare vector index -------------

#: (query, k, filters, allowed) -> [(id, score), ...] best first.
Search = Callable[..., list[tuple[str, float]]]

SEARCHERS = [
    "index",
    "index-hnsw",
    "ranker-dense",
    "ranker-lexical",
    "ranker-hybrid",
    "ranker-hybrid-hnsw",
]
#: Past the threshold from the first row: an HNSW graph (int8 codes plus residuals), searched
#: widely enough that its candidates cover this small corpus.
HNSW = AnnSettings(threshold=1, candidates=64, ef_search=256)


def build_searcher(kind: str) -> Search:
    """A searcher over CORPUS with ATTRIBUTES, backed by the fast fake encoder."""
    ids, texts = list(CORPUS), list(CORPUS.values())
    attributes = [ATTRIBUTES[id_] for id_ in ids]
    encoder = HashingEncoder()
    ann = HNSW if kind.endswith("-hnsw") else None
    kind = kind.removesuffix("-hnsw")
    if kind == "index":
        index = VectorIndex(dimension=encoder.dimension, ann=ann)
        index.add(ids, encoder.encode(texts), attributes)
        assert index.approximate == (ann is not None)

        def search(
            query: str,
            k: int,
            filters: Mapping[str, Collection[str]] | None = None,
            allowed: Collection[str] | None = None,
        ) -> list[tuple[str, float]]:
            vector = encoder.encode([query], kind="query")[0]
            return [
                (hit.id, hit.score)
                for hit in index.search(vector, k, filters=filters, allowed=allowed)
            ]

        return search
    method = kind.removeprefix("ranker-")
    ranker = HybridRanker(encoder=encoder, weights=Weights.for_method(method), ann=ann)
    ranker.fit(ids, texts, attributes=attributes)
    assert ranker.index_.approximate == (ann is not None)

    def rank(
        query: str,
        k: int,
        filters: Mapping[str, Collection[str]] | None = None,
        allowed: Collection[str] | None = None,
    ) -> list[tuple[str, float]]:
        return [(m.id, m.score) for m in ranker.search(query, k, filters=filters, allowed=allowed)]

    return rank


@pytest.fixture(params=SEARCHERS)
def searcher(request: pytest.FixtureRequest) -> Search:
    return build_searcher(request.param)


@pytest.mark.parametrize("k", [1, 3, 7])
def test_top_k_is_sorted_best_first_without_duplicates(searcher: Search, k: int) -> None:
    results = searcher("warmtepompen installeren bij woningen", k)
    ids = [id_ for id_, _ in results]
    scores = [score for _, score in results]
    assert len(results) == k
    assert len(set(ids)) == k
    assert set(ids) <= set(CORPUS)
    assert scores == sorted(scores, reverse=True)


def test_k_larger_than_the_corpus_gives_the_whole_corpus(searcher: Search) -> None:
    results = searcher("zorg voor ouderen", 100)
    assert len(results) == len(CORPUS) == 10
    assert sorted(id_ for id_, _ in results) == sorted(CORPUS)


def test_k_zero_gives_nothing(searcher: Search) -> None:
    assert searcher("zorg voor ouderen", 0) == []


@pytest.mark.parametrize(("query", "expected"), list(QUERIES.items()))
def test_the_plain_answer_comes_first(searcher: Search, query: str, expected: str) -> None:
    assert searcher(query, 3)[0][0] == expected


def test_filters_keep_only_rows_with_an_accepted_value(searcher: Search) -> None:
    hbo = searcher("warmtepompen installeren bij woningen", 100, filters={"level": {"hbo"}})
    assert sorted(id_ for id_, _ in hbo) == ["bim", "boekhouding", "marketing", "python"]


def test_filters_combine_and_match_any_of_a_rows_values(searcher: Search) -> None:
    # "language" holds several values per row: a row passes when one of them is accepted.
    results = searcher(
        "onderzoek naar duurzame energie",
        100,
        filters={"level": {"wo", "mbo"}, "language": {"en"}},
    )
    assert sorted(id_ for id_, _ in results) == ["biobased", "lectoraat", "zonnepanelen"]


def test_a_filter_nothing_passes_gives_no_results(searcher: Search) -> None:
    assert searcher("zorg voor ouderen", 10, filters={"level": {"phd"}}) == []
    assert searcher("zorg voor ouderen", 10, filters={"region": {"Twente"}}) == []


def test_allowed_ids_restrict_the_results(searcher: Search) -> None:
    results = searcher("zorg voor ouderen", 10, allowed={"bim", "zorg", "no-such-id"})
    assert [id_ for id_, _ in results] == ["zorg", "bim"]


def test_filters_and_allowed_together_keep_the_intersection(searcher: Search) -> None:
    results = searcher(
        "zorg voor ouderen", 10, filters={"level": {"mbo"}}, allowed={"zorg", "bim", "horeca"}
    )
    assert sorted(id_ for id_, _ in results) == ["horeca", "zorg"]


def test_filtering_keeps_the_unfiltered_order_and_scores(searcher: Search) -> None:
    query = "studenten voor onderzoek en bouwen"
    everything = searcher(query, 100)
    hbo_ids = {id_ for id_, row in ATTRIBUTES.items() if row["level"] == "hbo"}
    filtered = searcher(query, 100, filters={"level": {"hbo"}})
    kept = [(id_, score) for id_, score in everything if id_ in hbo_ids]
    assert [id_ for id_, _ in filtered] == [id_ for id_, _ in kept]
    # The graph scores a filtered query through another scan of its codes: float32 sums in
    # another order, so equal to 1e-5 (the contract of every backend) rather than bit for bit.
    assert [score for _, score in filtered] == pytest.approx([score for _, score in kept], abs=1e-5)


def test_k_counts_rows_after_filtering(searcher: Search) -> None:
    results = searcher("zorg voor ouderen", 2, filters={"level": {"mbo"}})
    assert len(results) == 2
    assert {id_ for id_, _ in results} <= {"warmtepomp", "zonnepanelen", "zorg", "horeca"}


def test_the_same_call_twice_gives_identical_results(searcher: Search) -> None:
    first = searcher("biobased bouwen met hout", 10, filters={"language": {"nl"}})
    second = searcher("biobased bouwen met hout", 10, filters={"language": {"nl"}})
    assert first == second


@pytest.mark.parametrize("kind", SEARCHERS)
def test_a_rebuilt_searcher_gives_identical_results(kind: str) -> None:
    assert build_searcher(kind)("Python data-analyse", 10) == build_searcher(kind)(
        "Python data-analyse", 10
    )


# -- encoders ------------------------------------------------------------------------------

ENCODERS = [
    "hashing",
    "cached-memory",
    "cached-sqlite",
    pytest.param("sentence", marks=pytest.mark.slow),
    pytest.param("openvino", marks=pytest.mark.slow),
]
DIMENSIONS = {
    "hashing": 64,
    "cached-memory": 64,
    "cached-sqlite": 64,
    "sentence": 384,
    "openvino": 384,
}

TEXTS = [
    "warmtepompen installeren bij woningen",
    "de boekhouding van een kleine ondernemer",
    "Data-analyse met Python",
]


@pytest.fixture(params=ENCODERS)
def encoder(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, TextEncoder]:
    kind = request.param
    if kind == "hashing":
        return kind, HashingEncoder()
    if kind == "cached-memory":
        return kind, CachedEncoder(encoder=HashingEncoder())
    if kind == "cached-sqlite":
        store = SqliteEmbeddingStore(tmp_path / "embeddings.sqlite")
        request.addfinalizer(store.close)
        return kind, CachedEncoder(encoder=HashingEncoder(), store=store)
    if kind == "openvino":
        # openvino is a dependency: its absence is a failure here, never a skip.
        assert missing("fp32") is None, "the openvino package is missing"
        model = SentenceEncoder(
            precision="openvino-bf16", openvino_cache=tmp_path_factory.mktemp("openvino")
        )
        model.encode(["warm up"])
        # The route must have loaded, not fallen back to torch (which would test torch twice).
        assert model.precision_ == "openvino-bf16"
        return kind, model
    return kind, request.getfixturevalue("sentence_encoder")


def test_encoder_gives_float32_rows_of_its_dimension(encoder: tuple[str, TextEncoder]) -> None:
    kind, model = encoder
    vectors = model.encode(TEXTS)
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, DIMENSIONS[kind])


@pytest.mark.parametrize("kind_of_text", ["passage", "query"])
def test_encoder_rows_are_unit_length(encoder: tuple[str, TextEncoder], kind_of_text) -> None:
    _, model = encoder
    vectors = model.encode(TEXTS, kind=kind_of_text)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), [1.0, 1.0, 1.0], atol=1e-5)


def test_encoder_gives_the_same_text_the_same_vector(encoder: tuple[str, TextEncoder]) -> None:
    _, model = encoder
    batch = model.encode([TEXTS[0], TEXTS[1], TEXTS[0]])
    again = model.encode([TEXTS[0]])
    np.testing.assert_allclose(batch[0], batch[2], atol=1e-5)
    np.testing.assert_allclose(batch[0], again[0], atol=1e-5)
    # and different texts get different vectors, so the above means something
    assert float(batch[0] @ batch[1]) < 0.99


def test_encoder_keeps_the_order_of_the_texts(encoder: tuple[str, TextEncoder]) -> None:
    _, model = encoder
    forward = model.encode(TEXTS)
    backward = model.encode(TEXTS[::-1])
    np.testing.assert_allclose(backward, forward[::-1], atol=1e-5)
    one_by_one = np.vstack([model.encode([text]) for text in TEXTS])
    np.testing.assert_allclose(one_by_one, forward, atol=1e-5)


def test_encoder_of_no_texts_gives_zero_rows_of_its_dimension(
    encoder: tuple[str, TextEncoder],
) -> None:
    # A service that syncs an empty batch must get an array it can stack with the others.
    kind, model = encoder
    vectors = model.encode([])
    assert vectors.shape == (0, DIMENSIONS[kind])
    assert vectors.dtype == np.float32


def test_encoder_refuses_an_empty_text_by_its_position(encoder: tuple[str, TextEncoder]) -> None:
    _, model = encoder
    with pytest.raises(EmptyTextError, match=r"text 2 is empty"):
        model.encode(["warmtepompen", "boekhouding", "   "])


def test_encoder_refuses_a_single_string(encoder: tuple[str, TextEncoder]) -> None:
    _, model = encoder
    with pytest.raises(ValueError, match="not one string"):
        model.encode("warmtepompen installeren")
