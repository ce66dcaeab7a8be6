"""The review workflow: a queue of suggestions per community, and the decisions on each.

Intermediaries approve or reject, introduce both sides, start and complete; each side (the SME
that owns the challenge, and the student or research group) accepts or declines and later rates.
Every decision is one `SuggestionEvent` and one audit entry, written in the same commit as the
change they record.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session, select

from service.api.deps import CurrentUser, Manager, PageDep, ReaderLanguage, SessionDep, require
from service.api.paging import paginate
from service.api.routes.common import AUTH
from service.domain.actor import Actor
from service.domain.suggestion_models import (
    ApproveBody,
    RateBody,
    RejectBody,
    RespondBody,
    SuggestionEventsPublic,
    SuggestionPublic,
    SuggestionsPublic,
)
from service.domain.tables import (
    Response,
    Role,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
)
from service.domain.workflow import (
    Action,
)
from service.usecases.access import suggestion_filter, visible_suggestion
from service.usecases.audit import record_suggestion_views
from service.usecases.reviews import (
    answering_side,
    decide,
    event_public,
    express_interest,
    managed_suggestion,
    voice_wish,
)
from service.usecases.suggestions import suggestion_public, suggestions_public

router = APIRouter(prefix="/suggestions", tags=["reviews"])

FORBIDDEN = {403: {"description": "Role may not do this"}}
NOT_FOUND = {404: {"description": "No such suggestion, or not yours to see"}}
CONFLICT = {
    409: {
        "description": "Not allowed from the suggestion's current status (the message names "
        "the allowed actions), or someone else changed it meanwhile"
    }
}
INVALID = {422: {"description": "Bad body: a missing or empty field, a side that is needed"}}
DECISION = {**AUTH, **FORBIDDEN, **NOT_FOUND, **CONFLICT, **INVALID}

# -- helpers ------------------------------------------------------------------------------


def _decide(
    session: Session,
    actor: Actor,
    language: str,
    suggestion: Suggestion,
    action: Action,
    **details,
):
    """Decide (see `service.usecases.reviews.decide`) and answer with the suggestion as the caller
    sees it, its notes in the caller's language."""
    decided = decide(session, actor, suggestion, action, **details)
    return suggestion_public(session, decided, viewer=actor, language=language)


# -- the queue ----------------------------------------------------------------------------


@router.get("", responses=AUTH)
def list_suggestions(
    session: SessionDep,
    actor: CurrentUser,
    language: ReaderLanguage,
    page: PageDep,
    community_id: str | None = None,
    status_: Annotated[SuggestionStatus | None, Query(alias="status")] = None,
    challenge_id: str | None = None,
    target_kind: TargetKind | None = None,
) -> SuggestionsPublic:
    """Suggestions the caller may see, filtered. With `status=suggested` this is a community's
    review queue, best score first; otherwise the most recently changed come first."""
    query = select(Suggestion).where(suggestion_filter(actor))
    if community_id:
        query = query.where(Suggestion.community_id == community_id)
    if status_:
        query = query.where(Suggestion.status == status_)
    if challenge_id:
        query = query.where(Suggestion.challenge_id == challenge_id)
    if target_kind:
        query = query.where(Suggestion.target_kind == target_kind)
    if status_ is SuggestionStatus.suggested:
        order = (Suggestion.score.desc(), Suggestion.id)
    else:
        order = (Suggestion.updated_at.desc(), Suggestion.id)
    rows, count = paginate(session, query, page, *order)
    record_suggestion_views(session, actor, rows, "suggestion list")
    data = suggestions_public(session, rows, viewer=actor, language=language)
    return SuggestionsPublic(data=data, count=count)


@router.get("/{suggestion_id}", responses={**AUTH, **NOT_FOUND})
def read_suggestion(
    session: SessionDep, actor: CurrentUser, language: ReaderLanguage, suggestion_id: str
) -> SuggestionPublic:
    """One suggestion with its scores, reasons and review state."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    record_suggestion_views(session, actor, [suggestion], "suggestion read")
    return suggestion_public(session, suggestion, viewer=actor, language=language)


@router.get("/{suggestion_id}/events", responses={**AUTH, **NOT_FOUND})
def list_events(
    session: SessionDep, actor: CurrentUser, page: PageDep, suggestion_id: str
) -> SuggestionEventsPublic:
    """The decisions on a suggestion, oldest first: who, what, from and to which status, why
    and when. Visible to whoever may see the suggestion."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    query = select(SuggestionEvent).where(SuggestionEvent.suggestion_id == suggestion.id)
    rows, count = paginate(session, query, page, SuggestionEvent.at, SuggestionEvent.id)
    data = [event_public(r, viewer=actor, suggestion=suggestion) for r in rows]
    return SuggestionEventsPublic(data=data, count=count)


