"""The programme figures' periods and small-cell suppression, at their edges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.usecases.programmes import period_label, period_start, suppressed


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
