"""The domain tables (SQLModel) and, per resource, its model family.

Per resource as in the FastAPI full-stack template: `XBase` (shared fields), `XCreate` (what a
client sends to create), `XUpdate` (all optional), the table `X`, `XPublic` (what a client
gets back) and `XsPublic` (a page: `{data, count}`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, NotRequired

import numpy as np
import sqlalchemy as sa
from pydantic import (
    EmailStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel
from typing_extensions import TypedDict

from service.domain.columns import UTCDateTime, VectorType


def new_id(prefix: str) -> str:
    """A fresh id such as `ch-3f9a1c2b7d4e`: readable kind, unguessable rest."""
    return f"{prefix}-{secrets.token_hex(6)}"


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- vocabularies -------------------------------------------------------------------------


class Role(StrEnum):
    student = "student"
    sme = "sme"
    intermediary = "intermediary"
    admin = "admin"
    #: Reads the aggregated figures of their programmes' communities; never sees a person.
    monitor = "monitor"
    #: An SME's employee or manager learning in the community: sees their own profile only.
    professional = "professional"


class Level(StrEnum):
    mbo = "mbo"
    hbo = "hbo"
    wo = "wo"


class ChallengeLevel(StrEnum):
    mbo = "mbo"
    hbo = "hbo"
    wo = "wo"
    any = "any"


class ChallengeKind(StrEnum):
    assignment = "assignment"
    traineeship = "traineeship"
    graduation = "graduation"


class ChallengeStatus(StrEnum):
    draft = "draft"
    published = "published"
    closed = "closed"


class Remote(StrEnum):
    onsite = "onsite"
    hybrid = "hybrid"
    remote = "remote"


class Visibility(StrEnum):
    intermediaries = "intermediaries"
    community_after_approval = "community_after_approval"


class OrganisationKind(StrEnum):
    sme = "sme"
    school = "school"
    university = "university"
    university_of_applied_sciences = "university_of_applied_sciences"
    intermediary = "intermediary"
    research = "research"


class ApprovalMode(StrEnum):
    approval = "approval"
    open = "open"


class TargetKind(StrEnum):
    student = "student"
    research_group = "research_group"


class SuggestionStatus(StrEnum):
    suggested = "suggested"
    approved = "approved"
    rejected = "rejected"
    introduced = "introduced"
    accepted = "accepted"
    declined = "declined"
    active = "active"
    completed = "completed"


class Response(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class SkillRef(TypedDict):
    """A skill as a label, with its ESCO URI where it is an ESCO skill."""

    label: str
    esco_uri: NotRequired[str | None]


def _enum(enum: type[StrEnum]) -> Any:
    # Stored as plain strings with room to spare: a new value later needs no migration.
    return sa.String(32)


def _json() -> Any:
    return sa.JSON()


#: An id a client may choose (imports keep their ids); safe in a URL path segment.
ClientIdStr = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)
]


class Page(SQLModel):
    """Common shape of list answers."""

    count: int


# -- community ----------------------------------------------------------------------------


class CommunityBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    region: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    themes: list[str] = Field(default_factory=list, sa_type=_json())
    approval_mode: ApprovalMode = Field(default=ApprovalMode.approval, sa_type=_enum(ApprovalMode))


class CommunityCreate(CommunityBase):
    id: ClientIdStr | None = Field(default=None, description="Keep empty for a new id.")


class CommunityUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    region: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    themes: list[str] | None = None
    approval_mode: ApprovalMode | None = None


class Community(CommunityBase, table=True):
    id: str = Field(default_factory=lambda: new_id("com"), primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class CommunityPublic(CommunityBase):
    id: str


class CommunitiesPublic(Page):
    data: list[CommunityPublic]


# -- membership: who and what belongs to which community ---------------------------------


class Membership(SQLModel, table=True):
    """Links a user, organisation, student or research group to a community."""

    # A member's communities are looked up by (member, kind) on every authenticated request:
    # one index on both. An index on `kind` alone (a handful of values) only misled SQLite's
    # planner into reading every student's membership to find one user's.
    __table_args__ = (sa.Index("ix_membership_member_id_kind", "member_id", "kind"),)

    community_id: str = Field(foreign_key="community.id", primary_key=True, ondelete="CASCADE")
    member_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=20)


# -- organisation -------------------------------------------------------------------------


class OrganisationBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    kind: OrganisationKind = Field(sa_type=_enum(OrganisationKind))
    city: str = Field(default="", max_length=100)
    description: str = Field(default="", max_length=5000)
    size_employees: int | None = Field(default=None, ge=1, le=1_000_000)


class OrganisationCreate(OrganisationBase):
    id: ClientIdStr | None = Field(default=None, description="Keep empty for a new id.")
    community_ids: list[str] = Field(min_length=1)


class OrganisationUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    kind: OrganisationKind | None = None
    city: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=5000)
    size_employees: int | None = Field(default=None, ge=1, le=1_000_000)


class Organisation(OrganisationBase, table=True):
    id: str = Field(default_factory=lambda: new_id("org"), primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class OrganisationPublic(OrganisationBase):
    id: str
    community_ids: list[str]


class OrganisationsPublic(Page):
    data: list[OrganisationPublic]


# -- embedded rows: their vector lives with them ------------------------------------------


class Embedded(SQLModel):
    """The stored embedding of a row's text view, and what it was made from."""

    embedding: np.ndarray | None = Field(default=None, sa_type=VectorType())
    #: The same text encoded as a query, made with `embedding` (same model, same text hash)
    #: when the model encodes queries and passages differently (e5's "query: "): a search
    #: for this row then reads it instead of encoding at request time. None for a model that
    #: encodes both alike (`embedding` serves both).
    query_embedding: np.ndarray | None = Field(default=None, sa_type=VectorType())
    embedding_model: str | None = Field(default=None, max_length=200)
    text_hash: str | None = Field(default=None, max_length=64)

    model_config = {"arbitrary_types_allowed": True}


