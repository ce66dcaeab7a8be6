"""Corpus statistics that are learned once and kept: fast exact analysis, rows that change one at
a time, refits only on writes past the drift, filtered queries over their pool only."""

from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp
from dutch_corpus import CORPUS
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher import (
    CharTfidfEncoder,
    HashingEncoder,
    HybridRanker,
    MatcherError,
    Weights,
    default_tagger,
)
from matcher import ranker as ranker_module
from matcher.lexical import FILLER, FUNCTION_WORDS, matching_terms, words
from matcher.sparse_rows import SparseRows

ODD_TEXTS = [
    "Energietransitie  in\tde bouw\n\nmet warmtepompen",
    "Ab\u00a0cd e f-g",  # a non-breaking space, one-letter words
    "É é ÉNERGIE: co2-neutraal (2030)!",
    "x",
]


def _variants(count: int) -> tuple[list[str], list[str]]:
    """`count` distinct texts made from the corpus (ids, texts)."""
    base = list(CORPUS.values())
    texts = [f"{base[n % len(base)]} Project {n} in wijk {n % 37}." for n in range(count)]
    return [f"row-{n}" for n in range(count)], texts


# -- the fast analysis is scikit-learn's -------------------------------------------------------


@pytest.mark.parametrize("min_df", [1, 2])
def test_char_tfidf_rows_are_scikit_learns_char_wb_rows(min_df: int) -> None:
    texts = [*CORPUS.values(), *ODD_TEXTS, *CORPUS.values()]
    reference = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=min_df, dtype=np.float32
    ).fit(texts)
    encoder = CharTfidfEncoder(min_df=min_df)
    rows = encoder.fit_transform(texts)
    assert encoder.vocabulary_ == reference.vocabulary_
    assert abs(rows - reference.transform(texts)).max() < 1e-6
    query = ["warmtepompen installeren in Zwolle, onbekendwoord"]
    assert abs(encoder.transform(query) - reference.transform(query)).max() < 1e-6


def test_skill_transform_marks_exactly_the_skills_tag_finds() -> None:
    tagger = default_tagger()
    texts = [
        *CORPUS.values(),
        "Python and BIM for a team; we manage the data of the team",
        "Wij zoeken hulp bij het beheren van een team en data",
        "Hallo, tot morgen!",
    ]
    matrix = tagger.transform(texts)
    columns = tagger.uri_index()
    assert set(matrix.data.tolist()) <= {1.0}
    for row, text in enumerate(texts):
        expected = sorted(columns[tag.uri] for tag in tagger.tag(text))
        assert sorted(matrix[row].indices.tolist()) == expected, text
    assert matrix[0].nnz > 0, "the heat pump text has skills"


def _pairwise_terms(query: str, document: str, limit: int = 8) -> list[str]:
    """The definition of matching terms, word pair by word pair."""

    def informative(word: str) -> bool:
        return len(word) > 2 and word not in FUNCTION_WORDS and word not in FILLER

    def match(a: str, b: str) -> bool:
        shorter, longer = sorted((a, b), key=len)
        common = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            common += 1
        return a == b or (len(shorter) >= 4 and shorter in longer) or common >= 6

    present = {w for w in words(document) if informative(w)}
    found = []
    for word in dict.fromkeys(words(query)):
        if informative(word) and any(match(word, other) for other in present):
            found.append(word)
    return found[:limit]


def test_matching_terms_are_the_pairwise_definition_on_random_texts() -> None:
    vocabulary = sorted({w for text in CORPUS.values() for w in words(text)})
    vocabulary += ["energie", "transitie", "installateur", "installatie", "pomp", "zorgen"]
    rng = random.Random(5)
    for _ in range(300):
        query = " ".join(rng.choices(vocabulary, k=rng.randint(1, 12)))
        document = " ".join(rng.choices(vocabulary, k=rng.randint(1, 30)))
        assert matching_terms(query, document) == _pairwise_terms(query, document), query


# -- rows that change one at a time -----------------------------------------------------------


def test_sparse_rows_follow_their_writes_as_a_matrix_would() -> None:
    rng = np.random.default_rng(3)
    expected = sp.random(6, 20, density=0.3, format="csr", random_state=1, dtype=np.float32)
    rows = SparseRows.of(expected)
    dense = expected.toarray()
    for step in range(40):
        action = step % 3
        if action == 0:
            new = sp.random(2, 20, density=0.3, format="csr", random_state=step, dtype=np.float32)
            rows.append(new)
            dense = np.vstack([dense, new.toarray()])
        elif action == 1:
            position = int(rng.integers(len(dense)))
            new = sp.random(1, 20, density=0.5, format="csr", random_state=step, dtype=np.float32)
            rows.replace([position], new)
            dense[position] = new.toarray()[0]
        elif len(dense) > 1:
            position = int(rng.integers(len(dense)))
            rows.remove(position)
            dense[position] = dense[-1]
            dense = dense[:-1]
        assert np.allclose(rows.matrix().toarray(), dense)
        assert np.allclose(rows.take([len(dense) - 1, 0]).toarray(), dense[[len(dense) - 1, 0]])


