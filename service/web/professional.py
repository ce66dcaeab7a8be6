"""The professional's pages: their own profile (what they bring, what they want to learn) and
the challenges elsewhere in the community where they would learn, each with why.

Like the student's pages, every page is the logged-in professional's own: none takes an id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import select

from service.api.deps import SessionDep
from service.domain.actor import Actor
from service.domain.errors import Invalid
from service.domain.tables import Organisation, Professional, ProfessionalUpdate, Role
from service.usecases.professionals import learning_suggestions, update_professional
from service.web.auth import require_roles
from service.web.i18n import N_, gettext
from service.web.render import render

router = APIRouter()
ProfessionalUser = Annotated[Actor, Depends(require_roles(Role.professional))]

#: How many challenges the suggestions page ranks.
SUGGESTIONS = 10
JOB_ROLES = {"werknemer": N_("Werknemer"), "leidinggevende": N_("Leidinggevende")}
#: The fields the professional edits here, with their labels.
FIELDS = {
    "job_title": N_("Functie"),
    "learning_wishes": N_("Wat wil je leren?"),
    "hours_per_week": N_("Uren per week om te leren"),
}


def own_profile(session, actor: Actor) -> Professional:
    """The professional's own profile; a 404 page for an account without one."""
    found = session.exec(select(Professional).where(Professional.user_id == actor.id)).first()
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No professional profile for this account")
    return found


def _organisation_names(session, ids: set[str]) -> dict[str, str]:
    rows = session.exec(select(Organisation).where(Organisation.id.in_(sorted(ids))))
    return {row.id: row.name for row in rows}


def _profile_page(request: Request, session, professional: Professional, **extra) -> Response:
    names = _organisation_names(session, {professional.organisation_id})
    return render(
        request,
        "professional/profile.html",
        status_code=extra.pop("code", 200),
        professional=professional,
        organisation=names.get(professional.organisation_id, ""),
        job_role=gettext(JOB_ROLES.get(professional.job_role, professional.job_role)),
        labels={name: gettext(label) for name, label in FIELDS.items()},
        values=extra.pop("values", None) or {name: getattr(professional, name) for name in FIELDS},
        errors=extra.pop("errors", {}),
        **extra,
    )


@router.get("/professional")
def professional_home(actor: ProfessionalUser) -> Response:
    return RedirectResponse("/professional/suggestions", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/professional/profile")
def profile(request: Request, session: SessionDep, actor: ProfessionalUser, saved: bool = False):
    return _profile_page(request, session, own_profile(session, actor), saved=saved)


@router.post("/professional/profile")
async def save_profile(request: Request, session: SessionDep, actor: ProfessionalUser):
    """Save what the professional edits here; with mistakes, the form comes back as typed
    with a message at each wrong field."""
    posted = await request.form()
    professional = own_profile(session, actor)
    values = {name: str(posted.get(name, "")).strip() for name in FIELDS}
    errors: dict[str, str] = {}
    try:
        changes = ProfessionalUpdate.model_validate(values)
    except ValidationError as error:
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "learning_wishes"
            errors[field] = gettext("Controleer dit veld.")
    if not errors:
        try:
            update_professional(session, actor, professional.id, changes)
        except Invalid:
            errors["hours_per_week"] = gettext("Controleer dit veld.")
    if errors:
        session.rollback()
        return _profile_page(request, session, professional, code=422, values=values, errors=errors)
    return RedirectResponse("/professional/profile?saved=1", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/professional/suggestions")
def suggestions(request: Request, session: SessionDep, actor: ProfessionalUser):
    """Challenges of other organisations in the community, best first, with why."""
    professional = own_profile(session, actor)
    found = learning_suggestions(
        session, request.app.state.matching, actor, professional.id, k=SUGGESTIONS
    )
    names = _organisation_names(session, {s.organisation_id for s in found})
    return render(
        request,
        "professional/suggestions.html",
        professional=professional,
        suggestions=found,
        organisations=names,
    )
