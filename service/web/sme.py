"""The SME's pages: post a challenge with guidance, correct its skills, edit the draft,
publish it, see the ranked research groups and students with the reasons, and ask for an
introduction.

Every step calls the service functions the API calls (`service.usecases.challenges`,
`service.usecases.suggestions`, `service.usecases.reviews`, `service.usecases.access`), so the
same rules hold: an SME sees its own organisation's challenges only, and a suggested student
only as the community's approval rule and the student's visibility allow.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from service.api.deps import SessionDep
from service.api.limits import LimitsDep, too_many_requests
from service.domain.actor import Actor
from service.domain.errors import Invalid, NotFound, UnknownPlace
from service.domain.tables import (
    Challenge,
    ChallengeKind,
    ChallengeLevel,
    ChallengeStatus,
    Community,
    Organisation,
    Remote,
    Role,
    Suggestion,
    TargetKind,
)
from service.domain.workflow import Action
from service.usecases.access import (
    editable_challenge,
    is_open_community,
    suggestion_filter,
)
from service.usecases.audit import record_suggestion_views
from service.usecases.challenges import create_challenge, move_challenge, update_challenge
from service.usecases.reviews import voice_wish, wishes_of
from service.usecases.suggestions import (
    StudentFilters,
    research_groups_for_challenge,
    students_for_challenge,
)
from service.web.auth import require_roles
from service.web.forms import place_message
from service.web.i18n import current_language, gettext
from service.web.review_view import kind_label, level_label, match_views, remote_label
from service.web.review_view import render_page as render
from service.web.sme_form import ChallengeForm
from service.web.sme_skills import SkillChoice, merge, resolve, suggest
from service.web.sme_tips import guidance_tips

router = APIRouter(prefix="/sme")
SmeUser = Annotated[Actor, Depends(require_roles(Role.sme))]

#: How many research groups and students a challenge page ranks.
RESEARCH_GROUPS_SHOWN = 5
STUDENTS_SHOWN = 10


def _communities(session: Session, actor: Actor) -> list[Community]:
    ids = sorted(actor.community_ids)
    rows = session.exec(select(Community).where(Community.id.in_(ids))).all()
    return sorted(rows, key=lambda c: c.name)


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    form: ChallengeForm,
    *,
    status_code: int = 200,
    editing: Challenge | None = None,
) -> Response:
    communities = _communities(session, actor)
    return render(
        request,
        "sme/challenge_form.html",
        status_code=status_code,
        form=form,
        editing=editing,
        editing_community=session.get(Community, editing.community_id) if editing else None,
        communities=communities,
        community_options=[(c.id, c.name) for c in communities],
        level_options=[(level.value, level_label(level.value)) for level in ChallengeLevel],
        kind_options=[(kind.value, kind_label(kind.value)) for kind in ChallengeKind],
        remote_options=[(r.value, remote_label(r.value)) for r in Remote],
        language_options=[("nl", gettext("Nederlands")), ("en", gettext("Engels"))],
        warnings=guidance_tips(form),
    )


@router.get("")
def my_challenges(request: Request, session: SessionDep, actor: SmeUser) -> Response:
    """The organisation's challenges, newest first."""
    organisation = session.get(Organisation, actor.user.organisation_id or "")
    rows = session.exec(
        select(Challenge)
        .where(Challenge.organisation_id == (actor.user.organisation_id or ""))
        .order_by(Challenge.created_at.desc(), Challenge.id)
    ).all()
    return render(request, "sme/challenges.html", challenges=rows, organisation=organisation)


@router.get("/challenges/new")
def new_challenge(request: Request, session: SessionDep, actor: SmeUser) -> Response:
    form = ChallengeForm()
    communities = _communities(session, actor)
    if communities:
        form.values["community_id"] = communities[0].id
    return _form_page(request, session, actor, form)


def _merged(form: ChallengeForm, added: SkillChoice | None) -> list[SkillChoice]:
    shown = [s.value for s in form.skills]
    return merge(shown, [s.value for s in form.skills if s.chosen], form.text, added)


