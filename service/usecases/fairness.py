"""Fairness of exposure: do the suggestions show each group of students about as often as the
group's share of the community would lead one to expect?

Two populations of rankings: `fairness_report` reads the stored suggestions (what was ranked
and kept so far, which depends on which challenges someone opened); `population_exposure` ranks
every consenting student for every open challenge, so its figures depend on the community
alone. The dashboard shows the second (computed in the background: see
`service.usecases.dashboard_refresh`)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import defer
from sqlmodel import Session, SQLModel, select

from matcher.ranker import Match
from matcher.travel import nearer_first
from service.domain.tables import (
    Challenge,
    ChallengeStatus,
    Level,
    Membership,
    StudentProfile,
    Suggestion,
    TargetKind,
)
from service.usecases.matching import Matching
from service.usecases.places import travel
from service.usecases.suggestions import StudentFilters, eligible_students

#: The group of students whose profile names no region.
NO_REGION = "(onbekend)"

DEFINITION = (
    "Population: the students of the community who consent to matching. Exposure: every "
    "stored student suggestion of the community's challenges (whatever its review status) "
    "about a student of the population counts once as an appearance, and with the weight "
    "1/log2(rank + 1) as exposure, where rank is the suggestion's position among the stored "
    "student suggestions of the same challenge by score (1 = best, ties by student id). Per "
    "group (level, region): population_share = the group's students / all students of the "
    "population; exposure_share = the group's exposure / all exposure; exposure_ratio = "
    "exposure_share / population_share (1: exposure in proportion to the group's size; below 1: "
    "the group is shown less often, above 1 more often). appearance_share and appearance_ratio "
    "are the same without the rank weighting. A share or ratio is null where its denominator "
    "is zero."
)

POPULATION_DEFINITION = (
    "Population: the students of the community who consent to matching. Rankings: for every "
    "published challenge of the community, every student of the population eligible for it "
    "(the review page's filters: the challenge's level, unless any; its language; free in its "
    "period) ranked by the matcher as the review page ranks them (nearer first among near "
    "equals), whether or not anyone opened that page. A student's appearance in a ranking counts "
    "once, with the weight 1/log2(rank + 1) as exposure. Shares and ratios per group as in the "
    "suggestions' report."
)


class GroupExposure(SQLModel):
    """One group of students: its size and how much the suggestions show it."""

    group: str
    students: int
    population_share: float | None
    appearances: int
    appearance_share: float | None
    appearance_ratio: float | None
    exposure: float
    exposure_share: float | None
    exposure_ratio: float | None


class FairnessReport(SQLModel):
    """Exposure of the community's students in suggestions, by level and by region."""

    community_id: str
    students: int
    suggestions: int
    definition: str
    by_level: list[GroupExposure]
    by_region: list[GroupExposure]


def rank_weight(rank: int) -> float:
    """The exposure of one appearance at this rank (1 = best): 1/log2(rank + 1)."""
    return 1.0 / math.log2(rank + 1)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _ratio(share: float | None, base: float | None) -> float | None:
    return share / base if share is not None and base else None


def _groups(
    names: list[str],
    group_of: dict[str, str],
    appearances: dict[str, int],
    exposure: dict[str, float],
) -> list[GroupExposure]:
    students: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    weighted: dict[str, float] = defaultdict(float)
    for student_id, group in group_of.items():
        students[group] += 1
        seen[group] += appearances.get(student_id, 0)
        weighted[group] += exposure.get(student_id, 0.0)
    total_students = len(group_of)
    total_seen = sum(seen.values())
    total_weight = sum(weighted.values())
    report = []
    for name in names:
        population = _share(students[name], total_students)
        seen_share = _share(seen[name], total_seen)
        weight_share = _share(weighted[name], total_weight)
        report.append(
            GroupExposure(
                group=name,
                students=students[name],
                population_share=population,
                appearances=seen[name],
                appearance_share=seen_share,
                appearance_ratio=_ratio(seen_share, population),
                exposure=weighted[name],
                exposure_share=weight_share,
                exposure_ratio=_ratio(weight_share, population),
            )
        )
    return report


def fairness_report(session: Session, community_id: str) -> FairnessReport:
    """The exposure report of one community (see `DEFINITION`)."""
    population = _population(session, community_id)
    stored = session.exec(
        select(Suggestion.challenge_id, Suggestion.target_id, Suggestion.score).where(
            Suggestion.community_id == community_id,
            Suggestion.target_kind == TargetKind.student,
        )
    ).all()
    per_challenge: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for challenge_id, target_id, score in stored:
        per_challenge[challenge_id].append((score, target_id))
    rankings = []
    for ranked in per_challenge.values():
        ranked.sort(key=lambda item: (-item[0], item[1]))
        rankings.append([target_id for _, target_id in ranked])
    return _report(community_id, population, rankings, DEFINITION)


def _population(session: Session, community_id: str) -> list[tuple[str, str, str | None]]:
    """(id, level, region) of the community's students who consent to matching."""
    members = select(Membership.member_id).where(
        Membership.community_id == community_id, Membership.kind == "student"
    )
    return list(
        session.exec(
            select(StudentProfile.id, StudentProfile.level, StudentProfile.region).where(
                StudentProfile.id.in_(members), StudentProfile.consent_matching
            )
        ).all()
    )


