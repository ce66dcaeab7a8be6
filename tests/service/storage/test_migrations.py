"""The Alembic migrations create exactly the schema the tables describe."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import service.domain.tables  # noqa: F401  (registers the tables)
from service.storage.db import make_engine, migrate, own_engine


def test_migrations_match_the_tables(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'schema.sqlite'}")
    migrate(engine)
    migrate(engine)  # a second run on a migrated database changes nothing and does not fail
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite'}")
    # The group writer's engine of its own (`own_engine`) writes the same file the same way.
    for each in (engine, own_engine(engine)):
        with each.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_0013_takes_challenges_with_stored_student_suggestions_as_ranked(tmp_path):
    """A database from before 0013: its challenges with student suggestions count as ranked
    (the dashboard would otherwise call every one of them "not ranked yet")."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlmodel import Session, select

    from service.domain.tables import (
        Challenge,
        ChallengeRanking,
        Community,
        Organisation,
        StudentProfile,
        Suggestion,
        TargetKind,
    )
    from service.storage.db import MIGRATIONS

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    before = ScriptDirectory.from_config(config).get_revision("0013").down_revision
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, before)

    def as_then(row) -> None:
        """Insert a row with the columns its table had before 0013 (later revisions add some
        that the database does not have yet)."""
        table = type(row).__table__
        present = {
            column["name"] for column in sa.inspect(session.connection()).get_columns(table.name)
        }
        values = {column.name: getattr(row, column.key) for column in table.columns}
        session.execute(sa.insert(table).values({k: v for k, v in values.items() if k in present}))

    with Session(engine) as session:
        session.add(Community(id="c", name="Gemeenschap"))
        session.add(Organisation(id="o", name="Bedrijf", kind="sme"))
        session.flush()
        for id_ in ("ch-1", "ch-2", "ch-3"):
            as_then(
                Challenge(
                    id=id_,
                    community_id="c",
                    organisation_id="o",
                    title=f"Uitdaging {id_}",
                    description="Een uitdaging met genoeg tekst.",
                )
            )
        as_then(StudentProfile(id="s", full_name="Student", programme="Bouw", level="hbo"))
        session.flush()
        for challenge, kind, target in [
            ("ch-1", TargetKind.student, "s"),
            ("ch-2", TargetKind.research_group, "rg-1"),
        ]:
            session.add(
                Suggestion(
                    challenge_id=challenge,
                    community_id="c",
                    target_kind=kind,
                    target_id=target,
                    score=1.0,
                    dense=0.0,
                    lexical=0.0,
                    skill=0.0,
                    model_version="test",
                )
            )
        session.commit()
    migrate(engine)
    with Session(engine) as session:
        rankings = session.exec(select(ChallengeRanking)).all()
    # ch-1 has a student suggestion; ch-2 only a research group's; ch-3 nothing.
    assert [(r.challenge_id, r.candidates) for r in rankings] == [("ch-1", 1)]
