"""The student's pages: their profile, their ranked assignments with the reasons and what
would raise each match, and expressing interest (which the intermediary sees).

Every page is the logged-in student's own: no page takes a student id, so there is no other
student's page to reach. `/students/{id}` shows a profile read-only to whoever the API lets
read it (the student, intermediaries of their communities, admins) and is a 404 for others.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from service.api.deps import SessionDep
from service.api.limits import LimitsDep, too_many_requests
from service.domain.actor import Actor
from service.domain.errors import UnknownPlace, not_found
from service.domain.tables import (
    Challenge,
    Organisation,
    Role,
    StudentProfile,
    Suggestion,
    SuggestionStatus,
    TargetKind,
)
from service.domain.workflow import Action
from service.usecases import audit
from service.usecases.access import visible_student
from service.usecases.editing import require_communities
from service.usecases.profiles import create_student, update_student
from service.usecases.reviews import INTEREST_STATUSES, express_interest, wishes_of
from service.usecases.suggestions import challenges_for_student, suggestions_public
from service.usecases.themes import predecessor_of
from service.web import sme_skills
from service.web.auth import PageUser, require_roles
from service.web.forms import place_message
from service.web.i18n import N_, current_language, gettext
from service.web.render import is_htmx, render
from service.web.review_view import status_label
from service.web.student_view import (
    FIELD_LABELS,
    Assignment,
    Note,
    ProfileForm,
    assignment,
    language_options,
    level_options,
    skill_value,
    visibility_options,
)

router = APIRouter()
Student = Annotated[Actor, Depends(require_roles(Role.student))]

#: The status of a form that comes back with mistakes.
INVALID = status.HTTP_422_UNPROCESSABLE_CONTENT
NO_COMMUNITY = N_(
    "Je account hoort nog bij geen leergemeenschap. Vraag je intermediair om je toe te voegen."
)
#: How many assignments the page ranks.
ASSIGNMENTS = 10
#: Ranked pairs a student does not see: a rejection is the intermediary's, not theirs.
HIDDEN = (SuggestionStatus.rejected,)


def own_profile(session, actor: Actor) -> StudentProfile:
    """The student's own profile; a 404 page for a student account without one."""
    student = session.get(StudentProfile, actor.student_id) if actor.student_id else None
    if student is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No student profile for this account")
    return student


@router.get("/student")
def student_home(actor: Student) -> Response:
    return RedirectResponse("/student/assignments", status_code=status.HTTP_303_SEE_OTHER)


# -- the profile ----------------------------------------------------------------------------


def _profile_page(
    request: Request,
    form: ProfileForm,
    *,
    saved: bool = False,
    code: int = 200,
    creating: bool = False,
):
    levels = level_options()
    if creating or not form.values.get("level"):
        levels = [("", gettext("Kies je niveau")), *levels]
    return render(
        request,
        "student/profile.html",
        status_code=code,
        form=form,
        saved=saved,
        creating=creating,
        levels=levels,
        language_choices=language_options(form.languages),
        visibilities=visibility_options(),
        skill_value=skill_value,
        field_labels=FIELD_LABELS,
    )


@router.get("/student/profile")
def profile_form(request: Request, session: SessionDep, actor: Student, saved: bool = False):
    """The student's profile; for a student without one, the form to make it."""
    if actor.student_id is None:
        form = ProfileForm.empty(actor.user.full_name)
        return _profile_page(request, form, creating=True)
    return _profile_page(request, ProfileForm.of(own_profile(session, actor)), saved=saved)


@router.post("/student/profile")
async def save_profile(request: Request, session: SessionDep, actor: Student) -> Response:
    """Save the profile, or add the typed skill to the form (the "add" button) without saving.
    A form with mistakes comes back as typed, with a message at each wrong field."""
    posted = await request.form()  # many repeated fields: read here, handled in a thread
    return await run_in_threadpool(_save_profile, request, session, actor, posted)


