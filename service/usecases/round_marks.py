"""SMEs' marks in a round: the students an SME would love to have ("graag").

Privacy (the lead's decision): an SME sees no student's identity before a match is approved.
So an SME sees, per challenge of theirs in a round, only the students who ranked that
challenge among their own preferences, each under a number within the round ("Kandidaat 3")
with programme, level, skills, availability and the nearest town; never a name, an e-mail
address, an id or free text. A mark is kept per (round, challenge, student) in
`RoundChallenge.sme_marks` and weighs in the allocation as `Round.sme_mark_weight`. It goes
when the student drops that challenge from their preferences, withdraws consent, or is erased.
"""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from matcher.places import UnknownPlaceError, find_place, nearest_town
from service.domain.actor import Actor
from service.domain.errors import Conflict, Forbidden, not_found
from service.domain.tables import (
    Challenge,
    Role,
    Round,
    RoundCandidate,
    RoundCandidates,
    RoundChallenge,
    RoundStatus,
    RoundStudent,
    StudentProfile,
    utcnow,
)
from service.usecases import audit

#: Roles that never see a round's candidates: they answer 403 whatever the round.
NO_CANDIDATES = (Role.student, Role.monitor)


# -- access ---------------------------------------------------------------------------------


def marking_scope(
    session: Session, actor: Actor, round_id: str, challenge_id: str
) -> tuple[Round, RoundChallenge, Challenge]:
    """The round and its challenge, when the caller may see its candidates: the SME that owns
    the challenge, intermediaries of the round's community, admins. Other roles: 403; a round
    or challenge that is not there or not the caller's: 404 (the same answer for both)."""
    if actor.role in NO_CANDIDATES:
        raise Forbidden("Only the SME of the challenge (or its intermediary) marks students")
    round_ = session.get(Round, round_id)
    if round_ is None or not actor.in_community(round_.community_id):
        raise not_found("Round", round_id)
    rules = session.get(RoundChallenge, (round_id, challenge_id))
    challenge = session.get(Challenge, challenge_id)
    if rules is None or challenge is None:
        raise not_found("Challenge", challenge_id)
    owns = (
        actor.role is Role.sme
        and actor.user.organisation_id is not None
        and challenge.organisation_id == actor.user.organisation_id
    )
    if not (owns or actor.manages({round_.community_id})):
        raise not_found("Challenge", challenge_id)
    return round_, rules, challenge


# -- pseudonyms -----------------------------------------------------------------------------


def _draw_numbers(session: Session, round_id: str) -> bool:
    """Give the round's students without a number one, in random order after the highest
    given; True when any was given (not committed)."""
    rows = session.exec(
        select(RoundStudent).where(RoundStudent.round_id == round_id).with_for_update()
    ).all()
    missing = sorted((r for r in rows if r.candidate_no is None), key=lambda r: r.student_id)
    if not missing:
        return False
    start = max((r.candidate_no for r in rows if r.candidate_no is not None), default=0)
    # Random, so that a number says nothing about the id, the name or when one joined.
    numbers = list(range(start + 1, start + 1 + len(missing)))
    secrets.SystemRandom().shuffle(numbers)
    for row, number in zip(missing, numbers, strict=True):
        row.candidate_no = number
        session.add(row)
    return True


def number_candidates(session: Session, round_id: str) -> None:
    """Make sure every student of the round has their number, committed. Two requests at
    once: the second one's numbers collide with the first's (a unique key) and it reads them."""
    if not _draw_numbers(session, round_id):
        return
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        if _draw_numbers(session, round_id):
            session.commit()


def assign_numbers(session: Session, round_id: str) -> None:
    """Number a new round's students (in the caller's transaction)."""
    _draw_numbers(session, round_id)


# -- candidates -----------------------------------------------------------------------------


def _area(place: str) -> str | None:
    """The nearest town of some size, never the village itself; None for an unknown place."""
    if not place:
        return None
    try:
        return nearest_town(find_place(place)).name
    except UnknownPlaceError:
        return None


def _candidate(
    entry: RoundStudent, profile: StudentProfile, challenge_id: str, marked: set[str]
) -> RoundCandidate:
    return RoundCandidate(
        candidate=entry.candidate_no or 0,
        programme=profile.programme,
        level=profile.level,
        skills=[s["label"] for s in profile.skills],
        available_from=profile.available_from,
        available_until=profile.available_until,
        hours_per_week=profile.hours_per_week,
        area=_area(profile.region),
        preference_rank=list(entry.preferences).index(challenge_id) + 1,
        marked=profile.id in marked,
    )


