"""Funding programmes: the programmes a monitor follows, their figures as open data (JSON and
CSV, with a data dictionary) and a one-page PDF report per community and period.

Monitors, intermediaries (of a funded community, for their communities) and admins; SMEs and
students get 403. A programme the caller does not follow is 404, as if it did not exist.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from service.api.deps import SessionDep, require
from service.api.routes.common import AUTH, ROLE
from service.domain.actor import Actor
from service.domain.tables import ProgrammePublic, ProgrammesPublic, Role
from service.usecases import programme_report, programmes

router = APIRouter(prefix="/programmes", tags=["programmes"])

Follower = Annotated[Actor, Depends(require(Role.monitor, Role.intermediary, Role.admin))]
NOT_FOUND = {404: {"description": "No such programme, or not one you follow"}}


class Format(StrEnum):
    json = "json"
    csv = "csv"


class Part(StrEnum):
    figures = "figures"
    placements = "placements"
    dictionary = "dictionary"


PeriodQuery = Annotated[
    str, Query(pattern="^(month|quarter)$", description="Count per month or per quarter.")
]


@router.get("", responses={**AUTH, **ROLE})
def list_programmes(session: SessionDep, actor: Follower) -> ProgrammesPublic:
    """The programmes the caller follows, with the communities of each they may read."""
    views = programmes.programmes_of(session, actor)
    return ProgrammesPublic(data=[view.public() for view in views], count=len(views))


@router.get("/{programme_id}", responses={**AUTH, **ROLE, **NOT_FOUND})
def read_programme(session: SessionDep, actor: Follower, programme_id: str) -> ProgrammePublic:
    """One programme the caller follows."""
    return programmes.visible_programme(session, actor, programme_id).public()


@router.get(
    "/{programme_id}/figures",
    responses={
        **AUTH,
        **ROLE,
        **NOT_FOUND,
        200: {"content": {"application/json": {}, "text/csv": {}}},
    },
)
def programme_figures(
    session: SessionDep,
    actor: Follower,
    programme_id: str,
    period: PeriodQuery = "quarter",
    format: Format = Format.json,
    table: Annotated[Part, Query(description="For CSV: which table.")] = Part.figures,
) -> Any:
    """Per community and per period: who takes part, challenges posted, staffed and completed,
    matches, ratings, and placements by level and region. No person is named, and counts from
    1 to 4 read "<5". Only periods that have ended carry figures: the running one is a row with
    `published` false ("current period, not yet published"). JSON holds every table and the
    data dictionary; CSV one table."""
    figures = programmes.programme_figures(session, actor, programme_id, period)
    tables = {
        Part.figures: figures.figures,
        Part.placements: figures.placements,
        Part.dictionary: programmes.dictionary(),
    }
    if format is Format.csv:
        name = f"{programme_id}-{table.value}-{period}.csv"
        return Response(
            programme_report.to_csv(tables[table]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return {
        "programme": figures.programme.model_dump(mode="json"),
        "period": period,
        "suppression": figures.suppression,
        "figures": figures.figures.rows,
        "placements": figures.placements.rows,
        "dictionary": programmes.dictionary().rows,
    }


@router.get(
    "/{programme_id}/communities/{community_id}/report",
    responses={**AUTH, **ROLE, **NOT_FOUND, 200: {"content": {"application/pdf": {}}}},
    response_class=Response,
)
def programme_report_pdf(
    session: SessionDep,
    actor: Follower,
    programme_id: str,
    community_id: str,
    period: Annotated[
        str,
        Query(
            pattern=r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$",
            description="A month (2027-03) or a quarter (2027-Q1).",
        ),
    ],
    language: Annotated[str, Query(pattern="^(nl|en)$")] = "nl",
) -> Response:
    """One page for a funder: one community's figures of one month or quarter (PDF)."""
    unit = programmes.Period.QUARTER if "Q" in period else programmes.Period.MONTH
    figures = programmes.programme_figures(session, actor, programme_id, unit)
    pdf = programme_report.report_pdf(figures, community_id, period, language)
    name = f"{programme_id}-{community_id}-{period}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
