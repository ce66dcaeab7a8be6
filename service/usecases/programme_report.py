"""A programme's figures for a funder: as CSV, and as a one-page PDF per community and period.

Both state exactly the values of `programmes.programme_figures` (suppressed counts included):
the report is made from one row of its table, never from a query of its own.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from fpdf import FPDF

from service.usecases.csv_safety import guard
from service.usecases.dashboard import Table
from service.usecases.programmes import (
    FIGURE_VALUES,
    NOT_PUBLISHED,
    NOT_PUBLISHED_NL,
    SUPPRESSION,
    SUPPRESSION_NL,
    Figures,
)

#: The report's words; English and Dutch (the data dictionary's field names stay English).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Programme report",
        "community": "Community",
        "region": "Region",
        "period": "Period",
        "funder": "Funder",
        "figures": "Figures",
        "placements": "Students placed by level and region",
        "no_placements": "No students placed in this period.",
        "level": "Level",
        "made": "Made on",
        "smes_taking_part": "SMEs taking part",
        "students_taking_part": "Students taking part",
        "research_groups_taking_part": "Research groups taking part",
        "professionals_taking_part": "Professionals taking part",
        "challenges_posted": "Challenges posted",
        "challenges_staffed": "Challenges staffed",
        "challenges_completed": "Challenges completed",
        "challenges_continued": "Challenges continued",
        "matches_suggested": "Matches suggested",
        "matches_approved": "Matches approved",
        "matches_introduced": "Matches introduced",
        "matches_completed": "Matches completed",
        "ratings": "Ratings given",
        "mean_rating": "Mean rating (1-5)",
        "meetings_held": "Meetings held",
        "meeting_invitations": "Meeting invitations",
        "meeting_attendance": "Meeting attendance",
        "hours_completed": "Hours of completed matches",
    },
    "nl": {
        "title": "Programmarapportage",
        "community": "Leergemeenschap",
        "region": "Regio",
        "period": "Periode",
        "funder": "Financier",
        "figures": "Cijfers",
        "placements": "Geplaatste studenten per niveau en regio",
        "no_placements": "Geen studenten geplaatst in deze periode.",
        "level": "Niveau",
        "made": "Gemaakt op",
        "smes_taking_part": "Deelnemende mkb-bedrijven",
        "students_taking_part": "Deelnemende studenten",
        "research_groups_taking_part": "Deelnemende onderzoeksgroepen",
        "professionals_taking_part": "Deelnemende professionals",
        "challenges_posted": "Geplaatste vragen",
        "challenges_staffed": "Bemande vragen",
        "challenges_completed": "Afgeronde vragen",
        "challenges_continued": "Voortgezette vragen",
        "matches_suggested": "Voorgestelde matches",
        "matches_approved": "Goedgekeurde matches",
        "matches_introduced": "Geïntroduceerde matches",
        "matches_completed": "Afgeronde matches",
        "ratings": "Gegeven beoordelingen",
        "mean_rating": "Gemiddelde beoordeling (1-5)",
        "meetings_held": "Gehouden bijeenkomsten",
        "meeting_invitations": "Uitnodigingen voor bijeenkomsten",
        "meeting_attendance": "Aanwezigen op bijeenkomsten",
        "hours_completed": "Uren van afgeronde matches",
    },
}
#: The figures a report states, in its order (the rest of a row names the community and period).
REPORTED = FIGURE_VALUES


def shown(value: Any) -> str:
    """A figure as the report and the CSV write it: '-' for none, '<5', 3.5, 12."""
    if value is None:
        return "-"
    return str(value)


def to_csv(table: Table) -> str:
    """The table as CSV (UTF-8, a header row of its English field names, see the dictionary);
    empty cells for none, text that a spreadsheet would run as a formula quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        cells = []
        for column in table.columns:
            value = row[column]
            if value is None:
                cells.append("")
            elif isinstance(value, int | float):
                cells.append(value)
            else:
                text = value.isoformat() if isinstance(value, date) else str(value)
                cells.append(guard(text))
        writer.writerow(cells)
    return out.getvalue()


def report_pdf(figures: Figures, community_id: str, period: str, language: str = "nl") -> bytes:
    """One page for a funder: the community's figures of one period, its placements by level
    and region, and how small counts are suppressed."""
    words = LABELS.get(language, LABELS["nl"])
    row, placements = figures.for_report(community_id, period)
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"  # Dutch diacritics, en dashes and curly quotes
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(f"{words['title']} {row['community']} {period}")
    pdf.add_page()
    width = pdf.epw

    def line(text: str, size: float = 10, style: str = "", height: float = 6) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT")

    def pair(label: str, value: str) -> None:
        pdf.set_font("Helvetica", size=10)
        pdf.cell(width * 0.7, 6, label, border="B")
        pdf.cell(width * 0.3, 6, value, border="B", align="R", new_x="LMARGIN", new_y="NEXT")

    line(words["title"], size=18, style="B", height=10)
    line(figures.programme.name, size=12, style="B")
    if figures.programme.funder:
        line(f"{words['funder']}: {figures.programme.funder}")
    line(f"{words['community']}: {row['community']}")
    line(f"{words['region']}: {row['region'] or '-'}")
    line(f"{words['period']}: {period}")
    pdf.ln(4)
    line(words["figures"], size=13, style="B", height=8)
    if not row["published"]:  # a running period: no figure yet (see `programmes`)
        line(NOT_PUBLISHED_NL if language == "nl" else NOT_PUBLISHED)
        pdf.ln(4)
        line(SUPPRESSION_NL if language == "nl" else SUPPRESSION, size=9, style="I", height=5)
        line(f"{words['made']}: {date.today().isoformat()} (lcmatch)", size=8, height=5)
        return bytes(pdf.output())
    for column in REPORTED:
        pair(words[column], shown(row[column]))
    pdf.ln(4)
    line(words["placements"], size=13, style="B", height=8)
    if not placements:
        line(words["no_placements"])
    for placement in placements:
        by = words["level"] if placement["by"] == "level" else words["region"]
        pair(f"{by}: {placement['value']}", shown(placement["students_placed"]))
    pdf.ln(4)
    line(SUPPRESSION_NL if language == "nl" else SUPPRESSION, size=9, style="I", height=5)
    line(f"{words['made']}: {date.today().isoformat()} (lcmatch)", size=8, height=5)
    return bytes(pdf.output())
