"""The differencing attack on the programme figures: a monitor reads the demo's figures per
month and per quarter and subtracts what is shown from what it adds up to (a quarter's months,
a period's placements by level against those by region, or against the matches introduced
when no research group was). No count hidden as "<5" (or hours
hidden for fewer than 5 matches) may come out as one exact number.

The attacker knows what the marks say: an exact number, "<5" (1 to 4), "x" (hidden so as not
to give another away: a count that would have been shown, 5 or more), empty hours (at least
1), a withheld split of placements (one row of its sum, at least 1). Counts of events add up
over a quarter's months; people and challenges, counted once per period, lie between the
largest month and the sum of the months.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date

import pytest
from sqlmodel import Session, select

from service.domain.actor import Actor
from service.domain.tables import Community, Programme, Role, User
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases.demo import load_demo_if_empty
from service.usecases.programmes import (
    FIGURE_VALUES,
    Bucket,
    CommunityFigures,
    programme_figures,
)

INF = math.inf
#: The value of a placement row that stands for a withheld split (its whole sum).
WITHHELD = "(verborgen)"
#: People and challenges: counted once per period, so a quarter is no sum of its months.
COUNTED_ONCE = {
    "smes_taking_part",
    "students_taking_part",
    "research_groups_taking_part",
    "professionals_taking_part",
    "challenges_staffed",
    "challenges_completed",
}
#: Every figure of a row but the mean rating (a mean is no count).
KEYS = [key for key in FIGURE_VALUES if key != "mean_rating"]


def known(value, key: str) -> tuple[float, float]:
    """What a reader knows of a shown figure."""
    if isinstance(value, int):
        return (value, value)
    if value == "<5":
        return (1, 4)
    if value is None:  # hours below 5 matches (or hidden to protect such hours); or a period
        # not yet ended (no figure published): taken as at least 1, more than a reader knows
        return (1, INF)
    assert value == "x", (key, value)
    return (5, INF)


def placed(row: dict) -> tuple[float, float]:
    """What a reader knows of a placement row; a withheld split is one row of its sum."""
    if row["value"] == WITHHELD:
        return (1, INF)
    return known(row["students_placed"], "students_placed")


def exposed(total, parts, exact: bool) -> list[tuple[int, float]]:
    """Subtract: the hidden parts (by index; -1 the total) whose range is one number."""
    found = []
    for n, (low, high) in enumerate(parts):
        if low == high:
            continue  # shown
        others = [p for m, p in enumerate(parts) if m != n]
        lowest = total[0] - sum(p[1] for p in others)
        highest = total[1] - sum(p[0] for p in others) if exact else total[1]
        low, high = max(low, lowest), min(high, highest)
        if low == high:
            found.append((n, low))
    if total[0] != total[1]:
        low = max(total[0], sum(p[0] for p in parts) if exact else max(p[0] for p in parts))
        high = min(total[1], sum(p[1] for p in parts))
        if low == high:
            found.append((-1, low))
    return found


def quarter_of(month: date) -> str:
    return f"{month.year}-Q{(month.month - 1) // 3 + 1}"


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list, list]]:
    """The demo's figures and placements as a monitor reads them, per month and per quarter."""
    home = tmp_path_factory.mktemp("demo")
    engine = make_engine(f"sqlite:///{home / 'demo.sqlite'}")
    migrate(engine)
    with Session(engine) as session:
        assert load_demo_if_empty(session, Settings(home=home)) is True
        monitor = session.exec(select(User).where(User.role == Role.monitor)).first()
        actor = Actor(monitor, frozenset(), None)
        programme = session.exec(select(Programme)).first()
        read = {
            period: programme_figures(session, actor, programme.id, period)
            for period in ("month", "quarter")
        }
    return {unit: (f.figures.rows, f.placements.rows) for unit, f in read.items()}


def month_leaks(figures: dict[str, tuple[list, list]]) -> list[str]:
    """Months worked out from their quarter (or the quarter from its months)."""
    months = defaultdict(list)
    for row in figures["month"][0]:
        months[row["community_id"], quarter_of(row["period_start"])].append(row)
    leaks = []
    for quarter in figures["quarter"][0]:
        inside = months[quarter["community_id"], quarter["period"]]
        for key in KEYS:
            total = known(quarter[key], key)
            parts = [known(row[key], key) for row in inside]
            for n, value in exposed(total, parts, exact=key not in COUNTED_ONCE):
                where = quarter["period"] if n < 0 else inside[n]["period"]
                leaks.append(f"{quarter['community_id']} {where} {key} = {value}")
    return leaks


