"""A round's rows as an allocation instance (`matcher.allocation.instance.Instance`).

Places come from the profiles and challenges, travel limits from `travel_km`, scores from the
service's ranker, supervisors from the community's research groups and teachers; whatever
cannot enter the instance is left out with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlmodel import Session, select

from matcher.allocation.instance import Challenge as AllocChallenge
from matcher.allocation.instance import (
    Instance,
    InstanceError,
    Pair,
    Preferences,
    Score,
    Settings,
    Weights,
    parse_instance,
)
from matcher.allocation.instance import Student as AllocStudent
from matcher.allocation.instance import Supervisor as AllocSupervisor
from matcher.places import UnknownPlaceError, find_place
from service.domain.errors import Conflict
from service.domain.tables import (
    Challenge,
    ChallengeStatus,
    Membership,
    PairKind,
    Professional,
    Remote,
    ResearchGroup,
    Round,
    RoundChallenge,
    RoundPair,
    RoundStudent,
    StudentProfile,
    Suggestion,
    SuggestionStatus,
    TargetKind,
    Teacher,
)
from service.usecases.matching import Matching


def community_member_ids(community_id: str, kind: str):
    return select(Membership.member_id).where(
        Membership.community_id == community_id, Membership.kind == kind
    )


def supervisors_of(session: Session, community_id: str) -> list[AllocSupervisor]:
    """The community's research groups and teachers, each with its capacity in teams."""
    groups = session.exec(
        select(ResearchGroup)
        .where(ResearchGroup.id.in_(community_member_ids(community_id, "research_group")))
        .order_by(ResearchGroup.id)
    ).all()
    teachers = session.exec(
        select(Teacher)
        .where(Teacher.id.in_(community_member_ids(community_id, "teacher")))
        .order_by(Teacher.id)
    ).all()
    return [
        AllocSupervisor(
            id=g.id,
            name=g.name,
            kind="research_group",
            capacity=g.capacity_projects,
            expertise=list(g.themes),
        )
        for g in groups
    ] + [
        AllocSupervisor(
            id=t.id,
            name=t.full_name,
            kind="teacher",
            capacity=t.supervision_capacity,
            expertise=[s["label"] for s in t.skills] + list(t.themes),
        )
        for t in teachers
    ]


def staff_of(session: Session, rules: list[RoundChallenge]) -> dict[str, list[str]]:
    """Challenge id → its own professionals in the round (those whose profile still exists)."""
    wanted = {r.challenge_id: list(r.staff_ids or []) for r in rules if r.staff_ids}
    ids = sorted({p for staff in wanted.values() for p in staff})
    present = set(session.exec(select(Professional.id).where(Professional.id.in_(ids))))
    return {c: [p for p in staff if p in present] for c, staff in wanted.items()}


# -- from rows to an allocation instance -----------------------------------------------------


@dataclass
class Built:
    """A round as an allocation instance, with what could not enter it and each pair's match."""

    instance: Instance
    #: student id → why the student was left out before solving
    students_out: dict[str, dict[str, str]] = field(default_factory=dict)
    #: challenge id → why the challenge was left out before solving
    challenges_out: dict[str, dict[str, str]] = field(default_factory=dict)
    #: (student, challenge) → the ranker's score and its parts
    matches: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    #: challenge id → the professionals of its own organisation who stay in its team
    staff: dict[str, list[str]] = field(default_factory=dict)


def _place_reason(error: UnknownPlaceError, what: str) -> dict[str, str]:
    hint = f" ({', '.join(error.suggestions)}?)" if error.suggestions else ""
    return {
        "code": f"{what}.place_unknown",
        "nl": f"woonplaats {error.name!r} onbekend{hint}: afstand niet te bepalen",
        "en": f"place {error.name!r} unknown{hint}: distance cannot be measured",
    }


def _labels(skills: list[dict]) -> list[str]:
    return [s["label"] for s in skills]


