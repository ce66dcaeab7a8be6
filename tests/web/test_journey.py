"""A match's whole journey on the pages, in the real browser, with a real SMTP server: the SME
posts and publishes the challenge with the form, the intermediary approves the match in the
review queue and introduces; the e-mails arrive in each recipient's language with the link;
the student and the SME each see their part of the introduction and accept; the intermediary
starts and completes; both sides rate with a short evaluation; one timeline shows each party
its part. Every form posts, redirects and gets: a reload takes no step twice. And a send that
fails is recorded on the mail, never undoes the decision."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from aiosmtpd.controller import Controller
from conftest import free_port, running
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from matcher.encoders import HashingEncoder
from service.app import create_app
from service.domain.notification_tables import MailStatus, OutboxMail
from service.domain.tables import Suggestion, SuggestionEvent, SuggestionStatus
from service.settings import Settings

SME = "usr-mkb-ligninelab"  # Elena Vermeulen, Ligninelab, Biobased Zuidwest
SME_EMAIL = "elena.vermeulen@example.nl"
INTERMEDIARY = "usr-intermediair-biobased"  # Sanne Verhulst
INTERMEDIARY_EMAIL = "sanne.verhulst@example.nl"
STUDENT = "usr-student-006"  # Jens Kramer, Chemische Technologie (hbo), Middelburg
STUDENT_EMAIL = "jens.kramer@example.com"
STUDENT_ID = "stu-006"
PASSWORD = "demo-wachtwoord"
TITLE = "Lignine uit snoeihout: experimenten en rapport"
CHALLENGE = {
    "community_id": "com-biobased-zuidwest",
    "title": TITLE,
    "description": (
        "Wij willen lignine winnen uit snoeihout. We zoeken een student chemische technologie "
        "die chemische experimenten uitvoert, veilig met chemicaliën werkt, de procesbeheersing "
        "statistisch volgt en technische rapporten schrijft. Groene chemie en circulariteit en "
        "bioraffinage staan centraal."
    ),
    "wanted_skills": [{"label": "chemische experimenten uitvoeren"}],
    "themes": ["groene chemie"],
    "level": "hbo",
    "hours_per_week": 16,
    "weeks": 16,
    "period_start": "2027-02-15",
    "period_end": "2027-06-11",
    "place": "Middelburg",
    "language": "nl",
}


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def wait_for(self, to: str, count: int = 1, timeout: float = 15) -> list:
        """The messages to this address, once there are `count` of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [m for m in self.messages if to in str(m["To"])]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no {count} mail(s) to {to} within {timeout} s; got {found}")


@dataclass
class Server:
    url: str
    settings: Settings
    app: object
    inbox: Inbox


def subject(message) -> str:
    """The subject as a mail client shows it (unfolded: a long one is folded after its name)."""
    return str(message["Subject"]).strip()


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free port."""
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, inbox) -> Iterator[Server]:
    """The app with the demo data, sending its mails to the test's SMTP server."""
    handler, smtp_port = inbox
    home = tmp_path_factory.mktemp("lcmatch-journey")
    port = free_port()
    settings = Settings(
        home=home,
        environment="development",
        demo_data=True,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        public_url=f"http://127.0.0.1:{port}",
    )
    app = create_app(settings, encoder=HashingEncoder())
    try:
        with running(app, port):
            yield Server(url=f"http://127.0.0.1:{port}", settings=settings, app=app, inbox=handler)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def api(server: Server, email_address: str) -> httpx.Client:
    answer = httpx.post(
        f"{server.url}/api/v1/login/access-token",
        data={"username": email_address, "password": PASSWORD},
    )
    answer.raise_for_status()
    token = answer.json()["access_token"]
    return httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    )


def events(server: Server, suggestion_id: str) -> list[str]:
    with Session(server.app.state.engine) as session:
        rows = session.exec(
            select(SuggestionEvent.action)
            .where(SuggestionEvent.suggestion_id == suggestion_id)
            .order_by(SuggestionEvent.id)
        )
        return list(rows)


def suggestion(server: Server, suggestion_id: str) -> Suggestion:
    with Session(server.app.state.engine) as session:
        return session.get(Suggestion, suggestion_id)


