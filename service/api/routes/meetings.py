"""Meetings on a theme: planning, suggested invitees, invitations, answers, attendance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import select

from service.api.deps import CurrentUser, PageDep, SessionDep
from service.api.paging import paginate
from service.api.routes.common import AUTH, INVALID, ROLE
from service.domain.meeting_tables import (
    AnswerBody,
    AttendanceBody,
    InvitationCreate,
    InvitationPublic,
    InviteeSuggestion,
    Meeting,
    MeetingCreate,
    MeetingDetail,
    MeetingPublic,
    MeetingsPublic,
)
from service.usecases import meetings

router = APIRouter(tags=["meetings"])

NO_MEETING = {404: {"description": "No such meeting, or not yours to see"}}
NOT_MANAGER = {403: {"description": "Not an intermediary of the meeting's community"}}
FULL = {409: {"description": "Invited already, or the meeting is full"}}
MEETING = "/meetings/{meeting_id}"


@router.get("/meetings", responses=AUTH)
def list_meetings(session: SessionDep, actor: CurrentUser, page: PageDep) -> MeetingsPublic:
    """The meetings the caller sees: their communities' (intermediaries), or those they are
    invited to. For intermediaries each says how many invitees later got a match."""
    query = select(Meeting).where(meetings.meeting_filter(actor))
    rows, count = paginate(session, query, page, Meeting.starts_at, Meeting.id)
    led = meetings.matches_after(session, list(rows))
    return MeetingsPublic(
        data=[meetings.meeting_public(session, actor, row, led) for row in rows], count=count
    )


@router.post("/meetings", status_code=201, responses={**AUTH, **ROLE, **INVALID})
def plan_meeting(session: SessionDep, actor: CurrentUser, body: MeetingCreate) -> MeetingPublic:
    """Plan a meeting on a theme of the community (its intermediaries and admins)."""
    meeting = meetings.plan_meeting(session, actor, body)
    return meetings.meeting_public(session, actor, meeting)


@router.get(MEETING, responses={**AUTH, **NO_MEETING})
def read_meeting(session: SessionDep, actor: CurrentUser, meeting_id: str) -> MeetingDetail:
    """A meeting; its invitees with names and attendance for the community's intermediaries,
    the caller's own invitation for an invitee."""
    return meetings.meeting_detail(session, actor, meeting_id)


@router.get(MEETING + "/suggestions", responses={**AUTH, **NOT_MANAGER, **NO_MEETING})
def suggest_invitees(
    request: Request, session: SessionDep, actor: CurrentUser, meeting_id: str
) -> list[InviteeSuggestion]:
    """Whom to invite of the community (students, research groups, SMEs, professionals,
    teachers; up to 10 of each kind), ranked by the theme's text, each with the reason: the
    items shared with the theme (`reason`) and in words (`reason_nl`, `reason_en`)."""
    return meetings.suggest_invitees(session, request.app.state.matching, actor, meeting_id)


@router.post(
    MEETING + "/invitations",
    status_code=201,
    responses={**AUTH, **NOT_MANAGER, **NO_MEETING, **FULL, **INVALID},
)
def invite(
    request: Request,
    session: SessionDep,
    actor: CurrentUser,
    meeting_id: str,
    body: InvitationCreate,
) -> InvitationPublic:
    """Invite an SME, a student or a research group of the community: a mail with the
    meeting's .ics goes out."""
    row = meetings.invite(
        session, request.app.state.matching, actor, meeting_id, body.invitee_kind, body.invitee_id
    )
    return meetings.invitation_public(row, meetings.invitee_names(session, [row]))


@router.post(
    MEETING + "/invitations/{invitation_id}/answer",
    responses={
        **AUTH,
        404: {"description": "No such meeting or invitation, or not yours"},
        409: {"description": "The meeting is full"},
        **INVALID,
    },
)
def answer(
    session: SessionDep, actor: CurrentUser, meeting_id: str, invitation_id: str, body: AnswerBody
) -> InvitationPublic:
    """The invitee accepts or declines (an intermediary may record it for them)."""
    row = meetings.answer(session, actor, meeting_id, invitation_id, body.answer)
    return meetings.invitation_public(row, meetings.invitee_names(session, [row]))


@router.put(MEETING + "/attendance", responses={**AUTH, **NOT_MANAGER, **NO_MEETING, **INVALID})
def record_attendance(
    session: SessionDep, actor: CurrentUser, meeting_id: str, body: AttendanceBody
) -> list[InvitationPublic]:
    """Who came: the invitations named were present, the others absent."""
    rows = meetings.record_attendance(session, actor, meeting_id, body.present)
    names = meetings.invitee_names(session, rows)
    return [meetings.invitation_public(row, names) for row in rows]
