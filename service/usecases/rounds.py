"""Rounds: a community staffs its open challenges for one period with whole teams.

An intermediary opens a round (the community's published challenges of the period and its
consenting, available students are proposed), students state up to five preferences, the
intermediary pins and forbids pairs, the allocation engine (`matcher.allocation`) proposes teams
with reasons, and a commit turns every member of every team into an approved suggestion, all in
one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import false, or_, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from matcher.allocation.explain import report
from matcher.allocation.instance import (
    Instance,
)
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import Proposal, allocate
from matcher.allocation.teams import Team
from matcher.allocation.validate import validate
from service.domain import workflow
from service.domain.actor import Actor
from service.domain.errors import Conflict, Invalid, not_found
from service.domain.export_models import RoundEntryExport
from service.domain.tables import (
    Challenge,
    ChallengeKind,
    ChallengeLevel,
    ChallengeStatus,
    Level,
    PairKind,
    Professional,
    ResearchGroup,
    Round,
    RoundChallenge,
    RoundChallengeRules,
    RoundCreate,
    RoundPair,
    RoundPairBase,
    RoundPairs,
    RoundPublic,
    RoundStatus,
    RoundStudent,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
    Teacher,
    utcnow,
)
from service.usecases import audit, round_marks
from service.usecases.csv_safety import guard
from service.usecases.editing import require_communities
from service.usecases.matching import Matching
from service.usecases.round_instance import (
    build_instance,
    community_member_ids,
    staff_of,
    supervisors_of,
)

#: Statuses of a stored suggestion that a commit leaves as they are: the pair is approved.
ALREADY_APPROVED = (
    SuggestionStatus.approved,
    SuggestionStatus.introduced,
    SuggestionStatus.accepted,
    SuggestionStatus.active,
    SuggestionStatus.completed,
)
CSV_COLUMNS = (
    "challenge_id",
    "challenge",
    "supervisor_id",
    "supervisor",
    "student_id",
    "student",
    "programme",
    "level",
    "fit",
    "why",
    # A team's own staff (the SME's employees) get a line each, after its students: these
    # columns are theirs (a student's line says `student` and leaves them empty).
    "member",
    "professional_id",
    "professional",
    "role",
)
#: A staff line's role and why, by language (the CSV is in the caller's language).
STAFF_ROLES = {
    "nl": {"werknemer": "werknemer", "leidinggevende": "leidinggevende"},
    "en": {"werknemer": "employee", "leidinggevende": "manager"},
}
STAFF_WHY = {
    "nl": "eigen medewerker van de organisatie van de uitdaging",
    "en": "the challenge's organisation's own employee",
}


def _field_error(loc: Sequence[str | int], msg: str) -> Invalid:
    """A 422 shaped like a validation error, naming the field by its path in the body."""
    return Invalid([{"type": "value_error", "loc": ["body", *loc], "msg": msg}])


# -- reading and access ---------------------------------------------------------------------


def managed_round(session: Session, actor: Actor, round_id: str) -> Round:
    """A round the caller runs (admins; intermediaries of its community); for anyone else the
    same 404 as for a round that does not exist."""
    found = session.get(Round, round_id)
    if found is None or not actor.manages({found.community_id}):
        raise not_found("Round", round_id)
    return found


def round_public(session: Session, round_: Round) -> RoundPublic:
    """A round as clients see it: its rules, students, pins and forbids (not the proposal)."""
    rules = session.exec(
        select(RoundChallenge)
        .where(RoundChallenge.round_id == round_.id)
        .order_by(RoundChallenge.challenge_id)
    ).all()
    students = session.exec(
        select(RoundStudent.student_id)
        .where(RoundStudent.round_id == round_.id)
        .order_by(RoundStudent.student_id)
    ).all()
    pairs = session.exec(
        select(RoundPair).where(RoundPair.round_id == round_.id).order_by(RoundPair.id)
    ).all()

    def of(kind: PairKind) -> list[RoundPairBase]:
        return [
            RoundPairBase.model_validate(p, from_attributes=True) for p in pairs if p.kind == kind
        ]

    return RoundPublic.model_validate(
        round_,
        update={
            "challenges": [
                RoundChallengeRules.model_validate(r, from_attributes=True) for r in rules
            ],
            "student_ids": list(students),
            "pins": of(PairKind.pin),
            "forbids": of(PairKind.forbid),
        },
    )


def round_filter(actor: Actor):
    """SQL condition: the rounds the caller runs."""
    if actor.is_admin:
        return true()
    if not actor.manages(actor.community_ids):
        return false()
    return Round.community_id.in_(actor.community_ids)


# -- opening a round ------------------------------------------------------------------------


def default_rules(challenge: Challenge) -> RoundChallengeRules:
    """The rules proposed for a challenge: its level (all for "any"), one programme at least,
    and its own range of students (`students_min` to `students_wanted`) when it states a
    minimum; else one to three students or as many as it wants."""
    levels = (
        [Level.mbo, Level.hbo, Level.wo]
        if challenge.level == ChallengeLevel.any
        else [Level(challenge.level)]
    )
    if challenge.students_min is not None:
        low = min(challenge.students_min, challenge.students_wanted)
        return RoundChallengeRules(
            challenge_id=challenge.id,
            team_min=low,
            team_max=challenge.students_wanted,
            levels=levels,
        )
    wanted = max(challenge.students_wanted, 2 if challenge.kind == ChallengeKind.assignment else 1)
    return RoundChallengeRules(
        challenge_id=challenge.id, team_min=1, team_max=max(wanted, 3), levels=levels
    )


def eligible_students(session: Session, round_: RoundCreate | Round) -> list[str]:
    """The community's consenting students whose availability overlaps the period."""
    query = (
        select(StudentProfile.id)
        .where(
            StudentProfile.consent_matching,
            StudentProfile.id.in_(community_member_ids(round_.community_id, "student")),
            or_(
                StudentProfile.available_from.is_(None),
                StudentProfile.available_from <= round_.period_end,
            ),
            or_(
                StudentProfile.available_until.is_(None),
                StudentProfile.available_until >= round_.period_start,
            ),
        )
        .order_by(StudentProfile.id)
    )
    return list(session.exec(query))


