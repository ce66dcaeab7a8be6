"""Rounds: a community staffs its open challenges for one period with whole teams.

Intermediaries of the round's community (and admins) run a round; a student states their own
preferences in an open round they are part of; the SME that owns a challenge of the round sees
the students who ranked it under a number ("Kandidaat 3"), never who they are, and marks those
it would love to have. Anyone else gets 404, as for a round that does not exist (403 for a
role that never marks: students and monitors).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from sqlmodel import select

from service.api.deps import CurrentUser, Manager, PageDep, SessionDep, SettingsDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, INVALID, ROLE
from service.domain.tables import (
    Round,
    RoundCandidate,
    RoundCandidates,
    RoundCreate,
    RoundPairs,
    RoundPreferences,
    RoundPublic,
    RoundsPublic,
    RoundStaff,
)
from service.usecases import round_marks, round_staff, rounds

router = APIRouter(prefix="/rounds", tags=["rounds"])

NOT_FOUND = {404: {"description": "No such round, or not yours to run"}}
CONFLICT = {409: {"description": "Not allowed in the round's current status"}}


@router.get("", responses=AUTH)
def list_rounds(
    session: SessionDep, actor: CurrentUser, page: PageDep, community_id: str | None = None
) -> RoundsPublic:
    """The rounds the caller runs (intermediaries: their communities'; admins: all)."""
    query = select(Round).where(rounds.round_filter(actor))
    if community_id:
        query = query.where(Round.community_id == community_id)
    rows, count = paginate(session, query, page, Round.created_at, Round.id)
    return RoundsPublic(data=[rounds.round_public(session, r) for r in rows], count=count)


@router.post(
    "",
    status_code=201,
    responses={
        **AUTH,
        **ROLE,
        422: {"description": "Invalid field values, or a community, challenge or student unknown"},
    },
)
def open_round(session: SessionDep, actor: Manager, body: RoundCreate) -> RoundPublic:
    """Open a round for a community the caller manages: the given challenges (with their team
    rules) and students, or the community's published challenges of the period and its
    consenting students available in the period."""
    return rounds.open_round(session, actor, body)


@router.get("/{round_id}", responses={**AUTH, **NOT_FOUND})
def read_round(session: SessionDep, actor: CurrentUser, round_id: str) -> RoundPublic:
    """One round: its challenges with their rules, its students, pins and forbids."""
    return rounds.round_public(session, rounds.managed_round(session, actor, round_id))


@router.put(
    "/{round_id}/preferences/{student_id}",
    responses={**AUTH, **NOT_FOUND, **CONFLICT, **INVALID},
)
def put_preferences(
    session: SessionDep,
    actor: CurrentUser,
    round_id: str,
    student_id: str,
    body: RoundPreferences,
) -> RoundPreferences:
    """A student's ranked challenges of the round (best first, at most five): a student sets
    their own while the round is not committed; intermediaries of the community anyone's."""
    chosen = rounds.set_preferences(session, actor, round_id, student_id, body.challenge_ids)
    return RoundPreferences(challenge_ids=chosen)


@router.put("/{round_id}/pairs", responses={**AUTH, **NOT_FOUND, **CONFLICT, **INVALID})
def put_pairs(
    session: SessionDep, actor: CurrentUser, round_id: str, body: RoundPairs
) -> RoundPublic:
    """Replace the round's pins and forbids. A move is a pin of the student to the other
    challenge; solve again to see its effect."""
    return rounds.set_pairs(session, actor, round_id, body)


@router.put(
    "/{round_id}/challenges/{challenge_id}/staff",
    responses={**AUTH, **NOT_FOUND, **CONFLICT, **INVALID},
)
def put_staff(
    session: SessionDep, actor: CurrentUser, round_id: str, challenge_id: str, body: RoundStaff
) -> RoundStaff:
    """Replace the professionals of the challenge's own organisation who join its team: they
    stay in it whatever the allocation proposes, and take places of its team_max."""
    return round_staff.set_staff(session, actor, round_id, challenge_id, body)


@router.post("/{round_id}/solve", responses={**AUTH, **NOT_FOUND, **CONFLICT})
def solve_round(
    request: Request, session: SessionDep, settings: SettingsDep, actor: CurrentUser, round_id: str
) -> dict[str, Any]:
    """Propose teams (warm-started from the last proposal) and keep the proposal: per challenge
    the team, supervisor and why each member; per student left out and per unstaffed challenge,
    why."""
    limit = settings.round_time_limit_s
    found = rounds.managed_round(session, actor, round_id)
    return rounds.solve_round(
        session,
        request.app.state.matching,
        actor,
        round_id,
        time_limit_s=min(found.time_limit_s, limit),
    )


@router.get("/{round_id}/proposal", responses={**AUTH, **NOT_FOUND, **CONFLICT})
def read_proposal(session: SessionDep, actor: CurrentUser, round_id: str) -> dict[str, Any]:
    """The round's latest proposal (409 before the first solve)."""
    return rounds.read_proposal(session, actor, round_id)


@router.post("/{round_id}/commit", responses={**AUTH, **NOT_FOUND, **CONFLICT})
def commit_round(
    request: Request, session: SessionDep, actor: CurrentUser, round_id: str
) -> dict[str, Any]:
    """Every member of every proposed team becomes an approved suggestion with its reason,
    audited, and the round is committed: all of it or nothing."""
    made = rounds.commit_round(session, request.app.state.matching, actor, round_id)
    return {"round_id": round_id, "status": "committed", "suggestion_ids": [s.id for s in made]}


@router.get(
    "/{round_id}/teams.csv",
    responses={
        **AUTH,
        **NOT_FOUND,
        **CONFLICT,
        200: {"content": {"text/csv": {}}, "description": "One team member a line"},
    },
    response_class=Response,
)
def teams_csv(session: SessionDep, actor: CurrentUser, round_id: str, lang: str = "nl") -> Response:
    """The proposed teams as CSV (one member a line), cells guarded against formulas."""
    text = rounds.teams_csv(session, actor, round_id, "en" if lang == "en" else "nl")
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{round_id}-teams.csv"'},
    )


