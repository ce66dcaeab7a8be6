"""A funding programme's figures: per community and per period, counts that name no person.

A programme's monitor (and an admin) reads these for all the programme's communities; an
intermediary of a funded community reads them for their own communities only. Every count of
1 to 4 is shown as "<5" (small-cell suppression), and a mean rating only from 5 ratings on, so
no figure points at a person; `SUPPRESSION` says so in words for the export and the report.

The match counts come from the community dashboard's own query (`dashboard.stages_reached`),
bucketed by month or quarter instead of by week, so the two views never disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from service.domain.actor import Actor
from service.domain.errors import Invalid, not_found
from service.domain.tables import (
    Challenge,
    ChallengeStatus,
    Community,
    Programme,
    ProgrammeCommunity,
    ProgrammeMonitor,
    ProgrammePublic,
    Role,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
)
from service.usecases.dashboard import ONWARD, Table, stages_reached

#: The smallest count shown as it is; smaller ones (but 0) read "<5".
SMALLEST_SHOWN = 5
SMALL = f"<{SMALLEST_SHOWN}"
SUPPRESSION = (
    f"Counts from 1 to {SMALLEST_SHOWN - 1} are shown as '{SMALL}' and a mean rating only from "
    f"{SMALLEST_SHOWN} ratings on, so that no figure points at a person."
)
SUPPRESSION_NL = (
    f"Aantallen van 1 tot en met {SMALLEST_SHOWN - 1} staan er als '{SMALL}' en een "
    f"gemiddeld cijfer pas vanaf {SMALLEST_SHOWN} beoordelingen, zodat geen cijfer naar een "
    "persoon wijst."
)
#: A student's match from this status on counts as a placement.
PLACED = SuggestionStatus.introduced.value
#: Statuses that say a student or research group takes part in a challenge.
ONWARD_STATUSES = {status.value for status in ONWARD}
TAKING_PART = ONWARD_STATUSES - {SuggestionStatus.approved.value}
UNKNOWN_REGION = "(onbekend)"


class Period:
    """How figures are bucketed: by month or by quarter."""

    MONTH = "month"
    QUARTER = "quarter"
    ALL = (MONTH, QUARTER)


def period_start(moment: datetime | date, period: str) -> date:
    """The first day of the month or quarter a moment falls in."""
    if period == Period.MONTH:
        return date(moment.year, moment.month, 1)
    return date(moment.year, 3 * ((moment.month - 1) // 3) + 1, 1)


def period_label(start: date, period: str) -> str:
    """A period's name: 2027-03 for a month, 2027-Q1 for a quarter."""
    if period == Period.MONTH:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def _next_period(start: date, period: str) -> date:
    months = 1 if period == Period.MONTH else 3
    month = start.month + months
    return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def suppressed(count: int) -> int | str:
    """A count as it may be shown: 0 and 5 on as they are, 1 to 4 as "<5"."""
    return SMALL if 0 < count < SMALLEST_SHOWN else count


# -- which programmes a caller sees --------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeView:
    """A programme and the communities of it the caller may read figures of."""

    programme: Programme
    communities: list[Community]

    def public(self) -> ProgrammePublic:
        return ProgrammePublic(
            **self.programme.model_dump(), community_ids=[c.id for c in self.communities]
        )


def _monitored(session: Session, actor: Actor) -> set[str]:
    return set(
        session.exec(
            select(ProgrammeMonitor.programme_id).where(ProgrammeMonitor.user_id == actor.id)
        ).all()
    )


def _view(session: Session, actor: Actor, programme: Programme) -> ProgrammeView | None:
    community_ids = set(
        session.exec(
            select(ProgrammeCommunity.community_id).where(
                ProgrammeCommunity.programme_id == programme.id
            )
        ).all()
    )
    if actor.is_admin or (
        actor.role is Role.monitor and programme.id in _monitored(session, actor)
    ):
        readable = community_ids
    elif actor.role is Role.intermediary:
        readable = community_ids & actor.community_ids
        if not readable:
            return None
    else:
        return None
    communities = session.exec(
        select(Community).where(Community.id.in_(readable)).order_by(Community.name, Community.id)
    ).all()
    return ProgrammeView(programme, list(communities))


