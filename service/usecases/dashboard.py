"""The tables behind an intermediary's community dashboard.

Pure service functions over a session and a community id: no HTTP, no access checks (the
caller checks that the viewer manages the community, as for every other community view).
Each table is a list of rows with named columns, so one result feeds the chart, the HTML table
and the CSV download alike. Column names are stable English keys; the web layer gives them
their Dutch or English heading.

Everything is scoped to one community: its challenges, its suggestions, and the students who
are members of it. A student who belongs to two communities is counted in each, judged only by
the matches of that community, so one community's dashboard tells nothing about another's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from service.domain.strength import STRONG_MATCH
from service.domain.tables import (
    Challenge,
    ChallengeLevel,
    ChallengeStatus,
    Level,
    Membership,
    Organisation,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
    Theme,
)
from service.usecases.dashboard_refresh import latest_refresh, ranked_challenges

#: A candidate is good from a strong match on (`service.domain.strength`). Scores are the
#: ranker's fused z-scores (each component standardised over the whole corpus, then weighted
#: and summed: `matcher.scoring`), on one scale on SQLite and PostgreSQL alike. Measured on the
#: demo data with the default model (`benchmarks/dashboard_threshold.py`): at 2.0 on average
#: the top 10 % of a challenge's eligible students qualify, and 8 of the 71 published
#: challenges have none; at 1.0 it would be the top 21 % and only 1 challenge without.
GOOD_SCORE = STRONG_MATCH

#: The workflow's statuses, in the order a match passes through them.
STAGES: tuple[SuggestionStatus, ...] = (
    SuggestionStatus.suggested,
    SuggestionStatus.approved,
    SuggestionStatus.rejected,
    SuggestionStatus.introduced,
    SuggestionStatus.accepted,
    SuggestionStatus.declined,
    SuggestionStatus.active,
    SuggestionStatus.completed,
)
#: A suggestion in one of these is no candidate any more: someone said no.
TURNED_DOWN = (SuggestionStatus.rejected, SuggestionStatus.declined)
#: A student with a match in one of these has an assignment (or is about to start one).
ASSIGNED = (SuggestionStatus.introduced, SuggestionStatus.accepted, SuggestionStatus.active)
#: Matches past the intermediary's approval: the ones that lead somewhere.
ONWARD = (
    SuggestionStatus.approved,
    SuggestionStatus.introduced,
    SuggestionStatus.accepted,
    SuggestionStatus.active,
    SuggestionStatus.completed,
)
#: The theme of a challenge that names none.
NO_THEME = "(geen thema)"


@dataclass(frozen=True)
class Table:
    """Rows with named columns; `names_students` says whether a row identifies a student
    (then showing or downloading it is logged in the audit log)."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    names_students: bool = False

    def column(self, name: str) -> list[Any]:
        """The values of one column, top to bottom."""
        return [row[name] for row in self.rows]


# -- challenges -----------------------------------------------------------------------------


@dataclass
class _Candidates:
    """What the stored suggestions say about one challenge."""

    candidates: int = 0  # suggestions nobody turned down
    best_score: float | None = None  # the best of those
    in_progress: int = 0  # introduced, accepted or active


def _candidates(session: Session, community_id: str) -> dict[str, _Candidates]:
    rows = session.exec(
        select(Suggestion.challenge_id, Suggestion.status, Suggestion.score).where(
            Suggestion.community_id == community_id
        )
    ).all()
    found: dict[str, _Candidates] = defaultdict(_Candidates)
    for challenge_id, status, score in rows:
        entry = found[challenge_id]
        if status in ASSIGNED:
            entry.in_progress += 1
        if status in TURNED_DOWN:
            continue
        entry.candidates += 1
        if entry.best_score is None or score > entry.best_score:
            entry.best_score = score
    return found


def _open_challenges(session: Session, community_id: str) -> list[tuple[Challenge, str]]:
    """The community's published challenges with their organisation's name, oldest first."""
    return list(
        session.exec(
            select(Challenge, Organisation.name)
            .join(Organisation, Organisation.id == Challenge.organisation_id)
            .where(
                Challenge.community_id == community_id,
                Challenge.status == ChallengeStatus.published,
            )
            .order_by(Challenge.created_at, Challenge.id)
        ).all()
    )


def _challenge_row(
    challenge: Challenge, organisation: str, found: _Candidates, ranked: bool
) -> dict[str, Any]:
    return {
        "challenge_id": challenge.id,
        "title": challenge.title,
        "organisation": organisation,
        "level": str(challenge.level),
        "themes": ", ".join(challenge.themes),
        "period_start": challenge.period_start,
        "candidates": found.candidates,
        "best_score": None if found.best_score is None else round(found.best_score, 3),
        "in_progress": found.in_progress,
        "ranked": ranked,
    }


