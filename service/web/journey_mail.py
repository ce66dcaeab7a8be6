"""The notification mails: written in the recipient's language, sent by SMTP after the commit
of the decision that asks for them, each failure recorded on its mail.

The mails are written to the outbox by the use cases (`service.usecases.notifications`); this
module gives them words (the pages' catalogues, so a mail is as Dutch or English as the pages)
and sends them. Without an SMTP host (the development default) nothing is sent: an admin reads
the mails on /admin/outbox.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy.engine import Engine
from sqlmodel import Session, update

from service.domain.meeting_tables import Meeting
from service.domain.notification_tables import MailKind, MailStatus, OutboxMail
from service.domain.tables import Challenge, Role, Suggestion, User, utcnow
from service.settings import Settings
from service.usecases.meeting_ics import meeting_ics
from service.usecases.meetings import local_time
from service.usecases.notifications import claimable, mail_queued, mails_due
from service.web.i18n import N_, gettext, use_language

log = logging.getLogger("lcmatch.mail")

#: Subject and text of each kind; `%(title)s` is the challenge, `%(link)s` the page to act on.
TEXTS = {
    MailKind.introduction: (
        N_("Je bent voorgesteld: %(title)s"),
        N_(
            "De intermediair heeft jullie aan elkaar voorgesteld voor “%(title)s”. "
            "Bekijk de introductie en laat weten of je meedoet:"
        ),
    ),
    MailKind.response: (
        N_("Antwoord op een introductie: %(title)s"),
        N_(
            "Een kant heeft geantwoord op de introductie voor “%(title)s”. "
            "Bekijk de match en zet de volgende stap:"
        ),
    ),
    MailKind.request: (
        N_("Verzoek om een introductie: %(title)s"),
        N_("Er is een verzoek of interesse bij “%(title)s”. Bekijk het in de wachtrij:"),
    ),
    MailKind.rating: (
        N_("Project afgerond: geef een beoordeling voor %(title)s"),
        N_("Het project “%(title)s” is afgerond. Geef een beoordeling en een korte evaluatie:"),
    ),
    MailKind.proposal: (
        N_("Een voorstel wacht op je beoordeling: %(title)s"),
        N_("Er is een voorstel voor “%(title)s”. Bekijk en beoordeel het:"),
    ),
    MailKind.meeting: (
        N_("Uitnodiging: %(title)s"),
        N_(
            "Je bent uitgenodigd voor de bijeenkomst “%(title)s” op %(when)s in %(place)s. "
            "De agenda-uitnodiging zit in de bijlage. Laat weten of je komt:"
        ),
    ),
}
#: The kinds whose words differ for recipients the pages address as "u": everyone but
#: students (SMEs, intermediaries, admins).
FORMAL_TEXTS = {
    MailKind.introduction: (
        N_("U bent voorgesteld: %(title)s"),
        N_(
            "De intermediair heeft u en de andere partij aan elkaar voorgesteld voor "
            "“%(title)s”. Bekijk de introductie en laat weten of u meedoet:"
        ),
    ),
    MailKind.proposal: (
        N_("Een voorstel wacht op uw beoordeling: %(title)s"),
        TEXTS[MailKind.proposal][1],
    ),
    MailKind.meeting: (
        TEXTS[MailKind.meeting][0],
        N_(
            "U bent uitgenodigd voor de bijeenkomst “%(title)s” op %(when)s in %(place)s. "
            "De agenda-uitnodiging zit in de bijlage. Laat weten of u komt:"
        ),
    ),
}
GREETING = N_("Beste %(name)s,")
SIGNATURE = N_("Met vriendelijke groet,\nlcmatch")
#: How long one SMTP conversation may take before it counts as failed.
SMTP_TIMEOUT = 10.0
#: How often the sender looks for mails when nobody wakes it.
POLL_SECONDS = 2.0


def _meeting(session: Session, mail: OutboxMail) -> Meeting | None:
    return session.get(Meeting, mail.meeting_id) if mail.meeting_id else None


def _title(session: Session, mail: OutboxMail) -> str:
    meeting = _meeting(session, mail)
    if meeting is not None:
        return meeting.title
    suggestion = session.get(Suggestion, mail.suggestion_id) if mail.suggestion_id else None
    challenge = session.get(Challenge, suggestion.challenge_id) if suggestion else None
    return challenge.title if challenge is not None else "lcmatch"


def compose(session: Session, settings: Settings, mail: OutboxMail) -> EmailMessage:
    """The mail in its recipient's language, with the absolute link to act on."""
    recipient = session.get(User, mail.recipient_id)
    name = recipient.full_name if recipient is not None else mail.to_address
    kind = MailKind(mail.kind)
    formal = recipient is None or recipient.role != Role.student
    subject, text = FORMAL_TEXTS.get(kind, TEXTS[kind]) if formal else TEXTS[kind]
    # A meeting mail whose meeting is gone still reads: its time and place unknown.
    values = {"title": _title(session, mail), "when": "?", "place": "?"}
    link = settings.site_url + mail.link
    meeting = _meeting(session, mail)
    if meeting is not None:
        # Dutch time, as on the pages; the .ics carries the exact moment for calendars.
        values["when"] = local_time(meeting.starts_at).strftime("%d-%m-%Y %H:%M")
        values["place"] = meeting.place
    with use_language(mail.language):
        body = "\n\n".join(
            [
                gettext(GREETING) % {"name": name},
                gettext(text) % values + f"\n{link}",
                gettext(SIGNATURE),
            ]
        )
        message = EmailMessage()
        message["Subject"] = gettext(subject) % values
    message["From"] = settings.mail_sender
    message["To"] = mail.to_address
    message["Message-ID"] = make_msgid(domain="lcmatch")
    message.set_content(body + "\n")
    if meeting is not None:
        message.add_attachment(
            meeting_ics(meeting, link, settings.mail_sender),
            maintype="text",
            subtype="calendar",
            filename="uitnodiging.ics",
        )
    # After set_content and add_attachment, which drop or move Content-* headers.
    message["Content-Language"] = mail.language
    return message


