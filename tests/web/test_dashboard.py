"""The intermediary's community dashboard in a real browser: the charts, their tables, a CSV
download that holds exactly the table, the audit of the student list, and who may not see it.

The demo data has no suggestions yet, so the module first does what an intermediary does
through the API: rank students for a few challenges, approve, introduce and reject some.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from babel.dates import format_date
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select

from service.domain.tables import AuditEntry, DashboardRefresh

COMMUNITY = "com-biobased-zuidwest"
DASHBOARD = f"/communities/{COMMUNITY}/dashboard"
INTERMEDIARY = "usr-intermediair-biobased"
PASSWORD = "demo-wachtwoord"
CHARTS = 8  # open challenges, students, per stage, per theme, continuity, per week, fairness × 2


@pytest.fixture(scope="module")
def matches(server) -> dict:
    """Suggestions for four challenges of the community, and some of them reviewed."""
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=60) as api:
        token = api.post(
            "/login/access-token",
            data={"username": "sanne.verhulst@example.nl", "password": PASSWORD},
        ).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        published = api.get("/challenges", params={"status": "published", "limit": 100})
        challenges = published.json()["data"]
        ours = [c["id"] for c in challenges if c["community_id"] == COMMUNITY][:4]
        suggested = []
        for challenge_id in ours:
            answer = api.get(f"/challenges/{challenge_id}/suggestions/students", params={"k": 5})
            assert answer.status_code == 200, answer.text
            suggested += [s["id"] for s in answer.json()["data"]]
        for suggestion_id in suggested[:3]:
            reply = api.post(f"/suggestions/{suggestion_id}/approve", json={"reason": "past goed"})
            assert reply.status_code == 200, reply.text
        assert api.post(f"/suggestions/{suggested[0]}/introduce").status_code == 200
        introduced = api.get(f"/suggestions/{suggested[0]}").json()["target_id"]
        rejected = api.post(f"/suggestions/{suggested[5]}/reject", json={"reason": "te ver weg"})
        assert rejected.status_code == 200, rejected.text
    return {"approved": 2, "rejected": 1, "introduced_student": introduced}


def table_cells(page: Page, name: str) -> list[list[str]]:
    """The header row and the rows of a dashboard table as the page shows them."""
    table = page.locator(f"#table-{name}")
    header = table.locator("thead th").all_inner_texts()
    rows = [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]
    return [header, *rows]


def audit_entries(server, actor_id: str, action: str) -> list[AuditEntry]:
    engine = create_engine(server.settings.database)
    try:
        with Session(engine) as session:
            query = select(AuditEntry).where(
                AuditEntry.actor_id == actor_id, AuditEntry.action == action
            )
            return list(session.exec(query).all())
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_intermediary_sees_the_charts_of_their_community(
    page: Page, server, login, shot, matches, lang: str
) -> None:
    login(page, INTERMEDIARY, lang=lang)
    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{server.url}{DASHBOARD}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Biobased Zuidwest")
    charts = page.locator("svg[role=img]")
    expect(charts).to_have_count(CHARTS)
    # Every chart is named by its title and described in words.
    for index in range(CHARTS):
        chart = charts.nth(index)
        labelled = chart.get_attribute("aria-labelledby").split()
        assert (page.locator(f"#{labelled[0]}").text_content() or "").strip() != ""
        assert (chart.locator("desc").text_content() or "").strip() != ""
    stage_title = {"nl": "Matches per fase", "en": "Matches per stage"}[lang]
    expect(page.get_by_role("heading", name=stage_title)).to_be_visible()
    stage_chart = page.locator("#section-matches_per_stage svg")
    approved = {"nl": "goedgekeurd", "en": "approved"}[lang]
    expect(stage_chart.locator("text", has_text=approved)).to_have_count(1)
    # The table behind it opens with the keyboard and holds the numbers made above.
    summary = page.locator("#section-matches_per_stage summary")
    summary.focus()
    page.keyboard.press("Enter")
    cells = {row[0]: row for row in table_cells(page, "matches_per_stage")[1:]}
    assert cells[approved][1] == str(matches["approved"])
    rejected = {"nl": "afgewezen", "en": "rejected"}[lang]
    assert cells[rejected][3] == str(matches["rejected"])
    shot(page, "dashboard", lang)


def test_a_downloaded_csv_holds_exactly_its_table(page: Page, login, matches, tmp_path) -> None:
    login(page, INTERMEDIARY, lang="en")
    page.goto(DASHBOARD)
    for name in ("matches_per_stage", "matches_per_theme", "open_challenges_by_level"):
        section = page.locator(f"#table-{name}").locator("xpath=ancestor::details[1]")
        section.locator("summary").click()
        with page.expect_download() as download_info:
            section.get_by_role("link", name="Download as CSV").click()
        download = download_info.value
        path = Path(tmp_path / f"{name}.csv")
        download.save_as(path)
        assert download.suggested_filename == f"{COMMUNITY}-{name}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        assert rows == table_cells(page, name), name
        assert len(rows) > 1


def test_the_csv_is_in_the_users_language_and_typed_as_csv(page: Page, login, matches) -> None:
    login(page, INTERMEDIARY, lang="nl")
    answer = page.request.get(f"{DASHBOARD}/matches_per_stage.csv")
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    text = answer.body().decode("utf-8")
    assert text.splitlines()[0] == "Fase,Studenten,Onderzoeksgroepen,Totaal"
    assert "goedgekeurd,2,0,2" in text.splitlines()


def test_showing_the_students_without_an_assignment_is_audited(
    page: Page, login, server, matches
) -> None:
    before = len(audit_entries(server, INTERMEDIARY, "student.list"))
    login(page, INTERMEDIARY, lang="nl")
    page.goto(DASHBOARD)
    expect(page.locator("#table-students_without_assignment")).to_have_count(0)  # not yet
    page.locator("#show-students").click()  # htmx swaps the list into the page
    expect(page).to_have_url(f"{server.url}{DASHBOARD}")
    listed = page.locator("#student-list #table-students_without_assignment tbody tr")
    expect(listed.first).to_be_visible()
    shown = listed.count()
    free = int(page.locator("#free-count").inner_text())
    assert shown == free > 0
    entries = audit_entries(server, INTERMEDIARY, "student.list")
    assert len(entries) == before + shown
    # The introduced student has an assignment: not on the list.
    ids = page.locator("#student-list td:nth-child(1)").all_inner_texts()
    assert matches["introduced_student"] not in ids
    assert {entry.subject_id for entry in entries[before:]} == set(ids)
    answer = page.request.get(f"{DASHBOARD}/students_without_assignment.csv")
    assert len(answer.body().decode("utf-8").splitlines()) == shown + 1
    assert len(audit_entries(server, INTERMEDIARY, "student.list")) == before + 2 * shown


def test_a_student_gets_403_another_communitys_intermediary_404_an_admin_the_page(
    page: Page, login, matches
) -> None:
    login(page, "usr-student-004")
    assert page.goto(DASHBOARD).status == 403
    assert page.request.get(f"{DASHBOARD}/matches_per_stage.csv").status == 403
    page.context.clear_cookies()
    login(page, "usr-intermediair-talentcampus")
    answer = page.goto(DASHBOARD)
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
    assert page.request.get(f"{DASHBOARD}/students_without_assignment.csv").status == 404
    assert page.goto("/communities/com-talentcampus-eemstad/dashboard").status == 200
    assert page.goto("/communities/com-talentcampus-eemstad/dashboard/secrets.csv").status == 404
    page.context.clear_cookies()
    login(page, "usr-admin")
    assert page.goto(DASHBOARD).status == 200
    expect(
        page.get_by_role("navigation", name="Leergemeenschappen").get_by_role("link")
    ).to_have_count(3)


def test_the_dashboard_fits_a_phone(page: Page, login, matches) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, INTERMEDIARY)
    page.goto(DASHBOARD)
    for summary in page.locator("summary").all():
        summary.click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    # Chart labels stay readable: an axis label of 12 units is drawn at least 10 px high.
    axis_label = page.locator("#section-matches_per_week svg text[text-anchor=end]").first
    assert axis_label.bounding_box()["height"] >= 10


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_weeks_are_named_by_their_monday_in_the_pages_language(
    page: Page, login, matches, lang: str
) -> None:
    login(page, INTERMEDIARY, lang=lang)
    page.goto(DASHBOARD)
    labels = page.locator("#section-matches_per_week svg text[text-anchor=middle]")
    expect(labels.first).to_be_attached()
    texts = labels.all_text_contents()
    # The matches were made this week (in UTC, as the database keeps time).
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    assert texts[-1] == format_date(monday, "d MMM", locale=lang), texts
    assert not any("-W" in text for text in texts), texts


NOT_COMPUTED = "Nog niet berekend"
METHOD = {
    "nl": "Blootstelling van elke student met toestemming in de volledige rangschikking van "
    "elke open uitdaging, berekend op ",
    "en": "Exposure of every consenting student in the full ranking of every open challenge, "
    "computed on ",
}


def figure(page: Page, id_: str) -> int:
    return int(page.locator(f"#{id_}").inner_text())


def form_token(page: Page) -> str:
    """This browser's CSRF token, from the form every page has (base.html)."""
    return page.locator("input[name=csrf_token]").first.get_attribute("value")


