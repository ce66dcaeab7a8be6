"""The SME's journey in the real browser: post a challenge (a bad form keeps what was typed and
says what is wrong, in Dutch and in English), correct the skills the engine tagged, publish,
see the ranked research groups with the reasons, ask for an introduction. And the role rules:
an SME cannot open the review queue nor another organisation's challenge."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from service.domain.tables import Challenge, ChallengeStatus, SuggestionEvent

SME = "usr-mkb-ligninelab"  # Elena Vermeulen, Ligninelab, community Biobased Zuidwest
TITLE = "Lignine uit houtreststromen: proefopzet voor een kleine bioraffinage"
DESCRIPTION = (
    "Wij willen lignine winnen uit zaagsel en snoeihout van hoveniers uit de regio. We zoeken "
    "een student die chemische experimenten uitvoert, de opbrengst en de zuiverheid meet, veilig "
    "met chemicaliën werkt en de resultaten vastlegt. De student schrijft technische rapporten "
    "over de proeven en levert aan het eind een proefopzet en een advies op voor een kleine "
    "bioraffinage bij ons bedrijf in Bergen op Zoom. Groene chemie en circulariteit staan "
    "centraal: wat overblijft moet opnieuw gebruikt worden. De begeleiding ligt bij onze "
    "procesingenieur; de student werkt in ons lab en twee dagen per week op afstand."
)


def fill_bad_form(page: Page) -> None:
    page.locator("#title").fill("Li")
    page.locator("#description").fill("Lignine.")
    page.locator("#hours_per_week").fill("0")
    page.get_by_role("button", name=re.compile("Opslaan als concept|Save as draft")).click()


def test_a_bad_form_keeps_what_was_typed_and_says_why_in_dutch_and_english(
    page: Page, login, server
) -> None:
    login(page, SME)
    page.goto("/sme/challenges/new")
    fill_bad_form(page)
    expect(page.locator("#title-error")).to_have_text("Te kort: gebruik minstens 3 tekens.")
    expect(page.locator("#description-error")).to_have_text("Te kort: gebruik minstens 10 tekens.")
    expect(page.locator("#hours_per_week-error")).to_have_text("Vul minstens 1 in.")
    expect(page.locator("#title")).to_have_value("Li")
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#description")).to_have_value("Lignine.")
    expect(page.locator("#hours_per_week")).to_have_value("0")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/sme/challenges/new")
    fill_bad_form(page)
    expect(page.locator("#title-error")).to_have_text("Too short: use at least 3 characters.")
    expect(page.locator("#hours_per_week-error")).to_have_text("Enter at least 1.")
    expect(page.locator("#description")).to_have_value("Lignine.")
    with Session(server.app.state.engine) as session:
        saved = session.exec(select(Challenge).where(Challenge.title == "Li")).all()
    assert saved == []


def test_the_sme_posts_corrects_publishes_and_asks_for_an_introduction(
    page: Page, login, shot, server
) -> None:
    login(page, SME)
    shot(page, "sme-challenges", "nl")
    page.get_by_role("link", name="Nieuwe uitdaging").click()
    page.locator("#title").fill(TITLE)
    page.locator("#description").fill(DESCRIPTION)
    # The engine tags the text as it is typed (htmx, debounced).
    tagged = page.get_by_label("chemische experimenten uitvoeren")
    expect(tagged).to_be_checked()
    expect(page.locator("#warnings")).not_to_contain_text("omschrijving is kort")
    # Correct the tags: untick one, add one through the ESCO autocomplete.
    page.get_by_label("technische rapporten opstellen").uncheck()
    page.locator("#add_skill").fill("laboratoriumapparatuur gebr")
    expect(page.locator("#skill-options option").first).to_have_attribute(
        "value", re.compile("laboratoriumapparatuur", re.I)
    )
    page.locator("#add_skill").fill("laboratoriumapparatuur gebruiken")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_label(re.compile("laboratoriumapparatuur gebruiken"))).to_be_checked()
    expect(page.locator("#add_skill")).to_have_value("")
    page.locator("#level").select_option("hbo")
    page.locator("#period_start").fill("2027-02-15")
    page.locator("#period_end").fill("2027-06-11")
    # A place the gazetteer does not know comes back on the field, with the name to try.
    page.locator("#place").fill("Bergn op Zoom")
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.locator("#place-error")).to_contain_text("bedoelt u Bergen op Zoom")
    expect(page.get_by_label(re.compile("laboratoriumapparatuur gebruiken"))).to_be_checked()
    page.locator("#place").fill("Bergen op Zoom")
    shot(page, "sme-challenge-form", "nl")
    page.get_by_role("button", name="Opslaan als concept").click()

    expect(page).to_have_url(re.compile(r"/sme/challenges/[\w-]+$"))
    challenge_id = page.url.rsplit("/", 1)[1]
    with Session(server.app.state.engine) as session:
        stored = session.get(Challenge, challenge_id)
        labels = {skill["label"] for skill in stored.wanted_skills}
    assert "laboratoriumapparatuur gebruiken" in labels
    assert "chemische experimenten uitvoeren" in labels
    assert "technische rapporten opstellen" not in labels
    assert stored.status == ChallengeStatus.draft

    page.get_by_role("button", name="Publiceren").click()
    expect(page.locator(".badge.status-published")).to_have_text("gepubliceerd")
    groups = page.locator("section[aria-labelledby=groups-title] li.match")
    expect(groups.first).to_be_visible()
    first = groups.first
    expect(first.get_by_role("heading", name="Waarom deze match")).to_be_visible()
    expect(first.locator(".tags .tag").first).to_be_visible()
    expect(first.locator(".note").first).to_contain_text("Capaciteit")
    # How many projects the group can still take on: its capacity less its matches under way.
    expect(first.locator(".note").nth(1)).to_contain_text(
        re.compile(r"\d+ van \d+ projecten tegelijk vrij")
    )
    # Students appear only after the intermediary approved them (community "approval").
    expect(page.get_by_text("Nog geen goedgekeurde studenten.")).to_be_visible()

    group_name = first.locator("h3").inner_text()
    first.get_by_role("button", name="Vraag de intermediair om een introductie").click()
    asked = page.locator("li.match", has_text=group_name)
    expect(asked.locator(".badge.flag")).to_have_text("Introductie gevraagd")
    expect(asked.get_by_text("U hebt om een introductie gevraagd", exact=False)).to_be_visible()
    expect(asked.get_by_role("button", name=re.compile("introductie"))).to_have_count(0)
    with Session(server.app.state.engine) as session:
        events = session.exec(
            select(SuggestionEvent.action).where(SuggestionEvent.actor_id == SME)
        ).all()
    assert events == ["request_introduction:sme"]
    shot(page, "sme-challenge", "nl")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Research groups that fit")).to_be_visible()
    expect(asked.locator(".badge.flag")).to_have_text("Introduction requested")
    shot(page, "sme-challenge", "en")
    page.get_by_role("link", name="My challenges", exact=True).click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    shot(page, "sme-challenges", "en")
    page.get_by_role("link", name="New challenge").click()
    page.locator("#title").fill("Drying hemp fibres with waste heat")
    page.locator("#description").fill("We want to dry hemp with the waste heat of our kiln.")
    expect(page.locator("#warnings")).to_contain_text("The description is short (12 words)")
    shot(page, "sme-challenge-form", "en")


def tip_texts(page: Page) -> list[str]:
    return page.locator("#warnings li.warning").all_inner_texts()


def test_the_tips_follow_the_form_and_the_autocomplete_speaks_the_page_language(
    page: Page, login, server
) -> None:
    """Issue 18: the tips went stale (still "Kies een niveau" once a level was chosen) and the
    Dutch form offered "storing milk samples" for "storing"."""
    login(page, SME)
    page.goto("/sme/challenges/new")
    warnings = page.locator("#warnings")
    expect(warnings).to_contain_text("Kies een niveau")
    expect(warnings).to_contain_text("Geef een periode op")
    expect(warnings).to_contain_text("Geef een plaats op")
    # A few letters typed in the add field: the autocomplete offers Dutch labels only.
    page.locator("#add_skill").press_sequentially("storing", delay=30)
    options = page.locator("#skill-options option")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("value", "storingen aan apparatuur oplossen")
    expect(page.locator("#skill-options option[value='storing milk samples']")).to_have_count(0)

    # Each field filled in takes its tip away, without a reload.
    page.locator("#level").select_option("hbo")
    expect(warnings).not_to_contain_text("Kies een niveau")
    page.locator("#period_start").fill("2027-02-15")
    page.locator("#period_end").fill("2027-06-11")
    expect(warnings).not_to_contain_text("Geef een periode op")
    page.locator("#place").fill("Bergen op Zoom")
    expect(warnings).not_to_contain_text("Geef een plaats op")
    page.locator("#description").fill("Lignine uit zaagsel.")
    expect(warnings).to_contain_text("De omschrijving is kort (3 woorden)")
    # The letters left in the add field were not added as a skill by those changes.
    expect(page.locator("#skills-panel")).not_to_contain_text("storing")
    # A skill added, then unticked: the skills tip goes and comes back.
    expect(warnings).to_contain_text("nog geen vaardigheden gekozen")
    page.locator("#add_skill").fill("laboratoriumapparatuur gebruiken")
    page.get_by_role("button", name="Toevoegen").click()
    added = page.get_by_label(re.compile("laboratoriumapparatuur gebruiken"))
    expect(added).to_be_checked()
    expect(warnings).not_to_contain_text("nog geen vaardigheden gekozen")
    added.uncheck()
    expect(warnings).to_contain_text("nog geen vaardigheden gekozen")
    expect(added).not_to_be_checked()
    # Back to "any level": the tip is back.
    page.locator("#level").select_option("any")
    expect(warnings).to_contain_text("Kies een niveau")
    page.locator("#level").select_option("wo")
    expect(warnings).not_to_contain_text("Kies een niveau")

    # A failed submit renders the same tips on the server.
    page.wait_for_function("!document.querySelector('.htmx-request')")
    redrawn = tip_texts(page)
    page.locator("#students_wanted").fill("0")
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.locator("#students_wanted-error")).to_be_visible()
    assert tip_texts(page) == redrawn

    # In English: English tips that follow the form, English labels.
    login(page, SME, lang="en")
    page.goto("/sme/challenges/new")
    expect(warnings).to_contain_text("Choose a level")
    page.locator("#level").select_option("mbo")
    expect(warnings).not_to_contain_text("Choose a level")
    expect(warnings).to_contain_text("Give a period")
    page.locator("#add_skill").press_sequentially("storing", delay=30)
    expect(options.first).to_have_attribute("value", "storing milk samples")


def test_an_sme_cannot_open_the_review_queue_nor_another_organisations_challenge(
    page: Page, login, server
) -> None:
    with Session(server.app.state.engine) as session:
        others = session.exec(
            select(Challenge.id).where(
                Challenge.community_id == "com-biobased-zuidwest",
                Challenge.organisation_id != "org-ligninelab",
                Challenge.status == ChallengeStatus.published,
            )
        ).first()
    assert others is not None
    login(page, SME)
    response = page.goto("/review")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    response = page.goto(f"/sme/challenges/{others}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")


def test_the_challenge_form_fits_a_phone(page: Page, login) -> None:
    login(page, SME)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/sme/challenges/new")
    expect(page.locator("#title")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_skills_can_be_corrected_with_the_keyboard_alone(page: Page, login) -> None:
    login(page, SME)
    page.goto("/sme/challenges/new")
    page.locator("#title").focus()
    page.keyboard.type("Proeven met lignine")
    page.keyboard.press("Tab")
    page.keyboard.type("We zoeken een student die chemische experimenten uitvoert in ons lab.")
    tagged = page.get_by_label("chemische experimenten uitvoeren")
    expect(tagged).to_be_checked()
    tagged.focus()
    page.keyboard.press("Space")
    expect(tagged).not_to_be_checked()
    # Enter in the add field adds the skill (the form's first button is "add").
    page.locator("#add_skill").focus()
    page.keyboard.type("laboratoriumapparatuur gebruiken")
    page.keyboard.press("Enter")
    expect(page.get_by_label(re.compile("laboratoriumapparatuur gebruiken"))).to_be_checked()
    expect(page.get_by_label("chemische experimenten uitvoeren")).not_to_be_checked()
    expect(page.locator("#title")).to_have_value("Proeven met lignine")


def _stored_challenge(server, status: ChallengeStatus, organisation: str = "org-ligninelab"):
    """A challenge of the organisation in community Biobased Zuidwest, written straight in."""
    challenge = Challenge(
        community_id="com-biobased-zuidwest",
        organisation_id=organisation,
        status=status,
        title="Hennepvezels drogen met restwarmte",
        description="Wij willen hennepvezels drogen met de restwarmte van onze droogoven.",
        wanted_skills=[{"label": "laboratoriumapparatuur gebruiken", "esco_uri": None}],
        themes=["biobased bouwen"],
        hours_per_week=16,
        weeks=10,
    )
    server.app.state.matching.embed("challenge", [challenge])
    with Session(server.app.state.engine) as session:
        session.add(challenge)
        session.commit()
        return challenge.id


def test_the_sme_edits_a_draft_and_a_bad_edit_keeps_what_was_typed(
    page: Page, login, server
) -> None:
    draft = _stored_challenge(server, ChallengeStatus.draft)
    login(page, SME)
    page.goto(f"/sme/challenges/{draft}")
    page.get_by_role("link", name="Bewerken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitdaging bewerken")
    expect(page.locator("#title")).to_have_value("Hennepvezels drogen met restwarmte")
    expect(page.locator("#hours_per_week")).to_have_value("16")
    expect(page.locator("#themes")).to_have_value("biobased bouwen")
    skill = page.get_by_label(re.compile("laboratoriumapparatuur gebruiken"))
    expect(skill).to_be_checked()

    # A bad edit: the form comes back as typed, with the messages, and nothing is saved.
    new_description = "We drogen vezels van hennep en meten het vocht voor en na het drogen."
    page.locator("#title").fill("He")
    page.locator("#description").fill(new_description)
    page.locator("#weeks").fill("0")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator("#title-error")).to_have_text("Te kort: gebruik minstens 3 tekens.")
    expect(page.locator("#weeks-error")).to_have_text("Vul minstens 1 in.")
    expect(page.locator("#title")).to_have_value("He")
    expect(page.locator("#description")).to_have_value(new_description)
    expect(page.locator("#weeks")).to_have_value("0")
    expect(page.get_by_label(re.compile("laboratoriumapparatuur gebruiken"))).to_be_checked()
    with Session(server.app.state.engine) as session:
        assert session.get(Challenge, draft).title == "Hennepvezels drogen met restwarmte"

    # Corrected, with one skill unticked: saved as the API's PATCH would, still a draft.
    page.get_by_label(re.compile("laboratoriumapparatuur gebruiken")).uncheck()
    page.locator("#title").fill("Hennepvezels drogen met de restwarmte van een oven")
    page.locator("#weeks").fill("12")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page).to_have_url(re.compile(rf"/sme/challenges/{draft}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hennepvezels drogen met de restwarmte van een oven"
    )
    with Session(server.app.state.engine) as session:
        stored = session.get(Challenge, draft)
        assert (stored.description, stored.weeks, stored.hours_per_week) == (
            new_description,
            12,
            16,
        )
        assert "laboratoriumapparatuur gebruiken" not in {s["label"] for s in stored.wanted_skills}
        assert stored.status == ChallengeStatus.draft

    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit challenge")
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()


def test_only_an_own_draft_can_be_edited_on_the_page(page: Page, login, server) -> None:
    published = _stored_challenge(server, ChallengeStatus.published)
    others = _stored_challenge(server, ChallengeStatus.draft, organisation="org-vlasvezel-isolatie")
    login(page, SME)
    response = page.goto(f"/sme/challenges/{published}/edit")
    assert response is not None and response.status == 409
    expect(page.get_by_role("heading", level=1)).to_have_text("Kan niet")
    response = page.goto(f"/sme/challenges/{others}/edit")
    assert response is not None and response.status == 404
