"""The professional's pages in the real browser: their suggestions (challenges of other
organisations of their community, best first, with why), their profile (edit what they want
to learn, a wrong number comes back at its field), in Dutch and English, on a phone."""

from __future__ import annotations

from conftest import DEMO_PASSWORD
from playwright.sync_api import expect
from sqlmodel import Session, select

from service.domain.tables import (
    Challenge,
    Membership,
    Organisation,
    Professional,
    User,
)
from service.usecases.security import hash_password

COMMUNITY = "com-biobased-zuidwest"
EMAIL = "petra.planner@example.nl"
PHONE = {"width": 375, "height": 740}


def _professional(server) -> tuple[str, list[str]]:
    """A leidinggevende of an SME of the community that has published challenges of its own;
    they want to learn what another organisation's challenge is about. That challenge's title,
    and the titles of their own organisation's challenges."""
    with Session(server.app.state.engine, expire_on_commit=False) as session:
        published = session.exec(
            select(Challenge)
            .where(Challenge.community_id == COMMUNITY, Challenge.status == "published")
            .order_by(Challenge.id)
        ).all()
        smes = {
            o.id for o in session.exec(select(Organisation).where(Organisation.kind == "sme")).all()
        }
        employer = next(c.organisation_id for c in published if c.organisation_id in smes)
        own = [c.title for c in published if c.organisation_id == employer]
        wanted = next(c for c in published if c.organisation_id != employer)
        user = User(
            email=EMAIL,
            full_name="Petra Planner",
            role="professional",
            organisation_id=employer,
            hashed_password=hash_password(DEMO_PASSWORD),
        )
        session.add(user)
        session.flush()
        professional = Professional(
            full_name="Petra Planner",
            job_role="leidinggevende",
            organisation_id=employer,
            user_id=user.id,
            skills=list(wanted.wanted_skills[:1]),
            learning_wishes=f"{wanted.title}. {wanted.description}",
        )
        session.add(professional)
        session.add(Membership(community_id=COMMUNITY, member_id=user.id, kind="user"))
        session.add(
            Membership(community_id=COMMUNITY, member_id=professional.id, kind="professional")
        )
        session.commit()
        return wanted.title, own


def test_a_professional_sees_where_to_learn_and_keeps_their_profile(server, browser, login) -> None:
    wanted, own = _professional(server)
    page = browser.new_context(base_url=server.url, viewport=PHONE, locale="nl-NL").new_page()
    login(page, EMAIL)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waar je kunt leren")
    first = page.locator("li.match").first
    expect(first.get_by_role("heading", level=2)).to_contain_text(wanted)
    expect(first).to_contain_text("Waarom deze uitdaging")
    listed = page.locator("li.match h2").all_inner_texts()
    assert own and not any(title in text for title in own for text in listed)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto("/professional/profile")
    expect(page.locator("#job-role")).to_have_text("Leidinggevende")
    page.get_by_label("Uren per week om te leren").fill("0")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Uren per week om te leren")
    page.get_by_label("Wat wil je leren?").fill("Leren werken met biobased isolatie.")
    page.get_by_label("Uren per week om te leren").fill("6")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Je profiel is opgeslagen.")
    expect(page.get_by_label("Wat wil je leren?")).to_have_value(
        "Leren werken met biobased isolatie."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()

    english = browser.new_context(base_url=server.url, viewport=PHONE).new_page()
    login(english, EMAIL, lang="en")
    english.goto("/professional/suggestions")
    expect(english.get_by_role("heading", level=1)).to_have_text("Where you can learn")
    english.goto("/professional/profile")
    expect(english.locator("#job-role")).to_have_text("Manager")
    expect(english.get_by_label("What do you want to learn?")).to_be_visible()
    # A professional's account reaches no student's or intermediary's page.
    assert english.goto("/student/assignments").status == 403
    assert english.goto("/review").status == 403
    english.context.close()
