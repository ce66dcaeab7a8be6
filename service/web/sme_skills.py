"""The skills of a challenge as the SME corrects them: tagged by the engine, removed, added.

The form carries each skill shown as `shown` (and, when ticked, as `skill`), encoded as
"origin|uri|label". The origin says whether the engine tagged it ("auto") or the SME added it
("manual"): a ticked automatic skill whose words left the text goes away, an unticked one stays
(unticked) so the engine does not add it again, and a manual one stays until the SME unticks it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from matcher.skills import Skill, default_tagger
from service.domain.tables import SkillRef

AUTO = "auto"
MANUAL = "manual"
#: How many autocomplete suggestions a prefix gets.
SUGGESTIONS = 8


@dataclass(frozen=True)
class SkillChoice:
    """One skill on the form: where it came from and whether it is ticked."""

    uri: str
    label: str
    origin: str
    chosen: bool

    @property
    def value(self) -> str:
        return f"{self.origin}|{self.uri}|{self.label}"

    @property
    def dom_id(self) -> str:
        """An id that stays the same when the list is drawn again (htmx keeps the focus)."""
        digest = hashlib.sha1(_key(self.uri, self.label).encode()).hexdigest()[:10]
        return f"skill-{digest}"

    def as_ref(self) -> SkillRef:
        return {"label": self.label, "esco_uri": self.uri or None}


def parse_choice(value: str, *, chosen: bool) -> SkillChoice | None:
    """A skill from its form value; None for a value that is not one of ours."""
    origin, sep, rest = value.partition("|")
    uri, sep2, label = rest.partition("|")
    if not (sep and sep2) or origin not in (AUTO, MANUAL) or not label.strip():
        return None
    return SkillChoice(uri=uri.strip(), label=label.strip()[:200], origin=origin, chosen=chosen)


def _key(uri: str, label: str) -> str:
    return uri or label.casefold()


def tagged(text: str) -> list[SkillChoice]:
    """The skills the engine finds in the text (as the ranker tags a challenge)."""
    if not text.strip():
        return []
    return [
        SkillChoice(uri=tag.uri, label=tag.label, origin=AUTO, chosen=True)
        for tag in default_tagger().tag(text)
    ]


def merge(
    shown: Iterable[str], ticked: Iterable[str], text: str, added: SkillChoice | None = None
) -> list[SkillChoice]:
    """The skills to show after the text changed, the SME ticked or unticked, or added one."""
    ticked_values = set(ticked)
    found = {_key(s.uri, s.label): s for s in tagged(text)}
    kept: dict[str, SkillChoice] = {}
    for value in shown:
        choice = parse_choice(value, chosen=value in ticked_values)
        if choice is None:
            continue
        key = _key(choice.uri, choice.label)
        still_tagged = key in found
        # An automatic skill the text no longer speaks of goes, unless the SME unticked it:
        # then it stays unticked, so that the engine does not tick it again.
        if choice.origin == AUTO and choice.chosen and not still_tagged:
            continue
        kept[key] = choice
    for key, choice in found.items():
        kept.setdefault(key, choice)
    if added is not None:
        kept[_key(added.uri, added.label)] = added
    return list(kept.values())


@cache
def _skills() -> tuple[Skill, ...]:
    return tuple(default_tagger().skills_)


def resolve(label: str) -> SkillChoice | None:
    """A skill the SME typed: the ESCO skill of that label (Dutch or English), else the label
    as it is; None for an empty one."""
    wanted = " ".join(label.split())[:200]
    if not wanted:
        return None
    folded = wanted.casefold()
    for skill in _skills():
        labels = (skill.label, *skill.labels.get("nl", ()), *skill.labels.get("en", ()))
        if any(candidate.casefold() == folded for candidate in labels):
            return SkillChoice(uri=skill.uri, label=skill.label, origin=MANUAL, chosen=True)
    return SkillChoice(uri="", label=wanted, origin=MANUAL, chosen=True)


#: The languages of the ESCO labels, in the order a missing one is stood in for.
LABEL_LANGUAGES = ("nl", "en")


@cache
def _labels_in(language: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The labels an autocomplete in this language offers, each as (folded, as written): the
    skills' labels in the language, and apart from them the labels in another language of the
    skills that have none in it (8,500 ESCO skills have no Dutch label)."""
    own: list[tuple[str, str]] = []
    stand_ins: list[tuple[str, str]] = []
    others = [other for other in LABEL_LANGUAGES if other != language]
    for skill in _skills():
        labels = skill.labels.get(language, ())
        if labels:
            own += [(label.casefold(), label) for label in labels]
            continue
        for other in others:
            stand_ins += [(label.casefold(), label) for label in skill.labels.get(other, ())]
    return tuple(own), tuple(stand_ins)


def _matching(needle: str, labels: Iterable[tuple[str, str]], limit: int) -> list[str]:
    """Labels starting with the text, then those with a word starting with it, then those
    containing it."""
    starts: list[str] = []
    word_starts: list[str] = []
    contains: list[str] = []
    for folded, label in labels:
        if folded.startswith(needle):
            starts.append(label)
        elif f" {needle}" in f" {folded}":
            word_starts.append(label)
        elif needle in folded:
            contains.append(label)
    return list(dict.fromkeys(starts + word_starts + contains))[:limit]


def suggest(prefix: str, language: str = "nl", limit: int = SUGGESTIONS) -> list[str]:
    """ESCO skill labels for an autocomplete in the page's language. A skill with a label in
    that language is offered by it alone (a Dutch page never shows "storing milk samples" for
    "storing"); labels in another language of skills without one in it stand in only when no
    label in the language matches, so an English term typed on a Dutch page still finds its
    skill. The chosen label is mapped back to its ESCO skill by `resolve`."""
    needle = " ".join(prefix.split()).casefold()
    if len(needle) < 2:
        return []
    if language not in LABEL_LANGUAGES:
        language = LABEL_LANGUAGES[0]
    own, stand_ins = _labels_in(language)
    return _matching(needle, own, limit) or _matching(needle, stand_ins, limit)
