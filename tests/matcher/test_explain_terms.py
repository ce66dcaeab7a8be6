"""The ranker's explanations leave out the words most of its indexed texts have: a region all
members name, "ben" or "jaar" in every profile say nothing about why this one fits."""

from __future__ import annotations

from matcher import HashingEncoder, HybridRanker, Weights

SUBJECTS = {
    "warmte": "warmtepompen installeren bij woningen",
    "boeken": "boekhouding en jaarrekening van een bakkerij",
    "zorg": "zorg voor ouderen in de wijk",
    "zon": "zonnepanelen leggen op daken",
    "data": "data-analyse in Python voor de verkoop",
    "metsel": "metselen en voegen van gevels",
    "brood": "brood bakken in een ambachtelijke bakkerij",
    "magazijn": "logistiek en voorraad in het magazijn",
    "hennep": "hennep als biobased bouwmateriaal",
    "web": "websites bouwen voor winkels",
    "keuken": "koken in een restaurantkeuken",
    "lassen": "lassen van stalen constructies",
}
QUERY = "Wie wil warmtepompen installeren in de Achterhoek?"


def _in_the_achterhoek(ids: set[str]) -> dict[str, str]:
    return {
        id_: f"{text}, in de Achterhoek" if id_ in ids else text for id_, text in SUBJECTS.items()
    }


def _ranker(texts: dict[str, str]) -> HybridRanker:
    ranker = HybridRanker(encoder=HashingEncoder(), weights=Weights.for_method("hybrid"))
    return ranker.fit(list(texts), list(texts.values()))


def test_a_term_in_most_documents_is_not_offered_as_a_reason() -> None:
    # 10 of the 12 texts name the region; the heat pump text is one of them.
    texts = _in_the_achterhoek(set(SUBJECTS) - {"zorg", "keuken"})
    best = _ranker(texts).search(QUERY, 1)[0]
    assert best.id == "warmte"
    assert best.explanation.matching_terms == ("warmtepompen", "installeren")


def test_a_term_in_a_few_documents_still_explains_the_match() -> None:
    texts = _in_the_achterhoek({"warmte", "zon"})
    best = _ranker(texts).search(QUERY, 1)[0]
    assert best.explanation.matching_terms == ("warmtepompen", "installeren", "achterhoek")


def test_the_common_words_follow_changes_to_the_index() -> None:
    texts = _in_the_achterhoek(set(SUBJECTS) - {"zorg", "keuken"})
    ranker = _ranker(texts)
    assert "achterhoek" not in ranker.search(QUERY, 1)[0].explanation.matching_terms
    # Most rows move elsewhere: the region tells the heat pump text apart again.
    moved = [id_ for id_ in SUBJECTS if id_ not in ("warmte", "zorg", "keuken")]
    ranker.update(moved, [SUBJECTS[id_] for id_ in moved])
    assert "achterhoek" in ranker.search(QUERY, 1)[0].explanation.matching_terms


def test_leaving_a_word_out_of_the_reasons_does_not_change_the_scores() -> None:
    # The common word still counts in the lexical score: the explanation is all that changes.
    texts = _in_the_achterhoek(set(SUBJECTS) - {"zorg", "keuken"})
    ranker = _ranker(texts)
    with_region = ranker.component_scores([QUERY])["lexical"][0]
    without_region = ranker.component_scores(["Wie wil warmtepompen installeren?"])["lexical"][0]
    ids = list(ranker.index_.ids)
    assert with_region[ids.index("zon")] > without_region[ids.index("zon")]
    assert ranker.corpus_common_words() >= {"achterhoek"}
