"""The intermediary's review queue in the real browser, continuing the SME's journey: the SME
asks for an introduction; the intermediary sees the request, rejects a match with a reason,
approves two in bulk (a row someone else decided meanwhile is reported, the others are still
decided), introduces one; the SME then sees an approved student's name where the student
allows it. And the role rules: another community's intermediary sees and decides nothing of
it, a student cannot open the queue."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from service.domain.tables import (
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    TargetKind,
    Visibility,
)

SME = "elena.vermeulen@example.nl"  # Ligninelab, community Biobased Zuidwest
INTERMEDIARY = "usr-intermediair-biobased"  # Sanne Verhulst, Biobased Zuidwest
OTHER_INTERMEDIARY = "usr-intermediair-talentcampus"  # Jeroen Achterberg, Talentcampus Eemstad
STUDENT = "usr-student-004"
PASSWORD = "demo-wachtwoord"
TITLE = "Lignine uit zaagsel: opbrengst en zuiverheid meten"
CHALLENGE = {
    "community_id": "com-biobased-zuidwest",
    "title": TITLE,
    "description": (
        "Wij willen lignine winnen uit zaagsel en snoeihout. We zoeken een student die chemische "
        "experimenten opzet en uitvoert, de opbrengst en zuiverheid meet, veilig met chemicaliën "
        "werkt en de resultaten in een technisch rapport vastlegt. Groene chemie en "
        "circulariteit staan centraal."
    ),
    "wanted_skills": [{"label": "chemische experimenten uitvoeren"}],
    "themes": ["groene chemie"],
    "level": "hbo",
    "hours_per_week": 16,
    "weeks": 16,
    "period_start": "2027-02-15",
    "period_end": "2027-06-11",
    "place": "Bergen op Zoom",
    "language": "nl",
}


@dataclass
class Picked:
    """The rows of the queue the test decides on, chosen by what they are, not by rank."""

    after_approval: str  # a student who lets the SME see their name once approved
    hidden: str  # a student whose name only intermediaries see
    rejected: str
    stale: str  # decided through the API while the queue is open
    group: str  # the research group the SME asked to be introduced to


def api_token(server, email: str) -> str:
    answer = httpx.post(
        f"{server.url}/api/v1/login/access-token", data={"username": email, "password": PASSWORD}
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def suggestions_of(server, challenge_id: str) -> list[tuple[Suggestion, StudentProfile | None]]:
    with Session(server.app.state.engine) as session:
        rows = session.exec(
            select(Suggestion)
            .where(Suggestion.challenge_id == challenge_id)
            .order_by(Suggestion.score.desc())
        ).all()
        return [
            (
                row,
                session.get(StudentProfile, row.target_id)
                if row.target_kind == "student"
                else None,
            )
            for row in rows
        ]


def event_count(server) -> int:
    """How many review events the database holds."""
    with Session(server.app.state.engine) as session:
        return len(session.exec(select(SuggestionEvent.id)).all())


def status_of(server, suggestion_id: str) -> SuggestionStatus:
    with Session(server.app.state.engine) as session:
        return session.get(Suggestion, suggestion_id).status


def row(page: Page, suggestion_id: str):
    return page.locator(f"#match-{suggestion_id}")


@pytest.fixture(scope="module")
def challenge_id(server) -> str:
    """The SME's challenge, posted as a draft through the API (the SME pages are tested in
    test_sme.py); publishing it on the page ranks students and research groups for review."""
    token = api_token(server, SME)
    answer = httpx.post(
        f"{server.url}/api/v1/challenges",
        json=CHALLENGE,
        headers={"Authorization": f"Bearer {token}"},
    )
    answer.raise_for_status()
    return answer.json()["id"]


def test_the_review_journey_from_request_to_introduction(
    page: Page, login, shot, server, challenge_id: str
) -> None:
    # The SME publishes and asks for an introduction to the best research group.
    login(page, SME)
    page.goto(f"/sme/challenges/{challenge_id}")
    page.get_by_role("button", name="Publiceren").click()
    groups = page.locator("section[aria-labelledby=groups-title] li.match")
    groups.first.get_by_role("button", name="Vraag de intermediair om een introductie").click()
    expect(groups.first.locator(".badge.flag")).to_have_text("Introductie gevraagd")

    rows = suggestions_of(server, challenge_id)
    students = [(s, p) for s, p in rows if p is not None]
    after = [s.id for s, p in students if p.visibility == Visibility.community_after_approval]
    hidden = [s.id for s, p in students if p.visibility == Visibility.intermediaries]
    assert len(after) >= 2 and len(hidden) >= 1, "the demo data gives both kinds of student"
    with Session(server.app.state.engine) as session:
        requested = session.exec(
            select(SuggestionEvent.suggestion_id).where(
                SuggestionEvent.action == "request_introduction:sme"
            )
        ).one()
    spare = [s for s in after + hidden if s not in (after[0], after[1], hidden[0])]
    picked = Picked(after[0], hidden[0], after[1], spare[0], requested)

    # The intermediary sees the request flagged in the queue.
    page.context.clear_cookies()
    login(page, INTERMEDIARY)
    page.get_by_label("Alleen met een introductieverzoek of interesse").check()
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator("li.match")).to_have_count(1)
    flagged = row(page, picked.group)
    expect(flagged.locator(".badge.flag")).to_have_text("Introductie gevraagd")
    expect(flagged.locator(".side").first).to_contain_text(TITLE)

    # The queue of this challenge: both sides and the reasons on every row.
    page.locator("#challenge").select_option(challenge_id)
    page.get_by_label("Alleen met een introductieverzoek of interesse").uncheck()
    page.get_by_role("button", name="Filteren").click()
    student_row = row(page, picked.after_approval)
    expect(student_row.locator(".side")).to_have_count(2)
    expect(student_row.get_by_role("heading", name="Waarom deze match")).to_be_visible()
    # The same wording of strength as the student's page, with the score beside it.
    strength = re.compile(r"^(Sterke|Goede|Mogelijke) match \(score -?\d+\.\d\d\)$")
    expect(student_row.locator(".score")).to_have_text(strength)
    # The room the challenge has left for students, and the distance from the student's home.
    expect(student_row.locator(".note", has_text="plaatsen vrij")).to_have_count(1)
    expect(student_row.locator(".note", has_text=re.compile(r"\d+,\d km van"))).to_have_count(1)
    shot(page, "review-queue", "nl")

    # Reject: without a reason nothing happens and the field says why; with one it is done.
    rejected = row(page, picked.rejected)
    rejected.get_by_role("button", name="Afwijzen").click()
    expect(page.locator(f"#reason-{picked.rejected}-error")).to_have_text(
        "Geef een reden om af te wijzen."
    )
    assert status_of(server, picked.rejected) == SuggestionStatus.suggested
    rejected.get_by_label("Reden (verplicht bij afwijzen)").fill("Volgt geen scheikunde")
    rejected.get_by_role("button", name="Afwijzen").click()
    expect(page.locator("#outcomes")).to_contain_text("afgewezen")
    assert status_of(server, picked.rejected) == SuggestionStatus.rejected
    with Session(server.app.state.engine) as session:
        reason = session.get(Suggestion, picked.rejected).reason
    assert reason == "Volgt geen scheikunde"

    # Bulk approve; one of the rows is approved through the API after the page was drawn.
    for suggestion_id in (picked.after_approval, picked.hidden, picked.stale):
        row(page, suggestion_id).get_by_role("checkbox").check()
    token = api_token(server, "sanne.verhulst@example.nl")
    httpx.post(
        f"{server.url}/api/v1/suggestions/{picked.stale}/approve",
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()
    page.get_by_role("button", name="Selectie goedkeuren").click()
    outcomes = page.locator("#outcomes li")
    expect(outcomes).to_have_count(3)
    expect(page.locator(f"#outcomes [data-suggestion={picked.after_approval}]")).to_contain_text(
        "goedgekeurd"
    )
    expect(page.locator(f"#outcomes [data-suggestion={picked.stale}]")).to_contain_text(
        "Kan niet: deze match is nu goedgekeurd."
    )
    assert status_of(server, picked.after_approval) == SuggestionStatus.approved
    assert status_of(server, picked.hidden) == SuggestionStatus.approved
    # Post/redirect/get: the browser is on the queue's address, and a reload reports again
    # without deciding anything twice.
    assert "/review/decide" not in page.url and "/review?" in page.url
    events = event_count(server)
    page.reload()
    expect(page.locator("#outcomes li")).to_have_count(3)
    expect(page.locator(f"#outcomes [data-suggestion={picked.stale}]")).to_contain_text(
        "Kan niet: deze match is nu goedgekeurd."
    )
    assert event_count(server) == events

    # Approve the research group the SME asked for, then introduce it.
    row(page, picked.group).get_by_role("button", name="Goedkeuren").click()
    page.locator("#stage").select_option("approved")
    page.get_by_role("button", name="Filteren").click()
    row(page, picked.group).get_by_role("button", name="Introduceren").click()
    expect(page.locator(f"#outcomes [data-suggestion={picked.group}]")).to_contain_text(
        "geïntroduceerd"
    )
    assert status_of(server, picked.group) == SuggestionStatus.introduced

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review suggested matches")
    expect(row(page, picked.after_approval).locator(".badge").first).to_have_text("approved")
    expect(row(page, picked.after_approval).locator(".score")).to_have_text(
        re.compile(r"^(Strong|Good|Possible) match \(score")
    )
    shot(page, "review-queue", "en")

    # The SME sees the approved student's name where the student allows it, a neutral label
    # where not, and nothing of the rejected one.
    page.context.clear_cookies()
    login(page, SME)
    page.goto(f"/sme/challenges/{challenge_id}")
    students_section = page.locator("section[aria-labelledby=students-title]")
    with Session(server.app.state.engine) as session:
        named = session.get(
            StudentProfile, session.get(Suggestion, picked.after_approval).target_id
        )
        unnamed = session.get(StudentProfile, session.get(Suggestion, picked.hidden).target_id)
        gone = session.get(StudentProfile, session.get(Suggestion, picked.rejected).target_id)
    expect(row(page, picked.after_approval).locator("h3")).to_have_text(named.full_name)
    expect(row(page, picked.hidden).locator("h3")).to_have_text(
        "Student (naam alleen voor de intermediair)"
    )
    expect(students_section).not_to_contain_text(unnamed.full_name)
    expect(row(page, picked.rejected)).to_have_count(0)
    expect(students_section).not_to_contain_text(gone.full_name)
    expect(row(page, picked.group).locator(".badge").first).to_have_text("geïntroduceerd")


@pytest.fixture(scope="module")
def ranked_challenge_id(server) -> str:
    """A challenge of its own, published and ranked through the API by its intermediary."""
    sme = {"Authorization": f"Bearer {api_token(server, SME)}"}
    ranked_by = {"Authorization": f"Bearer {api_token(server, 'sanne.verhulst@example.nl')}"}
    challenge_id = httpx.post(
        f"{server.url}/api/v1/challenges", json={**CHALLENGE, "title": TITLE + " (2)"}, headers=sme
    ).json()["id"]
    httpx.post(f"{server.url}/api/v1/challenges/{challenge_id}/publish", headers=sme)
    httpx.get(
        f"{server.url}/api/v1/challenges/{challenge_id}/suggestions/students", headers=ranked_by
    ).raise_for_status()
    return challenge_id


def test_another_communitys_intermediary_sees_and_decides_nothing_of_it(
    page: Page, login, server, ranked_challenge_id: str
) -> None:
    challenge_id = ranked_challenge_id
    ours = [s.id for s, _student in suggestions_of(server, challenge_id)]
    assert ours
    login(page, OTHER_INTERMEDIARY)
    page.goto("/review?stage=")
    for suggestion_id in ours:
        expect(row(page, suggestion_id)).to_have_count(0)
    expect(page.locator("#challenge option", has_text=TITLE)).to_have_count(0)
    page.goto(f"/review?challenge={challenge_id}&stage=")
    expect(page.get_by_text("Geen matches met deze filters.")).to_be_visible()

    # A decision posted for another community's row (with a valid form token) is refused.
    target = next(
        s.id
        for s, student in suggestions_of(server, challenge_id)
        if s.status == SuggestionStatus.suggested and s.target_kind == TargetKind.student
    )
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(
        "/review/decide", form={"csrf_token": token, "action": f"approve:{target}"}
    )
    assert answer.ok
    assert "Niet gevonden, of niet van uw leergemeenschap." in answer.text()
    assert status_of(server, target) == SuggestionStatus.suggested


def test_a_student_cannot_open_the_review_queue(page: Page, login) -> None:
    login(page, STUDENT)
    response = page.goto("/review")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    expect(page.locator("li.match")).to_have_count(0)


def test_enter_in_a_reason_decides_nothing_and_keeps_what_was_typed(
    page: Page, login, server, ranked_challenge_id: str
) -> None:
    login(page, INTERMEDIARY)
    page.goto(f"/review?challenge={ranked_challenge_id}")
    first = page.locator("li.match").first
    suggestion_id = first.get_attribute("id").removeprefix("match-")
    first.get_by_role("checkbox").check()
    page.get_by_label("Reden bij afwijzen van de selectie").fill("Te weinig ervaring")
    page.get_by_label("Reden bij afwijzen van de selectie").press("Enter")
    expect(page.get_by_label("Reden bij afwijzen van de selectie")).to_have_value(
        "Te weinig ervaring"
    )
    expect(row(page, suggestion_id).get_by_role("checkbox")).to_be_checked()
    expect(page.locator("#outcomes")).to_have_count(0)
    assert status_of(server, suggestion_id) == SuggestionStatus.suggested


def test_the_queue_fits_a_phone(page: Page, login, ranked_challenge_id: str) -> None:
    login(page, INTERMEDIARY)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/review?challenge={ranked_challenge_id}")
    expect(page.locator("li.match").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