@pytest.fixture
def approved(browser, login, server: Server) -> str:
    """The start of the journey on the pages: the SME posts the challenge with the form and
    publishes it; the intermediary approves the student's match in the review queue. (The
    intermediary's ranking of 50 students goes through the API, so that the journey's student
    is surely among the ranked; the queue shows the stored suggestions.)"""
    sme = browser.new_context(base_url=server.url).new_page()
    login(sme, SME)
    sme.goto("/sme/challenges/new")
    sme.locator("#title").fill(TITLE)
    sme.locator("#description").fill(CHALLENGE["description"])
    expect(sme.get_by_label("chemische experimenten uitvoeren")).to_be_checked()
    sme.locator("#level").select_option("hbo")
    sme.locator("#hours_per_week").fill("16")
    sme.locator("#period_start").fill(CHALLENGE["period_start"])
    sme.locator("#period_end").fill(CHALLENGE["period_end"])
    sme.locator("#place").fill(CHALLENGE["place"])
    sme.get_by_role("button", name="Opslaan als concept").click()
    expect(sme).to_have_url(re.compile(r"/sme/challenges/[\w-]+$"))
    challenge_id = sme.url.rsplit("/", 1)[1]
    sme.get_by_role("button", name="Publiceren").click()
    expect(sme.locator(".badge.status-published")).to_have_text("gepubliceerd")
    sme.context.close()

    with api(server, INTERMEDIARY_EMAIL) as intermediary:
        ranked = intermediary.get(
            f"/challenges/{challenge_id}/suggestions/students", params={"k": 50}
        )
        ranked.raise_for_status()
        ours = [s for s in ranked.json()["data"] if s["target_id"] == STUDENT_ID]
        assert ours, "the student of the journey is among the ranked students"
        suggestion_id = ours[0]["id"]
    reviewer = browser.new_context(base_url=server.url).new_page()
    login(reviewer, INTERMEDIARY)
    reviewer.goto(f"/review?challenge={challenge_id}")
    match = reviewer.locator(f"#match-{suggestion_id}")
    match.locator(f"#reason-{suggestion_id}").fill("Past bij lectoraat X")
    match.get_by_role("button", name="Goedkeuren").click()
    expect(reviewer.get_by_role("status").first).to_be_visible()
    reviewer.context.close()
    assert suggestion(server, suggestion_id).status == SuggestionStatus.approved
    return suggestion_id


def reload_takes_nothing(page: Page, server: Server, suggestion_id: str) -> None:
    before = events(server, suggestion_id)
    page.reload()
    expect(page.locator("#status")).to_be_visible()
    assert events(server, suggestion_id) == before


