"""Group commit: new rows of many concurrent requests written in one SQLite transaction.

On SQLite with `synchronous=FULL` every commit waits for the disk (fsync, 2-10 ms here), one
commit at a time: a route that must write before it answers (the audit entry of every view of
a student, see `service.usecases.audit`) could answer at most a few hundred times a second, however
little else it does. Here requests hand their rows to one writer thread per database and wait;
the writer inserts whatever has gathered meanwhile in one transaction and wakes them all once
it is committed. Each request still returns only after its rows are durable, or fails.

The writer writes through a connection of its own (`own_engine`), not one from the engine's
pool: requests may wait for it holding pooled connections, and had it to wait for one of them
in turn, all would wait until the pool's time-out (the stall of every request at 100k
students). Its writes therefore pass by the engine's own event listeners: the answer cache's
`WriteClock` does not count them, which is right for the audit log, the one table written here.
"""

from __future__ import annotations

import queue
import threading
import weakref
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from service.storage.db import commit, own_engine

#: A writer with nothing to do for this long ends its thread (a new one starts on demand).
IDLE_SECONDS = 1.0


@dataclass
class _Pending:
    table: type[SQLModel]
    rows: list[dict]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupWriter:
    """Inserts new rows for many threads, committing together what arrives together."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # not kept alive by its writer (see `_WRITERS`)
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._own: Engine | None = None  # the writer thread's own connection (`own_engine`)

    def write(self, table: type[SQLModel], rows: list[dict]) -> None:
        """Insert these rows (column values) into the table; returns once they are committed,
        raises if they are not.

        The caller may hold pooled connections meanwhile, but not a write transaction of its
        own on the same SQLite file: the writer would wait for that transaction's end."""
        pending = _Pending(table, list(rows))
        self._queue.put(pending)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="lcmatch-group-commit", daemon=True
                )
                self._thread.start()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=IDLE_SECONDS)]
            except queue.Empty:
                with self._lock:  # a writer that puts after this check starts a new thread
                    if self._queue.empty():
                        self._thread = None
                        own, self._own = self._own, None
                        break
                continue
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)
        if own is not None and own is not self._engine():  # (in-memory SQLite: the engine)
            own.dispose()  # an idle writer keeps no connection open either

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            self._insert(batch)
        except Exception:
            # One request's bad row must not fail the others: each alone, so the error
            # reaches the request it belongs to.
            for pending in batch:
                try:
                    self._insert([pending])
                except Exception as error:
                    pending.error = error  # raised in the request that waits for it
        for pending in batch:
            pending.done.set()

    def _insert(self, batch: list[_Pending]) -> None:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("the database engine was closed before its rows were written")
        if self._own is None:
            self._own = own_engine(engine)
        by_table: dict[type[SQLModel], list[dict]] = {}
        for pending in batch:
            by_table.setdefault(pending.table, []).extend(pending.rows)
        with Session(self._own) as session:
            # Plain inserts of column values, on the table itself: no ORM object per row, and
            # none of the ORM's bulk insert bookkeeping (2.5 times the cost for ten rows).
            connection = session.connection()
            for table, rows in by_table.items():
                connection.execute(sa.insert(table.__table__), rows)
            commit(session)


_WRITERS: weakref.WeakKeyDictionary[Engine, GroupWriter] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def group_writer(engine: Engine) -> GroupWriter:
    """The group writer of this database (one per engine)."""
    with _WRITERS_LOCK:
        writer = _WRITERS.get(engine)
        if writer is None:
            writer = _WRITERS[engine] = GroupWriter(engine)
        return writer
