"""The notification mails without a browser: written in the recipient's language with an
absolute link, and in development (no SMTP host) kept in the outbox, never sent."""

from __future__ import annotations

from sqlmodel import Session, select

from service.domain.notification_tables import MailKind, MailStatus, OutboxMail
from service.domain.tables import Role, User
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases.notifications import queue_mail, remember_language
from service.web.journey_mail import compose, deliver_due


def test_mails_are_written_in_the_recipients_language_and_kept_without_smtp(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    migrate(engine)
    settings = Settings(home=tmp_path, public_url="https://lcmatch.example.nl/")
    with Session(engine, expire_on_commit=False) as session:
        people = [
            User(
                id="usr-a",
                email="a@example.nl",
                full_name="Anna de Wit",
                role=Role.sme,
                hashed_password="x",
            ),
            User(
                id="usr-b",
                email="b@example.com",
                full_name="Bo Li",
                role=Role.student,
                hashed_password="x",
            ),
        ]
        session.add_all(people)
        remember_language(session, "usr-b", "en")
        session.commit()
        mails = queue_mail(
            session, people, MailKind.introduction, "/matches/sug-1", actor_id="usr-someone"
        )
        session.commit()
        dutch, english = (compose(session, settings, mail) for mail in mails)

    assert dutch["Subject"] == "Je bent voorgesteld: lcmatch"
    assert "Beste Anna de Wit," in dutch.get_content()
    assert english["Subject"] == "You have been introduced: lcmatch"
    assert "Dear Bo Li," in english.get_content()
    for message in (dutch, english):
        assert "https://lcmatch.example.nl/matches/sug-1" in message.get_content()

    # Development: no SMTP host, so nothing is sent; the mails wait on the outbox page.
    assert deliver_due(engine, settings) == 0
    with Session(engine) as session:
        statuses = set(session.exec(select(OutboxMail.status)))
    assert statuses == {MailStatus.pending}


def test_a_mail_is_never_queued_for_the_one_who_acted(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    migrate(engine)
    with Session(engine) as session:
        me = User(
            id="usr-a",
            email="a@example.nl",
            full_name="Anna",
            role=Role.intermediary,
            hashed_password="x",
        )
        session.add(me)
        assert queue_mail(session, [me, me], MailKind.request, "/review", actor_id="usr-a") == []
        assert len(queue_mail(session, [me, me], MailKind.request, "/review")) == 1
