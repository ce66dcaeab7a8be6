"""The demo set's skill vocabulary: ESCO skills by id (labels from data/esco), and a few more."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

ESCO_PREFIX = "http://data.europa.eu/esco/skill/"


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with a header line."""
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def esco_labels(esco_file: Path) -> dict[str, str]:
    """ESCO skill id (the last part of the URI) -> its Dutch label (label_nl, may be empty)."""
    labels = {}
    with gzip.open(esco_file, "rt", encoding="utf-8") as file:
        for line in file:
            record = json.loads(line)
            labels[record["uri"].removeprefix(ESCO_PREFIX)] = record["label_nl"]
    return labels


class SkillVocabulary:
    """Every skill label the demo set may use, and the ESCO URI behind it (None outside ESCO)."""

    def __init__(self, esco_ids: list[str], other_labels: list[str], esco_file: Path) -> None:
        known = esco_labels(esco_file)
        self.uris: dict[str, str | None] = {}
        for line, esco_id in enumerate(esco_ids, start=2):
            label = known.get(esco_id)
            if not label:  # a missing id and one without a Dutch label are both unusable
                problem = "is not in" if label is None else "has no label_nl in"
                raise ValueError(f"esco_skills.csv line {line}: {esco_id} {problem} {esco_file}")
            self._add(label, ESCO_PREFIX + esco_id, f"esco_skills.csv line {line}")
        for line, label in enumerate(other_labels, start=2):
            self._add(label, None, f"skills_outside_esco.csv line {line}")

    def _add(self, label: str, uri: str | None, where: str) -> None:
        if label in self.uris:
            raise ValueError(f"{where}: the skill {label!r} is listed twice")
        self.uris[label] = uri

    def skill(self, label: str, where: str) -> dict[str, str | None]:
        """The skill as {label, esco_uri}; an unknown label is an error naming `where`."""
        if label not in self.uris:
            raise ValueError(
                f"{where}: unknown skill {label!r}: add its ESCO id to esco_skills.csv "
                "or the label to skills_outside_esco.csv"
            )
        return {"label": label, "esco_uri": self.uris[label]}
