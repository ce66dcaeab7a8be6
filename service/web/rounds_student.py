"""A student's preferences in the rounds of their communities: up to five of a round's
challenges, best first, while the round is not committed.

Saving goes through `service.usecases.rounds.set_preferences`, the function the API calls; a
saved choice answers with a redirect (post/redirect/get), a choice with a mistake comes back
with 422 and what was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from service.api.deps import SessionDep
from service.domain.actor import Actor
from service.domain.errors import DomainError
from service.domain.tables import (
    Challenge,
    Role,
    Round,
    RoundChallenge,
    RoundStatus,
    RoundStudent,
)
from service.usecases import rounds
from service.web.auth import require_roles
from service.web.i18n import N_, gettext
from service.web.render import render

router = APIRouter(prefix="/rounds")
Student = Annotated[Actor, Depends(require_roles(Role.student))]

#: How many challenges a student may rank.
CHOICES = 5
TWICE = N_("Deze uitdaging hebt u al hoger gekozen.")
NOT_IN_ROUND = N_("Kies een uitdaging van deze ronde.")


@dataclass
class RoundChoice:
    """One round the student takes part in, with its challenges and the student's choices."""

    round: Round
    challenges: list[tuple[str, str]]
    choices: list[str]
    errors: dict[str, str] = field(default_factory=dict)


def _rounds_of(session: Session, actor: Actor) -> list[RoundChoice]:
    """The rounds the student is part of, in their communities, not yet committed."""
    found = session.exec(
        select(Round, RoundStudent)
        .where(
            RoundStudent.round_id == Round.id,
            RoundStudent.student_id == actor.student_id,
            Round.status != RoundStatus.committed,
        )
        .order_by(Round.period_start, Round.id)
    ).all()
    choices = []
    for round_, entry in found:
        if not actor.in_community(round_.community_id):
            continue
        titles = session.exec(
            select(Challenge.id, Challenge.title)
            .where(
                RoundChallenge.round_id == round_.id,
                RoundChallenge.challenge_id == Challenge.id,
            )
            .order_by(Challenge.title)
        ).all()
        options = [(key, title) for key, title in titles]
        chosen = list(entry.preferences)[:CHOICES]
        choices.append(RoundChoice(round_, options, chosen + [""] * (CHOICES - len(chosen))))
    return choices


def _page(
    request: Request, entries: list[RoundChoice], status_code: int = 200, saved: str = ""
) -> Response:
    return render(
        request,
        "rounds/preferences.html",
        status_code=status_code,
        entries=entries,
        saved=saved,
        count=CHOICES,
    )


@router.get("/preferences")
def preferences(request: Request, session: SessionDep, actor: Student) -> Response:
    """The student's rounds, each with their ranked choices."""
    saved = str(request.query_params.get("saved", ""))
    return _page(request, _rounds_of(session, actor), saved=saved)


@router.post("/preferences")
async def save_preferences(request: Request, session: SessionDep, actor: Student) -> Response:
    """Save the student's ranked choices in one round; then the page again."""
    form = await request.form()
    entries = _rounds_of(session, actor)
    round_id = str(form.get("round", ""))
    entry = next((e for e in entries if e.round.id == round_id), None)
    if entry is None or actor.student_id is None:
        return _page(request, entries, status_code=404)
    entry.choices = [str(form.get(f"choice-{i}", ""))[:64] for i in range(1, CHOICES + 1)]
    allowed = {key for key, _title in entry.challenges}
    ranked: list[str] = []
    for i, choice in enumerate(entry.choices, start=1):
        if not choice:
            continue
        if choice not in allowed:
            entry.errors[f"choice-{i}"] = gettext(NOT_IN_ROUND)
        elif choice in ranked:
            entry.errors[f"choice-{i}"] = gettext(TWICE)
        else:
            ranked.append(choice)
    if entry.errors:
        return _page(request, entries, status_code=422)
    try:
        rounds.set_preferences(session, actor, round_id, actor.student_id, ranked)
    except DomainError:
        session.rollback()
        entry.errors["choice-1"] = gettext(NOT_IN_ROUND)
        return _page(request, entries, status_code=422)
    return RedirectResponse(f"/rounds/preferences?saved={round_id}", status.HTTP_303_SEE_OTHER)
