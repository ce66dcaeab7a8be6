"""Ranked suggestions, computed on demand and persisted so that a review refers to a fixed score."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlmodel import Session

from service.api.deps import CurrentUser, ReaderLanguage, SessionDep
from service.domain.actor import Actor
from service.domain.errors import not_found
from service.domain.suggestion_models import SuggestionsPublic
from service.domain.tables import ChallengeStatus, Level, Suggestion
from service.storage.answer_cache import AnswerCache
from service.usecases.access import (
    can_edit_challenge,
    challenge_for_student_suggestions,
    seen_in,
    visible_challenge,
    visible_student,
)
from service.usecases.audit import ShownSuggestion, record_suggestion_views
from service.usecases.suggestions import (
    StudentFilters,
    challenges_for_student,
    research_groups_for_challenge,
    students_for_challenge,
    suggestions_public,
)

router = APIRouter(tags=["suggestions"])

ERRORS = {
    401: {"description": "Not logged in"},
    403: {"description": "Role may not do this"},
    404: {"description": "No such object, or not yours to see"},
    409: {"description": "The challenge is not published"},
}
K = Annotated[int, Query(ge=1, le=100, description="How many suggestions (max 100).")]


@dataclass(frozen=True)
class _Page:
    """An answer as it is sent, and what the audit log needs of it."""

    body: bytes
    shown: tuple[ShownSuggestion, ...]


def _answer(
    request: Request,
    session: Session,
    actor: Actor,
    language: str,
    key: tuple,
    suggest: Callable[[], list[Suggestion]],
    *,
    audit_reason: str | None,
) -> Response:
    """The page of suggestions `suggest` makes, as JSON, or the same page kept from an
    earlier identical request when nothing was written since (`service.storage.answer_cache`); the
    views of students are logged either way.

    Serialised here, once: a route that returns the model has FastAPI validate it a second
    time (in one more thread pool hand-off) before serialising it."""
    answers: AnswerCache[_Page] | None = request.app.state.answers
    # What a viewer may see of a student differs from viewer to viewer; the notes' texts
    # from language to language.
    key = (*key, actor.id, language)
    page = answers.get(key) if answers is not None else None
    if page is None:
        read_since = answers.clock.opened_at(session) if answers is not None else 0
        found = suggest()
        data = suggestions_public(session, found, viewer=actor, language=language)
        body = SuggestionsPublic(data=data, count=len(found)).model_dump_json().encode()
        page = _Page(body, tuple(ShownSuggestion.of(suggestion) for suggestion in found))
        if answers is not None:
            answers.put(key, page, read_since=read_since)
    if audit_reason is not None:
        record_suggestion_views(session, actor, page.shown, audit_reason)
    return Response(page.body, media_type="application/json")


def _published(challenge) -> None:
    if challenge.status != ChallengeStatus.published:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"Challenge {challenge.id} is {challenge.status}: publish it first",
        )


@router.get(
    "/challenges/{challenge_id}/suggestions/students",
    response_model=SuggestionsPublic,
    responses=ERRORS,
)
def suggest_students(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    text_language: ReaderLanguage,
    challenge_id: str,
    k: K = 10,
    level: Annotated[list[Level] | None, Query(description="Only these levels.")] = None,
    language: Annotated[str | None, Query(min_length=2, max_length=5)] = None,
    available: Annotated[bool, Query(description="Only students free in the period.")] = True,
) -> Response:
    """Ranked students for a challenge: intermediaries and admins. Students are shown to an
    SME only after an intermediary approves the match, except in a community whose
    approval_mode is "open": there the SME that owns the challenge may ask too (and sees each
    student's name only as the student's visibility allows). Every student shown to someone
    else is written to the audit log."""
    challenge = challenge_for_student_suggestions(session, actor, challenge_id)
    _published(challenge)
    filters = StudentFilters(
        levels=[value.value for value in level] if level else None,
        language=language,
        available=available,
    )
    return _answer(
        request,
        session,
        actor,
        text_language,
        ("students", challenge.id, k, tuple(filters.levels or ()), language, available),
        lambda: students_for_challenge(
            session, request.app.state.matching, challenge, k=k, filters=filters
        ),
        audit_reason="suggested students for a challenge",
    )


@router.get(
    "/challenges/{challenge_id}/suggestions/research-groups",
    response_model=SuggestionsPublic,
    responses=ERRORS,
)
def suggest_research_groups(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    language: ReaderLanguage,
    challenge_id: str,
    k: K = 5,
) -> Response:
    """Ranked research groups (lectoraten) for a challenge: its SME and intermediaries."""
    challenge = visible_challenge(session, actor, challenge_id)
    if not can_edit_challenge(actor, challenge):
        raise not_found("Challenge", challenge_id)
    _published(challenge)
    return _answer(
        request,
        session,
        actor,
        language,
        ("research-groups", challenge.id, k),
        lambda: research_groups_for_challenge(session, request.app.state.matching, challenge, k=k),
        audit_reason=None,  # research groups are no persons
    )


@router.get(
    "/students/{student_id}/suggestions/challenges",
    response_model=SuggestionsPublic,
    responses=ERRORS,
)
def suggest_challenges(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    language: ReaderLanguage,
    student_id: str,
    k: K = 10,
    available: Annotated[bool, Query(description="Only challenges in my free period.")] = True,
) -> Response:
    """Ranked published challenges for a student: the student and their intermediaries.
    A student who has not consented to matching gets none."""
    student = visible_student(session, actor, student_id)
    # An intermediary sees a student of several communities in their own ones only.
    within = None if actor.student_id == student.id else seen_in(actor)
    return _answer(
        request,
        session,
        actor,
        language,
        ("challenges", student.id, k, available),
        lambda: challenges_for_student(
            session, request.app.state.matching, student, k=k, available=available, within=within
        ),
        audit_reason="suggested challenges for a student",
    )
