"""The intermediary's review queue: the matches of their communities, each with both sides and
the reasons, and the decisions on them: approve, reject with a reason, introduce, in bulk.

Every decision goes through `service.usecases.reviews.decide`, the function the API's review routes
call, so it is checked, recorded as an event and audited the same way.

Bulk decisions are made row by row, each in its own commit, and reported per row: a row that
cannot be decided (someone else decided it meanwhile, or its status no longer allows the step)
is reported with its reason and the other rows are still decided. All-or-nothing would let
one stale row block a whole batch of independent decisions, and each decision is a separate
event in the record anyway, exactly as if it had been made on its own.

A decision that was carried out answers with a redirect to the queue (post/redirect/get), whose
address names the rows and how each went, so a reload shows the report again and decides
nothing twice. A form with a mistake comes back at once, with what was typed: nothing was done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from service.api.deps import PageParams, SessionDep
from service.api.errors import http_error
from service.api.paging import paginate
from service.domain.actor import Actor
from service.domain.errors import DomainError
from service.domain.tables import (
    Challenge,
    Community,
    Role,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
)
from service.domain.workflow import WISHES, Action
from service.usecases.access import suggestion_filter
from service.usecases.audit import record_suggestion_views
from service.usecases.reviews import decide, managed_suggestion, wishes_of
from service.web.auth import require_roles
from service.web.i18n import N_, gettext
from service.web.review_view import MatchView, match_views, status_label
from service.web.review_view import render_page as render

router = APIRouter(prefix="/review")
Reviewer = Annotated[Actor, Depends(require_roles(Role.intermediary, Role.admin))]

#: Rows per page of the queue.
PAGE_SIZE = 10
#: Longest reason kept (the API's limit).
MAX_REASON = 2000
#: The single-row actions and what they are called on the page.
ROW_ACTIONS = {
    Action.approve: N_("goedgekeurd"),
    Action.reject: N_("afgewezen"),
    Action.introduce: N_("geïntroduceerd"),
}
REASON_REQUIRED = N_("Geef een reden om af te wijzen.")
REASON_TOO_LONG = N_("De reden is te lang (hoogstens 2000 tekens).")
NOTHING_SELECTED = N_("Selecteer eerst een of meer matches.")


@dataclass(frozen=True)
class Filters:
    """The queue's filters, from the query string or the decision form's hidden fields."""

    community: str = ""
    challenge: str = ""
    stage: str = SuggestionStatus.suggested.value  # "" for every stage
    wishes_only: bool = False
    page: int = 0

    @classmethod
    def read(cls, values) -> Filters:
        stage = str(values.get("stage", SuggestionStatus.suggested.value))
        if stage not in {s.value for s in SuggestionStatus}:
            stage = ""
        try:
            page = max(0, min(int(str(values.get("page", "0"))), 10_000))
        except ValueError:
            page = 0
        return cls(
            community=str(values.get("community", "")),
            challenge=str(values.get("challenge", "")),
            stage=stage,
            wishes_only=str(values.get("wishes", "")) == "1",
            page=page,
        )

    def query(self) -> list[tuple[str, str]]:
        """The filters as query parameters, as `read` takes them back."""
        pairs = [("community", self.community), ("challenge", self.challenge)]
        pairs += [("stage", self.stage), ("page", str(self.page))]
        return pairs + ([("wishes", "1")] if self.wishes_only else [])


#: How a row's decision went, as the redirect's address carries it.
DONE, NOT_FOUND, CONFLICT, REFUSED = "done", "not-found", "conflict", "refused"


@dataclass
class Outcome:
    """What happened to one row of a decision."""

    suggestion_id: str
    name: str
    ok: bool
    message: str


@dataclass
class Decision:
    """The decision form as posted: the rows, the reasons typed, the messages per field."""

    selected: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    bulk_reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)


def _queue(session: Session, actor: Actor, filters: Filters) -> tuple[list[Suggestion], int]:
    """One page of the suggestions the reviewer may see, filtered; and how many there are."""
    query = select(Suggestion).where(suggestion_filter(actor))
    if filters.community:
        query = query.where(Suggestion.community_id == filters.community)
    if filters.challenge:
        query = query.where(Suggestion.challenge_id == filters.challenge)
    if filters.stage:
        query = query.where(Suggestion.status == filters.stage)
    if filters.wishes_only:
        wished = select(SuggestionEvent.suggestion_id).where(
            SuggestionEvent.action.in_(
                [f"{action.value}:{rule.side.value}" for action, rule in WISHES.items()]
            )
        )
        query = query.where(Suggestion.id.in_(wished))
    page = PageParams(skip=filters.page * PAGE_SIZE, limit=PAGE_SIZE)
    return paginate(session, query, page, Suggestion.score.desc(), Suggestion.id)


def _challenge_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The challenges that have suggestions the reviewer may see, for the filter."""
    ids = select(Suggestion.challenge_id).where(suggestion_filter(actor)).distinct()
    rows = session.exec(select(Challenge).where(Challenge.id.in_(ids)).order_by(Challenge.title))
    return [(c.id, c.title) for c in rows]


