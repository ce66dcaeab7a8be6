"""The student's journey in a real browser: the profile, ranked assignments with reasons and
tips, expressing interest; and the role rules (no other student's page, no intermediary page).

Demo students: Wei Zhang (stu-004, mbo, Biobased Zuidwest) and Jens Kramer (stu-006, hbo, the
same community). Each test module has its own server, so these edits stay here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from service.domain.tables import (
    Challenge,
    Membership,
    Organisation,
    Role,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    User,
)
from service.usecases.security import hash_password

WEI = "usr-student-004"
JENS = "usr-student-006"
TEXT = {
    "nl": {
        "save": "Opslaan",
        "programme": "Opleiding",
        "hours": "Uren per week",
        "interests": "Interesses",
        "until": "Beschikbaar tot en met",
        "from": "Beschikbaar vanaf",
        "too_short": "Te kort: gebruik minstens 2 tekens.",
        "at_most_60": "Vul hoogstens 60 in.",
        "end_before_start": "De einddatum ligt voor de begindatum.",
        "saved": "Je profiel is opgeslagen.",
        "why": "Waarom deze match",
        "interest": "Ik heb interesse",
        "interest_done": "Je interesse is doorgegeven.",
        "available_from": "Je bent beschikbaar vanaf 3 januari 2028",
        "add": "Toevoegen",
        "new_skill": "Vaardigheid toevoegen",
    },
    "en": {
        "save": "Save",
        "programme": "Programme",
        "hours": "Hours a week",
        "interests": "Interests",
        "until": "Available until",
        "from": "Available from",
        "too_short": "Too short: use at least 2 characters.",
        "at_most_60": "Enter at most 60.",
        "end_before_start": "The end date lies before the start date.",
        "saved": "Your profile has been saved.",
        "why": "Why this match",
        "interest": "I am interested",
        "interest_done": "Your interest has been passed on.",
        "available_from": "You are available from January 3, 2028",
        "add": "Add",
        "new_skill": "Add a skill",
    },
}


def profile_row(server, student_id: str) -> StudentProfile:
    with Session(server.app.state.engine) as session:
        return session.get(StudentProfile, student_id)


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# -- the profile ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_bad_profile_is_refused_in_the_users_language_and_keeps_what_was_typed(
    page: Page, login, shot, server, lang: str
) -> None:
    t = TEXT[lang]
    before = profile_row(server, "stu-004")
    login(page, WEI, lang=lang)
    page.goto("/student/profile")
    shot(page, "student-profile", lang)
    page.get_by_label(t["programme"]).fill("X")
    page.get_by_label(t["hours"]).fill("99")
    page.get_by_label(t["interests"]).fill("zonnepanelen, robotica")
    page.get_by_label(t["from"]).fill("2027-06-01")
    page.get_by_label(t["until"]).fill("2027-03-01")
    page.get_by_role("button", name=t["save"], exact=True).click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#programme-error")).to_have_text(t["too_short"])
    expect(page.locator("#hours_per_week-error")).to_have_text(t["at_most_60"])
    # Every value as typed, and the fields marked for assistive technology.
    expect(page.get_by_label(t["programme"])).to_have_value("X")
    expect(page.get_by_label(t["programme"])).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(t["hours"])).to_have_value("99")
    expect(page.get_by_label(t["interests"])).to_have_value("zonnepanelen, robotica")
    expect(page.get_by_label(t["until"])).to_have_value("2027-03-01")
    shot(page, "student-profile-errors", lang)
    # Nothing was stored.
    after = profile_row(server, "stu-004")
    assert (after.programme, after.hours_per_week) == (before.programme, before.hours_per_week)

    # With the numbers right, the period's order is the one thing left to fix.
    page.get_by_label(t["programme"]).fill("Logistiek Teamleider (mbo 4)")
    page.get_by_label(t["hours"]).fill("24")
    page.get_by_role("button", name=t["save"], exact=True).click()
    expect(page.locator("#available_until-error")).to_have_text(t["end_before_start"])
    assert profile_row(server, "stu-004").hours_per_week == before.hours_per_week


def test_a_corrected_profile_is_saved(page: Page, login, server) -> None:
    login(page, WEI)
    page.goto("/student/profile")
    page.get_by_label("Uren per week").fill("24")
    page.get_by_label("Interesses").fill("logistiek, haven, waterstof")
    page.get_by_label("Duits").check()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Je profiel is opgeslagen.")
    expect(page.get_by_label("Uren per week")).to_have_value("24")
    stored = profile_row(server, "stu-004")
    assert stored.hours_per_week == 24
    assert stored.interests == ["logistiek", "haven", "waterstof"]
    assert "de" in stored.languages


def test_an_unknown_home_town_is_refused_with_the_names_to_try(page: Page, login, server) -> None:
    before = profile_row(server, "stu-004").region
    login(page, WEI)
    page.goto("/student/profile")
    page.get_by_label("Woonplaats", exact=True).fill("Middelbrug")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("#region-error")).to_contain_text("bedoelt u Middelburg")
    expect(page.get_by_label("Woonplaats", exact=True)).to_have_value("Middelbrug")
    assert profile_row(server, "stu-004").region == before
    page.get_by_label("Woonplaats", exact=True).fill("middelburg")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Je profiel is opgeslagen.")
    assert profile_row(server, "stu-004").region == "Middelburg"


def test_a_skill_is_added_with_the_esco_autocomplete(page: Page, login, server) -> None:
    login(page, WEI)
    page.goto("/student/profile")
    page.get_by_label("Vaardigheid toevoegen").press_sequentially("lasse", delay=30)
    # htmx fills the datalist with ESCO labels in the page's language.
    expect(page.locator("#skill-options option").first).to_have_attribute("value", "lassen")
    page.get_by_label("Vaardigheid toevoegen").fill("lassen")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_label("lassen", exact=True)).to_be_checked()
    assert "lassen" not in [s["label"] for s in profile_row(server, "stu-004").skills]
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_be_visible()
    skills = {s["label"]: s.get("esco_uri") for s in profile_row(server, "stu-004").skills}
    assert skills["lassen"].startswith("http://data.europa.eu/esco/skill/")


def test_the_profile_form_is_usable_on_a_phone_and_every_field_has_a_label(
    page: Page, login
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, WEI)
    page.goto("/student/profile")
    assert no_horizontal_scroll(page)
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(e => e.offsetParent !== null && e.labels.length === 0).map(e => e.name)"""
    )
    assert unlabelled == []
    # The first key press reaches the skip link, which leads to the main content.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Naar de inhoud")


