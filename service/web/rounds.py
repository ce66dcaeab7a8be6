"""The intermediary's rounds: open one for a community and a period, solve it, read the proposal
per challenge (team, supervisor, why each member, what the team covers and lacks) and per student
left out, pin, forbid or move members and solve again, commit, export the teams.

Every step calls `service.usecases.rounds`, the functions the API's round routes call, so it is
checked and audited the same way. A step that was carried out answers with a redirect to the
round (post/redirect/get); a form with a mistake comes back with 422 and what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from service.api.deps import SessionDep, SettingsDep
from service.api.errors import http_error
from service.domain.actor import Actor
from service.domain.errors import DomainError
from service.domain.tables import (
    Challenge,
    Community,
    Professional,
    ResearchGroup,
    Role,
    Round,
    RoundCreate,
    RoundPairBase,
    RoundPairs,
    RoundPublic,
    RoundStatus,
    StudentProfile,
    Teacher,
)
from service.usecases import rounds
from service.web.auth import require_roles
from service.web.i18n import N_, current_language, gettext
from service.web.professional import JOB_ROLES
from service.web.review_view import render_page as render

router = APIRouter(prefix="/rounds")
Runner = Annotated[Actor, Depends(require_roles(Role.intermediary, Role.admin))]

STATUS_LABELS = {
    RoundStatus.open: N_("open"),
    RoundStatus.proposed: N_("voorstel gemaakt"),
    RoundStatus.committed: N_("vastgelegd"),
}
REQUIRED = N_("Vul dit in.")
BAD_DATE = N_("Geef een datum (jjjj-mm-dd).")
END_BEFORE_START = N_("Het einde ligt voor het begin.")
NOT_YOURS = N_("Kies een leergemeenschap die u beheert.")
#: What a round's page says after a step (the redirect's `done`).
DONE_MESSAGES = {
    "solved": N_("Er is een nieuw voorstel gemaakt."),
    "pairs": N_("Vastgezet en uitgesloten is bijgewerkt. Los opnieuw op om het effect te zien."),
    "committed": N_("De ronde is vastgelegd: de teamleden zijn goedgekeurde matches."),
}


@dataclass
class NewRound:
    """The form to open a round, as typed, with a message per field."""

    community: str = ""
    name: str = ""
    period_label: str = ""
    period_start: str = ""
    period_end: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _communities(session: Session, actor: Actor) -> list[tuple[str, str]]:
    query = select(Community).order_by(Community.name)
    if not actor.is_admin:
        query = query.where(Community.id.in_(sorted(actor.community_ids)))
    return [(c.id, c.name) for c in session.exec(query)]


def _list_page(
    request: Request, session: Session, actor: Actor, form: NewRound, status_code: int = 200
) -> Response:
    found = session.exec(
        select(Round).where(rounds.round_filter(actor)).order_by(Round.created_at.desc(), Round.id)  # type: ignore[attr-defined]
    ).all()
    names = dict(_communities(session, actor))
    return render(
        request,
        "rounds/list.html",
        status_code=status_code,
        rounds=found,
        community_names=names,
        community_options=list(names.items()),
        status_labels={k.value: gettext(v) for k, v in STATUS_LABELS.items()},
        form=form,
    )


@router.get("")
def list_rounds(request: Request, session: SessionDep, actor: Runner) -> Response:
    """The rounds of the intermediary's communities, and the form to open one."""
    return _list_page(request, session, actor, NewRound())


def _date(form: NewRound, key: str) -> date | None:
    text = getattr(form, key).strip()
    if not text:
        form.errors[key] = gettext(REQUIRED)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        form.errors[key] = gettext(BAD_DATE)
        return None


@router.post("")
async def open_round(request: Request, session: SessionDep, actor: Runner) -> Response:
    """Open a round for a community and a period, with the community's open challenges and
    eligible students; then its page."""
    posted = await request.form()
    form = NewRound(**{k: str(posted.get(k, ""))[:200] for k in NewRound.__dataclass_fields__})
    form.errors = {}
    if form.community not in dict(_communities(session, actor)):
        form.errors["community"] = gettext(NOT_YOURS)
    for key in ("name", "period_label"):
        if len(getattr(form, key).strip()) < 2:
            form.errors[key] = gettext(REQUIRED)
    start, end = _date(form, "period_start"), _date(form, "period_end")
    if start and end and end < start:
        form.errors["period_end"] = gettext(END_BEFORE_START)
    if form.errors or start is None or end is None:
        return _list_page(request, session, actor, form, status_code=422)
    body = RoundCreate(
        community_id=form.community,
        name=form.name.strip(),
        period_label=form.period_label.strip(),
        period_start=start,
        period_end=end,
    )
    made = rounds.open_round(session, actor, body)
    return RedirectResponse(f"/rounds/{made.id}", status.HTTP_303_SEE_OTHER)


# -- one round ------------------------------------------------------------------------------