def _community_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    query = select(Community).order_by(Community.name)
    if not actor.is_admin:
        query = query.where(Community.id.in_(sorted(actor.community_ids)))
    return [(c.id, c.name) for c in session.exec(query)]


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    filters: Filters,
    decision: Decision,
    *,
    status_code: int = 200,
) -> Response:
    rows, count = _queue(session, actor, filters)
    record_suggestion_views(session, actor, rows, "review queue")
    views: list[MatchView] = match_views(session, actor, rows)
    return render(
        request,
        "review/queue.html",
        status_code=status_code,
        matches=views,
        count=count,
        filters=filters,
        decision=decision,
        wishes=wishes_of(session, [row.id for row in rows]),
        community_options=_community_options(session, actor),
        challenge_options=_challenge_options(session, actor),
        stage_options=[(s.value, status_label(s.value)) for s in SuggestionStatus],
        page_size=PAGE_SIZE,
    )


@router.get("")
def queue(request: Request, session: SessionDep, actor: Reviewer) -> Response:
    """The review queue of the reviewer's communities (by default: what awaits a decision),
    with the report of the decision just made when the address names one."""
    decision = Decision(outcomes=_reported(session, actor, request.query_params))
    decision.selected = [o.suggestion_id for o in decision.outcomes if not o.ok]
    return _page(request, session, actor, Filters.read(request.query_params), decision)


def _reported(session: Session, actor: Actor, params) -> list[Outcome]:
    """The outcomes a redirect after a decision names (`action`, then `row=ID:RESULT` each),
    with their messages made now, in the reader's language. Rows the reader may not see are
    reported as not found, whatever the address says."""
    try:
        action = Action(str(params.get("action", "")))
    except ValueError:
        return []
    if action not in ROW_ACTIONS:
        return []
    outcomes = []
    for row in params.getlist("row")[: PAGE_SIZE * 10]:
        suggestion_id, _sep, result = str(row).rpartition(":")
        outcomes.append(_outcome(session, actor, suggestion_id, action, result))
    return outcomes


def _outcome(
    session: Session, actor: Actor, suggestion_id: str, action: Action, result: str
) -> Outcome:
    try:
        suggestion = managed_suggestion(session, actor, suggestion_id)
    except DomainError:
        return Outcome(
            suggestion_id,
            suggestion_id,
            False,
            gettext("Niet gevonden, of niet van uw leergemeenschap."),
        )
    name = _name(session, actor, suggestion)
    if result == DONE:
        return Outcome(suggestion_id, name, True, gettext(ROW_ACTIONS[action]))
    if result == NOT_FOUND:
        message = gettext("Niet gevonden, of niet van uw leergemeenschap.")
    elif result == CONFLICT:
        message = gettext("Kan niet: deze match is nu %(status)s.") % {
            "status": status_label(str(suggestion.status))
        }
    else:
        message = gettext("Kan niet: dit mag niet.")
    return Outcome(suggestion_id, name, False, message)


