"""Research groups (lectoraten, university groups): registering, editing and deleting them, with
their texts embedded and kept in the live index so that challenges are matched to them."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, delete

from service.domain.actor import Actor
from service.domain.tables import (
    Membership,
    ResearchGroup,
    ResearchGroupBase,
    ResearchGroupCreate,
    ResearchGroupPublic,
    ResearchGroupUpdate,
    Suggestion,
    TargetKind,
    utcnow,
)
from service.usecases.access import (
    community_ids_of,
    editable_research_group,
    member_filter,
    visible_research_group,
)
from service.usecases.editing import (
    add_memberships,
    apply_changes,
    check_new_member_id,
    chosen_id,
    commit_or_conflict,
    refuse_if_reviewed,
    require_communities,
)
from service.usecases.matching import Matching
from service.usecases.members import in_community, page_with_communities, with_communities

KIND = "research_group"


def _public(group: ResearchGroup, community_ids: set[str]) -> ResearchGroupPublic:
    return with_communities(ResearchGroupPublic, group, community_ids)


def research_group_public(session: Session, group: ResearchGroup) -> ResearchGroupPublic:
    """A research group as clients see it, with its communities (no embedding)."""
    return _public(group, community_ids_of(session, group.id, KIND))


def research_groups_public(
    session: Session, rows: list[ResearchGroup]
) -> list[ResearchGroupPublic]:
    """`research_group_public` for a page of rows, their communities read in one query."""
    return page_with_communities(session, ResearchGroupPublic, rows, KIND)


def research_group_filter(actor: Actor, community_id: str | None) -> list[ColumnElement[bool]]:
    """The conditions of a listing: the caller's communities (admins: all), optionally one."""
    conditions = [member_filter(actor, ResearchGroup.id, KIND)]
    if community_id:
        conditions.append(in_community(ResearchGroup.id, KIND, community_id))
    return conditions


def read_research_group(session: Session, actor: Actor, group_id: str) -> ResearchGroupPublic:
    """One research group the caller may see."""
    return research_group_public(session, visible_research_group(session, actor, group_id))


def create_research_group(
    session: Session, matching: Matching, actor: Actor, body: ResearchGroupCreate
) -> ResearchGroupPublic:
    """Register a research group in communities the caller manages (admins: any), embedded and
    in the live index."""
    community_ids = require_communities(session, actor, body.community_ids, manage=True)
    group = ResearchGroup(**body.model_dump(exclude={"id", "community_ids"}))
    if chosen_id(actor, body.id):
        check_new_member_id(session, body.id)
        group.id = body.id
    matching.embed(KIND, [group])
    session.add(group)
    add_memberships(session, group.id, KIND, community_ids)
    commit_or_conflict(session, f"Research group {group.id}")
    matching.sync(KIND, group, set(community_ids))
    return _public(group, set(community_ids))


def update_research_group(
    session: Session,
    matching: Matching,
    actor: Actor,
    group_id: str,
    changes: ResearchGroupUpdate,
) -> ResearchGroupPublic:
    """Edit a research group (admins, intermediaries who manage all of its communities: see
    `require_whole`); a changed text is re-embedded."""
    group = editable_research_group(session, actor, group_id)
    apply_changes(group, ResearchGroupBase, changes)
    group.updated_at = utcnow()
    matching.embed(KIND, [group])
    session.add(group)
    session.commit()
    matching.sync(KIND, group, community_ids_of(session, group.id, KIND))
    return research_group_public(session, group)


def delete_research_group(
    session: Session, matching: Matching, actor: Actor, group_id: str
) -> None:
    """Delete a research group, its memberships and its unreviewed suggestions; one with
    reviewed matches is kept (`Conflict`)."""
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
    matching.forget(KIND, group_id)