def deliver_due(engine: Engine, settings: Settings) -> int:
    """Send the mails not sent yet over one SMTP connection; mark each sent or failed (with
    the reason). Without an SMTP host nothing is sent. Returns how many were sent."""
    if not settings.smtp_host:
        return 0
    sent = 0
    with Session(engine, expire_on_commit=False) as session:
        due = mails_due(session)
        if not due:
            return 0
        try:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
        except (OSError, smtplib.SMTPException) as error:
            for mail in due:
                _failed(mail, error)
                session.add(mail)
            session.commit()
            return 0
        with smtp:
            for mail in due:
                if not _claim(session, mail):
                    continue  # another worker's sender has it
                mail.attempts += 1
                try:
                    smtp.send_message(compose(session, settings, mail))
                except (OSError, smtplib.SMTPException) as error:
                    _failed(mail, error)
                else:
                    mail.status = MailStatus.sent
                    mail.sent_at = utcnow()
                    mail.error = None
                    sent += 1
                session.add(mail)
                session.commit()  # each mail's outcome on its own: a crash resends no other
    return sent


def _claim(session: Session, mail: OutboxMail) -> bool:
    """Take the mail for this sender if nobody else has it (committed at once)."""
    now = utcnow()
    claimed = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail.id, claimable(now))
        .values(status=MailStatus.sending, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return claimed.rowcount == 1


def _failed(mail: OutboxMail, error: Exception) -> None:
    mail.status = MailStatus.failed
    mail.error = f"{type(error).__name__}: {error}"[:500]
    log.warning("mail %s to %s not sent: %s", mail.id, mail.to_address, mail.error)


class MailSender:
    """A background thread that sends the outbox: at once when a decision queued mails, and
    every few seconds for what is left."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lcmatch-mail", daemon=True)

    def start(self) -> None:
        if self.settings.smtp_host:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        mail_queued.set()
        if self._thread.is_alive():
            self._thread.join(timeout=SMTP_TIMEOUT + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            mail_queued.wait(POLL_SECONDS)
            mail_queued.clear()
            if self._stop.is_set():
                break
            try:
                deliver_due(self.engine, self.settings)
            except Exception:  # the sender must outlive one bad round (a locked database)
                log.exception("sending the outbox failed")