def _save_profile(request: Request, session, actor: Actor, posted) -> Response:
    creating = actor.student_id is None
    form = ProfileForm.posted(posted)
    if posted.get("action") == "add_skill":
        choice = sme_skills.resolve(form.new_skill)
        if choice is not None:
            form.add_skill({"label": choice.label, "esco_uri": choice.uri or None})
        return _profile_page(request, form, creating=creating)
    matching = request.app.state.matching
    if creating:
        # A student makes their own profile, in the communities their account is in (the
        # API's rule for a student creating one).
        communities = require_communities(session, actor, sorted(actor.community_ids), manage=False)
        if not communities:
            form.errors = {"community_ids": gettext(NO_COMMUNITY)}
            return _profile_page(request, form, code=INVALID, creating=True)
        body = form.new_profile(communities)
        if body is None:
            return _profile_page(request, form, code=INVALID, creating=True)
        try:
            create_student(
                session, matching, actor, body, user_id=actor.id, community_ids=communities
            )
        except UnknownPlace as error:
            form.errors = {error.field: place_message(error)}
            return _profile_page(request, form, code=INVALID, creating=True)
    else:
        changes = form.changes()
        if changes is None:
            return _profile_page(request, form, code=INVALID)
        try:
            update_student(session, matching, actor, own_profile(session, actor), changes)
        except UnknownPlace as error:
            form.errors = {error.field: place_message(error)}
            return _profile_page(request, form, code=INVALID)
    return RedirectResponse("/student/profile?saved=1", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/student/skills/suggest")
def suggest_skills(
    request: Request, actor: Student, new_skill: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """ESCO skill labels for the autocomplete (htmx fills the datalist), in the page's language."""
    options = sme_skills.suggest(new_skill, current_language())
    return render(request, "student/_skill_options.html", options=options)


@router.post("/student/skills/add")
def add_skill(
    request: Request,
    session: SessionDep,
    actor: Student,
    skill: Annotated[str, Form(max_length=200)],
) -> Response:
    """Add one skill to the profile (the "add skill X" tip of an assignment) and go back."""
    student = own_profile(session, actor)
    choice = sme_skills.resolve(skill)
    if choice is not None:
        form = ProfileForm.of(student)
        form.add_skill({"label": choice.label, "esco_uri": choice.uri or None})
        changes = form.changes()
        if changes is not None:
            update_student(session, request.app.state.matching, actor, student, changes)
    return RedirectResponse("/student/assignments", status_code=status.HTTP_303_SEE_OTHER)


# -- ranked assignments -----------------------------------------------------------------------


def _organisation_names(session, challenges: list[Challenge]) -> dict[str, str]:
    ids = {c.organisation_id for c in challenges}
    if not ids:
        return {}
    rows = session.exec(select(Organisation).where(Organisation.id.in_(ids)))
    return {row.id: row.name for row in rows}


def ranked_assignments(
    request: Request, session, actor: Actor, student: StudentProfile
) -> list[Assignment]:
    """The published challenges of the student's communities ranked for them, with reasons.

    Ranked without the period filter, so that an assignment just outside the student's
    availability is shown with the tip to change it rather than left out."""
    found = challenges_for_student(
        session, request.app.state.matching, student, k=ASSIGNMENTS, available=False
    )
    found = [s for s in found if s.status not in HIDDEN]
    audit.record_suggestion_views(session, actor, found, "suggested challenges for a student")
    return _assignments(session, actor, student, found)


def _assignments(
    session, actor: Actor, student: StudentProfile, found: list[Suggestion]
) -> list[Assignment]:
    """The student's suggestions as they see them, ranked in the order given."""
    challenges = {s.challenge_id: session.get(Challenge, s.challenge_id) for s in found}
    names = _organisation_names(session, [c for c in challenges.values() if c])
    wished = wishes_of(session, [s.id for s in found])
    # The notes as the API gives them to the student, in the page's language.
    public = suggestions_public(session, found, viewer=actor, language=current_language())
    notes = {
        shown.id: [Note(n.label, n.ok, n.text) for n in shown.constraint_notes] for shown in public
    }
    return [
        assignment(
            rank,
            suggestion,
            challenges[suggestion.challenge_id],
            names.get(challenges[suggestion.challenge_id].organisation_id, ""),
            student,
            notes[suggestion.id],
            interested=Action.express_interest in wished.get(suggestion.id, set()),
            interest_open=suggestion.status in INTEREST_STATUSES,
        )
        for rank, suggestion in enumerate(found, start=1)
        if challenges.get(suggestion.challenge_id) is not None
    ]


@router.get("/student/assignments")
def assignments(
    request: Request, session: SessionDep, actor: Student, limits: LimitsDep
) -> Response:
    if actor.student_id is None:  # nothing to rank yet: first the profile
        return RedirectResponse("/student/profile", status_code=status.HTTP_303_SEE_OTHER)
    student = own_profile(session, actor)
    items: list[Assignment] = []
    if student.consent_matching:
        # Ranking is costly: the same per-user allowance as the API's suggestions.
        wait = limits.suggestions.hit(actor.id)
        if wait is not None:
            raise too_many_requests(wait, "Too many suggestion requests")
        items = ranked_assignments(request, session, actor, student)
    # Before saying yes, a student sees whose work an assignment continues (no names).
    before = {a.challenge.id: predecessor_of(session, a.challenge) for a in items}
    return render(
        request,
        "student/assignments.html",
        student=student,
        assignments=items,
        status_label=status_label,
        predecessors={id_: found for id_, found in before.items() if found is not None},
    )


@router.get("/student/assignments/{suggestion_id}")
def one_assignment(
    request: Request, session: SessionDep, actor: Student, suggestion_id: str
) -> Response:
    """One of the student's assignments on a page of its own: the whole text, the SME, the
    place and the period (the list cuts the text short). A 404 page for anyone else's."""
    suggestion = session.get(Suggestion, suggestion_id)
    mine = (
        suggestion is not None
        and actor.student_id is not None
        and suggestion.target_kind == TargetKind.student
        and suggestion.target_id == actor.student_id
        and suggestion.status not in HIDDEN
    )
    if not mine:
        raise not_found("Assignment", suggestion_id)
    student = own_profile(session, actor)
    audit.record_suggestion_views(session, actor, [suggestion], "an assignment of a student")
    (shown,) = _assignments(session, actor, student, [suggestion])
    before = predecessor_of(session, shown.challenge)
    return render(
        request,
        "student/assignment.html",
        a=shown,
        status_label=status_label,
        predecessors={shown.challenge.id: before} if before is not None else {},
    )


@router.post("/student/assignments/{suggestion_id}/interest")
def interest(request: Request, session: SessionDep, actor: Student, suggestion_id: str) -> Response:
    """Tell the intermediary the student would like this assignment (recorded once, on the
    suggestion, flagged in the review queue). htmx swaps in the confirmation."""
    express_interest(session, actor, suggestion_id)
    if is_htmx(request):
        return render(request, "student/_interest.html", suggestion_id=suggestion_id)
    return RedirectResponse(
        f"/student/assignments#sug-{suggestion_id}", status_code=status.HTTP_303_SEE_OTHER
    )


# -- a profile, read-only -----------------------------------------------------------------


@router.get("/students/{student_id}")
def student_page(
    request: Request, session: SessionDep, actor: PageUser, student_id: str
) -> Response:
    """A profile for whoever may read it through the API; everyone else gets the 404 page,
    the same as for an id that does not exist."""
    student = visible_student(session, actor, student_id)
    audit.record_student_views(session, actor, [student.id], "student.view", "profile page")
    return render(request, "student/view.html", student=student)
