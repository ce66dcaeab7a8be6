"""The rights of the people whose data lcmatch holds: access (export), accountability (the
audit log), erasure, and a fairness report on who the suggestions show.

The institutions stay the controller; these routes let them, and the people themselves,
exercise every right without going to the database.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import Session, SQLModel, select

from service import audit
from service.access import seen_in, visible_student
from service.db import scrub_wal
from service.deps import Actor, Admin, CurrentUser, Manager, PageDep, SessionDep, not_found
from service.fairness import FairnessReport, fairness_report
from service.matching import text_view
from service.paging import paginate
from service.privacy import erase_user
from service.routes.common import AUTH, ROLE
from service.routes.reviews import SuggestionEventPublic, event_public
from service.suggestions import SuggestionPublic, suggestion_public
from service.tables import (
    ApiKey,
    ApiKeyPublic,
    AuditEntriesPublic,
    AuditEntry,
    AuditEntryPublic,
    Community,
    Membership,
    StudentProfile,
    StudentPublic,
    Suggestion,
    SuggestionEvent,
    TargetKind,
    User,
    UserBase,
    utcnow,
)

router = APIRouter(tags=["privacy"])

STUDENT_NOT_FOUND = {404: {"description": "No such student profile, or not yours to see"}}


# -- access: everything stored about a person -------------------------------------------------


class AccountExport(UserBase):
    """The account, without its password hash."""

    id: str
    is_active: bool
    created_at: datetime


class MembershipExport(SQLModel):
    """A community the account ("user") or the student profile ("student") belongs to."""

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


class StudentExport(StudentPublic):
    created_at: datetime
    embedding: EmbeddingExport


class PersonalDataExport(SQLModel):
    """Everything lcmatch stores about one person."""

    exported_at: datetime
    account: AccountExport | None = None
    memberships: list[MembershipExport]
    student_profile: StudentExport | None = None
    suggestions: list[SuggestionPublic]
    suggestion_events: list[SuggestionEventPublic]
    api_keys: list[ApiKeyPublic]
    audit_log: list[AuditEntryPublic]


def _memberships(session: Session, members: list[tuple[str, str]]) -> list[MembershipExport]:
    found = []
    for member_id, kind in members:
        rows = session.exec(
            select(Membership.community_id, Community.name)
            .join(Community, Community.id == Membership.community_id)
            .where(Membership.member_id == member_id, Membership.kind == kind)
            .order_by(Membership.community_id)
        )
        found += [MembershipExport(community_id=c, community_name=n, kind=kind) for c, n in rows]
    return found


def _student_export(session: Session, student: StudentProfile) -> StudentExport:
    communities = sorted(
        session.exec(
            select(Membership.community_id).where(
                Membership.member_id == student.id, Membership.kind == "student"
            )
        )
    )
    vector = None if student.embedding is None else [float(x) for x in student.embedding]
    embedding = EmbeddingExport(
        model=student.embedding_model,
        text_hash=student.text_hash,
        text=text_view("student", student),
        vector=vector,
    )
    return StudentExport.model_validate(
        student, update={"community_ids": communities, "embedding": embedding}
    )


def personal_data(
    session: Session, viewer: Actor, user: User | None, student: StudentProfile | None
) -> PersonalDataExport:
    """The export of one person: their account and/or student profile and all that hangs on
    them. Audit entries are those about the person (who viewed or decided what about them);
    the entries of their own actions are about others and stay out.

    The person themself and admins get all of it; an intermediary exporting a student of
    several communities gets what hangs on the student in the intermediary's communities only
    (another community's suggestions, decisions and reasons stay there)."""
    own = (user is not None and viewer.id == user.id) or (
        student is not None and viewer.student_id == student.id
    )
    within = None if own else seen_in(viewer)
    members: list[tuple[str, str]] = []
    subjects: list[str] = []
    if user is not None:
        members.append((user.id, "user"))
        subjects.append(user.id)
    suggestions: list[Suggestion] = []
    events: list[SuggestionEvent] = []
    if student is not None:
        members.append((student.id, "student"))
        subjects.append(student.id)
        about = select(Suggestion).where(
            Suggestion.target_kind == TargetKind.student, Suggestion.target_id == student.id
        )
        if within is not None:
            about = about.where(Suggestion.community_id.in_(within))
        suggestions = list(session.exec(about.order_by(Suggestion.created_at, Suggestion.id)))
        events = list(
            session.exec(
                select(SuggestionEvent)
                .where(SuggestionEvent.suggestion_id.in_([s.id for s in suggestions]))
                .order_by(SuggestionEvent.at, SuggestionEvent.id)
            )
        )
    keys = []
    if user is not None:
        keys = list(
            session.exec(
                select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at)
            )
        )
    entries = select(AuditEntry).where(AuditEntry.subject_id.in_(subjects))
    if within is not None:
        entries = entries.where(audit.audit_filter(viewer))
    entries = session.exec(entries.order_by(AuditEntry.id))
    return PersonalDataExport(
        exported_at=utcnow(),
        account=None if user is None else AccountExport.model_validate(user),
        memberships=_memberships(session, members),
        student_profile=None if student is None else _student_export(session, student),
        # As stored, with every decision and reason: the person's right of access (README).
        suggestions=[
            suggestion_public(session, s, viewer=viewer, as_record=True) for s in suggestions
        ],
        suggestion_events=[event_public(event) for event in events],
        api_keys=[ApiKeyPublic.model_validate(key) for key in keys],
        audit_log=[AuditEntryPublic.model_validate(entry) for entry in entries],
    )