# -- challenge ----------------------------------------------------------------------------


def check_students_min(value: int | None, wanted: int | None) -> int | None:
    """A challenge's minimum team size lies between 1 and its `students_wanted` (the field
    validators see `students_wanted` first: it is declared before)."""
    if value is not None and wanted is not None and value > wanted:
        raise PydanticCustomError(
            "students_min_above_wanted",
            "students_min ({min}) lies above students_wanted ({wanted})",
            {"min": value, "wanted": wanted},
        )
    return value


class ChallengeBase(SQLModel):
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(min_length=10, max_length=10_000)
    wanted_skills: list[SkillRef] = Field(default_factory=list, sa_type=_json())
    themes: list[str] = Field(default_factory=list, sa_type=_json())
    level: ChallengeLevel = Field(default=ChallengeLevel.any, sa_type=_enum(ChallengeLevel))
    kind: ChallengeKind = Field(default=ChallengeKind.assignment, sa_type=_enum(ChallengeKind))
    hours_per_week: int = Field(default=8, ge=1, le=60)
    weeks: int = Field(default=10, ge=1, le=104)
    period_start: date | None = None
    period_end: date | None = None
    place: str = Field(default="", max_length=100)
    remote: Remote = Field(default=Remote.hybrid, sa_type=_enum(Remote))
    language: str = Field(default="nl", min_length=2, max_length=5)
    students_wanted: int = Field(
        default=1, ge=1, le=20, description="the most students the challenge takes"
    )
    students_min: int | None = Field(
        default=None,
        ge=1,
        le=20,
        description="the fewest students worth a team (at most students_wanted); empty: a round "
        "proposes one up to students_wanted or three",
    )

    @field_validator("students_min")
    @classmethod
    def _min_not_above_wanted(cls, value: int | None, info: ValidationInfo) -> int | None:
        return check_students_min(value, info.data.get("students_wanted"))

    @model_validator(mode="after")
    def _period_in_order(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end lies before period_start")
        return self


class ChallengeCreate(ChallengeBase):
    id: ClientIdStr | None = Field(default=None, description="Keep empty for a new id.")
    community_id: str
    organisation_id: str | None = Field(
        default=None, description="An SME's own organisation when empty."
    )


class ChallengeUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=3, max_length=200)
    description: str | None = Field(default=None, min_length=10, max_length=10_000)
    wanted_skills: list[SkillRef] | None = None
    themes: list[str] | None = None
    level: ChallengeLevel | None = None
    kind: ChallengeKind | None = None
    hours_per_week: int | None = Field(default=None, ge=1, le=60)
    weeks: int | None = Field(default=None, ge=1, le=104)
    period_start: date | None = None
    period_end: date | None = None
    place: str | None = Field(default=None, max_length=100)
    remote: Remote | None = None
    language: str | None = Field(default=None, min_length=2, max_length=5)
    students_wanted: int | None = Field(default=None, ge=1, le=20)
    students_min: int | None = Field(default=None, ge=1, le=20)
    theme_id: str | None = Field(default=None, max_length=64)

    @field_validator("students_min")
    @classmethod
    def _min_not_above_wanted(cls, value: int | None, info: ValidationInfo) -> int | None:
        return check_students_min(value, info.data.get("students_wanted"))


