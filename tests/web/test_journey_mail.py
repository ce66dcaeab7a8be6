"""The notification mails without a browser: written in the recipient's language with an
absolute link, and in development (no SMTP host) kept in the outbox, never sent."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from service.domain.notification_tables import MailKind, MailStatus, OutboxMail
from service.domain.tables import Role, User, utcnow
from service.settings import Settings
from service.storage.db import make_engine, migrate
from service.usecases.notifications import mails_due, queue_mail, remember_language
from service.web import journey_mail
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

    assert dutch["Subject"] == "U bent voorgesteld: lcmatch"  # the pages say "u" to an SME
    assert " je " not in dutch.get_content()
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


def test_students_are_addressed_as_je_and_everyone_else_as_u(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    migrate(engine)
    settings = Settings(home=tmp_path)
    roles = [Role.student, Role.sme, Role.intermediary]
    with Session(engine, expire_on_commit=False) as session:
        people = [
            User(
                id=f"usr-{role}",
                email=f"{role}@example.nl",
                full_name=str(role),
                role=role,
                hashed_password="x",
            )
            for role in roles
        ]
        session.add_all(people)
        session.commit()
        words = {}
        for kind in MailKind:
            mails = queue_mail(session, people, kind, "/matches/sug-1", actor_id="usr-other")
            session.commit()
            for mail, role in zip(mails, roles, strict=True):
                message = compose(session, settings, mail)
                words[kind, role] = set(f"{message['Subject']} {message.get_content()}".split())
    for kind in MailKind:
        assert not words[kind, Role.sme] & {"je", "Je", "jij", "jouw"}, kind
        assert not words[kind, Role.intermediary] & {"je", "Je"}, kind
    assert "je" in words[MailKind.introduction, Role.student]
    assert "u" in words[MailKind.introduction, Role.sme]
    assert "uw" in words[MailKind.proposal, Role.intermediary]


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


def test_a_mail_another_worker_claimed_is_not_sent_twice(
    tmp_path, monkeypatch, smtp_server
) -> None:
    """Several workers share the outbox: each sends only the mails it claimed."""
    engine = make_engine(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    migrate(engine)
    port, received = smtp_server
    settings = Settings(home=tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    with Session(engine, expire_on_commit=False) as session:
        people = [
            User(
                id=f"usr-{n}",
                email=f"{n}@example.nl",
                full_name=f"Persoon {n}",
                role=Role.sme,
                hashed_password="x",
            )
            for n in "ab"
        ]
        session.add_all(people)
        _, second = queue_mail(session, people, MailKind.rating, "/matches/sug-1")
        session.commit()

    def due_then_taken(session: Session, **kwargs):
        """Both mails are due when read; another worker's sender then takes the second."""
        due = mails_due(session, **kwargs)
        with Session(engine) as other:
            taken = other.get(OutboxMail, second.id)
            taken.status = MailStatus.sending
            taken.claimed_at = utcnow()
            other.add(taken)
            other.commit()
        return due

    monkeypatch.setattr(journey_mail, "mails_due", due_then_taken)
    assert deliver_due(engine, settings) == 1
    with Session(engine) as session:
        rows = session.exec(select(OutboxMail.to_address, OutboxMail.status))
        statuses = dict(rows.all())
    assert statuses == {"a@example.nl": MailStatus.sent, "b@example.nl": MailStatus.sending}
    assert len(received) == 1 and b"a@example.nl" in received[0]


def test_a_mail_left_sending_by_a_crash_is_sent_later(tmp_path, smtp_server) -> None:
    """A sender that died mid-send left its mail "sending": once the claim is stale, another
    sends it; a fresh claim (a sender at work) is left alone."""
    engine = make_engine(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    migrate(engine)
    port, received = smtp_server
    settings = Settings(home=tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    with Session(engine, expire_on_commit=False) as session:
        people = [
            User(
                id=f"usr-{n}",
                email=f"{n}@example.nl",
                full_name=n,
                role=Role.sme,
                hashed_password="x",
            )
            for n in ("crashed", "busy")
        ]
        session.add_all(people)
        crashed, busy = queue_mail(session, people, MailKind.rating, "/matches/sug-1")
        now = utcnow()
        crashed.status, crashed.claimed_at = MailStatus.sending, now - timedelta(minutes=11)
        busy.status, busy.claimed_at = MailStatus.sending, now - timedelta(minutes=1)
        session.add_all([crashed, busy])
        session.commit()

    assert deliver_due(engine, settings) == 1
    with Session(engine) as session:
        statuses = dict(session.exec(select(OutboxMail.to_address, OutboxMail.status)).all())
    assert statuses == {
        "crashed@example.nl": MailStatus.sent,
        "busy@example.nl": MailStatus.sending,
    }
    assert len(received) == 1 and b"crashed@example.nl" in received[0]
