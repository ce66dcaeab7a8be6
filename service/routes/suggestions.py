"""Ranked suggestions, computed on demand and persisted so that a review refers to a fixed score."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from service.access import (
    can_edit_challenge,
    challenge_for_student_suggestions,
    visible_challenge,
    visible_student,
)
from service.audit import record_suggestion_views
from service.deps import CurrentUser, SessionDep, not_found
from service.suggestions import (
    StudentFilters,
    SuggestionPublic,
    SuggestionsPublic,
    challenges_for_student,
    research_groups_for_challenge,
    students_for_challenge,
    suggestions_public,
)
from service.tables import ChallengeStatus, Level

router = APIRouter(tags=["suggestions"])

ERRORS = {
    401: {"description": "Not logged in"},
    403: {"description": "Role may not do this"},
    404: {"description": "No such object, or not yours to see"},
    409: {"description": "The challenge is not published"},
}
K = Annotated[int, Query(ge=1, le=100, description="How many suggestions (max 100).")]


def _answer(data: list[SuggestionPublic], count: int) -> Response:
    """The page as JSON. Serialised here, once: a route that returns the model has FastAPI
    validate it a second time (in one more thread pool hand-off) before serialising it."""
    page = SuggestionsPublic(data=data, count=count)
    return Response(page.model_dump_json(), media_type="application/json")


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
    found = students_for_challenge(
        session, request.app.state.matching, challenge, k=k, filters=filters
    )
    record_suggestion_views(session, actor, found, "suggested students for a challenge")
    data = suggestions_public(session, found, viewer=actor)
    return _answer(data, len(found))


@router.get(
    "/challenges/{challenge_id}/suggestions/research-groups",
    response_model=SuggestionsPublic,
    responses=ERRORS,
)
def suggest_research_groups(
    request: Request, session: SessionDep, actor: CurrentUser, challenge_id: str, k: K = 5
) -> Response:
    """Ranked research groups (lectoraten) for a challenge: its SME and intermediaries."""
    challenge = visible_challenge(session, actor, challenge_id)
    if not can_edit_challenge(actor, challenge):
        raise not_found("Challenge", challenge_id)
    _published(challenge)
    found = research_groups_for_challenge(session, request.app.state.matching, challenge, k=k)
    data = suggestions_public(session, found, viewer=actor)
    return _answer(data, len(found))


@router.get(
    "/students/{student_id}/suggestions/challenges",
    response_model=SuggestionsPublic,
    responses=ERRORS,
)
def suggest_challenges(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    student_id: str,
    k: K = 10,
    available: Annotated[bool, Query(description="Only challenges in my free period.")] = True,
) -> Response:
    """Ranked published challenges for a student: the student and their intermediaries.
    A student who has not consented to matching gets none."""
    student = visible_student(session, actor, student_id)
    found = challenges_for_student(
        session, request.app.state.matching, student, k=k, available=available
    )
    record_suggestion_views(session, actor, found, "suggested challenges for a student")
    data = suggestions_public(session, found, viewer=actor)
    return _answer(data, len(found))
