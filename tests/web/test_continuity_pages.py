"""Continuity on the pages, in the real browser: the team's student writes the hand-over on the
completed match, the intermediary continues the challenge as a follow-up and lands on the
theme's chain (the dashboard counts the theme as continuing); a student introduced to the
follow-up sees whose work it continues before saying yes; the chain reads in English too."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from service.domain.tables import Challenge, Suggestion, Theme

COMMUNITY = "com-biobased-zuidwest"
INTERMEDIARY = "usr-intermediair-biobased"
STUDENT = "usr-student-006"  # Jens Kramer, the team of 2027
NEXT_STUDENT = "usr-student-004"  # Wei Zhang, asked to continue
CHALLENGE = "ch-002"  # Vochtgedrag van inblaasisolatie meten in een proefwand (2027)
OPEN_PART = "Metingen in de winter herhalen met de nieuwe sensoren."


def _suggestion(challenge_id: str, student_id: str, status: str) -> Suggestion:
    later = status in ("accepted", "active", "completed")
    return Suggestion(
        community_id=COMMUNITY,
        challenge_id=challenge_id,
        target_kind="student",
        target_id=student_id,
        score=2.5,
        dense=0.5,
        lexical=0.5,
        skill=0.5,
        model_version="hashing-trigrams; test",
        status=status,
        sme_response="accepted" if later else "pending",
        target_response="accepted" if later else "pending",
        sme_rating=5 if status == "completed" else None,
    )


def test_continue_a_completed_challenge_and_see_the_chain(server, browser, login, shot) -> None:
    with Session(server.app.state.engine, expire_on_commit=False) as session:
        theme = Theme(
            community_id=COMMUNITY,
            name="Vocht in biobased gevels",
            description="Een onderzoekslijn naar vocht in biobased isolatie.",
        )
        done = _suggestion(CHALLENGE, "stu-006", "completed")
        session.add_all([theme, done])
        session.flush()
        session.get(Challenge, CHALLENGE).theme_id = theme.id
        session.commit()

    # The student of the team writes the hand-over on the completed match.
    student = browser.new_context(base_url=server.url, locale="nl-NL").new_page()
    login(student, STUDENT)
    student.goto(f"/matches/{done.id}")
    form = student.locator("#handover-form")
    form.get_by_label("Wat is gedaan").fill("Een proefwand gebouwd en een half jaar gemeten.")
    form.get_by_label("Wat nog open ligt").fill(OPEN_PART)
    form.get_by_label("Links (één per regel)").fill("https://example.nl/meetdata")
    form.get_by_role("button", name="Overdracht opslaan").click()
    expect(student.get_by_role("status")).to_contain_text("Je overdracht is opgeslagen.")
    expect(student.locator("#continue-form")).to_have_count(0)  # not the student's step
    student.context.close()

    # The intermediary continues it in a later period and lands on the theme's chain.
    intermediary = browser.new_context(base_url=server.url, locale="nl-NL").new_page()
    login(intermediary, INTERMEDIARY)
    intermediary.goto(f"/matches/{done.id}")
    form = intermediary.locator("#continue-form")
    form.get_by_label("Begin van de nieuwe periode").fill("2027-03-01")
    form.get_by_label("Einde van de nieuwe periode").fill("2027-06-30")
    form.get_by_role("button", name="Voortzetten").click()
    expect(intermediary.locator("#period_start-error")).to_contain_text("na het einde")
    form = intermediary.locator("#continue-form")
    form.get_by_label("Begin van de nieuwe periode").fill("2028-02-01")
    form.get_by_label("Einde van de nieuwe periode").fill("2028-06-30")
    with intermediary.expect_navigation():
        form.get_by_role("button", name="Voortzetten").click()
    assert "/themes/" in intermediary.url
    expect(intermediary.get_by_role("heading", level=1)).to_have_text("Vocht in biobased gevels")
    links = intermediary.locator("li.chain-link")
    expect(links).to_have_count(2)
    expect(intermediary.locator("h3.period")).to_have_text(["2027", "2028"])
    first, second = links.nth(0), links.nth(1)
    expect(first).to_contain_text("Jens Kramer")  # names for the intermediary
    expect(first).to_contain_text("afgerond")
    expect(first).to_contain_text(OPEN_PART)
    expect(first).to_contain_text("Beoordeling mkb-bedrijf: 5.0 van 5")
    expect(second).to_contain_text("Vervolg op de uitdaging hierboven.")
    expect(second).to_contain_text("open")
    # The dashboard counts the theme among those that continue (its follow-up is open).
    intermediary.goto(f"/communities/{COMMUNITY}/dashboard")
    row = intermediary.locator("#table-theme_continuity tr", has_text="Vocht in biobased gevels")
    expect(row).to_contain_text("loopt door")
    intermediary.context.close()

    with Session(server.app.state.engine, expire_on_commit=False) as session:
        follow_up = session.exec(select(Challenge).where(Challenge.follows_id == CHALLENGE)).one()
        assert (follow_up.theme_id, follow_up.handover_open) == (theme.id, OPEN_PART)
        follow_up.status = "published"
        asked = _suggestion(follow_up.id, "stu-004", "introduced")
        session.add_all([follow_up, asked])
        session.commit()

    # The next student sees, before saying yes, whose work it continues (and no names).
    nxt = browser.new_context(base_url=server.url, locale="nl-NL").new_page()
    login(nxt, NEXT_STUDENT)
    nxt.goto(f"/matches/{asked.id}")
    expect(nxt.locator(".predecessor")).to_contain_text(
        "Je zet het werk voort van een team uit 2027."
    )
    expect(nxt.locator(".predecessor")).to_contain_text(OPEN_PART)
    expect(nxt.get_by_role("radio", name="Accepteren: ik doe mee")).to_be_visible()
    nxt.goto(f"/themes/{theme.id}")
    expect(nxt.locator("li.chain-link").first).to_contain_text("1 student")
    expect(nxt.locator("body")).not_to_contain_text("Jens Kramer")
    shot(nxt, "theme-chain", "nl")
    nxt.context.close()

    # The chain in English.
    english: Page = browser.new_context(base_url=server.url, locale="en-GB").new_page()
    login(english, INTERMEDIARY, lang="en")
    english.goto(f"/themes/{theme.id}")
    expect(english.get_by_role("heading", name="The chain of challenges")).to_be_visible()
    expect(english.locator("li.chain-link").nth(1)).to_contain_text(
        "Follow-up of the challenge above."
    )
    shot(english, "theme-chain", "en")
    english.context.close()
