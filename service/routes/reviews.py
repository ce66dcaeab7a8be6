"""The review workflow: a queue of suggestions per community, and the decisions on each.

Intermediaries approve or reject, introduce both sides, start and complete; each side (the SME
that owns the challenge, and the student or research group) accepts or declines and later rates.
Every decision is one `SuggestionEvent` and one audit entry, written in the same commit as the
change they record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import StringConstraints, field_validator
from sqlmodel import Field, Session, SQLModel, select

from service.access import hides_review_from, suggestion_filter, visible_suggestion
from service.audit import record_suggestion_views
from service.decisions import decide, managed_suggestion, own_side, voice_wish
from service.deps import Actor, CurrentUser, Manager, PageDep, SessionDep, require
from service.interest import express_interest
from service.paging import paginate
from service.routes.common import AUTH
from service.suggestions import SuggestionPublic, SuggestionsPublic, suggestion_public
from service.tables import (
    Page,
    Response,
    Role,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
)
from service.workflow import (
    Action,
    Side,
    parse_event_action,
)

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

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


# -- request and answer models ------------------------------------------------------------


class ApproveBody(SQLModel):
    reason: Reason | None = Field(default=None, description="Why, for the record (optional).")

    @field_validator("reason")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


class RejectBody(SQLModel):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ] = Field(description="Why the match is rejected (required).")


class RespondBody(SQLModel):
    response: Literal["accepted", "declined"]
    side: Side | None = Field(
        default=None,
        description="Whose answer: an SME answers for the sme side and a student for the "
        "target side by default; intermediaries must say which side they record.",
    )
    reason: Reason | None = Field(default=None, description="Why (optional), for the record.")

    @field_validator("reason")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


class RateBody(SQLModel):
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    side: Side | None = Field(
        default=None, description="Whose rating; as for respond, required for intermediaries."
    )


class SuggestionEventPublic(SQLModel):
    """One decision on a suggestion: who (actor_id), what, between which statuses, why, when."""

    id: int
    suggestion_id: str
    actor_id: str
    action: Action
    side: Side | None = None
    response: Response | None = None
    rating: int | None = None
    from_status: SuggestionStatus
    to_status: SuggestionStatus
    reason: str | None
    at: datetime


class SuggestionEventsPublic(Page):
    data: list[SuggestionEventPublic]


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


# -- helpers ------------------------------------------------------------------------------


def _decide(session: Session, actor: Actor, suggestion: Suggestion, action: Action, **details):
    """Decide (see `service.decisions.decide`) and answer with the suggestion as the caller
    sees it."""
    decided = decide(session, actor, suggestion, action, **details)
    return suggestion_public(session, decided, viewer=actor)


def _answering_side(
    session: Session, actor: Actor, suggestion: Suggestion, asked: Side | None, what: str
) -> Side:
    """For whom the caller answers or rates: their own side, or the side an intermediary
    names (research groups have no login, so an intermediary records their side)."""
    if actor.manages({suggestion.community_id}):
        if asked is None:
            raise HTTPException(
                422,
                f"side: required when an intermediary records a {what} (sme or target)",
            )
        return asked
    own = own_side(session, actor, suggestion)
    if own is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"You may not give a {what} for either side of this match"
        )
    if asked is not None and asked is not own:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"You give the {what} for the {own.value} side only, not the {asked.value} side",
        )
    return own


# -- the queue ----------------------------------------------------------------------------


@router.get("", responses=AUTH)
def list_suggestions(
    session: SessionDep,
    actor: CurrentUser,
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
    data = [suggestion_public(session, r, viewer=actor) for r in rows]
    return SuggestionsPublic(data=data, count=count)


@router.get("/{suggestion_id}", responses={**AUTH, **NOT_FOUND})
def read_suggestion(
    session: SessionDep, actor: CurrentUser, suggestion_id: str
) -> SuggestionPublic:
    """One suggestion with its scores, reasons and review state."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    record_suggestion_views(session, actor, [suggestion], "suggestion read")
    return suggestion_public(session, suggestion, viewer=actor)


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
    session: SessionDep, actor: Manager, suggestion_id: str, body: ApproveBody | None = None
) -> SuggestionPublic:
    """Approve a suggested match (intermediaries of its community, admins); the SME now sees
    it. The reason is optional."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    reason = body.reason if body else None
    return _decide(session, actor, suggestion, Action.approve, reason=reason)


@router.post("/{suggestion_id}/reject", responses=DECISION)
def reject_suggestion(
    session: SessionDep, actor: Manager, suggestion_id: str, body: RejectBody
) -> SuggestionPublic:
    """Reject a suggested match with a reason (intermediaries of its community, admins)."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    return _decide(session, actor, suggestion, Action.reject, reason=body.reason)