def placement_leaks(figures: dict[str, tuple[list, list]]) -> list[str]:
    """Placements worked out from the other split, the matches introduced or the quarter."""
    leaks = []
    for unit, (figure_rows, placement_rows) in figures.items():
        splits = defaultdict(lambda: defaultdict(list))
        for row in placement_rows:
            splits[row["community_id"], row["period"]][row["by"]].append(row)
        rows = {(r["community_id"], r["period"]): r for r in figure_rows}
        for (community, period), by in splits.items():
            row = rows[community, period]
            if row["research_groups_taking_part"] == 0:
                # No research group introduced: the students placed are the matches introduced.
                introduced = known(row["matches_introduced"], "matches_introduced")
                for side in by.values():
                    parts = [placed(r) for r in side]
                    for n, value in exposed(introduced, parts, exact=True):
                        what = "matches_introduced" if n < 0 else side[n]["value"]
                        leaks.append(f"{unit} {community} {period} {what} = {value}")
            if len(by) < 2:
                continue
            level, region = by["level"], by["region"]
            for one, other in ((level, region), (region, level)):
                ranges = [placed(r) for r in other]
                total = (sum(r[0] for r in ranges), sum(r[1] for r in ranges))
                parts = [placed(r) for r in one]
                for n, value in exposed(total, parts, exact=True):
                    if n >= 0:
                        leaks.append(f"{unit} {community} {period} {one[n]['value']} = {value}")
    quarters = {
        (r["community_id"], r["period"], r["by"], r["value"]): r["students_placed"]
        for r in figures["quarter"][1]
    }
    months = defaultdict(list)
    for row in figures["month"][1]:
        month = date.fromisoformat(row["period"] + "-01")
        key = (row["community_id"], quarter_of(month), row["by"], row["value"])
        months[key].append(row)
    withheld = {key[:3] for key in months if key[3] == WITHHELD}
    for key, value in quarters.items():
        if WITHHELD in key or key[:3] in withheld:
            continue  # a withheld split of a month: its rows are no parts of the quarter's
        parts = [placed(r) for r in months[key]]
        for n, derived in exposed(known(value, "placed"), parts, exact=True):
            leaks.append(f"{key} {'quarter' if n < 0 else months[key][n]['period']} = {derived}")
    return leaks


def test_no_month_is_worked_out_from_its_quarter(figures) -> None:
    assert len(figures["quarter"][0]) > 10, "the demo's two years are counted"
    leaks = month_leaks(figures)
    assert not leaks, leaks
    marks = {v for r in figures["month"][0] for v in r.values() if isinstance(v, str)}
    assert {"<5", "x"} <= marks, "the demo has counts suppressed and counts hidden to protect"


def test_no_placement_is_worked_out_from_the_other_split_or_the_quarter(figures) -> None:
    leaks = placement_leaks(figures)
    assert not leaks, leaks


def _random_months(rng: random.Random, count: int) -> dict[date, Bucket]:
    """Three years of a busy community: many small counts, placements over many regions."""
    months = {}
    for n in range(count):
        bucket = Bucket()
        bucket.smes = {f"org-{rng.randrange(40)}" for _ in range(rng.randrange(12))}
        bucket.students = {f"stu-{rng.randrange(300)}" for _ in range(rng.randrange(30))}
        bucket.professionals = {f"pro-{rng.randrange(90)}" for _ in range(rng.randrange(9))}
        bucket.posted, bucket.continued = rng.randrange(10), rng.randrange(3)
        bucket.ratings = [rng.randrange(1, 6) for _ in range(rng.randrange(10))]
        bucket.hours = [rng.randrange(40, 600) for _ in range(rng.randrange(8))]
        bucket.meetings, bucket.invitations = rng.randrange(3), rng.randrange(60)
        bucket.attendance = rng.randrange(30)
        for _ in range(rng.randrange(15)):
            bucket.placed["level"][rng.choice(["mbo", "hbo", "wo"])] += 1
            bucket.placed["region"][f"Regio {rng.randrange(25)}"] += 1
        placed = sum(bucket.placed["level"].values())
        if rng.random() < 0.5:  # no research group: the placements are the introductions
            bucket.stages["introduced"] = placed
        else:
            bucket.groups = {"rg-1"}
            bucket.stages["introduced"] = placed + rng.randrange(3)
        for stage in ("suggested", "approved", "completed"):
            bucket.stages[stage] = rng.randrange(12)
        months[date(2025 + n // 12, n % 12 + 1, 1)] = bucket
    return months


@pytest.mark.parametrize("seed", range(6))
def test_busy_random_communities_give_nothing_away(seed: int) -> None:
    rng = random.Random(seed)
    community = Community(id=f"com-{seed}", name="Leergemeenschap", region="Twente")
    figures = CommunityFigures(_random_months(rng, 36), today=date(2028, 1, 1))
    read = {unit: figures.tables(community, unit) for unit in ("month", "quarter")}
    leaks = month_leaks(read) + placement_leaks(read)
    assert not leaks, leaks
