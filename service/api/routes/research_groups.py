"""Research groups (lectoraten, university groups): list, create, read, edit, delete.

Their texts are embedded and kept in the live index, so a challenge can be matched to them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import select

from service.api.deps import CurrentUser, Manager, PageDep, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, INVALID, ROLE
from service.domain.tables import (
    ResearchGroup,
    ResearchGroupCreate,
    ResearchGroupPublic,
    ResearchGroupsPublic,
    ResearchGroupUpdate,
)
from service.usecases import research_groups

router = APIRouter(prefix="/research-groups", tags=["research groups"])

NOT_FOUND = {404: {"description": "No such research group, or not yours to see or change"}}


@router.get("", responses=AUTH)
def list_research_groups(
    session: SessionDep, actor: CurrentUser, page: PageDep, community_id: str | None = None
) -> ResearchGroupsPublic:
    """Research groups of the caller's communities (admins: all), optionally of one."""
    conditions = research_groups.research_group_filter(actor, community_id)
    query = select(ResearchGroup).where(*conditions)
    rows, count = paginate(session, query, page, ResearchGroup.name, ResearchGroup.id)
    data = research_groups.research_groups_public(session, rows)
    return ResearchGroupsPublic(data=data, count=count)


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        **ROLE,
        409: {"description": "A research group with this id exists already"},
        422: {"description": "Invalid field values, or a community unknown or not yours"},
    },
)
def create_research_group(
    request: Request, session: SessionDep, actor: Manager, body: ResearchGroupCreate
) -> ResearchGroupPublic:
    """Register a research group in communities the caller manages (admins: any)."""
    matching = request.app.state.matching
    return research_groups.create_research_group(session, matching, actor, body)


@router.get("/{group_id}", responses={**AUTH, **NOT_FOUND})
def read_research_group(
    session: SessionDep, actor: CurrentUser, group_id: str
) -> ResearchGroupPublic:
    """One research group, for anyone who shares a community with it."""
    return research_groups.read_research_group(session, actor, group_id)


@router.patch("/{group_id}", responses={**AUTH, **ROLE, **NOT_FOUND, **INVALID})
def update_research_group(
    request: Request,
    session: SessionDep,
    actor: Manager,
    group_id: str,
    changes: ResearchGroupUpdate,
) -> ResearchGroupPublic:
    """Edit a research group (admins, intermediaries of one of its communities); a changed
    text is re-embedded."""
    matching = request.app.state.matching
    return research_groups.update_research_group(session, matching, actor, group_id, changes)


@router.delete(
    "/{group_id}",
    status_code=204,
    responses={**AUTH, **ROLE, **NOT_FOUND, 409: {"description": "Has reviewed matches"}},
)
def delete_research_group(
    request: Request, session: SessionDep, actor: Manager, group_id: str
) -> None:
    """Delete a research group, its memberships and its unreviewed suggestions; one with
    reviewed matches is kept (409)."""
    research_groups.delete_research_group(session, request.app.state.matching, actor, group_id)
