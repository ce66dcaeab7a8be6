"""HybridRanker with the fast fake encoder: weights, explanations, incremental updates, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dutch_corpus import CORPUS, HEAT_PUMP_SKILL

from matcher import (
    CachedEncoder,
    Components,
    EmptyTextError,
    Explanation,
    HashingEncoder,
    HybridRanker,
    Match,
    MatcherError,
    Weights,
)
from matcher.fusion import standardise
from matcher.weights import learned_weights

METHODS = ["dense", "lexical", "hybrid"]


def fitted(method: str, encoder: HashingEncoder | None = None) -> HybridRanker:
    ranker = HybridRanker(encoder=encoder or HashingEncoder(), weights=Weights.for_method(method))
    return ranker.fit(list(CORPUS), list(CORPUS.values()))


def ids_of(matches: list[Match]) -> list[str]:
    return [match.id for match in matches]


# -- weights -------------------------------------------------------------------------------


def test_each_method_has_its_weights() -> None:
    assert Weights.for_method("dense") == Weights(dense=1.0, lexical=0.0, skill=0.0)
    assert Weights.for_method("lexical") == Weights(dense=0.0, lexical=1.0, skill=0.0)
    # The hybrid's defaults are the fusion fitted on dev (models/fusion.json).
    assert Weights.for_method("hybrid") == Weights.learned() == Weights(**learned_weights())


@pytest.mark.parametrize("field", ["dense", "lexical", "skill"])
def test_a_negative_weight_is_refused_by_name(field: str) -> None:
    with pytest.raises(MatcherError, match=f"weight {field} must not be negative"):
        Weights(**{"dense": 1.0, "lexical": 1.0, "skill": 1.0, field: -0.1})


def test_all_weights_zero_is_refused() -> None:
    with pytest.raises(MatcherError, match="at least one weight must be positive"):
        Weights(dense=0.0, lexical=0.0, skill=0.0)


@pytest.mark.parametrize(("field", "value"), [("dense", math.nan), ("skill", math.inf)])
def test_a_weight_that_is_not_a_finite_number_is_refused_by_name(field: str, value: float) -> None:
    # NaN slips past "< 0" and silently switches its component off; inf turns scores into NaN.
    with pytest.raises(MatcherError, match=field):
        Weights(**{"dense": 1.0, "lexical": 1.0, "skill": 1.0, field: value})


@pytest.mark.parametrize("method", ["bm25", "Hybrid", ""])
def test_an_unknown_method_is_refused_naming_the_choices(method: str) -> None:
    with pytest.raises(MatcherError, match=f"one of dense, lexical, hybrid, not '{method}'"):
        Weights.for_method(method)


def test_standardise_gives_z_scores_per_row_and_zero_for_a_constant_row() -> None:
    scores = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]], dtype=np.float32)
    np.testing.assert_allclose(
        standardise(scores), [[-1.2247449, 0.0, 1.2247449], [0.0, 0.0, 0.0]], atol=1e-6
    )


# -- results and explanations ------------------------------------------------------------------


def test_a_match_explains_itself_with_shared_skills_and_terms() -> None:
    best = fitted("hybrid").search("Ik wil warmtepompen installeren voor de energietransitie", 1)[0]
    assert best.id == "warmtepomp"
    assert [tag.uri for tag in best.explanation.shared_skills] == [HEAT_PUMP_SKILL]
    assert best.explanation.matching_terms == ("warmtepompen", "installeren", "energietransitie")


def test_a_match_without_anything_shared_has_an_empty_explanation() -> None:
    matches = fitted("lexical").search("warmtepompen installeren", 10)
    horeca = next(match for match in matches if match.id == "horeca")
    assert horeca.explanation == Explanation(shared_skills=(), matching_terms=())


COMPONENTS = ("dense", "lexical", "skill")
# The learned fusion (models/fusion.json) weighs skill 0 for the shipped model: not computed.
LEARNED = {name for name in COMPONENTS if Weights.for_method("hybrid").uses(name)}
EVERY = Weights(dense=0.5, lexical=0.4, skill=0.1)


@pytest.mark.parametrize(
    ("weights", "used"),
    [
        (Weights.for_method("dense"), {"dense"}),
        (Weights.for_method("lexical"), {"lexical"}),
        (Weights.for_method("hybrid"), LEARNED),
        (EVERY, set(COMPONENTS)),
    ],
)
def test_only_the_components_the_weights_use_are_scored(weights: Weights, used: set[str]) -> None:
    ranker = HybridRanker(encoder=HashingEncoder(), weights=weights)
    ranker.fit(list(CORPUS), list(CORPUS.values()))
    best = ranker.search("warmtepompen installeren bij woningen", 1)[0]
    scored = {name for name in COMPONENTS if getattr(best.components, name)}
    assert scored == used
    assert all(0.0 <= getattr(best.components, name) <= 1.0 + 1e-6 for name in used)


def test_the_score_is_the_weighted_sum_of_standardised_components() -> None:
    ranker = fitted("hybrid")
    query = "boekhouding en jaarrekening"
    matches = ranker.rank([query], 100, explain=False)[0]
    raw = ranker.component_scores([query])
    weights = Weights.learned()
    # Over all ten rows, each component standardised over the corpus, exactly.
    expected = sum(getattr(weights, name) * standardise(raw[name]) for name in raw)[0]
    by_id = dict(zip(list(ranker.index_.ids), expected, strict=True))
    for match in matches:
        assert match.score == pytest.approx(float(by_id[match.id]), abs=1e-5)


def test_explain_false_leaves_explanations_empty() -> None:
    matches = fitted("hybrid").rank(["warmtepompen installeren"], 3, explain=False)[0]
    assert [match.explanation for match in matches] == [Explanation()] * 3


def test_rank_answers_each_query_in_order() -> None:
    results = fitted("lexical").rank(["zorg voor ouderen", "boekhouding", "Python"], 1)
    assert [ids_of(matches) for matches in results] == [["zorg"], ["boekhouding"], ["python"]]


def test_rank_in_small_batches_gives_the_same_results() -> None:
    queries = ["zorg voor ouderen", "boekhouding", "Python data-analyse", "BIM model"]
    whole = fitted("hybrid").rank(queries, 5)
    batched = HybridRanker(encoder=HashingEncoder(), batch_size=1)
    batched.fit(list(CORPUS), list(CORPUS.values()))
    again = batched.rank(queries, 5)
    assert [ids_of(matches) for matches in again] == [ids_of(matches) for matches in whole]
    for matches, expected in zip(again, whole, strict=True):
        assert [m.score for m in matches] == pytest.approx([m.score for m in expected], abs=1e-5)
        assert [m.explanation for m in matches] == [m.explanation for m in expected]


# -- stored vectors and incremental updates ----------------------------------------------------


def test_stored_vectors_are_not_encoded_again() -> None:
    vectors = HashingEncoder().encode(list(CORPUS.values()))
    model = HashingEncoder()
    ranker = HybridRanker(encoder=model, weights=Weights.for_method("dense"))
    ranker.fit(list(CORPUS), list(CORPUS.values()), vectors=vectors)
    assert model.encoded == 0
    assert ranker.search("zorg voor ouderen", 1)[0].id == "zorg"
    assert model.encoded == 1  # the query only


@pytest.mark.parametrize("method", METHODS)
def test_a_removed_row_never_comes_back(method: str) -> None:
    ranker = fitted(method)
    ranker.remove(["warmtepomp"])
    assert len(ranker) == 9
    matches = ranker.search("warmtepompen installeren bij woningen", 100)
    assert "warmtepomp" not in ids_of(matches)
    assert len(matches) == 9
    assert ranker.search("warmtepompen", 10, allowed={"warmtepomp"}) == []


@pytest.mark.parametrize("method", METHODS)
def test_after_a_remove_the_ranker_answers_as_a_fresh_fit_on_the_rest(method: str) -> None:
    # Removing the first row moves the last one ("horeca") into its place; its vector must move
    # with it, and the n-gram and skill weights are learned again from the rows that remain.
    query = "koks voor de keuken van een restaurant"
    ranker = fitted(method)
    ranker.remove(["warmtepomp"])
    after = ranker.search(query, 100)
    rest = {id_: text for id_, text in CORPUS.items() if id_ != "warmtepomp"}
    fresh = HybridRanker(encoder=HashingEncoder(), weights=Weights.for_method(method))
    expected = {m.id: m for m in fresh.fit(list(rest), list(rest.values())).search(query, 100)}
    assert after[0].id == "horeca"
    assert ids_of(after) == list(expected)
    for match in after:
        for name in ("dense", "lexical", "skill"):
            assert getattr(match.components, name) == pytest.approx(
                getattr(expected[match.id].components, name), abs=1e-5
            )
        assert match.explanation == expected[match.id].explanation


@pytest.mark.parametrize("method", METHODS)
def test_an_updated_text_changes_the_rank(method: str) -> None:
    ranker = fitted(method)
    query = "warmtepompen installeren bij woningen"
    assert ids_of(ranker.search(query, 1)) == ["warmtepomp"]
    ranker.update(["warmtepomp"], ["Restaurant zoekt koks voor de keuken."])
    ranker.update(["horeca"], ["Wij zoeken studenten die warmtepompen installeren bij woningen."])
    best = ranker.search(query, 1)[0]
    assert best.id == "horeca"
    assert best.explanation.matching_terms == ("warmtepompen", "installeren", "woningen")


@pytest.mark.parametrize("method", METHODS)
def test_a_row_added_later_is_found_and_explained(method: str) -> None:
    ranker = fitted(method)
    ranker.add(["dakdekker"], ["Dakdekker zoekt een student voor het leggen van groene daken."])
    best = ranker.search("groene daken leggen", 1)[0]
    assert best.id == "dakdekker"
    assert "daken" in best.explanation.matching_terms


@pytest.mark.parametrize("method", METHODS)
def test_add_after_remove_keeps_every_row_right(method: str) -> None:
    ranker = fitted(method)
    ranker.remove(["zorg", "bim"])
    ranker.add(["bim"], ["Bouwbedrijf maakt een BIM-model van een school."])
    for query, expected in [
        ("BIM-model van een school", "bim"),
        ("koks voor de keuken van een restaurant", "horeca"),
        ("boekhouding en jaarrekening", "boekhouding"),
    ]:
        assert ranker.search(query, 1)[0].id == expected
    assert "zorg" not in ids_of(ranker.search("zorg voor ouderen", 100))


def test_updated_attributes_change_what_filters_keep() -> None:
    ranker = HybridRanker(encoder=HashingEncoder(), weights=Weights.for_method("lexical"))
    ranker.fit(["a", "b"], ["warmtepompen", "boekhouding"], attributes=[{"level": "mbo"}] * 2)
    ranker.update(["a"], attributes=[{"level": "hbo"}])
    assert ids_of(ranker.search("warmtepompen", 10, filters={"level": {"mbo"}})) == ["b"]
    assert ids_of(ranker.search("warmtepompen", 10, filters={"level": {"hbo"}})) == ["a"]


def test_an_empty_corpus_can_grow_with_a_cached_encoder() -> None:
    # A community without challenges yet: the service fits on nothing, then adds.
    ranker = HybridRanker(encoder=CachedEncoder(encoder=HashingEncoder()))
    ranker.fit([], [])
    assert ranker.search("warmtepompen", 5) == []
    ranker.add(["warmtepomp", "zorg"], [CORPUS["warmtepomp"], CORPUS["zorg"]])
    assert ids_of(ranker.search("warmtepompen installeren", 2)) == ["warmtepomp", "zorg"]


# -- bad input -------------------------------------------------------------------------------


def test_an_empty_text_in_the_corpus_is_refused_by_position() -> None:
    ranker = HybridRanker(encoder=HashingEncoder())
    with pytest.raises(EmptyTextError, match="text 2 is empty"):
        ranker.fit(["a", "b", "c"], ["warmtepompen", "boekhouding", " \n"])


def test_an_empty_query_is_refused() -> None:
    with pytest.raises(EmptyTextError, match="text 1 is empty"):
        fitted("lexical").rank(["zorg", ""])


def test_ids_and_texts_of_different_lengths_are_refused() -> None:
    with pytest.raises(MatcherError, match="2 ids for 1 texts"):
        HybridRanker(encoder=HashingEncoder()).fit(["a", "b"], ["warmtepompen"])


def test_a_duplicate_add_is_refused_and_changes_nothing() -> None:
    ranker = fitted("hybrid")
    with pytest.raises(MatcherError, match="'zorg' is already in the index"):
        ranker.add(["nieuw", "zorg"], ["Nieuwe uitdaging over daken", "Iets heel anders"])
    assert len(ranker) == 10
    assert ranker.search("zorg voor ouderen", 1)[0].id == "zorg"
    assert "nieuw" not in ids_of(ranker.search("daken", 100))


def test_attributes_for_fewer_rows_than_ids_are_refused_and_change_nothing() -> None:
    ranker = fitted("lexical")
    with pytest.raises(MatcherError):
        ranker.add(["dak", "kas"], ["groene daken", "een kas bouwen"], attributes=[{"level": "wo"}])
    assert len(ranker) == 10
    assert ranker.search("boekhouding", 1)[0].id == "boekhouding"


def test_an_update_with_fewer_texts_than_ids_is_refused_and_changes_nothing() -> None:
    ranker = fitted("lexical")
    with pytest.raises(MatcherError):
        ranker.update(["zorg", "bim"], ["boekhouding en jaarrekening van ondernemers"])
    ranker.remove(["horeca"])  # rebuilds the lexical matrix from the stored rows
    best = ranker.search("boekhouding en jaarrekening", 2)
    assert ids_of(best)[0] == "boekhouding"
    assert "zorg" not in ids_of(best)


def test_an_unknown_remove_is_refused_and_changes_nothing() -> None:
    ranker = fitted("lexical")
    with pytest.raises(MatcherError, match="'nope' is not in the index"):
        ranker.remove(["zorg", "nope"])
    assert len(ranker) == 10
    assert ranker.search("zorg voor ouderen", 1)[0].id == "zorg"


def test_a_negative_k_is_refused() -> None:
    with pytest.raises(MatcherError, match="k must not be negative, got -1"):
        fitted("lexical").search("zorg", -1)


def test_an_unfitted_ranker_says_so() -> None:
    with pytest.raises(MatcherError, match="not fitted"):
        HybridRanker(encoder=HashingEncoder()).search("zorg", 3)


def test_the_dense_component_without_an_encoder_is_refused() -> None:
    with pytest.raises(MatcherError, match="needs an encoder or stored vectors"):
        HybridRanker(encoder=None).fit(["a"], ["warmtepompen"])


def test_a_match_carries_typed_components() -> None:
    best = fitted("lexical").search("zorg voor ouderen", 1)[0]
    assert isinstance(best, Match)
    assert isinstance(best.components, Components)
    assert best.components.dense == 0.0
    assert best.components.skill == 0.0
