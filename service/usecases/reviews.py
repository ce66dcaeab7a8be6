"""Decisions on a suggestion, stored: the one place where a review step or a wish (a student's
interest among them) is written.

The API routes (`service/api/routes/reviews.py`) and the web pages call these functions, so a
decision made on a page is checked, recorded and audited exactly as one made through the API.
Each decision is one `SuggestionEvent` and one audit entry, in the same commit as the change.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select, update

from service.domain import workflow
from service.domain.actor import Actor
from service.domain.errors import Conflict, Forbidden, Invalid, not_found
from service.domain.suggestion_models import SuggestionEventPublic
from service.domain.tables import (
    Challenge,
    Response,
    Role,
    Suggestion,
    SuggestionEvent,
    TargetKind,
    utcnow,
)
from service.domain.workflow import (
    WISHES,
    Action,
    ActionError,
    Side,
    TransitionError,
    event_action,
    parse_event_action,
)
from service.usecases import audit, notifications
from service.usecases.access import can_edit_challenge, hides_review_from, visible_suggestion
from service.usecases.capacity import check_room

_ATTEMPTS = 3
#: The steps that take up a challenge's or a research group's room (see `capacity`).
_TAKES_ROOM = (Action.introduce, Action.start)
_STATE = ("status", "sme_response", "target_response", "sme_rating", "target_rating")


def _step(
    suggestion: Suggestion,
    action: Action,
    side: Side | None,
    response: Response | None,
    rating: int | None,
    reason: str | None,
) -> workflow.Transition:
    try:
        if action in WISHES:
            if side is None:
                raise ActionError(f"side: required to {action.value}")
            return workflow.wish(suggestion, action, side=side)
        return workflow.apply(
            suggestion, action, side=side, response=response, rating=rating, reason=reason
        )
    except TransitionError as error:
        raise Conflict(error.message) from None
    except ActionError as error:
        raise Invalid(str(error)) from None


def decide(
    session: Session,
    actor: Actor,
    suggestion: Suggestion,
    action: Action,
    *,
    side: Side | None = None,
    response: Response | None = None,
    rating: int | None = None,
    reason: str | None = None,
) -> Suggestion:
    """Apply one action (a step or a wish), then store the change and its event together (or
    nothing at all). 409 when the status does not allow it or, to introduce or start, when the
    challenge or research group has no room left; 422 for wrong arguments. Who may act is the
    caller's to check (`managed_suggestion`, `own_side`)."""
    for _attempt in range(_ATTEMPTS):
        before = {field: getattr(suggestion, field) for field in _STATE}
        if action in _TAKES_ROOM and action in workflow.ALLOWED[suggestion.status]:
            try:
                check_room(session, suggestion, action.value)
            except Conflict:
                session.rollback()  # let go of the lock at once
                raise
        move = _step(suggestion, action, side, response, rating, reason)
        now = utcnow()
        # Claim the row only if it is still as we read it: two people deciding at once must
        # not both win (both sides accepting, each seeing the other as pending). The claim
        # holds the row (PostgreSQL) or the database (SQLite) until the commit below.
        unchanged = [getattr(Suggestion, f).is_not_distinct_from(v) for f, v in before.items()]
        with session.no_autoflush:
            claimed = session.execute(
                update(Suggestion)
                .where(Suggestion.id == suggestion.id, *unchanged)
                .values(updated_at=now)
                .execution_options(synchronize_session=False)
            )
        if claimed.rowcount == 1:
            break
        # Someone else decided first: forget our change and judge again on what they left.
        suggestion_id = suggestion.id
        session.rollback()
        fresh = session.exec(select(Suggestion).where(Suggestion.id == suggestion_id)).first()
        if fresh is None:
            raise not_found("Suggestion", suggestion_id)
        suggestion = fresh
    else:
        raise Conflict(
            f"Suggestion {suggestion.id} is being changed by others: reload it and try again",
        )
    suggestion.updated_at = now
    session.add(suggestion)
    recorded = event_action(action, side, response, rating)
    session.add(
        SuggestionEvent(
            suggestion_id=suggestion.id,
            actor_id=actor.id,
            action=recorded,
            from_status=move.from_status,
            to_status=move.to_status,
            reason=reason,
            at=now,
        )
    )
    audit.record(
        session,
        actor,
        f"suggestion.{action.value}",
        "suggestion",
        suggestion.id,
        subject_id=suggestion.target_id if suggestion.target_kind == TargetKind.student else None,
        community_id=suggestion.community_id,
        reason=reason,
        details={
            "decision": recorded,
            "from_status": move.from_status,
            "to_status": move.to_status,
        },
    )
    # The mails this step owes are stored with it; they are sent after the commit, so a
    # failed send never undoes the decision.
    mails = notifications.queue_for_decision(session, actor, suggestion, action)
    session.commit()
    if mails:
        notifications.mail_queued.set()
    return suggestion