def programmes_of(session: Session, actor: Actor) -> list[ProgrammeView]:
    """The programmes the caller follows: a monitor theirs, an intermediary those funding one
    of their communities (with only those communities), an admin all. Others: none."""
    programmes = session.exec(select(Programme).order_by(Programme.name, Programme.id)).all()
    views = (_view(session, actor, programme) for programme in programmes)
    return [view for view in views if view is not None]


def visible_programme(session: Session, actor: Actor, programme_id: str) -> ProgrammeView:
    """One programme the caller follows; not found for one they do not (they learn nothing
    of its existence)."""
    programme = session.get(Programme, programme_id)
    view = None if programme is None else _view(session, actor, programme)
    if view is None:
        raise not_found("Programme", programme_id)
    return view


# -- the figures ------------------------------------------------------------------------------

FIGURE_COLUMNS = (
    "community_id",
    "community",
    "region",
    "period",
    "period_start",
    "smes_taking_part",
    "students_taking_part",
    "research_groups_taking_part",
    "challenges_posted",
    "challenges_staffed",
    "challenges_completed",
    "matches_suggested",
    "matches_approved",
    "matches_introduced",
    "matches_completed",
    "ratings",
    "mean_rating",
)
PLACEMENT_COLUMNS = ("community_id", "community", "period", "by", "value", "students_placed")

#: The data dictionary: every field of the open data, what it counts, and its type.
DICTIONARY: dict[str, tuple[str, str, str]] = {
    "community_id": ("string", "The community's id.", "Id van de leergemeenschap."),
    "community": ("string", "The community's name.", "Naam van de leergemeenschap."),
    "region": ("string", "The community's region.", "Regio van de leergemeenschap."),
    "period": (
        "string",
        "The month (2027-03) or quarter (2027-Q1) counted, in UTC.",
        "De maand (2027-03) of het kwartaal (2027-Q1), in UTC.",
    ),
    "period_start": ("date", "The period's first day.", "Eerste dag van de periode."),
    "smes_taking_part": (
        "count",
        "SMEs that posted a challenge in the period or whose challenge had a match move on.",
        "Mkb-bedrijven die een vraag plaatsten of bij wier vraag een match verder kwam.",
    ),
    "students_taking_part": (
        "count",
        "Students whose match was introduced, accepted, under way or completed in the period.",
        "Studenten van wie een match werd voorgesteld, aanvaard, liep of werd afgerond.",
    ),
    "research_groups_taking_part": (
        "count",
        "Research groups whose match was introduced, accepted, under way or completed.",
        "Onderzoeksgroepen van wie een match werd voorgesteld, aanvaard, liep of afgerond.",
    ),
    "challenges_posted": (
        "count",
        "Challenges created in the period and published since (drafts do not count).",
        "Vragen die in de periode zijn aangemaakt en daarna gepubliceerd (geen concepten).",
    ),
    "challenges_staffed": (
        "count",
        "Challenges with a match approved or introduced in the period.",
        "Vragen met een match die in de periode is goedgekeurd of voorgesteld.",
    ),
    "challenges_completed": (
        "count",
        "Challenges with a match completed in the period.",
        "Vragen met een match die in de periode is afgerond.",
    ),
    "matches_suggested": (
        "count",
        "Matches the matcher suggested in the period.",
        "Matches die de matcher in de periode voorstelde.",
    ),
    "matches_approved": (
        "count",
        "Matches an intermediary approved in the period.",
        "Matches die een intermediair in de periode goedkeurde.",
    ),
    "matches_introduced": (
        "count",
        "Matches introduced to both sides in the period.",
        "Matches die in de periode aan beide kanten zijn voorgesteld.",
    ),
    "matches_completed": (
        "count",
        "Matches completed in the period.",
        "Matches die in de periode zijn afgerond.",
    ),
    "ratings": (
        "count",
        "Ratings (1 to 5) given by either side in the period.",
        "Beoordelingen (1 tot 5) die een van beide kanten in de periode gaf.",
    ),
    "mean_rating": (
        "number",
        "The mean of those ratings, to one decimal; empty below 5 ratings.",
        "Het gemiddelde daarvan op één decimaal; leeg onder 5 beoordelingen.",
    ),
    "by": (
        "string",
        "What placements are split by: level (mbo, hbo, wo) or region.",
        "Waarnaar plaatsingen zijn verdeeld: niveau (mbo, hbo, wo) of regio.",
    ),
    "value": (
        "string",
        "The level or the student's region ('(onbekend)' when not given).",
        "Het niveau of de regio van de student ('(onbekend)' als die ontbreekt).",
    ),
    "students_placed": (
        "count",
        "Students whose match was introduced in the period.",
        "Studenten van wie een match in de periode is voorgesteld.",
    ),
}


