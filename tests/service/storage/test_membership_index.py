"""Migration 0005: a member's communities are found through one index on (member_id, kind),
not by reading every membership of that kind (SQLite's choice with an index on `kind`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.api.deps import ACTOR_QUERY
from service.domain.tables import Community, Membership, User
from service.storage.db import MIGRATIONS, make_engine, migrate
from service.usecases.access import community_ids_of

INDEX = "ix_membership_member_id_kind"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A migrated SQLite database with 2,000 student memberships and one user's two."""
    engine = make_engine(f"sqlite:///{tmp_path / 'members.sqlite'}")
    migrate(engine)
    with Session(engine) as session:
        session.add_all(Community(id=f"com-{n}", name=f"Leergemeenschap {n}") for n in range(2))
        session.add(
            User(
                id="usr-1",
                email="int@example.nl",
                full_name="Int",
                role="intermediary",
                hashed_password="not-used",
            )
        )
        session.flush()
        session.execute(
            sa.insert(Membership),
            [
                {"community_id": f"com-{n % 2}", "member_id": f"stu-{n}", "kind": "student"}
                for n in range(2000)
            ]
            + [{"community_id": f"com-{n}", "member_id": "usr-1", "kind": "user"} for n in (0, 1)],
        )
        session.commit()
    yield engine
    engine.dispose()


def plan(engine: Engine, statement, params: dict) -> str:
    """SQLite's query plan of a statement, as one string."""
    compiled = statement.compile(dialect=engine.dialect, compile_kwargs={})
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled.string}",
            tuple(compiled.construct_params(params)[name] for name in compiled.positiontup),
        )
        return " | ".join(row[-1] for row in rows)


def test_a_members_communities_are_read_through_the_member_and_kind_index(engine) -> None:
    with Session(engine) as session:
        assert community_ids_of(session, "usr-1", "user") == {"com-0", "com-1"}
        assert community_ids_of(session, "stu-7", "student") == {"com-1"}
    query = sa.select(Membership.community_id).where(
        Membership.member_id == sa.bindparam("member"), Membership.kind == sa.bindparam("kind")
    )
    assert INDEX in plan(engine, query, {"member": "stu-7", "kind": "student"})


def test_the_callers_memberships_on_every_request_use_the_index(engine) -> None:
    found = plan(engine, ACTOR_QUERY, {"user_id": "usr-1"})
    assert f"m USING INDEX {INDEX}" in found or f"membership USING INDEX {INDEX}" in found, found


def _indexes(engine: Engine) -> set[str]:
    return {index["name"] for index in sa.inspect(engine).get_indexes("membership")}


def test_the_migration_goes_down_and_up_again(engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    assert _indexes(engine) == {"ix_membership_kind", "ix_membership_member_id"}
    migrate(engine)
    assert _indexes(engine) == {INDEX}
