"""A search makes its query's vector outside the index lock: while one request encodes, another
may rank from the cache or write to the index, instead of every request waiting in line."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from sqlmodel import Session, select
from test_index_state import STUDENTS, engine  # noqa: F401  (the fixture of 60 demo students)

from matcher import HashingEncoder
from service.domain.tables import StudentProfile
from service.usecases.matching import Matching, text_view


class HeldQueryEncoder(HashingEncoder):
    """Queries and passages are encoded differently (as e5's prefixes make them), and encoding
    a query waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.encoding = threading.Event()
        self.release = threading.Event()

    def prefix(self, kind: str) -> str:
        return "query: " if kind == "query" else "passage: "

    def encode(
        self, texts: Sequence[str], *, kind: str = "passage", progress: bool = False
    ) -> np.ndarray:
        if kind == "query":
            self.encoding.set()
            assert self.release.wait(10), "the test never let the query go"
        return super().encode([self.prefix(kind) + text for text in texts], kind=kind)


def test_a_write_to_the_index_does_not_wait_for_a_query_being_encoded(engine) -> None:  # noqa: F811
    encoder = HeldQueryEncoder()
    matching = Matching(encoder=encoder)
    with Session(engine, expire_on_commit=False) as session:
        matching.rebuild(session)
        students = list(session.exec(select(StudentProfile).order_by(StudentProfile.id)))
    found: list = []
    search = threading.Thread(
        target=lambda: found.extend(
            matching.rank("student", "student", students[0], k=5, filters={})
        )
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
    encoder.release.set()
    matching = Matching(encoder=encoder)
    with Session(engine, expire_on_commit=False) as session:
        matching.rebuild(session)
        query = session.exec(select(StudentProfile).order_by(StudentProfile.id)).first()
    ours = matching.rank("student", "student", query, k=8, filters={})
    theirs = matching.rankers["student"].search(text_view("student", query), 8)
    assert [(m.id, round(m.score, 6)) for m in ours] == [(m.id, round(m.score, 6)) for m in theirs]
