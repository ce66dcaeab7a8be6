"""Research groups (lectoraten, university groups): list, create, read, edit, delete.

Their texts are embedded and kept in the live index, so a challenge can be matched to them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session, delete, select

from service.access import editable_research_group, member_filter, visible_research_group
from service.deps import CurrentUser, Manager, PageDep, SessionDep, community_ids_of
from service.matching import memberships
from service.paging import paginate
from service.routes.common import (
    AUTH,
    INVALID,
    ROLE,
    add_memberships,
    apply_changes,
    check_new_member_id,
    chosen_id,
    commit_or_conflict,
    refuse_if_reviewed,
    require_communities,
)
from service.tables import (
    Membership,
    ResearchGroup,
    ResearchGroupBase,
    ResearchGroupCreate,
    ResearchGroupPublic,
    ResearchGroupsPublic,
    ResearchGroupUpdate,
    Suggestion,
    TargetKind,
    utcnow,
)

router = APIRouter(prefix="/research-groups", tags=["research groups"])

KIND = "research_group"
NOT_FOUND = {404: {"description": "No such research group, or not yours to see or change"}}


def research_group_public(session: Session, group: ResearchGroup) -> ResearchGroupPublic:
    """A research group as clients see it, with its communities (no embedding)."""
    return _public(group, community_ids_of(session, group.id, KIND))


def _public(group: ResearchGroup, community_ids: set[str]) -> ResearchGroupPublic:
    return ResearchGroupPublic.model_validate(
        group, update={"community_ids": sorted(community_ids)}
    )


def _sync(request: Request, session: Session, group: ResearchGroup) -> None:
    communities = community_ids_of(session, group.id, KIND)
    request.app.state.matching.sync(KIND, group, communities)


@router.get("", responses=AUTH)
def list_research_groups(
    session: SessionDep, actor: CurrentUser, page: PageDep, community_id: str | None = None
) -> ResearchGroupsPublic:
    """Research groups of the caller's communities (admins: all), optionally of one."""
    query = select(ResearchGroup).where(member_filter(actor, ResearchGroup.id, KIND))
    if community_id:
        in_community = select(Membership.member_id).where(
            Membership.kind == KIND, Membership.community_id == community_id
        )
        query = query.where(ResearchGroup.id.in_(in_community))
    rows, count = paginate(session, query, page, ResearchGroup.name, ResearchGroup.id)
    found = memberships(session, [row.id for row in rows], KIND)  # one query for the whole page
    return ResearchGroupsPublic(data=[_public(row, found[row.id]) for row in rows], count=count)


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        **ROLE,
        404: {"description": "Unknown community, or not one of yours"},
        409: {"description": "A research group with this id exists already"},
        **INVALID,
    },
)
def create_research_group(
    request: Request, session: SessionDep, actor: Manager, body: ResearchGroupCreate
) -> ResearchGroupPublic:
    """Register a research group in communities the caller manages (admins: any)."""
    community_ids = require_communities(session, actor, body.community_ids, manage=True)
    group = ResearchGroup(**body.model_dump(exclude={"id", "community_ids"}))
    if chosen_id(actor, body.id):
        check_new_member_id(session, body.id)
        group.id = body.id
    request.app.state.matching.embed(KIND, [group])
    session.add(group)
    add_memberships(session, group.id, KIND, community_ids)
    commit_or_conflict(session, f"Research group {group.id}")
    request.app.state.matching.sync(KIND, group, set(community_ids))
    return _public(group, set(community_ids))


@router.get("/{group_id}", responses={**AUTH, **NOT_FOUND})
def read_research_group(
    session: SessionDep, actor: CurrentUser, group_id: str
) -> ResearchGroupPublic:
    """One research group, for anyone who shares a community with it."""
    return research_group_public(session, visible_research_group(session, actor, group_id))


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
    group = editable_research_group(session, actor, group_id)
    apply_changes(group, ResearchGroupBase, changes)
    group.updated_at = utcnow()
    request.app.state.matching.embed(KIND, [group])
    session.add(group)
    session.commit()
    _sync(request, session, group)
    return research_group_public(session, group)


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
    group = editable_research_group(session, actor, group_id)
    made_for_it = (Suggestion.target_kind == TargetKind.research_group) & (
        Suggestion.target_id == group_id
    )
    refuse_if_reviewed(session, made_for_it, f"Research group {group_id}")
    session.exec(delete(Suggestion).where(made_for_it))
    session.exec(
        delete(Membership).where(Membership.member_id == group_id, Membership.kind == KIND)
    )
    session.delete(group)
    session.commit()
    request.app.state.matching.forget(KIND, group_id)
