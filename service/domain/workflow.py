"""The review workflow of a suggestion: which action may follow which, and what it changes.

A small state machine with no database and no HTTP. It does not decide *who* may act (the
routes do); it only refuses an action that the suggestion's current status does not allow.

    suggested  --approve-->   approved     --introduce-->  introduced
    suggested  --reject--->   rejected     (final)
    introduced --respond-->   accepted     once both sides accepted
                              declined     as soon as one side declines (final)
                              introduced   while the other side has not answered
    accepted   --start---->   active       --complete-->   completed
    completed  --rate----->   completed    each side rates once, 1 to 5

Besides these steps a side may voice a wish that leaves the status as it is (`wish`): the
SME asks the intermediary for an introduction, the student shows interest in an assignment.
It is recorded as an event like a step.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple, Protocol

from service.domain.tables import Response, SuggestionStatus


class Action(StrEnum):
    approve = "approve"
    reject = "reject"
    introduce = "introduce"
    respond = "respond"
    start = "start"
    complete = "complete"
    rate = "rate"
    #: A wish that does not move the status (see `WISHES`): the SME asks for an introduction.
    request_introduction = "request_introduction"
    #: A wish of the student: interest in an assignment suggested to them.
    express_interest = "express_interest"


class Side(StrEnum):
    """The two parties of a match: the SME that owns the challenge, and the student or group."""

    sme = "sme"
    target = "target"


class TransitionError(Exception):
    """An action the suggestion's current status does not allow; the message names both."""

    def __init__(self, message: str, *, status: SuggestionStatus, allowed: tuple[str, ...]):
        super().__init__(message)
        self.message = message
        self.status = status
        self.allowed = allowed


class ActionError(ValueError):
    """An action called with missing or wrong arguments (a caller's mistake, not a conflict)."""


class Transition(NamedTuple):
    from_status: SuggestionStatus
    to_status: SuggestionStatus


class Reviewable(Protocol):
    """What the workflow reads and writes: a `service.domain.tables.Suggestion` fits."""

    status: SuggestionStatus
    reason: str | None
    sme_response: Response
    target_response: Response
    sme_rating: int | None
    target_rating: int | None


#: The actions each status allows, before looking at which side has answered or rated.
ALLOWED: dict[SuggestionStatus, tuple[Action, ...]] = {
    SuggestionStatus.suggested: (Action.approve, Action.reject),
    SuggestionStatus.approved: (Action.introduce,),
    SuggestionStatus.rejected: (),
    SuggestionStatus.introduced: (Action.respond,),
    SuggestionStatus.accepted: (Action.start,),
    SuggestionStatus.declined: (),
    SuggestionStatus.active: (Action.complete,),
    SuggestionStatus.completed: (Action.rate,),
}

#: Where the actions without sides lead.
_TARGETS = {
    Action.approve: SuggestionStatus.approved,
    Action.reject: SuggestionStatus.rejected,
    Action.introduce: SuggestionStatus.introduced,
    Action.start: SuggestionStatus.active,
    Action.complete: SuggestionStatus.completed,
}

RATINGS = range(1, 6)
ANSWERS = (Response.accepted, Response.declined)


def _response(suggestion: Reviewable, side: Side) -> Response:
    return Response(getattr(suggestion, f"{side.value}_response"))


def _rating(suggestion: Reviewable, side: Side) -> int | None:
    return getattr(suggestion, f"{side.value}_rating")


def allowed_actions(suggestion: Reviewable) -> tuple[str, ...]:
    """What may happen next, per side where sides matter: e.g. ("respond (target side)",)."""
    status = SuggestionStatus(suggestion.status)
    allowed: list[str] = []
    for action in ALLOWED[status]:
        if action is Action.respond:
            open_sides = [s for s in Side if _response(suggestion, s) is Response.pending]
        elif action is Action.rate:
            open_sides = [s for s in Side if _rating(suggestion, s) is None]
        else:
            allowed.append(action.value)
            continue
        allowed.extend(f"{action.value} ({side.value} side)" for side in open_sides)
    return tuple(allowed)


def _refuse(suggestion: Reviewable, what: str, why: str = "") -> TransitionError:
    status = SuggestionStatus(suggestion.status)
    allowed = allowed_actions(suggestion)
    if allowed:
        options = f"from {status.value} the allowed actions are: {', '.join(allowed)}"
    elif ALLOWED[status]:
        options = f"nothing more can happen to a suggestion that is {status.value}"
    else:
        options = f"{status.value} is a final status: no action is allowed"
    message = f"Cannot {what}: the suggestion is {status.value}{why}; {options}"
    return TransitionError(message, status=status, allowed=allowed)


def _check_arguments(
    action: Action,
    side: Side | None,
    response: Response | None,
    rating: int | None,
    reason: str | None,
) -> None:
    takes_side = action in (Action.respond, Action.rate)
    if takes_side and side is None:
        raise ActionError(f"side: required to {action.value} (sme or target)")
    if not takes_side and side is not None:
        raise ActionError(f"side: only for respond and rate, not for {action.value}")
    if action is Action.respond:
        if response not in ANSWERS:
            raise ActionError("response: must be accepted or declined")
    elif response is not None:
        raise ActionError(f"response: only for respond, not for {action.value}")
    if action is Action.rate:
        if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
            raise ActionError("rating: must be a whole number from 1 to 5")
    elif rating is not None:
        raise ActionError(f"rating: only for rate, not for {action.value}")
    if action is Action.reject and (reason is None or not reason.strip()):
        raise ActionError("reason: required to reject a suggestion")


