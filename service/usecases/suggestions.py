"""Ranked suggestions: computed on demand by the matcher, persisted for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, bindparam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, and_, delete, or_, select

from matcher.ranker import Match
from matcher.travel import nearer_first
from service.domain.actor import Actor
from service.domain.suggestion_models import SuggestionPublic
from service.domain.tables import (
    Challenge,
    ChallengeLevel,
    ChallengeRanking,
    ChallengeStatus,
    Membership,
    ResearchGroup,
    StudentProfile,
    Suggestion,
    SuggestionStatus,
    TargetKind,
    utcnow,
)
from service.storage.db import commit
from service.usecases.access import STUDENT_VISIBLE, hides_review_from, student_name_for
from service.usecases.capacity import room_left
from service.usecases.constraint_notes import constraint_notes, room_note
from service.usecases.matching import Matching, memberships
from service.usecases.note_texts import render_notes
from service.usecases.places import travel

#: The fields of `SuggestionPublic` that are the stored suggestion's own columns.
_STORED_FIELDS = tuple(
    name
    for name in SuggestionPublic.model_fields
    if name not in ("challenge_title", "target_name", "components", "room_left", "constraint_notes")
)


def explanation_json(match: Match) -> dict:
    """The engine's explanation as stored JSON."""
    return {
        "shared_skills": [
            {"uri": tag.uri, "label": tag.label} for tag in match.explanation.shared_skills
        ],
        "matching_terms": list(match.explanation.matching_terms),
    }


def target_name(session: Session, suggestion: Suggestion, viewer: Actor) -> str:
    """The name of the student or research group, as far as the viewer may see it."""
    if suggestion.target_kind == TargetKind.student:
        student = session.get(StudentProfile, suggestion.target_id)
        return student_name_for(viewer, suggestion, student) if student else ""
    group = session.get(ResearchGroup, suggestion.target_id)
    return group.name if group else ""


def notes_shown(
    session: Session, suggestion: Suggestion, challenge: Challenge | None, left: int | None
) -> list[dict]:
    """The suggestion's stored constraint notes, and the room its challenge (for a student) or
    research group has left now (none when that one is gone)."""
    notes = list(suggestion.constraint_notes)
    if left is None:
        return notes
    if suggestion.target_kind == TargetKind.student:
        if challenge is not None:
            notes.append(room_note(left, challenge.students_wanted, "students").as_json())
    else:
        group = session.get(ResearchGroup, suggestion.target_id)
        if group is not None:
            notes.append(room_note(left, group.capacity_projects, "projects").as_json())
    return notes


def suggestion_public(
    session: Session,
    suggestion: Suggestion,
    *,
    viewer: Actor,
    language: str,
    as_record: bool = False,
    room: dict[str, int | None] | None = None,
) -> SuggestionPublic:
    """A suggestion as this viewer sees it (a student's name only where the student's
    visibility allows: see `service.usecases.access.student_name_for`; to the student it is
    about, no status before the introduction and no reason), with the room its challenge or
    research group has left, and its constraint notes said in `language` (nl or en; see
    `notes_shown`). `as_record`: as stored, for the personal-data export. `room`:
    the room left per suggestion id, when the caller counted it for many at once."""
    if room is None:
        room = room_left(session, [suggestion])
    challenge = session.get(Challenge, suggestion.challenge_id)
    # Validated from a dict of the row's values: from the row itself (attribute by attribute,
    # through SQLModel) took four times as long, on every request for suggestions.
    values = {name: getattr(suggestion, name) for name in _STORED_FIELDS}
    values["challenge_title"] = challenge.title if challenge else ""
    values["target_name"] = target_name(session, suggestion, viewer)
    values["room_left"] = room.get(suggestion.id)
    notes = notes_shown(session, suggestion, challenge, values["room_left"])
    values["constraint_notes"] = render_notes(notes, language)
    values["components"] = {
        "dense": suggestion.dense,
        "lexical": suggestion.lexical,
        "skill": suggestion.skill,
    }
    if not as_record and hides_review_from(viewer, suggestion):
        values["reason"] = None
        if suggestion.status not in STUDENT_VISIBLE:
            values["status"] = None
    return SuggestionPublic.model_validate(values)