def _report(
    community_id: str,
    population: list[tuple[str, str, str | None]],
    rankings: Iterable[list[str]],
    definition: str,
) -> FairnessReport:
    """The report of these rankings (ids best first). An id outside the population (a student
    suggested before withdrawing consent) counts for no group but keeps its place, so the
    ranks are those a reader of the ranking saw."""
    level_of = {id_: str(level) for id_, level, _ in population}
    region_of = {id_: (region or "").strip() or NO_REGION for id_, _, region in population}
    appearances: dict[str, int] = defaultdict(int)
    exposure: dict[str, float] = defaultdict(float)
    counted = 0
    for ranked in rankings:
        for rank, target_id in enumerate(ranked, start=1):
            if target_id in level_of:
                appearances[target_id] += 1
                exposure[target_id] += rank_weight(rank)
                counted += 1
    levels = [level.value for level in Level]
    regions = sorted(set(region_of.values()))
    return FairnessReport(
        community_id=community_id,
        students=len(population),
        suggestions=counted,
        definition=definition,
        by_level=_groups(levels, level_of, appearances, exposure),
        by_region=_groups(regions, region_of, appearances, exposure),
    )


@dataclass(frozen=True)
class PopulationExposure:
    """`population_exposure`'s answer: the report (its `suggestions` are the places in the
    rankings) and how many open challenges were ranked for it."""

    report: FairnessReport
    challenges: int


def _filters_key(hard: dict[str, list[str]], allowed: frozenset[str] | None) -> tuple:
    return (tuple(sorted((name, tuple(values)) for name, values in hard.items())), allowed)


def _nearer_first(
    challenge: Challenge, matches: list[Match], students: dict[str, StudentProfile]
) -> list[str]:
    """The review page's order: of near-equal students the one living nearer first. The
    travel check depends only on the student's place and reach, so it is worked out once per
    (place, reach) of each challenge, not once per student."""
    matches = [m for m in matches if m.id in students]
    nearness: dict[tuple[str, int], float] = {}
    near = {}
    for m in matches:
        student = students[m.id]
        key = (student.region, student.travel_km)
        if key not in nearness:
            nearness[key] = travel(challenge, student).nearness
        near[m.id] = nearness[key]
    return [m.id for m in nearer_first(matches, near)]


def full_rankings(
    session: Session,
    matching: Matching,
    challenges: list[Challenge],
    students: dict[str, StudentProfile],
) -> list[list[str]]:
    """For each challenge, every student eligible for it (the review page's filters), best
    first, as the review page would rank them with no limit (`students`: the community's
    consenting ones, for their places). Challenges with the same filters (level, language,
    period) are ranked together in one vectorised call."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    filters: dict[tuple, tuple[dict[str, list[str]], frozenset[str] | None]] = {}
    for at, challenge in enumerate(challenges):
        hard, allowed = eligible_students(session, matching, challenge, StudentFilters())
        key = _filters_key(hard, allowed)
        groups[key].append(at)
        filters[key] = (hard, allowed)
    rankings: list[list[str]] = [[] for _ in challenges]
    for key, members in groups.items():
        hard, allowed = filters[key]
        queries = [challenges[at] for at in members]
        found = matching.rank_all("student", "challenge", queries, filters=hard, allowed=allowed)
        for at, matches in zip(members, found, strict=True):
            rankings[at] = _nearer_first(challenges[at], matches, students)
    return rankings


def population_exposure(
    session: Session, matching: Matching, community_id: str
) -> PopulationExposure:
    """Exposure of every consenting student of the community in the full ranking of every
    published challenge of the community (see `POPULATION_DEFINITION`). Stores nothing and
    reads no suggestion: the same community gives the same figures whichever pages were
    opened."""
    population = _population(session, community_id)
    ids = [id_ for id_, _, _ in population]
    students: dict[str, StudentProfile] = {}
    for start in range(0, len(ids), 1000):  # PostgreSQL's limit on bound parameters
        query = (
            select(StudentProfile)
            .where(StudentProfile.id.in_(ids[start : start + 1000]))
            .options(defer(StudentProfile.embedding), defer(StudentProfile.query_embedding))
        )
        students.update((student.id, student) for student in session.exec(query))
    challenges = published_challenges(session, community_id)
    rankings = full_rankings(session, matching, challenges, students)
    report = _report(community_id, population, rankings, POPULATION_DEFINITION)
    return PopulationExposure(report=report, challenges=len(challenges))


def published_challenges(session: Session, community_id: str) -> list[Challenge]:
    """The community's published challenges, oldest first: the open challenges whose full
    rankings the population's exposure is taken from."""
    return list(
        session.exec(
            select(Challenge)
            .where(
                Challenge.community_id == community_id,
                Challenge.status == ChallengeStatus.published,
            )
            .order_by(Challenge.created_at, Challenge.id)
        )
    )
