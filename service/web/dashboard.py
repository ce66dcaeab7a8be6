"""The intermediary's community dashboard: charts, their tables, and a CSV of each table.

`/communities/{id}/dashboard` is for the intermediaries of that community and for admins (any
other role: 403; an intermediary of another community: 404, as if it did not exist — the same
rules as the API's community routes). The numbers come from `service.usecases.dashboard`; this
module only gives them headings, labels and charts in the user's language.

Students and the audit log: the dashboard page itself names no student — its student chart
and table are counts per level. The list of students without an assignment is shown only on
request (its own page, or swapped in by htmx) and in its CSV; both are logged as
"student.list" views in the audit log (`service.usecases.audit`), one entry per student, exactly
like the API's student list, so a student can see who looked them up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, BackgroundTasks, Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session, select

from service.api.deps import SessionDep
from service.domain.actor import Actor
from service.domain.errors import not_found
from service.domain.tables import Community, DashboardRefresh, Role
from service.usecases import audit, dashboard, dashboard_refresh
from service.usecases.csv_safety import guard
from service.usecases.fairness import NO_REGION
from service.web.auth import require_roles
from service.web.charts import Series, bar_chart, line_chart
from service.web.i18n import N_, _, current_language, format_date, format_moment
from service.web.render import render
from service.web.review_view import STATUS_LABELS

router = APIRouter()

Manager = Annotated[Actor, Depends(require_roles(Role.intermediary, Role.admin))]

#: Column headings, Dutch source text (translated when shown).
HEADINGS = {
    "challenge_id": N_("Id"),
    "title": N_("Titel"),
    "organisation": N_("Organisatie"),
    "level": N_("Niveau"),
    "themes": N_("Thema's"),
    "period_start": N_("Begint op"),
    "candidates": N_("Kandidaten"),
    "best_score": N_("Beste score"),
    "in_progress": N_("Lopende matches"),
    "ranked": N_("Gerangschikt"),
    "not_ranked": N_("Nog niet gerangschikt"),
    "threshold": N_("Drempel"),
    "open_challenges": N_("Open uitdagingen"),
    "without_good_candidate": N_("Zonder goede kandidaat"),
    "student_id": N_("Id"),
    "name": N_("Naam"),
    "programme": N_("Opleiding"),
    "region": N_("Regio"),
    "available_from": N_("Beschikbaar vanaf"),
    "students": N_("Studenten"),
    "without_assignment": N_("Zonder opdracht"),
    "stage": N_("Fase"),
    "research_groups": N_("Onderzoeksgroepen"),
    "total": N_("Totaal"),
    "theme": N_("Thema"),
    "matches": N_("Matches"),
    "approved_or_further": N_("Goedgekeurd of verder"),
    "week": N_("Week"),
    "week_start": N_("Maandag"),
    "group": N_("Groep"),
    "population_share": N_("Aandeel studenten"),
    "appearances": N_("Keer getoond"),
    "appearance_ratio": N_("Verhouding getoond"),
    "exposure_share": N_("Aandeel blootstelling"),
    "exposure_ratio": N_("Verhouding blootstelling"),
    "theme_id": N_("Id"),
    "theme_name": N_("Thema"),
    "challenges": N_("Uitdagingen"),
    "last_year": N_("Laatste jaar"),
    "open_or_running": N_("Open of lopend in de laatste periode"),
    "state": N_("Stand"),
    # The weekly table has one column per stage: their headings are the stage names.
    **STATUS_LABELS,
}
#: Values of a column that are words, not data: shown in the user's language.
STAGE_LABELS = {stage.value: HEADINGS[stage.value] for stage in dashboard.STAGES}
LEVEL_LABELS = {"mbo": "mbo", "hbo": "hbo", "wo": "wo", "any": N_("elk niveau")}
WORD_LABELS = {
    "stage": STAGE_LABELS,
    "level": LEVEL_LABELS,
    "theme": {dashboard.NO_THEME: N_("(geen thema)")},
    "group": {**LEVEL_LABELS, NO_REGION: N_("(onbekend)")},
    "state": {"continues": N_("loopt door"), "stalled": N_("valt stil")},
}
#: Table titles, for the table pages, the captions and the CSV file names' readers.
TITLES = {
    "open_challenges_by_level": N_("Open uitdagingen per niveau"),
    "open_challenges": N_("Alle open uitdagingen"),
    "challenges_not_ranked": N_("Uitdagingen die nog niet zijn gerangschikt"),
    "challenges_without_good_candidate": N_("Uitdagingen zonder goede kandidaat"),
    "students_without_assignment_by_level": N_("Studenten zonder opdracht per niveau"),
    "students_without_assignment": N_("Studenten zonder opdracht"),
    "matches_per_stage": N_("Matches per fase"),
    "matches_per_theme": N_("Matches per thema"),
    "matches_per_week": N_("Matches per week"),
    "fairness_by_level": N_("Blootstelling per niveau"),
    "fairness_by_region": N_("Blootstelling per regio"),
    "theme_continuity": N_("Thema's die doorlopen en thema's die stilvallen"),
}


# -- cells --------------------------------------------------------------------------------


def word(column: str, value: Any) -> Any:
    """A value that is a word of our vocabulary (a stage, a level) in the user's language."""
    labels = WORD_LABELS.get(column)
    if labels is not None and isinstance(value, str) and value in labels:
        return _(labels[value])
    return value


