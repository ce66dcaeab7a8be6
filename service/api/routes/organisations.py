"""Organisations (SMEs, schools, universities, intermediaries): list, create, read, edit."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import select

from service.api.deps import CurrentUser, Manager, PageDep, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, INVALID, ROLE
from service.domain.tables import (
    Organisation,
    OrganisationCreate,
    OrganisationKind,
    OrganisationPublic,
    OrganisationsPublic,
    OrganisationUpdate,
)
from service.usecases import organisations

router = APIRouter(prefix="/organisations", tags=["organisations"])

NOT_FOUND = {404: {"description": "No such organisation, or not in one of your communities"}}


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
    conditions = organisations.organisation_filter(actor, community_id, kind)
    query = select(Organisation).where(*conditions)
    rows, count = paginate(session, query, page, Organisation.name, Organisation.id)
    return OrganisationsPublic(data=organisations.organisations_public(session, rows), count=count)


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        **ROLE,
        409: {"description": "An organisation with this id exists already"},
        422: {"description": "Invalid field values, or a community unknown or not yours"},
    },
)
def create_organisation(
    session: SessionDep, actor: Manager, body: OrganisationCreate
) -> OrganisationPublic:
    """Register an organisation in communities the caller manages (admins: any)."""
    return organisations.create_organisation(session, actor, body)


@router.get("/{organisation_id}", responses={**AUTH, **NOT_FOUND})
def read_organisation(
    session: SessionDep, actor: CurrentUser, organisation_id: str
) -> OrganisationPublic:
    """One organisation, for anyone who shares a community with it (and its own users)."""
    return organisations.read_organisation(session, actor, organisation_id)


@router.patch("/{organisation_id}", responses={**AUTH, **ROLE, **NOT_FOUND, **INVALID})
def update_organisation(
    session: SessionDep, actor: Manager, organisation_id: str, changes: OrganisationUpdate
) -> OrganisationPublic:
    """Edit an organisation: admins, and intermediaries of one of its communities. Its
    communities do not change here."""
    return organisations.update_organisation(session, actor, organisation_id, changes)