class Challenge(ChallengeBase, Embedded, table=True):
    id: str = Field(default_factory=lambda: new_id("ch"), primary_key=True, max_length=64)
    community_id: str = Field(foreign_key="community.id", index=True)
    organisation_id: str = Field(foreign_key="organisation.id", index=True)
    status: ChallengeStatus = Field(
        default=ChallengeStatus.draft, sa_type=_enum(ChallengeStatus), index=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    # The continuity columns (service.usecases.themes). No foreign keys: they were added to an
    # existing table, which SQLite cannot give one without rebuilding it; the use cases check.
    #: The theme (a community's research line) the challenge belongs to.
    theme_id: str | None = Field(default=None, max_length=64, index=True)
    #: The challenge this one continues (a follow-up in a later period).
    follows_id: str | None = Field(default=None, max_length=64, index=True)
    #: Who supervises its team: a teacher's or a research group's id, carried to a follow-up.
    supervisor_id: str | None = Field(default=None, max_length=64)
    #: What the predecessor's team left open (its hand-over): the matcher reads it too.
    handover_open: str = Field(default="", max_length=5000, sa_column_kwargs={"server_default": ""})


class ChallengePublic(ChallengeBase):
    id: str
    community_id: str
    organisation_id: str
    status: ChallengeStatus
    created_at: datetime
    updated_at: datetime
    theme_id: str | None = None
    follows_id: str | None = None
    supervisor_id: str | None = None


class ChallengesPublic(Page):
    data: list[ChallengePublic]


# -- student profile ----------------------------------------------------------------------


class StudentBase(SQLModel):
    full_name: str = Field(min_length=2, max_length=200)
    programme: str = Field(min_length=2, max_length=200)
    institution: str = Field(default="", max_length=200)
    level: Level = Field(sa_type=_enum(Level))
    year: int = Field(default=1, ge=1, le=8)
    skills: list[SkillRef] = Field(default_factory=list, sa_type=_json())
    interests: list[str] = Field(default_factory=list, sa_type=_json())
    about: str = Field(default="", max_length=5000)
    languages: list[str] = Field(default_factory=lambda: ["nl"], sa_type=_json())
    available_from: date | None = None
    available_until: date | None = None
    hours_per_week: int = Field(default=8, ge=1, le=60)
    region: str = Field(default="", max_length=100)
    travel_km: int = Field(default=25, ge=0, le=500)
    consent_matching: bool = Field(default=False, description="May this profile be matched?")
    visibility: Visibility = Field(default=Visibility.intermediaries, sa_type=_enum(Visibility))

    @model_validator(mode="after")
    def _availability_in_order(self):
        start, end = self.available_from, self.available_until
        if start and end and end < start:
            raise ValueError("available_until lies before available_from")
        return self


class StudentCreate(StudentBase):
    id: ClientIdStr | None = Field(default=None, description="Keep empty for a new id.")
    community_ids: list[str] = Field(min_length=1)
    user_id: str | None = Field(default=None, description="The student's own login, if any.")


class StudentUpdate(SQLModel):
    full_name: str | None = Field(default=None, min_length=2, max_length=200)
    programme: str | None = Field(default=None, min_length=2, max_length=200)
    institution: str | None = Field(default=None, max_length=200)
    level: Level | None = None
    year: int | None = Field(default=None, ge=1, le=8)
    skills: list[SkillRef] | None = None
    interests: list[str] | None = None
    about: str | None = Field(default=None, max_length=5000)
    languages: list[str] | None = None
    available_from: date | None = None
    available_until: date | None = None
    hours_per_week: int | None = Field(default=None, ge=1, le=60)
    region: str | None = Field(default=None, max_length=100)
    travel_km: int | None = Field(default=None, ge=0, le=500)
    consent_matching: bool | None = None
    visibility: Visibility | None = None


class StudentProfile(StudentBase, Embedded, table=True):
    __tablename__ = "student_profile"

    id: str = Field(default_factory=lambda: new_id("stu"), primary_key=True, max_length=64)
    user_id: str | None = Field(default=None, foreign_key="user.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class StudentPublic(StudentBase):
    id: str
    community_ids: list[str]
    user_id: str | None
    updated_at: datetime


class StudentsPublic(Page):
    data: list[StudentPublic]


# -- research group -----------------------------------------------------------------------


class ResearchGroupBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    institution: str = Field(default="", max_length=200)
    expertise: str = Field(min_length=10, max_length=10_000)
    themes: list[str] = Field(default_factory=list, sa_type=_json())
    capacity_projects: int = Field(default=2, ge=0, le=100)
    contact_name: str = Field(default="", max_length=200)
    contact_email: EmailStr | None = Field(default=None, max_length=254)


class ResearchGroupCreate(ResearchGroupBase):
    id: ClientIdStr | None = Field(default=None, description="Keep empty for a new id.")
    community_ids: list[str] = Field(min_length=1)


class ResearchGroupUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=2, max_length=200)
    institution: str | None = Field(default=None, max_length=200)
    expertise: str | None = Field(default=None, min_length=10, max_length=10_000)
    themes: list[str] | None = None
    capacity_projects: int | None = Field(default=None, ge=0, le=100)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: EmailStr | None = Field(default=None, max_length=254)


class ResearchGroup(ResearchGroupBase, Embedded, table=True):
    __tablename__ = "research_group"

    id: str = Field(default_factory=lambda: new_id("rg"), primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class ResearchGroupPublic(ResearchGroupBase):
    id: str
    community_ids: list[str]


class ResearchGroupsPublic(Page):
    data: list[ResearchGroupPublic]


# -- users and API keys -------------------------------------------------------------------


class UserBase(SQLModel):
    email: EmailStr = Field(max_length=254, unique=True, index=True, sa_type=sa.String(254))

    @field_validator("email")
    @classmethod
    def _lower_case(cls, email: str) -> str:
        # Logins compare lower-cased addresses; "Jan@X.nl" must be able to log in.
        return email.lower()

    full_name: str = Field(min_length=2, max_length=200)
    role: Role = Field(sa_type=_enum(Role))
    organisation_id: str | None = Field(default=None, foreign_key="organisation.id")


class UserCreate(UserBase):
    id: ClientIdStr | None = Field(default=None, description="Keep empty for a new id.")
    password: str = Field(min_length=10, max_length=128)
    community_ids: list[str] = Field(default_factory=list)


class UserUpdate(SQLModel):
    full_name: str | None = Field(default=None, min_length=2, max_length=200)
    password: str | None = Field(default=None, min_length=10, max_length=128)
    current_password: str | None = Field(
        default=None, max_length=128, description="Required to change the password."
    )
    keep_sessions: bool = Field(
        default=False,
        description="With a new password: keep the other login tokens and page sessions "
        "(by default they end, this request's token too).",
    )
    keep_api_keys: bool = Field(
        default=False,
        description="With a new password: keep the API keys (by default they are revoked).",
    )


class User(UserBase, table=True):
    id: str = Field(default_factory=lambda: new_id("usr"), primary_key=True, max_length=64)
    hashed_password: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    #: Carried in every login token; logout and a password change move it on
    #: (service.usecases.sessions).
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class UserPublic(UserBase):
    id: str
    is_active: bool
    community_ids: list[str]
    student_id: str | None = None


class UsersPublic(Page):
    data: list[UserPublic]


class ApiKey(SQLModel, table=True):
    """A machine client's key; only its hash is kept."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=lambda: new_id("key"), primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class ApiKeyCreate(SQLModel):
    name: str = Field(min_length=1, max_length=100)


class ApiKeyPublic(SQLModel):
    id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="Shown once; send it as the X-API-Key header.")


class ApiKeysPublic(Page):
    data: list[ApiKeyPublic]


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"


# -- suggestions and their review ---------------------------------------------------------


class Suggestion(SQLModel, table=True):
    """A scored pair (challenge × student or research group) with its review state."""

    __table_args__ = (sa.UniqueConstraint("challenge_id", "target_kind", "target_id"),)

    id: str = Field(default_factory=lambda: new_id("sug"), primary_key=True, max_length=64)
    community_id: str = Field(foreign_key="community.id", index=True)
    challenge_id: str = Field(foreign_key="challenge.id", index=True)
    target_kind: TargetKind = Field(sa_type=_enum(TargetKind))
    target_id: str = Field(max_length=64, index=True)
    score: float
    dense: float
    lexical: float
    skill: float
    explanation: dict = Field(default_factory=dict, sa_type=_json())
    constraint_notes: list[dict] = Field(default_factory=list, sa_type=_json())
    model_version: str = Field(max_length=300)
    status: SuggestionStatus = Field(
        default=SuggestionStatus.suggested, sa_type=_enum(SuggestionStatus), index=True
    )
    reason: str | None = Field(default=None, max_length=2000)
    sme_response: Response = Field(default=Response.pending, sa_type=_enum(Response))
    target_response: Response = Field(default=Response.pending, sa_type=_enum(Response))
    sme_rating: int | None = Field(default=None, ge=1, le=5)
    target_rating: int | None = Field(default=None, ge=1, le=5)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class SuggestionEvent(SQLModel, table=True):
    """One decision on a suggestion: who, what, when and why. Never edited."""

    __tablename__ = "suggestion_event"

    id: int | None = Field(default=None, primary_key=True)
    suggestion_id: str = Field(foreign_key="suggestion.id", index=True, ondelete="CASCADE")
    actor_id: str = Field(max_length=64)
    action: str = Field(max_length=30)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    reason: str | None = Field(default=None, max_length=2000)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


# -- programmes: funding schemes that span communities -----------------------------------------


class ProgrammeBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    funder: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    runs_from: date | None = None
    runs_until: date | None = None


class Programme(ProgrammeBase, table=True):
    """A funding scheme (a province, NWO, a growth fund) following several communities."""

    id: str = Field(default_factory=lambda: new_id("prg"), primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class ProgrammeCommunity(SQLModel, table=True):
    """A community a programme funds (and so follows)."""

    __tablename__ = "programme_community"

    programme_id: str = Field(foreign_key="programme.id", primary_key=True, ondelete="CASCADE")
    community_id: str = Field(
        foreign_key="community.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class ProgrammeMonitor(SQLModel, table=True):
    """A user with the monitor role who follows a programme."""

    __tablename__ = "programme_monitor"

    programme_id: str = Field(foreign_key="programme.id", primary_key=True, ondelete="CASCADE")
    user_id: str = Field(foreign_key="user.id", primary_key=True, index=True, ondelete="CASCADE")


class ProgrammePublic(ProgrammeBase):
    id: str
    community_ids: list[str]


class ProgrammesPublic(Page):
    data: list[ProgrammePublic]


# -- the audit log ------------------------------------------------------------------------


class AuditEntry(SQLModel, table=True):
    """One access to or decision about personal data: who, what, when and why. Append-only.

    `subject_id` is the person the entry is about (a student profile id, or a user id), so a
    person's log can be found and, on erasure, pseudonymised. `community_id` is the community
    the object belongs to, where it has one; intermediaries see the entries of theirs.
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), index=True)
    actor_id: str = Field(max_length=64, index=True)
    action: str = Field(max_length=40, index=True)
    object_kind: str = Field(max_length=30)
    object_id: str = Field(max_length=64, index=True)
    subject_id: str | None = Field(default=None, max_length=64, index=True)
    community_id: str | None = Field(default=None, max_length=64, index=True)
    reason: str | None = Field(default=None, max_length=2000)
    details: dict = Field(default_factory=dict, sa_type=_json())


