"""A round's team with the challenge's own employees in the real browser: the intermediary solves
the demo round, one SME puts an employee in its challenge's team, and the proposal shows them
in the team (name, role, "own employee", never their e-mail) in Dutch and English and on a
phone; a pin and a re-solve keep them, the CSV lists them, and after the commit the round's
page still shows them with the team."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from service.domain.tables import (
    AuditEntry,
    Challenge,
    Membership,
    Professional,
    Round,
    RoundChallenge,
    RoundStatus,
    User,
)

INTERMEDIARY = "usr-intermediair-biobased"
ROUND = "rnd-biobased-zuidwest-2027-voorjaar"
COMMUNITY = "com-biobased-zuidwest"
EMAIL = "wim.werkplaats@example.nl"
#: A solve runs the allocation (up to the round's 10 s limit) on a machine shared with others.
SOLVE_MS = 120_000


def _solve(page: Page, button: str) -> None:
    with page.expect_navigation(timeout=SOLVE_MS):
        page.get_by_role("button", name=button).click(no_wait_after=True)


def _teams(page: Page) -> dict[str, list[str]]:
    """challenge id → student ids of each proposed team."""
    found = {}
    for team in page.locator("li.team").all():
        challenge = (team.get_attribute("id") or "").removeprefix("team-")
        found[challenge] = [
            m.get_attribute("data-student") or "" for m in team.locator("li.member").all()
        ]
    return found


def _scroll_to_staff(page: Page, team) -> None:
    """The window on the team's own employees, with the team's last student above them."""
    team.locator("h4.staff-title").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -200)")


def _employee(server, teams: dict[str, list[str]]) -> tuple[str, str]:
    """A werknemer of the SME of a proposed team's challenge (with a login of their own: an
    e-mail address the pages must not show), set as that challenge's own staff in the round.
    The challenge id and the professional's id."""
    with Session(server.app.state.engine, expire_on_commit=False) as session:
        rules = {
            r.challenge_id: r
            for r in session.exec(select(RoundChallenge).where(RoundChallenge.round_id == ROUND))
        }
        challenge_id = next(c for c, members in teams.items() if rules[c].team_max >= 2)
        challenge = session.get(Challenge, challenge_id)
        user = User(
            email=EMAIL,
            full_name="Wim Werkplaats",
            role="professional",
            organisation_id=challenge.organisation_id,
            hashed_password="x",
        )
        session.add(user)
        session.flush()
        professional = Professional(
            full_name="Wim Werkplaats",
            job_role="werknemer",
            job_title="monteur biobased",
            organisation_id=challenge.organisation_id,
            user_id=user.id,
        )
        session.add(professional)
        session.flush()
        session.add(
            Membership(community_id=COMMUNITY, member_id=professional.id, kind="professional")
        )
        rule = rules[challenge_id]
        rule.staff_ids = [professional.id]
        session.add(rule)
        session.commit()
        return challenge_id, professional.id


def test_the_proposal_shows_the_teams_own_employees(page: Page, server, login, shot) -> None:
    login(page, INTERMEDIARY)
    page.goto(f"/rounds/{ROUND}")
    _solve(page, "Oplossen")
    challenge, professional = _employee(server, _teams(page))

    _solve(page, "Opnieuw oplossen")
    team = page.locator(f"#team-{challenge}")
    employee = team.locator(f"li.staff-member[data-professional={professional}]")
    expect(team.get_by_role("heading", name="Eigen medewerkers in het team")).to_be_visible()
    expect(employee).to_contain_text("Wim Werkplaats")
    expect(employee).to_contain_text("Werknemer · monteur biobased")
    expect(employee.locator(".badge")).to_have_text("eigen medewerker")
    assert EMAIL not in page.content()
    # The employee holds a place: with them the team stays within its team_max.
    with Session(server.app.state.engine) as session:
        rules = session.get(RoundChallenge, (ROUND, challenge))
        assert 1 + team.locator("li.member").count() <= rules.team_max

    # Pin one of the team's students and solve again: the employee stays in the team.
    student = team.locator("li.member").first.get_attribute("data-student")
    with page.expect_navigation():
        team.locator(f"li.member[data-student={student}]").get_by_role(
            "button", name="Vastzetten"
        ).click()
    _solve(page, "Opnieuw oplossen")
    expect(team.locator(f"li.member[data-student={student}]")).to_contain_text("vastgezet")
    expect(employee).to_contain_text("Wim Werkplaats")
    _scroll_to_staff(page, team)
    shot(page, "round-proposal-staff", "nl", full_page=False)

    # English, and a phone.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": server.url}])
    page.reload()
    heading = team.get_by_role("heading", name="The organisation's own employees in the team")
    expect(heading).to_be_visible()
    expect(employee).to_contain_text("Employee · monteur biobased")
    expect(employee.locator(".badge")).to_have_text("own employee")
    _scroll_to_staff(page, team)
    shot(page, "round-proposal-staff", "en", full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1200, "height": 900})

    csv = page.request.get(f"/rounds/{ROUND}/teams.csv").text()
    [line] = [row for row in csv.splitlines() if professional in row]
    assert line.startswith(challenge) and "Wim Werkplaats" in line and "employee" in line
    assert EMAIL not in csv

    # Commit: the students become approved matches, the employee is recorded with the team.
    page.context.add_cookies([{"name": "lang", "value": "nl", "url": server.url}])
    page.goto(f"/rounds/{ROUND}")
    with page.expect_navigation():
        page.get_by_role("button", name="Vastleggen").click()
    expect(page.locator("#round-status")).to_have_text("vastgelegd")
    expect(employee).to_contain_text("Wim Werkplaats")
    with Session(server.app.state.engine) as session:
        assert session.get(Round, ROUND).status == RoundStatus.committed
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "round.commit")).all()
        assert entry.details["staff"][challenge] == [professional]
