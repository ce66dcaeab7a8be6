"""Professionals (werknemers, leidinggevenden of SMEs) who learn in the community: list,
create, read, edit, delete, and their learning suggestions.

Intermediaries keep those of their communities (admins: all); an SME reads and registers its
own staff; a professional reads and edits their own profile. Students and monitors: 403."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import select

from service.api.deps import PageDep, SessionDep, require
from service.api.paging import paginate
from service.api.routes.common import AUTH, INVALID, ROLE
from service.domain.actor import Actor
from service.domain.tables import (
    LearningSuggestions,
    Professional,
    ProfessionalCreate,
    ProfessionalPublic,
    ProfessionalsPublic,
    ProfessionalUpdate,
    Role,
)
from service.usecases import professionals

router = APIRouter(prefix="/professionals", tags=["professionals"])

Reader = Annotated[
    Actor, Depends(require(Role.admin, Role.intermediary, Role.sme, Role.professional))
]
Registrar = Annotated[Actor, Depends(require(Role.admin, Role.intermediary, Role.sme))]

NOT_FOUND = {404: {"description": "No such professional, or not one you may see"}}
FORBIDDEN = {403: {"description": "Your role may not do this, or not to this profile"}}


@router.get("", responses={**AUTH, **ROLE})
def list_professionals(
    session: SessionDep, actor: Reader, page: PageDep, community_id: str | None = None
) -> ProfessionalsPublic:
    """The professionals the caller may see, optionally of one community."""
    query = select(Professional).where(*professionals.professional_filter(actor, community_id))
    rows, count = paginate(session, query, page, Professional.full_name, Professional.id)
    return ProfessionalsPublic(data=professionals.professionals_public(session, rows), count=count)


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        **ROLE,
        409: {"description": "A member with this id, or a profile for this login, exists"},
        422: {"description": "Invalid field values; a community or organisation not yours"},
    },
)
def create_professional(
    session: SessionDep, actor: Registrar, body: ProfessionalCreate
) -> ProfessionalPublic:
    """Register a professional (intermediaries, admins; an SME its own staff)."""
    return professionals.create_professional(session, actor, body)


@router.get("/{professional_id}", responses={**AUTH, **ROLE, **NOT_FOUND})
def read_professional(
    session: SessionDep, actor: Reader, professional_id: str
) -> ProfessionalPublic:
    """One profile: the professional themself, their employer, their intermediaries."""
    return professionals.read_professional(session, actor, professional_id)


@router.patch("/{professional_id}", responses={**AUTH, **ROLE, **FORBIDDEN, **NOT_FOUND, **INVALID})
def update_professional(
    session: SessionDep, actor: Reader, professional_id: str, changes: ProfessionalUpdate
) -> ProfessionalPublic:
    """Edit a profile (the professional themself, their intermediaries, admins)."""
    return professionals.update_professional(session, actor, professional_id, changes)


@router.delete(
    "/{professional_id}", status_code=204, responses={**AUTH, **ROLE, **FORBIDDEN, **NOT_FOUND}
)
def delete_professional(session: SessionDep, actor: Reader, professional_id: str) -> None:
    """Delete a profile and its memberships (intermediaries, admins)."""
    professionals.delete_professional(session, actor, professional_id)


@router.get("/{professional_id}/suggestions", responses={**AUTH, **ROLE, **NOT_FOUND})
def learning_suggestions(
    request: Request,
    session: SessionDep,
    actor: Reader,
    professional_id: str,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> LearningSuggestions:
    """Challenges elsewhere in the community (not their own organisation's) where the
    professional would learn, ranked by what they want to learn, with the reason. For the
    professional themself and their intermediaries (admins)."""
    found = professionals.learning_suggestions(
        session, request.app.state.matching, actor, professional_id, k=k
    )
    return LearningSuggestions(data=found)
