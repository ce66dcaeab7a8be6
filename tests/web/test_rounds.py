"""The round pages in the real browser: the intermediary opens the demo round, solves it, pins a
member, solves again (the pin is kept), commits (the members become approved suggestions), in
Dutch and English and on a phone; opening a round with a mistake keeps what was typed; another
community's intermediary and a student cannot open the round."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from service.domain.tables import Round, RoundStatus, Suggestion, SuggestionStatus, TargetKind

INTERMEDIARY = "usr-intermediair-biobased"
OTHER_INTERMEDIARY = "usr-intermediair-talentcampus"
STUDENT = "usr-student-004"
ROUND = "rnd-biobased-zuidwest-2027-voorjaar"
#: A solve runs the allocation (up to the round's 10 s limit) on a machine shared with others.
SOLVE_MS = 120_000


def _members(page: Page) -> list[tuple[str, str]]:
    """(challenge id, student id) of every member the page proposes."""
    found = []
    for team in page.locator("li.team").all():
        challenge = (team.get_attribute("id") or "").removeprefix("team-")
        for member in team.locator("li.member").all():
            found.append((challenge, member.get_attribute("data-student") or ""))
    return found


def test_the_round_from_solving_to_commit(page: Page, server, login, shot, low_contrast) -> None:
    login(page, INTERMEDIARY)
    page.goto("/rounds")
    page.get_by_role("link", name="Ronde voorjaar 2027: biobased teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ronde voorjaar 2027: biobased teams")
    with page.expect_navigation(timeout=SOLVE_MS):
        page.get_by_role("button", name="Oplossen").click(no_wait_after=True)
    expect(page.get_by_role("status")).to_contain_text("nieuw voorstel")
    first = _members(page)
    assert first, "the proposal has no team"
    # Every member says why, every team who supervises it.
    team = page.locator("li.team").first
    expect(team.locator("ul.why li").first).not_to_be_empty()
    expect(team).to_contain_text("Begeleiding:")

    # Pin a member of the second team (or the first, if there is one team), then solve again.
    challenge, student = first[-1]
    member = page.locator(f"#team-{challenge} li.member[data-student={student}]")
    with page.expect_navigation():
        member.get_by_role("button", name="Vastzetten").click()
    expect(page.locator("#pairs-title")).to_be_visible()
    # A move is a pin elsewhere; it can be taken back before solving.
    moved_challenge, moved = first[0]
    if moved != student:
        mover = page.locator(f"#team-{moved_challenge} li.member[data-student={moved}]")
        target = mover.locator("select[name=target] option").nth(1)
        target_title = target.inner_text()
        mover.locator("select[name=target]").select_option(target.get_attribute("value"))
        with page.expect_navigation():
            mover.get_by_role("button", name="Verplaatsen", exact=True).click()
        moved_pin = page.locator("ul.pairs li", has_text=f"vastgezet in {target_title}")
        expect(moved_pin).to_have_count(1)
        with page.expect_navigation():
            moved_pin.get_by_role("button", name="Terugdraaien").click()
        expect(page.locator("ul.pairs li")).to_have_count(1)
    with page.expect_navigation(timeout=SOLVE_MS):
        page.get_by_role("button", name="Opnieuw oplossen").click(no_wait_after=True)
    pinned = page.locator(f"#team-{challenge} li.member[data-student={student}]")
    expect(pinned).to_contain_text("vastgezet")
    expect(pinned.locator("ul.why")).to_contain_text("vastgezet")  # the reason the solver gives
    second = _members(page)
    assert (challenge, student) in second
    assert low_contrast(page) == []
    shot(page, "round-proposal", "nl", full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1200, "height": 900})

    # English, and a phone: the whole page fits 375 px.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": server.url}])
    page.reload()
    expect(page.get_by_role("button", name="Solve again")).to_be_visible()
    expect(page.locator(f"#team-{challenge} li.member[data-student={student}]")).to_contain_text(
        "pinned"
    )
    shot(page, "round-proposal", "en", full_page=False)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.context.add_cookies([{"name": "lang", "value": "nl", "url": server.url}])
    page.set_viewport_size({"width": 1200, "height": 900})

    # Commit (post/redirect/get): the members are approved suggestions, the round committed.
    page.goto(f"/rounds/{ROUND}")
    with page.expect_navigation():
        page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("vastgelegd")
    expect(page.locator("#round-status")).to_have_text("vastgelegd")
    expect(page.get_by_role("button", name="Vastzetten")).to_have_count(0)
    with Session(server.app.state.engine) as session:
        assert session.get(Round, ROUND).status == RoundStatus.committed
        for challenge_id, student_id in second:
            suggestion = session.exec(
                select(Suggestion).where(
                    Suggestion.challenge_id == challenge_id,
                    Suggestion.target_kind == TargetKind.student,
                    Suggestion.target_id == student_id,
                )
            ).one()
            assert suggestion.status == SuggestionStatus.approved
    csv = page.request.get(f"/rounds/{ROUND}/teams.csv")
    assert csv.status == 200
    assert student in csv.text()


def test_a_round_form_with_a_mistake_comes_back_with_what_was_typed(page: Page, login) -> None:
    login(page, INTERMEDIARY)
    page.goto("/rounds")
    page.get_by_label("Leergemeenschap").select_option(label="Leergemeenschap Biobased Zuidwest")
    page.get_by_label("Naam van de ronde").fill("Najaar 2027")
    page.get_by_label("Periode (zoals u die noemt)").fill("september–december 2027")
    page.get_by_label("Begin").fill("2027-12-31")
    page.get_by_label("Einde").fill("2027-09-01")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Ronde openen").click()
    assert answer.value.status == 422
    expect(page.locator("#period_end-error")).to_have_text("Het einde ligt voor het begin.")
    expect(page.get_by_label("Naam van de ronde")).to_have_value("Najaar 2027")
    page.get_by_label("Einde").fill("2027-12-31")
    page.get_by_label("Begin").fill("2027-09-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Ronde openen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Najaar 2027")
    expect(page.get_by_role("button", name="Oplossen")).to_be_visible()


def test_only_the_communitys_intermediaries_run_its_round(page: Page, login) -> None:
    login(page, OTHER_INTERMEDIARY)
    assert page.goto(f"/rounds/{ROUND}").status == 404
    page.goto("/rounds")
    expect(page.get_by_role("link", name="Ronde voorjaar 2027: biobased teams")).to_have_count(0)
    page.context.clear_cookies()
    login(page, STUDENT)
    assert page.goto("/rounds").status == 403
