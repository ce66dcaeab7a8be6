"""The SME's candidates in rounds: per challenge of its organisation in a round, the students who
ranked it, each under a number ("Kandidaat 3") with programme, level, skills, availability and
the nearest town, and a button to mark the ones it would love to have ("graag").

No name, e-mail address, id or free text of a student reaches these pages before a match is
approved (the lead's decision); every step calls `service.usecases.round_marks`, the functions
the API's candidate routes call. A mark answers with a redirect back to the list
(post/redirect/get).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from service.api.deps import SessionDep
from service.domain.actor import Actor
from service.domain.errors import Conflict
from service.domain.tables import Role
from service.usecases import round_marks
from service.web.auth import require_roles
from service.web.i18n import N_, gettext
from service.web.review_view import render_page as render
from service.web.rounds import STATUS_LABELS

router = APIRouter(prefix="/sme/rounds")
SmeUser = Annotated[Actor, Depends(require_roles(Role.sme))]

DONE_MESSAGES = {
    "marked": N_("Bewaard: u wilt deze kandidaat graag."),
    "unmarked": N_("Bewaard: de markering is weg."),
}
COMMITTED = N_("De ronde is vastgelegd: markeringen veranderen niet meer.")


def _status(value: str) -> str:
    return gettext(STATUS_LABELS.get(value, value))


@router.get("")
def my_rounds(request: Request, session: SessionDep, actor: SmeUser) -> Response:
    """The rounds with a challenge of the organisation, each with its number of candidates."""
    return render(
        request,
        "sme/rounds.html",
        entries=round_marks.rounds_of_sme(session, actor),
        round_status=_status,
    )


def _candidates_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    round_id: str,
    challenge_id: str,
    *,
    done: str = "",
    refusal: str = "",
    status_code: int = 200,
) -> Response:
    listed = round_marks.list_candidates(session, actor, round_id, challenge_id)
    message = DONE_MESSAGES.get(done)
    return render(
        request,
        "sme/candidates.html",
        status_code=status_code,
        listed=listed,
        done=gettext(message) if message else "",
        refusal=refusal,
        round_status=_status,
    )


@router.get("/{round_id}/challenges/{challenge_id}")
def candidates(
    request: Request, session: SessionDep, actor: SmeUser, round_id: str, challenge_id: str
) -> Response:
    """The challenge's candidates in the round, under their numbers, with the SME's marks."""
    done = str(request.query_params.get("done", ""))
    return _candidates_page(request, session, actor, round_id, challenge_id, done=done)


@router.post("/{round_id}/challenges/{challenge_id}/mark")
async def mark(
    request: Request, session: SessionDep, actor: SmeUser, round_id: str, challenge_id: str
) -> Response:
    """Mark a candidate ("graag") or take the mark back; then the list again."""
    form = await request.form()
    raw = str(form.get("candidate", ""))
    on = str(form.get("graag", "")) == "1"
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        round_marks.marking_scope(session, actor, round_id, challenge_id)  # 404 first
        return _candidates_page(request, session, actor, round_id, challenge_id, status_code=400)
    try:
        round_marks.set_mark(session, actor, round_id, challenge_id, int(raw), on=on)
    except Conflict:
        session.rollback()
        return _candidates_page(
            request,
            session,
            actor,
            round_id,
            challenge_id,
            refusal=gettext(COMMITTED),
            status_code=409,
        )
    done = "marked" if on else "unmarked"
    return RedirectResponse(
        f"/sme/rounds/{round_id}/challenges/{challenge_id}?done={done}#kandidaat-{raw}",
        status.HTTP_303_SEE_OTHER,
    )