def html_cell(column: str, value: Any) -> str:
    """A cell as the page shows it: numbers in the user's language ("0,75" in Dutch)."""
    value = word(column, value)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, float):
        return format_decimal(value, format="0.###", locale=current_language())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(column: str, value: Any) -> str | int | float:
    """A cell of the CSV: numbers as numbers (a dot for decimals, in either language), words
    in the user's language, and any text that a spreadsheet would run as a formula quoted."""
    value = word(column, value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = value.isoformat() if isinstance(value, date) else str(value)
    return guard(text)


def to_csv(table: dashboard.Table) -> str:
    """The table as CSV: a header row of headings in the user's language, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_(HEADINGS[column]) for column in table.columns)
    for row in table.rows:
        writer.writerow(csv_cell(column, row[column]) for column in table.columns)
    return out.getvalue()


# -- sections of the page ---------------------------------------------------------------------


@dataclass
class Section:
    """One chart with its table, as the template shows it."""

    table: str  # the table's name, also its CSV's
    title: str
    intro: str
    chart: Markup
    headings: list[str]
    rows: list[list[str]]
    method: str = ""  # how the figures were made, and when (the fairness sections)


def _number_format() -> Callable[[float], str]:
    language = current_language()
    return lambda value: format_decimal(value, format="0.##", locale=language)


def _html_rows(table: dashboard.Table) -> list[list[str]]:
    return [[html_cell(column, row[column]) for column in table.columns] for row in table.rows]


def _describe(categories: list[str], series: list[Series]) -> str:
    """The chart's numbers in words, for a screen reader: "mbo: 3 open, 1 zonder ..."."""
    fmt = _number_format()
    parts = []
    for position, category in enumerate(categories):
        values = ", ".join(
            f"{one.name} {'–' if one.values[position] is None else fmt(one.values[position])}"
            for one in series
        )
        parts.append(f"{category}: {values}")
    return "; ".join(parts) + "." if parts else _("Nog geen gegevens.")


def _bars(
    table: dashboard.Table,
    category_column: str,
    value_columns: list[str],
    title: str,
    reference: tuple[float, str] | None = None,
) -> Markup:
    categories = [str(word(category_column, value)) for value in table.column(category_column)]
    series = [Series(_(HEADINGS[column]), table.column(column)) for column in value_columns]
    return bar_chart(
        f"chart-{table.name}",
        title=title,
        description=_describe(categories, series),
        categories=categories,
        series=series,
        value_format=_number_format(),
        reference=reference,
        empty_text=_("Nog geen gegevens."),
    )


def _weekly_line(table: dashboard.Table, title: str) -> Markup:
    stages = [stage.value for stage in dashboard.STAGES]
    # A stage that never happened would be a flat line at zero on top of the others.
    drawn = [stage for stage in stages if any(table.column(stage))]
    series = [Series(_(HEADINGS[stage]), table.column(stage)) for stage in drawn]
    # A week by the date of its Monday, in the page's language ("7 dec."), not "2026-W50".
    weeks = [format_date(monday, "d MMM") for monday in table.column("week_start")]
    totals = ", ".join(f"{one.name} {sum(one.values)}" for one in series)
    if weeks:
        description = _("Lijndiagram van %(first)s tot en met %(last)s; in totaal: %(totals)s.") % {
            "first": format_date(table.column("week_start")[0]),
            "last": format_date(table.column("week_start")[-1]),
            "totals": totals,
        }
    else:
        description = _("Nog geen gegevens.")
    return line_chart(
        f"chart-{table.name}",
        title=title,
        description=description,
        x_labels=weeks,
        series=series,
        value_format=_number_format(),
        empty_text=_("Nog geen gegevens."),
        whole_numbers=True,
    )


def _section(table: dashboard.Table, intro: str, chart: Markup, method: str = "") -> Section:
    return Section(
        table=table.name,
        title=_(TITLES[table.name]),
        intro=intro,
        chart=chart,
        headings=[_(HEADINGS[column]) for column in table.columns],
        rows=_html_rows(table),
        method=method,
    )


def fairness_method(refresh: DashboardRefresh | None) -> str:
    """The fairness figures' method in one sentence, with the time they were computed."""
    if refresh is None or refresh.finished_at is None:
        return _("Nog niet berekend: kies hierboven “Dashboard bijwerken”.")
    return _(
        "Blootstelling van elke student met toestemming in de volledige rangschikking van "
        "elke open uitdaging, berekend op %(time)s."
    ) % {"time": format_moment(refresh.finished_at)}


def sections(session: Session, community_id: str) -> list[Section]:
    """Every chart of the dashboard with its table, in the order of the page."""

    def get(name: str) -> dashboard.Table:
        return dashboard.table(session, community_id, name)

    threshold = format_decimal(dashboard.GOOD_SCORE, format="0.0#", locale=current_language())
    by_level = get("open_challenges_by_level")
    students = get("students_without_assignment_by_level")
    stages = get("matches_per_stage")
    themes = get("matches_per_theme")
    weeks = get("matches_per_week")
    continuity = get("theme_continuity")
    in_proportion = (1.0, _("1 = naar verhouding"))
    method = fairness_method(dashboard_refresh.latest_refresh(session, community_id))
    fairness_intro = _(
        "Per groep: de blootstelling naar verhouding van de grootte van de groep. 1 is naar "
        "verhouding; onder 1 staan ze lager of minder vaak in de rangschikkingen, boven 1 "
        "hoger of vaker. Hoger in een rangschikking telt zwaarder."
    )
    result = [
        _section(
            by_level,
            _(
                "Gepubliceerde uitdagingen. Een goede kandidaat is een student of "
                "onderzoeksgroep met een score van minstens %(threshold)s die niemand heeft "
                "afgewezen. Een uitdaging die nog nooit is gerangschikt telt als nog niet "
                "gerangschikt, niet als zonder goede kandidaat."
            )
            % {"threshold": threshold},
            _bars(
                by_level,
                "level",
                ["open_challenges", "not_ranked", "without_good_candidate"],
                _(TITLES[by_level.name]),
            ),
        ),
        _section(
            students,
            _(
                "Studenten met toestemming om gematcht te worden, en hoeveel van hen geen "
                "match hebben die is geïntroduceerd, geaccepteerd of loopt."
            ),
            _bars(students, "level", ["students", "without_assignment"], _(TITLES[students.name])),
        ),
        _section(
            stages,
            _("Alle opgeslagen voorstellen van de leergemeenschap, per fase van de beoordeling."),
            _bars(stages, "stage", ["students", "research_groups"], _(TITLES[stages.name])),
        ),
        _section(
            themes,
            _(
                "Voorstellen per thema van de uitdaging; een uitdaging met twee thema's telt "
                "bij allebei."
            ),
            _bars(themes, "theme", ["matches", "approved_or_further"], _(TITLES[themes.name])),
        ),
        _section(
            continuity,
            _(
                "Een thema loopt door zolang het in de laatste periode een open uitdaging of "
                "een lopend project heeft; anders valt het stil. Per thema: de uitdagingen "
                "over de jaren, en hoeveel er in de laatste periode open zijn of lopen."
            ),
            _bars(
                continuity,
                "theme_name",
                ["challenges", "open_or_running"],
                _(TITLES[continuity.name]),
            ),
        ),
        _section(
            weeks,
            _(
                "Per week (vanaf maandag): nieuwe voorstellen, en hoeveel er die week een "
                "volgende fase bereikten."
            ),
            _weekly_line(weeks, _(TITLES[weeks.name])),
        ),
    ]
    for name in ("fairness_by_level", "fairness_by_region"):
        fairness = get(name)
        result.append(
            _section(
                fairness,
                fairness_intro,
                _bars(
                    fairness,
                    "group",
                    ["exposure_ratio"],
                    _(TITLES[name]),
                    reference=in_proportion,
                ),
                method,
            )
        )
    return result


# -- routes -----------------------------------------------------------------------------------


def managed_community(session: Session, actor: Actor, community_id: str) -> Community:
    """The community, if the actor manages it; otherwise 404, as if it did not exist."""
    community = session.get(Community, community_id)
    if community is None or not actor.manages({community_id}):
        raise not_found("Community", community_id)
    return community


def _known_table(name: str) -> None:
    if name not in dashboard.TABLES:
        raise not_found("Table", name)


def _log_students(session: Session, actor: Actor, table: dashboard.Table, why: str) -> None:
    if table.names_students:
        ids = table.column("student_id")
        audit.record_student_views(session, actor, ids, "student.list", why)


@router.get("/communities/{community_id}/dashboard")
def dashboard_page(
    request: Request, session: SessionDep, actor: Manager, community_id: str
) -> Response:
    """The charts and tables of one community."""
    community = managed_community(session, actor, community_id)
    weak = dashboard.challenges_without_good_candidate(session, community_id)
    not_ranked = dashboard.challenges_not_ranked(session, community_id)
    open_rows = dashboard.open_challenges(session, community_id)
    latest = dashboard_refresh.latest_refresh(session, community_id)
    managed = session.exec(
        select(Community.id, Community.name).order_by(Community.name)
        if actor.is_admin
        else select(Community.id, Community.name)
        .where(Community.id.in_(actor.community_ids))
        .order_by(Community.name)
    ).all()
    students = dashboard.students_without_assignment_by_level(session, community_id)
    states = dashboard.theme_continuity(session, community_id).column("state")
    return render(
        request,
        "dashboard/page.html",
        community=community,
        communities=managed,
        sections=sections(session, community_id),
        open_count=len(open_rows.rows),
        weak_count=len(weak.rows),
        not_ranked_count=len(not_ranked.rows),
        free_count=sum(students.column("without_assignment")),
        running=dashboard_refresh.running_refresh(session, community_id) is not None,
        refreshed=None if latest is None else format_moment(latest.finished_at),
        continuing_count=states.count("continues"),
        stalled_count=states.count("stalled"),
        listings=[
            _section(open_rows, "", Markup("")),
            _section(not_ranked, "", Markup("")),
            _section(weak, "", Markup("")),
        ],
        titles={name: _(title) for name, title in TITLES.items()},
    )


@router.post("/communities/{community_id}/dashboard/refresh")
def refresh_dashboard(
    request: Request,
    session: SessionDep,
    actor: Manager,
    community_id: str,
    background: BackgroundTasks,
) -> Response:
    """Rank the never-ranked challenges and compute the fairness figures anew, after the
    answer (a background task); a refresh already under way is not started twice."""
    managed_community(session, actor, community_id)
    refresh, new = dashboard_refresh.start_refresh(session, community_id)
    if new:
        app = request.app
        background.add_task(
            dashboard_refresh.run_in_background, app.state.engine, app.state.matching, refresh.id
        )
    return RedirectResponse(
        f"/communities/{community_id}/dashboard#refresh", status.HTTP_303_SEE_OTHER
    )


@router.get("/communities/{community_id}/dashboard/tables/{table_name}")
def table_page(
    request: Request, session: SessionDep, actor: Manager, community_id: str, table_name: str
) -> Response:
    """One table on a page of its own (htmx swaps in just the table); a table that names
    students is logged in the audit log."""
    community = managed_community(session, actor, community_id)
    _known_table(table_name)
    table = dashboard.table(session, community_id, table_name)
    _log_students(session, actor, table, f"dashboard table {table_name}")
    return render(
        request,
        "dashboard/table.html",
        block="table",
        community=community,
        section=_section(table, "", Markup("")),
    )


@router.get("/communities/{community_id}/dashboard/{table_name}.csv")
def table_csv(session: SessionDep, actor: Manager, community_id: str, table_name: str) -> Response:
    """Exactly the table as CSV (UTF-8, a header row); one that names students is logged."""
    managed_community(session, actor, community_id)
    _known_table(table_name)
    table = dashboard.table(session, community_id, table_name)
    _log_students(session, actor, table, f"dashboard download {table_name}.csv")
    filename = f"{community_id}-{table_name}.csv"
    return Response(
        to_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Language": current_language(),
            "Cache-Control": "no-store",
        },
    )
