"""Meetings on the pages, in the real browser with a real SMTP server (aiosmtpd): the
intermediary plans a meeting on a theme, invites a student from the suggestions (with their
reason), the mail arrives with an .ics that icalendar reads back at the right start; the
student answers on a phone-sized screen, and the intermediary records the attendance. The
page reads in English too."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from conftest import VIEWPORT, Server, free_port, running
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from matcher.encoders import HashingEncoder
from matcher.paths import data_dir
from service.app import create_app
from service.domain.meeting_tables import Invitation, Meeting
from service.domain.tables import Membership, Professional, Theme
from service.settings import Settings

COMMUNITY = "com-biobased-zuidwest"
INTERMEDIARY = "usr-intermediair-biobased"
RECEIVED: list[bytes] = []


class Inbox:
    async def handle_DATA(self, server, session, envelope) -> str:
        RECEIVED.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app with the demo data, sending its mail to an aiosmtpd server of this module."""
    smtp_port = free_port()
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    home = tmp_path_factory.mktemp("lcmatch-meetings")
    port = free_port()
    settings = Settings(
        home=home,
        environment="development",
        demo_data=True,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        public_url=f"http://127.0.0.1:{port}/",
    )
    app = create_app(settings, encoder=HashingEncoder())
    try:
        with running(app, port):
            yield Server(url=f"http://127.0.0.1:{port}", settings=settings, app=app)
    finally:
        smtp.stop()
        shutil.rmtree(home, ignore_errors=True)


def _student_logins() -> dict[str, str]:
    users = json.loads((data_dir() / "demo" / "users.json").read_text(encoding="utf-8"))
    return {u["student_id"]: u["id"] for u in users if u.get("student_id")}


def _mail_to(address: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in RECEIVED:
            message = message_from_bytes(raw, policy=policy.default)
            if message["To"] == address:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} arrived")


def test_plan_invite_from_the_suggestions_answer_and_attend(
    server: Server, page: Page, browser, login
) -> None:
    with Session(server.app.state.engine, expire_on_commit=False) as session:
        theme = Theme(
            community_id=COMMUNITY,
            name="Logistiek en overslag in de Zeeuwse havens",
            description="Multimodale vervoerslogistiek en havenactiviteiten: de overslag in "
            "de haven en efficiëntieplannen voor logistieke operaties van biobased grondstoffen.",
        )
        session.add(theme)
        session.commit()

    # The intermediary plans the meeting (a mistake first: the form keeps what was typed).
    login(page, INTERMEDIARY)
    page.goto("/meetings")
    form = page.locator("#plan-form")
    form.get_by_label("Thema").select_option(theme.id)
    form.locator("#title").fill("Kennissessie logistiek in de haven")
    form.get_by_label("Begint op").fill("2027-03-10T15:00")
    form.get_by_label("Eindigt op").fill("2027-03-10T17:30")
    form.locator("#place").fill("Nergenshuizen aan Zee")
    form.get_by_label("Aantal plaatsen").fill("2")
    form.get_by_role("button", name="Plannen").click()
    expect(page.locator("#place-error")).to_be_visible()
    expect(page.locator("#title")).to_have_value("Kennissessie logistiek in de haven")
    page.locator("#place").fill("Goes")
    with page.expect_navigation():
        page.locator("#plan-form").get_by_role("button", name="Plannen").click()
    expect(page.get_by_role("heading", name="Kennissessie logistiek in de haven")).to_be_visible()
    meeting_path = page.url.split("?")[0].removeprefix(server.url)
    expect(page.get_by_text("10-03-2027 15:00")).to_be_visible()  # Dutch time, as typed

    # Invite a student from the suggestions: each says why.
    logins = _student_logins()
    students = page.locator("#suggestions li.suggestion").filter(has_text="student")
    chosen = None
    for at in range(students.count()):
        invitee = students.nth(at).get_attribute("data-invitee")
        if invitee in logins:
            chosen = students.nth(at)
            break
    assert chosen is not None, "no student with a login among the suggestions"
    student_id = chosen.get_attribute("data-invitee")
    expect(chosen.locator(".reason")).to_contain_text("logistiek")
    with page.expect_navigation():
        chosen.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_text("De uitnodiging is verstuurd.")).to_be_visible()
    expect(page.locator(f'#invitees li[data-invitee="{student_id}"]')).to_contain_text(
        "uitgenodigd"
    )
    expect(page.locator(f'#suggestions li[data-invitee="{student_id}"]')).to_have_count(0)

    # The mail arrives at the SMTP server, with an .ics at the right start.
    users = json.loads((data_dir() / "demo" / "users.json").read_text(encoding="utf-8"))
    address = next(u["email"] for u in users if u["id"] == logins[student_id])
    mail = _mail_to(address)
    assert meeting_path in mail.get_body(("plain",)).get_content()
    [attachment] = list(mail.iter_attachments())
    [event] = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2027, 3, 10, 14, 0, tzinfo=UTC)  # 15:00 CET
    assert str(event["location"]) == "Goes"

    # The student answers on a phone.
    phone = browser.new_context(
        base_url=server.url, viewport={"width": 390, "height": 844}, locale="nl-NL"
    ).new_page()
    login(phone, logins[student_id])
    phone.goto(meeting_path)
    expect(phone.locator("#suggestions")).to_have_count(0)  # not theirs to see
    expect(phone.locator("#invitees")).to_have_count(0)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Ik kom", exact=True).click()
    expect(phone.get_by_text("Je antwoord is opgeslagen.")).to_be_visible()
    expect(phone.locator("#my-invitation .status")).to_have_text("komt")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.context.close()

    # The intermediary records who came.
    page.goto(meeting_path)
    expect(page.locator("#places")).to_contain_text("1 van 2")
    row = page.locator(f'#invitees li[data-invitee="{student_id}"]')
    expect(row).to_contain_text("komt")
    row.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Aanwezigheid opslaan").click()
    expect(page.get_by_text("De aanwezigheid is opgeslagen.")).to_be_visible()
    with Session(server.app.state.engine) as session:
        stored = session.exec(select(Invitation).where(Invitation.invitee_id == student_id)).one()
        assert (stored.status, stored.attended) == ("accepted", True)

    # In English.
    english = browser.new_context(base_url=server.url, viewport=VIEWPORT).new_page()
    login(english, INTERMEDIARY, lang="en")
    english.goto(meeting_path)
    expect(english.get_by_role("heading", name="Whom to invite")).to_be_visible()
    expect(english.get_by_role("button", name="Save attendance")).to_be_visible()
    english.context.close()


