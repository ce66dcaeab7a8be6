"""The Dutch demo data set (data/demo): loaded into an empty database so lcmatch comes alive."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, SQLModel, select

from matcher.paths import data_dir
from service.domain.errors import DomainError
from service.domain.meeting_tables import (
    Invitation,
    InvitationStatus,
    InviteeKind,
    MeetingCreate,
)
from service.domain.tables import (
    Challenge,
    ChallengeBase,
    ChallengeStatus,
    Community,
    Handover,
    HandoverBase,
    Membership,
    Professional,
    ProfessionalCreate,
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
    SuggestionEvent,
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
from service.usecases.editing import add_memberships
from service.usecases.meetings import LOCAL_ZONE, check_invitee, checked_meeting, mail_users
from service.usecases.places import canonical_place
from service.usecases.professionals import check_organisation
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
        session.flush()
        _add_professionals(session)
        session.flush()
        _add_meetings(session)
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
    intermediaries = _intermediaries(session)
    for values, where in _records("past_challenges.json"):
        base = _validated(
            ChallengeBase, {k: v for k, v in values.items() if k not in HISTORY_EXTRAS}, where
        )
        follows = values.get("follows")
        start, end = base.period_start, base.period_end
        if start is None or end is None:
            raise DemoDataError(f"{where}: a past challenge needs period_start and period_end")
        if "weeks" not in values:  # the weeks it ran: its period, Monday to Friday
            base.weeks = (end - start).days // 7 + 1
        posted = _at(start - POSTED_BEFORE)
        session.add(
            Challenge(
                created_at=posted,
                updated_at=posted,
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
            suggestion = Suggestion(
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
                created_at=_at(start - timedelta(days=35)),
            )
            session.add(suggestion)
            session.flush()
            session.add_all(
                _history_events(
                    suggestion.id,
                    intermediaries.get(values["community_id"], "demo"),
                    start,
                    end,
                    rating,
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


#: A past challenge was posted this long before it began.
POSTED_BEFORE = timedelta(weeks=8)


def _at(day: date, hour: int = 10) -> datetime:
    """A moment of a demo day (UTC)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _intermediaries(session: Session) -> dict[str, str]:
    """Per community the user id of its (first) intermediary: the actor of the history."""
    rows = session.exec(
        select(Membership.community_id, User.id)
        .join(User, User.id == Membership.member_id)
        .where(Membership.kind == "user", User.role == Role.intermediary)
        .order_by(User.id)
    ).all()
    found: dict[str, str] = {}
    for community_id, user_id in rows:
        found.setdefault(community_id, user_id)
    return found


def _history_events(
    suggestion_id: str, actor_id: str, start: date, end: date, rating: int | None
) -> list[SuggestionEvent]:
    """The review trail of a past team member's match, as the service would have recorded
    it: approved and introduced before the challenge began, accepted by both sides, started
    on its first day, completed on its last, rated by both sides a week later. The programme
    monitor's figures count these events in their months."""
    steps = [
        ("approve", "suggested", "approved", start - timedelta(days=28)),
        ("introduce", "approved", "introduced", start - timedelta(days=21)),
        ("respond:sme:accepted", "introduced", "introduced", start - timedelta(days=18)),
        ("respond:target:accepted", "introduced", "accepted", start - timedelta(days=16)),
        ("start", "accepted", "active", start),
        ("complete", "active", "completed", end),
    ]
    if rating is not None:
        steps += [
            (f"rate:sme:{rating}", "completed", "completed", end + timedelta(days=7)),
            (f"rate:target:{rating}", "completed", "completed", end + timedelta(days=10)),
        ]
    return [
        SuggestionEvent(
            suggestion_id=suggestion_id,
            actor_id=actor_id,
            action=action,
            from_status=before,
            to_status=after,
            at=_at(day),
        )
        for action, before, after, day in steps
    ]


@contextmanager
def _checking(where: str) -> Iterator[None]:
    """Around the API's checks of a demo record: their error names the record."""
    try:
        yield
    except (DomainError, ValueError) as error:
        raise DemoDataError(f"the demo data does not load: {where}: {error}") from None


