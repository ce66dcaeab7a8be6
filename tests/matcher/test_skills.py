"""The ESCO skill tagger, in Dutch and English, and the shared skills it puts in explanations."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from dutch_corpus import CORPUS, HEAT_PUMP_SKILL, PYTHON_SKILL

from matcher import HashingEncoder, HybridRanker, MatcherError, SkillTagger, Weights
from matcher.lexical import STOPWORDS, words
from matcher.skills import Skill, SkillTag, guess_languages, load_esco_skills, shared_tags


def labels(tagger: SkillTagger, text: str) -> list[str]:
    return [tag.label for tag in tagger.tag(text)]


def uris(tagger: SkillTagger, text: str) -> set[str]:
    return {tag.uri for tag in tagger.tag(text)}


def test_the_shipped_list_holds_every_esco_skill(tagger: SkillTagger) -> None:
    assert len(tagger.skills_) == 13_896


def test_a_dutch_label_is_found_as_it_is(tagger: SkillTagger) -> None:
    tags = tagger.tag("warmtepompen installeren")
    assert [(tag.uri, tag.label) for tag in tags] == [(HEAT_PUMP_SKILL, "warmtepompen installeren")]


def test_a_dutch_label_is_found_in_a_dutch_sentence_with_other_word_forms(
    tagger: SkillTagger,
) -> None:
    text = "Wij zoeken een student die een warmtepomp kan installeren bij woningen"
    assert "warmtepompen installeren" in labels(tagger, text)


def test_an_english_sentence_finds_the_same_skill_as_the_dutch_one(tagger: SkillTagger) -> None:
    english = tagger.tag("We are looking for a student who is installing heat pumps in houses")
    assert HEAT_PUMP_SKILL in {tag.uri for tag in english}
    assert {tag.label for tag in english if tag.uri == HEAT_PUMP_SKILL} == {"install heat pump"}


@pytest.mark.parametrize(
    "text",
    ["Python", "We need a student who knows Python and data analysis for the company"],
)
def test_python_is_tagged_as_python(tagger: SkillTagger, text: str) -> None:
    tags = {tag.uri: tag.label for tag in tagger.tag(text)}
    assert tags[PYTHON_SKILL] == "Python"


def test_python_is_tagged_in_a_dutch_sentence(tagger: SkillTagger) -> None:
    assert PYTHON_SKILL in uris(tagger, "Data-analyse met Python en pandas voor een mkb-bedrijf")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Een zorginstelling zoekt studenten voor de zorg voor ouderen", "zorgen voor ouderen"),
        ("De stagiair doet de boekhouding van het bedrijf", "boekhouding"),
        (
            "Wij zoeken iemand die de jaarrekeningen opstelt voor het bedrijf",
            "jaarrekeningen opstellen",
        ),
    ],
)
def test_dutch_sentences_get_their_dutch_skills(
    tagger: SkillTagger, text: str, expected: str
) -> None:
    assert expected in labels(tagger, text)


def english_only_labels(tagger: SkillTagger, text: str) -> list[str]:
    """Tags of a text that came from an English label whose words do not stand in the text."""
    by_uri = {skill.uri: skill for skill in tagger.skills_}
    text_words = set(words(text))
    found = []
    for tag in tagger.tag(text):
        if tag.label in by_uri[tag.uri].labels["nl"]:
            continue
        label_words = {word for word in words(tag.label) if word not in STOPWORDS}
        if not label_words <= text_words:
            found.append(tag.label)
    return found


@pytest.mark.parametrize(
    "text",
    [
        "De student gaat de planning van de productie verbeteren en met de klanten overleggen.",
        "Een installateur van zonnepanelen zoekt hulp bij het plannen van de montage.",
        "Het team werkt aan de installatie van een nieuwe machine in de fabriek.",
        "Wij zoeken een student die de data van het bedrijf analyseert en er een rapport over "
        "schrijft.",
    ],
)
def test_a_clearly_dutch_sentence_gets_no_english_labels(tagger: SkillTagger, text: str) -> None:
    # An English label may count in Dutch text only where it stands there word for word
    # ("Python"); a Dutch text about a team or data is not about "manage a team".
    assert guess_languages(text, ["nl", "en"]) == ["nl"]
    assert english_only_labels(tagger, text) == []


def test_a_text_about_nothing_skilled_gets_no_tags(tagger: SkillTagger) -> None:
    assert tagger.tag("Hallo, tot morgen!") == []


def test_tags_list_the_most_specific_label_first(tagger: SkillTagger) -> None:
    # ("boekhouding controleren" is not among them: the text never says it is checked.)
    assert labels(tagger, CORPUS["boekhouding"]) == ["jaarrekeningen opstellen", "boekhouding"]


def test_transform_marks_the_skills_of_each_text(tagger: SkillTagger) -> None:
    matrix = tagger.transform(["warmtepompen installeren", "Hallo, tot morgen!"])
    column = tagger.uri_index()[HEAT_PUMP_SKILL]
    assert matrix.shape == (2, 13_896)
    assert matrix[0, column] == 1.0
    assert matrix[1].nnz == 0


def test_a_tagger_fitted_on_its_own_skills_uses_only_those() -> None:
    skills = [
        Skill("urn:a", "hennep verwerken", {"nl": ("hennep verwerken",), "en": ("process hemp",)}),
        Skill("urn:b", "stro oogsten", {"nl": ("stro oogsten",), "en": ("harvest straw",)}),
    ]
    tagger = SkillTagger().fit(skills)
    assert [tag.uri for tag in tagger.tag("Wij gaan hennep en stro oogsten voor de bouw")] == [
        "urn:b"
    ]
    assert [tag.uri for tag in tagger.tag("processing hemp for buildings")] == ["urn:a"]


# -- explanations ---------------------------------------------------------------------------


def test_shared_skills_show_up_in_the_explanation() -> None:
    ranker = HybridRanker(encoder=HashingEncoder(), weights=Weights.for_method("lexical"))
    ranker.fit(list(CORPUS), list(CORPUS.values()))
    matches = ranker.search("Wie kan bij ons warmtepompen installeren?", 3)
    assert matches[0].id == "warmtepomp"
    shared = matches[0].explanation.shared_skills
    assert [(tag.uri, tag.label) for tag in shared] == [
        (HEAT_PUMP_SKILL, "warmtepompen installeren")
    ]
    assert all(match.explanation.shared_skills == () for match in matches[1:])


def test_the_skill_component_rewards_a_shared_skill() -> None:
    ranker = HybridRanker(encoder=None, weights=Weights(dense=0.0, lexical=0.0, skill=1.0))
    ranker.fit(list(CORPUS), list(CORPUS.values()))
    best = ranker.search("Ervaring met boekhouding en jaarrekeningen opstellen", 1)[0]
    assert best.id == "boekhouding"
    assert best.components.skill > 0.5
    assert {tag.label for tag in best.explanation.shared_skills} >= {
        "boekhouding",
        "jaarrekeningen opstellen",
    }


# -- the skill list file ---------------------------------------------------------------------


def test_a_missing_skill_list_is_named(tmp_path: Path) -> None:
    with pytest.raises(MatcherError, match=r"ESCO skill list not found: .*nothing\.jsonl"):
        load_esco_skills(tmp_path / "nothing.jsonl")


def test_a_bad_line_in_the_skill_list_is_named_by_number(tmp_path: Path) -> None:
    path = tmp_path / "skills.jsonl.gz"
    good = {"uri": "urn:a", "label_nl": "hennep verwerken", "label_en": "process hemp"}
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps(good) + "\n")
        out.write(json.dumps({"uri": "urn:b", "label_nl": "stro"}) + "\n")  # no label_en
    with pytest.raises(MatcherError, match=r"skills\.jsonl\.gz, line 2: not a skill record"):
        load_esco_skills(path)


def test_a_plain_json_lines_skill_list_loads(tmp_path: Path) -> None:
    path = tmp_path / "skills.jsonl"
    path.write_text(
        json.dumps({"uri": "urn:a", "label_nl": "", "label_en": "process hemp"}) + "\n",
        encoding="utf-8",
    )
    [skill] = load_esco_skills(path)
    assert skill == Skill("urn:a", "process hemp", {"nl": (), "en": ("process hemp",)})


def test_a_shared_skill_label_is_given_once() -> None:
    # Seen on the pages: "ICT, ICT, ICT, ICT, JavaScript" from four ESCO skills labelled ICT.
    tags = [
        SkillTag("esco:ict-1", "ICT"),
        SkillTag("esco:ict-2", "ict"),
        SkillTag("esco:js", "JavaScript"),
        SkillTag("esco:ict-3", "ICT"),
    ]
    candidate_has = {"esco:ict-2", "esco:ict-3", "esco:js"}
    shared = shared_tags(tags, lambda tag: tag.uri in candidate_has)
    # The first tag the candidate has stands for its label; a label it lacks is not claimed.
    expected = [("esco:ict-2", "ict"), ("esco:js", "JavaScript")]
    assert [(tag.uri, tag.label) for tag in shared] == expected