def managed_suggestion(session: Session, actor: Actor, suggestion_id: str) -> Suggestion:
    """A suggestion of a community the intermediary (or admin) reviews; 404 otherwise."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    if not actor.manages({suggestion.community_id}):
        raise not_found("Suggestion", suggestion_id)
    return suggestion


def own_side(session: Session, actor: Actor, suggestion: Suggestion) -> Side | None:
    """The side this caller is themself: the owning SME, or the student who is the target."""
    if actor.role is Role.sme:
        challenge = session.get(Challenge, suggestion.challenge_id)
        if challenge is not None and can_edit_challenge(actor, challenge):
            return Side.sme
    if (
        actor.role is Role.student
        and suggestion.target_kind == TargetKind.student
        and actor.student_id is not None
        and suggestion.target_id == actor.student_id
    ):
        return Side.target
    return None


def wishes_of(session: Session, suggestion_ids: Iterable[str]) -> dict[str, set[Action]]:
    """The wishes voiced on each of these suggestions (for flags in the review queue)."""
    ids = list(suggestion_ids)
    if not ids:
        return {}
    names = [action.value for action in WISHES]
    rows = session.exec(
        select(SuggestionEvent.suggestion_id, SuggestionEvent.action).where(
            SuggestionEvent.suggestion_id.in_(ids)
        )
    )
    found: dict[str, set[Action]] = {}
    for suggestion_id, recorded in rows:
        name = recorded.split(":", 1)[0]
        if name in names:
            found.setdefault(suggestion_id, set()).add(Action(name))
    return found


def voice_wish(
    session: Session, actor: Actor, suggestion_id: str, action: Action, reason: str | None = None
) -> Suggestion:
    """Record a wish of the caller's own side (e.g. the SME asks for an introduction); a wish
    voiced before is not recorded twice. 404 for a suggestion the caller may not see, 403 when
    the caller is neither side, 409 when the status no longer allows it."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    side = own_side(session, actor, suggestion)
    if side is None:
        raise Forbidden("You are neither side of this match")
    if action in wishes_of(session, [suggestion.id]).get(suggestion.id, set()):
        return suggestion
    return decide(session, actor, suggestion, action, side=side, reason=reason)


def event_public(
    event: SuggestionEvent, *, viewer: Actor | None = None, suggestion: Suggestion | None = None
) -> SuggestionEventPublic:
    """A decision as the viewer sees it: the student a match is about sees no reason but
    their own (None as viewer: as stored, for the personal-data export)."""
    parts = parse_event_action(event.action)
    update = parts._asdict()
    if (
        viewer is not None
        and suggestion is not None
        and hides_review_from(viewer, suggestion)
        and event.actor_id != viewer.id
    ):
        update["reason"] = None
    return SuggestionEventPublic.model_validate(event, update=update)


def answering_side(
    session: Session, actor: Actor, suggestion: Suggestion, asked: Side | None, what: str
) -> Side:
    """For whom the caller answers or rates: their own side, or the side an intermediary
    names (research groups have no login, so an intermediary records their side)."""
    if actor.manages({suggestion.community_id}):
        if asked is None:
            raise Invalid(
                f"side: required when an intermediary records a {what} (sme or target)",
            )
        return asked
    own = own_side(session, actor, suggestion)
    if own is None:
        raise Forbidden(f"You may not give a {what} for either side of this match")
    if asked is not None and asked is not own:
        raise Forbidden(
            f"You give the {what} for the {own.value} side only, not the {asked.value} side",
        )
    return own


# -- a student's interest: a wish the intermediary sees in the review queue ------------

#: The statuses in which interest still means something (before the introduction).
INTEREST_STATUSES = WISHES[Action.express_interest].statuses


def express_interest(session: Session, actor: Actor, suggestion_id: str) -> Suggestion:
    """Record that the student is interested in the assignment of this suggestion; once only.

    Only the student the suggestion is about may (a 404 for everyone else, as for a
    suggestion that does not exist); a 409 once the status no longer allows it.
    """
    suggestion = None
    if actor.student_id is not None:
        suggestion = session.exec(
            select(Suggestion).where(
                Suggestion.id == suggestion_id,
                Suggestion.target_kind == TargetKind.student,
                Suggestion.target_id == actor.student_id,
            )
        ).first()
    if suggestion is None:
        raise not_found("Suggestion", suggestion_id)
    if Action.express_interest in wishes_of(session, [suggestion.id]).get(suggestion.id, set()):
        return suggestion
    return decide(session, actor, suggestion, Action.express_interest, side=Side.target)