def _name(session: Session, actor: Actor, suggestion: Suggestion) -> str:
    """ "challenge – candidate" for the report of a decision."""
    view = match_views(session, actor, [suggestion])[0]
    title = view.challenge.title if view.challenge else ""
    return f"{title} – {view.target_name}"


def _decide_one(
    session: Session, actor: Actor, suggestion_id: str, action: Action, reason: str | None
) -> str:
    """One decision through the service; how it went (`DONE`, or why not)."""
    try:
        suggestion = managed_suggestion(session, actor, suggestion_id)
        decide(session, actor, suggestion, action, reason=reason)
    except DomainError as refusal:
        session.rollback()
        code = http_error(refusal).status_code
        return {404: NOT_FOUND, 409: CONFLICT}.get(code, REFUSED)
    return DONE


def _reason(decision: Decision, key: str, value: str) -> str | None:
    """A typed reason, checked; None (with a message under `key`) when it is not usable."""
    text = value.strip()
    if not text:
        decision.errors[key] = gettext(REASON_REQUIRED)
        return None
    if len(text) > MAX_REASON:
        decision.errors[key] = gettext(REASON_TOO_LONG)
        return None
    return text


@router.get("/decide")
def after_decision(request: Request, actor: Reviewer) -> Response:
    """The address a decision was posted to, opened again (the language switch, a reload):
    the queue with the same filters."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/review{query}", status.HTTP_303_SEE_OTHER)


@router.post("/decide")
async def decide_on_queue(request: Request, session: SessionDep, actor: Reviewer) -> Response:
    """Approve, reject or introduce one row (its own button), or the selected rows (the bulk
    buttons). A reason is required to reject: the row's own, or for a bulk rejection the
    common one. The queue comes back with what happened to each row and what was typed."""
    form = await request.form()
    filters = Filters.read(form)
    decision = Decision(
        selected=[str(v) for v in form.getlist("ids")],
        bulk_reason=str(form.get("bulk_reason", "")),
    )
    for key, value in form.multi_items():
        if key.startswith("reason-"):
            decision.reasons[key.removeprefix("reason-")] = str(value)
    kind, _sep, target = str(form.get("action", "")).partition(":")
    try:
        action = Action(target if kind == "bulk" else kind)
    except ValueError:
        return _page(request, session, actor, filters, decision)  # e.g. Enter in a text field
    if action not in ROW_ACTIONS:
        return _page(request, session, actor, filters, decision, status_code=422)
    rows = decision.selected if kind == "bulk" else [target]
    if not rows:
        decision.errors["ids"] = gettext(NOTHING_SELECTED)
        return _page(request, session, actor, filters, decision, status_code=422)
    reasons: dict[str, str | None] = {}
    for suggestion_id in rows:
        reason = None
        typed = decision.reasons.get(suggestion_id, "")
        if action is Action.reject:
            if kind == "bulk" and not typed.strip():
                reason = _reason(decision, "bulk_reason", decision.bulk_reason)
            else:
                reason = _reason(decision, f"reason-{suggestion_id}", typed)
        elif action is Action.approve and typed.strip():
            reason = typed.strip()[:MAX_REASON]  # an approval's reason is optional
        reasons[suggestion_id] = reason
    if decision.errors:
        return _page(request, session, actor, filters, decision, status_code=422)
    report = [("action", action.value)]
    for suggestion_id in rows:
        result = _decide_one(session, actor, suggestion_id, action, reasons[suggestion_id])
        report.append(("row", f"{suggestion_id}:{result}"))
    # Post/redirect/get: a reload of the queue reports again and decides nothing twice.
    address = f"/review?{urlencode(filters.query() + report)}#outcomes"
    return RedirectResponse(address, status.HTTP_303_SEE_OTHER)