def open_challenges(session: Session, round_: RoundCreate | Round) -> list[Challenge]:
    """The community's published challenges whose period overlaps the round's (or has none)."""
    query = (
        select(Challenge)
        .where(
            Challenge.community_id == round_.community_id,
            Challenge.status == ChallengeStatus.published,
            or_(Challenge.period_start.is_(None), Challenge.period_start <= round_.period_end),
            or_(Challenge.period_end.is_(None), Challenge.period_end >= round_.period_start),
        )
        .order_by(Challenge.id)
    )
    return list(session.exec(query))


def _chosen_challenges(session: Session, body: RoundCreate) -> list[RoundChallengeRules]:
    if body.challenges is None:
        return [default_rules(c) for c in open_challenges(session, body)]
    seen: set[str] = set()
    for i, rules in enumerate(body.challenges):
        challenge = session.get(Challenge, rules.challenge_id)
        if (
            challenge is None
            or challenge.community_id != body.community_id
            or challenge.status != ChallengeStatus.published
        ):
            raise _field_error(
                ["challenges", i, "challenge_id"],
                f"no published challenge {rules.challenge_id!r} in community {body.community_id}",
            )
        if rules.challenge_id in seen:
            raise _field_error(["challenges", i, "challenge_id"], "named twice")
        seen.add(rules.challenge_id)
    return list(body.challenges)