class AuditEntryPublic(SQLModel):
    id: int
    at: datetime
    actor_id: str
    action: str
    object_kind: str
    object_id: str
    subject_id: str | None
    community_id: str | None
    reason: str | None
    details: dict


class AuditEntriesPublic(Page):
    data: list[AuditEntryPublic]


# -- bulk jobs ----------------------------------------------------------------------------


class Job(SQLModel, table=True):
    """A bulk job (an import, a re-embedding) done in committed batches, and how far it got.

    Each batch commits its rows together with `done`, so after a crash a rerun of the same job
    (an import: the same kind and file, known by `source_digest`) starts at the first record
    no batch has committed. `status` is running until the last batch, then done.
    """

    id: str = Field(default_factory=lambda: new_id("job"), primary_key=True, max_length=64)
    action: str = Field(max_length=20)  # import | reembed
    target: str = Field(max_length=30)  # the kind: students, challenges, ...; "all"
    source_digest: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(default="running", max_length=20, index=True)
    total: int = 0
    done: int = 0
    batch_size: int
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class ChallengeRanking(SQLModel, table=True):
    """That a challenge's students were ranked for it (and when), even if none came out.

    Written by the first ranking of the challenge's students
    (`service.usecases.suggestions.students_for_challenge`: the review pages, the API, publishing
    on the pages, the dashboard's refresh). Stored suggestions cannot tell this: a student's own
    page stores suggestions of a few challenges for that student alone, and a challenge nobody
    is eligible for stores none. The dashboard counts a published challenge without one as
    "not ranked yet", not as one without a good candidate.
    """

    __tablename__ = "challenge_ranking"

    challenge_id: str = Field(foreign_key="challenge.id", primary_key=True, ondelete="CASCADE")
    ranked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    candidates: int = 0  # students that first ranking suggested