def build_instance(session: Session, matching: Matching, round_: Round) -> Built:
    """The round's rows as an allocation instance: places from the profiles (a student's
    `region`) and challenges, travel limits from `travel_km`, scores from the service's ranker,
    supervisors from the community's research groups and teachers."""
    built = Built(instance=Instance(students=[], challenges=[], supervisors=[]))
    entries = session.exec(select(RoundStudent).where(RoundStudent.round_id == round_.id)).all()
    profiles = {
        p.id: p
        for p in session.exec(
            select(StudentProfile).where(StudentProfile.id.in_([e.student_id for e in entries]))
        )
    }
    rules = session.exec(
        select(RoundChallenge)
        .where(RoundChallenge.round_id == round_.id)
        .order_by(RoundChallenge.challenge_id)
    ).all()
    rows = {
        c.id: c
        for c in session.exec(
            select(Challenge).where(Challenge.id.in_([r.challenge_id for r in rules]))
        )
    }
    period = round_.period_label
    students: list[AllocStudent] = []
    for entry in sorted(entries, key=lambda e: e.student_id):
        profile = profiles[entry.student_id]
        if not profile.consent_matching:
            built.students_out[profile.id] = {
                "code": "student.no_consent",
                "nl": "geen toestemming meer voor koppelen",
                "en": "no longer consents to matching",
            }
            continue
        try:
            place = find_place(profile.region, field="region").name
        except UnknownPlaceError as error:
            built.students_out[profile.id] = _place_reason(error, "student")
            continue
        students.append(
            AllocStudent(
                id=profile.id,
                level=profile.level,
                programme=profile.programme,
                place=place,
                max_travel_km=profile.travel_km,
                hours=profile.hours_per_week,
                periods=[period],
                skills=_labels(profile.skills),
            )
        )
    challenges: list[AllocChallenge] = []
    built.staff = {c: staff for c, staff in staff_of(session, list(rules)).items() if staff}
    for r in rules:
        row = rows[r.challenge_id]
        # The challenge's own professionals hold places of its team: the students fill the rest.
        own = len(built.staff.get(r.challenge_id, []))
        if own >= r.team_max:
            built.challenges_out[row.id] = {
                "code": "challenge.staffed_by_own",
                "nl": "het team bestaat al uit eigen medewerkers van de organisatie",
                "en": "the team is made up of the organisation's own staff already",
            }
            continue
        if row.status != ChallengeStatus.published:
            built.challenges_out[row.id] = {
                "code": "challenge.not_published",
                "nl": f"de challenge is niet meer gepubliceerd ({row.status})",
                "en": f"the challenge is no longer published ({row.status})",
            }
            continue
        place = None
        if row.remote != Remote.remote:
            try:
                place = find_place(row.place, field="place").name
            except UnknownPlaceError as error:
                built.challenges_out[row.id] = _place_reason(error, "challenge")
                continue
        challenges.append(
            AllocChallenge(
                id=row.id,
                title=row.title,
                # The whole team's range: the engine leaves the staff's places to them, and
                # the validator counts them in the team's size.
                team_min=r.team_min,
                team_max=r.team_max,
                staff=built.staff.get(r.challenge_id, []),
                levels=list(r.levels),
                min_programmes=r.min_programmes,
                skills=_labels(row.wanted_skills),
                required_skills=_labels(r.required_skills),
                place=place,
                mode=row.remote.value if isinstance(row.remote, Remote) else row.remote,
                period=period,
                hours=row.hours_per_week,
            )
        )
    student_ids = {s.id for s in students}
    challenge_ids = {c.id for c in challenges}
    scores: list[Score] = []
    for c in challenges:
        found = matching.rank(
            "student",
            "challenge",
            rows[c.id],
            k=max(len(student_ids), 1),
            filters={"community": [round_.community_id]},
            allowed=set(student_ids),
        )
        for match in found:
            if match.id not in student_ids:
                continue
            value = float(np.clip(match.score, 0.0, 1.0))
            scores.append(Score(student=match.id, challenge=c.id, score=value))
            built.matches[(match.id, c.id)] = {
                "score": float(match.score),
                "dense": float(match.components.dense),
                "lexical": float(match.components.lexical),
                "skill": float(match.components.skill),
            }
    ranked = {e.student_id: list(e.preferences or []) for e in entries}
    preferences = Preferences(
        students={
            e.student_id: [c for c in e.preferences if c in challenge_ids]
            for e in entries
            if e.student_id in student_ids and e.preferences
        },
        # A mark counts for a student who (still) ranks the challenge: the SME saw them
        # only as one of its candidates.
        sme_marks={
            r.challenge_id: [
                s for s in r.sme_marks if s in student_ids and r.challenge_id in ranked.get(s, ())
            ]
            for r in rules
            if r.challenge_id in challenge_ids and r.sme_marks
        },
    )
    pairs = list(session.exec(select(RoundPair).where(RoundPair.round_id == round_.id)))
    pinned = {(p.challenge_id, p.student_id) for p in pairs if p.kind == PairKind.pin}
    # A match an intermediary rejected, or a side declined, is not proposed again (unless the
    # intermediary pins it, and then the commit says why it cannot be approved).
    refused = session.exec(
        select(Suggestion.challenge_id, Suggestion.target_id).where(
            Suggestion.target_kind == TargetKind.student,
            Suggestion.status.in_([SuggestionStatus.rejected, SuggestionStatus.declined]),
            Suggestion.challenge_id.in_(challenge_ids),
            Suggestion.target_id.in_(student_ids),
        )
    ).all()
    pairs += [
        RoundPair(round_id=round_.id, kind=PairKind.forbid, challenge_id=c, student_id=s)
        for c, s in refused
        if (c, s) not in pinned
    ]
    supervisors = supervisors_of(session, round_.community_id)
    supervisor_ids = {v.id for v in supervisors}

    def usable(p: RoundPair) -> bool:
        return p.challenge_id in challenge_ids and (
            p.student_id in student_ids or p.supervisor_id in supervisor_ids
        )

    def as_pair(p: RoundPair) -> Pair:
        return Pair(challenge=p.challenge_id, student=p.student_id, supervisor=p.supervisor_id)

    data = Instance(
        name=round_.name,
        students=students,
        challenges=challenges,
        supervisors=supervisors,
        scores=scores,
        preferences=preferences,
        pins=[as_pair(p) for p in pairs if p.kind == PairKind.pin and usable(p)],
        forbids=[as_pair(p) for p in pairs if p.kind == PairKind.forbid and usable(p)],
        weights=Weights(sme_mark=round_.sme_mark_weight),
        settings=Settings(time_limit_s=round_.time_limit_s),
    ).model_dump()
    try:
        built.instance = parse_instance(data, f"round {round_.id}")
    except InstanceError as error:  # the rows were checked on the way in: a bug, said plainly
        raise Conflict(f"Round {round_.id} cannot be solved: {error}") from None
    return built
