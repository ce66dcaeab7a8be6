"""Group commit: rows of concurrent requests share commits, each request returns only once its
rows are stored, and a bad row fails only the request it came from (a real SQLite file)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
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
