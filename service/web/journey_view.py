"""What the match page shows each party: the introduction (who, why, how to get in touch),
the step that is theirs now, and the timeline of the part of the match that is theirs.

The visibility rules are `service.usecases.access`'s: an SME sees a student's name as
`student_name_for` allows and their e-mail address only once the student accepted; the student
never sees an intermediary's reason (nor anyone's but their own, as in the API's events).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from service.domain.actor import Actor
from service.domain.tables import (
    Response,
    Role,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    User,
)
from service.domain.workflow import Action, Side
from service.usecases.access import SME_VISIBLE, STUDENT_VISIBLE
from service.usecases.notifications import intermediaries_of, sme_users, student_user
from service.usecases.reviews import event_public, own_side
from service.web.i18n import N_, format_moment, gettext
from service.web.review_view import MatchView, match_views, status_label

#: How many characters an evaluation or a reason may have (the API's limit).
MAX_TEXT = 2000

#: What each step of the timeline is called; `%(who)s` is the party that took it.
EVENT_TEXTS = {
    "approve": N_("De intermediair keurde de match goed."),
    "reject": N_("De intermediair wees de match af."),
    "introduce": N_("De intermediair introduceerde beide kanten."),
    "respond:accepted": N_("%(who)s accepteerde de introductie."),
    "respond:declined": N_("%(who)s sloeg de introductie af."),
    "start": N_("De intermediair startte het project."),
    "complete": N_("De intermediair rondde het project af."),
    "rate": N_("%(who)s gaf %(rating)s van 5."),
    "request_introduction": N_("%(who)s vroeg om een introductie."),
    "express_interest": N_("%(who)s toonde interesse."),
}
SIDE_NAMES = {Side.sme: N_("Het mkb-bedrijf"), Side.target: N_("De student")}
GROUP_SIDE = N_("De onderzoeksgroep")

#: The next step, per viewer: what the page says above its form (or instead of one).
NEXT_STEPS = {
    "respond": N_("Je bent voorgesteld. Accepteer of sla de introductie af."),
    "wait_other": N_("Je hebt geantwoord. We wachten op het antwoord van de andere kant."),
    "wait_start": N_("Beide kanten hebben geaccepteerd. De intermediair start het project."),
    "active": N_("Het project loopt. De intermediair rondt het af."),
    "rate": N_("Het project is afgerond. Geef een beoordeling en een korte evaluatie."),
    "rated": N_("Je beoordeling is ontvangen. Dank je wel!"),
    "declined": N_("Deze match gaat niet door."),
    "approved": N_("De intermediair heeft de match goedgekeurd en introduceert jullie."),
    "introduce": N_("Goedgekeurd: introduceer beide kanten."),
    "wait_answers": N_("Geïntroduceerd: we wachten op de antwoorden van beide kanten."),
    "start": N_("Beide kanten hebben geaccepteerd: start het project."),
    "complete": N_("Het project loopt: rond het af als het klaar is."),
    "completed": N_("Afgerond."),
    "rejected": N_("Afgewezen."),
    "suggested": N_("Voorgesteld: nog niet beoordeeld."),
}


@dataclass(frozen=True)
class Contact:
    """Someone to get in touch with: a name and, where the viewer may have it, an address."""

    role: str
    name: str
    email: str | None


@dataclass(frozen=True)
class TimelineEntry:
    at: str
    text: str
    reason: str | None


@dataclass
class MatchPage:
    """One match as one viewer sees it."""

    view: MatchView
    viewer: str  # student | sme | intermediary
    side: Side | None  # the viewer's own side, None for an intermediary
    next_step: str
    contacts: list[Contact]
    reason: str | None  # the intermediary's reason, for whoever may read it
    timeline: list[TimelineEntry]
    #: Forms the viewer may send now: "respond", "rate", or a step (introduce, start, complete).
    forms: list[str] = field(default_factory=list)
    #: The side an intermediary answers or rates for (a research group, which has no login).
    form_side: Side | None = None

    @property
    def id(self) -> str:
        return self.view.id

    @property
    def status_label(self) -> str:
        return status_label(self.view.status)


def viewer_kind(actor: Actor) -> str:
    if actor.role is Role.student:
        return "student"
    if actor.role is Role.sme:
        return "sme"
    return "intermediary"


def _forms(
    actor: Actor, suggestion: Suggestion, side: Side | None
) -> tuple[list[str], Side | None]:
    """The forms the viewer may send now, and for which side they answer."""
    status = SuggestionStatus(suggestion.status)
    if side is not None:
        forms = []
        response = getattr(suggestion, f"{side.value}_response")
        if status is SuggestionStatus.introduced and response == Response.pending:
            forms.append("respond")
        rating = getattr(suggestion, f"{side.value}_rating")
        if status is SuggestionStatus.completed and rating is None:
            forms.append("rate")
        return forms, None  # their own side: the use case knows it
    if not actor.manages({suggestion.community_id}):
        return [], None
    steps = {
        SuggestionStatus.approved: Action.introduce,
        SuggestionStatus.accepted: Action.start,
        SuggestionStatus.active: Action.complete,
    }
    forms = [steps[status].value] if status in steps else []
    # A research group has no login: the intermediary records its answer and its rating.
    if suggestion.target_kind != "student":
        if status is SuggestionStatus.introduced and suggestion.target_response == Response.pending:
            forms.append("respond")
        if status is SuggestionStatus.completed and suggestion.target_rating is None:
            forms.append("rate")
        return forms, Side.target
    return forms, None


def _next_step(viewer: str, suggestion: Suggestion, side: Side | None) -> str:
    status = SuggestionStatus(suggestion.status)
    if viewer == "intermediary":
        key = {
            SuggestionStatus.approved: "introduce",
            SuggestionStatus.introduced: "wait_answers",
            SuggestionStatus.accepted: "start",
            SuggestionStatus.active: "complete",
        }.get(status, status.value)
    elif status is SuggestionStatus.introduced and side is not None:
        own = getattr(suggestion, f"{side.value}_response")
        key = "respond" if own == Response.pending else "wait_other"
    elif status is SuggestionStatus.completed and side is not None:
        key = "rate" if getattr(suggestion, f"{side.value}_rating") is None else "rated"
    else:
        key = {
            SuggestionStatus.accepted: "wait_start",
            SuggestionStatus.active: "active",
            SuggestionStatus.declined: "declined",
            SuggestionStatus.approved: "approved",
        }.get(status, status.value)
    return gettext(NEXT_STEPS.get(key, NEXT_STEPS["suggested"]))


def _introducer(session: Session, suggestion: Suggestion) -> list[User]:
    """Who introduced the match (else the community's intermediaries): the contact for both."""
    actor_id = session.exec(
        select(SuggestionEvent.actor_id).where(
            SuggestionEvent.suggestion_id == suggestion.id, SuggestionEvent.action == "introduce"
        )
    ).first()
    user = session.get(User, actor_id) if actor_id else None
    return [user] if user is not None else intermediaries_of(session, suggestion.community_id)[:1]


def _contacts(session: Session, viewer: str, view: MatchView) -> list[Contact]:
    """How the viewer gets in touch with the other side, as far as they may."""
    suggestion = view.suggestion
    contacts: list[Contact] = []
    intermediary = gettext("Intermediair")
    if viewer in ("student", "intermediary"):
        contacts += [
            Contact(
                gettext("Mkb-bedrijf: %(name)s") % {"name": view.organisation_name},
                u.full_name,
                u.email,
            )
            for u in sme_users(session, suggestion)
        ]
    if viewer in ("sme", "intermediary"):
        if view.group is not None:
            if view.group.contact_name or view.group.contact_email:
                contacts.append(
                    Contact(view.group.name, view.group.contact_name, view.group.contact_email)
                )
        else:
            student = student_user(session, suggestion)
            # The student's own address only once they accepted the introduction to this SME.
            shown = viewer == "intermediary" or suggestion.target_response == Response.accepted
            if student is not None:
                contacts.append(
                    Contact(gettext("Student"), view.target_name, student.email if shown else None)
                )
    if viewer != "intermediary":
        contacts += [
            Contact(intermediary, u.full_name, u.email) for u in _introducer(session, suggestion)
        ]
    return contacts


def _who(session: Session, event: SuggestionEvent, suggestion: Suggestion, view: MatchView) -> str:
    side = event.action.split(":")[1] if ":" in event.action else None
    if side == Side.sme.value:
        return view.organisation_name or gettext(SIDE_NAMES[Side.sme])
    if side == Side.target.value:
        if view.group is not None:
            return view.group.name
        return view.target_name
    return gettext("De intermediair")


def _event_text(kind: str, who: str, rating: int | None) -> str:
    text = gettext(EVENT_TEXTS.get(kind, kind))
    return text % {"who": who, "rating": rating} if "%(" in text else text


def _visible_to(viewer: str, actor: Actor, event: SuggestionEvent) -> bool:
    """Each party sees its part: a student from the introduction on, an SME from the
    approval on (not the student's interest), an intermediary all; each their own steps."""
    if viewer == "intermediary" or event.actor_id == actor.id:
        return True
    if viewer == "student":
        return event.to_status in STUDENT_VISIBLE and not event.action.startswith("request_")
    return event.to_status in SME_VISIBLE and not event.action.startswith("express_interest")


def timeline(session: Session, actor: Actor, viewer: str, view: MatchView) -> list[TimelineEntry]:
    """The steps of the match the viewer may see, oldest first, with the reasons they may read."""
    suggestion = view.suggestion
    events = session.exec(
        select(SuggestionEvent)
        .where(SuggestionEvent.suggestion_id == suggestion.id)
        .order_by(SuggestionEvent.at, SuggestionEvent.id)
    )
    entries = []
    for event in events:
        if not _visible_to(viewer, actor, event):
            continue
        public = event_public(event, viewer=actor, suggestion=suggestion)
        kind = public.action.value
        if public.action is Action.respond and public.response is not None:
            kind = f"respond:{public.response.value}"
        who = _who(session, event, suggestion, view)
        entries.append(
            TimelineEntry(
                at=format_moment(event.at),
                text=_event_text(kind, who, public.rating),
                reason=public.reason,
            )
        )
    return entries


def match_page(session: Session, actor: Actor, suggestion: Suggestion) -> MatchPage:
    """The match as this viewer sees it (the caller checked that they may)."""
    view = match_views(session, actor, [suggestion])[0]
    viewer = viewer_kind(actor)
    side = own_side(session, actor, suggestion) if viewer != "intermediary" else None
    forms, form_side = _forms(actor, suggestion, side)
    return MatchPage(
        view=view,
        viewer=viewer,
        side=side,
        next_step=_next_step(viewer, suggestion, side),
        contacts=_contacts(session, viewer, view),
        reason=suggestion.reason if viewer != "student" else None,
        timeline=timeline(session, actor, viewer, view),
        forms=forms,
        form_side=form_side,
    )