async def _assisted(request: Request) -> ChallengeForm:
    """The form as filled in so far with its skills merged (the engine's tags, the SME's
    corrections). A skill is added only by the "add" button (intent), not whenever the form
    is posted while a few letters stand in the add field."""
    raw = await request.form()
    form = ChallengeForm.from_form(raw)
    adding = raw.get("intent") == "add_skill"
    form.skills = _merged(form, resolve(str(raw.get("add_skill", ""))) if adding else None)
    return form


@router.post("/challenges/assist")
async def assist(request: Request, actor: SmeUser) -> Response:
    """htmx: the skills and the tips, as the text is typed or a skill added."""
    form = await _assisted(request)
    return render(request, "sme/_assist.html", form=form, warnings=guidance_tips(form))


@router.post("/challenges/tips")
async def tips(request: Request, actor: SmeUser) -> Response:
    """htmx: the tips alone, whenever a field of the form changes (level, period, place, a
    skill ticked …), so that they follow the form. The skills panel is left alone: redrawing
    it would undo a tick made while the request was under way."""
    form = await _assisted(request)
    return render(request, "sme/_warnings.html", warnings=guidance_tips(form))


@router.get("/skills")
def skill_options(request: Request, actor: SmeUser, add_skill: str = "") -> Response:
    """htmx: ESCO skill labels for the autocomplete (options of a datalist), in the page's
    language."""
    labels = suggest(add_skill, current_language())
    return render(request, "sme/_skill_options.html", labels=labels)


@router.get("/challenges")
def challenges_again(actor: SmeUser) -> Response:
    """The address the form is posted to, opened again (the language switch, a reload)."""
    return RedirectResponse("/sme/challenges/new", status.HTTP_303_SEE_OTHER)


async def _posted_form(
    request: Request, community_id: str | None = None
) -> tuple[ChallengeForm, str]:
    """The posted form with its skills merged, and what the SME asked for: "save", or
    "add_skill"/"check" (the buttons that only redraw the form when JavaScript is off)."""
    raw = await request.form()
    form = ChallengeForm.from_form(raw)
    if community_id is not None:
        form.values["community_id"] = community_id
    intent = str(raw.get("intent", "save"))
    added = resolve(str(raw.get("add_skill", ""))) if intent == "add_skill" else None
    form.skills = _merged(form, added)
    return form, intent


@router.post("/challenges")
async def post_challenge(request: Request, session: SessionDep, actor: SmeUser) -> Response:
    """Save the challenge as a draft; on an error the form comes back as typed, with messages.
    Without JavaScript the buttons "add skill" and "check" come here too."""
    form, intent = await _posted_form(request)
    if intent != "save":
        return _form_page(request, session, actor, form)
    body = form.validate()
    if body is None:
        return _form_page(request, session, actor, form, status_code=422)
    try:
        challenge = create_challenge(session, request.app.state.matching, actor, body)
    except UnknownPlace as error:
        form.errors["place"] = place_message(error)
        return _form_page(request, session, actor, form, status_code=422)
    except (NotFound, Invalid):
        form.errors["community_id"] = gettext("Kies een leergemeenschap van uw organisatie.")
        return _form_page(request, session, actor, form, status_code=422)
    return RedirectResponse(f"/sme/challenges/{challenge.id}", status.HTTP_303_SEE_OTHER)


def _draft(session: Session, actor: Actor, challenge_id: str) -> Challenge:
    """The organisation's challenge, if still a draft: once published, suggestions and reviews
    rest on its text, so the page does not change it under them (404 for another's)."""
    challenge = editable_challenge(session, actor, challenge_id)
    if challenge.status != ChallengeStatus.draft:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"Challenge {challenge_id} is {challenge.status}: only a draft is edited here",
        )
    return challenge


@router.get("/challenges/{challenge_id}/edit")
def edit_challenge(
    request: Request, session: SessionDep, actor: SmeUser, challenge_id: str
) -> Response:
    """The create form, filled in with the draft."""
    challenge = _draft(session, actor, challenge_id)
    form = ChallengeForm.from_challenge(challenge)
    return _form_page(request, session, actor, form, editing=challenge)


