"""The dashboard's themes that continue and themes that stalled, on a small real database with
hand-built rows (SQLite): the last period is the community's latest year of challenges; a theme
continues when it has an open or running challenge in it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from service.domain.tables import (
    Challenge,
    Community,
    Membership,
    Organisation,
    StudentProfile,
    Suggestion,
    Theme,
)
from service.storage.db import make_engine, migrate
from service.usecases import dashboard


def _challenge(id_: str, theme: str | None, year: int, status: str = "published", **extra):
    return Challenge(
        id=id_,
        community_id=extra.pop("community", "noord"),
        organisation_id="org-1",
        theme_id=theme,
        status=status,
        title=f"Uitdaging {id_}",
        description="Een uitdaging die over de jaren heen doorloopt.",
        period_start=date(year, 2, 1),
        period_end=date(year, 6, 30),
        **extra,
    )


def _match(id_: str, challenge: str, status: str) -> Suggestion:
    return Suggestion(
        id=id_,
        community_id="noord",
        challenge_id=challenge,
        target_kind="student",
        target_id="s1",
        score=1.0,
        dense=0.5,
        lexical=0.5,
        skill=0.5,
        model_version="test",
        status=status,
    )


@pytest.fixture
def session(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'continuity.sqlite'}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        session.add_all(
            [
                Community(id="noord", name="Noord"),
                Community(id="zuid", name="Zuid"),
                Organisation(id="org-1", name="Bedrijf", kind="sme"),
                Membership(community_id="noord", member_id="org-1", kind="organisation"),
                StudentProfile(id="s1", full_name="Student Een", programme="Bouw", level="hbo"),
            ]
        )
        session.flush()
        session.add_all(
            [
                Theme(id="t-follow", community_id="noord", name="Doorgezet"),
                Theme(id="t-ended", community_id="noord", name="Afgelopen"),
                Theme(id="t-done-now", community_id="noord", name="Dit jaar klaar"),
                Theme(id="t-running", community_id="noord", name="Loopt nu"),
                Theme(id="t-empty", community_id="noord", name="Leeg"),
                Theme(id="t-zuid", community_id="zuid", name="Van zuid"),
            ]
        )
        session.flush()
        session.add_all(
            [
                # continued: 2026 completed, its follow-up of 2027 waits for a team
                _challenge("c-2026", "t-follow", 2026, "closed"),
                _challenge("c-2027", "t-follow", 2027, follows_id="c-2026"),
                # ended in 2026, nothing in 2027
                _challenge("e-2026", "t-ended", 2026),
                # 2027's challenge completed and was not continued
                _challenge("d-2027", "t-done-now", 2027),
                # closed for new matches, but its project runs
                _challenge("r-2027", "t-running", 2027, "closed"),
                _challenge("z-2027", "t-zuid", 2027, community="zuid"),
                _challenge("loose", None, 2027),
            ]
        )
        session.flush()
        session.add_all(
            [
                _match("m1", "c-2026", "completed"),
                _match("m2", "e-2026", "completed"),
                _match("m3", "d-2027", "completed"),
                _match("m4", "r-2027", "active"),
            ]
        )
        session.commit()
        yield session
    engine.dispose()


def test_themes_that_continue_come_first_then_those_that_stalled(session: Session) -> None:
    table = dashboard.theme_continuity(session, "noord")
    assert table.name == "theme_continuity"
    states = {row["theme_id"]: row["state"] for row in table.rows}
    assert states == {
        "t-follow": "continues",
        "t-running": "continues",
        "t-ended": "stalled",
        "t-done-now": "stalled",
        "t-empty": "stalled",
    }
    assert table.column("theme_name") == [
        "Doorgezet",
        "Loopt nu",
        "Afgelopen",
        "Dit jaar klaar",
        "Leeg",
    ]
    follow = table.rows[0]
    assert (follow["challenges"], follow["last_year"], follow["open_or_running"]) == (2, 2027, 1)
    empty = table.rows[-1]
    assert (empty["challenges"], empty["last_year"], empty["open_or_running"]) == (0, None, 0)
    assert dashboard.table(session, "noord", "theme_continuity").rows == table.rows


def test_another_communitys_themes_stay_out(session: Session) -> None:
    zuid = dashboard.theme_continuity(session, "zuid")
    assert zuid.column("theme_id") == ["t-zuid"]
    assert zuid.rows[0]["state"] == "continues"
