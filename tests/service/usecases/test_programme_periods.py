"""The programme figures' periods and small-cell suppression, at their edges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.domain.tables import Community
from service.usecases import disclosure
from service.usecases.programmes import (
    FIGURE_VALUES,
    Bucket,
    CommunityFigures,
    is_closed,
    parse_period,
    period_label,
    period_start,
    suppressed,
)


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (12, 12)])
def test_counts_from_1_to_4_read_less_than_5(count: int, shown: int | str) -> None:
    assert suppressed(count) == shown


@pytest.mark.parametrize(
    ("moment", "period", "start", "label"),
    [
        (datetime(2027, 3, 31, 23, 59, tzinfo=UTC), "quarter", date(2027, 1, 1), "2027-Q1"),
        (datetime(2027, 4, 1, 0, 0, tzinfo=UTC), "quarter", date(2027, 4, 1), "2027-Q2"),
        (datetime(2027, 12, 31, tzinfo=UTC), "quarter", date(2027, 10, 1), "2027-Q4"),
        (datetime(2027, 2, 28, tzinfo=UTC), "month", date(2027, 2, 1), "2027-02"),
        (datetime(2027, 12, 1, tzinfo=UTC), "month", date(2027, 12, 1), "2027-12"),
    ],
)
def test_a_moment_falls_in_its_month_or_quarter(
    moment: datetime, period: str, start: date, label: str
) -> None:
    assert period_start(moment, period) == start
    assert period_label(start, period) == label


def _quarter(total: int, months: list[int], *, exact: bool = True) -> list[disclosure.Cell]:
    """A quarter and its months, suppressed as the figures are: returns [quarter, *months]."""
    cells = [disclosure.Cell(n, primary=0 < n < 5) for n in (total, *months)]
    table = disclosure.Table(cells, [disclosure.Constraint(cells[0], cells[1:], exact=exact)])
    disclosure.protect(table)
    assert not disclosure.given_away(table)
    return cells


@pytest.mark.parametrize(
    ("total", "months", "hidden"),
    [
        (7, [5, 2, 0], [1, 2]),  # 7 - 5 = 2: the 5 goes too
        # 6 = "x" + "<5" with "x" at least 5 would still say 1: the quarter goes as well.
        (6, [5, 1, 0], [0, 1, 2]),
        (12, [5, 3, 4], [2, 3]),  # two hidden months with a sum of 7: not one answer
        (10, [8, 1, 1], [1, 2, 3]),  # 1 + 1 = 2 would give both away
        (9, [9, 0, 0], []),
        (3, [3, 0, 0], [0, 1]),  # the quarter hides itself
    ],
)
def test_a_month_hidden_is_not_its_quarter_minus_the_others(
    total: int, months: list[int], hidden: list[int]
) -> None:
    cells = _quarter(total, months)
    assert [n for n, cell in enumerate(cells) if cell.hidden] == hidden


def test_people_counted_once_per_quarter_are_protected_too() -> None:
    # 9 SMEs in the quarter, 5 in one month: the other month holds at least 4, so "<5" is 4.
    cells = _quarter(9, [5, 4, 0], exact=False)
    assert cells[1].hidden and cells[2].primary


@pytest.mark.parametrize(
    ("start", "period", "today", "closed"),
    [
        (date(2027, 3, 1), "month", date(2027, 3, 31), False),  # its last day: still running
        (date(2027, 3, 1), "month", date(2027, 4, 1), True),
        (date(2027, 1, 1), "quarter", date(2027, 3, 31), False),
        (date(2027, 10, 1), "quarter", date(2028, 1, 1), True),  # over the year's end
    ],
)
def test_a_period_is_closed_once_its_last_day_has_passed(
    start: date, period: str, today: date, closed: bool
) -> None:
    assert is_closed(start, period, today) is closed
    assert parse_period(period_label(start, period)) == (period, start)


def test_the_running_period_has_no_figures_and_the_ended_ones_are_protected_alone() -> None:
    """April ended, May runs: April's 7 challenges are shown; May's 3 (a "<5" once shown, and
    a count a second download would change) and the quarter are not yet published. Nothing
    of the running quarter takes part in hiding April's figures."""
    community = Community(id="com-t", name="Test", region="Achterhoek")
    months = {date(2027, 4, 1): Bucket(posted=7), date(2027, 5, 1): Bucket(posted=3)}
    figures = CommunityFigures(months, today=date(2027, 5, 10))
    rows, _ = figures.tables(community, "month")
    by_period = {row["period"]: row for row in rows}
    assert by_period["2027-04"]["published"] is True
    assert by_period["2027-04"]["challenges_posted"] == 7
    assert by_period["2027-05"]["published"] is False
    assert all(by_period["2027-05"][field] is None for field in FIGURE_VALUES)
    [quarter], placements = figures.tables(community, "quarter")
    assert quarter["period"] == "2027-Q2" and quarter["published"] is False
    assert quarter["challenges_posted"] is None and placements == []
    # Once the quarter has ended, it is published and protected with its months.
    ended = CommunityFigures(months, today=date(2027, 7, 1))
    quarters, _ = ended.tables(community, "quarter")
    assert [(r["period"], r["published"], r["challenges_posted"]) for r in quarters] == [
        ("2027-Q2", True, 10),
        ("2027-Q3", False, None),  # the running one, now
    ]
    months_after, _ = ended.tables(community, "month")
    # 10 - 0 - April's 7 would say May's 3: April is hidden too.
    assert [r["challenges_posted"] for r in months_after] == ["x", "<5", 0, None]