# -- ranked assignments ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_assignments_are_ranked_with_the_reasons(page: Page, login, shot, lang: str) -> None:
    login(page, WEI, lang=lang)
    page.goto("/student/assignments")
    cards = page.locator("li.match")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 3
    scores = [float(s.get_attribute("data-score")) for s in cards.locator(".score").all()]
    assert scores == sorted(scores, reverse=True)
    strengths = {"nl": r"^(Sterke|Goede|Mogelijke) match", "en": r"^(Strong|Good|Possible) match"}
    expect(cards.first.locator(".score")).to_have_text(re.compile(strengths[lang]))
    first = cards.first
    expect(first.get_by_role("heading", name=TEXT[lang]["why"])).to_be_visible()
    reasons = first.locator(".shared-skills .tag, .matching-terms .tag")
    assert reasons.count() >= 1
    # The constraint notes say which fit and which do not.
    assert first.locator(".notes li").count() >= 4
    # The place note gives the distance from home (an assignment on site or hybrid).
    distance = re.compile(r"\d+[.,]\d km (van|from) ")
    expect(page.locator(".notes li", has_text=distance).first).to_be_visible()
    page.set_viewport_size({"width": 1200, "height": 1500})  # the first cards, not all ten
    shot(page, "student-assignments", lang, full_page=False)
    if lang == "en":
        expect(page.get_by_text("Waarom deze match")).to_have_count(0)
    # The first assignment on a page of its own, in the same language.
    whole = {"nl": "De hele opdracht, met plaats en periode", "en": "The whole assignment"}
    with page.expect_navigation():
        first.get_by_role("link", name=re.compile(whole[lang])).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, "student-assignment", lang)


