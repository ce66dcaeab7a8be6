"""Meetings on pages: the list with the plan form (intermediaries), a meeting's page with the
suggested invitees and their reasons, the invitees with their answers and attendance, and an
invitee's answer form.

The steps go through `service.usecases.meetings`, as the API's routes do. A step that was
taken answers with a redirect (post/redirect/get); a plan form with a mistake comes back at
once with what was typed, and nothing was done.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from service.api.deps import SessionDep
from service.domain.actor import Actor
from service.domain.errors import Conflict, Forbidden, Invalid, NotFound, UnknownPlace
from service.domain.meeting_tables import InvitationStatus, InviteeKind, Meeting, MeetingCreate
from service.domain.tables import Membership, Organisation, Role, Theme
from service.usecases import meetings
from service.web.auth import PageUser
from service.web.i18n import N_, gettext
from service.web.render import render

router = APIRouter()

KINDS = {
    "sme": N_("mkb-bedrijf"),
    "student": N_("student"),
    "research_group": N_("onderzoeksgroep"),
    "professional": N_("professional"),
    "teacher": N_("docent"),
}
STATUSES = {
    "invited": N_("uitgenodigd"),
    "accepted": N_("komt"),
    "declined": N_("komt niet"),
}
DONE = {
    "planned": N_("De bijeenkomst is gepland. Nodig hieronder mensen uit."),
    "invited": N_("De uitnodiging is verstuurd."),
    "answered": N_("Uw antwoord is opgeslagen."),
    "answered-je": N_("Je antwoord is opgeslagen."),
    "attendance": N_("De aanwezigheid is opgeslagen."),
}
FAILED = {
    "full": N_("De bijeenkomst is vol."),
    "twice": N_("Deze genodigde is al uitgenodigd."),
    "refused": N_("Dat kan niet."),
}
REQUIRED = N_("Vul dit veld in.")
BAD_TIME = N_("Kies een datum en tijd.")
BAD_END = N_("Het einde ligt na het begin.")
BAD_CAPACITY = N_("Een heel getal van 1 tot 10000.")
UNKNOWN_PLACE = N_("Onbekende plaats. Bedoelt u: %(names)s?")
UNKNOWN_PLACE_NONE = N_("Onbekende plaats in Nederland.")
CHOOSE_THEME = N_("Kies een thema van uw leergemeenschap.")
CHOOSE_HOST = N_("Kies een organisatie van de leergemeenschap.")
FIELDS = ("theme", "title", "starts_at", "ends_at", "place", "host", "capacity", "notes")


def kind_label(kind: str) -> str:
    return gettext(KINDS.get(kind, kind))


def status_label(value: str) -> str:
    return gettext(STATUSES.get(value, value))


def when(moment: datetime) -> str:
    return meetings.local_time(moment).strftime("%d-%m-%Y %H:%M")


def _to_meeting(meeting_id: str, **query: str) -> RedirectResponse:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    address = f"/meetings/{meeting_id}" + (f"?{params}" if params else "")
    return RedirectResponse(address, status.HTTP_303_SEE_OTHER)


# -- the list and the plan form --------------------------------------------------------------


def _plan_choices(session: Session, actor: Actor) -> tuple[list, list]:
    """The themes the caller plans on, and the organisations that may host."""
    if actor.role not in (Role.intermediary, Role.admin):
        return [], []
    query = select(Theme).order_by(Theme.name)
    if not actor.is_admin:
        query = query.where(Theme.community_id.in_(actor.community_ids))
    themes = [(row.id, row.name) for row in session.exec(query)]
    hosts_query = select(Organisation).order_by(Organisation.name)
    if not actor.is_admin:
        members = select(Membership.member_id).where(
            Membership.kind == "organisation", Membership.community_id.in_(actor.community_ids)
        )
        hosts_query = hosts_query.where(Organisation.id.in_(members))
    hosts = [(row.id, row.name) for row in session.exec(hosts_query)]
    return themes, hosts


def _list_page(
    request: Request,
    session: Session,
    actor: Actor,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = list(
        session.exec(
            select(Meeting).where(meetings.meeting_filter(actor)).order_by(Meeting.starts_at)
        )
    )
    led = meetings.matches_after(session, rows)
    shown = [meetings.meeting_public(session, actor, row, led) for row in rows]
    themes, hosts = _plan_choices(session, actor)
    return render(
        request,
        "meetings/list.html",
        status_code=status_code,
        meetings=shown,
        themes=themes,
        hosts=hosts,
        typed=typed or {},
        errors=errors or {},
        when=when,
    )


@router.get("/meetings")
def meeting_list(request: Request, session: SessionDep, actor: PageUser) -> Response:
    """The meetings the viewer sees; the plan form for intermediaries."""
    return _list_page(request, session, actor)


def _moment(text: str) -> datetime | None:
    """A time typed in the form (Dutch time, as `datetime-local` sends it)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=meetings.LOCAL_ZONE)
    return moment


def _plan_errors(typed: dict[str, str]) -> tuple[dict[str, str], MeetingCreate | None]:
    errors: dict[str, str] = {}
    for name in ("theme", "title", "place"):
        if not typed[name]:
            message = CHOOSE_THEME if name == "theme" else REQUIRED
            errors[name] = gettext(message)
    starts, ends = _moment(typed["starts_at"]), _moment(typed["ends_at"])
    if starts is None:
        errors["starts_at"] = gettext(BAD_TIME)
    if ends is None:
        errors["ends_at"] = gettext(BAD_TIME)
    elif starts is not None and ends <= starts:
        errors["ends_at"] = gettext(BAD_END)
    capacity = int(typed["capacity"]) if typed["capacity"].isdigit() else 0
    if not 1 <= capacity <= 10000:
        errors["capacity"] = gettext(BAD_CAPACITY)
    if errors:
        return errors, None
    try:
        body = MeetingCreate(
            theme_id=typed["theme"],
            title=typed["title"],
            starts_at=starts,
            ends_at=ends,
            place=typed["place"],
            host_organisation_id=typed["host"] or None,
            capacity=capacity,
            notes=typed["notes"],
        )
    except ValidationError as error:
        names = {"theme_id": "theme", "host_organisation_id": "host"}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "title"
            errors[names.get(field, field)] = item["msg"]
        return errors, None
    return errors, body


