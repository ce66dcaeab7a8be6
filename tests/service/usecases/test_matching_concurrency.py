"""Searches and writes on the live indexes from several request threads: searches run side by
side (a readers-writer lock), a write goes alone, and a query that must be encoded is
encoded outside the lock, so that no other request waits for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest
from sqlmodel import Session, select
from test_index_state import STUDENTS, engine  # noqa: F401  (the fixture of 60 demo students)

from matcher import HashingEncoder
from matcher.ranker import HybridRanker
from service.domain.tables import StudentProfile
from service.usecases.matching import Matching, text_view
from service.usecases.readers_writer import ReadersWriterLock


class HeldQueryEncoder(HashingEncoder):
    """Queries and passages are encoded differently (as e5's prefixes make them); once `held`,
    encoding a query waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.held = False
        self.encoding = threading.Event()
        self.release = threading.Event()

    def prefix(self, kind: str) -> str:
        return "query: " if kind == "query" else "passage: "

    def encode(
        self, texts: Sequence[str], *, kind: str = "passage", progress: bool = False
    ) -> np.ndarray:
        if kind == "query" and self.held:
            self.encoding.set()
            assert self.release.wait(10), "the test never let the query go"
        return super().encode([self.prefix(kind) + text for text in texts], kind=kind)


def test_a_write_to_the_index_does_not_wait_for_a_query_being_encoded(engine) -> None:  # noqa: F811
    encoder = HeldQueryEncoder()
    matching = Matching(encoder=encoder)
    with Session(engine, expire_on_commit=False) as session:
        matching.rebuild(session)
        students = list(session.exec(select(StudentProfile).order_by(StudentProfile.id)))
    # A stored profile's query vector is kept in its row: only a text no row holds (here one
    # edited since it was embedded) is encoded at request time.
    query = students[0]
    query.about = "Ik zoek een stage bij een installatiebedrijf in de Achterhoek."
    encoder.held = True
    found: list = []
    search = threading.Thread(
        target=lambda: found.extend(matching.rank("student", "student", query, k=5, filters={}))
    )
    search.start()
    assert encoder.encoding.wait(10), "the search never encoded its query"

    # While the query is being encoded, another request edits a profile.
    edited = students[1]
    edited.about = "Ik bouw warmtepompen in en wil meer over zonnepanelen leren."
    writer = threading.Thread(target=lambda: matching.sync("student", edited, {"com-1"}))
    writer.start()
    writer.join(timeout=5)
    finished = not writer.is_alive()
    encoder.release.set()
    search.join(timeout=10)
    writer.join(timeout=10)
    assert finished, "the write waited for the other request's query encoding"
    assert len(found) == 5 and len(matching.rankers["student"]) == STUDENTS


def test_a_query_encoded_outside_the_lock_ranks_as_the_ranker_encoding_it_does(engine) -> None:  # noqa: F811
    encoder = HeldQueryEncoder()
    matching = Matching(encoder=encoder)
    with Session(engine, expire_on_commit=False) as session:
        matching.rebuild(session)
        query = session.exec(select(StudentProfile).order_by(StudentProfile.id)).first()
    ours = matching.rank("student", "student", query, k=8, filters={})
    theirs = matching.rankers["student"].search(text_view("student", query), 8)
    assert [(m.id, round(m.score, 6)) for m in ours] == [(m.id, round(m.score, 6)) for m in theirs]


class MeetingRanker(HybridRanker):
    """A ranker whose searches, once `meeting` is set, each wait until that many are inside
    `rank` at once: under a lock that lets one search in at a time, the first waits alone
    until the barrier gives up."""

    meeting: threading.Barrier | None = None

    def rank(self, *args, **kwargs):
        if self.meeting is not None:
            self.meeting.wait()
        return super().rank(*args, **kwargs)


class MeetingMatching(Matching):
    def _new_ranker(self) -> HybridRanker:
        return MeetingRanker(
            encoder=self.encoder, weights=self.weights, ann=self.ann, refit_drift=self.refit_drift
        )


def test_two_searches_run_at_the_same_time(engine) -> None:  # noqa: F811
    matching = MeetingMatching(encoder=HashingEncoder())
    with Session(engine, expire_on_commit=False) as session:
        matching.rebuild(session)
        students = list(session.exec(select(StudentProfile).order_by(StudentProfile.id)))
    queries = students[:2]
    alone = [matching.rank("student", "student", q, k=6, filters={}) for q in queries]
    matching._forget_answers()  # rank the same questions again, not from the kept answers
    ranker = matching.rankers["student"]
    assert isinstance(ranker, MeetingRanker)
    ranker.meeting = threading.Barrier(2, timeout=5)
    found: dict[int, list] = {}
    failed: list[BaseException] = []

    def search(n: int) -> None:
        try:
            found[n] = matching.rank("student", "student", queries[n], k=6, filters={})
        except BaseException as error:  # the barrier broken: the searches ran one by one
            failed.append(error)

    threads = [threading.Thread(target=search, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not failed, f"the two searches did not run at the same time: {failed!r}"
    assert [found[0], found[1]] == alone


def test_a_write_waits_for_the_searches_inside_and_goes_before_later_ones() -> None:
    lock = ReadersWriterLock()
    order: list[str] = []
    reading = threading.Event()
    done_reading = threading.Event()

    def reader(name: str, hold: threading.Event | None = None) -> None:
        with lock.reading():
            order.append(f"{name} in")
            if hold is not None:
                reading.set()
                assert hold.wait(10)
            order.append(f"{name} out")

    def writer() -> None:
        with lock.writing():
            order.append("write")

    first = threading.Thread(target=reader, args=("first", done_reading))
    first.start()
    assert reading.wait(10)
    write = threading.Thread(target=writer)
    write.start()
    _until(lambda: lock._writers_waiting == 1)
    later = threading.Thread(target=reader, args=("later",))
    later.start()
    time.sleep(0.1)  # the later reader, had it not waited, would be in by now
    assert order == ["first in"]
    done_reading.set()
    for thread in (first, write, later):
        thread.join(timeout=10)
    assert order == ["first in", "first out", "write", "later in", "later out"]


def _until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the condition never held")
        time.sleep(0.005)
