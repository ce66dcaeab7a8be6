"""Precision and recall of the ESCO skill tagger on 50 hand-labelled Dutch challenge texts.

Tags every text of the set (tests/fixtures/tagger-set.tsv, written and labelled by hand for
lcmatch) with the shipped tagger and compares the tags with the labels: micro precision (of all
tags, the share a careful reader would tick) and recall (of all labelled skills, the share
tagged), plus each text's false positives and misses. Prints JSON and writes it to
benchmarks/results/tagger_precision.json.

    python benchmarks/tagger_precision.py [--set PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import publish

from matcher.skills import SkillTagger
from matcher.tagging_quality import load_labelled_texts, measure

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "tests" / "fixtures" / "tagger-set.tsv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET, help="the hand-labelled TSV")
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON")
    arguments = parser.parse_args()
    texts = load_labelled_texts(arguments.set)
    quality = measure(SkillTagger().fit(), texts)
    result = {
        "set": str(
            arguments.set.relative_to(ROOT) if arguments.set.is_relative_to(ROOT) else arguments.set
        ),
        "texts": len(texts),
        "tags": quality.tags,
        "correct_tags": quality.correct_tags,
        "labelled_skills": quality.wanted,
        "labelled_skills_found": quality.found,
        "precision": round(quality.precision, 4),
        "recall": round(quality.recall, 4),
        "false_positives": {o.id: list(o.wrong) for o in quality.outcomes if o.wrong},
        "missed": {o.id: list(o.missed) for o in quality.outcomes if o.missed},
    }
    publish(result, "tagger_precision", out=arguments.out)


if __name__ == "__main__":
    main()