class DashboardRefresh(SQLModel, table=True):
    """One background refresh of a community's dashboard, and its result.

    The refresh ranks the open challenges never ranked, then computes the fairness of exposure
    over a defined population: every consenting student of the community in the full ranking
    of every open challenge (`service.usecases.fairness.population_exposure`). The result is
    aggregates per level and per region, never a student: `by_level` and `by_region` hold the
    rows of `service.usecases.fairness.GroupExposure`. `status`: running, done or failed.
    """

    __tablename__ = "dashboard_refresh"

    id: str = Field(default_factory=lambda: new_id("dsh"), primary_key=True, max_length=64)
    community_id: str = Field(foreign_key="community.id", index=True, ondelete="CASCADE")
    status: str = Field(default="running", max_length=20)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    ranked: int = 0  # challenges ranked because they never were
    challenges: int = 0  # open challenges in the fairness computation
    students: int = 0  # consenting students of the community (the population)
    rankings: int = 0  # (challenge, student) places in the full rankings
    by_level: list[dict] = Field(default_factory=list, sa_type=_json())
    by_region: list[dict] = Field(default_factory=list, sa_type=_json())
    error: str = Field(default="", max_length=500)


# -- teachers (docenten): members who supervise teams ------------------------------------


class TeacherBase(SQLModel):
    full_name: str = Field(min_length=2, max_length=200)
    institution: str = Field(default="", max_length=200)
    programme: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=100)
    expertise: str = Field(default="", max_length=10_000)
    skills: list[SkillRef] = Field(default_factory=list, sa_type=_json())
    themes: list[str] = Field(default_factory=list, sa_type=_json())
    supervision_capacity: int = Field(default=2, ge=0, le=100, description="teams at once")
    email: EmailStr | None = Field(default=None, max_length=254)


