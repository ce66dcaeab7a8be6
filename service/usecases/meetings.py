"""Meetings on a theme: planned by a community's intermediary, who invites SMEs, students,
research groups, professionals and teachers from lcmatch's suggestions (ranked by the theme's
text, with the reason);
the invitees answer, the intermediary records who came, and the list shows which meetings
led to a match later.

Who sees what: a meeting, its suggestions and its invitees (with names and attendance) are
for the community's intermediaries (and admins); an SME or student sees the meetings they are
invited to, with their own invitation only; a monitor sees none (never a person).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, true
from sqlmodel import Session, func, select

from matcher.results import Match
from service.domain.actor import Actor
from service.domain.errors import Conflict, Forbidden, Invalid, not_found, unknown_reference
from service.domain.meeting_tables import (
    Invitation,
    InvitationPublic,
    InvitationStatus,
    InviteeKind,
    InviteeSuggestion,
    Meeting,
    MeetingCreate,
    MeetingDetail,
    MeetingPublic,
)
from service.domain.notification_tables import MailKind, OutboxMail
from service.domain.tables import (
    Challenge,
    Membership,
    Organisation,
    Professional,
    ResearchGroup,
    Role,
    StudentProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
    Teacher,
    Theme,
    User,
    utcnow,
)
from service.usecases import audit, professionals, teachers
from service.usecases.access import community_ids_of
from service.usecases.matching import Matching, text_view
from service.usecases.notifications import queue_mail
from service.usecases.places import canonical_place

#: A match that went as far as an introduction (or further): what a meeting may lead to.
MATCHED = (
    SuggestionStatus.introduced,
    SuggestionStatus.accepted,
    SuggestionStatus.active,
    SuggestionStatus.completed,
)
#: How many of each kind the suggestions hold.
SUGGESTED_PER_KIND = 10


#: The meetings take place in the Netherlands: their times are shown and typed in its zone.
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


def local_time(moment: datetime) -> datetime:
    return aware(moment).astimezone(LOCAL_ZONE)


def meeting_link(meeting_id: str) -> str:
    return f"/meetings/{meeting_id}"


def aware(moment: datetime) -> datetime:
    """A time without a zone is taken as UTC (the API's times carry one)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- who sees what ---------------------------------------------------------------------------


def _own_invitations(actor: Actor):
    """SQL condition: the invitations addressed to the caller (their profile, their SME)."""
    mine = [Invitation.user_id == actor.id]
    if actor.role is Role.student and actor.student_id is not None:
        mine.append(
            and_(
                Invitation.invitee_kind == InviteeKind.student,
                Invitation.invitee_id == actor.student_id,
            )
        )
    if actor.role is Role.sme and actor.user.organisation_id is not None:
        mine.append(
            and_(
                Invitation.invitee_kind == InviteeKind.sme,
                Invitation.invitee_id == actor.user.organisation_id,
            )
        )
    return or_(*mine)


def meeting_filter(actor: Actor):
    """SQL condition for the meetings the caller may see."""
    if actor.is_admin:
        return true()
    if actor.role is Role.monitor:
        return Meeting.id.is_(None)  # none: a meeting's invitees are people
    invited = select(Invitation.meeting_id).where(_own_invitations(actor))
    if actor.role is Role.intermediary:
        return or_(Meeting.community_id.in_(actor.community_ids), Meeting.id.in_(invited))
    return Meeting.id.in_(invited)


def visible_meeting(session: Session, actor: Actor, meeting_id: str) -> Meeting:
    found = session.exec(
        select(Meeting).where(Meeting.id == meeting_id, meeting_filter(actor))
    ).first()
    if found is None:
        raise not_found("Meeting", meeting_id)
    return found


def managed_meeting(session: Session, actor: Actor, meeting_id: str) -> Meeting:
    """A meeting the caller sees (404 otherwise) and plans for (403 otherwise)."""
    meeting = visible_meeting(session, actor, meeting_id)
    if not actor.manages({meeting.community_id}):
        raise Forbidden("Only the community's intermediaries manage a meeting's invitations")
    return meeting


def own_invitations(session: Session, actor: Actor, meeting_id: str) -> list[Invitation]:
    query = select(Invitation).where(Invitation.meeting_id == meeting_id, _own_invitations(actor))
    return list(session.exec(query.order_by(Invitation.invited_at, Invitation.id)))


# -- planning --------------------------------------------------------------------------------


def plan_meeting(session: Session, actor: Actor, body: MeetingCreate) -> Meeting:
    """A meeting on a theme of a community the caller is an intermediary of. 422 naming the
    field for an end not after the start, an unknown place or host, a theme not theirs."""
    if actor.role not in (Role.intermediary, Role.admin):
        raise Forbidden("Only a community's intermediaries plan meetings")
    meeting = checked_meeting(session, body, lambda community_id: actor.manages({community_id}))
    meeting.created_by = actor.id
    session.add(meeting)
    audit.record(
        session, actor, "meeting.plan", "meeting", meeting.id, community_id=meeting.community_id
    )
    session.commit()
    return meeting


def checked_meeting(
    session: Session, body: MeetingCreate, may_plan_in: Callable[[str], bool]
) -> Meeting:
    """The meeting `body` describes, checked (not added): its theme one of a community
    `may_plan_in` allows, its end after its start, its place a known one (stored under the
    gazetteer's name), its host an organisation of the community."""
    theme = session.get(Theme, body.theme_id)
    if theme is None or not may_plan_in(theme.community_id):
        raise unknown_reference("theme_id", "theme of your communities", body.theme_id)
    starts, ends = aware(body.starts_at).astimezone(UTC), aware(body.ends_at).astimezone(UTC)
    if ends <= starts:
        raise Invalid("ends_at: must lie after starts_at")
    place = canonical_place(body.place, "place")
    if not place:
        raise Invalid("place: required, the town where the meeting takes place")
    host = body.host_organisation_id
    if host is not None and (
        session.get(Organisation, host) is None
        or theme.community_id not in community_ids_of(session, host, "organisation")
    ):
        raise unknown_reference("host_organisation_id", "organisation of the community", host)
    values = body.model_dump(exclude={"theme_id"})
    values.update(starts_at=starts, ends_at=ends, place=place)
    return Meeting(**values, theme_id=theme.id, community_id=theme.community_id)


# -- suggestions -----------------------------------------------------------------------------


def theme_query(theme: Theme) -> ResearchGroup:
    """The theme as a query row: its name and description read like a research line's
    (never stored; the matcher reads its text only)."""
    return ResearchGroup(id=f"theme-{theme.id}", name=theme.name, expertise=theme.description)


def reason_of(match: Match) -> str:
    """The skills and then the words it shares with the theme, as the suggestions elsewhere
    explain a match: the shared items themselves, so that the reason reads in any language."""
    return ", ".join(shared_items(match))[:1000]


def shared_items(match: Match) -> list[str]:
    shared = [tag.label for tag in match.explanation.shared_skills]
    return shared + [t for t in match.explanation.matching_terms if t not in shared]


def _says(items: list[str], text: str) -> list[str]:
    low = text.lower()
    return [item for item in items if item.lower() in low]


def reason_in_words(
    kind: InviteeKind, match: Match, *, wishes: str = "", brings: str = ""
) -> tuple[str, str]:
    """The reason in Dutch and English: for a professional what of it they want to learn
    (their learning wishes) and what they bring (their skills); for the others what they share
    with the theme. Empty when nothing is shared."""
    items = shared_items(match)
    if not items:
        return "", ""
    if kind is InviteeKind.professional:
        wanted = _says(items, wishes)
        offered = [item for item in _says(items, brings) if item not in wanted]
        rest = [item for item in items if item not in wanted and item not in offered]
        nl, en = [], []
        if wanted:
            nl.append(f"wil leren over {', '.join(wanted)}")
            en.append(f"wants to learn about {', '.join(wanted)}")
        if offered:
            nl.append(f"brengt {', '.join(offered)} mee")
            en.append(f"brings {', '.join(offered)}")
        if rest:
            nl.append(f"deelt met het thema: {', '.join(rest)}")
            en.append(f"shares with the theme: {', '.join(rest)}")
        return "; ".join(nl)[:1000], "; ".join(en)[:1000]
    if kind is InviteeKind.teacher:
        return (
            f"expertise in {', '.join(items)}"[:1000],
            f"expertise in {', '.join(items)}"[:1000],
        )
    return (
        f"deelt met het thema: {', '.join(items)}"[:1000],
        f"shares with the theme: {', '.join(items)}"[:1000],
    )


def _rank(matching: Matching, kind, theme: Theme, k: int) -> list[Match]:
    if kind not in matching.rankers:
        return []
    return matching.rank(
        kind, "research_group", theme_query(theme), k=k, filters={"community": [theme.community_id]}
    )


def suggest_invitees(
    session: Session, matching: Matching, actor: Actor, meeting_id: str
) -> list[InviteeSuggestion]:
    """Whom to invite, best first per kind: consenting students and research groups of the
    community ranked by the theme's text, SMEs by their best published challenge, and the
    community's professionals and teachers scored by the same matcher (`_member_suggestions`);
    those invited already are left out."""
    meeting = managed_meeting(session, actor, meeting_id)
    theme = session.get(Theme, meeting.theme_id)
    assert theme is not None
    invited = {
        (row.invitee_kind, row.invitee_id)
        for row in session.exec(select(Invitation).where(Invitation.meeting_id == meeting.id))
    }
    found: list[InviteeSuggestion] = []
    k = SUGGESTED_PER_KIND + len(invited)
    students = _rank(matching, "student", theme, k)
    profiles = {
        row.id: row
        for row in session.exec(
            select(StudentProfile).where(StudentProfile.id.in_([m.id for m in students]))
        )
    }
    for match in students:
        student = profiles.get(match.id)
        if student is None or not student.consent_matching:
            continue
        if (InviteeKind.student, match.id) not in invited:
            found.append(_suggestion(InviteeKind.student, match, student.full_name))
    groups = _rank(matching, "research_group", theme, k)
    names = dict(
        session.exec(
            select(ResearchGroup.id, ResearchGroup.name).where(
                ResearchGroup.id.in_([m.id for m in groups])
            )
        ).all()
    )
    for match in groups:
        if match.id in names and (InviteeKind.research_group, match.id) not in invited:
            found.append(_suggestion(InviteeKind.research_group, match, names[match.id]))
    found += _sme_suggestions(session, matching, theme, invited, k)
    found += _member_suggestions(session, matching, theme, invited)
    per_kind: dict[str, int] = defaultdict(int)
    kept = []
    for item in found:
        per_kind[item.invitee_kind] += 1
        if per_kind[item.invitee_kind] <= SUGGESTED_PER_KIND:
            kept.append(item)
    return kept


def _suggestion(
    kind: InviteeKind, match: Match, name: str, *, wishes: str = "", brings: str = ""
) -> InviteeSuggestion:
    nl, en = reason_in_words(kind, match, wishes=wishes, brings=brings)
    return InviteeSuggestion(
        invitee_kind=kind,
        invitee_id=match.id,
        name=name,
        score=round(float(match.score), 4),
        reason=reason_of(match),
        reason_nl=nl,
        reason_en=en,
    )


def _members(session: Session, table, kind: str, community_id: str, invited: set) -> list:
    """The rows of a kind of member of the community, but those invited already."""
    ids = select(Membership.member_id).where(
        Membership.community_id == community_id, Membership.kind == kind
    )
    rows = session.exec(select(table).where(table.id.in_(ids)).order_by(table.id)).all()
    return [row for row in rows if (kind, row.id) not in invited]


def _member_suggestions(
    session: Session, matching: Matching, theme: Theme, invited: set
) -> list[InviteeSuggestion]:
    """The community's professionals and teachers, which no index holds, scored against the
    theme by the matcher's `rank_texts`: a professional read as the student's matcher reads
    them for their learning suggestions (`professionals.as_query`: what they want to learn,
    the skills they bring) on the students' scale; a teacher as a research line (their
    expertise) on the research groups'. A professional has no consent to matching to check
    (the profile holds none: their intermediary registers them to take part)."""
    query = theme_query(theme)
    found: list[InviteeSuggestion] = []
    people = _members(session, Professional, "professional", theme.community_id, invited)
    by_id = {row.id: row for row in people}
    texts = {row.id: text_view("student", professionals.as_query(row)) for row in people}
    for match in matching.rank_texts(
        "student", "research_group", query, texts, k=SUGGESTED_PER_KIND
    ):
        row = by_id[match.id]
        brings = ", ".join(skill["label"] for skill in row.skills)
        found.append(
            _suggestion(
                InviteeKind.professional,
                match,
                row.full_name,
                wishes=row.learning_wishes,
                brings=brings,
            )
        )
    staff = _members(session, Teacher, "teacher", theme.community_id, invited)
    names = {row.id: row.full_name for row in staff}
    texts = {row.id: text_view("research_group", teachers.as_research_line(row)) for row in staff}
    for match in matching.rank_texts(
        "research_group", "research_group", query, texts, k=SUGGESTED_PER_KIND
    ):
        found.append(_suggestion(InviteeKind.teacher, match, names[match.id]))
    return found


def _sme_suggestions(
    session: Session, matching: Matching, theme: Theme, invited: set, k: int
) -> list[InviteeSuggestion]:
    """An SME is as close to the theme as its closest published challenge."""
    challenges = _rank(matching, "challenge", theme, 5 * k)
    owners = dict(
        session.exec(
            select(Challenge.id, Challenge.organisation_id).where(
                Challenge.id.in_([m.id for m in challenges])
            )
        ).all()
    )
    smes = {
        row.id: row
        for row in session.exec(
            select(Organisation).where(
                Organisation.id.in_(set(owners.values())), Organisation.kind == "sme"
            )
        )
    }
    found, seen = [], set()
    for match in challenges:
        owner = smes.get(owners.get(match.id) or "")
        if owner is None or owner.id in seen or (InviteeKind.sme, owner.id) in invited:
            continue
        seen.add(owner.id)
        found.append(
            _suggestion(InviteeKind.sme, match, owner.name).model_copy(
                update={"invitee_id": owner.id}
            )
        )
    return found


# -- inviting --------------------------------------------------------------------------------


def accepted_count(session: Session, meeting_id: str) -> int:
    return session.exec(
        select(func.count()).where(
            Invitation.meeting_id == meeting_id, Invitation.status == InvitationStatus.accepted
        )
    ).one()


def _locked_meeting(session: Session, meeting_id: str) -> Meeting:
    """The meeting's row, locked until the commit (PostgreSQL): two answers at once cannot
    both take its last place."""
    return session.exec(select(Meeting).where(Meeting.id == meeting_id).with_for_update()).one()


def mail_users(session: Session, kind: InviteeKind, invitee_id: str) -> list[User]:
    if kind is InviteeKind.student:
        student = session.get(StudentProfile, invitee_id)
        user = session.get(User, student.user_id) if student and student.user_id else None
        return [user] if user is not None and user.is_active else []
    if kind is InviteeKind.professional:
        professional = session.get(Professional, invitee_id)
        user = (
            session.get(User, professional.user_id)
            if professional and professional.user_id
            else None
        )
        return [user] if user is not None and user.is_active else []
    if kind is InviteeKind.sme:
        query = select(User).where(
            User.organisation_id == invitee_id,
            User.role == Role.sme,
            User.is_active == True,  # noqa: E712  (SQL)
        )
        return list(session.exec(query.order_by(User.full_name)))
    return []


def check_invitee(session: Session, meeting: Meeting, kind: InviteeKind, invitee_id: str) -> None:
    """A member of the meeting's community; a student only with consent to matching."""
    what = {
        InviteeKind.student: ("student", StudentProfile),
        InviteeKind.research_group: ("research_group", ResearchGroup),
        InviteeKind.sme: ("organisation", Organisation),
        InviteeKind.professional: ("professional", Professional),
        InviteeKind.teacher: ("teacher", Teacher),
    }[kind]
    row = session.get(what[1], invitee_id)
    ok = row is not None and meeting.community_id in community_ids_of(session, invitee_id, what[0])
    if kind is InviteeKind.student and row is not None:
        ok = ok and bool(row.consent_matching)
    if kind is InviteeKind.sme and row is not None:
        ok = ok and row.kind == "sme"
    if not ok:
        raise unknown_reference("invitee_id", f"{kind.value} of the community", invitee_id)


def invite(
    session: Session,
    matching: Matching,
    actor: Actor,
    meeting_id: str,
    kind: InviteeKind,
    invitee_id: str,
) -> Invitation:
    """Invite one of the community; the mail (with the meeting's .ics) goes out after the
    commit. 409 when they are invited already or the meeting is full."""
    meeting = managed_meeting(session, actor, meeting_id)
    check_invitee(session, meeting, kind, invitee_id)
    duplicate = session.exec(
        select(Invitation.id).where(
            Invitation.meeting_id == meeting.id,
            Invitation.invitee_kind == kind,
            Invitation.invitee_id == invitee_id,
        )
    ).first()
    if duplicate is not None:
        raise Conflict(f"{kind.value} {invitee_id} is invited already")
    # The reason is the suggestion's; ranked before the meeting is locked (ranking takes long).
    reasons = {
        (s.invitee_kind, s.invitee_id): s.reason
        for s in suggest_invitees(session, matching, actor, meeting.id)
    }
    _locked_meeting(session, meeting.id)
    if accepted_count(session, meeting.id) >= meeting.capacity:
        raise Conflict(f"The meeting is full: {meeting.capacity} places accepted")
    users = mail_users(session, kind, invitee_id)
    invitation = Invitation(
        meeting_id=meeting.id,
        invitee_kind=kind,
        invitee_id=invitee_id,
        user_id=users[0].id if users else None,
        reason=reasons.get((kind.value, invitee_id), ""),
    )
    session.add(invitation)
    link = meeting_link(meeting.id)
    for mail in queue_mail(session, users, MailKind.meeting, link, actor_id=actor.id):
        mail.meeting_id = meeting.id
    if kind is InviteeKind.research_group:
        group = session.get(ResearchGroup, invitee_id)
        if group is not None and group.contact_email:
            session.add(
                OutboxMail(
                    recipient_id=group.id,
                    to_address=group.contact_email,
                    kind=MailKind.meeting,
                    link=link,
                    meeting_id=meeting.id,
                )
            )
    audit.record(
        session,
        actor,
        "meeting.invite",
        "meeting",
        meeting.id,
        subject_id=invitee_id if kind is InviteeKind.student else None,
        community_id=meeting.community_id,
        details={"invitation": invitation.id, "kind": kind.value},
    )
    session.commit()
    return invitation


# -- answers and attendance ------------------------------------------------------------------


def answer(
    session: Session, actor: Actor, meeting_id: str, invitation_id: str, status: InvitationStatus
) -> Invitation:
    """The invitee accepts or declines (an intermediary may record it for them). 409 when
    accepting would take the meeting over its capacity."""
    meeting = visible_meeting(session, actor, meeting_id)
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.meeting_id != meeting.id:
        raise not_found("Invitation", invitation_id)
    own = {row.id for row in own_invitations(session, actor, meeting.id)}
    if invitation.id not in own and not actor.manages({meeting.community_id}):
        raise not_found("Invitation", invitation_id)
    if status is InvitationStatus.invited:
        raise Invalid("answer: must be accepted or declined")
    if status is InvitationStatus.accepted and invitation.status != InvitationStatus.accepted:
        _locked_meeting(session, meeting.id)
        if accepted_count(session, meeting.id) >= meeting.capacity:
            raise Conflict(f"The meeting is full: {meeting.capacity} places accepted")
    invitation.status = status
    invitation.answered_at = utcnow()
    session.add(invitation)
    audit.record(
        session,
        actor,
        "meeting.answer",
        "meeting",
        meeting.id,
        community_id=meeting.community_id,
        details={"invitation": invitation.id, "answer": status.value},
    )
    session.commit()
    return invitation


def record_attendance(
    session: Session, actor: Actor, meeting_id: str, present: list[str]
) -> list[Invitation]:
    """Who came: the invitations named were present, every other one of the meeting absent."""
    meeting = managed_meeting(session, actor, meeting_id)
    rows = list(session.exec(select(Invitation).where(Invitation.meeting_id == meeting.id)))
    known = {row.id for row in rows}
    strangers = sorted(set(present) - known)
    if strangers:
        raise Invalid(f"present: no invitations {strangers} of this meeting")
    for row in rows:
        row.attended = row.id in set(present)
        session.add(row)
    audit.record(
        session,
        actor,
        "meeting.attendance",
        "meeting",
        meeting.id,
        community_id=meeting.community_id,
    )
    session.commit()
    return rows


# -- what meetings led to ----------------------------------------------------------------------


def matches_after(session: Session, meetings: list[Meeting]) -> dict[str, int]:
    """Per meeting: how many of its invitees later (introduced after the meeting began) got a
    match in the meeting's community: a student or research group as the match's target, an
    SME through its challenge."""
    if not meetings:
        return {}
    by_id = {m.id: m for m in meetings}
    invitations = list(
        session.exec(select(Invitation).where(Invitation.meeting_id.in_(list(by_id))))
    )
    if not invitations:
        return {m.id: 0 for m in meetings}
    communities = {m.community_id for m in meetings}
    introduced = (
        select(SuggestionEvent.suggestion_id, func.min(SuggestionEvent.at).label("at"))
        .where(SuggestionEvent.action == "introduce")
        .group_by(SuggestionEvent.suggestion_id)
        .subquery()
    )
    rows = session.exec(
        select(
            Suggestion.community_id,
            Suggestion.target_kind,
            Suggestion.target_id,
            Challenge.organisation_id,
            introduced.c.at,
        )
        .join(introduced, introduced.c.suggestion_id == Suggestion.id)
        .join(Challenge, Challenge.id == Suggestion.challenge_id)
        .where(Suggestion.community_id.in_(communities), Suggestion.status.in_(MATCHED))
    ).all()
    latest: dict[tuple[str, str, str], datetime] = {}
    for community_id, target_kind, target_id, organisation_id, at in rows:
        for key in ((community_id, target_kind, target_id), (community_id, "sme", organisation_id)):
            moment = aware(at)
            if key[2] and (key not in latest or moment > latest[key]):
                latest[key] = moment  # the latest introduction: after the meeting or not
    counts = {m.id: 0 for m in meetings}
    for row in invitations:
        meeting = by_id[row.meeting_id]
        last = latest.get((meeting.community_id, row.invitee_kind, row.invitee_id))
        if last is not None and last >= aware(meeting.starts_at):
            counts[meeting.id] += 1
    return counts


# -- answers ---------------------------------------------------------------------------------


def meeting_public(
    session: Session, actor: Actor, meeting: Meeting, led: dict[str, int] | None = None
) -> MeetingPublic:
    values = MeetingPublic.model_validate(
        {**meeting.model_dump(), "accepted": accepted_count(session, meeting.id)}
    )
    if actor.manages({meeting.community_id}):
        led = led if led is not None else matches_after(session, [meeting])
        values.led_to_matches = led.get(meeting.id, 0)
    return values


def invitee_names(session: Session, invitations: list[Invitation]) -> dict[tuple[str, str], str]:
    ids: dict[str, set[str]] = defaultdict(set)
    for row in invitations:
        ids[row.invitee_kind].add(row.invitee_id)
    names: dict[tuple[str, str], str] = {}
    tables = {
        InviteeKind.student: (StudentProfile, StudentProfile.full_name),
        InviteeKind.research_group: (ResearchGroup, ResearchGroup.name),
        InviteeKind.sme: (Organisation, Organisation.name),
        InviteeKind.professional: (Professional, Professional.full_name),
        InviteeKind.teacher: (Teacher, Teacher.full_name),
    }
    for kind, (table, column) in tables.items():
        if ids.get(kind):
            query = select(table.id, column).where(table.id.in_(ids[kind]))
            names.update({(kind.value, id_): name for id_, name in session.exec(query).all()})
    return names


def invitation_public(row: Invitation, names: dict[tuple[str, str], str]) -> InvitationPublic:
    return InvitationPublic(
        id=row.id,
        meeting_id=row.meeting_id,
        invitee_kind=row.invitee_kind,
        invitee_id=row.invitee_id,
        name=names.get((row.invitee_kind, row.invitee_id), ""),
        reason=row.reason,
        status=row.status,
        attended=row.attended,
    )


def meeting_detail(session: Session, actor: Actor, meeting_id: str) -> MeetingDetail:
    """A meeting; every invitee with names and attendance for its intermediaries only, the
    caller's own invitation for an invitee."""
    meeting = visible_meeting(session, actor, meeting_id)
    mine = own_invitations(session, actor, meeting.id)
    everyone = None
    if actor.manages({meeting.community_id}):
        everyone = list(
            session.exec(
                select(Invitation)
                .where(Invitation.meeting_id == meeting.id)
                .order_by(Invitation.invited_at, Invitation.id)
            )
        )
    names = invitee_names(session, [*mine, *(everyone or [])])
    return MeetingDetail(
        meeting=meeting_public(session, actor, meeting),
        invitations=None if everyone is None else [invitation_public(r, names) for r in everyone],
        mine=[invitation_public(r, names) for r in mine],
    )