def test_a_skill_the_assignment_wants_is_offered_and_added_from_the_tip(
    page: Page, login, server
) -> None:
    login(page, WEI)
    page.goto("/student/assignments")
    tip = page.locator("ul.raise button").first
    expect(tip).to_have_text(re.compile(r"^Voeg vaardigheid .+ toe$"))
    skill = re.match(r"Voeg vaardigheid (.+) toe", tip.inner_text()).group(1)
    assert skill not in [s["label"] for s in profile_row(server, "stu-004").skills]
    tip.click()
    expect(page).to_have_url(re.compile(r"/student/assignments$"))
    assert skill in [s["label"] for s in profile_row(server, "stu-004").skills]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_availability_outside_every_period_is_named_as_what_to_change(
    page: Page, login, lang: str
) -> None:
    t = TEXT[lang]
    login(page, JENS, lang=lang)
    page.goto("/student/profile")
    page.get_by_label(t["from"]).fill("2028-01-03")
    page.get_by_label(t["until"]).fill("2028-06-30")
    page.get_by_role("button", name=t["save"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(t["saved"])
    page.goto("/student/assignments")
    expect(page.locator("li.match").first).to_be_visible()
    expect(page.locator(".availability-tip").first).to_contain_text(t["available_from"])


def test_expressing_interest_is_recorded_for_the_intermediary(
    page: Page, login, server, browser
) -> None:
    login(page, WEI)
    page.goto("/student/assignments")
    card = page.locator("li.match").first
    suggestion_id = card.get_attribute("id").removeprefix("sug-")
    title = card.get_by_role("heading", level=2).inner_text().split(". ", 1)[1]
    card.get_by_role("button", name="Ik heb interesse").click()
    expect(card.get_by_role("status")).to_contain_text("Je interesse is doorgegeven.")
    with Session(server.app.state.engine) as session:
        events = session.exec(
            select(SuggestionEvent).where(SuggestionEvent.suggestion_id == suggestion_id)
        ).all()
    assert [(e.action, e.actor_id) for e in events] == [("express_interest:target", WEI)]
    # After a reload the page still knows; there is no second button to press.
    page.reload()
    card = page.locator(f"#sug-{suggestion_id}")
    expect(card.get_by_role("status")).to_be_visible()
    expect(card.get_by_role("button", name="Ik heb interesse")).to_have_count(0)

    # The community's intermediary finds it among the matches with a wish in the review queue.
    context = browser.new_context(base_url=server.url, locale="nl-NL")
    reviewer = context.new_page()
    login(reviewer, "usr-intermediair-biobased")
    reviewer.goto("/review?wishes=1&stage=")
    match = reviewer.locator("main li").filter(has_text=title).filter(has_text="Wei Zhang")
    expect(match.first).to_contain_text("Interesse getoond")
    context.close()


def test_each_assignment_opens_on_a_page_of_its_own_with_the_whole_text(
    page: Page, login, server
) -> None:
    """The list cuts descriptions short; each card links to the assignment's own page, with
    the whole text, the SME, the place and the period."""
    login(page, WEI)
    page.goto("/student/assignments")
    card = page.locator("li.match").first
    suggestion_id = card.get_attribute("id").removeprefix("sug-")
    with page.expect_navigation():
        card.get_by_role("link", name="De hele opdracht, met plaats en periode").click()
    expect(page).to_have_url(f"{server.url}/student/assignments/{suggestion_id}")
    with Session(server.app.state.engine) as session:
        challenge = session.get(Challenge, session.get(Suggestion, suggestion_id).challenge_id)
        organisation = session.get(Organisation, challenge.organisation_id)
    body = page.locator("main")
    expect(body).to_contain_text(challenge.description)
    expect(body).to_contain_text(organisation.name)
    if challenge.place:
        expect(body).to_contain_text(challenge.place)
    expect(page.get_by_role("heading", level=1)).to_have_text(challenge.title)

    # Another student's assignment is a "not found", as one that does not exist.
    with Session(server.app.state.engine) as session:
        wei = session.get(Suggestion, suggestion_id).target_id
        other = session.exec(
            select(Suggestion).where(
                Suggestion.target_kind == "student", Suggestion.target_id != wei
            )
        ).first()
    assert page.goto(f"/student/assignments/{other.id}").status == 404
    assert page.goto("/student/assignments/sug-nergens").status == 404


def test_the_assignments_page_fits_a_phone(page: Page, login) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, WEI)
    page.goto("/student/assignments")
    expect(page.locator("li.match").first).to_be_visible()
    assert no_horizontal_scroll(page)


# -- role rules ------------------------------------------------------------------------------


def test_a_student_cannot_open_another_students_page(page: Page, login) -> None:
    login(page, WEI)
    response = page.goto("/students/stu-006")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
    assert "Jens" not in page.content()
    own = page.goto("/students/stu-004")
    assert own.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Wei Zhang")


def test_an_unknown_student_and_a_forbidden_one_look_the_same(page: Page, login) -> None:
    login(page, WEI)
    forbidden = page.goto("/students/stu-006")
    forbidden_text = page.locator("main").inner_text()
    missing = page.goto("/students/stu-does-not-exist")
    assert forbidden.status == missing.status == 404
    assert page.locator("main").inner_text() == forbidden_text


@pytest.mark.parametrize("path", ["/review", "/communities/com-biobased-zuidwest/dashboard"])
def test_a_student_cannot_open_an_intermediary_page(page: Page, login, path: str) -> None:
    login(page, WEI)
    response = page.goto(path)
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    assert "Sanne Verhulst" not in page.content()  # the community's intermediary


def test_the_intermediary_of_the_community_opens_the_student_page(page: Page, login) -> None:
    login(page, "usr-intermediair-biobased")
    response = page.goto("/students/stu-004")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Wei Zhang")


def test_an_intermediary_of_another_community_does_not(page: Page, login) -> None:
    login(page, "usr-intermediair-talentcampus")
    response = page.goto("/students/stu-004")
    assert response.status == 404
    assert "Wei Zhang" not in page.content()


def test_another_students_suggestion_cannot_be_marked_by_a_student(
    browser, server, login, page: Page
) -> None:
    """Jens's ranked assignments exist; Wei posts interest in one of them (with a valid form
    token of her own): refused as not found, and nothing is recorded."""
    other = browser.new_context(base_url=server.url, locale="nl-NL")
    jens = other.new_page()
    login(jens, JENS)
    jens.goto("/student/assignments")
    target = jens.locator("li.match").first.get_attribute("id").removeprefix("sug-")
    other.close()

    login(page, WEI)
    page.goto("/student/assignments")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        f"{server.url}/student/assignments/{target}/interest",
        form={"csrf_token": token},
        max_redirects=0,
    )
    assert response.status == 404
    with Session(server.app.state.engine) as session:
        recorded = session.exec(
            select(SuggestionEvent).where(SuggestionEvent.suggestion_id == target)
        ).all()
    assert recorded == []


