"""A student's preferences in the real browser: the demo student sees their community's open
round with their choices, a challenge chosen twice comes back with 422 and what was chosen, a
fixed choice is saved (post/redirect/get) and is what the round keeps; on a phone, in English."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session

from service.domain.tables import RoundStudent

STUDENT = "usr-student-004"  # Wei Zhang, stu-004, Biobased Zuidwest
ROUND = "rnd-biobased-zuidwest-2027-voorjaar"


def test_a_student_ranks_challenges_of_their_round(page: Page, server, login) -> None:
    with Session(server.app.state.engine) as session:
        before = list(session.get(RoundStudent, (ROUND, "stu-004")).preferences)
    assert before, "the demo student has preferences in the demo round"
    login(page, STUDENT)
    page.get_by_role("link", name="Mijn voorkeuren").click()
    form = page.locator(f"#round-{ROUND}")
    expect(form.get_by_role("heading")).to_have_text("Ronde voorjaar 2027: biobased teams")
    first = form.get_by_label("Keuze 1")
    assert first.input_value() == before[0]

    # The same challenge twice: nothing saved, the choices as made, the message at the field.
    form.get_by_label("Keuze 4").select_option(before[0])
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name="Keuzes bewaren").click()
    assert answer.value.status == 422
    form = page.locator(f"#round-{ROUND}")
    expect(form.locator(".field-error")).to_have_text("Deze uitdaging hebt u al hoger gekozen.")
    assert form.get_by_label("Keuze 4").input_value() == before[0]
    with Session(server.app.state.engine) as session:
        assert session.get(RoundStudent, (ROUND, "stu-004")).preferences == before

    # Fixed: the second choice becomes the first, the rest shifts.
    form.get_by_label("Keuze 4").select_option("")
    form.get_by_label("Keuze 1").select_option(before[1])
    form.get_by_label("Keuze 2").select_option(before[0])
    with page.expect_navigation():
        form.get_by_role("button", name="Keuzes bewaren").click()
    expect(page.get_by_role("status")).to_have_text("Uw keuzes zijn bewaard.")
    with Session(server.app.state.engine) as session:
        after = session.get(RoundStudent, (ROUND, "stu-004")).preferences
    assert after == [before[1], before[0], *before[2:]]

    # English, on a phone: no sideways scrolling.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": server.url}])
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("My preferences")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_preferences_page_is_for_students(page: Page, login) -> None:
    login(page, "usr-intermediair-biobased")
    assert page.goto("/rounds/preferences").status == 403