# -- refits happen on writes past the drift, never on a query ---------------------------------


class RefitSpy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        refit = HybridRanker.refit

        def counted(ranker: HybridRanker) -> None:
            self.calls += 1
            refit(ranker)

        monkeypatch.setattr(HybridRanker, "refit", counted)


def test_queries_never_relearn_the_statistics(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = RefitSpy(monkeypatch)
    ranker = HybridRanker(encoder=HashingEncoder()).fit(list(CORPUS), list(CORPUS.values()))
    assert spy.calls == 1
    for query in ["warmtepompen installeren", "zorg voor ouderen", "BIM-model"]:
        ranker.search(query, 3)
        ranker.search(query, 3, filters={"level": {"hbo"}})
    assert spy.calls == 1
    # A small corpus relearns on every write, so it answers as a fresh fit would.
    ranker.add(["dak"], ["Dakdekker zoekt een student voor groene daken."])
    assert spy.calls == 2


def test_a_large_corpus_relearns_only_once_the_writes_pass_the_drift(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ranker_module, "REFIT_ALWAYS_UP_TO", 50)
    spy = RefitSpy(monkeypatch)
    ids, texts = _variants(100)
    ranker = HybridRanker(encoder=HashingEncoder(), refit_drift=0.1).fit(ids, texts)
    learned = ranker.lexical_
    ranker.add(["dak"], ["Dakdekker zoekt een student voor groene daken."])
    ranker.update(["row-3"], ["Restaurant zoekt koks voor de keuken."])
    ranker.remove(["row-4"])
    assert spy.calls == 1 and ranker.lexical_ is learned, "3 writes of 100 rows: no refit"
    # Rows written since are weighted with the statistics learned before, and found.
    assert ranker.search("groene daken", 1)[0].id == "dak"
    assert ranker.search("koks voor de keuken", 1)[0].id == "row-3"
    assert "row-4" not in [m.id for m in ranker.search("warmtepompen", 100)]
    for n in range(8):  # 11 writes > 0.1 x 100 rows
        ranker.add([f"new-{n}"], [f"Nieuwe opdracht {n} over zonnepanelen."])
    assert spy.calls == 2 and ranker.lexical_ is not learned
    fresh = HybridRanker(encoder=HashingEncoder()).fit(
        list(ranker.texts_), list(ranker.texts_.values())
    )
    query = "koks voor de keuken"
    assert [m.id for m in ranker.search(query, 5)] == [m.id for m in fresh.search(query, 5)]


def test_a_bad_refit_drift_is_refused_by_name() -> None:
    with pytest.raises(MatcherError, match="refit_drift"):
        HybridRanker(encoder=HashingEncoder(), refit_drift=-1).fit(["a"], ["warmtepompen"])


# -- a filtered query over its pool only ------------------------------------------------------


def test_a_filtered_query_on_a_large_index_scores_its_pool_as_the_full_path_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids, texts = _variants(240)
    attributes = [{"community": f"c{n % 4}"} for n in range(240)]
    query = "warmtepompen installeren bij woningen"
    # Past POOL_FROM only the community's 60 rows are scored; the spreads of the sparse
    # components come from a sample of the corpus (here 100 of its 240 rows) on every path.
    monkeypatch.setattr(ranker_module, "POOL_FROM", 200)
    ranker = HybridRanker(encoder=HashingEncoder(), weights=Weights.learned(), moment_sample=100)
    ranker.fit(ids, texts, attributes=attributes)
    assert ranker.scorer_.sparse_["lexical"].sample_t.shape[1] == 100
    pooled = ranker.search(query, 10, filters={"community": {"c1"}})
    monkeypatch.setattr(ranker_module, "POOL_FROM", 10_000)
    full = {m.id: m for m in ranker.search(query, 100, filters={"community": {"c1"}})}
    assert len(pooled) == 10 and pooled[0].id == max(full.values(), key=lambda m: m.score).id
    for got in pooled:
        want = full[got.id]
        assert vars(got.components) == pytest.approx(vars(want.components), abs=1e-6)
        assert got.score == pytest.approx(want.score, abs=1e-5)
        assert got.explanation == want.explanation
