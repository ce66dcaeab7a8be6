"""A ranker tags each text it explains (the query, and with the skill component at weight 0 the
rows it returns) once and keeps its skills for the next searches, until they are forgotten (an
erased profile's text must not outlive it): the explanations stay the same."""

from __future__ import annotations

from matcher import HashingEncoder, HybridRanker, Weights
from matcher.skills import Skill, SkillTagger

SKILLS = [
    Skill(uri="s:heat", label="warmtepomp", labels={"nl": ("warmtepomp",), "en": ("heat pump",)}),
    Skill(uri="s:python", label="Python", labels={"nl": ("Python",), "en": ("Python",)}),
]
TEXTS = {
    "a": "Een warmtepomp installeren bij woningen.",
    "b": "Data-analyse met Python voor energiebedrijven.",
    "c": "Een warmtepomp regelen met Python.",
}
QUERY = "Ik wil een warmtepomp leren regelen met Python."


class CountingTagger(SkillTagger):
    def __init__(self) -> None:
        super().__init__()
        self.tagged: list[str] = []

    def tag(self, text: str):
        self.tagged.append(text)
        return super().tag(text)


def test_each_text_is_tagged_once_and_explained_alike_until_forgotten() -> None:
    tagger = CountingTagger().fit(SKILLS)
    ranker = HybridRanker(encoder=HashingEncoder(), weights=Weights(1.0, 0.0, 0.0), tagger=tagger)
    ranker.fit(list(TEXTS), list(TEXTS.values()))
    first = ranker.search(QUERY, 3)
    assert {tag.uri for m in first for tag in m.explanation.shared_skills} == {"s:heat", "s:python"}
    assert sorted(tagger.tagged) == sorted([QUERY, *TEXTS.values()])
    assert ranker.search(QUERY, 3) == first
    assert len(tagger.tagged) == 1 + len(TEXTS)

    ranker.forget_texts()
    assert ranker.search(QUERY, 3) == first
    assert len(tagger.tagged) == 2 * (1 + len(TEXTS))
