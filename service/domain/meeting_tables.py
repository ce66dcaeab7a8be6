"""The tables of meetings: an intermediary's meeting on a theme and the invitations to it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from service.domain.columns import UTCDateTime
from service.domain.tables import Page, new_id, utcnow


class InviteeKind(StrEnum):
    sme = "sme"  # an SME organisation (its people get the mail)
    student = "student"
    research_group = "research_group"
    professional = "professional"  # an SME's employee or manager (their own login, if any)
    teacher = "teacher"  # a docent (no login: the intermediary records the answer)


class InvitationStatus(StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"


class MeetingBase(SQLModel):
    title: str = Field(min_length=2, max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime())
    ends_at: datetime = Field(sa_type=UTCDateTime())
    #: A Dutch place of the gazetteer, stored under its own name (like every place).
    place: str = Field(max_length=120)
    host_organisation_id: str | None = Field(
        default=None, foreign_key="organisation.id", max_length=64
    )
    capacity: int = Field(ge=1, le=10000)
    notes: str = Field(default="", max_length=5000)


class MeetingCreate(MeetingBase):
    theme_id: str = Field(max_length=64)


class Meeting(MeetingBase, table=True):
    """A meeting an intermediary plans on one of the community's themes."""

    id: str = Field(default_factory=lambda: new_id("mtg"), primary_key=True, max_length=64)
    theme_id: str = Field(foreign_key="theme.id", index=True, max_length=64)
    community_id: str = Field(foreign_key="community.id", index=True, max_length=64)
    created_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class Invitation(SQLModel, table=True):
    """One invitee of a meeting: an SME, a student, a research group, a professional or a
    teacher, and their answer."""

    __table_args__ = (UniqueConstraint("meeting_id", "invitee_kind", "invitee_id"),)

    id: str = Field(default_factory=lambda: new_id("inv"), primary_key=True, max_length=64)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE", max_length=64)
    invitee_kind: str = Field(max_length=20)
    invitee_id: str = Field(max_length=64, index=True)
    #: The login the mail goes to (None: a research group, mailed at its contact address).
    user_id: str | None = Field(default=None, max_length=64, index=True)
    #: Why lcmatch suggested them: the terms and skills they share with the theme.
    reason: str = Field(default="", max_length=1000)
    status: str = Field(default=InvitationStatus.invited, max_length=10)
    #: Recorded by the intermediary after the meeting; None until then.
    attended: bool | None = Field(default=None)
    invited_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


# -- what the API answers --------------------------------------------------------------------


class MeetingPublic(MeetingBase):
    id: str
    theme_id: str
    community_id: str
    accepted: int
    #: Invitees who later got a match (introduced or further) in the community; None for
    #: those who are not the community's intermediaries.
    led_to_matches: int | None = None


class MeetingsPublic(Page):
    data: list[MeetingPublic]


class InvitationPublic(SQLModel):
    id: str
    meeting_id: str
    invitee_kind: str
    invitee_id: str
    name: str
    reason: str
    status: str
    attended: bool | None


class MeetingDetail(SQLModel):
    meeting: MeetingPublic
    #: Every invitation, with names: for the community's intermediaries only.
    invitations: list[InvitationPublic] | None
    #: The caller's own invitation(s) (an SME's organisation, a student's profile).
    mine: list[InvitationPublic]


class InviteeSuggestion(SQLModel):
    invitee_kind: str
    invitee_id: str
    name: str
    score: float
    reason: str  # what they share with the theme, the shared items themselves
    reason_nl: str = ""  # the reason in words, Dutch
    reason_en: str = ""  # and English


class InvitationCreate(SQLModel):
    invitee_kind: InviteeKind
    invitee_id: str = Field(max_length=64)


class AnswerBody(SQLModel):
    answer: InvitationStatus


class AttendanceBody(SQLModel):
    #: The invitations present; every other invitation of the meeting is recorded absent.
    present: list[str] = Field(default_factory=list, max_length=10000)