def test_only_the_communitys_intermediary_may_refresh_its_dashboard(
    page: Page, login, server, matches
) -> None:
    login(page, "usr-student-004")
    page.goto("/student")
    answer = page.request.post(f"{DASHBOARD}/refresh", form={"csrf_token": form_token(page)})
    assert answer.status == 403
    page.context.clear_cookies()
    login(page, "usr-intermediair-talentcampus")
    page.goto("/communities/com-talentcampus-eemstad/dashboard")
    answer = page.request.post(f"{DASHBOARD}/refresh", form={"csrf_token": form_token(page)})
    assert answer.status == 404
    engine = create_engine(server.settings.database)
    try:
        with Session(engine) as session:
            started = session.exec(
                select(DashboardRefresh).where(DashboardRefresh.community_id == COMMUNITY)
            ).all()
    finally:
        engine.dispose()
    assert started == []


def test_refreshing_ranks_what_was_never_ranked_and_states_the_fairness_method(
    page: Page, login, matches
) -> None:
    """Last in the module: the refresh ranks every challenge of the community."""
    login(page, INTERMEDIARY, lang="nl")
    page.goto(DASHBOARD)
    opened, not_ranked, weak = (
        figure(page, "open-count"),
        figure(page, "not-ranked-count"),
        figure(page, "weak-count"),
    )
    # Some published challenges of the demo were never ranked: counted as such, and not as
    # challenges without a good candidate (no challenge is both).
    assert not_ranked > 0 and weak + not_ranked <= opened
    method = page.locator("#method-fairness_by_level")
    expect(method).to_contain_text(NOT_COMPUTED)
    expect(page.locator("#table-fairness_by_level tbody")).to_have_text("Nog geen gegevens.")

    page.get_by_role("button", name="Dashboard bijwerken").click()
    deadline = 60
    while not method.inner_text().startswith(METHOD["nl"]) and deadline:
        page.wait_for_timeout(1000)  # the refresh runs after the answer: look again
        page.reload()
        deadline -= 1
    assert method.inner_text().startswith(METHOD["nl"]), method.inner_text()
    assert figure(page, "not-ranked-count") == 0
    assert figure(page, "open-count") == opened
    expect(page.locator("#method-fairness_by_region")).to_contain_text(METHOD["nl"])
    cells = page.locator("#table-fairness_by_level tbody td:first-child")
    assert cells.all_text_contents() == ["mbo", "hbo", "wo"]
    expect(page.locator("#refresh-status")).to_contain_text("Laatst bijgewerkt")

    page.context.clear_cookies()
    login(page, INTERMEDIARY, lang="en")
    page.goto(DASHBOARD)
    expect(page.locator("#method-fairness_by_level")).to_contain_text(METHOD["en"])
    assert figure(page, "not-ranked-count") == 0
