"""The rights of a person over their data: the export of everything stored about them (access
and portability), and erasure from every table, index and cache, keeping only a pseudonymous
trace in the audit log."""

from __future__ import annotations

import numpy as np
from sqlalchemy import and_, or_
from sqlmodel import Session, delete, select, update

from service.domain.actor import Actor
from service.domain.export_models import (
    AccountExport,
    EmbeddingExport,
    InvitationExport,
    MembershipExport,
    PersonalDataExport,
    StudentExport,
)
from service.domain.meeting_tables import Invitation, InviteeKind, Meeting
from service.domain.notification_tables import OutboxMail, UserLanguage
from service.domain.tables import (
    ApiKey,
    ApiKeyPublic,
    AuditEntry,
    AuditEntryPublic,
    Community,
    Membership,
    Professional,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    TargetKind,
    User,
    utcnow,
)
from service.usecases import audit, rounds
from service.usecases.access import seen_in, visible_student
from service.usecases.matching import text_view
from service.usecases.professionals import professionals_public
from service.usecases.reviews import event_public
from service.usecases.suggestions import suggestion_public


def erase_student(session: Session, actor: Actor, secret: str, student: StudentProfile) -> str:
    """Remove a profile and everything about it (in the session, not committed): its
    memberships, every suggestion made for it with the decisions on them, and its id in the
    audit log, which is replaced by a pseudonym. Returns the pseudonym.

    The index entry and cached vectors are the process's: `Matching.erase` after the commit.
    """
    about = (Suggestion.target_kind == TargetKind.student) & (Suggestion.target_id == student.id)
    # The mails about these matches (to the SME, the intermediaries) go with them.
    session.exec(
        delete(OutboxMail).where(OutboxMail.suggestion_id.in_(select(Suggestion.id).where(about)))
    )
    session.exec(
        delete(SuggestionEvent).where(
            SuggestionEvent.suggestion_id.in_(select(Suggestion.id).where(about))
        )
    )
    session.exec(delete(Suggestion).where(about))
    # Their invitations to meetings (the reason, the answer, whether they came) go too.
    session.exec(
        delete(Invitation).where(
            Invitation.invitee_kind == InviteeKind.student, Invitation.invitee_id == student.id
        )
    )
    session.exec(
        delete(Membership).where(Membership.member_id == student.id, Membership.kind == "student")
    )
    rounds.forget_student(session, student.id)
    audit.pseudonymise(session, secret, [student.id])
    session.delete(student)
    alias = audit.pseudonym(secret, student.id)
    audit.record(
        session,
        actor,
        "student.erase",
        "student",
        alias,
        subject_id=alias,
        reason="profile erased",
    )
    return alias


def erase_user(
    session: Session, actor: Actor, secret: str, user: User
) -> tuple[str, StudentProfile | None]:
    """Remove an account and the person's data (in the session, not committed): their student
    profile (as `erase_student`) or professional profile, API keys, memberships and the account
    itself; their id in the audit log and in review events they made becomes a pseudonym.
    Returns the pseudonym and the erased student profile, whose index entry the caller removes
    after the commit."""
    student = session.exec(select(StudentProfile).where(StudentProfile.user_id == user.id)).first()
    if student is not None:
        erase_student(session, actor, secret, student)
        session.flush()  # the profile refers to the account: gone before the account goes
    # A professional's profile is theirs as well: it goes with the account.
    professional = session.exec(select(Professional).where(Professional.user_id == user.id)).first()
    if professional is not None:
        session.exec(
            delete(Membership).where(
                Membership.member_id == professional.id, Membership.kind == "professional"
            )
        )
        session.delete(professional)
        session.flush()  # the profile refers to the account: gone before the account goes
    session.exec(delete(ApiKey).where(ApiKey.user_id == user.id))
    session.exec(delete(OutboxMail).where(OutboxMail.recipient_id == user.id))
    # An SME's invitation stays its organisation's; it no longer names this login.
    session.exec(update(Invitation).where(Invitation.user_id == user.id).values(user_id=None))
    session.exec(delete(UserLanguage).where(UserLanguage.user_id == user.id))
    session.exec(
        delete(Membership).where(Membership.member_id == user.id, Membership.kind == "user")
    )
    audit.pseudonymise(session, secret, [user.id])
    session.delete(user)
    alias = audit.pseudonym(secret, user.id)
    audit.record(session, actor, "user.erase", "user", alias, subject_id=alias, reason="erased")
    return alias, student