def suggestions_public(
    session: Session, suggestions: list[Suggestion], *, viewer: Actor, language: str
) -> list[SuggestionPublic]:
    """`suggestion_public` of many suggestions, reading their challenges and targets in one
    query per table instead of one per suggestion."""
    wanted = {
        Challenge: {s.challenge_id for s in suggestions},
        StudentProfile: {s.target_id for s in suggestions if s.target_kind == TargetKind.student},
        ResearchGroup: {s.target_id for s in suggestions if s.target_kind != TargetKind.student},
    }
    for table, ids in wanted.items():
        missing = {id_ for id_ in ids if identity_key(table, id_) not in session.identity_map}
        if missing:
            _by_id(session, table, sorted(missing))
    room = room_left(session, suggestions)
    return [
        suggestion_public(session, s, viewer=viewer, language=language, room=room)
        for s in suggestions
    ]


def persist(
    session: Session,
    matching: Matching,
    challenge: Challenge,
    target_kind: TargetKind,
    target: StudentProfile | ResearchGroup,
    match: Match,
    *,
    stored: dict[tuple[str, str, str], Suggestion] | None = None,
) -> Suggestion:
    """Store a suggestion; one already reviewed keeps the score it was reviewed on, and one
    whose score, reasons and notes are unchanged is not written again.

    `stored`: the stored suggestions of this batch by (challenge, target kind, target), read
    in one query by the caller; without it, this pair's is looked up."""
    if stored is None:
        stored = _stored(session, [(challenge, target_kind, target)])
    found = stored.get((challenge.id, target_kind, target.id))
    if found is not None and found.status != SuggestionStatus.suggested:
        return found
    suggestion = found or Suggestion(
        community_id=challenge.community_id,
        challenge_id=challenge.id,
        target_kind=target_kind,
        target_id=target.id,
        score=0.0,
        dense=0.0,
        lexical=0.0,
        skill=0.0,
        model_version="",
    )
    kind = "student" if target_kind == TargetKind.student else "research_group"
    values = {
        "score": match.score,
        "dense": match.components.dense,
        "lexical": match.components.lexical,
        "skill": match.components.skill,
        "explanation": explanation_json(match),
        "constraint_notes": [note.as_json() for note in constraint_notes(challenge, target, kind)],
        "model_version": matching.model_version,
    }
    if found is not None and all(getattr(found, name) == value for name, value in values.items()):
        return found  # the same answer as stored: nothing to write
    for name, value in values.items():
        setattr(suggestion, name, value)
    suggestion.updated_at = utcnow()
    session.add(suggestion)
    return suggestion


def _stored(session: Session, items: list[tuple]) -> dict[tuple[str, str, str], Suggestion]:
    """The stored suggestions of these (challenge, target kind, target, ...) items, one query."""
    if not items:
        return {}
    query = select(Suggestion).where(
        Suggestion.challenge_id.in_({item[0].id for item in items}),
        Suggestion.target_id.in_({item[2].id for item in items}),
    )
    return {(s.challenge_id, s.target_kind, s.target_id): s for s in session.exec(query)}


def _save_once(
    session: Session, matching: Matching, items: list[tuple], stored: dict | None
) -> list[Suggestion]:
    if stored is None:
        stored = _stored(session, items)
    saved = [persist(session, matching, *item, stored=stored) for item in items]
    if session.new or session.dirty:
        commit(session)
    return saved


def save(
    session: Session, matching: Matching, items: list[tuple], *, stored: dict | None = None
) -> list[Suggestion]:
    """Persist (challenge, target kind, target, match) items in one commit, or none when
    every one is stored as it is. `stored`: their stored suggestions as `_stored` gives
    them, when the caller read them already."""
    try:
        return _save_once(session, matching, items, stored)
    except IntegrityError:
        # A concurrent request stored one of these pairs first; the second try finds it.
        session.rollback()
        return _save_once(session, matching, items, None)


