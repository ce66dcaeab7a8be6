"""Start-up reads each index's saved state when the database is unchanged, and fits afresh when
a row was edited, added or deleted meanwhile, or the saved file is damaged: either way it ranks
as a fresh fit on the database does."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from matcher import HashingEncoder
from matcher.ann import AnnSettings
from service.domain.tables import Community, Level, Membership, StudentProfile
from service.storage.db import make_engine, migrate
from service.usecases.matching import Matching

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo" / "students.json"
QUERIES = [
    "Warmtepompen installeren bij woningen.",
    "Een dashboard voor het energieverbruik bouwen met Python.",
    "Begeleiding van ouderen bij dagbesteding.",
]
STUDENTS = 60


def _student(n: int, source: dict) -> StudentProfile:
    return StudentProfile(
        id=f"stu-{n:03d}",
        full_name=f"Student {n}",
        programme=source["programme"],
        institution=source["institution"],
        level=Level(source["level"]),
        year=source["year"],
        skills=source["skills"],
        interests=source["interests"],
        about=source["about"],
        languages=source["languages"],
        hours_per_week=source["hours_per_week"],
        region=source["region"],
        consent_matching=True,
    )


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A database with 60 demo students in two communities."""
    engine = make_engine(f"sqlite:///{tmp_path / 'state.sqlite'}")
    migrate(engine)
    demo = json.loads(DEMO.read_text())
    with Session(engine) as session:
        session.add_all(Community(id=f"com-{c}", name=f"Leergemeenschap {c}") for c in range(2))
        session.flush()
        for n in range(STUDENTS):
            session.add(_student(n, demo[n]))
            session.add(
                Membership(community_id=f"com-{n % 2}", member_id=f"stu-{n:03d}", kind="student")
            )
        session.commit()
    yield engine
    engine.dispose()


def started(engine: Engine, state: Path | None, ann: AnnSettings | None) -> Matching:
    """A service's matching after start-up (its rebuild) on this database."""
    matching = Matching(encoder=HashingEncoder(), ann=ann, state_dir=state)
    with Session(engine, expire_on_commit=False) as session:
        matching.rebuild(session)
    return matching


def answers(matching: Matching, **filters) -> list[list[tuple[str, float]]]:
    found = matching.rankers["student"].rank(QUERIES, k=10, filters=filters or None)
    return [[(m.id, m.score) for m in one] for one in found]


def assert_ranks_alike(restarted: Matching, fresh: Matching) -> None:
    for filters in ({}, {"community": ["com-1"]}):
        got, want = answers(restarted, **filters), answers(fresh, **filters)
        assert [[id_ for id_, _ in one] for one in got] == [[id_ for id_, _ in one] for one in want]
        for one, other in zip(got, want, strict=True):
            assert np.allclose([s for _, s in one], [s for _, s in other], atol=1e-6)


ANN = [None, AnnSettings(threshold=20)]


@pytest.mark.parametrize("ann", ANN, ids=["exact", "hnsw"])
def test_a_restart_on_an_unchanged_database_reads_the_saved_state(
    engine: Engine, tmp_path: Path, ann: AnnSettings | None
) -> None:
    state = tmp_path / "index-state"
    first = started(engine, state, ann)
    assert first.restored == set()
    assert (state / "student.npz").exists()
    written = (state / "student.npz").stat().st_mtime_ns
    second = started(engine, state, ann)
    assert "student" in second.restored
    assert (state / "student.npz").stat().st_mtime_ns == written  # read, not written again
    assert second.rankers["student"].index_.approximate == (ann is not None)
    assert_ranks_alike(second, started(engine, None, ann))


def _edit(session: Session) -> None:
    row = session.get(StudentProfile, "stu-004")
    row.about = "Ik installeer warmtepompen en zonnepanelen bij woningcorporaties."
    session.add(row)


def _add(session: Session) -> None:
    demo = json.loads(DEMO.read_text())
    session.add(_student(STUDENTS, demo[STUDENTS]))
    session.add(Membership(community_id="com-1", member_id=f"stu-{STUDENTS:03d}", kind="student"))


def _delete(session: Session) -> None:
    session.delete(session.get(StudentProfile, "stu-007"))


def _move(session: Session) -> None:  # only an attribute changes: a filter must see it
    membership = session.exec(select(Membership).where(Membership.member_id == "stu-010")).one()
    membership.community_id = "com-1"
    session.add(membership)


@pytest.mark.parametrize("change", [_edit, _add, _delete, _move], ids=lambda f: f.__name__[1:])
@pytest.mark.parametrize("ann", ANN, ids=["exact", "hnsw"])
def test_a_database_changed_while_down_is_fitted_afresh(
    engine: Engine, tmp_path: Path, change, ann: AnnSettings | None
) -> None:
    state = tmp_path / "index-state"
    started(engine, state, ann)
    with Session(engine) as session:  # another process, while the service is down
        change(session)
        session.commit()
    restarted = started(engine, state, ann)
    assert "student" not in restarted.restored
    assert_ranks_alike(restarted, started(engine, None, ann))
    # ... and saved what it fitted: the next start reads it
    assert "student" in started(engine, state, ann).restored


def test_a_damaged_state_file_is_ignored_with_a_warning(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "index-state"
    started(engine, state, None)
    path = state / "student.npz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with caplog.at_level(logging.WARNING, logger="service.usecases.matching"):
        restarted = started(engine, state, None)
    assert "student" not in restarted.restored
    assert any("student.npz" in r.getMessage() for r in caplog.records)
    assert_ranks_alike(restarted, started(engine, None, None))
    assert "student" in started(engine, state, None).restored  # written whole again
