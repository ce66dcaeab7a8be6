"""Who must act next on a match, told by e-mail, and the open items of each user (the bell).

A decision that asks someone to act writes their mail to the outbox (`OutboxMail`) in the same
commit as the decision (`queue_for_decision`, called by `service.usecases.reviews.decide`). The
mails are written in words and sent later, after the commit, by the app's mail sender
(`service.web.journey_mail`), which records a failure on the mail and leaves the decision be.

A round's proposal is another part's: it calls `queue_mail(..., MailKind.proposal, ...)` for
the intermediaries (`intermediaries_of`) when it has one for review.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, func, select

from service.domain.actor import Actor
from service.domain.notification_tables import MailKind, MailStatus, OutboxMail, UserLanguage
from service.domain.tables import (
    Challenge,
    Membership,
    Response,
    Role,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
    User,
    utcnow,
)
from service.domain.workflow import WISHES, Action
from service.usecases.access import suggestion_filter

#: Set when mails were queued: the sender wakes at once instead of at its next round.
mail_queued = threading.Event()


def match_link(suggestion_id: str) -> str:
    """The page of one match, where each party sees their part of it and acts."""
    return f"/matches/{suggestion_id}"


# -- who -----------------------------------------------------------------------------------


def student_user(session: Session, suggestion: Suggestion) -> User | None:
    """The login of the student a match is about (None for a research group or no login)."""
    if suggestion.target_kind != TargetKind.student:
        return None
    student = session.get(StudentProfile, suggestion.target_id)
    if student is None or student.user_id is None:
        return None
    user = session.get(User, student.user_id)
    return user if user is not None and user.is_active else None


def sme_users(session: Session, suggestion: Suggestion) -> list[User]:
    """The SME's people whose challenge it is."""
    challenge = session.get(Challenge, suggestion.challenge_id)
    if challenge is None or challenge.organisation_id is None:
        return []
    query = select(User).where(
        User.organisation_id == challenge.organisation_id,
        User.role == Role.sme,
        User.is_active == True,  # noqa: E712  (SQL)
    )
    return list(session.exec(query.order_by(User.full_name)))


def intermediaries_of(session: Session, community_id: str) -> list[User]:
    """The intermediaries of a community (who review its matches)."""
    members = select(Membership.member_id).where(
        Membership.community_id == community_id, Membership.kind == "user"
    )
    query = select(User).where(
        User.id.in_(members),
        User.role == Role.intermediary,
        User.is_active == True,  # noqa: E712  (SQL)
    )
    return list(session.exec(query.order_by(User.full_name)))


def language_of(session: Session, user_id: str) -> str:
    """The language the user last chose on the pages (Dutch if never)."""
    return chosen_language(session, user_id) or "nl"


def chosen_language(session: Session, user_id: str) -> str | None:
    """The language the user last chose on the pages, None if never."""
    chosen = session.get(UserLanguage, user_id)
    return chosen.language if chosen is not None else None


def remember_language(session: Session, user_id: str, language: str) -> None:
    """Keep the user's language for their mails (committed by the caller)."""
    chosen = session.get(UserLanguage, user_id)
    if chosen is None:
        session.add(UserLanguage(user_id=user_id, language=language))
    elif chosen.language != language:
        chosen.language = language
        session.add(chosen)


# -- what ----------------------------------------------------------------------------------


def queue_mail(
    session: Session,
    recipients: Iterable[User],
    kind: MailKind,
    link: str,
    *,
    suggestion_id: str | None = None,
    actor_id: str | None = None,
) -> list[OutboxMail]:
    """Write one mail per recipient (not to the actor themself) to the outbox, in the
    recipient's language; the caller's commit stores them with what they report."""
    queued = []
    seen: set[str] = set()
    for user in recipients:
        if user.id == actor_id or user.id in seen:
            continue
        seen.add(user.id)
        mail = OutboxMail(
            recipient_id=user.id,
            to_address=user.email,
            language=language_of(session, user.id),
            kind=kind,
            suggestion_id=suggestion_id,
            link=link,
        )
        session.add(mail)
        queued.append(mail)
    return queued