def _by_id(session: Session, table, ids: list[str]) -> dict:
    """Rows of a table by id, read in one query (not one per id), without their embedding
    (read only if asked for); kept for the rest of the request (`session.info`), so that
    later lookups of them in this session need no query."""
    query = select(table).where(table.id.in_(ids))
    if hasattr(table, "embedding"):
        query = query.options(defer(table.embedding), defer(table.query_embedding))
    rows = {row.id: row for row in session.exec(query)}
    session.info.setdefault("read", []).extend(rows.values())
    return rows


@dataclass(frozen=True)
class StudentFilters:
    """Hard filters for students, from the query string."""

    levels: list[str] | None = None  # None: the challenge's level (any level for "any")
    language: str | None = None  # None: the challenge's language
    available: bool = True  # only students free in the challenge's period


def _available_students(
    session: Session, community_id: str, start: date | None, end: date | None
) -> frozenset[str]:
    """Consenting students of a community whose availability overlaps the period."""
    query = select(StudentProfile.id).where(
        StudentProfile.consent_matching,
        StudentProfile.id.in_(
            select(Membership.member_id).where(
                Membership.community_id == community_id, Membership.kind == "student"
            )
        ),
    )
    if start and end:
        query = query.where(
            or_(StudentProfile.available_from.is_(None), StudentProfile.available_from <= end),
            or_(StudentProfile.available_until.is_(None), StudentProfile.available_until >= start),
        )
    # Through the connection: a thousand ids need no ORM objects.
    return frozenset(session.connection().execute(query).scalars())


def eligible_students(
    session: Session, matching: Matching, challenge: Challenge, filters: StudentFilters
) -> tuple[dict[str, list[str]], frozenset[str] | None]:
    """The hard filters and the allowed ids (None: no restriction) that decide which students
    may be ranked for a challenge: its community, its level (any level for "any"), its
    language and, unless asked otherwise, free in its period. The review pages and the
    dashboard's fairness (`service.usecases.fairness.population_exposure`) share them."""
    levels = filters.levels
    if levels is None and challenge.level != ChallengeLevel.any:
        levels = [challenge.level]
    hard: dict[str, list[str]] = {
        "community": [challenge.community_id],
        "language": [filters.language or challenge.language],
    }
    if levels:
        hard["level"] = list(levels)
    allowed = None
    if filters.available:
        period = (challenge.community_id, challenge.period_start, challenge.period_end)
        allowed = matching.kept(
            "student", ("available", *period), lambda: _available_students(session, *period)
        )
    return hard, allowed


def students_for_challenge(
    session: Session,
    matching: Matching,
    challenge: Challenge,
    *,
    k: int,
    filters: StudentFilters,
) -> list[Suggestion]:
    """Rank the consenting students of the challenge's community and persist the top k; of
    near-equal students the one living nearer ranks higher (`matcher.travel.nearer_first`)."""
    hard, allowed = eligible_students(session, matching, challenge, filters)
    matches = matching.rank("student", "challenge", challenge, k=k, filters=hard, allowed=allowed)
    students, stored = _students_and_stored(session, challenge, [m.id for m in matches])
    near = {m.id: travel(challenge, students[m.id]).nearness for m in matches}
    ranked = nearer_first(matches, near)
    items = [(challenge, TargetKind.student, students[m.id], m) for m in ranked]
    if session.get(ChallengeRanking, challenge.id) is None:
        # The first ranking of this challenge's students: committed with its suggestions, so
        # the dashboard counts the challenge as ranked even when none came out.
        session.add(ChallengeRanking(challenge_id=challenge.id, candidates=len(items)))
    return save(session, matching, items, stored=stored)


def _students_and_stored_query() -> Select:
    same_pair = and_(
        Suggestion.target_id == StudentProfile.id,
        Suggestion.challenge_id == bindparam("challenge_id"),
        Suggestion.target_kind == TargetKind.student,
    )
    return (
        select(StudentProfile, Suggestion)
        .outerjoin(Suggestion, same_pair)
        .where(StudentProfile.id.in_(bindparam("ids", expanding=True)))
        .options(defer(StudentProfile.embedding), defer(StudentProfile.query_embedding))
    )


