"""The Dutch demo data set (data/demo): loaded into an empty database so lcmatch comes alive."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, SQLModel, select

from matcher.paths import data_dir
from service.domain.tables import (
    Challenge,
    ChallengeBase,
    ChallengeStatus,
    Community,
    Handover,
    HandoverBase,
    Membership,
    Programme,
    ProgrammeBase,
    ProgrammeCommunity,
    ProgrammeMonitor,
    Response,
    Role,
    Round,
    RoundBase,
    RoundChallenge,
    RoundChallengeRules,
    RoundPreferences,
    RoundStudent,
    Suggestion,
    SuggestionStatus,
    TargetKind,
    Teacher,
    TeacherCreate,
    Theme,
    ThemeCreate,
    User,
    UserCreate,
)
from service.settings import Settings
from service.usecases.security import hash_password
from service.usecases.transfer import SPECS, new_rows, problems_of

#: Kind and file, in an order in which every reference points back to a row already there.
FILES = (
    ("communities", "communities.json"),
    ("organisations", "organisations.json"),
    ("research_groups", "research_groups.json"),
    ("challenges", "challenges.json"),
)
#: Fields in the files that say something to a reader but are no column of their table.
INFORMATIONAL = {"intermediary_organisation_id", "note"}
#: Fields of a programme record that the service keeps elsewhere or not at all (targets and
#: budget are the funder's business; communities and monitors are links).
PROGRAMME_EXTRAS = {
    "id",
    "community_ids",
    "monitors",
    "budget_eur",
    "targets_per_community_per_year",
}


class DemoDataError(Exception):
    """The demo data (or the demo password) does not pass the create models."""


def load_demo_if_empty(session: Session, settings: Settings) -> bool:
    """Load the demo set when the database has no community; True when it loaded.

    All or nothing, in one transaction. Embeddings are left to `Matching.rebuild`.
    """
    if session.exec(select(Community.id).limit(1)).first() is not None:
        return False
    try:
        for kind, filename in FILES:
            spec = SPECS[kind]
            for values, where in _records(filename):
                row, links = new_rows(spec, _validated(spec.record, values, where))
                session.add(row)
                session.add_all(links)
            session.flush()  # no relationships are mapped: flushing per file keeps FK order
        # Every demo login has the same, published password; hashing it once instead of per
        # user saves a second of Argon2 on each load, which tests pay many times.
        hashed = hash_password(settings.demo_password)
        student_users = _add_users(session, settings, hashed)
        session.flush()
        for values, where in _records("students.json"):
            values["user_id"] = student_users.get(values["id"])
            student = _validated(SPECS["students"].record, values, where)
            row, links = new_rows(SPECS["students"], student)
            session.add(row)
            session.add_all(links)
        session.flush()
        _add_teachers(session)
        session.flush()
        _add_rounds(session)
        _add_programmes(session, settings, hashed)
        _add_history(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return True


def _add_users(session: Session, settings: Settings, hashed: str) -> dict[str, str]:
    """Add the demo logins; returns student id -> the user id that logs in as that student."""
    student_users = {}
    for values, where in _records("users.json"):
        student_id = values.pop("student_id", None)
        user = _validated(UserCreate, {**values, "password": settings.demo_password}, where)
        row = User(**user.model_dump(exclude={"id", "password", "community_ids"}))
        row.hashed_password = hashed
        if user.id:
            row.id = user.id
        session.add(row)
        session.add_all(
            Membership(community_id=community_id, member_id=row.id, kind="user")
            for community_id in user.community_ids
        )
        if student_id:
            student_users[student_id] = row.id
    return student_users


def _add_programmes(session: Session, settings: Settings, hashed: str) -> None:
    """Add the demo's funding programmes, their communities and their monitors' logins."""
    for values, where in _records("funding_programmes.json"):
        fields = {k: v for k, v in values.items() if k not in PROGRAMME_EXTRAS}
        programme = Programme(
            id=values["id"], **_validated(ProgrammeBase, fields, where).model_dump()
        )
        session.add(programme)
        session.flush()
        session.add_all(
            ProgrammeCommunity(programme_id=programme.id, community_id=community_id)
            for community_id in values.get("community_ids", [])
        )
        for person in values.get("monitors", []):
            login = _validated(
                UserCreate,
                {**person, "role": Role.monitor, "password": settings.demo_password},
                where,
            )
            user = User(**login.model_dump(exclude={"password", "community_ids"}))
            user.hashed_password = hashed
            session.add(user)
            session.flush()
            session.add(ProgrammeMonitor(programme_id=programme.id, user_id=user.id))


#: The model version of the demo's past matches: they were made by no ranker.
HISTORY_MODEL = "demo history"
#: Fields of a past challenge that are history, not columns of a challenge.
HISTORY_EXTRAS = {
    "id",
    "community_id",
    "organisation_id",
    "research_line_id",
    "status",
    "follows",
    "supervisor_id",
    "team_student_ids",
    "handover",
    "rating",
}


def _add_history(session: Session) -> None:
    """Add two years of continuity: the research lines as themes, their past challenges
    (closed) with their teams' completed and rated matches and hand-overs, and each line's
    current challenge as the follow-up of its last past one."""
    for values, where in _records("research_lines.json"):
        theme = _validated(ThemeCreate, values, where)
        session.add(Theme(id=values["id"], **theme.model_dump()))
    session.flush()
    handed_over: dict[str, str] = {}
    for values, where in _records("past_challenges.json"):
        base = _validated(
            ChallengeBase, {k: v for k, v in values.items() if k not in HISTORY_EXTRAS}, where
        )
        follows = values.get("follows")
        session.add(
            Challenge(
                id=values["id"],
                community_id=values["community_id"],
                organisation_id=values["organisation_id"],
                status=ChallengeStatus.closed,
                theme_id=values["research_line_id"],
                follows_id=follows,
                supervisor_id=values.get("supervisor_id"),
                handover_open=handed_over.get(follows, "") if follows else "",
                **base.model_dump(),
            )
        )
        session.flush()
        if values.get("handover"):
            handover = _validated(HandoverBase, values["handover"], f"{where}, handover")
            session.add(Handover(challenge_id=values["id"], **handover.model_dump()))
            handed_over[values["id"]] = handover.open
        rating = values.get("rating")
        for student_id in values.get("team_student_ids", []):
            session.add(
                Suggestion(
                    community_id=values["community_id"],
                    challenge_id=values["id"],
                    target_kind=TargetKind.student,
                    target_id=student_id,
                    score=0.0,
                    dense=0.0,
                    lexical=0.0,
                    skill=0.0,
                    explanation={"history": True},
                    model_version=HISTORY_MODEL,
                    status=SuggestionStatus.completed,
                    sme_response=Response.accepted,
                    target_response=Response.accepted,
                    sme_rating=rating,
                    target_rating=rating,
                )
            )
    session.flush()
    # Each line's current challenge (if it has one) continues its last past challenge.
    for values, _where in _records("research_lines.json"):
        chain = values.get("chain", [])
        for before, after in pairwise(chain):
            challenge = session.get(Challenge, after)
            if challenge is not None and challenge.follows_id is None:
                challenge.follows_id = before
                challenge.handover_open = handed_over.get(before, "")
                # A follow-up carries its predecessor's supervisor.
                previous = session.get(Challenge, before)
                if previous is not None and challenge.supervisor_id is None:
                    challenge.supervisor_id = previous.supervisor_id
            if challenge is not None:
                challenge.theme_id = values["id"]
                session.add(challenge)


def _add_teachers(session: Session) -> None:
    """Add the demo teachers (docenten) with their communities."""
    for values, where in _records("teachers.json"):
        teacher = _validated(TeacherCreate, values, where)
        session.add(Teacher(id=teacher.id, **teacher.model_dump(exclude={"id", "community_ids"})))
        session.add_all(
            Membership(community_id=community_id, member_id=teacher.id, kind="teacher")
            for community_id in teacher.community_ids
        )


def _add_rounds(session: Session) -> None:
    """Add one open round per community: its challenges with their rules and SMEs' marks,
    its students with their preferences. Its supervisors are the community's research
    groups and teachers."""
    for values, where in _records("rounds.json"):
        period = values["period"]
        base = {
            "name": values["name"],
            "period_label": period["label"],
            "period_start": period["start"],
            "period_end": period["end"],
        }
        checked_round = _validated(RoundBase, base, where)
        round_ = Round(
            id=values["id"], community_id=values["community_id"], **checked_round.model_dump()
        )
        session.add(round_)
        marks = {m["challenge_id"]: m["student_ids"] for m in values.get("sme_marks", [])}
        for n, rules in enumerate(values["challenges"]):
            checked = _validated(RoundChallengeRules, rules, f"{where}, challenges[{n}]")
            session.add(
                RoundChallenge(
                    round_id=round_.id,
                    sme_marks=marks.get(checked.challenge_id, []),
                    **checked.model_dump(),
                )
            )
        ranked = {p["student_id"]: p["challenge_ids"] for p in values.get("preferences", [])}
        for student_id in values["student_ids"]:
            chosen = {"challenge_ids": ranked.get(student_id, [])}
            checked = _validated(RoundPreferences, chosen, f"{where}, preferences of {student_id}")
            session.add(
                RoundStudent(
                    round_id=round_.id, student_id=student_id, preferences=checked.challenge_ids
                )
            )


def _records(filename: str) -> list[tuple[dict[str, Any], str]]:
    path = data_dir() / "demo" / filename
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DemoDataError(f"cannot read the demo data {path}: {error}") from None
    return [
        ({k: v for k, v in item.items() if k not in INFORMATIONAL}, f"{filename}, record {n}")
        for n, item in enumerate(items, start=1)
    ]


def _validated(model: type[SQLModel], values: dict[str, Any], where: str) -> SQLModel:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(problems_of(where, error))
        raise DemoDataError(f"the demo data does not load: {problems}") from None
