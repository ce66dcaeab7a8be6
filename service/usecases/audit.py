"""The audit log: who saw or decided what about a person, when and why.

Entries are only ever added (`record`); no route edits or deletes one. The one change an entry
can undergo is erasure: the ids of an erased person are replaced by a stable pseudonym and the
free-text reason is dropped (`pseudonymise`).

What is logged:
- reads: a student's profile or a suggestion naming a student, shown to anyone other than that
  student (a person looking at their own data discloses nothing);
- writes: every change to a student's profile, every review decision, every export and erasure.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import and_, or_, true, update
from sqlmodel import Session, select

from service.domain.actor import Actor
from service.domain.tables import (
    AuditEntry,
    Membership,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
    utcnow,
)
from service.storage.db import commit
from service.storage.group_commit import group_writer

#: Actions that show a student to someone else; their entries answer "who saw my data".
VIEWS = ("student.view", "student.list", "suggestion.view")
#: Prefix of an erased person's pseudonym.
ERASED = "erased-"


def pseudonym(secret: str, id_: str) -> str:
    """The stable pseudonym of an erased id: the same id always gives the same pseudonym, and
    without the secret key it cannot be traced back."""
    digest = hmac.new(secret.encode(), id_.encode(), hashlib.sha256).hexdigest()
    return ERASED + digest[:16]


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_kind: str,
    object_id: str,
    *,
    subject_id: str | None = None,
    community_id: str | None = None,
    reason: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Add one entry to the session (committed with the caller's change)."""
    made = AuditEntry(
        actor_id=actor.id,
        action=action,
        object_kind=object_kind,
        object_id=object_id,
        subject_id=subject_id,
        community_id=community_id,
        reason=reason,
        details=details or {},
    )
    session.add(made)
    return made


def record_student_views(
    session: Session, actor: Actor, student_ids: Iterable[str], action: str, reason: str
) -> None:
    """Log that these profiles were shown to the actor (their own is not logged); commits."""
    for student_id in student_ids:
        if student_id != actor.student_id:
            record(
                session, actor, action, "student", student_id, subject_id=student_id, reason=reason
            )
    session.commit()


class ShownSuggestion(NamedTuple):
    """What the audit log keeps of a suggestion shown to someone: enough to log the view of
    an answer that was kept (`service.storage.answer_cache`) without its rows."""

    id: str
    target_kind: TargetKind
    target_id: str
    community_id: str
    challenge_id: str
    status: SuggestionStatus

    @classmethod
    def of(cls, suggestion: Suggestion) -> ShownSuggestion:
        return cls(*(getattr(suggestion, name) for name in cls._fields))


def record_suggestion_views(
    session: Session,
    actor: Actor,
    suggestions: Iterable[Suggestion | ShownSuggestion],
    reason: str,
) -> None:
    """Log every suggestion naming a student that is shown to someone else than that student;
    commits, so that nothing is shown without its entry.

    On SQLite, when the caller has nothing else to commit, the entries go through the group
    writer (`service.storage.group_commit`): requests that arrive together share one commit, and
    each still returns only once its entries are stored."""
    now = utcnow()
    values = [
        {
            "at": now,
            "actor_id": actor.id,
            "action": "suggestion.view",
            "object_kind": "suggestion",
            "object_id": suggestion.id,
            "subject_id": suggestion.target_id,
            "community_id": suggestion.community_id,
            "reason": reason,
            "details": {"challenge_id": suggestion.challenge_id, "status": suggestion.status},
        }
        for suggestion in suggestions
        if suggestion.target_kind == TargetKind.student and suggestion.target_id != actor.student_id
    ]
    own_changes = session.new or session.dirty or session.deleted
    engine = session.get_bind()
    if values and not own_changes and engine.dialect.name == "sqlite":
        # End this session's (read) transaction first: its connection goes back to the
        # pool, which the writer may need while many requests wait for it.
        session.commit()
        group_writer(engine).write(AuditEntry, values)
        return
    session.add_all(AuditEntry(**row) for row in values)
    commit(session)


def audit_filter(actor: Actor):
    """SQL condition for the entries an admin (all) or intermediary may read: those of their
    communities, and those about a member of their communities."""
    if actor.is_admin:
        return true()
    members = select(Membership.member_id).where(Membership.community_id.in_(actor.community_ids))
    # An entry of another community (a decision there, with its reason) stays there, even when
    # it is about a member the two communities share.
    return or_(
        AuditEntry.community_id.in_(actor.community_ids),
        and_(AuditEntry.community_id.is_(None), AuditEntry.subject_id.in_(members)),
    )


def pseudonymise(session: Session, secret: str, ids: Iterable[str]) -> None:
    """Replace erased ids in the audit log and in the remaining review events by their
    pseudonym, and drop the free-text reason of the entries about them (in the session).

    The reasons an erased person gave about others (an intermediary's decisions) stay: they
    are the community's record, not the person's data."""
    for id_ in ids:
        alias = pseudonym(secret, id_)
        session.execute(update(AuditEntry).where(AuditEntry.subject_id == id_).values(reason=None))
        for column in (AuditEntry.subject_id, AuditEntry.actor_id, AuditEntry.object_id):
            session.execute(update(AuditEntry).where(column == id_).values({column.key: alias}))
        session.execute(
            update(SuggestionEvent).where(SuggestionEvent.actor_id == id_).values(actor_id=alias)
        )
