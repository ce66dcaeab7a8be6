"""Kept answers: valid while nothing is written, never after a write that could change them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from service.storage.answer_cache import AnswerCache, WriteClock
from service.storage.db import make_engine

METADATA = sa.MetaData()
THING = sa.Table("thing", METADATA, sa.Column("id", sa.Integer, primary_key=True))
LOG = sa.Table("audit_entry", METADATA, sa.Column("id", sa.Integer, primary_key=True))


@pytest.fixture
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'clock.sqlite'}")
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock(engine):
    clock = WriteClock(engine, ignored_tables=["audit_entry"])
    yield clock
    clock.close()


def test_reads_leave_the_clock_alone(engine, clock: WriteClock) -> None:
    before = clock.now
    with Session(engine) as session:
        session.execute(sa.select(THING)).all()
        session.execute(sa.text("PRAGMA user_version")).all()
        session.commit()
    assert clock.now == before


def test_a_write_moves_the_clock_when_it_runs_and_again_once_committed(
    engine, clock: WriteClock
) -> None:
    before = clock.now
    with Session(engine) as session:
        session.execute(sa.insert(THING).values(id=1))
        running = clock.now
        assert running > before
        session.commit()
    assert clock.now > running
    for statement in (sa.update(THING).values(id=2), sa.delete(THING)):
        before = clock.now
        with Session(engine) as session:
            session.execute(statement)
            session.commit()
        assert clock.now > before


def test_inserts_into_the_audit_log_do_not_count(engine, clock: WriteClock) -> None:
    before = clock.now
    with Session(engine) as session:
        session.execute(sa.insert(LOG), [{"id": 1}, {"id": 2}])
        session.commit()
    assert clock.now == before
    with Session(engine) as session:  # other changes to the log do
        session.execute(sa.delete(LOG))
        session.commit()
    assert clock.now > before


def test_an_answer_is_kept_until_the_next_write(engine, clock: WriteClock) -> None:
    answers: AnswerCache[str] = AnswerCache(clock)
    with Session(engine) as reader:
        clock.open(reader)
        answers.put("key", "answer", read_since=clock.opened_at(reader))
    assert answers.get("key") == "answer"
    assert answers.get("other") is None
    with Session(engine) as writer:
        writer.execute(sa.insert(THING).values(id=1))
        writer.commit()
    assert answers.get("key") is None


def test_an_answer_read_while_a_write_went_on_is_not_kept(engine, clock: WriteClock) -> None:
    answers: AnswerCache[str] = AnswerCache(clock)
    with Session(engine) as reader:
        clock.open(reader)  # the request starts ...
        with Session(engine) as writer:  # ... another commits meanwhile ...
            writer.execute(sa.insert(THING).values(id=1))
            writer.commit()
        reader.execute(sa.select(THING)).all()  # ... and what it read may predate that
        answers.put("key", "answer", read_since=clock.opened_at(reader))
    assert answers.get("key") is None


def test_a_write_not_yet_committed_makes_an_answer_read_meanwhile_useless(
    engine, clock: WriteClock
) -> None:
    answers: AnswerCache[str] = AnswerCache(clock)
    with Session(engine) as writer:
        writer.execute(sa.insert(THING).values(id=1))
        with Session(engine) as reader:  # opened after the write ran, before its commit
            clock.open(reader)
            assert reader.execute(sa.select(THING)).all() == []
            answers.put("key", "answer without row 1", read_since=clock.opened_at(reader))
        assert answers.get("key") == "answer without row 1"  # right until the commit ...
        writer.commit()
    assert answers.get("key") is None  # ... and never after it


def test_the_oldest_unused_answer_goes_first(engine, clock: WriteClock) -> None:
    answers: AnswerCache[int] = AnswerCache(clock, size=2)
    for key in ("a", "b"):
        answers.put(key, 1, read_since=clock.now)
    assert answers.get("a") == 1  # "b" is now the oldest unused
    answers.put("c", 1, read_since=clock.now)
    assert [answers.get(key) for key in ("a", "b", "c")] == [1, None, 1]


def test_a_closed_clock_stops_counting(engine) -> None:
    clock = WriteClock(engine)
    clock.close()
    with Session(engine) as session:
        session.execute(sa.insert(THING).values(id=1))
        session.commit()
    assert clock.now == 0


def test_a_write_drops_every_kept_answer_at_once(engine, clock: WriteClock) -> None:
    # An answer may name a student whose profile the write erased: it must not stay behind
    # in memory until it is next asked for.
    answers: AnswerCache[str] = AnswerCache(clock)
    answers.put("key", "Sanne", read_since=clock.now)
    with Session(engine) as writer:
        writer.execute(sa.delete(THING))
        writer.commit()
    assert "Sanne" not in repr(vars(answers))
