"""Erasure: removing a person from every table, index and cache, keeping only a pseudonymous
trace in the audit log."""

from __future__ import annotations

from sqlmodel import Session, delete, select

from service.domain.actor import Actor
from service.domain.tables import (
    ApiKey,
    Membership,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    TargetKind,
    User,
)
from service.usecases import audit


def erase_student(session: Session, actor: Actor, secret: str, student: StudentProfile) -> str:
    """Remove a profile and everything about it (in the session, not committed): its
    memberships, every suggestion made for it with the decisions on them, and its id in the
    audit log, which is replaced by a pseudonym. Returns the pseudonym.

    The index entry and cached vectors are the process's: `Matching.erase` after the commit.
    """
    about = (Suggestion.target_kind == TargetKind.student) & (Suggestion.target_id == student.id)
    session.exec(
        delete(SuggestionEvent).where(
            SuggestionEvent.suggestion_id.in_(select(Suggestion.id).where(about))
        )
    )
    session.exec(delete(Suggestion).where(about))
    session.exec(
        delete(Membership).where(Membership.member_id == student.id, Membership.kind == "student")
    )
    audit.pseudonymise(session, secret, [student.id])
    session.delete(student)
    alias = audit.pseudonym(secret, student.id)
    audit.record(
        session,
        actor,
        "student.erase",
        "student",
        alias,
        subject_id=alias,
        reason="profile erased",
    )
    return alias


def erase_user(
    session: Session, actor: Actor, secret: str, user: User
) -> tuple[str, StudentProfile | None]:
    """Remove an account and the person's data (in the session, not committed): their student
    profile (as `erase_student`), API keys, memberships and the account itself; their id in
    the audit log and in review events they made becomes a pseudonym. Returns the pseudonym and
    the erased profile, whose index entry the caller removes after the commit."""
    student = session.exec(select(StudentProfile).where(StudentProfile.user_id == user.id)).first()
    if student is not None:
        erase_student(session, actor, secret, student)
        session.flush()  # the profile refers to the account: gone before the account goes
    session.exec(delete(ApiKey).where(ApiKey.user_id == user.id))
    session.exec(
        delete(Membership).where(Membership.member_id == user.id, Membership.kind == "user")
    )
    audit.pseudonymise(session, secret, [user.id])
    session.delete(user)
    alias = audit.pseudonym(secret, user.id)
    audit.record(session, actor, "user.erase", "user", alias, subject_id=alias, reason="erased")
    return alias, student