#: Built once (see `service.api.deps.ACTOR_QUERY`: building it cost more than running it).
STUDENTS_AND_STORED = _students_and_stored_query()


def _students_and_stored(
    session: Session, challenge: Challenge, ids: list[str]
) -> tuple[dict[str, StudentProfile], dict[tuple[str, str, str], Suggestion]]:
    """The students with these ids (without their embedding) and their stored suggestions
    for the challenge, in one query (this runs on every request for suggested students); the
    rows are kept for the rest of the request like `_by_id`'s."""
    students: dict[str, StudentProfile] = {}
    stored: dict[tuple[str, str, str], Suggestion] = {}
    found = session.exec(STUDENTS_AND_STORED, params={"challenge_id": challenge.id, "ids": ids})
    for student, suggestion in found:
        students[student.id] = student
        if suggestion is not None:
            stored[(suggestion.challenge_id, suggestion.target_kind, suggestion.target_id)] = (
                suggestion
            )
    session.info.setdefault("read", []).extend([*students.values(), *stored.values()])
    return students, stored


def research_groups_for_challenge(
    session: Session, matching: Matching, challenge: Challenge, *, k: int
) -> list[Suggestion]:
    """Rank the research groups of the challenge's community that have capacity."""
    with_capacity = set(
        session.exec(select(ResearchGroup.id).where(ResearchGroup.capacity_projects > 0))
    )
    matches = matching.rank(
        "research_group",
        "challenge",
        challenge,
        k=k,
        filters={"community": [challenge.community_id]},
        allowed=with_capacity,
    )
    items = [
        (challenge, TargetKind.research_group, session.get(ResearchGroup, m.id), m) for m in matches
    ]
    return save(session, matching, items)


def challenges_for_student(
    session: Session,
    matching: Matching,
    student: StudentProfile,
    *,
    k: int,
    available: bool = True,
    within: set[str] | None = None,
) -> list[Suggestion]:
    """Rank the published challenges of the student's communities that fit level and language;
    of near-equal ones the nearer ranks higher (`matcher.travel.nearer_first`).

    `within`: only these of the student's communities (those the caller shares with a student
    of several), so that ranking neither shows nor stores another community's suggestions."""
    if not student.consent_matching:
        return []
    communities = sorted(memberships(session, [student.id], "student")[student.id])
    if within is not None:
        communities = [c for c in communities if c in within]
        if not communities:
            return []
    hard = {
        "community": communities,
        "level": [student.level, ChallengeLevel.any],
        "language": list(student.languages),
    }
    allowed = None
    if available and student.available_from and student.available_until:
        allowed = set(
            session.exec(
                select(Challenge.id).where(
                    Challenge.status == ChallengeStatus.published,
                    or_(
                        Challenge.period_start.is_(None),
                        Challenge.period_start <= student.available_until,
                    ),
                    or_(
                        Challenge.period_end.is_(None),
                        Challenge.period_end >= student.available_from,
                    ),
                )
            )
        )
    matches = matching.rank("challenge", "student", student, k=k, filters=hard, allowed=allowed)
    challenges = {m.id: session.get(Challenge, m.id) for m in matches}
    near = {id_: travel(challenge, student).nearness for id_, challenge in challenges.items()}
    items = [
        (challenges[m.id], TargetKind.student, student, m) for m in nearer_first(matches, near)
    ]
    return save(session, matching, items)


#: Suggestions not yet shown to both sides; withdrawn consent removes a student from these.
OPEN = (SuggestionStatus.suggested, SuggestionStatus.approved)


def drop_open_suggestions(session: Session, student_id: str) -> None:
    """Remove a student from every open suggestion (in the session, not committed).

    Matches already introduced, agreed or under way stay: both sides know of them."""
    session.exec(
        delete(Suggestion).where(
            Suggestion.target_kind == TargetKind.student,
            Suggestion.target_id == student_id,
            Suggestion.status.in_(OPEN),
        )
    )