def _add_professionals(session: Session) -> None:
    """Add the SMEs' employees and managers with their communities, checked as the API checks
    a new profile (an SME of each of their communities, a known place). What they want to
    learn is their own words followed by the skills they name."""
    for values, where in _records("professionals.json"):
        wishes = [wish["label"] for wish in values.get("learning_wishes", [])]
        text = values.get("about", "")
        if wishes:
            text = f"{text}\n\nLeerwensen: {'; '.join(wishes)}.".strip()
        body = {
            "id": values["id"],
            "full_name": values["full_name"],
            "job_role": values["role"],
            "job_title": values.get("job_title", ""),
            "skills": values.get("skills", []),
            "learning_wishes": text,
            "organisation_id": values["organisation_id"],
            "community_ids": values["community_ids"],
        }
        professional = _validated(ProfessionalCreate, body, where)
        with _checking(where):
            check_organisation(session, professional.organisation_id, professional.community_ids)
            canonical_place(values.get("place", ""), "place")
        session.add(
            Professional(
                id=professional.id,
                **professional.model_dump(exclude={"id", "community_ids"}),
            )
        )
        add_memberships(session, professional.id, "professional", professional.community_ids)


#: A demo answer as an invitation's status.
ANSWERS = {
    "yes": InvitationStatus.accepted,
    "no": InvitationStatus.declined,
    None: InvitationStatus.invited,
}


def _local(day: str, clock: str) -> datetime:
    """A date and a wall-clock time in the Netherlands, as the UTC moment the tables keep."""
    moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock))
    return moment.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def _add_meetings(session: Session) -> None:
    """Add the meetings on the research lines with their invitations, answers and attendance,
    checked as the API checks them: the theme of the meeting's community, a known place, a
    host of the community, every invitee a member of it (a student with consent), no more
    accepted than the capacity. A held meeting records who came; a planned one nobody yet."""
    for values, where in _records("meetings.json"):
        body = _validated(
            MeetingCreate,
            {
                "title": values["title"],
                "theme_id": values["research_line_id"],
                "starts_at": _local(values["date"], values["start"]),
                "ends_at": _local(values["date"], values["end"]),
                "place": values["place"],
                "host_organisation_id": values.get("host_organisation_id"),
                "capacity": values["capacity"],
                "notes": values.get("description", ""),
            },
            where,
        )
        community_id = values["community_id"]
        with _checking(where):
            meeting = checked_meeting(session, body, community_id.__eq__)
        meeting.id = values["id"]
        meeting.created_at = meeting.starts_at - timedelta(weeks=6)
        session.add(meeting)
        session.flush()
        held = values.get("status") == "held"
        seen: set[tuple[str, str]] = set()
        accepted = 0
        for n, invited in enumerate(values.get("invitations", [])):
            at = f"{where}, invitations[{n}]"
            invitee_id = invited["invitee_id"]
            with _checking(at):
                kind = InviteeKind(invited["kind"])
                check_invitee(session, meeting, kind, invitee_id)
            if (kind, invitee_id) in seen:
                raise DemoDataError(f"{at}: {kind.value} {invitee_id} is invited twice")
            seen.add((kind, invitee_id))
            status = ANSWERS.get(invited.get("answer"))
            if status is None:
                raise DemoDataError(f"{at}: answer must be yes, no or null")
            accepted += status is InvitationStatus.accepted
            users = mail_users(session, kind, invitee_id)
            session.add(
                Invitation(
                    meeting_id=meeting.id,
                    invitee_kind=kind,
                    invitee_id=invitee_id,
                    user_id=users[0].id if users else None,
                    status=status,
                    attended=bool(invited.get("attended")) if held else None,
                    invited_at=meeting.starts_at - timedelta(weeks=4),
                    answered_at=(
                        None
                        if status is InvitationStatus.invited
                        else meeting.starts_at - timedelta(weeks=2)
                    ),
                )
            )
        if accepted > meeting.capacity:
            raise DemoDataError(f"{where}: {accepted} accepted, capacity {meeting.capacity}")


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