def test_a_professional_who_wants_to_learn_the_theme_is_suggested_on_the_page(
    server: Server, page: Page, browser, login
) -> None:
    wishes = (
        "Ik wil leren over de overslag in de haven en multimodale vervoerslogistiek: "
        "efficiëntieplannen voor logistieke operaties."
    )
    with Session(server.app.state.engine, expire_on_commit=False) as session:
        theme = Theme(
            community_id=COMMUNITY,
            name="Overslag en vervoerslogistiek in de haven",
            description="Multimodale vervoerslogistiek en de overslag in de haven: "
            "efficiëntieplannen voor logistieke operaties.",
        )
        session.add(theme)
        for id_, organisation, community in (
            ("pro-haven-here", "org-sloehaven-logistiek", COMMUNITY),
            ("pro-haven-elsewhere", "org-vallei-techniek", "com-talentcampus-eemstad"),
        ):
            session.add(
                Professional(
                    id=id_,
                    full_name=f"Havenwerker {id_[-4:]}",
                    job_role="werknemer",
                    job_title="planner",
                    organisation_id=organisation,
                    learning_wishes=wishes,
                )
            )
            session.add(Membership(community_id=community, member_id=id_, kind="professional"))
        session.commit()
        meeting = Meeting(
            title="Havenlogistiek voor werkenden",
            starts_at=datetime(2027, 4, 1, 13, tzinfo=UTC),
            ends_at=datetime(2027, 4, 1, 15, tzinfo=UTC),
            place="Vlissingen",
            capacity=20,
            theme_id=theme.id,
            community_id=COMMUNITY,
        )
        session.add(meeting)
        session.commit()

    login(page, INTERMEDIARY)
    page.goto(f"/meetings/{meeting.id}")
    here = page.locator('#suggestions li[data-invitee="pro-haven-here"]')
    expect(here).to_contain_text("professional")  # its kind's label
    expect(here.locator(".reason")).to_contain_text("wil leren over")
    expect(here.locator(".reason")).to_contain_text("haven")
    expect(page.locator('#suggestions li[data-invitee="pro-haven-elsewhere"]')).to_have_count(0)
    with page.expect_navigation():
        here.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_text("De uitnodiging is verstuurd.")).to_be_visible()
    expect(page.locator('#invitees li[data-invitee="pro-haven-here"]')).to_be_visible()
    expect(page.locator('#suggestions li[data-invitee="pro-haven-here"]')).to_have_count(0)

    english = browser.new_context(base_url=server.url, viewport=VIEWPORT).new_page()
    login(english, INTERMEDIARY, lang="en")
    english.goto(f"/meetings/{meeting.id}")
    reasons = english.locator("#suggestions li.suggestion .reason")
    expect(reasons.first).to_contain_text("Why")
    expect(english.locator("#suggestions")).not_to_contain_text("wil leren over")
    english.context.close()