def test_the_journey_from_introduction_to_both_ratings(
    page: Page, browser, login, shot, server: Server, approved: str
) -> None:
    sid = approved
    # The student reads the pages in English: their mails come in English too.
    student = browser.new_context(base_url=server.url, viewport={"width": 375, "height": 800})
    student_page = student.new_page()
    login(student_page, STUDENT, lang="en")
    sme = browser.new_context(base_url=server.url, viewport={"width": 1200, "height": 900})
    sme_page = sme.new_page()
    login(sme_page, SME)

    # The intermediary: the bell counts the approved match; introduce it on its page.
    login(page, INTERMEDIARY)
    expect(page.locator("#bell .count")).not_to_have_text("0")
    page.goto("/matches")
    page.locator(f"#match-{sid}").get_by_role("link").first.click()
    expect(page.locator(".next-step")).to_have_text("Goedgekeurd: introduceer beide kanten.")
    page.get_by_role("button", name="Introduceren").click()
    expect(page.locator("#status .alert.ok")).to_have_text("Beide kanten zijn geïntroduceerd.")
    assert page.url.endswith(f"/matches/{sid}?done=introduce#status")  # a GET after the POST
    reload_takes_nothing(page, server, sid)
    assert suggestion(server, sid).status == SuggestionStatus.introduced

    # The e-mails: the student's in English, the SME's in Dutch, each with the link.
    link = f"{server.url}/matches/{sid}"
    (to_student,) = server.inbox.wait_for(STUDENT_EMAIL)
    assert subject(to_student) == f"You have been introduced: {TITLE}"
    assert to_student["Content-Language"] == "en"
    assert link in to_student.get_content()
    assert "Dear Jens Kramer," in to_student.get_content()
    (to_sme,) = server.inbox.wait_for(SME_EMAIL)
    assert subject(to_sme) == f"U bent voorgesteld: {TITLE}"
    assert link in to_sme.get_content() and "Beste Elena Vermeulen," in to_sme.get_content()

    # The SME sees the introduction, but not the student's address before they accepted.
    sme_page.goto(f"/matches/{sid}")
    expect(sme_page.locator(".contacts")).not_to_contain_text(STUDENT_EMAIL)
    expect(sme_page.locator(".contacts")).to_contain_text(
        "e-mailadres zodra de student heeft geaccepteerd"
    )
    expect(sme_page.locator("#bell .count")).to_have_text("1")

    # The student, on a phone: the card says what comes next, not "interest passed on".
    student_page.goto("/student/assignments")
    card = student_page.locator(f"#sug-{sid}")
    if card.count():  # the match is among the student's ranked assignments
        expect(card).not_to_contain_text("Your interest has been passed on")
        expect(card.locator(".next-step")).to_contain_text("You have been introduced")
    expect(student_page.locator("#bell .count")).to_have_text("1")
    student_page.goto(link)
    expect(student_page.locator(".next-step")).to_have_text(
        "You have been introduced. Accept or decline the introduction."
    )
    contacts = student_page.locator(".contacts")
    expect(contacts).to_contain_text(SME_EMAIL)  # how to get in touch with the SME
    expect(contacts).to_contain_text(INTERMEDIARY_EMAIL)
    expect(student_page.locator("main")).not_to_contain_text("Past bij lectoraat X")
    assert student_page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(student_page, "match-introduced", "en")
    # Declining without a reason: the form says why, and nothing is done.
    student_page.get_by_role("radio", name="Decline").check()
    student_page.get_by_role("button", name="Send answer").click()
    expect(student_page.locator("#reason-error")).to_have_text("Give a reason when you decline.")
    assert suggestion(server, sid).target_response == "pending"
    student_page.get_by_role("radio", name="Accept: I take part").check()
    student_page.get_by_role("button", name="Send answer").click()
    expect(student_page.locator("#status .alert.ok")).to_have_text("You accepted the introduction.")
    reload_takes_nothing(student_page, server, sid)
    expect(student_page.locator(".next-step")).to_contain_text("waiting for the other side")
    expect(student_page.locator("#bell .count")).to_have_text("0")
    # The intermediary hears of the response.
    server.inbox.wait_for(INTERMEDIARY_EMAIL, count=1)

    # The SME: the student's name and (having accepted) address, the intermediary's reason.
    sme_page.goto(link)
    expect(sme_page.locator(".side-name").nth(1)).to_have_text("Jens Kramer")
    expect(sme_page.locator(".contacts")).to_contain_text(STUDENT_EMAIL)
    expect(sme_page.locator(".intermediary-reason")).to_contain_text("Past bij lectoraat X")
    shot(sme_page, "match-introduced", "nl")
    sme_page.get_by_role("radio", name="Accepteren: ik doe mee").check()
    sme_page.get_by_role("button", name="Antwoord versturen").click()
    expect(sme_page.locator("#status .alert.ok")).to_have_text(
        "Je hebt de introductie geaccepteerd."
    )
    assert suggestion(server, sid).status == SuggestionStatus.accepted
    server.inbox.wait_for(INTERMEDIARY_EMAIL, count=2)

    # The intermediary starts and completes.
    page.goto(link)
    page.get_by_role("button", name="Project starten").click()
    expect(page.locator("#status .alert.ok")).to_have_text("Het project is gestart.")
    reload_takes_nothing(page, server, sid)
    page.get_by_role("button", name="Project afronden").click()
    expect(page.locator("#status .alert.ok")).to_have_text("Het project is afgerond.")
    assert suggestion(server, sid).status == SuggestionStatus.completed
    rate_student = server.inbox.wait_for(STUDENT_EMAIL, count=2)[-1]
    assert subject(rate_student) == f"Project completed: rate {TITLE}"

    # Both sides rate, with a short evaluation.
    student_page.goto(link)
    student_page.get_by_role("button", name="Send rating").click()
    expect(student_page.locator("#rating-error")).to_have_text("Choose a rating from 1 to 5.")
    student_page.get_by_role("radio", name="4", exact=True).check()
    student_page.get_by_label("Short evaluation").fill("Veel geleerd over lignine.")
    student_page.get_by_role("button", name="Send rating").click()
    expect(student_page.locator("#status .alert.ok")).to_have_text("Thank you for your rating.")
    reload_takes_nothing(student_page, server, sid)
    sme_page.goto(link)
    sme_page.get_by_role("radio", name="5", exact=True).check()
    sme_page.get_by_label("Korte evaluatie").fill("Zeer zelfstandig gewerkt.")
    sme_page.get_by_role("button", name="Beoordeling versturen").click()
    expect(sme_page.locator("#status .alert.ok")).to_have_text("Dank je wel voor je beoordeling.")
    done = suggestion(server, sid)
    assert (done.target_rating, done.sme_rating) == (4, 5)

    # One timeline, each party its part: the student never reads the intermediary's reason
    # nor the approval before their introduction; the intermediary sees every step.
    student_page.reload()
    timeline = student_page.locator(".timeline")
    expect(timeline).to_contain_text("The intermediary introduced both sides.")
    expect(timeline).to_contain_text("Jens Kramer gave 4 out of 5.")
    expect(timeline).to_contain_text("Veel geleerd over lignine.")  # their own evaluation
    expect(timeline).not_to_contain_text("approved")
    expect(timeline).not_to_contain_text("Past bij lectoraat X")
    expect(timeline).not_to_contain_text("Zeer zelfstandig gewerkt.")
    page.goto(link)
    timeline = page.locator(".timeline li")
    expect(timeline).to_have_count(8)  # approve, introduce, 2 × respond, start, complete, 2 × rate
    expect(page.locator(".timeline")).to_contain_text("De intermediair keurde de match goed.")
    expect(page.locator(".timeline")).to_contain_text(re.compile(r"Ligninelab.* gaf 5 van 5\."))
    shot(page, "match-timeline", "nl")
    page.context.add_cookies([{"name": "lang", "value": "en", "url": server.url}])
    page.reload()
    expect(page.locator(".timeline")).to_contain_text("The intermediary approved the match.")
    shot(page, "match-timeline", "en")

    # The admin reads every mail on the outbox page, as sent, in its language.
    page.context.clear_cookies()
    login(page, "usr-admin", lang="en")
    page.goto("/admin/outbox")
    expect(page.locator("article.mail").filter(has_text=STUDENT_EMAIL).first).to_contain_text(
        f"Project completed: rate {TITLE}"
    )
    expect(page.locator("main")).to_contain_text("sent")
    shot(page, "outbox", "en", full_page=False)
    student.close()
    sme.close()


