"""What clients send and get about suggestions and their review (beside the tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import StringConstraints, field_validator
from sqlmodel import Field, SQLModel

from service.domain.tables import Page, Response, SuggestionStatus, TargetKind
from service.domain.workflow import Action, Side


class ComponentsPublic(SQLModel):
    dense: float
    lexical: float
    skill: float


class ConstraintNotePublic(SQLModel):
    """One constraint between the challenge and the student or research group, and whether
    it is met: a code with its parameters, said in the reader's language (the user's language
    setting, else Accept-Language, else Dutch) as the pages say it."""

    code: str = Field(
        description="level | period | hours | language | place (a student), capacity (a "
        "research group), room (the room the challenge or group has left now)."
    )
    ok: bool = Field(description="Whether the constraint is met.")
    label: str = Field(description="The constraint's name in the reader's language.")
    text: str = Field(description="The constraint in a sentence, in the reader's language.")
    params: dict[str, Any] = Field(
        description="The values the text is made of, per code: level {wanted, has}; period "
        "{start, end, free_from, free_until} (ISO dates, free_* may be null); hours {wanted, "
        "has}; language {wanted, spoken}; place {work_mode, place, student_place, travel_km, "
        "reach_km, distance_km} (km; reach_km null for remote work, distance_km null when "
        "unknown); capacity {capacity}; room {left, capacity, unit: students | projects}. "
        "Empty for a note stored before notes had codes."
    )
    constraint: str = Field(description="Deprecated: the same as code.")
    detail: str = Field(description="Deprecated: the same as text.")


class SuggestionPublic(SQLModel):
    """A suggestion as clients see it: the scores, the reasons and the review state."""

    id: str
    community_id: str
    challenge_id: str
    challenge_title: str
    target_kind: TargetKind
    target_id: str
    target_name: str
    score: float
    components: ComponentsPublic
    explanation: dict
    constraint_notes: list[ConstraintNotePublic]
    model_version: str
    status: SuggestionStatus | None = Field(
        description="The review status; null for the student a match is about until an "
        "intermediary introduced it."
    )
    reason: str | None = Field(
        description="The last decision's reason; never shown to the student it is about."
    )
    sme_response: Response
    target_response: Response
    sme_rating: int | None
    target_rating: int | None
    created_at: datetime
    updated_at: datetime
    room_left: int | None = Field(
        default=None,
        description="How many more matches the challenge (for a student: its students_wanted) "
        "or the research group (its capacity_projects) can take now: the capacity less its "
        "introduced, accepted and active matches. Null when that challenge or group is gone.",
    )


class SuggestionsPublic(Page):
    data: list[SuggestionPublic]


Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class ApproveBody(SQLModel):
    reason: Reason | None = Field(default=None, description="Why, for the record (optional).")

    @field_validator("reason")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


class RejectBody(SQLModel):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ] = Field(description="Why the match is rejected (required).")


class RespondBody(SQLModel):
    response: Literal["accepted", "declined"]
    side: Side | None = Field(
        default=None,
        description="Whose answer: an SME answers for the sme side and a student for the "
        "target side by default; intermediaries must say which side they record.",
    )
    reason: Reason | None = Field(default=None, description="Why (optional), for the record.")

    @field_validator("reason")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None


class RateBody(SQLModel):
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    side: Side | None = Field(
        default=None, description="Whose rating; as for respond, required for intermediaries."
    )


class SuggestionEventPublic(SQLModel):
    """One decision on a suggestion: who (actor_id), what, between which statuses, why, when."""

    id: int
    suggestion_id: str
    actor_id: str
    action: Action
    side: Side | None = None
    response: Response | None = None
    rating: int | None = None
    from_status: SuggestionStatus
    to_status: SuggestionStatus
    reason: str | None
    at: datetime


class SuggestionEventsPublic(Page):
    data: list[SuggestionEventPublic]
