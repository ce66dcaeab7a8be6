"""With a model that encodes queries apart (e5's "query: "), each stored row keeps its text
encoded as a query beside its passage vector: a search for a stored row encodes nothing, an
edit encodes each side once, and a change of model or text makes both stale."""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from prefixed_encoder import PrefixedEncoder
from sqlmodel import Session, select
from test_index_state import STUDENTS, engine  # noqa: F401  (the fixture of 60 demo students)

from matcher import HashingEncoder
from service.domain.tables import StudentProfile
from service.usecases.matching import Matching, text_view


def started(engine, encoder) -> Matching:  # noqa: F811
    matching = Matching(encoder=encoder)
    with Session(engine, expire_on_commit=False) as session:
        matching.rebuild(session)
    return matching


def students(engine) -> list[StudentProfile]:  # noqa: F811
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(StudentProfile).order_by(StudentProfile.id)))


def test_start_up_keeps_both_sides_and_a_search_for_a_stored_row_encodes_nothing(engine) -> None:  # noqa: F811
    encoder = PrefixedEncoder()
    matching = started(engine, encoder)
    assert sorted(encoder.log) == [("passage", STUDENTS), ("query", STUDENTS)]
    query = students(engine)[3]
    assert query.query_embedding is not None
    assert not np.allclose(query.query_embedding, query.embedding)
    encoder.log.clear()

    found = matching.rank("student", "student", query, k=8, filters={})

    assert encoder.log == []
    # The stored vector is the text encoded as a query: the ranker encoding it ranks alike.
    theirs = matching.rankers["student"].search(text_view("student", query), 8)
    assert encoder.log == [("query", 1)]
    assert [(m.id, round(m.score, 6)) for m in found] == [(m.id, round(m.score, 6)) for m in theirs]


def test_a_restart_reads_both_sides_from_the_rows(engine) -> None:  # noqa: F811
    started(engine, PrefixedEncoder())
    encoder = PrefixedEncoder()
    matching = started(engine, encoder)
    matching.rank("student", "student", students(engine)[0], k=5, filters={})
    assert encoder.log == []


def test_an_edit_encodes_each_side_once_and_the_search_after_it_nothing(engine) -> None:  # noqa: F811
    encoder = PrefixedEncoder()
    matching = started(engine, encoder)
    encoder.log.clear()
    with Session(engine, expire_on_commit=False) as session:
        student = session.get(StudentProfile, "stu-007")
        before = student.query_embedding.copy()
        student.about = "Ik wil leren hoe je een warmtepomp inregelt."
        assert matching.embed("student", [student]) == 1
        assert sorted(encoder.log) == [("passage", 1), ("query", 1)]
        assert matching.embed("student", [student]) == 0  # unchanged since: nothing
        assert len(encoder.log) == 2
        session.add(student)
        session.commit()
        matching.sync("student", student, {"com-1"})
    edited = session_row(engine, "stu-007")
    expected = encoder.encode([text_view("student", edited)], kind="query")[0]
    assert np.allclose(edited.query_embedding, expected)
    assert not np.allclose(edited.query_embedding, before)
    encoder.log.clear()
    matching.rank("challenge", "student", edited, k=5, filters={})
    matching.rank("student", "student", edited, k=5, filters={})
    assert encoder.log == []


def test_a_row_edited_but_not_embedded_yet_is_encoded_at_request_time(engine) -> None:  # noqa: F811
    encoder = PrefixedEncoder()
    matching = started(engine, encoder)
    query = students(engine)[0]
    query.about = "Een tekst die geen rij nog heeft."
    encoder.log.clear()
    found = matching.rank("student", "student", query, k=5, filters={})
    assert encoder.log == [("query", 1)]
    theirs = matching.rankers["student"].search(text_view("student", query), 5)
    assert [m.id for m in found] == [m.id for m in theirs]


def test_a_model_change_encodes_both_sides_again(engine) -> None:  # noqa: F811
    started(engine, PrefixedEncoder("hashing-e5"))
    old = students(engine)[0]
    encoder = PrefixedEncoder("hashing-e5-retrained")
    # Before the restart, a row of the old model is no query vector for the new one.
    matching = Matching(encoder=encoder)
    assert matching.query_vectors("student", [old]) is not None
    assert encoder.log == [("query", 1)]
    encoder.log.clear()

    matching = started(engine, encoder)

    assert sorted(encoder.log) == [("passage", STUDENTS), ("query", STUDENTS)]
    assert {row.embedding_model for row in students(engine)} == {"hashing-e5-retrained"}
    encoder.log.clear()
    matching.rank("student", "student", students(engine)[0], k=5, filters={})
    assert encoder.log == []


def test_rows_stored_before_query_vectors_get_their_query_side_only(engine) -> None:  # noqa: F811
    started(engine, PrefixedEncoder())
    with engine.begin() as connection:
        connection.execute(sa.update(StudentProfile).values(query_embedding=None))
    encoder = PrefixedEncoder()
    started(engine, encoder)
    assert encoder.log == [("query", STUDENTS)]
    assert all(row.query_embedding is not None for row in students(engine))


def test_a_model_that_encodes_both_sides_alike_keeps_one_vector(engine) -> None:  # noqa: F811
    encoder = HashingEncoder()
    matching = started(engine, encoder)
    rows = students(engine)
    assert all(row.embedding is not None and row.query_embedding is None for row in rows)
    calls = encoder.calls
    matching.rank("student", "student", rows[0], k=5, filters={})
    assert encoder.calls == calls


def session_row(engine, id_: str) -> StudentProfile:  # noqa: F811
    with Session(engine, expire_on_commit=False) as session:
        return session.get(StudentProfile, id_)


def test_an_erased_profile_leaves_nothing_of_its_text_as_a_query(engine) -> None:  # noqa: F811
    matching = started(engine, PrefixedEncoder())
    query = students(engine)[5]
    matching.rank("student", "student", query, k=5, filters={})
    ranker = matching.rankers["student"]
    assert text_view("student", query) in ranker._skills_kept  # kept for the next search
    matching.erase("student", query)
    assert not ranker._skills_kept and query.id not in ranker
