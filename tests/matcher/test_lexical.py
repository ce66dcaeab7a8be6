"""Lexical matching: Dutch compounds match their parts, and stopwords explain nothing."""

from __future__ import annotations

import numpy as np
import pytest

from matcher import CharTfidfEncoder, EmptyTextError, matching_terms
from matcher.lexical import FILLER, FUNCTION_WORDS, STOPWORDS, common_words


def test_a_compound_matches_its_part() -> None:
    assert matching_terms("energietransitie in de bouw", "energie besparen") == ["energietransitie"]


def test_a_part_matches_the_compound() -> None:
    assert matching_terms("energie besparen", "energietransitie in de bouw") == ["energie"]


@pytest.mark.parametrize(
    ("part", "compound"),
    [("pompen", "warmtepompen"), ("transitie", "energietransitie"), ("Zorg", "ouderenzorg")],
)
def test_a_part_at_the_end_of_a_compound_matches(part: str, compound: str) -> None:
    assert matching_terms(f"{part} in de regio", f"{compound} in de wijk") == [part.lower()]


def test_words_with_a_long_common_stem_match() -> None:
    assert matching_terms("installateur gezocht", "installatie van warmtepompen") == [
        "installateur"
    ]


def test_terms_come_in_the_order_of_the_query_and_only_once() -> None:
    terms = matching_terms(
        "Python en data-analyse, Python voor het mkb", "data van een mkb-bedrijf in Python"
    )
    assert terms == ["python", "data", "mkb"]


def test_short_shared_fragments_do_not_match() -> None:
    # "zorg" and "org" share three letters only; "bouw" is not part of "boekhouding"
    assert matching_terms("zorg en bouw", "organisatie van de boekhouding") == []


def test_stopwords_and_filler_are_never_reported() -> None:
    query = "de student van het bedrijf en de data van een klant"
    document = "het bedrijf en de data: wij zijn een team van de klant, student"
    terms = matching_terms(query, document)
    # "student" and "bedrijf" stand in nearly every challenge and profile: they explain nothing
    assert terms == ["data", "klant"]
    assert not set(terms) & (STOPWORDS | FILLER)


def test_function_words_and_generic_verbs_of_both_languages_are_never_reported() -> None:
    # Seen on the student's page: "tijdens, stellen, tweede" offered as the words in common.
    query = "Tijdens de tweede fase stellen we vragen over warmtepompen, during the second phase"
    document = "Tijdens mijn tweede jaar ging ik vragen stellen over warmtepompen, during a phase"
    assert matching_terms(query, document) == ["vragen", "warmtepompen", "phase"]
    assert {"tijdens", "tweede", "during"} <= FUNCTION_WORDS


def test_english_subject_words_are_not_taken_for_function_words() -> None:
    # English stop-word lists hold words that name a subject here ("system", "research").
    terms = matching_terms("research on the heating system", "a heating system research lab")
    assert terms == ["research", "heating", "system"]


def test_a_stopword_inside_a_longer_word_is_not_reported() -> None:
    # "voor" stands in "voorstel" and "over" in "overleg", but a stopword explains nothing
    assert matching_terms("werken voor en over de klant", "voorstel overleg klantenservice") == [
        "klant"
    ]


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("de en het van een voor met", "het een de van en met voor"),
        ("the and of for with", "with the for of and"),
    ],
)
def test_texts_sharing_only_stopwords_have_no_matching_terms(query: str, document: str) -> None:
    assert matching_terms(query, document) == []


def test_the_limit_caps_the_terms() -> None:
    text = "warmtepomp zonnepaneel isolatie hennep stro hout beton staal glas"
    assert matching_terms(text, text, limit=3) == ["warmtepomp", "zonnepaneel", "isolatie"]
    assert len(matching_terms(text, text)) == 8


def test_char_tfidf_finds_the_compound_closer_than_an_unrelated_word() -> None:
    texts = ["energietransitie in de bouw", "boekhouding van een bedrijf", "zorg voor ouderen"]
    encoder = CharTfidfEncoder().fit(texts)
    rows = encoder.transform(texts)
    query = encoder.transform(["energie besparen"])
    similarity = (query @ rows.T).toarray()[0]
    assert similarity.argmax() == 0
    assert similarity[0] > 0.2
    assert similarity[0] > 2 * max(similarity[1], similarity[2])


def test_char_tfidf_rows_are_unit_length() -> None:
    texts = ["energietransitie in de bouw", "boekhouding van een bedrijf"]
    rows = CharTfidfEncoder().fit(texts).transform(texts)
    assert rows.shape[0] == 2
    np.testing.assert_allclose(np.sqrt(rows.multiply(rows).sum(axis=1)).A1, [1.0, 1.0], rtol=1e-5)


def test_char_tfidf_refuses_an_empty_text_by_its_position() -> None:
    with pytest.raises(EmptyTextError, match="text 1 is empty"):
        CharTfidfEncoder().fit(["warmtepompen", ""])


# -- the corpus's own filler ---------------------------------------------------------------

SUBJECTS = [
    "warmtepompen installeren",
    "boekhouding en jaarrekening",
    "zorg voor ouderen",
    "zonnepanelen op daken",
    "data-analyse in Python",
    "metselen en voegen",
    "bakkerij en brood",
    "logistiek in het magazijn",
    "hennep als bouwmateriaal",
    "websites bouwen",
]


def test_a_word_in_more_than_half_of_the_texts_is_common() -> None:
    # "achterhoek" in 6 of 10 texts, "regio" in exactly half: only the first is "most".
    texts = [
        f"{subject} in de Achterhoek" if n < 6 else f"{subject} in de regio"
        for n, subject in enumerate(SUBJECTS)
    ]
    texts[0] += " regio"
    common = common_words(texts)
    assert "achterhoek" in common
    assert "regio" not in common
    assert "warmtepompen" not in common


def test_a_few_texts_have_no_common_words() -> None:
    # Three texts about heat pumps share their subject; that is no filler.
    assert common_words(["warmtepompen"] * 3) == frozenset()
    assert common_words(["warmtepompen"] * 10) == {"warmtepompen"}


def test_a_common_word_is_not_offered_as_a_reason_even_inside_a_compound() -> None:
    query = "warmtepompen installeren in de Achterhoek, regio Zutphen"
    document = "Achterhoekse installateur van warmtepompen in de regio"
    assert matching_terms(query, document) == ["warmtepompen", "installeren", "achterhoek", "regio"]
    common = {"achterhoek", "regio"}
    # Neither as a word of the query nor as the word of the document it would match.
    assert matching_terms(query, document, common=common) == ["warmtepompen", "installeren"]
    assert matching_terms("Achterhoekse bedrijven", "wonen in de Achterhoek") == ["achterhoekse"]
    assert matching_terms("Achterhoekse bedrijven", "wonen in de Achterhoek", common=common) == []


@pytest.mark.parametrize("word", ["jaar", "opleiding", "mbo", "week", "uitvoeren"])
def test_generic_words_of_profiles_and_assignments_are_filler(word: str) -> None:
    text = f"{word} warmtepompen"
    assert matching_terms(text, text) == ["warmtepompen"]
