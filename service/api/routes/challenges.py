"""SMEs' challenges: create, edit, publish, close, delete, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import delete, select

from service.api.deps import CurrentUser, PageDep, SessionDep
from service.api.paging import paginate
from service.domain.tables import (
    Challenge,
    ChallengeCreate,
    ChallengePublic,
    ChallengesPublic,
    ChallengeStatus,
    ChallengeUpdate,
    Suggestion,
)
from service.usecases.access import challenge_filter, editable_challenge, visible_challenge
from service.usecases.challenges import create_challenge as create_challenge_row
from service.usecases.challenges import move_challenge
from service.usecases.challenges import update_challenge as update_challenge_row
from service.usecases.editing import refuse_if_reviewed

router = APIRouter(prefix="/challenges", tags=["challenges"])

NOT_FOUND = {404: {"description": "No such challenge, or not yours to see"}}
AUTH = {401: {"description": "Not logged in"}, 403: {"description": "Role may not do this"}}


@router.get("", responses=AUTH)
def list_challenges(
    session: SessionDep,
    actor: CurrentUser,
    page: PageDep,
    community_id: str | None = None,
    organisation_id: str | None = None,
    status_: Annotated[ChallengeStatus | None, Query(alias="status")] = None,
) -> ChallengesPublic:
    """Challenges the caller may see: their community's published ones, their own, and for
    intermediaries all of their communities'."""
    query = select(Challenge).where(challenge_filter(actor))
    if community_id:
        query = query.where(Challenge.community_id == community_id)
    if organisation_id:
        query = query.where(Challenge.organisation_id == organisation_id)
    if status_:
        query = query.where(Challenge.status == status_)
    rows, count = paginate(session, query, page, Challenge.created_at, Challenge.id)
    return ChallengesPublic(data=[ChallengePublic.model_validate(r) for r in rows], count=count)


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        422: {
            "description": "Invalid field values, no organisation_id where one is needed, or "
            "a community or organisation that is unknown or not one of yours"
        },
    },
)
def create_challenge(
    request: Request, session: SessionDep, actor: CurrentUser, body: ChallengeCreate
) -> ChallengePublic:
    """Post a challenge (as a draft). An SME posts for its own organisation."""
    challenge = create_challenge_row(session, request.app.state.matching, actor, body)
    return ChallengePublic.model_validate(challenge)


@router.get("/{challenge_id}", responses={**AUTH, **NOT_FOUND})
def read_challenge(session: SessionDep, actor: CurrentUser, challenge_id: str) -> ChallengePublic:
    """One challenge."""
    return ChallengePublic.model_validate(visible_challenge(session, actor, challenge_id))


@router.patch("/{challenge_id}", responses={**AUTH, **NOT_FOUND})
def update_challenge(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    challenge_id: str,
    changes: ChallengeUpdate,
) -> ChallengePublic:
    """Edit a challenge; a changed text is re-embedded (that one text only)."""
    challenge = update_challenge_row(
        session, request.app.state.matching, actor, challenge_id, changes
    )
    return ChallengePublic.model_validate(challenge)


def _move(request: Request, session, actor, challenge_id: str, action: str) -> ChallengePublic:
    challenge = move_challenge(session, request.app.state.matching, actor, challenge_id, action)
    return ChallengePublic.model_validate(challenge)


CONFLICT = {409: {"description": "Not allowed from the challenge's current status"}}


@router.post("/{challenge_id}/publish", responses={**AUTH, **NOT_FOUND, **CONFLICT})
def publish_challenge(
    request: Request, session: SessionDep, actor: CurrentUser, challenge_id: str
) -> ChallengePublic:
    """Publish a draft (or reopen a closed challenge): it can now be matched."""
    return _move(request, session, actor, challenge_id, "publish")


@router.post("/{challenge_id}/close", responses={**AUTH, **NOT_FOUND, **CONFLICT})
def close_challenge(
    request: Request, session: SessionDep, actor: CurrentUser, challenge_id: str
) -> ChallengePublic:
    """Close a challenge: no new suggestions; existing ones keep their state."""
    return _move(request, session, actor, challenge_id, "close")


@router.delete(
    "/{challenge_id}",
    status_code=204,
    responses={**AUTH, **NOT_FOUND, 409: {"description": "Has reviewed matches: close it"}},
)
def delete_challenge(
    request: Request, session: SessionDep, actor: CurrentUser, challenge_id: str
) -> None:
    """Delete a challenge and its unreviewed suggestions; one with reviewed matches is kept
    (409: close it instead)."""
    challenge = editable_challenge(session, actor, challenge_id)
    made_for_it = Suggestion.challenge_id == challenge.id
    refuse_if_reviewed(session, made_for_it, f"Challenge {challenge_id}")
    session.exec(delete(Suggestion).where(made_for_it))
    session.delete(challenge)
    session.commit()
    request.app.state.matching.forget("challenge", challenge_id)
