"""The rest of a match's journey on pages: the introduction as each party sees it, accepting or
declining it, the intermediary's start and complete, both sides' ratings, one timeline per match;
the list of one's matches (the bell leads there) and the admin's outbox of notification mails.

Every step goes through `service.usecases.reviews.decide`, as the API's review routes do, so it is
checked, recorded, audited and notified the same way. A step that was taken answers with a
redirect to the match (post/redirect/get): a reload shows it and takes nothing twice. A form with
a mistake comes back at once with what was typed, and nothing was done.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from service.api.deps import SessionDep, SettingsDep
from service.api.errors import http_error
from service.domain.actor import Actor
from service.domain.errors import DomainError
from service.domain.notification_tables import OutboxMail
from service.domain.tables import Response as Answer
from service.domain.tables import Role, Suggestion, SuggestionStatus
from service.domain.workflow import Action, Side
from service.usecases.access import STUDENT_VISIBLE, suggestion_filter, visible_suggestion
from service.usecases.audit import record_suggestion_views
from service.usecases.notifications import open_items
from service.usecases.reviews import answering_side, decide, managed_suggestion
from service.web.auth import PageUser, require_roles
from service.web.i18n import N_, gettext
from service.web.journey_mail import compose
from service.web.journey_view import MAX_TEXT, match_page
from service.web.render import render
from service.web.review_view import match_views
from service.web.themes import HANDOVER_SAVED, continuity_of

router = APIRouter()
Admin = Annotated[Actor, Depends(require_roles(Role.admin))]

#: What the page says after a step was taken (the redirect's `done`).
DONE = {
    "accepted": N_("Je hebt de introductie geaccepteerd."),
    "declined": N_("Je hebt de introductie afgeslagen."),
    "introduce": N_("Beide kanten zijn geïntroduceerd."),
    "start": N_("Het project is gestart."),
    "complete": N_("Het project is afgerond."),
    "rate": N_("Dank je wel voor je beoordeling."),
    "handover": HANDOVER_SAVED,
}
FAILED = {
    409: N_("Dat kan niet meer: de match is intussen veranderd. Hieronder zie je hoe hij staat."),
    403: N_("Deze stap is niet aan jou."),
}
REASON_REQUIRED = N_("Geef een reden als je afslaat.")
TEXT_TOO_LONG = N_("Te lang (hoogstens 2000 tekens).")
CHOOSE_ANSWER = N_("Kies accepteren of afslaan.")
CHOOSE_RATING = N_("Kies een beoordeling van 1 tot 5.")
#: The steps an intermediary takes with one button.
STEPS = (Action.introduce, Action.start, Action.complete)
#: The matches listed on /matches: from the introduction on (intermediaries: from approval).
LISTED = STUDENT_VISIBLE
MANAGER_LISTED = (SuggestionStatus.approved, *STUDENT_VISIBLE)


def _address(suggestion_id: str, **query: str) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/matches/{suggestion_id}" + (f"?{params}" if params else "") + "#status"


def _show(
    request: Request,
    session: Session,
    actor: Actor,
    suggestion: Suggestion,
    *,
    done: str | None = None,
    failed: int | None = None,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    page = match_page(session, actor, suggestion)
    record_suggestion_views(session, actor, [suggestion], "match page")
    message = gettext(DONE[done]) if done in DONE else None
    problem = gettext(FAILED[failed]) if failed in FAILED else None
    return render(
        request,
        "journey/match.html",
        status_code=status_code,
        m=page,
        continuity=continuity_of(session, actor, suggestion),
        done=message,
        problem=problem,
        typed=typed or {},
        errors=errors or {},
    )


#: The match page, for the continuity forms (service.web.themes) that come back to it.
show_match = _show


@router.get("/matches/{suggestion_id}")
def match(
    request: Request,
    session: SessionDep,
    actor: PageUser,
    suggestion_id: str,
    done: str | None = None,
    failed: int | None = None,
) -> Response:
    """One match as the viewer may see it (a 404 page for anyone else, as for no match)."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    return _show(request, session, actor, suggestion, done=done, failed=failed)


def _decided(
    session: Session,
    actor: Actor,
    suggestion: Suggestion,
    action: Action,
    done: str,
    **details,
) -> Response:
    """Take the step; redirect to the match with how it went (PRG)."""
    try:
        decide(session, actor, suggestion, action, **details)
    except DomainError as refusal:
        session.rollback()
        code = http_error(refusal).status_code
        return RedirectResponse(
            _address(suggestion.id, failed=str(code)), status.HTTP_303_SEE_OTHER
        )
    return RedirectResponse(_address(suggestion.id, done=done), status.HTTP_303_SEE_OTHER)


