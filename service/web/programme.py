"""The programme view for a funder's monitor: per community, charts and a table of the
figures over time, and the downloads (CSV and JSON with a data dictionary, a PDF per period).

For monitors, intermediaries (of a funded community, who see their own communities) and
admins; others get the 403 page, a programme one does not follow the 404 page. The figures
come from `service.usecases.programmes`, already suppressed: no person is named anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from service.api.deps import SessionDep
from service.domain.actor import Actor
from service.domain.errors import not_found
from service.domain.tables import Role
from service.usecases import programme_report, programmes
from service.web.auth import require_roles
from service.web.charts import Series, bar_chart, line_chart
from service.web.i18n import N_, _, current_language
from service.web.render import render

router = APIRouter()

Follower = Annotated[Actor, Depends(require_roles(Role.monitor, Role.intermediary, Role.admin))]
PeriodQuery = Annotated[str, Query(pattern="^(month|quarter)$")]

#: Column headings, Dutch source text (translated when shown).
HEADINGS = {
    "community_id": N_("Id"),
    "community": N_("Leergemeenschap"),
    "region": N_("Regio"),
    "period": N_("Periode"),
    "period_start": N_("Begint op"),
    "smes_taking_part": N_("Mkb-bedrijven"),
    "students_taking_part": N_("Studenten"),
    "research_groups_taking_part": N_("Onderzoeksgroepen"),
    "professionals_taking_part": N_("Professionals"),
    "challenges_posted": N_("Vragen geplaatst"),
    "challenges_staffed": N_("Vragen bemand"),
    "challenges_completed": N_("Vragen afgerond"),
    "challenges_continued": N_("Vragen voortgezet"),
    "matches_suggested": N_("Voorgesteld"),
    "matches_approved": N_("Goedgekeurd"),
    "matches_introduced": N_("Geïntroduceerd"),
    "matches_completed": N_("Afgerond"),
    "ratings": N_("Beoordelingen"),
    "mean_rating": N_("Gemiddelde beoordeling"),
    "meetings_held": N_("Bijeenkomsten"),
    "meeting_invitations": N_("Uitnodigingen"),
    "meeting_attendance": N_("Aanwezigen"),
    "hours_completed": N_("Uren afgerond"),
}
#: The columns of a community's table on the page (its name and region head the section).
SHOWN = ("period", *programmes.FIGURE_VALUES)
#: A period not yet ended, in the place of its figures (`programmes.NOT_PUBLISHED`).
NOT_PUBLISHED = N_("lopende periode, nog niet gepubliceerd")
#: What the page says about small counts (`programmes.SUPPRESSION` in the open data).
SUPPRESSION = N_(
    "Geen cijfer wijst naar een persoon: aantallen van 1 tot en met 4 staan er als '<5', uren en "
    "een gemiddelde beoordeling pas vanaf 5 matches of beoordelingen. Een aantal waarmee een "
    "verborgen aantal door aftrekken te vinden zou zijn (een maand uit het kwartaal) is ook "
    "verborgen en staat er als 'x'. Een onderdrukt aantal is een gat in de grafiek."
)
PARTICIPANTS = (
    "smes_taking_part",
    "students_taking_part",
    "research_groups_taking_part",
    "professionals_taking_part",
)
MEETINGS = ("meetings_held", "meeting_invitations", "meeting_attendance")
MATCHES = ("matches_suggested", "matches_approved", "matches_introduced", "matches_completed")


def _number_format() -> Callable[[float], str]:
    language = current_language()
    return lambda value: format_decimal(value, format="0.#", locale=language)


def cell(value: Any) -> str:
    """A figure as the page shows it: '<5' as it is, a mean in the page's language."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return format_decimal(value, format="0.0", locale=current_language())
    return str(value)


def _plotted(values: list[Any]) -> list[float | None]:
    # A suppressed count ("<5") has no place on an axis: it is a gap, and the description
    # and the table say "<5".
    return [value if isinstance(value, int | float) else None for value in values]


def _describe(periods: list[str], columns: tuple[str, ...], rows: list[dict]) -> str:
    parts = []
    for period, row in zip(periods, rows, strict=True):
        values = ", ".join(f"{_(HEADINGS[c])} {cell(row[c])}" for c in columns)
        parts.append(f"{period}: {values}")
    return "; ".join(parts) + "." if parts else _("Nog geen gegevens.")


@dataclass
class CommunitySection:
    """One community of the programme: its charts, its table and its reports."""

    id: str
    name: str
    region: str
    participants: Markup
    matches: Markup
    meetings: Markup
    headings: list[str]
    rows: list[list[str]]
    periods: list[str]
    published: list[bool]


