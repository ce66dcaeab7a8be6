"""Continuity: themes and their chains, a team's hand-over, and a challenge's follow-up."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import select

from service.api.deps import CurrentUser, PageDep, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, INVALID, ROLE
from service.domain.tables import (
    ChallengePublic,
    FollowUpCreate,
    HandoverBase,
    HandoverPublic,
    Theme,
    ThemeChain,
    ThemeCreate,
    ThemePublic,
    ThemesPublic,
)
from service.usecases import themes

router = APIRouter(tags=["themes"])

NO_THEME = {404: {"description": "No such theme, or not of your communities"}}
NO_CHALLENGE = {404: {"description": "No such challenge, or not yours to see"}}


@router.get("/themes", responses=AUTH)
def list_themes(
    session: SessionDep, actor: CurrentUser, page: PageDep, community_id: str | None = None
) -> ThemesPublic:
    """The themes (research lines) of the caller's communities."""
    query = select(Theme).where(themes.theme_filter(actor))
    if community_id:
        query = query.where(Theme.community_id == community_id)
    rows, count = paginate(session, query, page, Theme.created_at, Theme.id)
    return ThemesPublic(data=[themes.theme_public(r) for r in rows], count=count)


@router.post("/themes", status_code=201, responses={**AUTH, **ROLE, **INVALID})
def create_theme(session: SessionDep, actor: CurrentUser, body: ThemeCreate) -> ThemePublic:
    """A new theme of a community, with its research group (intermediaries and admins)."""
    return themes.theme_public(themes.create_theme(session, actor, body))


@router.get("/themes/{theme_id}", responses={**AUTH, **NO_THEME})
def read_theme(session: SessionDep, actor: CurrentUser, theme_id: str) -> ThemePublic:
    """One theme."""
    return themes.theme_public(themes.visible_theme(session, actor, theme_id))


@router.get("/themes/{theme_id}/chain", responses={**AUTH, **NO_THEME})
def read_chain(session: SessionDep, actor: CurrentUser, theme_id: str) -> ThemeChain:
    """The theme's challenges in time, with their teams, results, ratings and hand-overs.
    Team members' names only for the community's intermediaries."""
    return themes.theme_chain(session, actor, theme_id)


@router.put(
    "/suggestions/{suggestion_id}/handover",
    responses={
        **AUTH,
        403: {"description": "Not the match's student nor an intermediary"},
        404: {"description": "No such match, or not yours to see"},
        409: {"description": "The match is not completed"},
        **INVALID,
    },
)
def write_handover(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    suggestion_id: str,
    body: HandoverBase,
) -> HandoverPublic:
    """The team's hand-over on a completed match: what was done, what is open, links."""
    handover = themes.write_handover(
        session, request.app.state.matching, actor, suggestion_id, body
    )
    return HandoverPublic.model_validate(handover)


@router.get(
    "/challenges/{challenge_id}/handover",
    responses={**AUTH, 404: {"description": "No such challenge or no hand-over (yet)"}},
)
def read_handover(session: SessionDep, actor: CurrentUser, challenge_id: str) -> HandoverPublic:
    """The hand-over its team left."""
    return HandoverPublic.model_validate(themes.read_handover(session, actor, challenge_id))


@router.post(
    "/challenges/{challenge_id}/continue",
    status_code=201,
    responses={
        **AUTH,
        **NO_CHALLENGE,
        409: {"description": "No completed match yet, or continued already"},
        **INVALID,
    },
)
def continue_challenge(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    challenge_id: str,
    body: FollowUpCreate,
) -> ChallengePublic:
    """Continue a completed challenge as a draft follow-up in a later period: it carries the
    theme, the SME, the supervisor and the hand-over's open part."""
    follow_up = themes.continue_challenge(
        session, request.app.state.matching, actor, challenge_id, body
    )
    return ChallengePublic.model_validate(follow_up)
