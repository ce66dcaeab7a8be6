"""Shared fixtures: a small Dutch learning-community corpus, encoders, the tiny benchmark."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dutch_corpus import ATTRIBUTES, CORPUS

from matcher import HashingEncoder, SentenceEncoder, SkillTagger, default_tagger

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def corpus() -> dict[str, str]:
    """The Dutch corpus, id -> text (a fresh copy per test)."""
    return dict(CORPUS)


@pytest.fixture
def attributes() -> list[dict[str, str | list[str]]]:
    """The attributes of the corpus rows, in corpus order."""
    return [ATTRIBUTES[id_] for id_ in CORPUS]


@pytest.fixture
def hashing_encoder() -> HashingEncoder:
    """The fast fake encoder, with fresh call counters."""
    return HashingEncoder()


@pytest.fixture(scope="session")
def sentence_encoder() -> SentenceEncoder:
    """The real default model (multilingual-e5-small, in models/), loaded once per session."""
    encoder = SentenceEncoder()
    encoder.encode(["warm up"])  # load the weights here, not inside the first test's timing
    return encoder


@pytest.fixture(scope="session")
def tagger() -> SkillTagger:
    """The tagger over the shipped ESCO list (fitted once per process)."""
    return default_tagger()


@pytest.fixture
def tiny_bench() -> Path:
    """The read-only tiny benchmark in tests/fixtures (see its README for the known answers)."""
    return FIXTURES / "tiny-bench"


@pytest.fixture
def tiny_bench_copy(tmp_path: Path, tiny_bench: Path) -> Path:
    """A private copy of the tiny benchmark that a test may break."""
    return Path(shutil.copytree(tiny_bench, tmp_path / "tiny-bench"))
