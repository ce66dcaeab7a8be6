"""The ESCO skill autocomplete offers labels in the page's language: a Dutch page never shows
the English label of a skill that has a Dutch one (issue 18: "storing milk samples" for the
typed "storing"); labels of another language stand in only when none in the page's matches."""

from __future__ import annotations

import pytest

from service.web.sme_skills import _skills, resolve, suggest


@pytest.fixture(scope="module")
def dutch_labels() -> set[str]:
    return {label for skill in _skills() for label in skill.labels.get("nl", ())}


@pytest.fixture(scope="module")
def english_labels() -> set[str]:
    return {label for skill in _skills() for label in skill.labels.get("en", ())}


@pytest.fixture(scope="module")
def english_of_skills_without_dutch() -> set[str]:
    return {
        label
        for skill in _skills()
        if not skill.labels.get("nl")
        for label in skill.labels.get("en", ())
    }


def test_storing_on_a_dutch_page_gets_only_dutch_labels(dutch_labels) -> None:
    offered = suggest("storing", "nl")
    assert offered == ["storingen aan apparatuur oplossen", "storingen in motoren opsporen"]
    assert set(offered) <= dutch_labels
    assert "storing milk samples" not in offered


def test_storing_on_an_english_page_gets_english_labels(english_labels) -> None:
    offered = suggest("storing", "en")
    assert len(offered) == 8
    assert offered[0] == "storing milk samples"
    assert set(offered) <= english_labels
    assert all(label.casefold().startswith("storing") for label in offered)


@pytest.mark.parametrize("typed", ["stor", "melk", "lassen", "chemisch", "data", "hout", "ana"])
def test_a_dutch_page_never_offers_the_english_label_of_a_skill_with_a_dutch_one(
    typed: str, dutch_labels
) -> None:
    offered = suggest(typed, "nl")
    assert offered, typed
    assert all(label in dutch_labels for label in offered), offered


def test_english_stands_in_on_a_dutch_page_only_for_skills_without_a_dutch_label(
    dutch_labels, english_of_skills_without_dutch
) -> None:
    """No Dutch label has "milk samples": the English labels of Dutch-less skills stand in, so
    an English term still finds its skill."""
    offered = suggest("milk samples", "nl")
    assert "storing milk samples" in offered
    assert set(offered) <= english_of_skills_without_dutch
    assert not set(offered) & dutch_labels


def test_labels_starting_with_the_text_come_first_then_words_starting_with_it() -> None:
    offered = suggest("lasse", "nl")
    assert offered[0] == "lassen"
    assert offered.index("kunststof lassen") < offered.index("onderwaterlassen")


def test_a_chosen_label_resolves_to_its_esco_skill() -> None:
    for language in ("nl", "en"):
        for label in suggest("storing", language):
            choice = resolve(label)
            assert choice is not None
            assert choice.uri.startswith("http://data.europa.eu/esco/skill/"), label


def test_too_short_a_text_and_an_unknown_language() -> None:
    assert suggest("s", "nl") == []
    assert suggest("  ", "en") == []
    assert suggest("storing", "xx") == suggest("storing", "nl")