def _chosen_students(session: Session, body: RoundCreate) -> list[str]:
    if body.student_ids is None:
        return eligible_students(session, body)
    consenting = set(
        session.exec(
            select(StudentProfile.id).where(
                StudentProfile.id.in_(body.student_ids),
                StudentProfile.consent_matching,
                StudentProfile.id.in_(community_member_ids(body.community_id, "student")),
            )
        )
    )
    for i, student_id in enumerate(body.student_ids):
        if student_id not in consenting:
            raise _field_error(
                ["student_ids", i],
                f"no consenting student {student_id!r} in community {body.community_id}",
            )
    return list(dict.fromkeys(body.student_ids))


def open_round(session: Session, actor: Actor, body: RoundCreate) -> RoundPublic:
    """Open a round for a community the caller manages: the given challenges and students, or
    the community's open challenges and eligible students."""
    require_communities(session, actor, [body.community_id], manage=True)
    rules = _chosen_challenges(session, body)
    student_ids = _chosen_students(session, body)
    round_ = Round(**body.model_dump(exclude={"challenges", "student_ids"}))
    session.add(round_)
    session.flush()
    for r in rules:
        session.add(RoundChallenge(round_id=round_.id, **r.model_dump()))
    for student_id in student_ids:
        session.add(RoundStudent(round_id=round_.id, student_id=student_id))
    session.flush()
    round_marks.assign_numbers(session, round_.id)
    audit.record(
        session,
        actor,
        "round.open",
        "round",
        round_.id,
        community_id=round_.community_id,
        details={"challenges": len(rules), "students": len(student_ids)},
    )
    session.commit()
    return round_public(session, round_)


# -- preferences, pins and forbids ---------------------------------------------------------


def set_preferences(
    session: Session, actor: Actor, round_id: str, student_id: str, challenge_ids: list[str]
) -> list[str]:
    """A student's ranked challenges (best first, at most five) among the round's. Students
    set their own, in an open round of their community; intermediaries anyone's."""
    round_ = session.get(Round, round_id)
    own = actor.student_id is not None and actor.student_id == student_id
    if round_ is None or not (
        actor.manages({round_.community_id}) or (own and actor.in_community(round_.community_id))
    ):
        raise not_found("Round", round_id)
    entry = session.get(RoundStudent, (round_id, student_id))
    if entry is None:
        if own:  # the student is not one of this round's: for them the round is not there
            raise not_found("Round", round_id)
        raise not_found("Student", student_id)
    if round_.status == RoundStatus.committed:
        raise Conflict(f"Round {round_id} is committed: preferences can no longer change")
    in_round = set(
        session.exec(select(RoundChallenge.challenge_id).where(RoundChallenge.round_id == round_id))
    )
    for i, challenge_id in enumerate(challenge_ids):
        if challenge_id not in in_round:
            raise _field_error(
                ["challenge_ids", i], f"{challenge_id!r} is not a challenge of round {round_id}"
            )
        if challenge_id in challenge_ids[:i]:
            raise _field_error(["challenge_ids", i], f"{challenge_id!r} is ranked twice")
    entry.preferences = list(challenge_ids)
    session.add(entry)
    # An SME marks only students who ranked its challenge: a challenge dropped, its mark goes.
    round_marks.drop_marks(session, student_id, round_id=round_id, keep=set(challenge_ids))
    audit.record(
        session,
        actor,
        "round.preferences",
        "round",
        round_id,
        subject_id=student_id,
        community_id=round_.community_id,
        details={"challenges": list(challenge_ids)},
    )
    session.commit()
    return entry.preferences


