"""Learned fusion: the weights file, the fit, and the ranker taking its defaults from it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matcher import HybridRanker, MatcherError, Weights
from matcher.fusion import build_pool, fit_weights, pool_metric, save_weights
from matcher.weights import FUSION_PATH, learned_weights


def test_saved_weights_load_back(tmp_path: Path) -> None:
    path = tmp_path / "fusion.json"
    save_weights({"dense": 0.6, "lexical": 0.4, "skill": 0.1}, path, folds=3)
    assert learned_weights(path) == {"dense": 0.6, "lexical": 0.4, "skill": 0.1}
    assert json.loads(path.read_text())["folds"] == 3


def test_a_missing_file_is_an_error_that_names_it_and_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "fusion.json"
    with pytest.raises(MatcherError, match=r"missing: .*fusion\.json.*lcmatch train fusion"):
        learned_weights(path)


@pytest.mark.parametrize("content", ["not json", '{"weights": {"dense": 1}}', "[]"])
def test_a_broken_file_is_an_error_that_names_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "fusion.json"
    path.write_text(content)
    with pytest.raises(MatcherError, match=r"fusion\.json are unusable"):
        learned_weights(path)


def test_a_ranker_without_weights_fails_loudly_when_no_fit_ships(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matcher.weights

    monkeypatch.setattr(matcher.weights, "FUSION_PATH", tmp_path / "fusion.json")
    matcher.weights._shipped.cache_clear()
    try:
        with pytest.raises(MatcherError, match="fusion weights are missing"):
            HybridRanker(encoder=None).fit(["a"], ["warmtepompen installeren"])
    finally:
        monkeypatch.undo()
        matcher.weights._shipped.cache_clear()


def test_the_ranker_defaults_are_the_shipped_fit() -> None:
    shipped = learned_weights(FUSION_PATH)
    assert Weights.learned() == Weights(**shipped) == Weights.for_method("hybrid")
    assert HybridRanker(encoder=None).weights_ == Weights(**shipped)


def _scores(queries: int, docs: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(queries, docs)).astype(np.float32)


def test_the_fit_picks_the_component_that_finds_the_answers() -> None:
    # Document q is the answer to query q; only the lexical scores know it.
    queries, docs = 40, 200
    lexical = _scores(queries, docs, 1)
    lexical[np.arange(queries), np.arange(queries)] += 8.0
    components = {
        "dense": _scores(queries, docs, 2),
        "lexical": lexical,
        "skill": _scores(queries, docs, 3),
    }
    doc_ids = [f"d{n}" for n in range(docs)]
    query_ids = [f"q{n}" for n in range(queries)]
    qrels = {f"q{n}": {f"d{n}": 1} for n in range(queries)}
    pool = build_pool(components, doc_ids, query_ids, qrels, "mrr")
    weights, objective = fit_weights({"toy": pool})
    # Several grid points tie at a perfect score; the first found (least dense) wins.
    assert weights == {"dense": 0.0, "lexical": 1.0, "skill": 0.0}
    assert objective == pytest.approx(1.0)
    assert pool_metric(pool, {"dense": 1.0, "lexical": 0.0, "skill": 0.0}) < 0.3


def test_ndcg_in_the_fit_uses_exponential_gains() -> None:
    # One query; doc 0 (grade 2) ranked 2nd, doc 1 (grade 1) ranked 1st by the dense scores.
    dense = np.array([[0.5, 0.9, 0.1, 0.0]], dtype=np.float32)
    flat = np.zeros_like(dense)
    pool = build_pool(
        {"dense": dense, "lexical": flat, "skill": flat},
        ["d0", "d1", "d2", "d3"],
        ["q"],
        {"q": {"d0": 2, "d1": 1}},
        "ndcg@10",
    )
    got = pool_metric(pool, {"dense": 1.0, "lexical": 0.0, "skill": 0.0})
    expected = (1 + 3 / np.log2(3)) / (3 + 1 / np.log2(3))
    assert got == pytest.approx(expected)


class _StubEncoder:
    """Vectors chosen by hand, so dense and lexical scores can disagree on purpose."""

    model_id = "stub"

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors

    def encode(self, texts, *, kind="passage", progress=False) -> np.ndarray:
        rows = np.array([self.vectors[text] for text in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_weights_change_the_ranking_as_expected() -> None:
    # Dense puts the synonym first, lexical the text that shares the query's letters.
    query, synonym, lookalike, other = "kapper", "haarstylist", "kappertjes inmaken", "bakker"
    encoder = _StubEncoder(
        {query: [1, 0, 0], synonym: [1, 0.1, 0], lookalike: [0, 1, 0], other: [0, 0, 1]}
    )
    corpus = {"synonym": synonym, "lookalike": lookalike, "other": other}

    def first(weights: Weights) -> str:
        ranker = HybridRanker(encoder=encoder, weights=weights)
        ranker.fit(list(corpus), list(corpus.values()))
        return ranker.search(query, k=1)[0].id

    assert first(Weights(dense=1.0, lexical=0.0, skill=0.0)) == "synonym"
    assert first(Weights(dense=0.0, lexical=1.0, skill=0.0)) == "lookalike"
    assert first(Weights(dense=0.8, lexical=0.2, skill=0.0)) == "synonym"
    assert first(Weights(dense=0.2, lexical=0.8, skill=0.0)) == "lookalike"
