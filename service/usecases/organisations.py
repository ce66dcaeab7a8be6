"""Organisations (SMEs, schools, universities, intermediaries): who sees them, registering and
editing them."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session

from service.domain.actor import Actor
from service.domain.errors import not_found
from service.domain.tables import (
    Organisation,
    OrganisationBase,
    OrganisationCreate,
    OrganisationKind,
    OrganisationPublic,
    OrganisationUpdate,
)
from service.usecases.access import community_ids_of, member_filter, require_whole
from service.usecases.editing import (
    add_memberships,
    apply_changes,
    check_new_member_id,
    chosen_id,
    commit_or_conflict,
    require_communities,
)
from service.usecases.members import in_community, page_with_communities, with_communities

KIND = "organisation"


def organisation_public(org: Organisation, community_ids: set[str]) -> OrganisationPublic:
    """An organisation as clients see it, with its communities."""
    return with_communities(OrganisationPublic, org, community_ids)


def organisations_public(session: Session, rows: list[Organisation]) -> list[OrganisationPublic]:
    """`organisation_public` for a page of rows, their communities read in one query."""
    return page_with_communities(session, OrganisationPublic, rows, KIND)


def organisation_filter(
    actor: Actor, community_id: str | None, kind: OrganisationKind | None
) -> list[ColumnElement[bool]]:
    """The conditions of a listing: the caller's communities (admins: all), optionally one
    community and one kind."""
    conditions = [member_filter(actor, Organisation.id, KIND)]
    if community_id:
        conditions.append(in_community(Organisation.id, KIND, community_id))
    if kind:
        conditions.append(Organisation.kind == kind)
    return conditions


def visible_organisation(session: Session, actor: Actor, organisation_id: str) -> Organisation:
    """The organisation, for its own users and whoever shares a community with it (404 for
    anyone else, as for one that does not exist)."""
    org = session.get(Organisation, organisation_id)
    own = actor.user.organisation_id == organisation_id
    if org is None or not (own or actor.shares_community(community_ids_of(session, org.id, KIND))):
        raise not_found("Organisation", organisation_id)
    return org


def read_organisation(session: Session, actor: Actor, organisation_id: str) -> OrganisationPublic:
    """One organisation the caller may see."""
    org = visible_organisation(session, actor, organisation_id)
    return organisation_public(org, community_ids_of(session, org.id, KIND))


def create_organisation(
    session: Session, actor: Actor, body: OrganisationCreate
) -> OrganisationPublic:
    """Register an organisation in communities the caller manages (admins: any)."""
    community_ids = require_communities(session, actor, body.community_ids, manage=True)
    org = Organisation(**body.model_dump(exclude={"id", "community_ids"}))
    if chosen_id(actor, body.id):
        check_new_member_id(session, body.id)
        org.id = body.id
    session.add(org)
    add_memberships(session, org.id, KIND, community_ids)
    commit_or_conflict(session, f"Organisation {org.id}")
    return organisation_public(org, set(community_ids))


def update_organisation(
    session: Session, actor: Actor, organisation_id: str, changes: OrganisationUpdate
) -> OrganisationPublic:
    """Edit an organisation: admins, and intermediaries who manage all of its communities (403
    for an intermediary of only some, see `require_whole`); its communities do not change
    here."""
    org = visible_organisation(session, actor, organisation_id)
    communities = community_ids_of(session, org.id, KIND)
    require_whole(actor, communities, "Organisation", organisation_id)
    apply_changes(org, OrganisationBase, changes)
    session.add(org)
    session.commit()
    return organisation_public(org, communities)
