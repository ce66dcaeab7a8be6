"""The demo data brings the SMEs' professionals and the meetings on the research lines, with
their invitations, answers and attendance; loading it again adds nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sqlmodel import Session, func, select

from matcher.paths import data_dir
from service.domain.meeting_tables import Invitation, Meeting
from service.domain.tables import Membership, Professional, SuggestionEvent
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases.demo import load_demo_if_empty

DEMO = data_dir() / "demo"
PROFESSIONALS = json.loads((DEMO / "professionals.json").read_text(encoding="utf-8"))
MEETINGS = json.loads((DEMO / "meetings.json").read_text(encoding="utf-8"))


def _counts(session: Session) -> dict[str, int]:
    def count(table, *where) -> int:
        return session.exec(select(func.count()).select_from(table).where(*where)).one()

    return {
        "professionals": count(Professional),
        "memberships": count(Membership, Membership.kind == "professional"),
        "meetings": count(Meeting),
        "invitations": count(Invitation),
        "attended": count(Invitation, Invitation.attended == True),  # noqa: E712  (SQL)
        "events": count(SuggestionEvent),
    }


def test_the_demo_has_professionals_meetings_and_attendance_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    migrate(engine)
    settings = Settings(home=tmp_path)
    with Session(engine) as session:
        assert load_demo_if_empty(session, settings) is True
        loaded = _counts(session)
        assert loaded["professionals"] == len(PROFESSIONALS) == 88
        assert loaded["memberships"] == sum(len(p["community_ids"]) for p in PROFESSIONALS)
        assert loaded["meetings"] == len(MEETINGS) == 12
        assert loaded["invitations"] == sum(len(m["invitations"]) for m in MEETINGS)
        assert loaded["attended"] == sum(
            i["attended"] is True for m in MEETINGS for i in m["invitations"]
        )
        assert loaded["attended"] > 100 and loaded["events"] > 0

        # A manager keeps their role and organisation; what they want to learn is readable.
        manager = session.get(Professional, "pro-001")
        assert manager is not None and manager.job_role == "leidinggevende"
        assert manager.organisation_id == "org-vlasvezel-isolatie"
        assert "voorspellende modellen bouwen" in manager.learning_wishes

        # A meeting: its theme and community, its time in Dutch local time, its answers.
        meeting = session.get(Meeting, "mtg-biobased-2025-isolatie")
        assert meeting is not None and meeting.theme_id == "thm-vlasisolatie"
        assert meeting.community_id == "com-biobased-zuidwest" and meeting.place == "Goes"
        assert meeting.starts_at.hour == 13  # 15:00 in summer time
        kinds = Counter(
            row.invitee_kind
            for row in session.exec(select(Invitation).where(Invitation.meeting_id == meeting.id))
        )
        assert set(kinds) >= {"professional", "teacher", "research_group", "student"}
        planned = session.exec(
            select(Invitation).where(Invitation.meeting_id == "mtg-biobased-2027-isolatie")
        ).all()
        assert planned and all(row.attended is None for row in planned)

    with Session(engine) as session:
        assert load_demo_if_empty(session, settings) is False
        assert _counts(session) == loaded
