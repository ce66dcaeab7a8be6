"""More concurrent requests than worker threads and pooled connections are all answered: no
request holds a pooled connection while it waits for a thread or for the audit writer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio.to_thread
import pytest
from apiworld import API, World, settings_for
from fastapi.testclient import TestClient
from sqlmodel import func, select

from matcher import HashingEncoder
from service.app import create_app
from service.domain.tables import AuditEntry
from service.storage.db import make_engine

REQUESTS = 12
STUDENTS = "/challenges/ch-a-pub/suggestions/students"  # answered as a ready response
QUEUE = "/suggestions?status=suggested&community_id=com-a"  # a model FastAPI validates


def _only_threads(count: int) -> None:
    """Give FastAPI's worker thread pool `count` threads (40 by default); runs on the loop."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = count


def _views(world: World) -> int:
    with world.session() as session:
        return session.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.actor_id == "usr-int-a", AuditEntry.action == "suggestion.view")
        ).one()


@pytest.mark.parametrize("path", [STUDENTS, QUEUE], ids=["suggested-students", "review-queue"])
def test_requests_beyond_the_threads_and_the_pool_are_all_answered(
    world_url: str, tmp_path: Path, path: str
) -> None:
    """Twelve intermediaries' requests (each view logged in the audit log) at once, on two
    worker threads and two pooled connections. Before, a request held a pooled connection
    while it waited for a thread: after its login check, for the route; after the route,
    for FastAPI's validation of the returned model. The threads were busy with other
    requests waiting for those connections, and requests failed at the pool's time-out."""
    engine = make_engine(world_url, connections=2, wait_seconds=3)
    encoder = HashingEncoder()
    app = create_app(settings_for(tmp_path, world_url), encoder=encoder, engine=engine)
    backend = "postgresql" if world_url.startswith("postgresql") else "sqlite"
    with TestClient(app, raise_server_exceptions=False) as client:
        world = World(app=app, client=client, encoder=encoder, backend=backend)
        headers = world.headers("int-a")
        assert client.get(API + STUDENTS, headers=headers).status_code == 200  # fills the queue
        expected = client.get(API + path, headers=headers)
        assert expected.status_code == 200, expected.text
        views_before = _views(world)
        client.portal.call(_only_threads, 2)
        try:
            with ThreadPoolExecutor(REQUESTS) as pool:
                calls = [
                    pool.submit(client.get, API + path, headers=headers) for _ in range(REQUESTS)
                ]
                answers = [call.result() for call in calls]
        finally:
            client.portal.call(_only_threads, 40)
        views = _views(world) - views_before
    assert [answer.status_code for answer in answers] == [200] * REQUESTS
    assert all(answer.json() == expected.json() for answer in answers)
    shown = len(expected.json()["data"])
    assert shown > 0 and views == shown * REQUESTS  # every view of every request logged
    engine.dispose()
