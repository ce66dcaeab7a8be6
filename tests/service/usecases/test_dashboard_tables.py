"""The dashboard's tables on a small real database with hand-built rows.

Two communities: "noord" (the one looked at) and "zuid" (whose rows must never show up). Every
expected count below is worked out by hand from the rows in `world`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from service.domain.tables import (
    Challenge,
    ChallengeRanking,
    ChallengeStatus,
    Community,
    DashboardRefresh,
    Membership,
    Organisation,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
)
from service.storage.db import make_engine, migrate
from service.usecases import dashboard
from service.usecases.fairness import fairness_report

S = SuggestionStatus
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # ISO week 2026-W45


def at(days: int) -> datetime:
    """A moment `days` after Monday 2 November 2026, 09:00 UTC."""
    return MONDAY.replace(day=MONDAY.day + days)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL 16 (pgserver) for this module; fails, never skips, when it cannot start."""
    pgdata = Path(tempfile.mkdtemp(prefix="lcmatch-pg-dashboard-"))
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
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    """A fresh database with the rows of `world`, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'dashboard.sqlite'}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        with engine.begin() as connection:  # one database for the module: start empty
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        world(session)
        yield session
    engine.dispose()


def student(session: Session, id_: str, level: str, communities: list[str], consent=True):
    session.add(
        StudentProfile(
            id=id_,
            full_name=f"Student {id_}",
            programme="Werktuigbouwkunde",
            level=level,
            region="Zwolle",
            consent_matching=consent,
        )
    )
    for community in communities:
        session.add(Membership(community_id=community, member_id=id_, kind="student"))


def challenge(session: Session, id_: str, community: str, themes: list[str], **values) -> None:
    session.add(
        Challenge(
            id=id_,
            community_id=community,
            organisation_id=f"org-{community}",
            title=f"Uitdaging {id_}",
            description="Een uitdaging met genoeg tekst.",
            themes=themes,
            status=values.pop("status", ChallengeStatus.published),
            created_at=values.pop("created_at", MONDAY),
            **values,
        )
    )


def suggestion(session: Session, id_: str, challenge_id: str, target: str, status, score, **kw):
    community = kw.pop("community", "noord")
    session.add(
        Suggestion(
            id=id_,
            community_id=community,
            challenge_id=challenge_id,
            target_kind=kw.pop("kind", TargetKind.student),
            target_id=target,
            score=score,
            dense=0.0,
            lexical=0.0,
            skill=0.0,
            model_version="test",
            status=status,
            created_at=kw.pop("created_at", MONDAY),
        )
    )


def event(session: Session, suggestion_id: str, from_status, to_status, when: datetime) -> None:
    session.add(
        SuggestionEvent(
            suggestion_id=suggestion_id,
            actor_id="usr-int",
            action="x",
            from_status=from_status,
            to_status=to_status,
            at=when,
        )
    )


def world(session: Session) -> None:
    for community in ("noord", "zuid"):
        session.add(Community(id=community, name=f"Gemeenschap {community}"))
        session.add(Organisation(id=f"org-{community}", name=f"Bedrijf {community}", kind="sme"))
    session.flush()
    # noord: four published challenges, one draft, one closed.
    challenge(session, "ch-1", "noord", ["energie", "bouw"], level="hbo")
    challenge(session, "ch-2", "noord", ["energie"], level="mbo", created_at=at(1))
    challenge(session, "ch-3", "noord", [], level="hbo", created_at=at(2))
    challenge(session, "ch-4", "noord", ["zorg"], level="wo", created_at=at(3))
    challenge(session, "ch-draft", "noord", ["energie"], status=ChallengeStatus.draft)
    challenge(session, "ch-closed", "noord", ["energie"], status=ChallengeStatus.closed)
    challenge(session, "ch-z", "zuid", ["energie"], level="hbo")
    # noord students: s1..s4 consent, s5 does not; s6 is in both communities; z1 only in zuid.
    student(session, "s1", "hbo", ["noord"])
    student(session, "s2", "mbo", ["noord"])
    student(session, "s3", "hbo", ["noord"])
    student(session, "s4", "wo", ["noord"])
    student(session, "s5", "hbo", ["noord"], consent=False)
    student(session, "s6", "mbo", ["noord", "zuid"])
    student(session, "z1", "hbo", ["zuid"])
    session.flush()
    # ch-1: s1 introduced (2.8), s3 suggested (0.4), a research group approved (1.2)
    suggestion(session, "g1", "ch-1", "s1", S.introduced, 2.8)
    suggestion(session, "g2", "ch-1", "s3", S.suggested, 0.4, created_at=at(7))
    suggestion(session, "g3", "ch-1", "rg-1", S.approved, 1.2, kind=TargetKind.research_group)
    # ch-2: its best (s2, 3.5) was rejected; what is left scores 0.9 (s6): no good candidate
    suggestion(session, "g4", "ch-2", "s2", S.rejected, 3.5)
    suggestion(session, "g5", "ch-2", "s6", S.suggested, 0.9)
    # ch-3: nothing suggested. ch-4: s4 active (2.0, exactly the threshold: good)
    suggestion(session, "g6", "ch-4", "s4", S.active, 2.0)
    # The draft's suggestion (s5 has no consent, but was suggested before withdrawing it)
    suggestion(session, "g7", "ch-draft", "s5", S.completed, 3.0, created_at=at(14))
    # zuid: s6 is active there (must not count as an assignment in noord); z1 introduced
    suggestion(session, "gz1", "ch-z", "s6", S.active, 2.0, community="zuid")
    suggestion(session, "gz2", "ch-z", "z1", S.introduced, 2.0, community="zuid", created_at=at(21))
    # Whose students were ranked for them (ch-3's never were)
    for ranked in ("ch-1", "ch-2", "ch-4", "ch-draft", "ch-z"):
        session.add(ChallengeRanking(challenge_id=ranked, ranked_at=MONDAY, candidates=2))
    session.flush()
    event(session, "g1", "suggested", "approved", at(1))
    event(session, "g1", "approved", "introduced", at(2))
    event(session, "g3", "suggested", "approved", at(8))
    event(session, "g4", "suggested", "rejected", at(8))
    event(session, "g6", "suggested", "approved", at(0))
    event(session, "g6", "approved", "introduced", at(0))
    event(session, "g6", "introduced", "introduced", at(1))  # the first side's answer
    event(session, "g6", "introduced", "accepted", at(7))
    event(session, "g6", "accepted", "active", at(15))
    event(session, "gz1", "suggested", "approved", at(22))  # zuid: not in noord's weeks
    session.commit()


def by(table: dashboard.Table, key: str) -> dict:
    return {row[key]: row for row in table.rows}


def test_open_challenges_are_the_published_ones_with_their_candidates(session: Session) -> None:
    table = dashboard.open_challenges(session, "noord")
    assert table.column("challenge_id") == ["ch-1", "ch-2", "ch-3", "ch-4"]  # oldest first
    rows = by(table, "challenge_id")
    # ch-1: three candidates, the research group counts too; one match under way (introduced)
    assert (rows["ch-1"]["candidates"], rows["ch-1"]["best_score"]) == (3, 2.8)
    assert rows["ch-1"]["in_progress"] == 1
    assert rows["ch-1"]["themes"] == "energie, bouw"
    assert rows["ch-1"]["organisation"] == "Bedrijf noord"
    # ch-2: the rejected 3.5 is no candidate any more
    assert (rows["ch-2"]["candidates"], rows["ch-2"]["best_score"]) == (1, 0.9)
    assert (rows["ch-3"]["candidates"], rows["ch-3"]["best_score"]) == (0, None)
    assert rows["ch-4"]["in_progress"] == 1
    # ch-3 was never ranked; ch-2 was, although its best was turned down
    assert {id_: row["ranked"] for id_, row in rows.items()} == {
        "ch-1": True,
        "ch-2": True,
        "ch-3": False,
        "ch-4": True,
    }
    assert set(table.columns) == set(table.rows[0])


def test_challenges_without_a_good_candidate_name_the_threshold(session: Session) -> None:
    assert dashboard.GOOD_SCORE == 2.0  # the scores in `world` are chosen around it
    table = dashboard.challenges_without_good_candidate(session, "noord")
    # ch-3 was never ranked: nobody knows yet whether it has a good candidate
    assert table.column("challenge_id") == ["ch-2"]
    assert table.column("threshold") == [2.0]
    stricter = dashboard.challenges_without_good_candidate(session, "noord", threshold=2.5)
    assert stricter.column("challenge_id") == ["ch-2", "ch-4"]  # 2.0 < 2.5; 2.8 stays


def test_a_challenge_never_ranked_is_not_ranked_yet(session: Session) -> None:
    assert dashboard.challenges_not_ranked(session, "noord").column("challenge_id") == ["ch-3"]
    # A suggestion stored from a student's own page ranks one student, not the challenge's.
    suggestion(session, "g8", "ch-3", "s3", S.suggested, 0.5)
    session.commit()
    assert dashboard.challenges_not_ranked(session, "noord").column("challenge_id") == ["ch-3"]
    assert dashboard.challenges_without_good_candidate(session, "noord").column("challenge_id") == [
        "ch-2"
    ]
    # Once ranked (say, nobody was eligible), it is one without a good candidate.
    session.add(ChallengeRanking(challenge_id="ch-3", candidates=0))
    session.commit()
    assert dashboard.challenges_not_ranked(session, "noord").rows == []
    weak = dashboard.challenges_without_good_candidate(session, "noord")
    assert weak.column("challenge_id") == ["ch-2", "ch-3"]


def test_open_challenges_by_level(session: Session) -> None:
    rows = by(dashboard.open_challenges_by_level(session, "noord"), "level")
    assert list(rows) == ["mbo", "hbo", "wo", "any"]
    assert [rows[level]["open_challenges"] for level in rows] == [1, 2, 1, 0]
    assert [rows[level]["not_ranked"] for level in rows] == [0, 1, 0, 0]  # ch-3 (hbo)
    assert [rows[level]["without_good_candidate"] for level in rows] == [1, 0, 0, 0]  # ch-2


def test_students_without_an_assignment_leave_out_those_without_consent(session: Session) -> None:
    table = dashboard.students_without_assignment(session, "noord")
    # s1 (introduced) and s4 (active) have one; s5 withheld consent; z1 is not a member.
    # s6 is active in zuid only: in noord it has no assignment.
    assert table.column("student_id") == ["s2", "s3", "s6"]
    assert table.names_students
    assert set(table.rows[0]) == set(table.columns)
    assert "consent_matching" not in table.columns and "about" not in table.columns
    rows = by(dashboard.students_without_assignment_by_level(session, "noord"), "level")
    assert {level: (r["students"], r["without_assignment"]) for level, r in rows.items()} == {
        "mbo": (2, 2),  # s2, s6
        "hbo": (2, 1),  # s1, s3 (not s5)
        "wo": (1, 0),  # s4
    }


def test_matches_per_stage_count_every_status_in_workflow_order(session: Session) -> None:
    table = dashboard.matches_per_stage(session, "noord")
    assert table.column("stage") == [stage.value for stage in dashboard.STAGES]
    rows = by(table, "stage")
    counts = {stage: (r["students"], r["research_groups"], r["total"]) for stage, r in rows.items()}
    assert counts == {
        "suggested": (2, 0, 2),  # g2, g5
        "approved": (0, 1, 1),  # g3
        "rejected": (1, 0, 1),  # g4
        "introduced": (1, 0, 1),  # g1 (gz2 is zuid's)
        "accepted": (0, 0, 0),
        "declined": (0, 0, 0),
        "active": (1, 0, 1),  # g6 (gz1 is zuid's)
        "completed": (1, 0, 1),  # g7
    }
    zuid = by(dashboard.matches_per_stage(session, "zuid"), "stage")
    assert (zuid["active"]["total"], zuid["introduced"]["total"]) == (1, 1)


def test_matches_per_theme(session: Session) -> None:
    table = dashboard.matches_per_theme(session, "noord")
    rows = {r["theme"]: (r["matches"], r["approved_or_further"]) for r in table.rows}
    # energie: ch-1 (g1, g2, g3), ch-2 (g4, g5), ch-draft (g7); onward: g1, g3, g7
    # bouw: ch-1 only; zorg: ch-4 (g6); ch-3 has no suggestion, so no "(geen thema)" row
    assert rows == {"energie": (6, 3), "bouw": (3, 2), "zorg": (1, 1)}
    assert table.column("theme") == ["energie", "bouw", "zorg"]  # most matches first


def test_matches_per_week_from_the_event_times(session: Session) -> None:
    table = dashboard.matches_per_week(session, "noord")
    # zuid's events of W48 do not stretch noord's weeks
    assert table.column("week") == ["2026-W45", "2026-W46", "2026-W47"]
    assert table.column("week_start") == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]

    def week(stage: str) -> list[int]:
        return table.column(stage)

    # made: g1, g3, g4, g5, g6 in W45; g2 in W46; g7 in W47
    assert week("suggested") == [5, 1, 1]
    assert week("approved") == [2, 1, 0]  # g1 (day 1), g6 (day 0); g3 (day 8)
    assert week("introduced") == [2, 0, 0]  # g1, g6; the answer that kept it is no move
    assert week("rejected") == [0, 1, 0]
    assert week("accepted") == [0, 1, 0]
    assert week("active") == [0, 0, 1]
    assert sum(week("completed")) == 0 and sum(week("declined")) == 0


def test_the_fairness_tables_show_the_last_refresh_not_the_stored_suggestions(
    session: Session,
) -> None:
    # No refresh yet: no figures, although noord has stored student suggestions.
    assert dashboard.fairness_by_level(session, "noord").rows == []
    assert fairness_report(session, "noord").suggestions == 5
    group = {
        "students": 2,
        "population_share": 0.4,
        "appearances": 3,
        "appearance_share": 0.5,
        "appearance_ratio": 1.25,
        "exposure": 2.5,
        "exposure_share": 0.51234,
        "exposure_ratio": 1.2808501,
    }
    older = DashboardRefresh(
        community_id="noord", status="done", finished_at=at(1), by_level=[], by_region=[]
    )
    newer = DashboardRefresh(
        community_id="noord",
        status="done",
        finished_at=at(2),
        by_level=[{"group": "hbo", **group}],
        by_region=[{"group": "Zwolle", **group}],
    )
    running = DashboardRefresh(community_id="noord", by_level=[{"group": "wo", **group}])
    session.add_all([older, newer, running])
    session.commit()
    rows = dashboard.fairness_by_level(session, "noord").rows
    assert rows == [
        {
            "group": "hbo",
            "students": 2,
            "population_share": 0.4,
            "appearances": 3,
            "appearance_ratio": 1.25,
            "exposure_share": 0.512,
            "exposure_ratio": 1.281,
        }
    ]
    assert dashboard.fairness_by_region(session, "noord").column("group") == ["Zwolle"]
    assert dashboard.fairness_by_level(session, "zuid").rows == []


def test_tables_by_name(session: Session) -> None:
    for name in dashboard.TABLES:
        assert dashboard.table(session, "noord", name).name == name
    with pytest.raises(dashboard.UnknownTable, match="no table 'secrets'; the tables are: open"):
        dashboard.table(session, "noord", "secrets")


def test_another_community_sees_none_of_these_rows(session: Session) -> None:
    noord_ids = {"ch-1", "ch-2", "ch-3", "ch-4", "s1", "s2", "s3", "s4", "s5"}
    for name in dashboard.TABLES:
        table = dashboard.table(session, "zuid", name)
        for row in table.rows:
            assert not noord_ids & {str(value) for value in row.values()}, (name, row)
    assert dashboard.students_without_assignment(session, "zuid").rows == []  # s6 active, z1 too
    assert dashboard.open_challenges(session, "zuid").column("challenge_id") == ["ch-z"]
    assert dashboard.table(session, "nergens", "matches_per_week").rows == []
