"""The rights of the people whose data lcmatch holds: access (export), accountability (the
audit log), erasure, and a fairness report on who the suggestions show.

The institutions stay the controller; these routes let them, and the people themselves,
exercise every right without going to the database.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import select

from service.api.deps import Admin, CurrentUser, Manager, PageDep, ReaderLanguage, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, ROLE
from service.domain.errors import not_found
from service.domain.export_models import PersonalDataExport
from service.domain.tables import (
    AuditEntriesPublic,
    AuditEntry,
    AuditEntryPublic,
    Community,
    User,
)
from service.storage.db import scrub_wal
from service.usecases import audit, privacy
from service.usecases.fairness import FairnessReport, fairness_report
from service.usecases.privacy import erase_user

router = APIRouter(tags=["privacy"])

STUDENT_NOT_FOUND = {404: {"description": "No such student profile, or not yours to see"}}


# -- access: everything stored about a person -------------------------------------------------


@router.get("/users/me/export", responses=AUTH)
def export_me(
    session: SessionDep, actor: CurrentUser, language: ReaderLanguage
) -> PersonalDataExport:
    """Everything lcmatch stores about the caller, as one JSON document (the rights of access
    and to data portability).

    The export holds the account (without its password hash), the memberships of the account
    and the profile, the student profile with its embedding (the vector, the model and the text
    it was made from: derived data, so it is included), every suggestion about the student
    whatever its review status (also those not yet shown to the student, and rejected ones with
    their reason), the decisions on them, the API keys (names and dates, never the keys), and
    the audit entries about the person: who viewed their profile or a suggestion naming them,
    who decided what, when and why. The export itself is logged."""
    return privacy.export_own(session, actor, language)


@router.get("/students/{student_id}/export", responses={**AUTH, **STUDENT_NOT_FOUND})
def export_student(
    session: SessionDep, actor: CurrentUser, language: ReaderLanguage, student_id: str
) -> PersonalDataExport:
    """Everything lcmatch stores about one student, as one JSON document, in the same form as
    GET /users/me/export: for the student themself, intermediaries of their communities and
    admins, so that an institution can answer the request of a student without a login. The
    export is logged."""
    return privacy.export_student(session, actor, student_id, language)


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
