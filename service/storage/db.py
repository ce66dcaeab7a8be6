"""The database engine: SQLite (WAL, synchronous=FULL) by default, PostgreSQL in production."""

from __future__ import annotations

import os
import stat
import threading
import weakref
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    # WAL lets readers work while one writer commits; FULL makes a commit survive power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # What is deleted is overwritten, not left in free pages: an erased person's data must
    # not stay readable in the file (see `scrub_wal` for the write-ahead log).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def private_file(path: Path) -> None:
    """Create the database file readable by its owner only (0600), or make it so; SQLite
    gives its -wal and -shm files the mode of the database file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and stat.S_IMODE(file.stat().st_mode) != 0o600:
            file.chmod(0o600)


def scrub_wal(engine: Engine) -> None:
    """After an erasure on SQLite: copy the write-ahead log into the database and empty it,
    so that no old copy of an erased row stays in the -wal file (PostgreSQL: see the README,
    VACUUM). A reader that holds an old snapshot can keep the log from emptying; the next
    erasure or restart tries again."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


#: SQLite file: as many pooled connections as requests run at once (FastAPI's 40 threads),
#: and some beyond: a connection beyond the pool is closed on return, and opening one costs
#: more than most queries here.
SQLITE_POOL = 40
SQLITE_OVERFLOW = 10
#: How long a thread waits for a pooled connection before it fails (SQLAlchemy's default).
POOL_WAIT_SECONDS = 30.0

#: Each engine `make_engine` made -> its URL and its SQLite writer lock, for `own_engine`.
_MADE: weakref.WeakKeyDictionary[Engine, tuple[str, threading.Lock | None]] = (
    weakref.WeakKeyDictionary()
)


def make_engine(
    url: str, *, connections: int | None = None, wait_seconds: float = POOL_WAIT_SECONDS
) -> Engine:
    """An engine for the URL, with the settings lcmatch relies on; `connections` bounds its
    pool (default: 40 and 10 beyond on a SQLite file, SQLAlchemy's 5 and 10 on PostgreSQL),
    `wait_seconds` how long a thread waits for a free one."""
    return _make_engine(url, connections, wait_seconds, threading.Lock())


def own_engine(engine: Engine) -> Engine:
    """An engine on the same database as `engine`, with the same settings and one connection
    of its own, outside `engine`'s pool.

    For a thread that others wait for while they hold connections of `engine`'s pool (the
    group writer, `service.storage.group_commit`): taking a connection from that pool, it
    would wait for them until the pool's time-out. On a SQLite file the two engines share
    the process's writer lock (`_serialise_writers`), so their writes still take turns. An
    in-memory SQLite database is one per connection: there the engine itself is returned."""
    url, writer_lock = _MADE.get(engine, (engine.url.render_as_string(hide_password=False), None))
    if url.startswith("sqlite") and not _sqlite_file(url):
        return engine
    return _make_engine(url, 1, POOL_WAIT_SECONDS, writer_lock or threading.Lock())


