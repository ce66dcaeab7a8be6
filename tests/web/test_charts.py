"""The dashboard's SVG charts and its CSV, without a browser: what a screen reader, a phone
and a spreadsheet get."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

from service.usecases.dashboard import Table
from service.web import charts
from service.web.charts import Series, bar_chart, line_chart
from service.web.dashboard import csv_cell, to_csv
from service.web.i18n import use_language

SVG = "{http://www.w3.org/2000/svg}"


def contrast(colour: str) -> float:
    """WCAG contrast ratio of a #rgb or #rrggbb colour against white."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [node.text or "" for node in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("colour", [*charts.COLOURS, charts.TEXT, charts.GRID])
def test_every_colour_reads_on_white(colour: str) -> None:
    assert contrast(colour) >= 4.5, colour


def test_a_bar_chart_is_an_image_with_a_title_a_description_and_its_numbers_as_text() -> None:
    svg = bar_chart(
        "c1",
        title="Matches per fase",
        description="voorgesteld: 12; goedgekeurd: 3.",
        categories=["voorgesteld", "goedgekeurd"],
        series=[Series("Studenten", [12, 3]), Series("Onderzoeksgroepen", [0, 1])],
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Matches per fase"
    assert root.find(f"{SVG}desc").text == "voorgesteld: 12; goedgekeurd: 3."
    # Scales with the page: a viewBox and no fixed size.
    assert root.get("viewBox").startswith("0 0 640 ") and root.get("width") is None
    words = texts(root)
    for label in ("voorgesteld", "goedgekeurd", "Studenten", "Onderzoeksgroepen", "12", "3", "1"):
        assert label in words
    # The two series differ in more than colour: one solid, one patterned.
    fills = {rect.get("fill") for rect in root.iter(f"{SVG}rect") if rect.get("height") == "13"}
    assert fills == {charts.COLOURS[0], "url(#c1-fill-1)"}
    assert root.find(f".//{SVG}pattern[@id='c1-fill-1']") is not None


def test_bar_lengths_follow_the_values_and_a_reference_line_is_labelled() -> None:
    root = parse(
        bar_chart(
            "c2",
            title="t",
            description="d",
            categories=["mbo", "hbo", "wo"],
            series=[Series("ratio", [0.5, 1.0, None])],
            reference=(1.0, "1 = naar verhouding"),
        )
    )
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("height") == "13"]
    assert len(widths) == 2 and widths[1] == pytest.approx(2 * widths[0])
    assert "1 = naar verhouding" in texts(root)
    assert "–" in texts(root)  # no value is said, not drawn as zero
    line = root.find(f"{SVG}line")
    assert float(line.get("x1")) == pytest.approx(widths[1], abs=0.1)


def test_text_in_a_chart_is_escaped() -> None:
    svg = bar_chart(
        "c3",
        title="<script>alert(1)</script>",
        description="a & b",
        categories=["<b>x</b>"],
        series=[Series("s", [1])],
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert texts(parse(svg))[0] == "<b>x</b>"


def test_empty_charts_say_so() -> None:
    bars = bar_chart("c4", title="t", description="d", categories=[], series=[], empty_text="Leeg")
    lines = line_chart("c5", title="t", description="d", x_labels=[], series=[], empty_text="Leeg")
    assert "Leeg" in texts(parse(bars)) and "Leeg" in texts(parse(lines))


def test_line_chart_ends_never_overlap_and_markers_differ() -> None:
    root = parse(
        line_chart(
            "c6",
            title="t",
            description="d",
            x_labels=["2026-W45", "2026-W46"],
            series=[Series("a", [1, 5]), Series("b", [2, 5]), Series("c", [0, 5])],
        )
    )
    ends = [
        float(node.get("y"))
        for node in root.iter(f"{SVG}text")
        if node.get("font-weight") == "600" and node.text == "5"
    ]
    assert len(ends) == 3
    ends.sort()
    assert all(b - a >= 13 for a, b in pairwise(ends))
    # Series a, b, c: circle, square and triangle markers; solid, dashed and dotted lines.
    assert root.find(f"{SVG}circle") is not None and root.find(f"{SVG}polygon") is not None
    dashes = [line.get("stroke-dasharray") for line in root.iter(f"{SVG}polyline")]
    assert len(set(dashes)) == 3


def test_many_weeks_get_thinned_labels() -> None:
    weeks = [f"2026-W{n:02d}" for n in range(1, 41)]
    root = parse(
        line_chart("c7", title="t", description="d", x_labels=weeks, series=[Series("a", [1] * 40)])
    )
    shown = [text for text in texts(root) if re.fullmatch(r"2026-W\d\d", text)]
    assert 5 <= len(shown) <= 9 and shown[-1] == "2026-W40"


def test_csv_cells_never_run_as_a_formula() -> None:
    assert csv_cell("title", '=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in ("+", "-", "@", "\t", "\r"):
        assert csv_cell("name", f"{start}1") == f"'{start}1"
    assert csv_cell("best_score", -1.5) == -1.5  # a number stays a number
    assert csv_cell("best_score", None) == ""
    assert csv_cell("title", "Warmtepomp - inregelen") == "Warmtepomp - inregelen"


def test_the_csv_has_headings_and_words_in_the_users_language() -> None:
    table = Table(
        "matches_per_stage",
        ("stage", "students", "research_groups", "total"),
        [{"stage": "approved", "students": 2, "research_groups": 0, "total": 2}],
    )
    with use_language("en"):
        english = list(csv.reader(io.StringIO(to_csv(table))))
    with use_language("nl"):
        dutch = list(csv.reader(io.StringIO(to_csv(table))))
    assert english == [
        ["Stage", "Students", "Research groups", "Total"],
        ["approved", "2", "0", "2"],
    ]
    assert dutch == [
        ["Fase", "Studenten", "Onderzoeksgroepen", "Totaal"],
        ["goedgekeurd", "2", "0", "2"],
    ]


@pytest.mark.parametrize("largest", [1, 3, 7, 13, 38, 50, 251])
def test_counts_get_whole_number_ticks_up_to_at_least_the_largest(largest: int) -> None:
    root = parse(
        line_chart(
            "c8",
            title="t",
            description="d",
            x_labels=["1 dec.", "8 dec."],
            series=[Series("a", [0, largest])],
            whole_numbers=True,
        )
    )
    # The y-axis labels are the texts right-aligned at the plot's left edge.
    ticks = [
        float(node.text) for node in root.iter(f"{SVG}text") if node.get("text-anchor") == "end"
    ]
    assert ticks[0] == 0 and ticks[-1] >= largest
    assert all(tick == int(tick) for tick in ticks), ticks
    assert 2 <= len(ticks) <= 6
