"""Writers on one SQLite file take turns inside the process, and never wait on each other."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlmodel import Session

from service.storage.db import commit, make_engine


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


def _engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.sqlite'}")
    _Base.metadata.create_all(engine)
    return engine


def test_a_writer_mid_transaction_and_a_committing_writer_both_finish_at_once(
    tmp_path: Path,
) -> None:
    """One request has written a row and is still working (say, embedding a text) when a
    second commits a write of its own. The second waits for the first to finish, not for
    SQLite's busy timeout: before, the committer held the process's lock while waiting for
    SQLite's, and the first waited for the process's lock to commit, so both waited 5 s and
    one failed with "database is locked"."""
    engine = _engine(tmp_path)
    first_wrote, errors, finished = threading.Event(), [], {}

    def first() -> None:
        try:
            with Session(engine) as session:
                session.execute(sa.text("INSERT INTO note (text) VALUES ('first')"))
                first_wrote.set()
                time.sleep(0.3)  # still working after its write
                commit(session)
            finished["first"] = time.perf_counter()
        except Exception as error:  # reported below
            errors.append(error)

    def second() -> None:
        first_wrote.wait(5)
        try:
            with Session(engine) as session:
                session.add(Note(text="second"))  # written by the flush inside the commit
                commit(session)
            finished["second"] = time.perf_counter()
        except Exception as error:
            errors.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert max(finished.values()) - started < 3  # not the 5 s busy timeout
    with engine.connect() as connection:
        texts = connection.exec_driver_sql("SELECT text FROM note ORDER BY id").scalars().all()
    assert texts == ["first", "second"]


def test_a_rolled_back_or_abandoned_write_lets_the_next_writer_in(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with Session(engine) as session:
        session.execute(sa.text("INSERT INTO note (text) VALUES ('undone')"))
        session.rollback()
    with Session(engine) as session:  # closed without commit or rollback
        session.execute(sa.text("INSERT INTO note (text) VALUES ('abandoned')"))
    started = time.perf_counter()
    with Session(engine) as session:
        session.execute(sa.text("INSERT INTO note (text) VALUES ('kept')"))
        commit(session)
    assert time.perf_counter() - started < 1
    with engine.connect() as connection:
        texts = connection.exec_driver_sql("SELECT text FROM note").scalars().all()
    assert texts == ["kept"]