def _candidate_rows(
    session: Session, round_id: str, challenge_id: str
) -> list[tuple[RoundStudent, StudentProfile]]:
    """The round's consenting students who ranked the challenge, by their number."""
    found = session.exec(
        select(RoundStudent, StudentProfile).where(
            RoundStudent.round_id == round_id,
            RoundStudent.student_id == StudentProfile.id,
            StudentProfile.consent_matching,
        )
    ).all()
    rows = [(e, p) for e, p in found if challenge_id in (e.preferences or [])]
    return sorted(rows, key=lambda pair: pair[0].candidate_no or 0)


def list_candidates(
    session: Session, actor: Actor, round_id: str, challenge_id: str
) -> RoundCandidates:
    """The students who ranked this challenge of the round, under their numbers, with the
    SME's marks."""
    round_, rules, challenge = marking_scope(session, actor, round_id, challenge_id)
    number_candidates(session, round_id)
    marked = set(rules.sme_marks or [])
    return RoundCandidates(
        round_id=round_.id,
        round_name=round_.name,
        round_status=round_.status,
        challenge_id=challenge.id,
        challenge_title=challenge.title,
        data=[
            _candidate(entry, profile, challenge_id, marked)
            for entry, profile in _candidate_rows(session, round_id, challenge_id)
        ],
    )


def set_mark(
    session: Session, actor: Actor, round_id: str, challenge_id: str, candidate: int, on: bool
) -> RoundCandidate:
    """Mark (or unmark) a candidate of the challenge: one who ranked it; 404 for a number
    that is not one of the challenge's candidates, 409 once the round is committed."""
    round_, _rules, _challenge = marking_scope(session, actor, round_id, challenge_id)
    if round_.status == RoundStatus.committed:
        raise Conflict(f"Round {round_id} is committed: marks can no longer change")
    number_candidates(session, round_id)
    found = next(
        (
            (entry, profile)
            for entry, profile in _candidate_rows(session, round_id, challenge_id)
            if entry.candidate_no == candidate
        ),
        None,
    )
    if found is None:
        raise not_found("Candidate", str(candidate))
    entry, profile = found
    # Locked (PostgreSQL) so that two marks at once on the same challenge both stay.
    rules = session.exec(
        select(RoundChallenge)
        .where(RoundChallenge.round_id == round_id, RoundChallenge.challenge_id == challenge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    marks = [s for s in (rules.sme_marks or []) if s != profile.id]
    if on:
        marks.append(profile.id)
    if marks != list(rules.sme_marks or []):
        rules.sme_marks = marks  # a new list: the JSON column sees the change
        session.add(rules)
        round_.updated_at = utcnow()
        session.add(round_)
        audit.record(
            session,
            actor,
            "round.mark" if on else "round.unmark",
            "round",
            round_id,
            subject_id=profile.id,
            community_id=round_.community_id,
            details={"challenge": challenge_id, "candidate": candidate},
        )
        session.commit()
    return _candidate(entry, profile, challenge_id, set(marks))


# -- marks that go --------------------------------------------------------------------------


def drop_marks(
    session: Session,
    student_id: str,
    *,
    round_id: str | None = None,
    keep: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Take the student out of the SMEs' marks (of one round, or of all), except on the
    challenges in `keep` (in the session, not committed)."""
    query = select(RoundChallenge)
    if round_id is not None:
        query = query.where(RoundChallenge.round_id == round_id)
    for rules in session.exec(query):
        marks = list(rules.sme_marks or [])
        if student_id in marks and rules.challenge_id not in keep:
            rules.sme_marks = [s for s in marks if s != student_id]
            session.add(rules)


# -- the SME's overview ---------------------------------------------------------------------


def rounds_of_sme(session: Session, actor: Actor) -> list[tuple[Round, Challenge, int, int]]:
    """Per round of the caller's communities, each of the organisation's challenges in it,
    with its number of candidates and of marks; newest rounds first."""
    if actor.role is not Role.sme or actor.user.organisation_id is None:
        return []
    found = session.exec(
        select(Round, RoundChallenge, Challenge)
        .where(
            RoundChallenge.round_id == Round.id,
            RoundChallenge.challenge_id == Challenge.id,
            Challenge.organisation_id == actor.user.organisation_id,
            Round.community_id.in_(actor.community_ids),
        )
        .order_by(Round.period_start.desc(), Round.id, Challenge.title)
    ).all()
    listed = []
    for round_, rules, challenge in found:
        candidates = len(_candidate_rows(session, round_.id, challenge.id))
        listed.append((round_, challenge, candidates, len(rules.sme_marks or [])))
    return listed