def dictionary() -> Table:
    """The data dictionary as a table: field, type, description (English and Dutch)."""
    rows = [
        {"field": name, "type": kind, "description_en": en, "description_nl": nl}
        for name, (kind, en, nl) in DICTIONARY.items()
    ]
    return Table("dictionary", ("field", "type", "description_en", "description_nl"), rows)


@dataclass
class _Bucket:
    """What happened in one community in one period."""

    smes: set[str] = field(default_factory=set)
    students: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    posted: int = 0
    staffed: set[str] = field(default_factory=set)
    completed: set[str] = field(default_factory=set)
    ratings: list[int] = field(default_factory=list)
    placed: dict[str, Counter[str]] = field(
        default_factory=lambda: {"level": Counter(), "region": Counter()}
    )


def _rating_of(action: str) -> int | None:
    """The rating in an event's action ("rate:target:4"), if it records one."""
    parts = action.split(":")
    if parts[0] == "rate" and parts[-1].isdigit():
        return int(parts[-1])
    return None


def _community_buckets(
    session: Session, community_id: str, bucket: Callable[[datetime], date]
) -> dict[date, _Bucket]:
    buckets: dict[date, _Bucket] = defaultdict(_Bucket)
    for created_at, organisation_id in session.exec(
        select(Challenge.created_at, Challenge.organisation_id).where(
            Challenge.community_id == community_id,
            Challenge.status != ChallengeStatus.draft,
        )
    ).all():
        entry = buckets[bucket(created_at)]
        entry.posted += 1
        entry.smes.add(organisation_id)
    events = session.exec(
        select(
            SuggestionEvent.at,
            SuggestionEvent.action,
            SuggestionEvent.from_status,
            SuggestionEvent.to_status,
            Suggestion.challenge_id,
            Suggestion.target_kind,
            Suggestion.target_id,
            Challenge.organisation_id,
        )
        .join(Suggestion, Suggestion.id == SuggestionEvent.suggestion_id)
        .join(Challenge, Challenge.id == Suggestion.challenge_id)
        .where(Suggestion.community_id == community_id)
    ).all()
    students = {
        row.id: row
        for row in session.exec(
            select(StudentProfile).where(
                StudentProfile.id.in_(
                    {e[6] for e in events if e[5] == TargetKind.student and e[3] == PLACED}
                )
            )
        ).all()
    }
    for at, action, from_status, to_status, challenge_id, kind, target_id, org in events:
        entry = buckets[bucket(at)]
        rating = _rating_of(action)
        if rating is not None:
            entry.ratings.append(rating)
        if to_status == from_status or to_status not in ONWARD_STATUSES:
            continue  # a rating, a first answer, a rejection or a decline: nobody moved on
        entry.smes.add(org)
        if to_status in TAKING_PART:
            (entry.students if kind == TargetKind.student else entry.groups).add(target_id)
        if to_status in (SuggestionStatus.approved, SuggestionStatus.introduced):
            entry.staffed.add(challenge_id)
        if to_status == SuggestionStatus.completed:
            entry.completed.add(challenge_id)
        if to_status == PLACED and kind == TargetKind.student and target_id in students:
            student = students[target_id]
            entry.placed["level"][str(student.level)] += 1
            entry.placed["region"][student.region or UNKNOWN_REGION] += 1
    return buckets


