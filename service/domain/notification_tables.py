"""The tables of notifications: the e-mails owed to people (an outbox) and each user's language."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from service.domain.columns import UTCDateTime
from service.domain.tables import utcnow


class MailStatus(StrEnum):
    #: Written with the decision; not sent yet (in development without SMTP: kept here only).
    pending = "pending"
    #: Claimed by one process's sender (several workers share the outbox): no other sends it.
    sending = "sending"
    sent = "sent"
    #: The SMTP server refused it or could not be reached; `error` says why.
    failed = "failed"


class MailKind(StrEnum):
    """What a mail asks its recipient to do; each has its own subject and text."""

    introduction = "introduction"  # you were introduced: accept or decline
    response = "response"  # a side answered: start it (or find another match)
    request = "request"  # an SME asks for an introduction / a student is interested
    rating = "rating"  # the project is completed: rate it
    proposal = "proposal"  # a round's proposal awaits review (sent by the rounds' code)
    meeting = "meeting"  # an invitation to a meeting, with its .ics


class OutboxMail(SQLModel, table=True):
    """One e-mail to one person, written in the same commit as the decision that asks for it
    and sent after that commit, so that a failed send never undoes the decision."""

    __tablename__ = "outbox_mail"

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: str = Field(max_length=64, index=True)
    to_address: str = Field(max_length=254)
    language: str = Field(default="nl", max_length=5)
    kind: str = Field(max_length=20)
    suggestion_id: str | None = Field(default=None, max_length=64, index=True)
    #: The meeting an invitation mail is about (its .ics is made from it when composed).
    meeting_id: str | None = Field(default=None, max_length=64)
    #: Where the mail's link leads, relative to the site ("/matches/sug-…").
    link: str = Field(max_length=300)
    status: str = Field(default=MailStatus.pending, max_length=10, index=True)
    error: str | None = Field(default=None, max_length=500)
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    #: When a sender took it: a mail left "sending" (a crash mid-send) is taken again later.
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class UserLanguage(SQLModel, table=True):
    """The language a user last chose on the pages: their mails are written in it."""

    __tablename__ = "user_language"

    user_id: str = Field(primary_key=True, max_length=64)
    language: str = Field(default="nl", max_length=5)
