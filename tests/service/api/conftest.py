"""Fixtures for the API tests: every test runs on SQLite and on PostgreSQL 16 with pgvector.

PostgreSQL is started once per session by the PyPI package pgserver; when it cannot start, the
PostgreSQL half of the suite errors (it never skips). Each test gets its own database: SQLite
a file under tmp_path, PostgreSQL a database of its own. The seeded world (see apiworld.py) is
written once per backend into a template and copied for each test that uses it.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from apiworld import World, running_app, seed_world
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.storage.db import make_engine, migrate

BACKENDS = ["sqlite", "postgresql"]


class PostgresCluster:
    """A pgserver instance and an autocommit connection to create and drop databases."""

    def __init__(self, server) -> None:
        self.server = server
        self.url = sa.make_url(server.get_uri()).set(drivername="postgresql+psycopg")
        self.admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)

    def url_of(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(statement))

    def create(self, database: str, template: str | None = None) -> str:
        suffix = f' TEMPLATE "{template}"' if template else ""
        for attempt in range(10):
            try:
                self.execute(f'CREATE DATABASE "{database}"{suffix}')
                break
            except sa.exc.OperationalError as error:
                # A background process (autovacuum) may be in the template for a moment.
                if "being accessed by other users" not in str(error) or attempt == 9:
                    raise
                time.sleep(0.2)
        return self.url_of(database)

    def freeze(self, template: str) -> None:
        """Make a database a template nobody connects to (not even autovacuum)."""
        self.execute(f'ALTER DATABASE "{template}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')

    def drop(self, database: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """PostgreSQL 16 with pgvector, for the whole session. Fails (never skips) when it cannot
    start."""
    # Not under pytest's basetemp: every pytest run resets /tmp/pytest-of-<user> to mode 0700,
    # and as root pgserver runs the server as the user "pgserver", who must reach the folder.
    pgdata = Path(tempfile.mkdtemp(prefix="lcmatch-pg-"))
    try:
        import pgserver

        server = pgserver.get_server(pgdata, cleanup_mode="stop")
        cluster = PostgresCluster(server)
        cluster.execute("SELECT 1")
    except Exception as error:  # any reason at all: the PostgreSQL half must not pass silently
        shutil.rmtree(pgdata, ignore_errors=True)
        pytest.fail(f"PostgreSQL via pgserver did not start: {error!r}", pytrace=False)
    yield cluster
    cluster.admin.dispose()
    server.cleanup()
    shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test runs on."""
    return request.param


def _fresh_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path, template):
    if backend == "sqlite":
        path = tmp_path / "lcmatch.sqlite"
        if template is not None:
            source = sqlite3.connect(template)
            target = sqlite3.connect(path)
            source.backup(target)
            target.close()
            source.close()
        return f"sqlite:///{path}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = cluster.create(name, template)
    request.addfinalizer(lambda: cluster.drop(name))
    return url


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """The URL of a new, empty database (not yet migrated)."""
    return _fresh_database(request, backend, tmp_path, None)


@pytest.fixture(scope="session")
def world_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Backend -> its seeded template (a SQLite file or a PostgreSQL database name), made on
    first use."""
    return {}


def _world_template(request: pytest.FixtureRequest, backend: str, templates: dict) -> str:
    if backend not in templates:
        if backend == "sqlite":
            path = request.getfixturevalue("tmp_path_factory").mktemp("world") / "world.sqlite"
            engine = make_engine(f"sqlite:///{path}")
            template = str(path)
        else:
            cluster: PostgresCluster = request.getfixturevalue("postgres")
            template = "world_template"
            engine = make_engine(cluster.create(template))
        migrate(engine)
        seed_world(engine)
        if backend == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        if backend == "postgresql":
            cluster.freeze(template)
        templates[backend] = template
    return templates[backend]


@pytest.fixture
def world_url(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, world_templates: dict
) -> str:
    """The URL of this test's own copy of the seeded world."""
    template = _world_template(request, backend, world_templates)
    return _fresh_database(request, backend, tmp_path, template)


@pytest.fixture
def world(world_url: str, tmp_path: Path) -> Iterator[World]:
    """The app running on a fresh copy of the world, with a fresh HashingEncoder."""
    with running_app(tmp_path, world_url) as running:
        yield running


@pytest.fixture
def empty(db_url: str, tmp_path: Path) -> Iterator[World]:
    """The app running on an empty (freshly migrated) database."""
    with running_app(tmp_path, db_url) as running:
        yield running


@pytest.fixture
def app(world: World) -> FastAPI:
    """The running app of the world (its engine and matching are on app.state)."""
    return world.app


@pytest.fixture
def client(world: World) -> TestClient:
    """A TestClient of the running app on the world."""
    return world.client
