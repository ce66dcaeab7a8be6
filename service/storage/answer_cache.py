"""Whole answers of read routes, kept until the next write to the database.

A review page or a dashboard asks for the same suggestions again and again, and each answer
costs reading the stored suggestions and their students, building and serialising the page:
most of the CPU of such a request (README, "Under load"). An answer depends only on rows of
the database (and on the indexes, which follow those rows), so it stays right for as long as
nothing is written. `WriteClock` counts the writes to one engine; a kept answer is used only
while the count is the one it was computed under.

Only where this process sees every write: SQLite, which one service process serves, and not
with pgvector, where other processes write (the same rule as `Matching`'s kept rankings). The
audit log's inserts do not count: no answer shows them, and every view writes some.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

T = TypeVar("T")
#: Answers kept at most (the oldest unused goes first).
ANSWERS_KEPT = 1024
#: Statements that change nothing (the first word, upper case).
_READS = ("SELECT", "PRAGMA", "EXPLAIN", "SAVEPOINT", "RELEASE", "BEGIN", "ROLLBACK")
#: `Session.info` key: the clock when the session was opened (see `WriteClock.open`).
_OPENED_AT = "lcmatch.writes_before"
#: `Connection.info` key: the connection wrote in its current transaction.
_WROTE = "lcmatch.wrote"


class WriteClock:
    """Counts the statements that change one engine's database.

    The count moves twice for each writing transaction: when a statement writes, and when its
    connection returns to the pool after the commit. An answer computed from rows read before
    the commit was kept under an older count, so it is never used once the commit is visible;
    one read between the two moves (a request running at the moment of the write) is computed
    under the first and dropped at the second.
    """

    def __init__(self, engine: Engine, *, ignored_tables: Iterable[str] = ()) -> None:
        self._engine = engine
        self._ignored = frozenset(ignored_tables)
        self._count = 0
        self._lock = threading.Lock()
        self._on_write: list[Callable[[], None]] = []
        sa.event.listen(engine, "after_cursor_execute", self._after_execute)
        sa.event.listen(engine, "checkin", self._after_release)

    def close(self) -> None:
        """Stop counting (the engine may outlive this clock: tests share one)."""
        sa.event.remove(self._engine, "after_cursor_execute", self._after_execute)
        sa.event.remove(self._engine, "checkin", self._after_release)

    @property
    def now(self) -> int:
        return self._count

    def open(self, session: Session) -> None:
        """Note the clock on a new session, before it reads anything: what it reads is at
        least as new as this count (`opened_at`)."""
        session.info[_OPENED_AT] = self._count

    def opened_at(self, session: Session) -> int:
        """The count when the session was opened (now, for a session not opened through
        `open`)."""
        return session.info.get(_OPENED_AT, self._count)

    def on_write(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever the clock moves."""
        self._on_write.append(callback)

    def _tick(self) -> None:
        with self._lock:
            self._count += 1
        for callback in self._on_write:
            callback()

    def _after_execute(self, connection, _cursor, statement, _parameters, context, _many) -> None:
        if self._writes(statement, context):
            connection.info[_WROTE] = True
            self._tick()

    def _after_release(self, _dbapi_connection, record) -> None:
        if record.info.pop(_WROTE, False):
            self._tick()

    def _writes(self, statement: str, context) -> bool:
        if statement.lstrip()[:9].upper().startswith(_READS):
            return False
        return not (context is not None and context.isinsert and _table(context) in self._ignored)


def _table(context) -> str | None:
    """The name of the table a compiled insert writes to."""
    statement = getattr(context.compiled, "statement", None)
    return getattr(getattr(statement, "table", None), "name", None)


class AnswerCache(Generic[T]):
    """Answers by key, each valid while the `WriteClock` stands where it stood when the
    answer's rows were read."""

    def __init__(self, clock: WriteClock, *, size: int = ANSWERS_KEPT) -> None:
        self.clock = clock
        self._size = size
        self._answers: OrderedDict[Hashable, tuple[int, T]] = OrderedDict()
        self._lock = threading.Lock()
        # Dropped at once, not when next asked for: an answer may name a student whose
        # profile the write erased, and nothing of an erased profile may stay behind.
        clock.on_write(self.clear)

    def clear(self) -> None:
        """Forget every kept answer."""
        with self._lock:
            self._answers.clear()

    def get(self, key: Hashable) -> T | None:
        """The answer kept under this key, if nothing was written since it was computed."""
        with self._lock:
            kept = self._answers.get(key)
            if kept is None:
                return None
            if kept[0] != self.clock.now:
                del self._answers[key]
                return None
            self._answers.move_to_end(key)
            return kept[1]

    def put(self, key: Hashable, answer: T, *, read_since: int) -> None:
        """Keep an answer computed from rows read after the clock stood at `read_since`;
        one that a write may have overtaken meanwhile is not kept."""
        with self._lock:
            if read_since != self.clock.now:
                return
            self._answers[key] = (read_since, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
