"""Organisations (SMEs, schools, universities, intermediaries): list, create, read, edit."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import Session, select

from service.access import member_filter, require_whole
from service.deps import (
    Actor,
    CurrentUser,
    Manager,
    PageDep,
    SessionDep,
    community_ids_of,
    not_found,
)
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
    require_communities,
)
from service.tables import (
    Membership,
    Organisation,
    OrganisationBase,
    OrganisationCreate,
    OrganisationKind,
    OrganisationPublic,
    OrganisationsPublic,
    OrganisationUpdate,
)

router = APIRouter(prefix="/organisations", tags=["organisations"])

KIND = "organisation"
NOT_FOUND = {404: {"description": "No such organisation, or not in one of your communities"}}


def _public(org: Organisation, community_ids: set[str]) -> OrganisationPublic:
    return OrganisationPublic.model_validate(org, update={"community_ids": sorted(community_ids)})


def _publics(session: Session, rows: list[Organisation]) -> list[OrganisationPublic]:
    found = memberships(session, [row.id for row in rows], KIND)  # one query for the whole page
    return [_public(row, found[row.id]) for row in rows]


def _visible(session: Session, actor: Actor, organisation_id: str) -> Organisation:
    org = session.get(Organisation, organisation_id)
    own = actor.user.organisation_id == organisation_id
    if org is None or not (own or actor.shares_community(community_ids_of(session, org.id, KIND))):
        raise not_found("Organisation", organisation_id)
    return org


@router.get("", responses=AUTH)
def list_organisations(
    session: SessionDep,
    actor: CurrentUser,
    page: PageDep,
    community_id: str | None = None,
    kind: OrganisationKind | None = None,
) -> OrganisationsPublic:
    """Organisations of the caller's communities (admins: all), optionally of one community
    or one kind."""
    query = select(Organisation).where(member_filter(actor, Organisation.id, KIND))
    if community_id:
        in_community = select(Membership.member_id).where(
            Membership.kind == KIND, Membership.community_id == community_id
        )
        query = query.where(Organisation.id.in_(in_community))
    if kind:
        query = query.where(Organisation.kind == kind)
    rows, count = paginate(session, query, page, Organisation.name, Organisation.id)
    return OrganisationsPublic(data=_publics(session, rows), count=count)


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        **ROLE,
        404: {"description": "Unknown community, or not one of yours"},
        409: {"description": "An organisation with this id exists already"},
        **INVALID,
    },
)
def create_organisation(
    session: SessionDep, actor: Manager, body: OrganisationCreate
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
    return _public(org, set(community_ids))


@router.get("/{organisation_id}", responses={**AUTH, **NOT_FOUND})
def read_organisation(
    session: SessionDep, actor: CurrentUser, organisation_id: str
) -> OrganisationPublic:
    """One organisation, for anyone who shares a community with it (and its own users)."""
    org = _visible(session, actor, organisation_id)
    return _public(org, community_ids_of(session, org.id, KIND))


@router.patch("/{organisation_id}", responses={**AUTH, **ROLE, **NOT_FOUND, **INVALID})
def update_organisation(
    session: SessionDep, actor: Manager, organisation_id: str, changes: OrganisationUpdate
) -> OrganisationPublic:
    """Edit an organisation: admins, and intermediaries of one of its communities. Its
    communities do not change here."""
    org = _visible(session, actor, organisation_id)
    communities = community_ids_of(session, org.id, KIND)
    require_whole(actor, communities, "Organisation", organisation_id)
    apply_changes(org, OrganisationBase, changes)
    session.add(org)
    session.commit()
    return _public(org, communities)