def set_pairs(session: Session, actor: Actor, round_id: str, body: RoundPairs) -> RoundPublic:
    """Replace the round's pins and forbids (a move: pin the student to the other challenge);
    each names a challenge and a student of the round, or a supervisor of its community."""
    round_ = managed_round(session, actor, round_id)
    if round_.status == RoundStatus.committed:
        raise Conflict(f"Round {round_id} is committed")
    challenges = set(
        session.exec(select(RoundChallenge.challenge_id).where(RoundChallenge.round_id == round_id))
    )
    students = set(
        session.exec(select(RoundStudent.student_id).where(RoundStudent.round_id == round_id))
    )
    supervisors = {v.id for v in supervisors_of(session, round_.community_id)}
    pinned_students: dict[str, int] = {}
    for kind, pairs in (("pins", body.pins), ("forbids", body.forbids)):
        for i, pair in enumerate(pairs):
            if pair.challenge_id not in challenges:
                raise _field_error([kind, i, "challenge_id"], "not a challenge of the round")
            if pair.student_id is not None and pair.student_id not in students:
                raise _field_error([kind, i, "student_id"], "not a student of the round")
            if pair.supervisor_id is not None and pair.supervisor_id not in supervisors:
                raise _field_error(
                    [kind, i, "supervisor_id"], "not a research group or teacher of the community"
                )
            if kind == "pins" and pair.student_id is not None:
                if pair.student_id in pinned_students:
                    raise _field_error(
                        [kind, i, "student_id"], "pinned twice: a student joins one team"
                    )
                pinned_students[pair.student_id] = i
    pinned = {(p.challenge_id, p.student_id, p.supervisor_id) for p in body.pins}
    for i, pair in enumerate(body.forbids):
        if (pair.challenge_id, pair.student_id, pair.supervisor_id) in pinned:
            raise _field_error(["forbids", i], "the same pair is pinned")
    session.exec(delete(RoundPair).where(RoundPair.round_id == round_id))
    for kind, pairs in ((PairKind.pin, body.pins), (PairKind.forbid, body.forbids)):
        for pair in pairs:
            session.add(RoundPair(round_id=round_id, kind=kind, **pair.model_dump()))
    round_.updated_at = utcnow()
    session.add(round_)
    audit.record(
        session,
        actor,
        "round.pairs",
        "round",
        round_id,
        community_id=round_.community_id,
        details={"pins": len(body.pins), "forbids": len(body.forbids)},
    )
    session.commit()
    return round_public(session, round_)


# -- solving --------------------------------------------------------------------------------


def _previous(proposal: dict | None, instance: Instance) -> Proposal | None:
    """The stored proposal's teams as a warm start, without ids that left the round."""
    if not proposal or not proposal.get("teams"):
        return None
    students = {s.id for s in instance.students}
    challenges = {c.id: c for c in instance.challenges}
    supervisors = {v.id for v in instance.supervisors}
    teams = []
    for team in proposal["teams"]:
        if team["challenge"] not in challenges:
            continue
        members = tuple(m["student"] for m in team["members"] if m["student"] in students)
        supervisor = team["supervisor"] if team["supervisor"] in supervisors else None
        if members:
            # Its own staff as the round has them now (they stay whatever the previous had).
            staff = tuple(challenges[team["challenge"]].staff)
            teams.append(Team(team["challenge"], supervisor, members, staff))
    return Proposal(status="feasible", teams=teams) if teams else None


def solve_round(
    session: Session,
    matching: Matching,
    actor: Actor,
    round_id: str,
    *,
    time_limit_s: float | None = None,
) -> dict[str, Any]:
    """Propose teams for the round (warm-started from the last proposal) and store the
    proposal: teams with supervisor and reasons, students left out and unstaffed challenges,
    each with why."""
    round_ = managed_round(session, actor, round_id)
    if round_.status == RoundStatus.committed:
        raise Conflict(f"Round {round_id} is committed")
    built = build_instance(session, matching, round_)
    prepared = prepare(built.instance)
    previous = _previous(round_.proposal, built.instance)
    limit = time_limit_s or round_.time_limit_s
    result = allocate(prepared, previous=previous, time_limit_s=limit)
    proposal = report(prepared, result)
    proposal["warm_start"] = previous is not None
    if result.status != "infeasible":
        # The independent check, as `lcmatch allocate` runs it: sizes count the own staff.
        check = validate(built.instance, result.teams)
        proposal["violations"] = [v.message for v in check.violations]
    for team in proposal.get("teams", []):
        for member in team["members"]:
            member["match"] = built.matches.get((member["student"], team["challenge"]))
    proposal.setdefault("unplaced", [])
    proposal.setdefault("unstaffed", [])
    proposal["unplaced"] += [{"student": s, "why": why} for s, why in built.students_out.items()]
    proposal["unstaffed"] += [
        {"challenge": c, "why": why} for c, why in built.challenges_out.items()
    ]
    round_.proposal = proposal
    round_.status = RoundStatus.proposed
    round_.updated_at = utcnow()
    session.add(round_)
    audit.record(
        session,
        actor,
        "round.solve",
        "round",
        round_id,
        community_id=round_.community_id,
        details={
            "status": proposal["status"],
            "teams": len(proposal.get("teams", [])),
            "seconds": proposal["solver"]["seconds"],
        },
    )
    session.commit()
    return proposal