class TeacherCreate(TeacherBase):
    id: ClientIdStr | None = Field(default=None, description="Keep empty for a new id.")
    community_ids: list[str] = Field(min_length=1)


class TeacherUpdate(SQLModel):
    full_name: str | None = Field(default=None, min_length=2, max_length=200)
    institution: str | None = Field(default=None, max_length=200)
    programme: str | None = Field(default=None, max_length=200)
    place: str | None = Field(default=None, max_length=100)
    expertise: str | None = Field(default=None, max_length=10_000)
    skills: list[SkillRef] | None = None
    themes: list[str] | None = None
    supervision_capacity: int | None = Field(default=None, ge=0, le=100)
    email: EmailStr | None = Field(default=None, max_length=254)


class Teacher(TeacherBase, table=True):
    id: str = Field(default_factory=lambda: new_id("tea"), primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class TeacherPublic(TeacherBase):
    id: str
    community_ids: list[str]


class TeachersPublic(Page):
    data: list[TeacherPublic]


# -- professionals (werknemers and leidinggevenden of SMEs, learning in the community) --------


class ProfessionalRole(StrEnum):
    werknemer = "werknemer"
    leidinggevende = "leidinggevende"


class ProfessionalBase(SQLModel):
    full_name: str = Field(min_length=2, max_length=200)
    job_role: ProfessionalRole = Field(sa_type=_enum(ProfessionalRole))
    job_title: str = Field(default="", max_length=200)
    skills: list[SkillRef] = Field(
        default_factory=list, sa_type=_json(), description="What they bring (ESCO labels)."
    )
    learning_wishes: str = Field(
        default="", max_length=5000, description="What they want to learn, in their own words."
    )
    hours_per_week: int = Field(default=4, ge=1, le=60)


class ProfessionalCreate(ProfessionalBase):
    id: ClientIdStr | None = Field(default=None, description="Keep empty for a new id.")
    organisation_id: str = Field(max_length=64, description="The SME that employs them.")
    community_ids: list[str] = Field(min_length=1)
    user_id: str | None = Field(default=None, description="Their own login, if any.")


class ProfessionalUpdate(SQLModel):
    full_name: str | None = Field(default=None, min_length=2, max_length=200)
    job_role: ProfessionalRole | None = None
    job_title: str | None = Field(default=None, max_length=200)
    skills: list[SkillRef] | None = None
    learning_wishes: str | None = Field(default=None, max_length=5000)
    hours_per_week: int | None = Field(default=None, ge=1, le=60)


class Professional(ProfessionalBase, table=True):
    id: str = Field(default_factory=lambda: new_id("pro"), primary_key=True, max_length=64)
    organisation_id: str = Field(foreign_key="organisation.id", index=True)
    user_id: str | None = Field(default=None, foreign_key="user.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class ProfessionalPublic(ProfessionalBase):
    id: str
    organisation_id: str
    user_id: str | None
    community_ids: list[str]
    updated_at: datetime


class ProfessionalsPublic(Page):
    data: list[ProfessionalPublic]


class LearningSuggestion(SQLModel):
    """A challenge elsewhere in the community where a professional would learn, and why."""

    challenge_id: str
    title: str
    organisation_id: str
    community_id: str
    score: float
    shared_skills: list[str]
    matching_terms: list[str]


class LearningSuggestions(SQLModel):
    data: list[LearningSuggestion]


class RoundStaff(SQLModel):
    """The professionals of a challenge's own organisation who join its team in a round."""

    professional_ids: list[str] = Field(default_factory=list, max_length=20)


# -- rounds: a community staffs its open challenges for one period -----------------------


class RoundStatus(StrEnum):
    open = "open"
    proposed = "proposed"
    committed = "committed"


class RoundChallengeRules(SQLModel):
    """A challenge of the round and the rules its team keeps."""

    challenge_id: str = Field(max_length=64)
    team_min: int = Field(default=1, ge=1, le=20)
    team_max: int = Field(default=3, ge=1, le=20)
    levels: list[Level] = Field(
        default_factory=lambda: [Level.mbo, Level.hbo, Level.wo], min_length=1, sa_type=_json()
    )
    min_programmes: int = Field(default=1, ge=1, le=20)
    required_skills: list[SkillRef] = Field(default_factory=list, sa_type=_json())

    @model_validator(mode="after")
    def _sizes_in_order(self):
        if self.team_min > self.team_max:
            raise ValueError("team_min lies above team_max")
        return self


class RoundBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    period_label: str = Field(min_length=2, max_length=100)
    period_start: date
    period_end: date
    time_limit_s: float = Field(default=10.0, gt=0, le=300, description="solver time limit")
    sme_mark_weight: float = Field(
        default=0.25,
        ge=0,
        le=5,
        description="fit an SME's mark ('graag') adds to a pair, next to a student's first "
        "preference's 1.0",
    )

    @model_validator(mode="after")
    def _period_in_order(self):
        if self.period_end < self.period_start:
            raise ValueError("period_end lies before period_start")
        return self


class RoundCreate(RoundBase):
    community_id: str
    challenges: list[RoundChallengeRules] | None = Field(
        default=None,
        description="Empty: the community's published challenges of the period, with rules "
        "from their level and size.",
    )
    student_ids: list[str] | None = Field(
        default=None,
        description="Empty: the community's consenting students available in the period.",
    )


class Round(RoundBase, table=True):
    id: str = Field(default_factory=lambda: new_id("rnd"), primary_key=True, max_length=64)
    community_id: str = Field(foreign_key="community.id", index=True, max_length=64)
    status: RoundStatus = Field(default=RoundStatus.open, sa_type=_enum(RoundStatus))
    #: The latest proposal (teams, left-out students, unstaffed challenges, with reasons).
    proposal: dict | None = Field(default=None, sa_type=_json())
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    committed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class RoundChallenge(RoundChallengeRules, table=True):
    __tablename__ = "round_challenge"

    round_id: str = Field(
        foreign_key="round.id", primary_key=True, ondelete="CASCADE", max_length=64
    )
    challenge_id: str = Field(
        foreign_key="challenge.id", primary_key=True, ondelete="CASCADE", max_length=64
    )
    #: Students the SME would love to have (student ids).
    sme_marks: list[str] = Field(default_factory=list, sa_type=_json())
    #: Professionals of the challenge's own organisation in its team (professional ids): they
    #: stay in it whatever the allocation proposes, and take places of its team_max.
    staff_ids: list[str] = Field(
        default_factory=list, sa_type=_json(), sa_column_kwargs={"server_default": "[]"}
    )


class RoundStudent(SQLModel, table=True):
    """An eligible student of a round, with their ranked challenges (best first, ≤ 5)."""

    __tablename__ = "round_student"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "candidate_no", name="uq_round_student_candidate_no"),
    )

    round_id: str = Field(
        foreign_key="round.id", primary_key=True, ondelete="CASCADE", max_length=64
    )
    student_id: str = Field(
        foreign_key="student_profile.id", primary_key=True, ondelete="CASCADE", max_length=64
    )
    preferences: list[str] = Field(default_factory=list, sa_type=_json())
    #: The student's pseudonym towards SMEs in this round ("Kandidaat 3"): drawn at random
    #: when the round opens (or when first needed), unique within the round.
    candidate_no: int | None = Field(default=None)


