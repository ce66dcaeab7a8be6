"""A student's interest in an assignment suggested to them: a wish on the suggestion that the
intermediary sees in the review queue (see `service.domain.workflow.WISHES`)."""

from __future__ import annotations

from sqlmodel import Session, select

from service.domain.actor import Actor
from service.domain.errors import not_found
from service.domain.tables import Suggestion, TargetKind
from service.domain.workflow import WISHES, Action, Side
from service.usecases.reviews import decide, wishes_of

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
