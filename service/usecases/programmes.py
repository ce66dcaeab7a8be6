"""A funding programme's figures: per community and per period, counts that name no person.

A programme's monitor (and an admin) reads these for all the programme's communities; an
intermediary of a funded community reads them for their own communities only. Every count of
1 to 4 is shown as "<5" (small-cell suppression), and a mean rating only from 5 ratings on, so
no figure points at a person; `SUPPRESSION` says so in words for the export and the report.

Only closed periods (whose end has passed) are published. A running period's counts grow as
events arrive: two downloads on different days, subtracted, would tell what happened in
between, a hidden count included. Its row says "not yet published" (`published` false, every
figure empty) until it has ended; the suppression is worked out over the closed periods only.

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
from service.domain.meeting_tables import Invitation, InviteeKind, Meeting
from service.domain.tables import (
    Challenge,
    ChallengeStatus,
    Community,
    Programme,
    ProgrammeCommunity,
    ProgrammeMonitor,
    ProgrammePublic,
    Role,
    Round,
    RoundChallenge,
    RoundStatus,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
    utcnow,
)
from service.usecases import disclosure
from service.usecases.dashboard import ONWARD, Table, stages_reached

#: The smallest count shown as it is; smaller ones (but 0) read "<5".
SMALLEST_SHOWN = 5
SMALL = f"<{SMALLEST_SHOWN}"
#: A count hidden so that a suppressed one cannot be worked out by subtraction (secondary
#: suppression, `service.usecases.disclosure`).
HIDDEN = "x"
SUPPRESSION = (
    f"Counts from 1 to {SMALLEST_SHOWN - 1} are shown as '{SMALL}', hours and a mean rating "
    f"only from {SMALLEST_SHOWN} matches or ratings on, so that no figure points at a person. "
    f"A count that would let a hidden one be worked out by subtraction (a month from its "
    f"quarter, a level from the regions) is hidden too and shown as '{HIDDEN}'. Figures are "
    "published only for periods that have ended: the current period reads 'current period, "
    "not yet published'."
)
SUPPRESSION_NL = (
    f"Aantallen van 1 tot en met {SMALLEST_SHOWN - 1} staan er als '{SMALL}', uren en een "
    f"gemiddeld cijfer pas vanaf {SMALLEST_SHOWN} matches of beoordelingen, zodat geen cijfer "
    "naar een persoon wijst. Een aantal waarmee een verborgen aantal door aftrekken te vinden "
    f"zou zijn (een maand uit het kwartaal, een niveau uit de regio's) is ook verborgen en "
    f"staat er als '{HIDDEN}'. Cijfers verschijnen pas als de periode voorbij is: de lopende "
    "periode staat er als 'lopende periode, nog niet gepubliceerd'."
)
#: What the row of a period not yet ended says instead of its figures.
NOT_PUBLISHED = "current period, not yet published"
NOT_PUBLISHED_NL = "lopende periode, nog niet gepubliceerd"
#: A student's match from this status on counts as a placement.
PLACED = SuggestionStatus.introduced.value
#: Statuses that say a student or research group takes part in a challenge.
ONWARD_STATUSES = {status.value for status in ONWARD}
TAKING_PART = ONWARD_STATUSES - {SuggestionStatus.approved.value}
UNKNOWN_REGION = "(onbekend)"
#: The one row of a split of placements that is withheld (see `CommunityFigures._placements`).
WITHHELD = "(verborgen)"


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


def period_end(start: date, period: str) -> date:
    """The first day after the period."""
    return _next_period(start, period)


def is_closed(start: date, period: str, today: date) -> bool:
    """Whether the period has ended (UTC), so that its figures no longer change: published."""
    return period_end(start, period) <= today


def parse_period(label: str) -> tuple[str, date]:
    """The unit and first day of a period's name (2027-03, 2027-Q1)."""
    year, part = label.split("-")
    if part.startswith("Q"):
        return Period.QUARTER, date(int(year), 3 * (int(part[1:]) - 1) + 1, 1)
    return Period.MONTH, date(int(year), int(part), 1)


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
    "published",
    "smes_taking_part",
    "students_taking_part",
    "research_groups_taking_part",
    "professionals_taking_part",
    "challenges_posted",
    "challenges_staffed",
    "challenges_completed",
    "challenges_continued",
    "matches_suggested",
    "matches_approved",
    "matches_introduced",
    "matches_completed",
    "ratings",
    "mean_rating",
    "meetings_held",
    "meeting_invitations",
    "meeting_attendance",
    "hours_completed",
)
#: The figures of a row (what a report states and the page's table shows after the period).
FIGURE_VALUES = FIGURE_COLUMNS[FIGURE_COLUMNS.index("published") + 1 :]
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
    "published": (
        "boolean",
        "Whether the period's figures are published: only once the period has ended. The "
        "current period (and any later one) reads false, 'current period, not yet published', "
        "with every figure empty: its counts still change as events arrive, and two downloads "
        "on different days would otherwise give a hidden count away by subtraction.",
        "Of de cijfers van de periode gepubliceerd zijn: pas als de periode voorbij is. De "
        "lopende periode (en een latere) staat op false, 'lopende periode, nog niet "
        "gepubliceerd', met alle cijfers leeg: de aantallen veranderen nog, en twee downloads "
        "op verschillende dagen zouden anders door aftrekken een verborgen aantal verraden.",
    ),
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
    "professionals_taking_part": (
        "count",
        "SME employees and managers who came to a meeting in the period or joined a challenge's "
        "team in a committed round beginning in it.",
        "Werknemers en leidinggevenden van mkb-bedrijven die in de periode naar een bijeenkomst "
        "kwamen of in een vastgestelde ronde die toen begon in het team van een vraag zaten.",
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
    "challenges_continued": (
        "count",
        "Follow-ups created in the period: challenges that continue a completed one on a theme "
        "(drafts do not count).",
        "Vervolgvragen die in de periode zijn aangemaakt: vragen die een afgeronde vraag op een "
        "thema voortzetten (geen concepten).",
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
        "The mean of those ratings, to one decimal; empty below 5 ratings or when their count "
        "is hidden ('x').",
        "Het gemiddelde daarvan op één decimaal; leeg onder 5 beoordelingen of als hun aantal "
        "verborgen is ('x').",
    ),
    "meetings_held": (
        "count",
        "Meetings on a theme that began in the period (planned ones count once they have begun).",
        "Bijeenkomsten op een thema die in de periode begonnen (geplande tellen zodra ze "
        "begonnen zijn).",
    ),
    "meeting_invitations": (
        "count",
        "Invitations to those meetings (an SME, a student, a research group, a professional or a "
        "teacher each).",
        "Uitnodigingen voor die bijeenkomsten (elk aan een mkb-bedrijf, student, onderzoeksgroep, "
        "professional of docent).",
    ),
    "meeting_attendance": (
        "count",
        "Invitees recorded as present at those meetings.",
        "Genodigden die op die bijeenkomsten aanwezig waren.",
    ),
    "hours_completed": (
        "number",
        "Hours of the student matches completed in the period: per match, its challenge's "
        "hours_per_week times its weeks (what it asks of a team member); empty when fewer than "
        "5 matches count, or when it would give such a number away.",
        "Uren van de in de periode afgeronde matches met studenten: per match de uren per week "
        "maal het aantal weken van de vraag (wat die van een teamlid vraagt); leeg onder 5 "
        "matches, of als het zo'n getal zou verraden.",
    ),
    "by": (
        "string",
        "What placements are split by: level (mbo, hbo, wo) or region.",
        "Waarnaar plaatsingen zijn verdeeld: niveau (mbo, hbo, wo) of regio.",
    ),
    "value": (
        "string",
        "The level or the student's region ('(onbekend)' when not given); '(verborgen)' with "
        "'x' when the whole split of the period is withheld, as its rows would give a count away.",
        "Het niveau of de regio van de student ('(onbekend)' als die ontbreekt); '(verborgen)' "
        "met 'x' als de hele verdeling van de periode is weggelaten omdat de rijen een aantal "
        "zouden verraden.",
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
class Bucket:
    """What happened in one community in one period (a month, or a quarter merged from its
    months)."""

    smes: set[str] = field(default_factory=set)
    students: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    professionals: set[str] = field(default_factory=set)
    posted: int = 0
    continued: int = 0
    staffed: set[str] = field(default_factory=set)
    completed: set[str] = field(default_factory=set)
    stages: Counter[str] = field(default_factory=Counter)
    ratings: list[int] = field(default_factory=list)
    meetings: int = 0
    invitations: int = 0
    attendance: int = 0
    #: Per completed student match, the hours its challenge asks of a team member.
    hours: list[int] = field(default_factory=list)
    placed: dict[str, Counter[str]] = field(
        default_factory=lambda: {"level": Counter(), "region": Counter()}
    )

    def merge(self, other: Bucket) -> None:
        """Add another period's events: people and challenges once, events all."""
        for name in ("smes", "students", "groups", "professionals", "staffed", "completed"):
            getattr(self, name).update(getattr(other, name))
        for name in ("posted", "continued", "meetings", "invitations", "attendance"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.stages.update(other.stages)
        self.ratings += other.ratings
        self.hours += other.hours
        for by, counts in other.placed.items():
            self.placed[by].update(counts)


def _rating_of(action: str) -> int | None:
    """The rating in an event's action ("rate:target:4"), if it records one."""
    parts = action.split(":")
    if parts[0] == "rate" and parts[-1].isdigit():
        return int(parts[-1])
    return None


def _community_buckets(session: Session, community_id: str, now: datetime) -> dict[date, Bucket]:
    """Per month, what happened in the community."""

    def bucket(moment: datetime | date) -> date:
        return period_start(moment, Period.MONTH)

    buckets: dict[date, Bucket] = defaultdict(Bucket)
    for month, counted in stages_reached(session, community_id, bucket).items():
        buckets[month].stages.update(counted)
    for created_at, organisation_id, follows_id in session.exec(
        select(Challenge.created_at, Challenge.organisation_id, Challenge.follows_id).where(
            Challenge.community_id == community_id,
            Challenge.status != ChallengeStatus.draft,
        )
    ).all():
        entry = buckets[bucket(created_at)]
        entry.posted += 1
        entry.continued += follows_id is not None
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
            Challenge.hours_per_week,
            Challenge.weeks,
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
    for (
        at,
        action,
        from_status,
        to_status,
        challenge_id,
        kind,
        target_id,
        org,
        hours,
        weeks,
    ) in events:
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
            if kind == TargetKind.student:
                entry.hours.append(hours * weeks)
        if to_status == PLACED and kind == TargetKind.student and target_id in students:
            student = students[target_id]
            entry.placed["level"][str(student.level)] += 1
            entry.placed["region"][student.region or UNKNOWN_REGION] += 1
    _count_meetings(session, community_id, now, buckets, bucket)
    for period_begins, staff_ids in session.exec(
        select(Round.period_start, RoundChallenge.staff_ids)
        .join(RoundChallenge, RoundChallenge.round_id == Round.id)
        .where(Round.community_id == community_id, Round.status == RoundStatus.committed)
    ).all():
        if staff_ids:
            buckets[bucket(period_begins)].professionals.update(staff_ids)
    return buckets


def _count_meetings(
    session: Session,
    community_id: str,
    now: datetime,
    buckets: dict[date, Bucket],
    bucket: Callable[[datetime], date],
) -> None:
    """Meetings held (begun before now) in their month, their invitations and who came; the
    professionals who came take part."""
    held = session.exec(
        select(Meeting.id, Meeting.starts_at).where(
            Meeting.community_id == community_id, Meeting.starts_at < now
        )
    ).all()
    begins = {meeting_id: starts_at for meeting_id, starts_at in held}
    for starts_at in begins.values():
        buckets[bucket(starts_at)].meetings += 1
    if not begins:
        return
    for meeting_id, kind, invitee_id, attended in session.exec(
        select(
            Invitation.meeting_id,
            Invitation.invitee_kind,
            Invitation.invitee_id,
            Invitation.attended,
        ).where(Invitation.meeting_id.in_(list(begins)))
    ).all():
        entry = buckets[bucket(begins[meeting_id])]
        entry.invitations += 1
        if attended:
            entry.attendance += 1
            if kind == InviteeKind.professional:
                entry.professionals.add(invitee_id)


@dataclass(frozen=True)
class Figures:
    """A programme's figures for the caller: per community and period, and the placements."""

    programme: ProgrammePublic
    period: str
    figures: Table
    placements: Table
    communities: list[Community]
    suppression: str = SUPPRESSION
    #: The day (UTC) the figures were read on: periods ended by then are published.
    today: date | None = None

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
        unit, start = parse_period(period)
        today = self.today or utcnow().date()
        if row is None and not is_closed(start, unit, today):
            row = unpublished_row(community, unit, start)
        if row is None:
            row = {column: 0 for column in FIGURE_COLUMNS}
            row.update(
                community_id=community.id,
                community=community.name,
                region=community.region,
                period=period,
                period_start=None,
                published=True,
                mean_rating=None,
            )
        placements = [
            r
            for r in self.placements.rows
            if r["community_id"] == community_id and r["period"] == period
        ]
        return row, placements


def unpublished_row(community: Community, unit: str, start: date) -> dict[str, Any]:
    """The row of a period not yet ended: its name, and no figure (`NOT_PUBLISHED`)."""
    row: dict[str, Any] = dict.fromkeys(FIGURE_COLUMNS)
    row.update(
        community_id=community.id,
        community=community.name,
        region=community.region,
        period=period_label(start, unit),
        period_start=start,
        published=False,
    )
    return row


#: Each count of a row: how it is read from a period's bucket, and whether a quarter's count
#: is the sum of its months' (events) or not (people and challenges are counted once).
COUNTS: dict[str, tuple[Callable[[Bucket], int], bool]] = {
    "smes_taking_part": (lambda b: len(b.smes), False),
    "students_taking_part": (lambda b: len(b.students), False),
    "research_groups_taking_part": (lambda b: len(b.groups), False),
    "professionals_taking_part": (lambda b: len(b.professionals), False),
    "challenges_posted": (lambda b: b.posted, True),
    "challenges_staffed": (lambda b: len(b.staffed), False),
    "challenges_completed": (lambda b: len(b.completed), False),
    "challenges_continued": (lambda b: b.continued, True),
    "matches_suggested": (lambda b: b.stages["suggested"], True),
    "matches_approved": (lambda b: b.stages["approved"], True),
    "matches_introduced": (lambda b: b.stages["introduced"], True),
    "matches_completed": (lambda b: b.stages["completed"], True),
    "ratings": (lambda b: len(b.ratings), True),
    "meetings_held": (lambda b: b.meetings, True),
    "meeting_invitations": (lambda b: b.invitations, True),
    "meeting_attendance": (lambda b: b.attendance, True),
}
HOURS = "hours_completed"


def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def _periods(first: date, last: date, period: str) -> list[date]:
    starts, start = [], period_start(first, period)
    while start <= last:
        starts.append(start)
        start = _next_period(start, period)
    return starts


def _count_cell(count: int) -> disclosure.Cell:
    return disclosure.Cell(count, primary=0 < count < SMALLEST_SHOWN)


def _shown_count(cell: disclosure.Cell) -> int | str:
    if cell.primary:
        return SMALL
    return HIDDEN if cell.secondary else cell.value


class CommunityFigures:
    """One community's figures by month and by quarter, suppressed together: what the one
    shows cannot be subtracted from the other to reveal what either hides. Only the periods
    ended by `today` are counted and protected; the others are `unpublished`."""

    def __init__(self, months: dict[date, Bucket], today: date) -> None:
        # Up to the running period at least: it is a row too, "not yet published".
        first, last = min(months), max(*months, period_start(today, Period.MONTH))
        self.buckets: dict[tuple[str, date], Bucket] = {}
        self.unpublished: set[tuple[str, date]] = set()
        for month in _periods(first, last, Period.MONTH):
            if not is_closed(month, Period.MONTH, today):
                self.unpublished.add((Period.MONTH, month))
                continue
            self.buckets[Period.MONTH, month] = months.get(month) or Bucket()
        for quarter in _periods(first, last, Period.QUARTER):
            if not is_closed(quarter, Period.QUARTER, today):
                self.unpublished.add((Period.QUARTER, quarter))
                continue
            merged = Bucket()
            for n in range(3):
                merged.merge(months.get(_add_months(quarter, n)) or Bucket())
            self.buckets[Period.QUARTER, quarter] = merged
        self.cells: dict[tuple[str, date, str], disclosure.Cell] = {}
        self.audits: dict[str, disclosure.Table] = {}
        for key, (count, additive) in COUNTS.items():
            table = self.audits[key] = disclosure.Table()
            for (unit, start), bucket in self.buckets.items():
                self.cells[unit, start, key] = table.add(_count_cell(count(bucket)))
            self._link(table, key, exact=additive)
            disclosure.protect(table)
        table = disclosure.Table()
        for (unit, start), bucket in self.buckets.items():
            few = 0 < len(bucket.hours) < SMALLEST_SHOWN
            self.cells[unit, start, HOURS] = table.add(
                disclosure.Cell(
                    sum(bucket.hours),
                    primary=few,
                    primary_range=(1, disclosure.INF),
                    secondary_range=(1, disclosure.INF),
                )
            )
        self._link(table, HOURS, exact=True)
        disclosure.protect(table)
        self.placed = self._placements()

    def _link(self, table: disclosure.Table, key: str, *, exact: bool) -> None:
        """A quarter's cell and its months' (months outside the range are known zeros)."""
        for unit, start in self.buckets:
            if unit != Period.QUARTER:
                continue
            months = [
                self.cells[cell]
                for n in range(3)
                if (cell := (Period.MONTH, _add_months(start, n), key)) in self.cells
            ]
            table.constraints.append(
                disclosure.Constraint(self.cells[unit, start, key], months, exact=exact)
            )

    def _placements(self) -> dict[tuple[str, date, str, str], disclosure.Cell]:
        """Placements by level and by region: each split adds up to the same number of the
        period, and a quarter's to its months'. That number is not shown, unless no research
        group was introduced in the period (0 taking part, which is shown): then it is the
        period's matches introduced, and hiding a placement may hide that figure too.

        Where hiding cells is not enough (four regions of one student each, when fewer than
        5 were introduced: the number of rows says it), the period's split is withheld: one
        row `WITHHELD`, "x"."""
        withheld: set[tuple[str, date, str]] = set()
        while True:
            table, cells, totals = self._placement_table(withheld)
            disclosure.protect(table)
            exposed = {id(cell) for cell in disclosure.given_away(table)}
            more = {key[:3] for key, cell in cells.items() if id(cell) in exposed}
            for (unit, start), total in totals.items():
                if id(total) in exposed:  # the split of more rows tells most: it goes first
                    placed = self.buckets[unit, start].placed
                    shown = [by for by in placed if (unit, start, by) not in withheld]
                    if shown:
                        by = max(shown, key=lambda by: (len(+placed[by]), by))
                        more.add((unit, start, by))
            if not more - withheld:
                self.withheld = withheld
                return cells
            withheld |= more

    def _placement_table(
        self, withheld: set[tuple[str, date, str]]
    ) -> tuple[
        disclosure.Table,
        dict[tuple[str, date, str, str], disclosure.Cell],
        dict[tuple[str, date], disclosure.Cell],
    ]:
        table = disclosure.Table()
        cells: dict[tuple[str, date, str, str], disclosure.Cell] = {}
        totals: dict[tuple[str, date], disclosure.Cell] = {}
        for (unit, start), bucket in self.buckets.items():
            sides = []
            for by, counts in bucket.placed.items():
                if (unit, start, by) in withheld:
                    continue
                side = []
                for value, count in counts.items():
                    if count:
                        cells[unit, start, by, value] = table.add(_count_cell(count))
                        side.append(cells[unit, start, by, value])
                sides.append(side)
            if len(sides) == 2 and all(sides):
                # Matches introduced are the placements when no research group was introduced
                # (and every placed student is still there): a reader who sees 0 groups knows.
                everyone = sum(bucket.placed["level"].values()) == bucket.stages["introduced"]
                if bucket.groups or not everyone:
                    placed = table.add(disclosure.Cell(0, unseen=True))
                else:
                    placed = totals[unit, start] = table.add(
                        self.cells[unit, start, "matches_introduced"]
                    )
                for side in sides:
                    table.constraints.append(disclosure.Constraint(placed, side))
        for (unit, start, by, value), cell in cells.items():
            if unit != Period.QUARTER:
                continue
            months = [_add_months(start, n) for n in range(3)]
            if any((Period.MONTH, month, by) in withheld for month in months):
                continue  # a month's split is not shown: the quarter's is no sum of shown ones
            parts = [
                cells[key] for month in months if (key := (Period.MONTH, month, by, value)) in cells
            ]
            table.constraints.append(disclosure.Constraint(cell, parts))
        if totals:  # one table: a reader combines the months of matches introduced too
            introduced = self.audits["matches_introduced"]
            known = {id(cell) for cell in table.cells}
            table.cells += [cell for cell in introduced.cells if id(cell) not in known]
            table.constraints += introduced.constraints
        return table, cells, totals

    def tables(
        self, community: Community, period: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The community's rows of figures and of placements, per month or quarter."""
        rows: list[dict[str, Any]] = []
        placements: list[dict[str, Any]] = []
        periods = {start for unit, start in [*self.buckets, *self.unpublished] if unit == period}
        for start in sorted(periods):
            if (period, start) in self.unpublished:
                rows.append(unpublished_row(community, period, start))
                continue
            label = period_label(start, period)
            rows.append(
                {
                    "community_id": community.id,
                    "community": community.name,
                    "region": community.region,
                    "period": label,
                    "period_start": start,
                    "published": True,
                    **self.row(period, start),
                }
            )
            placements += [
                {
                    "community_id": community.id,
                    "community": community.name,
                    "period": label,
                    "by": by,
                    "value": value,
                    "students_placed": count,
                }
                for by, value, count in self.placements(period, start)
            ]
        return rows, placements

    def row(self, unit: str, start: date) -> dict[str, Any]:
        bucket = self.buckets[unit, start]
        values: dict[str, Any] = {key: _shown_count(self.cells[unit, start, key]) for key in COUNTS}
        ratings = self.cells[unit, start, "ratings"]
        values["mean_rating"] = (
            round(sum(bucket.ratings) / len(bucket.ratings), 1)
            if not ratings.hidden and len(bucket.ratings) >= SMALLEST_SHOWN
            else None
        )
        hours = self.cells[unit, start, HOURS]
        values[HOURS] = None if hours.hidden else hours.value
        return values

    def placements(self, unit: str, start: date) -> list[tuple[str, str, int | str]]:
        shown = [
            (by, value, _shown_count(cell))
            for (cell_unit, cell_start, by, value), cell in self.placed.items()
            if cell_unit == unit and cell_start == start
        ]
        shown += [
            (by, WITHHELD, HIDDEN)
            for by in self.buckets[unit, start].placed
            if (unit, start, by) in self.withheld
        ]
        return sorted(shown, key=lambda item: (item[0], item[1]))


def programme_figures(
    session: Session, actor: Actor, programme_id: str, period: str = Period.QUARTER
) -> Figures:
    """The figures of the programme's communities the caller may read, per month or quarter
    from the first period with anything to count to the last or the current one (quiet periods
    are rows of 0).
    Every count of people or organisations is suppressed below 5, and further counts are
    hidden where subtraction would reveal a suppressed one (`SUPPRESSION`). Only periods that
    have ended are published: a later one is a row without figures (`NOT_PUBLISHED`)."""
    if period not in Period.ALL:
        raise Invalid(f"period: must be one of {', '.join(Period.ALL)}, not {period!r}")
    view = visible_programme(session, actor, programme_id)
    now = utcnow()
    today = now.date()
    rows: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    for community in view.communities:
        months = _community_buckets(session, community.id, now)
        if months:
            figures, placed = CommunityFigures(months, today).tables(community, period)
            rows += figures
            placements += placed
    return Figures(
        view.public(),
        period,
        Table("figures", FIGURE_COLUMNS, rows),
        Table("placements", PLACEMENT_COLUMNS, placements),
        view.communities,
        today=today,
    )