def queue_for_decision(
    session: Session, actor: Actor, suggestion: Suggestion, action: Action
) -> list[OutboxMail]:
    """The mails a decision owes: to whoever must act next because of it."""
    recipients: list[User] = []
    kind: MailKind | None = None
    if action is Action.introduce:
        kind = MailKind.introduction
        student = student_user(session, suggestion)
        recipients = [*sme_users(session, suggestion), *([student] if student else [])]
    elif action is Action.respond:
        kind = MailKind.response
        recipients = intermediaries_of(session, suggestion.community_id)
    elif action in WISHES:
        kind = MailKind.request
        recipients = intermediaries_of(session, suggestion.community_id)
    elif action is Action.complete:
        kind = MailKind.rating
        student = student_user(session, suggestion)
        recipients = [*sme_users(session, suggestion), *([student] if student else [])]
    if kind is None:
        return []
    return queue_mail(
        session,
        recipients,
        kind,
        match_link(suggestion.id),
        suggestion_id=suggestion.id,
        actor_id=actor.id,
    )


#: A mail "sending" for longer than this was left by a sender that crashed mid-send (one SMTP
#: conversation times out after seconds): it is sent again, as a mail never sent is worse than
#: one sent twice.
STALE_CLAIM = timedelta(minutes=10)


def claimable(now: datetime) -> ColumnElement[bool]:
    """SQL condition: the mail waits for a sender (pending, or claimed by one long gone)."""
    stale = or_(OutboxMail.claimed_at.is_(None), OutboxMail.claimed_at < now - STALE_CLAIM)
    return or_(
        OutboxMail.status == MailStatus.pending,
        and_(OutboxMail.status == MailStatus.sending, stale),
    )


def mails_due(session: Session, *, limit: int = 50) -> list[OutboxMail]:
    """Mails not sent yet, oldest first."""
    query = select(OutboxMail).where(claimable(utcnow()))
    return list(session.exec(query.order_by(OutboxMail.id).limit(limit)))


# -- the bell: what awaits this user ----------------------------------------------------------


@dataclass(frozen=True)
class OpenItem:
    """One match that waits for this user, and the step it waits for."""

    suggestion_id: str
    step: str  # respond | rate | introduce | start | request


def _wishes_open():
    """Suggestions with a wish (an introduction request, a student's interest) that no
    intermediary has answered yet: still suggested or approved."""
    wished = select(SuggestionEvent.suggestion_id).where(
        SuggestionEvent.action.in_([f"{a.value}:{r.side.value}" for a, r in WISHES.items()])
    )
    return and_(
        Suggestion.id.in_(wished),
        Suggestion.status.in_([SuggestionStatus.suggested, SuggestionStatus.approved]),
    )


def _open_condition(actor: Actor):
    """SQL: the suggestions (already limited to those the actor sees) that wait for them."""
    if actor.role in (Role.intermediary, Role.admin):
        return or_(
            Suggestion.status.in_([SuggestionStatus.approved, SuggestionStatus.accepted]),
            _wishes_open(),
        )
    side = "sme" if actor.role is Role.sme else "target"
    response = getattr(Suggestion, f"{side}_response")
    rating = getattr(Suggestion, f"{side}_rating")
    return or_(
        and_(Suggestion.status == SuggestionStatus.introduced, response == Response.pending),
        and_(Suggestion.status == SuggestionStatus.completed, rating.is_(None)),
    )


def _step_of(actor: Actor, suggestion: Suggestion) -> str:
    status = SuggestionStatus(suggestion.status)
    if actor.role in (Role.intermediary, Role.admin):
        return {
            SuggestionStatus.approved: "introduce",
            SuggestionStatus.accepted: "start",
        }.get(status, "request")
    return "rate" if status is SuggestionStatus.completed else "respond"


def _open_query(actor: Actor):
    if actor.role not in (Role.intermediary, Role.admin, Role.sme, Role.student):
        return None
    return select(Suggestion).where(suggestion_filter(actor), _open_condition(actor))


def open_items(session: Session, actor: Actor, *, limit: int = 100) -> list[OpenItem]:
    """The matches that wait for this user's step, most recently changed first."""
    query = _open_query(actor)
    if query is None:
        return []
    rows = session.exec(query.order_by(Suggestion.updated_at.desc()).limit(limit))
    return [OpenItem(row.id, _step_of(actor, row)) for row in rows]


def open_count(session: Session, actor: Actor) -> int:
    """How many matches wait for this user's step (the number on the bell)."""
    query = _open_query(actor)
    if query is None:
        return 0
    return session.exec(select(func.count()).select_from(query.subquery())).one()