@router.post("/challenges/{challenge_id}/edit")
async def post_edit(
    request: Request, session: SessionDep, actor: SmeUser, challenge_id: str
) -> Response:
    """Save the edited draft (as the API's PATCH does); on an error the form comes back as
    typed, with messages. The community stays: the challenge was posted there."""
    challenge = _draft(session, actor, challenge_id)
    form, intent = await _posted_form(request, community_id=challenge.community_id)
    if intent != "save":
        return _form_page(request, session, actor, form, editing=challenge)
    changes = form.validate_changes()
    if changes is None:
        return _form_page(request, session, actor, form, status_code=422, editing=challenge)
    try:
        update_challenge(session, request.app.state.matching, actor, challenge.id, changes)
    except UnknownPlace as error:
        form.errors["place"] = place_message(error)
        return _form_page(request, session, actor, form, status_code=422, editing=challenge)
    return RedirectResponse(f"/sme/challenges/{challenge.id}", status.HTTP_303_SEE_OTHER)


def _suggest_for_review(session: Session, request: Request, challenge: Challenge) -> None:
    """Rank students and research groups for a freshly published challenge, so that the
    intermediary's queue has them; the SME sees a student only as the rules allow."""
    matching = request.app.state.matching
    students_for_challenge(session, matching, challenge, k=STUDENTS_SHOWN, filters=StudentFilters())
    research_groups_for_challenge(session, matching, challenge, k=RESEARCH_GROUPS_SHOWN)


@router.post("/challenges/{challenge_id}/publish")
def publish(request: Request, session: SessionDep, actor: SmeUser, challenge_id: str) -> Response:
    challenge = move_challenge(session, request.app.state.matching, actor, challenge_id, "publish")
    _suggest_for_review(session, request, challenge)
    return RedirectResponse(f"/sme/challenges/{challenge.id}", status.HTTP_303_SEE_OTHER)


def _visible_students(session: Session, actor: Actor, challenge: Challenge) -> list[Suggestion]:
    """The student suggestions of this challenge the SME may see (the API's approval gate)."""
    query = (
        select(Suggestion)
        .where(
            suggestion_filter(actor),
            Suggestion.challenge_id == challenge.id,
            Suggestion.target_kind == TargetKind.student,
        )
        .order_by(Suggestion.score.desc(), Suggestion.id)
        .limit(STUDENTS_SHOWN)
    )
    return list(session.exec(query))


def _limit_ranking(limits: LimitsDep, actor: SmeUser) -> None:
    """Ranking is costly: the page shares the API's allowance of suggestion requests."""
    wait = limits.suggestions.hit(actor.id)
    if wait is not None:
        raise too_many_requests(wait, "Too many suggestion requests")


@router.get("/challenges/{challenge_id}", dependencies=[Depends(_limit_ranking)])
def challenge_page(
    request: Request, session: SessionDep, actor: SmeUser, challenge_id: str
) -> Response:
    """One challenge of the organisation; once published, its ranked research groups and the
    students the SME may see, each with why it matches."""
    challenge = editable_challenge(session, actor, challenge_id)
    groups: list[Suggestion] = []
    students: list[Suggestion] = []
    open_community = is_open_community(session, challenge.community_id)
    if challenge.status == ChallengeStatus.published:
        matching = request.app.state.matching
        groups = research_groups_for_challenge(
            session, matching, challenge, k=RESEARCH_GROUPS_SHOWN
        )
        if open_community:
            students_for_challenge(
                session, matching, challenge, k=STUDENTS_SHOWN, filters=StudentFilters()
            )
        students = _visible_students(session, actor, challenge)
        record_suggestion_views(session, actor, students, "SME challenge page")
    shown = groups + students
    return render(
        request,
        "sme/challenge.html",
        challenge=challenge,
        groups=match_views(session, actor, groups),
        students=match_views(session, actor, students),
        open_community=open_community,
        wishes=wishes_of(session, [s.id for s in shown]),
        community=session.get(Community, challenge.community_id),
    )


@router.post("/suggestions/{suggestion_id}/introduction")
def ask_introduction(
    request: Request, session: SessionDep, actor: SmeUser, suggestion_id: str
) -> Response:
    """Ask the intermediary to introduce this match (a wish on the suggestion, flagged in the
    review queue)."""
    suggestion = voice_wish(session, actor, suggestion_id, Action.request_introduction)
    target = f"/sme/challenges/{suggestion.challenge_id}#match-{suggestion.id}"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)