@dataclass(frozen=True)
class Figures:
    """A programme's figures for the caller: per community and period, and the placements."""

    programme: ProgrammePublic
    period: str
    figures: Table
    placements: Table
    communities: list[Community]
    suppression: str = SUPPRESSION

    def for_report(self, community_id: str, period: str) -> tuple[dict[str, Any], list]:
        """One community's row of one period (zeros for a quiet one), and its placements;
        not found for a community the caller does not read."""
        community = next((c for c in self.communities if c.id == community_id), None)
        if community is None:
            raise not_found("Community", community_id)
        row = next(
            (
                r
                for r in self.figures.rows
                if r["community_id"] == community_id and r["period"] == period
            ),
            None,
        )
        if row is None:
            row = {column: 0 for column in FIGURE_COLUMNS}
            row.update(
                community_id=community.id,
                community=community.name,
                region=community.region,
                period=period,
                period_start=None,
                mean_rating=None,
            )
        placements = [
            r
            for r in self.placements.rows
            if r["community_id"] == community_id and r["period"] == period
        ]
        return row, placements


def programme_figures(
    session: Session, actor: Actor, programme_id: str, period: str = Period.QUARTER
) -> Figures:
    """The figures of the programme's communities the caller may read, per month or quarter
    from the first period with anything to count to the last (quiet periods are rows of 0).
    Every count of people or organisations is suppressed below 5 (`SUPPRESSION`)."""
    if period not in Period.ALL:
        raise Invalid(f"period: must be one of {', '.join(Period.ALL)}, not {period!r}")
    view = visible_programme(session, actor, programme_id)

    def bucket(moment: datetime) -> date:
        return period_start(moment, period)

    rows: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    for community in view.communities:
        stages = stages_reached(session, community.id, bucket)
        buckets = _community_buckets(session, community.id, bucket)
        starts = set(stages) | set(buckets)
        if not starts:
            continue
        start, last = min(starts), max(starts)
        while start <= last:
            entry = buckets.get(start) or _Bucket()
            counted = stages.get(start, Counter())
            label = period_label(start, period)
            rows.append(
                {
                    "community_id": community.id,
                    "community": community.name,
                    "region": community.region,
                    "period": label,
                    "period_start": start,
                    "smes_taking_part": suppressed(len(entry.smes)),
                    "students_taking_part": suppressed(len(entry.students)),
                    "research_groups_taking_part": suppressed(len(entry.groups)),
                    "challenges_posted": suppressed(entry.posted),
                    "challenges_staffed": suppressed(len(entry.staffed)),
                    "challenges_completed": suppressed(len(entry.completed)),
                    "matches_suggested": suppressed(counted["suggested"]),
                    "matches_approved": suppressed(counted["approved"]),
                    "matches_introduced": suppressed(counted["introduced"]),
                    "matches_completed": suppressed(counted["completed"]),
                    "ratings": suppressed(len(entry.ratings)),
                    "mean_rating": (
                        round(sum(entry.ratings) / len(entry.ratings), 1)
                        if len(entry.ratings) >= SMALLEST_SHOWN
                        else None
                    ),
                }
            )
            for by, counts in entry.placed.items():
                for value, count in sorted(counts.items()):
                    placements.append(
                        {
                            "community_id": community.id,
                            "community": community.name,
                            "period": label,
                            "by": by,
                            "value": value,
                            "students_placed": suppressed(count),
                        }
                    )
            start = _next_period(start, period)
    return Figures(
        view.public(),
        period,
        Table("figures", FIGURE_COLUMNS, rows),
        Table("placements", PLACEMENT_COLUMNS, placements),
        view.communities,
    )