def _text(form, name: str, errors: dict[str, str], *, required: str | None = None) -> str:
    text = str(form.get(name, "")).strip()
    if required and not text:
        errors[name] = gettext(required)
    elif len(text) > MAX_TEXT:
        errors[name] = gettext(TEXT_TOO_LONG)
    return text


def _side(session: Session, actor: Actor, suggestion: Suggestion, form, what: str) -> Side:
    """The side the form answers for: the viewer's own, or (an intermediary) the one named."""
    asked = str(form.get("side", ""))
    named = Side(asked) if asked in {s.value for s in Side} else None
    return answering_side(session, actor, suggestion, named, what)


@router.post("/matches/{suggestion_id}/respond")
async def respond(
    request: Request, session: SessionDep, actor: PageUser, suggestion_id: str
) -> Response:
    """Accept or decline the introduction (a reason is required to decline)."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    form = await request.form()
    errors: dict[str, str] = {}
    answer = str(form.get("answer", ""))
    if answer not in (Answer.accepted.value, Answer.declined.value):
        errors["answer"] = gettext(CHOOSE_ANSWER)
    required = REASON_REQUIRED if answer == Answer.declined.value else None
    reason = _text(form, "reason", errors, required=required)
    if errors:
        typed = {"answer": answer, "reason": reason}
        return _show(
            request, session, actor, suggestion, typed=typed, errors=errors, status_code=422
        )
    side = _side(session, actor, suggestion, form, "response")
    return _decided(
        session,
        actor,
        suggestion,
        Action.respond,
        answer,
        side=side,
        response=Answer(answer),
        reason=reason or None,
    )


@router.post("/matches/{suggestion_id}/rate")
async def rate(
    request: Request, session: SessionDep, actor: PageUser, suggestion_id: str
) -> Response:
    """Rate the completed project, 1 to 5, with a short evaluation (optional)."""
    suggestion = visible_suggestion(session, actor, suggestion_id)
    form = await request.form()
    errors: dict[str, str] = {}
    given = str(form.get("rating", ""))
    rating = int(given) if given in {"1", "2", "3", "4", "5"} else None
    if rating is None:
        errors["rating"] = gettext(CHOOSE_RATING)
    evaluation = _text(form, "evaluation", errors)
    if errors:
        typed = {"rating": given, "evaluation": evaluation}
        return _show(
            request, session, actor, suggestion, typed=typed, errors=errors, status_code=422
        )
    side = _side(session, actor, suggestion, form, "rating")
    return _decided(
        session,
        actor,
        suggestion,
        Action.rate,
        "rate",
        side=side,
        rating=rating,
        reason=evaluation or None,
    )


@router.post("/matches/{suggestion_id}/step")
async def step(
    request: Request, session: SessionDep, actor: PageUser, suggestion_id: str
) -> Response:
    """The intermediary's one-button steps: introduce, start, complete."""
    suggestion = managed_suggestion(session, actor, suggestion_id)
    form = await request.form()
    try:
        action = Action(str(form.get("action", "")))
    except ValueError:
        action = None
    if action not in STEPS:
        return _show(request, session, actor, suggestion, status_code=422)
    return _decided(session, actor, suggestion, action, action.value)


for _path in ("respond", "rate", "step"):
    # The address of a form, opened again (a reload, the language switch): the match.
    @router.get(f"/matches/{{suggestion_id}}/{_path}")
    def _back(actor: PageUser, suggestion_id: str) -> Response:
        return RedirectResponse(_address(suggestion_id), status.HTTP_303_SEE_OTHER)


@router.get("/matches")
def my_matches(request: Request, session: SessionDep, actor: PageUser) -> Response:
    """The viewer's matches from the introduction on, those that wait for them first."""
    waiting = {item.suggestion_id: item.step for item in open_items(session, actor)}
    listed = MANAGER_LISTED if actor.role in (Role.intermediary, Role.admin) else LISTED
    query = select(Suggestion).where(
        suggestion_filter(actor),
        Suggestion.status.in_(listed) | Suggestion.id.in_(list(waiting)),
    )
    rows = list(session.exec(query.order_by(Suggestion.updated_at.desc()).limit(200)))
    rows.sort(key=lambda row: row.id not in waiting)
    record_suggestion_views(session, actor, rows, "my matches")
    return render(
        request,
        "journey/list.html",
        matches=match_views(session, actor, rows),
        waiting=waiting,
    )


@router.get("/admin/outbox")
def outbox(request: Request, session: SessionDep, settings: SettingsDep, actor: Admin) -> Response:
    """Every notification mail, newest first, as written (in development, without SMTP, this
    is where they are read), with whether it was sent."""
    mails = list(session.exec(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(100)))
    shown = [(mail, compose(session, settings, mail)) for mail in mails]
    return render(request, "journey/outbox.html", mails=shown, smtp=settings.smtp_host)
