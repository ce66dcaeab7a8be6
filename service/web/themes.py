"""Continuity on pages: a theme's chain of challenges over the years, the team's hand-over on a
completed match, and continuing a challenge as a follow-up in a later period.

The steps go through `service.usecases.themes`, as the API's routes do. A step that was taken
answers with a redirect (post/redirect/get); a form with a mistake comes back at once with what
was typed, and nothing was done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from service.api.deps import SessionDep
from service.domain.actor import Actor
from service.domain.errors import Conflict, Forbidden, Invalid
from service.domain.tables import (
    Challenge,
    FollowUpCreate,
    Handover,
    HandoverBase,
    Role,
    Suggestion,
    SuggestionStatus,
    TargetKind,
    Theme,
)
from service.usecases import themes
from service.usecases.access import visible_suggestion
from service.web.auth import PageUser
from service.web.i18n import N_, gettext
from service.web.render import render

router = APIRouter()

RESULTS = {
    "completed": N_("afgerond"),
    "running": N_("loopt"),
    "open": N_("open"),
    "none": N_("zonder team"),
}
HANDOVER_SAVED = N_("Je overdracht is opgeslagen.")
DONE_REQUIRED = N_("Schrijf op wat er gedaan is.")
TOO_LONG = N_("Te lang (hoogstens 5000 tekens).")
BAD_LINKS = N_("Eén webadres per regel, beginnend met http:// of https:// (hoogstens 20).")
BAD_PERIOD = N_("Kies een begin- en einddatum; het einde ligt niet voor het begin.")
NOT_LATER = N_("De nieuwe periode begint na het einde van de vorige.")
CHOOSE_THEME = N_("Kies het thema waarin de uitdaging verdergaat.")
CANNOT_CONTINUE = N_("Deze uitdaging kan niet (meer) worden voortgezet.")


def result_label(result: str) -> str:
    return gettext(RESULTS.get(result, result))


# -- what the match page shows of continuity ---------------------------------------------------


@dataclass(frozen=True)
class Continuity:
    """The continuity part of a match page for one viewer."""

    before: themes.Predecessor | None
    handover: Handover | None
    may_write: bool
    may_continue: bool
    theme: Theme | None
    #: The community's themes to choose from, when the challenge belongs to none yet.
    theme_choices: list[tuple[str, str]]


def continuity_of(session: Session, actor: Actor, suggestion: Suggestion) -> Continuity:
    challenge = session.get(Challenge, suggestion.challenge_id)
    if challenge is None:
        return Continuity(None, None, False, False, None, [])
    completed = suggestion.status == SuggestionStatus.completed
    own_student = (
        actor.role is Role.student
        and suggestion.target_kind == TargetKind.student
        and suggestion.target_id == actor.student_id
    )
    may_write = completed and (own_student or actor.manages({suggestion.community_id}))
    may_continue = completed and themes.may_continue(session, actor, challenge)
    theme = session.get(Theme, challenge.theme_id) if challenge.theme_id else None
    choices: list[tuple[str, str]] = []
    if may_continue and theme is None:
        rows = session.exec(
            select(Theme).where(Theme.community_id == challenge.community_id).order_by(Theme.name)
        )
        choices = [(row.id, row.name) for row in rows]
    return Continuity(
        before=themes.predecessor_of(session, challenge),
        handover=session.get(Handover, challenge.id),
        may_write=may_write,
        may_continue=may_continue,
        theme=theme,
        theme_choices=choices,
    )


def _match_with_errors(
    request: Request,
    session: Session,
    actor: Actor,
    suggestion: Suggestion,
    typed: dict[str, str],
    errors: dict[str, str],
) -> Response:
    from service.web.journey import show_match  # the match page; it imports this module

    return show_match(
        request, session, actor, suggestion, typed=typed, errors=errors, status_code=422
    )


def _to_match(suggestion_id: str, **query: str) -> RedirectResponse:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    address = f"/matches/{suggestion_id}" + (f"?{params}" if params else "") + "#continuity"
    return RedirectResponse(address, status.HTTP_303_SEE_OTHER)


@router.post("/matches/{suggestion_id}/handover")
async def write_handover(
    request: Request, session: SessionDep, actor: PageUser, suggestion_id: str
) -> Response:
    """The team's hand-over: what was done, what is open, links (one per line)."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    form = await request.form()
    typed = {name: str(form.get(name, "")).strip() for name in ("done", "open", "links")}
    errors: dict[str, str] = {}
    links = [line.strip() for line in typed["links"].splitlines() if line.strip()]
    if not typed["done"]:
        errors["done"] = gettext(DONE_REQUIRED)
    for name in ("done", "open"):
        if len(typed[name]) > 5000:
            errors[name] = gettext(TOO_LONG)
    body = None
    if not errors:
        try:
            body = HandoverBase(done=typed["done"], open=typed["open"], links=links)
        except ValidationError:
            errors["links"] = gettext(BAD_LINKS)
    if body is None:
        return _match_with_errors(request, session, actor, suggestion, typed, errors)
    try:
        themes.write_handover(session, request.app.state.matching, actor, suggestion.id, body)
    except (Conflict, Forbidden):
        session.rollback()
        return _to_match(suggestion.id, failed="409")
    return _to_match(suggestion.id, done="handover")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.post("/matches/{suggestion_id}/continue")