@router.get("/users/me/export", responses=AUTH)
def export_me(session: SessionDep, actor: CurrentUser) -> PersonalDataExport:
    """Everything lcmatch stores about the caller, as one JSON document (the rights of access
    and to data portability).

    The export holds the account (without its password hash), the memberships of the account
    and the profile, the student profile with its embedding (the vector, the model and the text
    it was made from: derived data, so it is included), every suggestion about the student
    whatever its review status (also those not yet shown to the student, and rejected ones with
    their reason), the decisions on them, the API keys (names and dates, never the keys), and
    the audit entries about the person: who viewed their profile or a suggestion naming them,
    who decided what, when and why. The export itself is logged."""
    student = session.get(StudentProfile, actor.student_id) if actor.student_id else None
    subject = student.id if student is not None else actor.id
    audit.record(session, actor, "user.export", "user", actor.id, subject_id=subject)
    session.commit()
    return personal_data(session, actor, actor.user, student)


@router.get("/students/{student_id}/export", responses={**AUTH, **STUDENT_NOT_FOUND})
def export_student(session: SessionDep, actor: CurrentUser, student_id: str) -> PersonalDataExport:
    """Everything lcmatch stores about one student, as one JSON document, in the same form as
    GET /users/me/export: for the student themself, intermediaries of their communities and
    admins, so that an institution can answer the request of a student without a login. The
    export is logged."""
    student = visible_student(session, actor, student_id)
    user = session.get(User, student.user_id) if student.user_id else None
    audit.record(session, actor, "student.export", "student", student.id, subject_id=student.id)
    session.commit()
    return personal_data(session, actor, user, student)


# -- accountability: the audit log ------------------------------------------------------------


@router.get("/audit", responses={**AUTH, **ROLE})
def list_audit(
    session: SessionDep,
    actor: Manager,
    page: PageDep,
    action: str | None = None,
    actor_id: str | None = None,
    object_kind: str | None = None,
    object_id: str | None = None,
    subject_id: str | None = None,
    community_id: str | None = None,
) -> AuditEntriesPublic:
    """The audit log, newest first: every view of a student's profile or of a suggestion
    naming a student by someone other than the student, every change to a profile, every
    review decision, export and erasure; who (actor_id), what (action, object), about whom
    (subject_id), when (at) and why (reason). Admins read all of it, intermediaries the entries
    of their communities and about their communities' members. The log is append-only: there
    is no route to change or delete an entry; erasing a person only replaces their id by a
    pseudonym ("erased-" + 16 hex digits of an HMAC-SHA256 with the pseudonym key, a secret
    of its own) and drops the reason of the entries about them."""
    query = select(AuditEntry).where(audit.audit_filter(actor))
    for column, value in (
        (AuditEntry.action, action),
        (AuditEntry.actor_id, actor_id),
        (AuditEntry.object_kind, object_kind),
        (AuditEntry.object_id, object_id),
        (AuditEntry.subject_id, subject_id),
        (AuditEntry.community_id, community_id),
    ):
        if value is not None:
            query = query.where(column == value)
    rows, count = paginate(session, query, page, AuditEntry.id.desc())
    return AuditEntriesPublic(data=[AuditEntryPublic.model_validate(r) for r in rows], count=count)


# -- fairness ---------------------------------------------------------------------------------


@router.get(
    "/communities/{community_id}/fairness",
    responses={**AUTH, **ROLE, 404: {"description": "No such community, or not one of yours"}},
)
def community_fairness(session: SessionDep, actor: Manager, community_id: str) -> FairnessReport:
    """How evenly the suggestions expose the community's students, by level (mbo, hbo, wo) and
    by region: intermediaries of the community and admins.

    Population: the students of the community who consent to matching. Exposure: each stored
    student suggestion of the community's challenges (any review status) about a student of
    the population counts once as an appearance and 1/log2(rank + 1) as exposure, rank being
    its position among the stored student suggestions of the same challenge by score (1 =
    best). Per group: population_share = its students / all students; exposure_share = its
    exposure / all exposure; exposure_ratio = exposure_share / population_share (1 = in
    proportion, below 1 = shown less often than its size would lead one to expect).
    appearance_share and appearance_ratio are the same without the rank weighting; a share
    or ratio is null where its denominator is zero."""
    if session.get(Community, community_id) is None or not actor.manages({community_id}):
        raise not_found("Community", community_id)
    return fairness_report(session, community_id)


# -- erasure of a person --------------------------------------------------------------------


@router.delete(
    "/users/{user_id}",
    status_code=204,
    tags=["users"],
    responses={
        **AUTH,
        **ROLE,
        404: {"description": "No such user"},
        409: {"description": "An admin cannot erase their own account"},
    },
)
def erase_account(request: Request, session: SessionDep, actor: Admin, user_id: str) -> None:
    """Erase a person (admins): their account, API keys and memberships, and their student
    profile with everything about it (suggestions and the decisions on them, vector, index
    entry, cached embeddings). In the audit log and in the decisions they made on others'
    matches, their ids become a pseudonym. To erase only a student profile and keep the
    account, use DELETE /students/{student_id}."""
    user = session.get(User, user_id)
    if user is None:
        raise not_found("User", user_id)
    if user.id == actor.id:
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot erase your own account")
    _, student = erase_user(session, actor, request.app.state.settings.pseudonym_key, user)
    session.commit()
    scrub_wal(request.app.state.engine)
    if student is not None:
        request.app.state.matching.erase("student", student)
