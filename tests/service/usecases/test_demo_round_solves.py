"""The demo data brings a round ready to solve to each community, with its teachers."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, func, select

from matcher import HashingEncoder
from matcher.allocation.validate import teams_from_json, validate
from service.domain.actor import Actor
from service.domain.tables import Community, Round, RoundStudent, Teacher, User
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases import round_instance, rounds
from service.usecases.demo import load_demo_if_empty
from service.usecases.matching import Matching


def test_each_demo_community_has_a_round_that_solves_without_a_broken_rule(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    migrate(engine)
    with Session(engine) as session:
        assert load_demo_if_empty(session, Settings(home=tmp_path)) is True
        communities = set(session.exec(select(Community.id)))
        found = session.exec(select(Round)).all()
        assert {r.community_id for r in found} == communities
        assert all(r.status == "open" for r in found)
        assert session.exec(select(func.count()).select_from(Teacher)).one() == 16
        with_preferences = [e for e in session.exec(select(RoundStudent)).all() if e.preferences]
        assert len(with_preferences) == 49 + 59 + 38  # as in data/demo/rounds.json

        matching = Matching(encoder=HashingEncoder())
        matching.rebuild(session)
        admin = session.exec(select(User).where(User.role == "admin")).one()
        actor = Actor(user=admin, community_ids=frozenset(), student_id=None)
        smallest = min(
            found,
            key=lambda r: session.exec(
                select(func.count()).select_from(RoundStudent).where(RoundStudent.round_id == r.id)
            ).one(),
        )
        proposal = rounds.solve_round(session, matching, actor, smallest.id, time_limit_s=10)
        assert proposal["teams"], proposal["status"]
        built = round_instance.build_instance(session, matching, session.get(Round, smallest.id))
        check = validate(built.instance, teams_from_json(proposal))
        assert check.violations == []
        # Every team is supervised by one of the community's research groups or teachers.
        own = {v.id for v in round_instance.supervisors_of(session, smallest.community_id)}
        assert any(v.startswith("tea-") for v in own)
        assert {t["supervisor"] for t in proposal["teams"]} <= own