# -- intermediaries' decisions ------------------------------------------------------------


@router.post("/{suggestion_id}/approve", responses=DECISION)
def approve_suggestion(
    session: SessionDep,
    actor: Manager,
    language: ReaderLanguage,
    suggestion_id: str,
    body: ApproveBody | None = None,
) -> SuggestionPublic:
    """Approve a suggested match (intermediaries of its community, admins); the SME now sees
    it. The reason is optional."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    reason = body.reason if body else None
    return _decide(session, actor, language, suggestion, Action.approve, reason=reason)


@router.post("/{suggestion_id}/reject", responses=DECISION)
def reject_suggestion(
    session: SessionDep,
    actor: Manager,
    language: ReaderLanguage,
    suggestion_id: str,
    body: RejectBody,
) -> SuggestionPublic:
    """Reject a suggested match with a reason (intermediaries of its community, admins)."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    return _decide(session, actor, language, suggestion, Action.reject, reason=body.reason)


@router.post("/{suggestion_id}/introduce", responses=DECISION)
def introduce_suggestion(
    session: SessionDep, actor: Manager, language: ReaderLanguage, suggestion_id: str
) -> SuggestionPublic:
    """Introduce both sides of an approved match: each may now accept or decline it."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    return _decide(session, actor, language, suggestion, Action.introduce)


@router.post("/{suggestion_id}/start", responses=DECISION)
def start_suggestion(
    session: SessionDep, actor: Manager, language: ReaderLanguage, suggestion_id: str
) -> SuggestionPublic:
    """Start the project of a match both sides accepted: it becomes active."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    return _decide(session, actor, language, suggestion, Action.start)


@router.post("/{suggestion_id}/complete", responses=DECISION)
def complete_suggestion(
    session: SessionDep, actor: Manager, language: ReaderLanguage, suggestion_id: str
) -> SuggestionPublic:
    """Mark an active project completed: each side may now rate it."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    return _decide(session, actor, language, suggestion, Action.complete)


# -- the two sides' answers ---------------------------------------------------------------


@router.post("/{suggestion_id}/respond", responses=DECISION)
def respond_to_suggestion(
    session: SessionDep,
    actor: CurrentUser,
    language: ReaderLanguage,
    suggestion_id: str,
    body: RespondBody,
) -> SuggestionPublic:
    """Accept or decline an introduced match. The SME that owns the challenge answers for the
    sme side, the student for the target side; intermediaries and admins record either side's
    answer (and a research group's). Accepted once both accept, declined as soon as one
    declines; each side answers once."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    side = answering_side(session, actor, suggestion, body.side, "response")
    return _decide(
        session,
        actor,
        language,
        suggestion,
        Action.respond,
        side=side,
        response=Response(body.response),
        reason=body.reason,
    )


@router.post("/{suggestion_id}/rate", responses=DECISION)
def rate_suggestion(
    session: SessionDep,
    actor: CurrentUser,
    language: ReaderLanguage,
    suggestion_id: str,
    body: RateBody,
) -> SuggestionPublic:
    """Rate a completed match, 1 to 5, once per side; who rates for which side as for respond."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    side = answering_side(session, actor, suggestion, body.side, "rating")
    return _decide(session, actor, language, suggestion, Action.rate, side=side, rating=body.rating)


# -- wishes: a side asks for something without moving the status -------------------------

StudentUser = Annotated[Actor, Depends(require(Role.student))]
SmeUser = Annotated[Actor, Depends(require(Role.sme))]


@router.post("/{suggestion_id}/interest", responses=DECISION)
def express_interest_in_suggestion(
    session: SessionDep, actor: StudentUser, language: ReaderLanguage, suggestion_id: str
) -> SuggestionPublic:
    """The student this suggestion is about says they are interested in the assignment (as
    the "Ik heb interesse" button on the student's page does); the intermediary sees it in the
    review queue. Possible while the match is suggested or approved; asking again changes
    nothing. Only that student: other students get 404, other roles 403."""
    suggestion = express_interest(session, actor, suggestion_id)
    return suggestion_public(session, suggestion, viewer=actor, language=language)


@router.post("/{suggestion_id}/introduction-request", responses=DECISION)
def request_introduction(
    session: SessionDep, actor: SmeUser, language: ReaderLanguage, suggestion_id: str
) -> SuggestionPublic:
    """The SME that owns the challenge asks the intermediary to introduce this match (as the
    SME's challenge page does); flagged in the review queue. Possible while the match is
    suggested or approved and the SME may see it; asking again changes nothing. Other SMEs
    get 404, other roles 403."""
    suggestion = voice_wish(session, actor, suggestion_id, Action.request_introduction)
    return suggestion_public(session, suggestion, viewer=actor, language=language)