async def continue_challenge(
    request: Request, session: SessionDep, actor: PageUser, suggestion_id: str
) -> Response:
    """Continue the match's challenge as a follow-up in a later period; on to its theme."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    form = await request.form()
    typed = {
        name: str(form.get(name, "")).strip() for name in ("period_start", "period_end", "theme")
    }
    errors: dict[str, str] = {}
    start, end = _day(typed["period_start"]), _day(typed["period_end"])
    if start is None or end is None or end < start:
        errors["period_start"] = gettext(BAD_PERIOD)
    if errors:
        return _match_with_errors(request, session, actor, suggestion, typed, errors)
    body = FollowUpCreate(period_start=start, period_end=end, theme_id=typed["theme"] or None)
    try:
        follow_up = themes.continue_challenge(
            session, request.app.state.matching, actor, suggestion.challenge_id, body
        )
    except Invalid as refusal:
        session.rollback()
        detail = str(refusal.detail)
        if detail.startswith("theme_id"):
            errors["theme"] = gettext(CHOOSE_THEME)
        else:
            errors["period_start"] = gettext(NOT_LATER)
        return _match_with_errors(request, session, actor, suggestion, typed, errors)
    except Conflict:
        session.rollback()
        errors["period_start"] = gettext(CANNOT_CONTINUE)
        return _match_with_errors(request, session, actor, suggestion, typed, errors)
    return RedirectResponse(
        f"/themes/{follow_up.theme_id}#ch-{follow_up.id}", status.HTTP_303_SEE_OTHER
    )


for _path in ("handover", "continue"):
    # The address of a form, opened again (a reload, the language switch): the match.
    @router.get(f"/matches/{{suggestion_id}}/{_path}")
    def _back(actor: PageUser, suggestion_id: str) -> Response:
        return _to_match(suggestion_id)


# -- theme pages -------------------------------------------------------------------------------


@router.get("/themes")
def theme_list(request: Request, session: SessionDep, actor: PageUser) -> Response:
    """The themes of the viewer's communities."""
    rows = list(session.exec(select(Theme).where(themes.theme_filter(actor)).order_by(Theme.name)))
    return render(request, "themes/list.html", themes=rows)


@router.get("/themes/{theme_id}")
def theme_page(request: Request, session: SessionDep, actor: PageUser, theme_id: str) -> Response:
    """A theme's chain: its challenges per period, with teams, results and ratings."""
    chain = themes.theme_chain(session, actor, theme_id)
    periods: dict[str, list] = {}
    for link in chain.links:
        key = str(link.year) if link.year is not None else "—"
        periods.setdefault(key, []).append(link)
    return render(
        request, "themes/theme.html", chain=chain, periods=periods, result_label=result_label
    )