# -- access: everything stored about a person -------------------------------------------------


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

    def listed(vector: np.ndarray | None) -> list[float] | None:
        return None if vector is None else [float(x) for x in vector]

    embedding = EmbeddingExport(
        model=student.embedding_model,
        text_hash=student.text_hash,
        text=text_view("student", student),
        vector=listed(student.embedding),
        query_vector=listed(student.query_embedding),
    )
    return StudentExport.model_validate(
        student, update={"community_ids": communities, "embedding": embedding}
    )


def personal_data(
    session: Session,
    viewer: Actor,
    user: User | None,
    student: StudentProfile | None,
    language: str,
) -> PersonalDataExport:
    """The export of one person: their account and/or student profile and all that hangs on
    them. Audit entries are those about the person (who viewed or decided what about them);
    the entries of their own actions are about others and stay out.

    The person themself and admins get all of it; an intermediary exporting a student of
    several communities gets what hangs on the student in the intermediary's communities only
    (another community's suggestions, decisions and reasons stay there). The suggestions'
    constraint notes are said in `language`."""
    own = (user is not None and viewer.id == user.id) or (
        student is not None and viewer.student_id == student.id
    )
    within = None if own else seen_in(viewer)
    members: list[tuple[str, str]] = []
    subjects: list[str] = []
    professional = None
    if user is not None:
        members.append((user.id, "user"))
        subjects.append(user.id)
        professional = session.exec(
            select(Professional).where(Professional.user_id == user.id)
        ).first()
    if professional is not None:
        members.append((professional.id, "professional"))
        subjects.append(professional.id)
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
        professional_profile=None
        if professional is None
        else professionals_public(session, [professional])[0],
        # As stored, with every decision and reason: the person's right of access (README).
        suggestions=[
            suggestion_public(session, s, viewer=viewer, language=language, as_record=True)
            for s in suggestions
        ],
        suggestion_events=[event_public(event) for event in events],
        api_keys=[ApiKeyPublic.model_validate(key) for key in keys],
        rounds=[] if student is None else rounds.rounds_of_student(session, student.id, within),
        meeting_invitations=_invitations(session, user, student, within),
        audit_log=[AuditEntryPublic.model_validate(entry) for entry in entries],
    )


def _invitations(
    session: Session,
    user: User | None,
    student: StudentProfile | None,
    within: set[str] | None,
) -> list[InvitationExport]:
    """The meeting invitations sent to the person (to their login, or to them as a student),
    in the viewer's communities when `within` is given."""
    mine = []
    if user is not None:
        mine.append(Invitation.user_id == user.id)
    if student is not None:
        mine.append(
            and_(
                Invitation.invitee_kind == InviteeKind.student, Invitation.invitee_id == student.id
            )
        )
    if not mine:
        return []
    query = (
        select(Invitation, Meeting)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(or_(*mine))
        .order_by(Invitation.invited_at, Invitation.id)
    )
    if within is not None:
        query = query.where(Meeting.community_id.in_(within))
    return [
        InvitationExport(
            meeting_id=meeting.id,
            meeting_title=meeting.title,
            community_id=meeting.community_id,
            starts_at=meeting.starts_at,
            reason=invitation.reason,
            status=invitation.status,
            attended=invitation.attended,
            invited_at=invitation.invited_at,
            answered_at=invitation.answered_at,
        )
        for invitation, meeting in session.exec(query)
    ]


def export_own(session: Session, actor: Actor, language: str) -> PersonalDataExport:
    """Everything stored about the caller (their account and their student profile, if any);
    the export itself is logged."""
    student = session.get(StudentProfile, actor.student_id) if actor.student_id else None
    subject = student.id if student is not None else actor.id
    audit.record(session, actor, "user.export", "user", actor.id, subject_id=subject)
    session.commit()
    return personal_data(session, actor, actor.user, student, language)


def export_student(
    session: Session, actor: Actor, student_id: str, language: str
) -> PersonalDataExport:
    """Everything stored about a student the caller may see (the student, intermediaries of
    their communities, admins); the export is logged."""
    student = visible_student(session, actor, student_id)
    user = session.get(User, student.user_id) if student.user_id else None
    audit.record(session, actor, "student.export", "student", student.id, subject_id=student.id)
    session.commit()
    return personal_data(session, actor, user, student, language)