@router.post("/{suggestion_id}/introduce", responses=DECISION)
def introduce_suggestion(
    session: SessionDep, actor: Manager, suggestion_id: str
) -> SuggestionPublic:
    """Introduce both sides of an approved match: each may now accept or decline it."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    return _decide(session, actor, suggestion, Action.introduce)


@router.post("/{suggestion_id}/start", responses=DECISION)
def start_suggestion(session: SessionDep, actor: Manager, suggestion_id: str) -> SuggestionPublic:
    """Start the project of a match both sides accepted: it becomes active."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    return _decide(session, actor, suggestion, Action.start)


@router.post("/{suggestion_id}/complete", responses=DECISION)
def complete_suggestion(
    session: SessionDep, actor: Manager, suggestion_id: str
) -> SuggestionPublic:
    """Mark an active project completed: each side may now rate it."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    return _decide(session, actor, suggestion, Action.complete)


# -- the two sides' answers ---------------------------------------------------------------


@router.post("/{suggestion_id}/respond", responses=DECISION)
def respond_to_suggestion(
    session: SessionDep, actor: CurrentUser, suggestion_id: str, body: RespondBody
) -> SuggestionPublic:
    """Accept or decline an introduced match. The SME that owns the challenge answers for the
    sme side, the student for the target side; intermediaries and admins record either side's
    answer (and a research group's). Accepted once both accept, declined as soon as one
    declines; each side answers once."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    side = _answering_side(session, actor, suggestion, body.side, "response")
    return _decide(
        session,
        actor,
        suggestion,
        Action.respond,
        side=side,
        response=Response(body.response),
        reason=body.reason,
    )


@router.post("/{suggestion_id}/rate", responses=DECISION)
def rate_suggestion(
    session: SessionDep, actor: CurrentUser, suggestion_id: str, body: RateBody
) -> SuggestionPublic:
    """Rate a completed match, 1 to 5, once per side; who rates for which side as for respond."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    side = _answering_side(session, actor, suggestion, body.side, "rating")
    return _decide(session, actor, suggestion, Action.rate, side=side, rating=body.rating)


# -- wishes: a side asks for something without moving the status -------------------------

StudentUser = Annotated[Actor, Depends(require(Role.student))]
SmeUser = Annotated[Actor, Depends(require(Role.sme))]


@router.post("/{suggestion_id}/interest", responses=DECISION)
def express_interest_in_suggestion(
    session: SessionDep, actor: StudentUser, suggestion_id: str
) -> SuggestionPublic:
    """The student this suggestion is about says they are interested in the assignment (as
    the "Ik heb interesse" button on the student's page does); the intermediary sees it in the
    review queue. Possible while the match is suggested or approved; asking again changes
    nothing. Only that student: other students get 404, other roles 403."""
    suggestion = express_interest(session, actor, suggestion_id)
    return suggestion_public(session, suggestion, viewer=actor)


@router.post("/{suggestion_id}/introduction-request", responses=DECISION)
def request_introduction(
    session: SessionDep, actor: SmeUser, suggestion_id: str
) -> SuggestionPublic:
    """The SME that owns the challenge asks the intermediary to introduce this match (as the
    SME's challenge page does); flagged in the review queue. Possible while the match is
    suggested or approved and the SME may see it; asking again changes nothing. Other SMEs
    get 404, other roles 403."""
    suggestion = voice_wish(session, actor, suggestion_id, Action.request_introduction)
    return suggestion_public(session, suggestion, viewer=actor)
