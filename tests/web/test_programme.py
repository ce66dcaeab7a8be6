"""The programme view in a real browser: a funder's monitor logs in, sees each community's
charts and table in Dutch or English, and downloads the CSV, the JSON and a PDF report, which
state the figures of the page; no student is named anywhere.

The demo has no match history yet, so the module writes one: six students of the Biobased
community introduced on one challenge in 2026-Q3, three of them completed in 2026-Q4. The
figures are read as on 15 January 2027: 2026-Q4 has ended (published), 2027-Q1 runs (a row
"not yet published", without figures).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pypdf
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from service.domain.tables import (
    Challenge,
    Membership,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
)
from service.usecases import programmes
from service.usecases.programme_report import LABELS, REPORTED, shown
from service.web.programme import SHOWN

PROGRAMME = "prg-mkb-leergemeenschappen"
COMMUNITY = "com-biobased-zuidwest"
MONITOR = "gerdien.hofma@example.nl"
PASSWORD = "demo-wachtwoord"
PLACED = 6


#: The day the figures are read on (the server runs in this process: its clock is set here).
READ_ON = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
RUNNING = "2027-Q1"
NOT_PUBLISHED = {"nl": "lopende periode, nog niet gepubliceerd", "en": programmes.NOT_PUBLISHED}


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def _read_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(programmes, "utcnow", lambda: READ_ON)


@pytest.fixture(scope="module")
def history(server) -> list[str]:
    """Six placements in 2026-Q3 in the Biobased community; returns the students' names."""
    engine = create_engine(server.settings.database)
    try:
        with Session(engine) as session:
            members = select(Membership.member_id).where(
                Membership.community_id == COMMUNITY, Membership.kind == "student"
            )
            students = session.exec(
                select(StudentProfile).where(StudentProfile.id.in_(members)).limit(PLACED)
            ).all()
            challenge = session.exec(
                select(Challenge).where(
                    Challenge.community_id == COMMUNITY, Challenge.status == "published"
                )
            ).first()
            assert len(students) == PLACED and challenge is not None
            for n, student in enumerate(students):
                suggestion = Suggestion(
                    id=f"sug-history-{n}",
                    community_id=COMMUNITY,
                    challenge_id=challenge.id,
                    target_kind="student",
                    target_id=student.id,
                    score=2.5,
                    dense=0.5,
                    lexical=0.5,
                    skill=0.5,
                    model_version="history",
                    status="completed" if n < 3 else "introduced",
                    created_at=at("2026-07-06"),
                )
                session.add(suggestion)
                session.flush()
                moves = [("approve", "suggested", "approved", "2026-07-08")]
                moves.append(("introduce", "approved", "introduced", "2026-08-03"))
                if n < 3:
                    moves.append(("complete", "active", "completed", "2026-11-02"))
                for action, before, after, day in moves:
                    session.add(
                        SuggestionEvent(
                            suggestion_id=suggestion.id,
                            actor_id="usr-intermediair-biobased",
                            action=action,
                            from_status=before,
                            to_status=after,
                            at=at(day),
                        )
                    )
            names = [student.full_name for student in students]
            session.commit()
    finally:
        engine.dispose()
    return names


def api_figures(server) -> dict:
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=60) as api:
        token = api.post(
            "/login/access-token", data={"username": MONITOR, "password": PASSWORD}
        ).json()["access_token"]
        answer = api.get(
            f"/programmes/{PROGRAMME}/figures", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


def download(page: Page, link_id: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.locator(f"#{link_id}").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_monitor_sees_each_community_and_downloads_the_same_figures(
    page: Page, server, login, shot, history, tmp_path, lang: str
) -> None:
    login(page, MONITOR, lang=lang)
    expect(page).to_have_url(f"{server.url}/programmes/{PROGRAMME}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mkb-Leergemeenschappen")
    sections = page.locator("section.dashboard-section")
    expect(sections).to_have_count(3)
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(9)
    for index in range(9):
        assert (charts.nth(index).locator("desc").text_content() or "").strip() != ""
    expect(page.locator("#suppression")).to_contain_text("<5")
    heading = {"nl": "Studenten", "en": "Students"}[lang]

    section = page.locator(f"#community-{COMMUNITY}")
    section.locator("summary").click()
    table = page.locator(f"#table-{COMMUNITY}")
    headings = table.locator("thead th").all_inner_texts()
    rows = {
        cells[0]: dict(zip(headings, cells, strict=False))
        for cells in (r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all())
    }
    assert rows["2026-Q3"][heading] == str(PLACED)
    completed = {"nl": "Afgerond", "en": "Completed"}[lang]
    assert rows["2026-Q4"][completed] == "<5"
    # The running quarter: named, without a figure (they still change as events arrive).
    running = table.locator("tbody tr.not-published")
    expect(running).to_have_count(1)
    expect(running).to_contain_text(RUNNING)
    expect(running).to_contain_text(NOT_PUBLISHED[lang])
    body = page.content()
    for name in history:
        assert name not in body, f"the programme page names {name}"
    shot(page, "programme", lang)

    # The downloads state what the API states, and the page.
    figures = api_figures(server)
    with download(page, "download-figures-csv", tmp_path).open(encoding="utf-8") as handle:
        from_csv = [row for row in csv.DictReader(handle) if row["community_id"] == COMMUNITY]
    from_api = [row for row in figures["figures"] if row["community_id"] == COMMUNITY]
    assert [row["students_taking_part"] for row in from_csv] == [
        "" if row["students_taking_part"] is None else str(row["students_taking_part"])
        for row in from_api
    ]
    for from_file, row in zip(from_csv, from_api, strict=True):
        for field, value in row.items():
            assert from_file[field] == ("" if value is None else str(value)), field
    # The page's table states the API's figures, every column of it (new ones included).
    page_rows = {
        cells[0]: cells[: len(SHOWN)]  # the last cell is the report's link
        for cells in (r.locator("td").all_inner_texts() for r in table.locator("tbody tr").all())
    }
    assert [row["period"] for row in from_api if not row["published"]] == [RUNNING]
    for row in from_api:
        cells = page_rows[row["period"]]
        if not row["published"]:
            assert cells[:2] == [row["period"], NOT_PUBLISHED[lang]]
            assert all(row[column] is None for column in SHOWN[1:])
            continue
        for column, text in zip(SHOWN, cells, strict=True):
            value = row[column]
            if isinstance(value, float):
                expected = f"{value:.1f}".replace(".", "," if lang == "nl" else ".")
            else:
                expected = "–" if value is None else str(value)
            assert text == expected, (row["period"], column)
    as_json = json.loads(download(page, "download-json", tmp_path).read_text(encoding="utf-8"))
    assert as_json["figures"] == figures["figures"]
    assert {entry["field"] for entry in as_json["dictionary"]} >= set(from_api[0])

    with page.expect_download() as info:
        table.locator("a.report").nth(list(rows).index("2026-Q3")).click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.name == f"{PROGRAMME}-{COMMUNITY}-2026-Q3.pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    q3 = next(row for row in from_api if row["period"] == "2026-Q3")
    assert q3["students_taking_part"] == PLACED
    for field in REPORTED:  # every figure of the report, as the API and the page state it
        [line] = [line for line in text.splitlines() if line.startswith(LABELS[lang][field])]
        assert line.split()[-1] == shown(q3[field]), field
    for name in history:
        assert name not in text


def test_other_roles_do_not_reach_the_programme_page(page: Page, server, login) -> None:
    login(page, "usr-student-004")
    answer = page.goto(f"/programmes/{PROGRAMME}")
    assert answer is not None and answer.status == 403
