"""Learning communities, the unit of tenancy: list, create, read, edit."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlmodel import Session, select, true

from service.api.deps import Admin, CurrentUser, Manager, PageDep, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, ROLE
from service.domain.actor import Actor
from service.domain.errors import not_found
from service.domain.tables import (
    CommunitiesPublic,
    Community,
    CommunityBase,
    CommunityCreate,
    CommunityPublic,
    CommunityUpdate,
)
from service.usecases.editing import apply_changes, check_id_syntax, commit_or_conflict

router = APIRouter(prefix="/communities", tags=["communities"])

NOT_FOUND = {404: {"description": "No such community, or not one of yours"}}
CONFLICT = {409: {"description": "A community with this id exists already"}}


# -- routes ----------------------------------------------------------------------------------


def _community_filter(actor: Actor):
    return true() if actor.is_admin else Community.id.in_(actor.community_ids)


@router.get("", responses=AUTH)
def list_communities(session: SessionDep, actor: CurrentUser, page: PageDep) -> CommunitiesPublic:
    """The caller's communities (admins: all of them)."""
    query = select(Community).where(_community_filter(actor))
    rows, count = paginate(session, query, page, Community.name, Community.id)
    return CommunitiesPublic(data=[CommunityPublic.model_validate(r) for r in rows], count=count)


@router.post("", status_code=201, responses={**AUTH, **ROLE, **CONFLICT})
def create_community(session: SessionDep, actor: Admin, body: CommunityCreate) -> CommunityPublic:
    """Start a new learning community (admins)."""
    community = Community(**body.model_dump(exclude={"id"}))
    if body.id:
        check_id_syntax(body.id)
        if session.get(Community, body.id) is not None:
            raise HTTPException(status.HTTP_409_CONFLICT, f"id: {body.id} exists already")
        community.id = body.id
    session.add(community)
    commit_or_conflict(session, f"Community {community.id}")
    return CommunityPublic.model_validate(community)


def _visible_community(session: Session, actor: Actor, community_id: str) -> Community:
    community = session.get(Community, community_id)
    if community is None or not actor.in_community(community_id):
        raise not_found("Community", community_id)
    return community


@router.get("/{community_id}", responses={**AUTH, **NOT_FOUND})
def read_community(session: SessionDep, actor: CurrentUser, community_id: str) -> CommunityPublic:
    """One community, for its members."""
    return CommunityPublic.model_validate(_visible_community(session, actor, community_id))


@router.patch(
    "/{community_id}",
    responses={**AUTH, **ROLE, **NOT_FOUND, 422: {"description": "Invalid field values"}},
)
def update_community(
    session: SessionDep, actor: Manager, community_id: str, changes: CommunityUpdate
) -> CommunityPublic:
    """Edit a community: admins, and the intermediaries of that community."""
    community = _visible_community(session, actor, community_id)
    if not actor.manages({community_id}):
        raise not_found("Community", community_id)
    apply_changes(community, CommunityBase, changes)
    session.add(community)
    session.commit()
    return CommunityPublic.model_validate(community)
