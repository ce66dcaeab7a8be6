"""Deterministic Dutch texts for the encoding and import benchmarks, made from the demo data.

The demo set (data/demo) is fictional but realistic Dutch: its challenge descriptions and student
profiles are cut into windows of a fixed number of words, so every run times the same texts.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from matcher.paths import PROJECT_ROOT

DEMO = PROJECT_ROOT / "data" / "demo"


def _demo(name: str) -> list[dict]:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


def demo_words() -> list[str]:
    """Every word of the demo challenges' descriptions and the students' profiles, in order."""
    texts = [row["description"] for row in _demo("challenges.json")]
    texts += [row["about"] for row in _demo("students.json")]
    return " ".join(texts).split()


def word_windows(count: int, words_each: int, *, seed: int = 7) -> list[str]:
    """`count` texts of `words_each` consecutive demo words, from seeded random offsets."""
    words = demo_words()
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        start = rng.randrange(len(words) - words_each)
        texts.append(" ".join(words[start : start + words_each]))
    return texts


def demo_students() -> list[dict]:
    """The 300 demo student records (as `lcmatch import students` reads them)."""
    return _demo("students.json")


def demo_path(name: str) -> Path:
    """A file of the demo set."""
    return DEMO / name