CHALLENGE_COLUMNS = (
    "challenge_id",
    "title",
    "organisation",
    "level",
    "themes",
    "period_start",
    "candidates",
    "best_score",
    "in_progress",
    "ranked",
)


def open_challenges(session: Session, community_id: str) -> Table:
    """The published challenges: their candidates (stored suggestions of students and research
    groups that nobody turned down), the best candidate's score, the matches under way, and
    whether the challenge was ranked at all (`service.usecases.dashboard_refresh`)."""
    found = _candidates(session, community_id)
    ranked = ranked_challenges(session, community_id)
    rows = [
        _challenge_row(
            challenge,
            organisation,
            found.get(challenge.id, _Candidates()),
            challenge.id in ranked,
        )
        for challenge, organisation in _open_challenges(session, community_id)
    ]
    return Table("open_challenges", CHALLENGE_COLUMNS, rows)


def has_good_candidate(best_score: float | None, threshold: float = GOOD_SCORE) -> bool:
    """Whether a challenge whose best candidate scored this has a good candidate."""
    return best_score is not None and best_score >= threshold


def lacks_good_candidate(row: dict[str, Any], threshold: float = GOOD_SCORE) -> bool:
    """Whether an open challenge's row says it was ranked and has no good candidate. A
    challenge never ranked is not one of these: nobody knows yet (see `challenges_not_ranked`)."""
    return row["ranked"] and not has_good_candidate(row["best_score"], threshold)


def challenges_without_good_candidate(
    session: Session, community_id: str, threshold: float = GOOD_SCORE
) -> Table:
    """The published challenges that were ranked and have no candidate scoring `threshold` or
    more: every candidate was turned down, none was eligible, or the best one scores lower.
    The threshold is a column, so a reader sees what "good" meant."""
    rows = []
    for row in open_challenges(session, community_id).rows:
        if lacks_good_candidate(row, threshold):
            rows.append({**row, "threshold": threshold})
    return Table("challenges_without_good_candidate", (*CHALLENGE_COLUMNS, "threshold"), rows)


def challenges_not_ranked(session: Session, community_id: str) -> Table:
    """The published challenges whose students were never ranked for them (no
    `ChallengeRanking`; a suggestion stored from a student's own page does not count). The
    dashboard's refresh ranks them."""
    rows = [row for row in open_challenges(session, community_id).rows if not row["ranked"]]
    return Table("challenges_not_ranked", CHALLENGE_COLUMNS, rows)


def open_challenges_by_level(
    session: Session, community_id: str, threshold: float = GOOD_SCORE
) -> Table:
    """Per challenge level: the open challenges, how many were never ranked, and how many were
    ranked and lack a good candidate."""
    open_rows = open_challenges(session, community_id).rows
    total = Counter(row["level"] for row in open_rows)
    unranked = Counter(row["level"] for row in open_rows if not row["ranked"])
    weak = Counter(row["level"] for row in open_rows if lacks_good_candidate(row, threshold))
    rows = [
        {
            "level": level.value,
            "open_challenges": total[level.value],
            "not_ranked": unranked[level.value],
            "without_good_candidate": weak[level.value],
        }
        for level in ChallengeLevel
    ]
    columns = ("level", "open_challenges", "not_ranked", "without_good_candidate")
    return Table("open_challenges_by_level", columns, rows)


# -- students -------------------------------------------------------------------------------


def _consenting_students(session: Session, community_id: str) -> list[StudentProfile]:
    members = select(Membership.member_id).where(
        Membership.community_id == community_id, Membership.kind == "student"
    )
    return list(
        session.exec(
            select(StudentProfile)
            .where(StudentProfile.id.in_(members), StudentProfile.consent_matching)
            .order_by(StudentProfile.full_name, StudentProfile.id)
        ).all()
    )


def _assigned_students(session: Session, community_id: str) -> set[str]:
    return set(
        session.exec(
            select(Suggestion.target_id).where(
                Suggestion.community_id == community_id,
                Suggestion.target_kind == TargetKind.student,
                Suggestion.status.in_(ASSIGNED),
            )
        ).all()
    )


def students_without_assignment(session: Session, community_id: str) -> Table:
    """The consenting students of the community with no match of this community introduced,
    accepted or under way. Students who withheld consent are not listed (nor counted): they
    asked not to be matched. Only what an intermediary needs to find them an assignment."""
    assigned = _assigned_students(session, community_id)
    rows = [
        {
            "student_id": student.id,
            "name": student.full_name,
            "level": str(student.level),
            "programme": student.programme,
            "region": student.region,
            "available_from": student.available_from,
        }
        for student in _consenting_students(session, community_id)
        if student.id not in assigned
    ]
    columns = ("student_id", "name", "level", "programme", "region", "available_from")
    return Table("students_without_assignment", columns, rows, names_students=True)


