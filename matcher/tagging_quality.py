"""How well the skill tagger agrees with a hand-labelled set: micro precision and recall.

The set is a TSV (lines starting with "#" are comments, then a header): id, sector, text and
the skills a careful reader would tick, as the labels the SME form shows, separated by " | ".
A label names every ESCO skill that carries it, so a tag of any of them counts as that one
wanted skill.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matcher.errors import MatcherError
from matcher.skills import Skill, SkillTagger

_COLUMNS = ["id", "sector", "text", "skills"]


@dataclass(frozen=True)
class LabelledText:
    """One text of the set and the labels of the skills it should be tagged with."""

    id: str
    sector: str
    text: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class TextOutcome:
    """What the tagger did on one text."""

    id: str
    correct: tuple[str, ...]
    wrong: tuple[str, ...]  # false positives, by the label they were tagged under
    missed: tuple[str, ...]


@dataclass(frozen=True)
class TaggingQuality:
    """Micro precision and recall over a set, with each text's outcome."""

    tags: int
    correct_tags: int
    wanted: int
    found: int
    outcomes: list[TextOutcome] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct_tags / self.tags if self.tags else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.wanted if self.wanted else 1.0


def load_labelled_texts(path: str | Path) -> list[LabelledText]:
    """Read a hand-labelled set; a malformed line is named by its number."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1) if not line.startswith("#")]
    if not lines or lines[0][1].rstrip("\r\n").split("\t") != _COLUMNS:
        raise MatcherError(f"{path}: the header must be {' / '.join(_COLUMNS)}")
    texts: list[LabelledText] = []
    rows = csv.reader((line for _n, line in lines[1:]), delimiter="\t", quoting=csv.QUOTE_NONE)
    for (number, _line), row in zip(lines[1:], rows, strict=True):
        if len(row) != len(_COLUMNS) or not row[2].strip():
            raise MatcherError(f"{path}, line {number}: expected {len(_COLUMNS)} columns")
        labels = tuple(label.strip() for label in row[3].split("|") if label.strip())
        texts.append(LabelledText(row[0], row[1], row[2], labels))
    return texts


def skills_by_label(skills: Sequence[Skill]) -> dict[str, frozenset[str]]:
    """Each label the form can show (casefolded) -> the URIs of the skills carrying it."""
    found: dict[str, set[str]] = {}
    for skill in skills:
        for label in {skill.label, *skill.labels.get("nl", ())}:
            found.setdefault(label.casefold(), set()).add(skill.uri)
    return {label: frozenset(uris) for label, uris in found.items()}


def measure(tagger: SkillTagger, texts: Sequence[LabelledText]) -> TaggingQuality:
    """Tag every text and compare with its labels; an unknown label is an error."""
    by_label = skills_by_label(tagger.skills_)
    tags = correct_tags = wanted = found = 0
    outcomes: list[TextOutcome] = []
    for labelled in texts:
        unknown = [label for label in labelled.labels if label.casefold() not in by_label]
        if unknown:
            raise MatcherError(f"text {labelled.id}: not an ESCO label: {', '.join(unknown)}")
        wanted_uris = {label: by_label[label.casefold()] for label in labelled.labels}
        tagged = {tag.uri: tag.label for tag in tagger.tag(labelled.text)}
        right = {uri for uri in tagged if any(uri in uris for uris in wanted_uris.values())}
        hit = [label for label, uris in wanted_uris.items() if uris & tagged.keys()]
        tags += len(tagged)
        correct_tags += len(right)
        wanted += len(wanted_uris)
        found += len(hit)
        outcomes.append(
            TextOutcome(
                id=labelled.id,
                correct=tuple(sorted(tagged[uri] for uri in right)),
                wrong=tuple(sorted(label for uri, label in tagged.items() if uri not in right)),
                missed=tuple(label for label in wanted_uris if label not in hit),
            )
        )
    return TaggingQuality(tags, correct_tags, wanted, found, outcomes)
