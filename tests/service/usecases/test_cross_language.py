"""Cross-language matching with the shipped model (issue 18): an English challenge finds the Dutch
research group that works on its subject, and a Dutch challenge the English-described one.

The check set (tests/fixtures/crosslang-check.tsv) is written by hand for this test: 20 English
challenges, each with the Dutch research group that answers it, 8 the other way round, and 12
near-miss groups in both languages. Every group is a distractor for every challenge, so an
English challenge also meets English groups on other subjects. Both sides become text through
the service's text views and are ranked as the service ranks research groups: a HybridRanker
over the groups, the challenge encoded as a query, fused with the shipped weights.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sqlmodel import Session

from matcher import SentenceEncoder
from matcher.ranker import HybridRanker, Weights
from service.domain.tables import Challenge
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases.demo import load_demo_if_empty
from service.usecases.matching import Matching, text_view
from service.usecases.suggestions import research_groups_for_challenge

pytestmark = pytest.mark.slow

CHECK_SET = Path(__file__).parents[2] / "fixtures" / "crosslang-check.tsv"
#: A row that is a group only: a distractor that answers no challenge.
GROUP_ONLY = "-"


def check_set() -> list[tuple[str, str | None, str]]:
    """(direction, challenge text or None, group text), as the service's text views make them."""
    lines = [line for line in CHECK_SET.read_text(encoding="utf-8").splitlines() if line]
    header, *rows = [line.split("\t") for line in lines if not line.startswith("#")]
    assert header == ["direction", "title", "description", "group", "expertise", "themes"]
    found = []
    for direction, title, description, name, expertise, themes in rows:
        challenge = SimpleNamespace(
            title=title, description=description, wanted_skills=[], themes=[]
        )
        group = SimpleNamespace(name=name, expertise=expertise, themes=themes.split("; "))
        query = None if direction == GROUP_ONLY else text_view("challenge", challenge)
        found.append((direction, query, text_view("research_group", group)))
    return found


def reciprocal_ranks(encoder: SentenceEncoder, weights: Weights) -> dict[str, np.ndarray]:
    """Per direction, 1 / the rank of each challenge's own group among all groups."""
    rows = check_set()
    ranker = HybridRanker(encoder=encoder, weights=weights)
    ranker.fit([str(at) for at in range(len(rows))], [group for _, _, group in rows])
    asked = [at for at, (_, query, _) in enumerate(rows) if query is not None]
    found = ranker.rank([rows[at][1] for at in asked], k=len(rows), explain=False)
    by_direction: dict[str, list[float]] = {}
    for at, matches in zip(asked, found, strict=True):
        rank = 1 + [match.id for match in matches].index(str(at))
        by_direction.setdefault(rows[at][0], []).append(1.0 / rank)
    return {direction: np.array(values) for direction, values in by_direction.items()}


def test_the_check_set_has_both_directions_and_near_misses() -> None:
    directions = [direction for direction, _, _ in check_set()]
    assert directions.count("en-nl") == 20
    assert directions.count("nl-en") == 8
    assert directions.count(GROUP_ONLY) == 12
    groups = [group for _, _, group in check_set()]
    assert len(set(groups)) == len(groups)


@pytest.mark.parametrize(
    ("method", "floor"),
    # measured (fp32, lcmatch-e5-nl): dense 0.938 (en-nl 0.938, nl-en 0.938), hybrid 0.902
    # (0.912, 0.875); the old default lcmatch-minilm-nl: dense 0.344 (nl-en 0.107), hybrid 0.373
    [("dense", 0.9), ("hybrid", 0.85)],
)
def test_the_shipped_model_matches_across_languages(
    sentence_encoder: SentenceEncoder, method: str, floor: float
) -> None:
    ranks = reciprocal_ranks(sentence_encoder, Weights.for_method(method))
    overall = float(np.mean(np.concatenate(list(ranks.values()))))
    per_direction = {direction: float(values.mean()) for direction, values in ranks.items()}
    assert overall >= floor, (overall, per_direction)
    assert min(per_direction.values()) >= floor - 0.05, per_direction


@pytest.fixture(scope="module")
def demo_matching(tmp_path_factory: pytest.TempPathFactory, sentence_encoder: SentenceEncoder):
    """The demo data in SQLite with every index built by the service on the shipped model."""
    home = tmp_path_factory.mktemp("demo")
    engine = make_engine(f"sqlite:///{home / 'demo.sqlite'}")
    migrate(engine)
    with Session(engine) as session:
        assert load_demo_if_empty(session, Settings(home=home)) is True
        matching = Matching(encoder=sentence_encoder)
        matching.rebuild(session)
    return engine, matching


def test_the_english_microalgae_challenge_finds_the_group_that_grows_microalgae(
    demo_matching,
) -> None:
    # Issue 18: the English challenge on microalgae (ch-008) had the port-logistics group
    # first and the group whose text says "microalgen" 7th of 9 (with the old default model).
    # measured (lcmatch-e5-nl, fp32): 2nd, after Biobased Chemie en Technologie (fermentation,
    # which the challenge's Dutch wanted skills name); port logistics 8th.
    engine, matching = demo_matching
    with Session(engine) as session:
        challenge = session.get(Challenge, "ch-008")
        assert challenge.language == "en" and "microalgae" in challenge.title
        suggestions = research_groups_for_challenge(session, matching, challenge, k=9)
        ranked = [suggestion.target_id for suggestion in suggestions]
    assert len(ranked) == 9  # the community's nine groups, all with capacity
    assert "rg-aquatische-biomassa" in ranked[:3], ranked
    assert ranked.index("rg-duurzame-havenlogistiek") >= 3, ranked