def apply(
    suggestion: Reviewable,
    action: Action | str,
    *,
    side: Side | str | None = None,
    response: Response | str | None = None,
    rating: int | None = None,
    reason: str | None = None,
) -> Transition:
    """Perform one action on the suggestion (changing it) and say which status it moved between.

    Raises `ActionError` for missing or wrong arguments (a side for respond and rate, an answer
    for respond, a rating 1-5 for rate, a reason for reject) and `TransitionError` when the
    current status does not allow the action; in both cases the suggestion is left unchanged.
    The reason of approve and reject is kept on the suggestion; other reasons are the caller's
    to record.
    """
    try:
        action = Action(action)
        side = Side(side) if side is not None else None
        response = Response(response) if response is not None else None
    except ValueError as error:
        raise ActionError(str(error)) from None
    _check_arguments(action, side, response, rating, reason)

    current = SuggestionStatus(suggestion.status)
    if action not in ALLOWED[current]:
        what = action.value if side is None else f"{action.value} for the {side.value} side"
        raise _refuse(suggestion, what)

    if action is Action.respond:
        assert side is not None and response is not None
        answered = _response(suggestion, side)
        if answered is not Response.pending:
            what = f"respond for the {side.value} side"
            raise _refuse(suggestion, what, f" and that side has already {answered.value}")
        setattr(suggestion, f"{side.value}_response", response)
        answers = {_response(suggestion, s) for s in Side}
        if Response.declined in answers:
            new = SuggestionStatus.declined
        elif answers == {Response.accepted}:
            new = SuggestionStatus.accepted
        else:
            new = SuggestionStatus.introduced
    elif action is Action.rate:
        assert side is not None
        given = _rating(suggestion, side)
        if given is not None:
            what = f"rate for the {side.value} side"
            raise _refuse(suggestion, what, f" and that side has already rated it {given}")
        setattr(suggestion, f"{side.value}_rating", rating)
        new = current
    else:
        new = _TARGETS[action]
        if action in (Action.approve, Action.reject):
            suggestion.reason = reason
    suggestion.status = new
    return Transition(current, new)


class Wish(NamedTuple):
    """Who may voice a wish, and in which statuses it still means something."""

    side: Side
    statuses: tuple[SuggestionStatus, ...]


#: Wishes a side records on a suggestion without moving its status; the review queue flags
#: them for the intermediary. They are events, not transitions, so `ALLOWED` leaves them out
#: and `apply` refuses them.
WISHES: dict[Action, Wish] = {
    # Before the introduction: once introduced there is nothing left to ask for.
    Action.request_introduction: Wish(
        Side.sme, (SuggestionStatus.suggested, SuggestionStatus.approved)
    ),
    # Also after a rejection: the student does not see the review before the introduction,
    # and a refusal here would tell them it was rejected.
    Action.express_interest: Wish(
        Side.target,
        (SuggestionStatus.suggested, SuggestionStatus.approved, SuggestionStatus.rejected),
    ),
}


def wish(suggestion: Reviewable, action: Action | str, *, side: Side | str) -> Transition:
    """Check that `side` may voice this wish on the suggestion now; the status stays.

    Raises `ActionError` for an action that is no wish or the wrong side, and
    `TransitionError` when the status no longer allows it."""
    try:
        action = Action(action)
        side = Side(side)
    except ValueError as error:
        raise ActionError(str(error)) from None
    if action not in WISHES:
        raise ActionError(f"action: {action.value} is not a wish")
    rule = WISHES[action]
    if side is not rule.side:
        raise ActionError(f"side: only the {rule.side.value} side may {action.value}")
    current = SuggestionStatus(suggestion.status)
    if current not in rule.statuses:
        raise _refuse(suggestion, action.value)
    return Transition(current, current)


class EventAction(NamedTuple):
    """An event's action split into its parts: ("respond", "sme", "accepted", None)."""

    action: Action
    side: Side | None
    response: Response | None
    rating: int | None


def event_action(
    action: Action | str,
    side: Side | str | None = None,
    response: Response | str | None = None,
    rating: int | None = None,
) -> str:
    """The action as recorded in an event: "approve", "respond:sme:accepted", "rate:target:4"."""
    parts = [Action(action).value]
    if side is not None:
        parts.append(Side(side).value)
    if response is not None:
        parts.append(Response(response).value)
    if rating is not None:
        parts.append(str(rating))
    return ":".join(parts)


def parse_event_action(text: str) -> EventAction:
    """The parts of a recorded action (the inverse of `event_action`)."""
    name, *rest = text.split(":")
    action = Action(name)
    side = Side(rest[0]) if rest else None
    response = Response(rest[1]) if action is Action.respond and len(rest) > 1 else None
    rating = int(rest[1]) if action is Action.rate and len(rest) > 1 else None
    return EventAction(action, side, response, rating)