def test_an_sme_cannot_open_the_student_pages(page: Page, login) -> None:
    login(page, "usr-mkb-vlasvezel")
    assert page.goto("/student/profile").status == 403
    assert page.goto("/students/stu-004").status == 404


# -- accessibility -------------------------------------------------------------------------


def test_the_student_pages_keep_a_contrast_of_at_least_4_5(page: Page, login, low_contrast):
    login(page, WEI)
    page.goto("/student/assignments")
    expect(page.locator("li.match").first).to_be_visible()
    assert low_contrast(page) == []
    page.goto("/student/profile")
    page.get_by_label("Opleiding").fill("X")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert low_contrast(page) == []


def test_the_profile_can_be_saved_with_the_keyboard_alone(page: Page, login, server) -> None:
    login(page, WEI)
    page.goto("/student/profile")
    page.get_by_label("Reisafstand (km)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("35")
    page.keyboard.press("Enter")  # the form's default button saves
    expect(page.get_by_role("status")).to_have_text("Je profiel is opgeslagen.")
    assert profile_row(server, "stu-004").travel_km == 35
    # The focus is visible: an outline drawn around the focused field.
    page.get_by_label("Reisafstand (km)").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


# -- a student without a profile ---------------------------------------------------------------


def add_student_login(server, email: str, community_ids: list[str]) -> None:
    """A student's account without a profile (as an intermediary's import would leave it)."""
    with Session(server.app.state.engine) as session:
        user = User(
            email=email,
            full_name="Noor Bakker",
            role=Role.student,
            hashed_password=hash_password("demo-wachtwoord"),
        )
        session.add(user)
        session.flush()
        for community_id in community_ids:
            session.add(Membership(community_id=community_id, member_id=user.id, kind="user"))
        session.commit()


def test_a_student_without_a_profile_makes_one_and_gets_assignments(
    page: Page, login, server
) -> None:
    add_student_login(server, "noor.bakker@example.com", ["com-biobased-zuidwest"])
    login(page, "noor.bakker@example.com")
    expect(page).to_have_url(re.compile(r"/student/profile$"))
    expect(page.get_by_role("status")).to_contain_text("Je hebt nog geen profiel.")
    expect(page.get_by_role("textbox", name="Naam", exact=True)).to_have_value("Noor Bakker")
    page.get_by_role("button", name="Opslaan", exact=True).click()  # programme and level empty
    expect(page.locator("#programme-error")).to_have_text("Te kort: gebruik minstens 2 tekens.")
    expect(page.locator("#level-error")).to_have_text("Kies een van de mogelijkheden.")

    page.get_by_label("Opleiding").fill("Biobased Engineering")
    page.get_by_label("Niveau").select_option("hbo")
    page.get_by_label("Interesses").fill("biobased bouwen, isolatie, vlas")
    page.get_by_label("Ik geef toestemming").check()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Je profiel is opgeslagen.")
    with Session(server.app.state.engine) as session:
        user = session.exec(select(User).where(User.email == "noor.bakker@example.com")).one()
        profile = session.exec(select(StudentProfile).where(StudentProfile.user_id == user.id))
        profile = profile.one()
        communities = session.exec(
            select(Membership.community_id).where(Membership.member_id == profile.id)
        ).all()
    assert (profile.programme, profile.level, profile.consent_matching) == (
        "Biobased Engineering",
        "hbo",
        True,
    )
    assert communities == ["com-biobased-zuidwest"]
    page.goto("/student/assignments")
    expect(page.locator("li.match").first).to_be_visible()


def test_a_student_in_no_community_is_told_to_ask_the_intermediary(
    page: Page, login, server
) -> None:
    add_student_login(server, "sem.dijkstra@example.com", [])
    login(page, "sem.dijkstra@example.com")
    page.get_by_label("Opleiding").fill("Bouwkunde")
    page.get_by_label("Niveau").select_option("mbo")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Vraag je intermediair")
    expect(page.get_by_label("Opleiding")).to_have_value("Bouwkunde")