class PairKind(StrEnum):
    pin = "pin"
    forbid = "forbid"


class RoundPairBase(SQLModel):
    """A pin or a forbid: a student (or a supervisor) with a challenge of the round."""

    challenge_id: str = Field(max_length=64)
    student_id: str | None = Field(default=None, max_length=64)
    supervisor_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_side(self):
        if (self.student_id is None) == (self.supervisor_id is None):
            raise ValueError("give exactly one of student_id or supervisor_id")
        return self


class RoundPair(RoundPairBase, table=True):
    __tablename__ = "round_pair"

    id: int | None = Field(default=None, primary_key=True)
    round_id: str = Field(foreign_key="round.id", index=True, ondelete="CASCADE", max_length=64)
    kind: PairKind = Field(sa_type=_enum(PairKind))


class RoundPairs(SQLModel):
    """Every pin and forbid of a round (a move is a pin of the student elsewhere)."""

    pins: list[RoundPairBase] = Field(default_factory=list, max_length=1000)
    forbids: list[RoundPairBase] = Field(default_factory=list, max_length=1000)


class RoundPreferences(SQLModel):
    challenge_ids: list[str] = Field(max_length=5, description="best first, at most five")


class RoundPublic(RoundBase):
    id: str
    community_id: str
    status: RoundStatus
    challenges: list[RoundChallengeRules]
    student_ids: list[str]
    pins: list[RoundPairBase]
    forbids: list[RoundPairBase]
    created_at: datetime
    updated_at: datetime
    committed_at: datetime | None