def read_proposal(session: Session, actor: Actor, round_id: str) -> dict[str, Any]:
    """The round's latest proposal; 409 when it has none yet."""
    round_ = managed_round(session, actor, round_id)
    if round_.proposal is None:
        raise Conflict(f"Round {round_id} has no proposal yet: solve it first")
    return {"round_id": round_.id, "round_status": round_.status, **round_.proposal}


# -- committing -----------------------------------------------------------------------------


def member_reason(round_: Round, member: dict[str, Any], lang: str = "nl") -> str:
    """Why a member is in the team, in one line (the reason kept on the approved suggestion)."""
    why = "; ".join(r.get(lang, r.get("code", "")) for r in member.get("why", []))
    text = f"Ronde {round_.name}: {why}" if lang == "nl" else f"Round {round_.name}: {why}"
    return text[:2000]


def _staff_as_proposed(
    session: Session, round_id: str, teams: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Challenge id → its own staff in the proposed team; 409 when the staff set for a team's
    challenge changed after the proposal (the team would be committed without them, or with
    too many people): solve again first."""
    rules = session.exec(select(RoundChallenge).where(RoundChallenge.round_id == round_id)).all()
    now = staff_of(session, list(rules))
    changed = [
        t["challenge"] for t in teams if list(t.get("staff", [])) != now.get(t["challenge"], [])
    ]
    if changed:
        raise Conflict(
            "The own staff of these challenges changed after the proposal: solve again: "
            + ", ".join(changed)
        )
    return {t["challenge"]: list(t["staff"]) for t in teams if t.get("staff")}


def commit_round(
    session: Session, matching: Matching, actor: Actor, round_id: str
) -> list[Suggestion]:
    """Turn every member of every proposed team into an approved suggestion with its reason,
    audited, and mark the round committed: all of it, or (on any failure) nothing."""
    round_ = managed_round(session, actor, round_id)
    if round_.status != RoundStatus.proposed or not round_.proposal:
        raise Conflict(f"Round {round_id} has no proposal to commit (status {round_.status})")
    if round_.proposal.get("status") == "infeasible":
        raise Conflict(f"Round {round_id} is infeasible as it stands: see its proposal")
    teams = round_.proposal.get("teams", [])
    staff = _staff_as_proposed(session, round_id, teams)
    pairs = [(t["challenge"], m) for t in teams for m in t["members"]]
    stored = {
        (s.challenge_id, s.target_id): s
        for s in session.exec(
            select(Suggestion).where(
                Suggestion.target_kind == TargetKind.student,
                Suggestion.challenge_id.in_({c for c, _ in pairs}),
                Suggestion.target_id.in_({m["student"] for _, m in pairs}),
            )
        )
    }
    refused = [
        f"{m['student']} for {c} ({stored[c, m['student']].status})"
        for c, m in pairs
        if (c, m["student"]) in stored
        and stored[c, m["student"]].status not in (SuggestionStatus.suggested, *ALREADY_APPROVED)
    ]
    if refused:
        raise Conflict(
            "These pairs were rejected or declined before: forbid them and solve again: "
            + ", ".join(refused)
        )
    now = utcnow()
    approved: list[Suggestion] = []
    try:
        # Claim the round first: of two commits at once, the second finds it committed (the
        # claim holds the row on PostgreSQL, the database on SQLite, until the commit below).
        with session.no_autoflush:
            claimed = session.execute(
                update(Round)
                .where(Round.id == round_id, Round.status == RoundStatus.proposed)
                .values(status=RoundStatus.committed, committed_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        if claimed.rowcount != 1:
            raise Conflict(f"Round {round_id} was committed meanwhile")
        for challenge_id, member in pairs:
            student_id = member["student"]
            suggestion = stored.get((challenge_id, student_id))
            if suggestion is not None and suggestion.status in ALREADY_APPROVED:
                approved.append(suggestion)
                continue
            match = member.get("match") or {}
            if suggestion is None:
                suggestion = Suggestion(
                    community_id=round_.community_id,
                    challenge_id=challenge_id,
                    target_kind=TargetKind.student,
                    target_id=student_id,
                    score=match.get("score", member["fit"]),
                    dense=match.get("dense", 0.0),
                    lexical=match.get("lexical", 0.0),
                    skill=match.get("skill", 0.0),
                    explanation={"round": round_.id, "why": member.get("why", [])},
                    model_version=matching.model_version,
                )
            reason = member_reason(round_, member)
            move = workflow.apply(suggestion, workflow.Action.approve, reason=reason)
            suggestion.updated_at = now
            session.add(suggestion)
            session.flush()
            session.add(
                SuggestionEvent(
                    suggestion_id=suggestion.id,
                    actor_id=actor.id,
                    action=workflow.event_action(workflow.Action.approve),
                    from_status=move.from_status,
                    to_status=move.to_status,
                    reason=reason,
                    at=now,
                )
            )
            audit.record(
                session,
                actor,
                "suggestion.approve",
                "suggestion",
                suggestion.id,
                subject_id=student_id,
                community_id=round_.community_id,
                reason=reason,
                details={
                    "round": round_.id,
                    "from_status": move.from_status,
                    "to_status": "approved",
                },
            )
            approved.append(suggestion)
        round_.status = RoundStatus.committed
        round_.committed_at = now
        round_.updated_at = now
        audit.record(
            session,
            actor,
            "round.commit",
            "round",
            round_.id,
            community_id=round_.community_id,
            # The teams' own staff are no suggestions: the commit's record keeps them with
            # their team (the stored proposal, shown on the round's page, too).
            details={"teams": len(teams), "approved": len(approved), "staff": staff},
        )
        session.commit()
    except IntegrityError:
        # A suggestion of one of the pairs was stored meanwhile (a ranking request): nothing
        # of this commit stays; trying again finds it.
        session.rollback()
        raise Conflict(f"Round {round_id}: a match changed meanwhile; commit again") from None
    except BaseException:
        session.rollback()
        raise
    return approved


def rounds_of_student(
    session: Session, student_id: str, within: set[str] | None
) -> list[RoundEntryExport]:
    """The rounds a student takes part in (of these communities; None: all), with their
    preferences and the challenge the latest proposal put them in."""
    query = (
        select(Round, RoundStudent)
        .where(RoundStudent.round_id == Round.id, RoundStudent.student_id == student_id)
        .order_by(Round.created_at, Round.id)
    )
    if within is not None:
        query = query.where(Round.community_id.in_(within))
    found = []
    for round_, entry in session.exec(query):
        placed = None
        for team in (round_.proposal or {}).get("teams", []):
            if any(m["student"] == student_id for m in team["members"]):
                placed = team["challenge"]
        found.append(
            RoundEntryExport(
                round_id=round_.id,
                round_name=round_.name,
                community_id=round_.community_id,
                preferences=list(entry.preferences),
                proposed_challenge_id=placed,
            )
        )
    return found


# -- erasure -------------------------------------------------------------------------------


def forget_student(session: Session, student_id: str) -> None:
    """Take an erased student out of every round: their place and preferences, their pins and
    forbids, the SMEs' marks, and their name in the stored proposals (in the session, not
    committed)."""
    round_marks.drop_marks(session, student_id)
    session.exec(delete(RoundStudent).where(RoundStudent.student_id == student_id))
    session.exec(delete(RoundPair).where(RoundPair.student_id == student_id))
    for round_ in session.exec(select(Round).where(Round.status != RoundStatus.open)):
        if not round_.proposal:
            continue
        proposal = dict(round_.proposal)
        teams = [
            {**t, "members": [m for m in t["members"] if m["student"] != student_id]}
            for t in proposal.get("teams", [])
        ]
        unplaced = [u for u in proposal.get("unplaced", []) if u["student"] != student_id]
        if teams != proposal.get("teams", []) or unplaced != proposal.get("unplaced", []):
            proposal["teams"], proposal["unplaced"] = teams, unplaced
            round_.proposal = proposal  # a new dict: the JSON column sees the change
            session.add(round_)


# -- export ---------------------------------------------------------------------------------


def _pairs(session: Session, query) -> dict[str, str]:
    """id → name from a two-column query."""
    return {key: value for key, value in session.exec(query)}


def teams_csv(session: Session, actor: Actor, round_id: str, lang: str = "nl") -> str:
    """The proposed (or committed) teams as CSV, one member a line, every text cell guarded
    against spreadsheet formulas."""
    round_ = managed_round(session, actor, round_id)
    if round_.proposal is None:
        raise Conflict(f"Round {round_id} has no proposal yet: solve it first")
    teams = round_.proposal.get("teams", [])
    challenge_ids = {t["challenge"] for t in teams}
    student_ids = {m["student"] for t in teams for m in t["members"]}
    supervisor_ids = {t["supervisor"] for t in teams if t["supervisor"]}
    titles = _pairs(
        session, select(Challenge.id, Challenge.title).where(Challenge.id.in_(challenge_ids))
    )
    people = {
        p.id: p
        for p in session.exec(select(StudentProfile).where(StudentProfile.id.in_(student_ids)))
    }
    names = _pairs(
        session,
        select(ResearchGroup.id, ResearchGroup.name).where(ResearchGroup.id.in_(supervisor_ids)),
    ) | _pairs(session, select(Teacher.id, Teacher.full_name).where(Teacher.id.in_(supervisor_ids)))
    staff_ids = {p for t in teams for p in t.get("staff", [])}
    staff = {
        p.id: p for p in session.exec(select(Professional).where(Professional.id.in_(staff_ids)))
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for team in teams:
        for member in team["members"]:
            person = people.get(member["student"])
            row = [
                team["challenge"],
                titles.get(team["challenge"], ""),
                team["supervisor"] or "",
                names.get(team["supervisor"], ""),
                member["student"],
                person.full_name if person else "",
                person.programme if person else "",
                person.level if person else "",
                f"{member['fit']:.3f}",
                "; ".join(r.get(lang, "") for r in member.get("why", [])),
                "student",
                "",
                "",
                "",
            ]
            writer.writerow([guard(str(cell)) for cell in row])
        for professional_id in team.get("staff", []):
            professional = staff.get(professional_id)
            role = str(professional.job_role) if professional else ""
            head = [team["challenge"], titles.get(team["challenge"], "")]
            head += [team["supervisor"] or "", names.get(team["supervisor"], "")]
            row = [*head, "", "", "", "", "", STAFF_WHY.get(lang, STAFF_WHY["nl"]), "staff"]
            row += [
                professional_id,
                professional.full_name if professional else "",
                STAFF_ROLES.get(lang, STAFF_ROLES["nl"]).get(role, role),
            ]
            writer.writerow([guard(str(cell)) for cell in row])
    audit.record(
        session,
        actor,
        "round.export",
        "round",
        round_id,
        community_id=round_.community_id,
        details={"students": len(student_ids), "staff": len(staff_ids)},
    )
    session.commit()
    return out.getvalue()