@dataclass
class Member:
    student_id: str
    name: str
    programme: str
    level: str
    fit: float
    why: list[str]
    pinned: bool


@dataclass
class StaffMember:
    """One of the challenge's own organisation's employees in its team: name, role and job
    title as the professional's profile has them (no e-mail, as for the students)."""

    professional_id: str
    name: str
    role: str
    job_title: str


@dataclass
class TeamView:
    challenge_id: str
    title: str
    supervisor: str
    fit: float
    members: list[Member]
    team: list[str]
    staff: list[StaffMember] = field(default_factory=list)


def _text(reason: dict[str, Any]) -> str:
    """A reason of the proposal in the page's language (the use case writes both)."""
    return str(reason.get(current_language(), reason.get("nl", reason.get("code", ""))))


def _by_id(session: Session, query: Any) -> dict[str, str]:
    """id → name from a two-column query."""
    return {key: value for key, value in session.exec(query)}


def _supervisor_names(session: Session, ids: set[str]) -> dict[str, str]:
    groups = select(ResearchGroup.id, ResearchGroup.name).where(ResearchGroup.id.in_(ids))
    teachers = select(Teacher.id, Teacher.full_name).where(Teacher.id.in_(ids))
    return _by_id(session, groups) | _by_id(session, teachers)


def _staff_member(professionals: dict[str, Professional], professional_id: str) -> StaffMember:
    found = professionals.get(professional_id)
    if found is None:  # the profile was deleted after the proposal
        return StaffMember(professional_id, professional_id, "", "")
    role = str(found.job_role)
    return StaffMember(
        professional_id=found.id,
        name=found.full_name,
        role=gettext(JOB_ROLES.get(role, role)),
        job_title=found.job_title,
    )


def _views(
    session: Session, public: RoundPublic, proposal: dict[str, Any]
) -> tuple[list[TeamView], list[dict[str, str]], list[dict[str, str]], dict[str, str]]:
    """The proposal's teams, students left out and unstaffed challenges, with names; and every
    challenge of the round by title."""
    teams = proposal.get("teams", [])
    challenge_ids = {c.challenge_id for c in public.challenges}
    titles = _by_id(
        session, select(Challenge.id, Challenge.title).where(Challenge.id.in_(challenge_ids))
    )
    student_ids = {m["student"] for t in teams for m in t["members"]}
    student_ids |= {u["student"] for u in proposal.get("unplaced", [])}
    people = {
        p.id: p
        for p in session.exec(select(StudentProfile).where(StudentProfile.id.in_(student_ids)))
    }
    names = _supervisor_names(session, {t["supervisor"] for t in teams if t["supervisor"]})
    staff_ids = {p for t in teams for p in t.get("staff", [])}
    professionals = {
        p.id: p for p in session.exec(select(Professional).where(Professional.id.in_(staff_ids)))
    }
    pinned = {(p.challenge_id, p.student_id) for p in public.pins}
    views = []
    for team in teams:
        members = []
        for m in team["members"]:
            person = people.get(m["student"])
            members.append(
                Member(
                    student_id=m["student"],
                    name=person.full_name if person else m["student"],
                    programme=person.programme if person else "",
                    level=str(person.level) if person else "",
                    fit=m["fit"],
                    why=[_text(r) for r in m.get("why", [])],
                    pinned=(team["challenge"], m["student"]) in pinned,
                )
            )
        views.append(
            TeamView(
                challenge_id=team["challenge"],
                title=titles.get(team["challenge"], team["challenge"]),
                supervisor=names.get(team["supervisor"] or "", ""),
                fit=team["fit"],
                members=members,
                team=[_text(r) for r in team.get("team", [])],
                staff=[_staff_member(professionals, p) for p in team.get("staff", [])],
            )
        )
    unplaced = [
        {
            "name": people[u["student"]].full_name if u["student"] in people else u["student"],
            "why": _text(u["why"]),
        }
        for u in proposal.get("unplaced", [])
    ]
    unstaffed = [
        {"title": titles.get(u["challenge"], u["challenge"]), "why": _text(u["why"])}
        for u in proposal.get("unstaffed", [])
    ]
    return views, unplaced, unstaffed, titles