def _sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL; None for an in-memory database."""
    path = url.split(":///", 1)[-1]
    return path if path and path != ":memory:" and not path.startswith("file:") else None


def _make_engine(
    url: str, connections: int | None, wait_seconds: float, writer_lock: threading.Lock
) -> Engine:
    pool: dict = {"pool_timeout": wait_seconds}
    if connections is not None:
        pool |= {"pool_size": connections, "max_overflow": 0}
    if url.startswith("sqlite"):
        path = _sqlite_file(url)
        if path is not None:
            private_file(Path(path))
            if connections is None:
                pool |= {"pool_size": SQLITE_POOL, "max_overflow": SQLITE_OVERFLOW}
        else:
            pool = {}  # in memory, SQLite keeps one connection per thread: no pool to size
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **pool)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        if path is not None:
            _serialise_writers(engine, writer_lock)
        _track_writes(engine)
        _MADE[engine] = (url, writer_lock if path is not None else None)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = sa.create_engine(url, pool_pre_ping=True, **pool)
    _track_writes(engine)
    _MADE[engine] = (url, None)
    return engine


#: How long a write waits for this process's other writers before it leaves the waiting to
#: SQLite's own busy handler: the same bound as `busy_timeout`, so nothing waits forever.
WRITER_WAIT_SECONDS = 5.0
_HOLDS_WRITER = "lcmatch_holds_writer"  # key in a DBAPI connection's info


def _is_write(statement: str) -> bool:
    head = statement.lstrip()[:8].upper()
    return not head.startswith(("SELECT", "PRAGMA", "WITH", "EXPLAIN"))


def _serialise_writers(engine: Engine, lock: threading.Lock) -> None:
    """Let one thread of this process write to a SQLite file at a time, from a transaction's
    first write statement to its commit or rollback (`lock`: shared by every engine of this
    process on the file, see `own_engine`).

    SQLite has one writer: a second thread that writes meanwhile is refused and retries after
    sleeping 1, 2, 5, 10 … ms (its busy handler), which under load turns a 2 ms write into tens
    of milliseconds of waiting; waiting on a lock instead lets each write start the moment the
    previous one ends. The lock is taken before the first write statement, when SQLite's own
    lock is taken: taken later (around the commit alone), a thread holding SQLite's lock could
    wait for it while its holder waits for SQLite's lock, and both would wait until
    `busy_timeout` ran out ("database is locked" under a mix of reads and writes).

    A thread waits for this lock holding a pooled connection; so the lock's holder must never
    need another pooled connection before it lets go: a writing transaction does not open a
    second connection of the same engine, and the group writer, which requests wait for,
    writes through a connection of its own (`own_engine`)."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _take(connection, cursor, statement, parameters, context, executemany) -> None:
        info = connection.connection.info
        if info.get(_HOLDS_WRITER) or not _is_write(statement):
            return
        # Bounded: a thread that already writes through another connection must not wait
        # for itself; past the bound SQLite's busy handler decides, as without this lock.
        info[_HOLDS_WRITER] = lock.acquire(timeout=WRITER_WAIT_SECONDS)

    def _release(info: dict) -> None:
        if info.pop(_HOLDS_WRITER, False):
            lock.release()

    @sa.event.listens_for(engine, "commit")
    def _after_commit(connection) -> None:
        _release(connection.connection.info)

    @sa.event.listens_for(engine, "rollback")
    def _after_rollback(connection) -> None:
        _release(connection.connection.info)

    @sa.event.listens_for(engine.pool, "checkin")
    def _returned(dbapi_connection, record) -> None:
        if record is not None:  # returned without a commit or rollback (the pool resets it)
            _release(record.info)


_WROTE = "lcmatch_wrote"  # key in a DBAPI connection's info: its transaction wrote


def _track_writes(engine: Engine) -> None:
    """Mark a connection whose current transaction has sent a write statement (see
    `holds_read_only_transaction`)."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _mark(connection, cursor, statement, parameters, context, executemany) -> None:
        if _is_write(statement):
            connection.connection.info[_WROTE] = True

    @sa.event.listens_for(engine, "commit")
    def _after_commit(connection) -> None:
        connection.connection.info.pop(_WROTE, None)

    @sa.event.listens_for(engine, "rollback")
    def _after_rollback(connection) -> None:
        connection.connection.info.pop(_WROTE, None)

    @sa.event.listens_for(engine.pool, "checkin")
    def _returned(dbapi_connection, record) -> None:
        if record is not None:
            record.info.pop(_WROTE, None)


def holds_read_only_transaction(session: Session) -> bool:
    """Whether the session holds a connection in a transaction that has only read: nothing
    pending, no write statement sent (on an engine of `make_engine`). Ending such a
    transaction loses nothing."""
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active:  # none, or one that failed
        return False
    if session.new or session.dirty or session.deleted:
        return False
    connection = session.connection()  # the transaction's own: it has read through it
    return not connection.connection.info.get(_WROTE, False)


def commit(session: Session) -> None:
    """Commit the session (kept as one name for the hot write paths; on SQLite the writer lock
    is taken by the engine itself, see `_serialise_writers`)."""
    session.commit()


def migrate(engine: Engine) -> None:
    """Create the database or bring it to the newest revision (Alembic)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