def _bars(
    chart_id: str, title: str, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> Markup:
    """A bar chart of some figure columns over the published periods of `rows`."""
    periods = [row["period"] for row in rows]
    return bar_chart(
        chart_id,
        title=title,
        description=_describe(periods, columns, rows),
        categories=periods,
        series=[Series(_(HEADINGS[c]), _plotted([r[c] for r in rows])) for c in columns],
        value_format=_number_format(),
        empty_text=_("Nog geen gegevens."),
    )


def _section(community_id: str, table: list[dict[str, Any]]) -> CommunitySection:
    # The charts plot the published periods; the table names the running one too.
    rows = [row for row in table if row["published"]]
    periods = [row["period"] for row in rows]
    fmt = _number_format()
    participants = _bars(
        f"chart-participants-{community_id}", _("Deelnemers per periode"), PARTICIPANTS, rows
    )
    matches = line_chart(
        f"chart-matches-{community_id}",
        title=_("Matches per periode"),
        description=_describe(periods, MATCHES, rows),
        x_labels=periods,
        series=[Series(_(HEADINGS[c]), _plotted([r[c] for r in rows])) for c in MATCHES],
        value_format=fmt,
        empty_text=_("Nog geen gegevens."),
        whole_numbers=True,
    )
    meetings = _bars(
        f"chart-meetings-{community_id}", _("Bijeenkomsten per periode"), MEETINGS, rows
    )
    first = table[0] if table else {}
    return CommunitySection(
        id=community_id,
        name=first.get("community", community_id),
        region=first.get("region", ""),
        participants=participants,
        matches=matches,
        meetings=meetings,
        headings=[_(HEADINGS[c]) for c in SHOWN],
        rows=[
            [cell(row[c]) for c in SHOWN] if row["published"] else [row["period"], _(NOT_PUBLISHED)]
            for row in table
        ],
        periods=[row["period"] for row in table],
        published=[bool(row["published"]) for row in table],
    )


@router.get("/programmes")
def programmes_page(request: Request, session: SessionDep, actor: Follower) -> Response:
    """The programmes the user follows; with only one, straight to it."""
    views = programmes.programmes_of(session, actor)
    if len(views) == 1:
        return RedirectResponse(f"/programmes/{views[0].programme.id}", status_code=303)
    return render(request, "programme/list.html", programmes=[v.public() for v in views])


@router.get("/programmes/{programme_id}")
def programme_page(
    request: Request,
    session: SessionDep,
    actor: Follower,
    programme_id: str,
    period: PeriodQuery = "quarter",
) -> Response:
    """Per community of the programme: participants and matches over time, and the table."""
    figures = programmes.programme_figures(session, actor, programme_id, period)
    sections = []
    for community in figures.communities:
        rows = [r for r in figures.figures.rows if r["community_id"] == community.id]
        section = _section(community.id, rows)
        section.name, section.region = community.name, community.region
        sections.append(section)
    return render(
        request,
        "programme/page.html",
        programme=figures.programme,
        period=period,
        sections=sections,
        suppression=_(SUPPRESSION),
    )


def _download(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/programmes/{programme_id}/{table}.csv")
def figures_csv(
    session: SessionDep,
    actor: Follower,
    programme_id: str,
    table: str,
    period: PeriodQuery = "quarter",
) -> Response:
    """A table of the open data as CSV: figures, placements or the data dictionary."""
    figures = programmes.programme_figures(session, actor, programme_id, period)
    tables = {
        "figures": figures.figures,
        "placements": figures.placements,
        "dictionary": programmes.dictionary(),
    }
    if table not in tables:
        raise not_found("Table", table)
    return _download(
        programme_report.to_csv(tables[table]),
        "text/csv; charset=utf-8",
        f"{programme_id}-{table}-{period}.csv",
    )


@router.get("/programmes/{programme_id}/figures.json")
def figures_json(
    session: SessionDep, actor: Follower, programme_id: str, period: PeriodQuery = "quarter"
) -> Response:
    """All of the open data in one JSON file, with its data dictionary."""
    figures = programmes.programme_figures(session, actor, programme_id, period)

    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    body = {
        "programme": figures.programme.model_dump(mode="json"),
        "period": period,
        "suppression": figures.suppression,
        "figures": figures.figures.rows,
        "placements": figures.placements.rows,
        "dictionary": programmes.dictionary().rows,
    }
    return _download(
        json.dumps(body, default=plain, ensure_ascii=False, indent=1),
        "application/json",
        f"{programme_id}-{period}.json",
    )


@router.get("/programmes/{programme_id}/communities/{community_id}/report.pdf")
def report_pdf(
    session: SessionDep,
    actor: Follower,
    programme_id: str,
    community_id: str,
    period: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")],
) -> Response:
    """One community's figures of one period as a one-page PDF, in the page's language."""
    unit = programmes.Period.QUARTER if "Q" in period else programmes.Period.MONTH
    figures = programmes.programme_figures(session, actor, programme_id, unit)
    pdf = programme_report.report_pdf(figures, community_id, period, current_language())
    return _download(pdf, "application/pdf", f"{programme_id}-{community_id}-{period}.pdf")
