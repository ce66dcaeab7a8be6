"""SMEs' challenges: posting, editing and moving them between draft, published and closed.

The API routes (`service/api/routes/challenges.py`) and the web pages both call these functions, so
a challenge posted on a page is checked, embedded and indexed exactly as one posted through the
API. A refusal is a domain error (`service.domain.errors`), which the API answers.
"""

from __future__ import annotations

from sqlmodel import Session

from service.domain.actor import Actor
from service.domain.errors import Conflict, Forbidden, Invalid, unknown_reference
from service.domain.tables import (
    Challenge,
    ChallengeBase,
    ChallengeCreate,
    ChallengeStatus,
    ChallengeUpdate,
    Role,
    utcnow,
)
from service.usecases.access import community_ids_of, editable_challenge
from service.usecases.editing import apply_changes, check_id_syntax, chosen_id, commit_or_conflict
from service.usecases.matching import Matching
from service.usecases.places import canonical_place
from service.usecases.themes import check_theme


def _sync(matching: Matching, challenge: Challenge) -> None:
    matching.sync("challenge", challenge, {challenge.community_id})


def create_challenge(
    session: Session, matching: Matching, actor: Actor, body: ChallengeCreate
) -> Challenge:
    """Post a challenge as a draft. An SME posts for its own organisation; others name one.
    The place is stored by its gazetteer name (422 naming the field for an unknown one)."""
    if actor.role is Role.student:
        raise Forbidden("Students cannot post challenges")
    if actor.role is Role.monitor:
        raise Forbidden("A programme's monitor reads figures only")
    if not actor.in_community(body.community_id):
        raise unknown_reference("community_id", "community", body.community_id)
    organisation_id = body.organisation_id
    if actor.role is Role.sme:
        own = actor.user.organisation_id
        if own is None or organisation_id not in (None, own):
            raise Forbidden("An SME posts for its own organisation")
        organisation_id = own
    if organisation_id is None:
        raise Invalid("organisation_id: required when posting for an organisation")
    if body.community_id not in community_ids_of(session, organisation_id, "organisation"):
        raise unknown_reference(
            "organisation_id", "organisation in this community", organisation_id
        )
    values = body.model_dump(exclude={"id", "organisation_id"})
    values["place"] = canonical_place(values["place"], "place")
    challenge = Challenge(**values, organisation_id=organisation_id)
    if chosen_id(actor, body.id):
        check_id_syntax(body.id)
        if session.get(Challenge, body.id) is not None:
            raise Conflict(f"id: {body.id} exists already")
        challenge.id = body.id
    matching.embed("challenge", [challenge])
    session.add(challenge)
    commit_or_conflict(session, f"Challenge {challenge.id}")
    _sync(matching, challenge)
    return challenge


def update_challenge(
    session: Session,
    matching: Matching,
    actor: Actor,
    challenge_id: str,
    changes: ChallengeUpdate,
) -> Challenge:
    """Edit a challenge; a changed text is re-embedded (that one text only). A place is
    stored by its gazetteer name (422 naming the field for an unknown one)."""
    challenge = editable_challenge(session, actor, challenge_id)
    if changes.place is not None:
        changes = changes.model_copy(update={"place": canonical_place(changes.place, "place")})
    if changes.theme_id is not None:
        check_theme(session, challenge.community_id, changes.theme_id, "theme_id")
    apply_changes(challenge, ChallengeBase, changes)
    challenge.updated_at = utcnow()
    matching.embed("challenge", [challenge])
    session.add(challenge)
    session.commit()
    _sync(matching, challenge)
    return challenge


#: For each move: the statuses it may start from, and where it leads.
TRANSITIONS = {
    "publish": ({ChallengeStatus.draft, ChallengeStatus.closed}, ChallengeStatus.published),
    "close": ({ChallengeStatus.draft, ChallengeStatus.published}, ChallengeStatus.closed),
}


def move_challenge(
    session: Session, matching: Matching, actor: Actor, challenge_id: str, action: str
) -> Challenge:
    """Publish or close a challenge (409 when its status does not allow it)."""
    challenge = editable_challenge(session, actor, challenge_id)
    sources, target = TRANSITIONS[action]
    if challenge.status not in sources:
        raise Conflict(
            f"Cannot {action} a challenge that is {challenge.status}",
        )
    challenge.status = target
    challenge.updated_at = utcnow()
    session.add(challenge)
    session.commit()
    _sync(matching, challenge)
    return challenge