def test_a_failed_send_is_recorded_and_the_decision_stands(server: Server) -> None:
    """With the SMTP server unreachable, an introduction request is still recorded; its mail
    to the intermediary is marked failed with the reason."""
    sender = server.app.state.mail_sender
    reachable = sender.settings
    sender.settings = reachable.model_copy(update={"smtp_port": free_port()})  # nobody listens
    try:
        with api(server, SME_EMAIL) as sme:
            challenges = sme.get("/challenges", params={"limit": 100}).json()["data"]
            own = [c for c in challenges if c["organisation_id"] == "org-ligninelab"]
            ranked = sme.get(f"/challenges/{own[0]['id']}/suggestions/research-groups")
            ranked.raise_for_status()
            group_match = ranked.json()["data"][0]["id"]
            asked = sme.post(f"/suggestions/{group_match}/introduction-request")
        assert asked.status_code == 200
        assert events(server, group_match) == ["request_introduction:sme"]
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with Session(server.app.state.engine) as session:
                mail = session.exec(
                    select(OutboxMail).where(OutboxMail.suggestion_id == group_match)
                ).first()
            if mail is not None and mail.status != MailStatus.pending:
                break
            time.sleep(0.1)
        assert mail is not None and mail.status == MailStatus.failed
        assert mail.to_address == INTERMEDIARY_EMAIL
        assert "Connection" in (mail.error or "") or "refused" in (mail.error or "").lower()
    finally:
        sender.settings = reachable


def test_the_intermediary_records_a_research_groups_answer_and_rating(
    page: Page, login, server: Server
) -> None:
    """A research group has no login: on the match page the intermediary answers and rates for
    it, through the same steps (and the SME answers for itself)."""
    with api(server, SME_EMAIL) as sme:
        challenges = sme.get("/challenges", params={"limit": 100}).json()["data"]
        own = [c for c in challenges if c["organisation_id"] == "org-ligninelab"]
        groups = sme.get(f"/challenges/{own[-1]['id']}/suggestions/research-groups").json()
    group_match = groups["data"][-1]["id"]
    with api(server, INTERMEDIARY_EMAIL) as intermediary:
        for step in ("approve", "introduce"):
            intermediary.post(f"/suggestions/{group_match}/{step}", json={}).raise_for_status()

    login(page, INTERMEDIARY)
    page.goto(f"/matches/{group_match}")
    expect(page.locator("#status")).to_contain_text("U legt het antwoord van")
    page.get_by_role("radio", name="Accepteren: ik doe mee").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.locator("#status .alert.ok")).to_be_visible()
    assert suggestion(server, group_match).target_response == "accepted"
    with api(server, SME_EMAIL) as sme:
        answer = sme.post(f"/suggestions/{group_match}/respond", json={"response": "accepted"})
        answer.raise_for_status()
    page.goto(f"/matches/{group_match}")
    page.get_by_role("button", name="Project starten").click()
    page.get_by_role("button", name="Project afronden").click()
    expect(page.locator("#status .alert.ok")).to_have_text("Het project is afgerond.")
    page.get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("button", name="Beoordeling versturen").click()
    expect(page.locator("#status .alert.ok")).to_be_visible()
    done = suggestion(server, group_match)
    assert (done.status, done.target_rating, done.sme_rating) == ("completed", 3, None)
    assert "rate:target:3" in events(server, group_match)
