"""The suggestions request path: answers kept until a write, no refit on a request, no write
for an unchanged ranking (the demo data, the fast fake encoder, a real SQLite database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from matcher import HashingEncoder, HybridRanker
from service.domain.tables import Challenge, ChallengeStatus, StudentProfile, Suggestion
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases.demo import load_demo_if_empty
from service.usecases.matching import Matching
from service.usecases.suggestions import StudentFilters, students_for_challenge


@dataclass
class Demo:
    session: Session
    matching: Matching
    challenge: Challenge
    searches: list[str]  # the query texts the student ranker was asked
    refits: list[int]  # one entry per refit of any ranker
    writes: list[str]  # the INSERT/UPDATE statements sent to the database

    def suggest(self) -> list[Suggestion]:
        return students_for_challenge(
            self.session, self.matching, self.challenge, k=5, filters=StudentFilters()
        )


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    engine = make_engine(f"sqlite:///{tmp_path / 'lcmatch.sqlite'}")
    migrate(engine)
    writes: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    with Session(engine, expire_on_commit=False) as session:
        load_demo_if_empty(session, Settings(home=tmp_path))
        matching = Matching(encoder=HashingEncoder())
        matching.rebuild(session)
        refits: list[int] = []
        searches: list[str] = []
        refit, search = HybridRanker.refit, HybridRanker.search

        def counted_refit(ranker: HybridRanker) -> None:
            refits.append(len(ranker))
            refit(ranker)

        def counted_search(ranker: HybridRanker, query: str, *args, **kwargs):
            if ranker is matching.rankers["student"]:
                searches.append(query)
            return search(ranker, query, *args, **kwargs)

        monkeypatch.setattr(HybridRanker, "refit", counted_refit)
        monkeypatch.setattr(HybridRanker, "search", counted_search)
        challenge = session.exec(
            select(Challenge).where(Challenge.status == ChallengeStatus.published)
        ).first()
        writes.clear()
        yield Demo(session, matching, challenge, searches, refits, writes)
    engine.dispose()


def test_a_repeated_request_is_answered_from_the_kept_ranking(demo: Demo) -> None:
    first = demo.suggest()
    second = demo.suggest()
    assert len(first) == 5
    assert [s.target_id for s in second] == [s.target_id for s in first]
    assert len(demo.searches) == 1, "the second request ranked nothing"


def test_a_profile_edit_invalidates_the_kept_ranking(demo: Demo) -> None:
    first = demo.suggest()
    last = demo.session.get(StudentProfile, first[-1].target_id)
    # The last of the five now says exactly what the challenge asks for.
    last.about = f"{demo.challenge.title}. {demo.challenge.description}"
    demo.matching.embed("student", [last])
    demo.session.add(last)
    demo.session.commit()
    demo.matching.sync("student", last, {demo.challenge.community_id})
    second = demo.suggest()
    assert len(demo.searches) == 2, "the edit made the request rank again"
    assert second[0].target_id == last.id


def test_withdrawn_consent_takes_the_student_out_of_the_kept_ranking(demo: Demo) -> None:
    first = demo.suggest()
    gone = demo.session.get(StudentProfile, first[0].target_id)
    gone.consent_matching = False
    demo.session.add(gone)
    demo.session.commit()
    demo.matching.sync("student", gone, {demo.challenge.community_id})
    assert gone.id not in [s.target_id for s in demo.suggest()]


def test_requests_never_relearn_the_corpus_statistics(demo: Demo) -> None:
    for _ in range(3):
        demo.suggest()
    demo.matching.rank(
        "student",
        "challenge",
        demo.challenge,
        k=10,
        filters={"community": [demo.challenge.community_id]},
    )
    assert demo.refits == []


def test_an_unchanged_ranking_writes_nothing(demo: Demo) -> None:
    first = demo.suggest()
    assert any("suggestion" in statement for statement in demo.writes), "first: stored"
    stamps = {s.id: s.updated_at for s in first}
    demo.writes.clear()
    demo.matching._forget_answers()  # ranked again: the same answer
    second = demo.suggest()
    assert demo.writes == []
    assert len(demo.searches) == 2
    assert {s.id: s.updated_at for s in second} == stamps
