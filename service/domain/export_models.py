"""The personal-data export: everything lcmatch stores about one person, as clients get it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from service.domain.suggestion_models import SuggestionEventPublic, SuggestionPublic
from service.domain.tables import (
    ApiKeyPublic,
    AuditEntryPublic,
    ProfessionalPublic,
    StudentPublic,
    UserBase,
)


class AccountExport(UserBase):
    """The account, without its password hash."""

    id: str
    is_active: bool
    created_at: datetime


class MembershipExport(SQLModel):
    """A community the account ("user"), the student profile ("student") or the
    professional profile ("professional") belongs to."""

    community_id: str
    community_name: str
    kind: str


class EmbeddingExport(SQLModel):
    """The profile's embedding: derived from `text` (programme, about, skills, interests; never
    the name or contact details) by the model `model`."""

    model: str | None
    text_hash: str | None
    text: str
    vector: list[float] | None
    #: The same text encoded as a search query (models that encode queries apart, e5).
    query_vector: list[float] | None = None


class StudentExport(StudentPublic):
    created_at: datetime
    embedding: EmbeddingExport


class RoundEntryExport(SQLModel):
    """A round the student takes part in: their preferences and the team proposed for them."""

    round_id: str
    round_name: str
    community_id: str
    preferences: list[str]
    proposed_challenge_id: str | None


class InvitationExport(SQLModel):
    """An invitation to a meeting that was sent to the person, with their answer."""

    meeting_id: str
    meeting_title: str
    community_id: str
    starts_at: datetime
    reason: str
    status: str
    attended: bool | None
    invited_at: datetime
    answered_at: datetime | None


class PersonalDataExport(SQLModel):
    """Everything lcmatch stores about one person."""

    exported_at: datetime
    account: AccountExport | None = None
    memberships: list[MembershipExport]
    student_profile: StudentExport | None = None
    #: The profile of an account that is an SME's employee or manager (a professional).
    professional_profile: ProfessionalPublic | None = None
    suggestions: list[SuggestionPublic]
    suggestion_events: list[SuggestionEventPublic]
    api_keys: list[ApiKeyPublic]
    rounds: list[RoundEntryExport] = []
    meeting_invitations: list[InvitationExport] = []
    audit_log: list[AuditEntryPublic]