def _round_page(
    request: Request,
    session: Session,
    actor: Actor,
    round_id: str,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    round_ = rounds.managed_round(session, actor, round_id)
    public = rounds.round_public(session, round_)
    proposal = round_.proposal or {}
    teams, unplaced, unstaffed, titles = _views(session, public, proposal)
    student_ids = set(public.student_ids)
    people = _by_id(
        session,
        select(StudentProfile.id, StudentProfile.full_name).where(
            StudentProfile.id.in_({p.student_id for p in public.pins + public.forbids})
        ),
    )
    pairs = [
        {
            "kind": kind,
            "student_id": p.student_id,
            "challenge_id": p.challenge_id,
            "name": people.get(p.student_id or "", p.student_id),
            "title": titles.get(p.challenge_id, p.challenge_id),
        }
        for kind, group in (("pin", public.pins), ("forbid", public.forbids))
        for p in group
        if p.student_id in student_ids
    ]
    done = str(request.query_params.get("done", ""))
    return render(
        request,
        "rounds/round.html",
        status_code=status_code,
        round=round_,
        public=public,
        round_status=gettext(STATUS_LABELS[round_.status]),
        proposal=proposal,
        teams=teams,
        unplaced=unplaced,
        unstaffed=unstaffed,
        infeasible=[_text(r) for r in proposal.get("infeasible", [])],
        challenge_options=sorted(titles.items(), key=lambda kv: kv[1]),
        pairs=pairs,
        done=gettext(DONE_MESSAGES[done]) if done in DONE_MESSAGES else "",
        error=error,
    )


@router.get("/{round_id}")
def show_round(request: Request, session: SessionDep, actor: Runner, round_id: str) -> Response:
    """The round: its proposal per challenge and per student left out, and its steps."""
    return _round_page(request, session, actor, round_id)


def _refused(
    request: Request, session: Session, actor: Actor, round_id: str, refusal: DomainError
) -> Response:
    """The round again with why the step could not be taken (its status code)."""
    session.rollback()
    code = http_error(refusal).status_code
    if code == 404:
        raise refusal
    message = {
        409: gettext("Dit kan niet in de huidige toestand van de ronde."),
        422: gettext("Deze keuze kan niet: kies een student en een uitdaging van de ronde."),
    }.get(code, gettext("Dit mag niet."))
    return _round_page(request, session, actor, round_id, error=message, status_code=code)


def _back(round_id: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/rounds/{round_id}?done={done}", status.HTTP_303_SEE_OTHER)


@router.post("/{round_id}/solve")
def solve(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Runner, round_id: str
) -> Response:
    """Propose teams (warm-started from the last proposal); then the round."""
    found = rounds.managed_round(session, actor, round_id)
    limit = min(found.time_limit_s, settings.round_time_limit_s)
    try:
        rounds.solve_round(session, request.app.state.matching, actor, round_id, time_limit_s=limit)
    except DomainError as refusal:
        return _refused(request, session, actor, round_id, refusal)
    return _back(round_id, "solved")


def _changed(public: RoundPublic, action: str, student: str, challenge: str) -> RoundPairs:
    """The round's pins and forbids after one change: pin (or move: pin elsewhere) replaces the
    student's pin, forbid drops the same pin, unpin and unforbid remove the pair."""
    pins = [p for p in public.pins if p.student_id is None or p.student_id != student]
    if action not in ("pin", "move"):
        pins = [
            p for p in public.pins if not (p.student_id == student and p.challenge_id == challenge)
        ]
    forbids = [
        p for p in public.forbids if not (p.student_id == student and p.challenge_id == challenge)
    ]
    pair = RoundPairBase(challenge_id=challenge, student_id=student)
    if action in ("pin", "move"):
        pins.append(pair)
    elif action == "forbid":
        forbids.append(pair)
    return RoundPairs(pins=pins, forbids=forbids)


@router.post("/{round_id}/pairs")
async def change_pairs(
    request: Request, session: SessionDep, actor: Runner, round_id: str
) -> Response:
    """Pin a member to their team, forbid them that challenge, move them to another one (a pin
    there), or take a pin or forbid back; then the round, to solve again."""
    form = await request.form()
    action = str(form.get("action", ""))
    student = str(form.get("student", ""))
    challenge = str(form.get("target" if action == "move" else "challenge", ""))
    public = rounds.round_public(session, rounds.managed_round(session, actor, round_id))
    if action not in ("pin", "move", "forbid", "unpin", "unforbid") or not student or not challenge:
        message = gettext("Kies een uitdaging om de student naar te verplaatsen.")
        return _round_page(request, session, actor, round_id, error=message, status_code=422)
    try:
        rounds.set_pairs(session, actor, round_id, _changed(public, action, student, challenge))
    except DomainError as refusal:
        return _refused(request, session, actor, round_id, refusal)
    return _back(round_id, "pairs")


@router.post("/{round_id}/commit")
def commit(request: Request, session: SessionDep, actor: Runner, round_id: str) -> Response:
    """Every member of every proposed team becomes an approved suggestion; then the round."""
    try:
        rounds.commit_round(session, request.app.state.matching, actor, round_id)
    except DomainError as refusal:
        return _refused(request, session, actor, round_id, refusal)
    return _back(round_id, "committed")


@router.get("/{round_id}/teams.csv")
def teams_csv(session: SessionDep, actor: Runner, round_id: str) -> Response:
    """The proposed teams as CSV, one member a line, in the page's language."""
    try:
        text = rounds.teams_csv(session, actor, round_id, current_language())
    except DomainError as refusal:
        session.rollback()
        return Response(str(refusal.detail), status_code=http_error(refusal).status_code)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{round_id}-teams.csv"'},
    )
