"""The demo data brings two years of continuity: research lines as themes, their past
challenges with teams, ratings and hand-overs, and this year's challenges as follow-ups."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from matcher.paths import data_dir
from service.domain.actor import Actor
from service.domain.tables import Challenge, Role, Suggestion, Theme, User
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases import dashboard, themes
from service.usecases.demo import HISTORY_MODEL, load_demo_if_empty
from service.usecases.matching import text_view

LINES = json.loads((data_dir() / "demo" / "research_lines.json").read_text(encoding="utf-8"))


def test_the_demo_lines_load_as_chains_that_continue_or_stall_as_the_data_says(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    migrate(engine)
    with Session(engine) as session:
        assert load_demo_if_empty(session, Settings(home=tmp_path)) is True
        assert len(session.exec(select(Theme)).all()) == len(LINES) == 9

        # thm-vlasisolatie: three past challenges (2025, 2025, 2026), then ch-001 of 2027.
        intermediary = session.get(User, "usr-intermediair-biobased")
        actor = Actor(intermediary, frozenset({"com-biobased-zuidwest"}), None)
        chain = themes.theme_chain(session, actor, "thm-vlasisolatie")
        assert [link.challenge_id for link in chain.links] == [
            "hch-001",
            "hch-002",
            "hch-003",
            "ch-001",
        ]
        assert [link.year for link in chain.links] == [2025, 2025, 2026, 2027]
        assert [link.result for link in chain.links[:3]] == ["completed"] * 3
        assert chain.links[0].team.size == 3 and chain.links[0].sme_rating == 4.0
        assert all(link.handover is not None for link in chain.links[:3])
        assert chain.links[3].follows_id == "hch-003"

        # A student of the community sees the chain without names or ratings: a team's rating
        # is its members' evaluation.
        student_user = session.exec(select(User).where(User.role == Role.student)).first()
        student_actor = Actor(student_user, frozenset({"com-biobased-zuidwest"}), None)
        seen = themes.theme_chain(session, student_actor, "thm-vlasisolatie")
        assert [link.challenge_id for link in seen.links] == [
            link.challenge_id for link in chain.links
        ]
        assert all(link.sme_rating is None and link.team_rating is None for link in seen.links)
        assert all(link.team.members is None for link in seen.links)

        # The current challenge carries what the team of 2026 left open; the matcher reads it.
        current = session.get(Challenge, "ch-001")
        before = themes.predecessor_of(session, current)
        assert (before.challenge_id, before.year) == ("hch-003", 2026)
        assert current.handover_open == before.handover.open != ""
        assert before.handover.open in text_view("challenge", current)
        assert current.supervisor_id == "rg-biobased-bouwen"  # carried from hch-003

        # The dashboard's continuing and stalled themes agree with the data set's own words.
        for community in {line["community_id"] for line in LINES}:
            states = {
                row["theme_id"]: row["state"]
                for row in dashboard.theme_continuity(session, community).rows
            }
            expected = {
                line["id"]: "continues" if line["status"] == "continues" else "stalled"
                for line in LINES
                if line["community_id"] == community
            }
            assert states == expected, community

        # The past teams' matches are completed and rated by both sides: nothing waits.
        past = session.exec(select(Suggestion).where(Suggestion.model_version == HISTORY_MODEL))
        rows = list(past)
        assert rows and all(s.status == "completed" and s.target_rating for s in rows)
