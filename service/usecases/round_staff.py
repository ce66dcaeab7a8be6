"""A round's challenge keeps its own organisation's professionals in its team.

They are no students: the allocation does not place them, it leaves their places free. Each
one takes a place of the challenge's `team_max` (and of `team_min`: with two of its own staff a
team of three needs one student); the proposal lists them with the team as `staff`.
"""

from __future__ import annotations

from sqlmodel import Session

from service.domain.actor import Actor
from service.domain.errors import Conflict, Invalid, not_found
from service.domain.tables import (
    Challenge,
    Professional,
    RoundChallenge,
    RoundStaff,
    RoundStatus,
    utcnow,
)
from service.usecases import audit
from service.usecases.access import community_ids_of
from service.usecases.rounds import managed_round


def _field_error(loc: list[str | int], msg: str) -> Invalid:
    return Invalid([{"loc": ["body", *loc], "msg": msg, "type": "value_error"}])


def set_staff(
    session: Session, actor: Actor, round_id: str, challenge_id: str, body: RoundStaff
) -> RoundStaff:
    """Replace the professionals who join a challenge's team in the round: each of the
    challenge's own organisation and of the round's community; no more than its team_max."""
    round_ = managed_round(session, actor, round_id)
    if round_.status == RoundStatus.committed:
        raise Conflict(f"Round {round_id} is committed")
    rules = session.get(RoundChallenge, (round_id, challenge_id))
    challenge = session.get(Challenge, challenge_id)
    if rules is None or challenge is None:
        raise not_found("Challenge of the round", challenge_id)
    wanted = list(dict.fromkeys(body.professional_ids))
    for i, professional_id in enumerate(wanted):
        professional = session.get(Professional, professional_id)
        if professional is None or round_.community_id not in community_ids_of(
            session, professional_id, "professional"
        ):
            raise _field_error(
                ["professional_ids", i], "not a professional of the round's community"
            )
        if professional.organisation_id != challenge.organisation_id:
            raise _field_error(
                ["professional_ids", i], "not of the organisation that posted the challenge"
            )
    if len(wanted) > rules.team_max:
        raise _field_error(["professional_ids"], f"more than the team's {rules.team_max} places")
    rules.staff_ids = wanted
    round_.updated_at = utcnow()
    session.add(rules)
    session.add(round_)
    audit.record(
        session,
        actor,
        "round.staff",
        "round",
        round_id,
        community_id=round_.community_id,
        details={"challenge": challenge_id, "professionals": len(wanted)},
    )
    session.commit()
    return RoundStaff(professional_ids=wanted)
