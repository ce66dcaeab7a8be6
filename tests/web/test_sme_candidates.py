"""An SME marks candidates in the real browser: the demo SME finds its challenge in the open
round, sees the students who chose it as "Kandidaat N" (no name, e-mail or id anywhere on the
page), marks one ("Graag") and takes the mark back (post/redirect/get, what the round keeps);
on a phone, in English; another SME gets "not found", a student "no access". And the challenge
form takes a range of students, with a message at the minimum when it lies above the maximum."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from service.domain.tables import RoundChallenge, RoundStudent, StudentProfile, User

SME = "usr-mkb-vlasvezel"  # Marco Geschiere, org-vlasvezel-isolatie
ROUND = "rnd-biobased-zuidwest-2027-voorjaar"
CHALLENGE = "ch-003"
PAGE = f"/sme/rounds/{ROUND}/challenges/{CHALLENGE}"


def _who_chose(server) -> tuple[dict[str, int], set[str]]:
    """student id → candidate number of those who ranked the challenge, and every name,
    e-mail address and id of theirs."""
    with Session(server.app.state.engine) as session:
        rows = session.exec(
            select(RoundStudent, StudentProfile).where(
                RoundStudent.round_id == ROUND,
                RoundStudent.student_id == StudentProfile.id,
                StudentProfile.consent_matching,
            )
        ).all()
        chose = {e.student_id: e.candidate_no for e, _ in rows if CHALLENGE in e.preferences}
        secrets = {p.full_name for e, p in rows if e.student_id in chose} | set(chose)
        for _, profile in rows:
            if profile.id in chose and profile.user_id:
                secrets.add(session.get(User, profile.user_id).email)
    return chose, secrets


def _marks(server) -> list[str]:
    with Session(server.app.state.engine) as session:
        return list(session.get(RoundChallenge, (ROUND, CHALLENGE)).sme_marks)


def test_an_sme_marks_a_candidate_without_seeing_who_it_is(page: Page, server, login, shot) -> None:
    login(page, SME)
    page.goto("/sme")
    page.get_by_role("link", name="Kandidaten in rondes").click()
    page.get_by_role("link", name="Marktverkenning: biobased isolatie voor de renovatie").click()
    expect(page).to_have_url(f"{server.url}{PAGE}")
    chose, secrets = _who_chose(server)
    assert len(chose) >= 3 and all(chose.values())  # numbered on the first view
    cards = page.locator("li.candidate")
    expect(cards).to_have_count(len(chose))
    html = page.content()
    leaked = [text for text in secrets if text in html]
    assert leaked == [], leaked

    # The demo's marks show; one more candidate gets a mark, then loses it again.
    before = _marks(server)
    for student in before:
        expect(page.locator(f"#kandidaat-{chose[student]} .badge")).to_have_text("graag")
    student = next(s for s in sorted(chose) if s not in before)
    label = f"Kandidaat {chose[student]}"
    with page.expect_navigation():
        page.get_by_role("button", name=f"{label} graag", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Bewaard: u wilt deze kandidaat graag.")
    expect(page.locator(f"#kandidaat-{chose[student]} .badge")).to_have_text("graag")
    assert _marks(server) == [*before, student]
    shot(page, "sme-candidates", "nl")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Markering weghalen bij {label}", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Bewaard: de markering is weg.")
    assert _marks(server) == before

    # English, on a phone: no sideways scrolling, still no names.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": server.url}])
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    expect(page.locator(f"#kandidaat-{chose[student]} h2")).to_have_text(
        f"Candidate {chose[student]}"
    )
    expect(
        page.get_by_role(
            "button", name=f"Would love to have Candidate {chose[student]}", exact=True
        )
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert [text for text in secrets if text in page.content()] == []
    shot(page, "sme-candidates", "en")


def test_the_candidates_are_the_challenges_smes_only(page: Page, login) -> None:
    login(page, "usr-mkb-ligninelab")  # another SME of the same community
    assert page.goto(PAGE).status == 404
    page.context.clear_cookies()
    login(page, "usr-student-004")
    assert page.goto(PAGE).status == 403


def is_submit(response) -> bool:
    """The form's own submit, not the tips the form redraws on every change."""
    return (
        response.request.method == "POST"
        and "/tips" not in response.url
        and "/assist" not in response.url
    )


def test_the_challenge_form_takes_a_range_of_students(page: Page, server, login) -> None:
    from service.domain.tables import Challenge

    title = "Een team voor vlasvezelplaten in huurwoningen"
    login(page, "usr-mkb-ligninelab")
    page.goto("/sme/challenges/new")
    page.locator("#title").fill(title)
    page.locator("#description").fill("Een team van studenten test vlasvezelplaten in woningen.")
    page.get_by_label("Aantal studenten", exact=True).fill("2")
    page.get_by_label("Minimaal aantal studenten").fill("3")
    with page.expect_response(is_submit) as answer:
        page.get_by_role("button", name="Opslaan als concept").click()
    assert answer.value.status == 422
    expect(page.locator("#students_min-error")).to_have_text(
        "Het minimum ligt boven het aantal studenten (2)."
    )
    expect(page.locator("#students_min")).to_have_value("3")
    page.get_by_label("Minimaal aantal studenten").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan als concept").click()
    with Session(server.app.state.engine) as session:
        saved = session.exec(select(Challenge).where(Challenge.title == title)).one()
    assert (saved.students_min, saved.students_wanted) == (2, 2)
