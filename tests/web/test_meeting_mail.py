"""A meeting's invitation mail, sent to a real SMTP server (aiosmtpd): its words for a student
("je") and an SME ("u"), the link to the meeting, and an .ics that icalendar reads back with
the meeting's start, end, place and title."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

from icalendar import Calendar
from sqlmodel import Session

from service.domain.meeting_tables import Meeting
from service.domain.notification_tables import MailKind
from service.domain.tables import Community, Role, Theme, User
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases.notifications import queue_mail
from service.web.journey_mail import deliver_due

STARTS = datetime(2027, 3, 10, 14, 0, tzinfo=UTC)


def test_the_invitation_carries_an_ics_of_the_meeting(tmp_path, smtp_server) -> None:
    port, received = smtp_server
    engine = make_engine(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    migrate(engine)
    settings = Settings(
        home=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        public_url="https://lcmatch.example.nl/",
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(Community(id="com-a", name="Leergemeenschap Achterhoek"))
        session.add(Theme(id="thm-1", community_id="com-a", name="Warmte in de wijk"))
        session.flush()
        meeting = Meeting(
            id="mtg-1",
            theme_id="thm-1",
            community_id="com-a",
            title="Warmtepompen: kennismaken",
            starts_at=STARTS,
            ends_at=datetime(2027, 3, 10, 16, 0, tzinfo=UTC),
            place="Doetinchem",
            capacity=20,
            notes="Koffie vanaf half drie.",
        )
        people = [
            User(
                id=f"usr-{role}",
                email=f"{role}@example.nl",
                full_name=f"Persoon {role}",
                role=role,
                hashed_password="x",
            )
            for role in (Role.student, Role.sme)
        ]
        session.add_all([meeting, *people])
        for mail in queue_mail(session, people, MailKind.meeting, "/meetings/mtg-1"):
            mail.meeting_id = meeting.id
        session.commit()
    assert deliver_due(engine, settings) == 2

    messages = {}
    for raw in received:
        message = message_from_bytes(raw, policy=policy.default)
        messages[message["To"]] = message
    assert set(messages) == {"student@example.nl", "sme@example.nl"}
    for address, message in messages.items():
        text = message.get_body(("plain",)).get_content()
        assert "https://lcmatch.example.nl/meetings/mtg-1" in text
        assert "10-03-2027 15:00" in text  # Dutch time (CET) and "Doetinchem" in text
        words = set(text.split())
        if address.startswith("student"):
            assert "je" in words and "u" not in words
        else:
            assert "u" in words and "je" not in words
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        calendar = Calendar.from_ical(attachment.get_content())
        [event] = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == STARTS
        assert event.decoded("dtend") == datetime(2027, 3, 10, 16, 0, tzinfo=UTC)
        assert str(event["location"]) == "Doetinchem"
        assert str(event["summary"]) == "Warmtepompen: kennismaken"
        assert str(event["uid"]) == "mtg-1@lcmatch"