CANDIDATES = "/{round_id}/challenges/{challenge_id}/candidates"
Candidate = Annotated[int, Path(ge=1, le=100_000, description="the candidate's number")]


@router.get(CANDIDATES, responses={**AUTH, **ROLE, **NOT_FOUND})
def list_candidates(
    session: SessionDep, actor: CurrentUser, round_id: str, challenge_id: str
) -> RoundCandidates:
    """The students who ranked this challenge of the round, as its SME sees them before any
    match is approved: a number within the round, programme, level, skills, availability and
    the nearest town; never a name, e-mail address, id or free text. For the SME that owns
    the challenge, intermediaries of the community and admins."""
    return round_marks.list_candidates(session, actor, round_id, challenge_id)


@router.put(CANDIDATES + "/{candidate}/mark", responses={**AUTH, **ROLE, **NOT_FOUND, **CONFLICT})
def mark_candidate(
    session: SessionDep, actor: CurrentUser, round_id: str, challenge_id: str, candidate: Candidate
) -> RoundCandidate:
    """Mark a candidate the SME would love to have ("graag"): a bonus of the round's
    `sme_mark_weight` for this pair in the allocation, shown in the proposal's why."""
    return round_marks.set_mark(session, actor, round_id, challenge_id, candidate, on=True)


@router.delete(
    CANDIDATES + "/{candidate}/mark", responses={**AUTH, **ROLE, **NOT_FOUND, **CONFLICT}
)
def unmark_candidate(
    session: SessionDep, actor: CurrentUser, round_id: str, challenge_id: str, candidate: Candidate
) -> RoundCandidate:
    """Take a mark back (nothing happens when there was none)."""
    return round_marks.set_mark(session, actor, round_id, challenge_id, candidate, on=False)
