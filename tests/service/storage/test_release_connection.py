"""A request's session hands its pooled connection back between FastAPI's thread hand-offs only
when its transaction has read: a transaction that wrote is left to the route to commit."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from service.api.deps import release_connection
from service.storage.db import make_engine


def _engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'release.sqlite'}", connections=1)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
        connection.exec_driver_sql("INSERT INTO note VALUES (1, 'kept')")
    return engine


def _texts(engine) -> list[str]:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT text FROM note ORDER BY id").scalars().all()


def test_a_session_that_only_read_gives_its_connection_back(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        assert session.exec(sa.text("SELECT text FROM note")).scalar_one() == "kept"
        assert engine.pool.checkedout() == 1
        release_connection(session)
        assert engine.pool.checkedout() == 0
        assert _texts(engine) == ["kept"]  # the only connection is free for another thread
        assert session.exec(sa.text("SELECT count(*) FROM note")).scalar_one() == 1
    engine.dispose()


def test_a_session_that_wrote_keeps_its_transaction_open_and_uncommitted(
    tmp_path: Path,
) -> None:
    engine = _engine(tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        session.exec(sa.text("INSERT INTO note VALUES (2, 'not committed')"))
        release_connection(session)
        assert engine.pool.checkedout() == 1
    assert _texts(engine) == ["kept"]  # closed without a commit: rolled back, as before
    engine.dispose()
