"""The one guard against spreadsheet formulas in the CSV files lcmatch writes (issue 15)."""

from __future__ import annotations

import pytest

from service.usecases.csv_safety import guard, needs_guard, unguard
from service.web.dashboard import csv_cell

DANGEROUS = [
    "=1+1",
    "+31 6 12345678",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    ";=1",
    " =1",
    "\u00a0=1",
    "  \u00a0+1",
    '\uff1dHYPERLINK("http://x")',
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
    "'=1",  # a cell that really starts with the guard before a formula
]
HARMLESS = ["Warmtepomp - inregelen", "", "'quoted", "1e5", "a=b", " plain", "\u00a0tekst"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_every_formula_start_is_guarded_and_comes_back(text: str) -> None:
    assert needs_guard(text)
    assert guard(text) == "'" + text
    assert unguard(guard(text)) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_left_alone(text: str) -> None:
    assert guard(text) == text
    assert unguard(text) == text


@pytest.mark.parametrize("text", DANGEROUS)
def test_the_dashboard_csv_uses_the_same_guard(text: str) -> None:
    assert csv_cell("title", text) == "'" + text
    assert csv_cell("best_score", -1.5) == -1.5  # a number stays a number
