"""Group commit: rows of concurrent requests share commits, each request returns only once its
rows are stored, a bad row fails only the request it came from, and requests that hold every
pooled connection while they wait still get their rows written (SQLite file and PostgreSQL)."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from service.domain.tables import AuditEntry, utcnow
from service.storage.db import make_engine, migrate
from service.storage.group_commit import group_writer


def _rows(request: int, count: int = 5) -> list[dict]:
    return [
        {
            "at": utcnow(),
            "actor_id": f"usr-{request}",
            "action": "suggestion.view",
            "object_kind": "suggestion",
            "object_id": f"sug-{request}-{n}",
            "details": {"n": n},
        }
        for n in range(count)
    ]


def _stored(engine, actor_id: str | None = None) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(AuditEntry)
        if actor_id is not None:
            query = query.where(AuditEntry.actor_id == actor_id)
        return session.exec(query).one()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL 16 (pgserver) for this module; fails, never skips, when it cannot start."""
    pgdata = Path(tempfile.mkdtemp(prefix="lcmatch-pg-group-commit-"))
    try:
        import pgserver

        server = pgserver.get_server(pgdata, cleanup_mode="stop")
    except Exception as error:  # the PostgreSQL half must not pass silently
        shutil.rmtree(pgdata, ignore_errors=True)
        pytest.fail(f"PostgreSQL via pgserver did not start: {error!r}", pytrace=False)
    url = sa.make_url(server.get_uri()).set(drivername="postgresql+psycopg")
    yield url.render_as_string(hide_password=False)
    server.cleanup()
    shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database, a SQLite file or PostgreSQL, migrated."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'lcmatch.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
        engine = make_engine(url)
        with engine.begin() as connection:  # one database for the module: start empty
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        engine.dispose()
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def _holding_a_connection(session: Session) -> None:
    """Make the session take a pooled connection and keep it (a request mid-way)."""
    session.exec(select(func.count()).select_from(AuditEntry)).one()


def test_a_request_holding_the_only_pooled_connection_gets_its_rows_written(
    database: str,
) -> None:
    """Before, the writer took its connection from the engine's pool: a request holding the
    pool's last connection while it waited for the writer waited until the pool's time-out,
    and its rows were not written."""
    engine = make_engine(database, connections=1, wait_seconds=2)
    started = time.perf_counter()
    with Session(engine) as session:
        _holding_a_connection(session)
        group_writer(engine).write(AuditEntry, _rows(1))
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() in (0, 5)
    assert time.perf_counter() - started < 2  # not the pool's time-out
    assert _stored(engine, "usr-1") == 5
    engine.dispose()


def test_more_requests_than_pooled_connections_all_get_their_rows_written(
    database: str,
) -> None:
    """Eight requests on a pool of two, each holding a connection while it waits for the
    writer: every request returns with its rows stored, none fails on the pool's time-out."""
    engine = make_engine(database, connections=2, wait_seconds=3)
    start = threading.Barrier(8)
    outcome: dict[int, str] = {}

    def request(number: int) -> None:
        start.wait()
        try:
            with Session(engine) as session:
                _holding_a_connection(session)
                group_writer(engine).write(AuditEntry, _rows(number))
            outcome[number] = "stored"
        except Exception as error:  # reported below
            outcome[number] = repr(error)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {n: "stored" for n in range(8)}
    assert _stored(engine) == 40
    assert {n: _stored(engine, f"usr-{n}") for n in range(8)} == {n: 5 for n in range(8)}
    engine.dispose()


def test_concurrent_writes_are_all_stored_when_each_returns(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lcmatch.sqlite'}")
    migrate(engine)
    seen_on_return: dict[int, int] = {}

    def request(number: int) -> None:
        group_writer(engine).write(AuditEntry, _rows(number))
        seen_on_return[number] = _stored(engine, f"usr-{number}")  # durable already

    threads = [threading.Thread(target=request, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert seen_on_return == {n: 5 for n in range(12)}
    assert _stored(engine) == 60
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.object_id == "sug-3-2")).one()
    assert entry.details == {"n": 2} and entry.actor_id == "usr-3"
    engine.dispose()


def test_a_bad_row_fails_only_its_own_request(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lcmatch.sqlite'}")
    migrate(engine)
    bad = _rows(99, 1)
    bad[0]["actor_id"] = None  # NOT NULL
    outcome: dict[str, str] = {}
    start = threading.Barrier(5)

    def request(name: str, rows: list[dict]) -> None:
        start.wait()
        try:
            group_writer(engine).write(AuditEntry, rows)
            outcome[name] = "stored"
        except IntegrityError:
            outcome[name] = "refused"

    threads = [threading.Thread(target=request, args=(f"good-{n}", _rows(n))) for n in range(4)]
    threads.append(threading.Thread(target=request, args=("bad", bad)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcome == {"bad": "refused", **{f"good-{n}": "stored" for n in range(4)}}
    assert _stored(engine) == 20
    engine.dispose()


def test_the_writer_thread_ends_when_idle_and_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.storage.group_commit as group_commit

    monkeypatch.setattr(group_commit, "IDLE_SECONDS", 0.05)
    engine = make_engine(f"sqlite:///{tmp_path / 'lcmatch.sqlite'}")
    migrate(engine)
    writer = group_writer(engine)
    writer.write(AuditEntry, _rows(1))
    first = writer._thread
    if first is not None:
        first.join(timeout=5)
    assert writer._thread is None, "an idle writer keeps no thread"
    writer.write(AuditEntry, _rows(2))
    assert _stored(engine) == 10
    engine.dispose()