def students_without_assignment_by_level(session: Session, community_id: str) -> Table:
    """Per student level: the consenting students and how many of them have no assignment."""
    assigned = _assigned_students(session, community_id)
    students = _consenting_students(session, community_id)
    total = Counter(str(student.level) for student in students)
    free = Counter(str(student.level) for student in students if student.id not in assigned)
    rows = [
        {
            "level": level.value,
            "students": total[level.value],
            "without_assignment": free[level.value],
        }
        for level in Level
    ]
    return Table(
        "students_without_assignment_by_level", ("level", "students", "without_assignment"), rows
    )


# -- matches ----------------------------------------------------------------------------------


def matches_per_stage(session: Session, community_id: str) -> Table:
    """Per workflow status, in workflow order: the stored suggestions of the community, of
    students and of research groups."""
    counts = Counter(
        session.exec(
            select(Suggestion.status, Suggestion.target_kind).where(
                Suggestion.community_id == community_id
            )
        ).all()
    )
    rows = []
    for stage in STAGES:
        students = counts[(stage, TargetKind.student)]
        groups = counts[(stage, TargetKind.research_group)]
        rows.append(
            {
                "stage": stage.value,
                "students": students,
                "research_groups": groups,
                "total": students + groups,
            }
        )
    return Table("matches_per_stage", ("stage", "students", "research_groups", "total"), rows)


def matches_per_theme(session: Session, community_id: str) -> Table:
    """Per theme of the challenges: the suggestions of challenges with that theme, and how
    many of them got past the intermediary's approval. A challenge with two themes counts
    under both; one without a theme under "(geen thema)". Most matches first."""
    pairs = session.exec(
        select(Challenge.themes, Suggestion.status)
        .join(Challenge, Challenge.id == Suggestion.challenge_id)
        .where(Suggestion.community_id == community_id)
    ).all()
    total: Counter[str] = Counter()
    onward: Counter[str] = Counter()
    for themes, status in pairs:
        for theme in sorted(set(themes)) or [NO_THEME]:
            total[theme] += 1
            if status in ONWARD:
                onward[theme] += 1
    rows = [
        {"theme": theme, "matches": count, "approved_or_further": onward[theme]}
        for theme, count in sorted(total.items(), key=lambda item: (-item[1], item[0]))
    ]
    return Table("matches_per_theme", ("theme", "matches", "approved_or_further"), rows)


def week_start(moment: datetime) -> date:
    """The Monday of the ISO week of a moment (in UTC, as the database keeps it)."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def stages_reached(
    session: Session, community_id: str, bucket: Callable[[datetime], date]
) -> dict[date, Counter[str]]:
    """Per bucket (a week, a month, a quarter: `bucket` maps a moment to its first day): how
    many suggestions of the community were made, and how many reached each later status then,
    from the review events' timestamps. Buckets without any event are absent."""
    created = session.exec(
        select(Suggestion.created_at).where(Suggestion.community_id == community_id)
    ).all()
    moved = session.exec(
        select(SuggestionEvent.at, SuggestionEvent.to_status, SuggestionEvent.from_status)
        .join(Suggestion, Suggestion.id == SuggestionEvent.suggestion_id)
        .where(Suggestion.community_id == community_id)
    ).all()
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    for at in created:
        counts[bucket(at)][SuggestionStatus.suggested.value] += 1
    for at, to_status, from_status in moved:
        if to_status != from_status:  # a rating or a first answer leaves the status as it was
            counts[bucket(at)][to_status] += 1
    return counts


def matches_per_week(session: Session, community_id: str) -> Table:
    """Per ISO week (from its Monday, in UTC): how many suggestions were made, and how many
    reached each later status that week, from the review events' timestamps. Weeks without any
    event are rows of zeros, so the line over time has no gaps."""
    counts = stages_reached(session, community_id, week_start)
    stages = tuple(stage.value for stage in STAGES)
    columns = ("week", "week_start", *stages)
    rows = []
    if counts:
        monday, last = min(counts), max(counts)
        while monday <= last:
            year, week, _ = monday.isocalendar()
            rows.append(
                {
                    "week": f"{year}-W{week:02d}",
                    "week_start": monday,
                    **{stage: counts[monday][stage] for stage in stages},
                }
            )
            monday += timedelta(weeks=1)
    return Table("matches_per_week", columns, rows)


# -- fairness ----------------------------------------------------------------------------------

FAIRNESS_COLUMNS = (
    "group",
    "students",
    "population_share",
    "appearances",
    "appearance_ratio",
    "exposure_share",
    "exposure_ratio",
)