@router.post("/meetings")
async def plan_meeting(request: Request, session: SessionDep, actor: PageUser) -> Response:
    """Plan a meeting; on to its page, where the suggestions wait."""
    if actor.role not in (Role.intermediary, Role.admin):
        raise Forbidden("Only a community's intermediaries plan meetings")
    form = await request.form()
    typed = {name: str(form.get(name, "")).strip() for name in FIELDS}
    errors, body = _plan_errors(typed)
    if body is None:
        return _list_page(request, session, actor, typed, errors, 422)
    try:
        meeting = meetings.plan_meeting(session, actor, body)
    except UnknownPlace as refusal:
        session.rollback()
        names = ", ".join(refusal.suggestions)
        errors["place"] = (
            gettext(UNKNOWN_PLACE) % {"names": names} if names else gettext(UNKNOWN_PLACE_NONE)
        )
        return _list_page(request, session, actor, typed, errors, 422)
    except Invalid as refusal:
        session.rollback()
        detail = str(refusal.detail)
        if detail.startswith("ends_at"):
            errors["ends_at"] = gettext(BAD_END)
        elif detail.startswith("host"):
            errors["host"] = gettext(CHOOSE_HOST)
        else:
            errors["theme"] = gettext(CHOOSE_THEME)
        return _list_page(request, session, actor, typed, errors, 422)
    return _to_meeting(meeting.id, done="planned")


# -- a meeting's page ------------------------------------------------------------------------


@router.get("/meetings/{meeting_id}")
def meeting_page(
    request: Request, session: SessionDep, actor: PageUser, meeting_id: str
) -> Response:
    """A meeting: for its intermediaries the suggestions (with reasons and invite buttons), the
    invitees with their answers and attendance; for an invitee their answer form."""
    detail = meetings.meeting_detail(session, actor, meeting_id)
    meeting = session.get(Meeting, meeting_id)
    manages = actor.manages({meeting.community_id})
    suggestions = []
    if manages:
        suggestions = meetings.suggest_invitees(
            session, request.app.state.matching, actor, meeting_id
        )
    theme = session.get(Theme, meeting.theme_id)
    host = (
        session.get(Organisation, meeting.host_organisation_id)
        if meeting.host_organisation_id
        else None
    )
    done = request.query_params.get("done", "")
    if done == "answered" and actor.role is Role.student:
        done = "answered-je"  # the pages say "je" to students
    failed = request.query_params.get("failed", "")
    return render(
        request,
        "meetings/meeting.html",
        detail=detail,
        m=detail.meeting,
        theme=theme,
        host=host,
        manages=manages,
        suggestions=suggestions,
        done=gettext(DONE[done]) if done in DONE else "",
        failed=gettext(FAILED[failed]) if failed in FAILED else "",
        when=when,
        kind_label=kind_label,
        status_label=status_label,
    )


@router.post("/meetings/{meeting_id}/invite")
async def invite(
    request: Request, session: SessionDep, actor: PageUser, meeting_id: str
) -> Response:
    """Invite one of the suggestions (a mail with the .ics goes out)."""
    form = await request.form()
    try:
        kind = InviteeKind(str(form.get("kind", "")))
    except ValueError:
        return _to_meeting(meeting_id, failed="refused")
    try:
        meetings.invite(
            session,
            request.app.state.matching,
            actor,
            meeting_id,
            kind,
            str(form.get("invitee", "")),
        )
    except Conflict as refusal:
        session.rollback()
        full = "full" in str(refusal.detail)
        return _to_meeting(meeting_id, failed="full" if full else "twice")
    except Invalid:
        session.rollback()
        return _to_meeting(meeting_id, failed="refused")
    return _to_meeting(meeting_id, done="invited")


@router.post("/meetings/{meeting_id}/answer")
async def answer(
    request: Request, session: SessionDep, actor: PageUser, meeting_id: str
) -> Response:
    """The invitee's answer: coming or not."""
    form = await request.form()
    choice = str(form.get("answer", ""))
    if choice not in (InvitationStatus.accepted, InvitationStatus.declined):
        return _to_meeting(meeting_id, failed="refused")
    try:
        meetings.answer(
            session, actor, meeting_id, str(form.get("invitation", "")), InvitationStatus(choice)
        )
    except Conflict:
        session.rollback()
        return _to_meeting(meeting_id, failed="full")
    except NotFound:
        session.rollback()
        raise
    return _to_meeting(meeting_id, done="answered")


@router.post("/meetings/{meeting_id}/attendance")
async def attendance(
    request: Request, session: SessionDep, actor: PageUser, meeting_id: str
) -> Response:
    """Who came: the ticked invitees."""
    form = await request.form()
    present = [str(value) for value in form.getlist("present")]
    try:
        meetings.record_attendance(session, actor, meeting_id, present)
    except Invalid:
        session.rollback()
        return _to_meeting(meeting_id, failed="refused")
    return _to_meeting(meeting_id, done="attendance")


for _path in ("invite", "answer", "attendance"):
    # The address of a form, opened again (a reload, the language switch): the meeting.
    @router.get(f"/meetings/{{meeting_id}}/{_path}")
    def _back(actor: PageUser, meeting_id: str) -> Response:
        return _to_meeting(meeting_id)