class RoundsPublic(Page):
    data: list[RoundPublic]


class RoundCandidate(SQLModel):
    """A student who ranked an SME's challenge in a round, as the SME sees them before a
    match is approved: a number within the round instead of a name, and nothing else that
    could identify them (no e-mail, no free text, the nearest town instead of the place)."""

    candidate: int = Field(description="the student's number in this round: 'Kandidaat 3'")
    programme: str
    level: Level
    skills: list[str]
    available_from: date | None
    available_until: date | None
    hours_per_week: int
    area: str | None = Field(
        description="the nearest town of at least 20,000 inhabitants (the place itself when "
        "it is that large); empty when the place is unknown"
    )
    preference_rank: int = Field(description="where the student ranked this challenge (1: first)")
    marked: bool = Field(description="the SME would love to have this student ('graag')")


class RoundCandidates(SQLModel):
    round_id: str
    round_name: str
    round_status: RoundStatus
    challenge_id: str
    challenge_title: str
    data: list[RoundCandidate]


# -- continuity: themes hold challenges over the years; a team hands over to the next -----


class ThemeBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=5000)
    research_group_id: str | None = Field(
        default=None, max_length=64, description="The research group that carries the line."
    )


class ThemeCreate(ThemeBase):
    community_id: str = Field(max_length=64)


class Theme(ThemeBase, table=True):
    """A research line of a community, with its research group: it holds challenges over years."""

    id: str = Field(default_factory=lambda: new_id("thm"), primary_key=True, max_length=64)
    community_id: str = Field(foreign_key="community.id", index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class ThemePublic(ThemeBase):
    id: str
    community_id: str


class ThemesPublic(Page):
    data: list[ThemePublic]


#: A link in a hand-over: a web address, nothing else (it is shown as a link on pages).
LinkStr = Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"]+$", max_length=500)]


class HandoverBase(SQLModel):
    """What a team leaves for the next: what was done, what is open, where the work is."""

    done: str = Field(min_length=1, max_length=5000)
    open: str = Field(default="", max_length=5000)
    links: list[LinkStr] = Field(default_factory=list, max_length=20, sa_type=_json())


class Handover(HandoverBase, table=True):
    """The hand-over of a challenge's team, written on one of its completed matches (one per
    challenge: the team's, whoever of it wrote last). Who wrote it is in the audit log."""

    challenge_id: str = Field(
        foreign_key="challenge.id", primary_key=True, ondelete="CASCADE", max_length=64
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class HandoverPublic(HandoverBase):
    challenge_id: str
    updated_at: datetime


class FollowUpCreate(SQLModel):
    """A follow-up of a completed challenge in a later period; the rest is carried over."""

    period_start: date
    period_end: date
    title: str | None = Field(default=None, min_length=3, max_length=200)
    description: str | None = Field(default=None, min_length=10, max_length=10_000)
    theme_id: str | None = Field(
        default=None, max_length=64, description="Only for a challenge of no theme yet."
    )

    @model_validator(mode="after")
    def _period_in_order(self):
        if self.period_end < self.period_start:
            raise ValueError("period_end lies before period_start")
        return self


class ChainTeam(SQLModel):
    """A challenge's team: its size, and its members' names for those who may see them."""

    size: int
    members: list[str] | None = None


class ChainLink(SQLModel):
    """One challenge of a theme's chain with its team, result and ratings."""

    challenge_id: str
    title: str
    status: ChallengeStatus
    period_start: date | None
    period_end: date | None
    year: int | None
    follows_id: str | None
    organisation: str
    team: ChainTeam
    result: str = Field(description="open | running | completed | none")
    sme_rating: float | None
    team_rating: float | None
    handover: HandoverPublic | None


class ThemeChain(SQLModel):
    theme: ThemePublic
    research_group: str | None
    links: list[ChainLink]