def _fairness_rows(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return [
        {
            "group": group["group"],
            "students": group["students"],
            "population_share": rounded(group["population_share"]),
            "appearances": group["appearances"],
            "appearance_ratio": rounded(group["appearance_ratio"]),
            "exposure_share": rounded(group["exposure_share"]),
            "exposure_ratio": rounded(group["exposure_ratio"]),
        }
        for group in groups
    ]


def fairness_by_level(session: Session, community_id: str) -> Table:
    """Exposure per student level, from the community's last dashboard refresh: every
    consenting student in the full ranking of every open challenge
    (`service.usecases.fairness.population_exposure`); no rows before the first refresh."""
    done = latest_refresh(session, community_id)
    rows = [] if done is None else _fairness_rows(done.by_level)
    return Table("fairness_by_level", FAIRNESS_COLUMNS, rows)


def fairness_by_region(session: Session, community_id: str) -> Table:
    """Exposure per student region, from the community's last dashboard refresh (see
    `fairness_by_level`)."""
    done = latest_refresh(session, community_id)
    rows = [] if done is None else _fairness_rows(done.by_region)
    return Table("fairness_by_region", FAIRNESS_COLUMNS, rows)


# -- continuity: themes that continue and themes that stalled ------------------------------------

#: A challenge of the last period counts as open while it waits for a team (draft or published
#: and no match accepted yet), as running once a match is accepted or active.
_RUNNING = (SuggestionStatus.accepted, SuggestionStatus.active)


def theme_continuity(session: Session, community_id: str) -> Table:
    """Per theme of the community: its challenges, the year of its last period, how many of
    that last period are open or running, and whether it continues or stalled.

    The last period is the latest year of the community's challenges (by their period's
    start). A theme continues when it has an open or running challenge in that year; it
    stalled when it has none there (its work ended, or it has no challenge that year).
    Continuing themes first, then by name."""
    themes = session.exec(select(Theme).where(Theme.community_id == community_id)).all()
    challenges = session.exec(select(Challenge).where(Challenge.community_id == community_id)).all()
    years = [c.period_start.year for c in challenges if c.period_start is not None]
    last = max(years) if years else None
    ids = [c.id for c in challenges if c.theme_id is not None]
    statuses: dict[str, set[str]] = defaultdict(set)
    if ids:
        for challenge_id, status in session.exec(
            select(Suggestion.challenge_id, Suggestion.status).where(
                Suggestion.challenge_id.in_(ids)
            )
        ):
            statuses[challenge_id].add(status)

    def open_or_running(challenge: Challenge) -> bool:
        seen = statuses.get(challenge.id, set())
        if any(status in _RUNNING for status in seen):
            return True
        waiting = challenge.status in (ChallengeStatus.draft, ChallengeStatus.published)
        return waiting and SuggestionStatus.completed not in seen

    rows = []
    for theme in themes:
        own = [c for c in challenges if c.theme_id == theme.id]
        dated = [c.period_start.year for c in own if c.period_start is not None]
        current = [
            c
            for c in own
            if last is not None and c.period_start is not None and c.period_start.year == last
        ]
        alive = sum(1 for c in current if open_or_running(c))
        rows.append(
            {
                "theme_id": theme.id,
                "theme_name": theme.name,
                "challenges": len(own),
                "last_year": max(dated) if dated else None,
                "open_or_running": alive,
                "state": "continues" if alive else "stalled",
            }
        )
    rows.sort(key=lambda row: (row["state"] != "continues", row["theme_name"], row["theme_id"]))
    columns = ("theme_id", "theme_name", "challenges", "last_year", "open_or_running", "state")
    return Table("theme_continuity", columns, rows)


# -- all tables by name --------------------------------------------------------------------------

TABLES: dict[str, Callable[[Session, str], Table]] = {
    "open_challenges_by_level": open_challenges_by_level,
    "open_challenges": open_challenges,
    "challenges_not_ranked": challenges_not_ranked,
    "challenges_without_good_candidate": challenges_without_good_candidate,
    "students_without_assignment_by_level": students_without_assignment_by_level,
    "students_without_assignment": students_without_assignment,
    "matches_per_stage": matches_per_stage,
    "matches_per_theme": matches_per_theme,
    "matches_per_week": matches_per_week,
    "fairness_by_level": fairness_by_level,
    "fairness_by_region": fairness_by_region,
    "theme_continuity": theme_continuity,
}


class UnknownTable(LookupError):
    """A table name the dashboard does not have; the message lists the ones it has."""


def table(session: Session, community_id: str, name: str) -> Table:
    """One dashboard table by its name (see `TABLES`)."""
    try:
        build = TABLES[name]
    except KeyError:
        raise UnknownTable(f"no table {name!r}; the tables are: {', '.join(TABLES)}") from None
    return build(session, community_id)
