"""A match as the SME and review pages show it: both sides, the reasons, the notes, the flags.

What a viewer sees of a student is decided by the service: the name through
`service.usecases.suggestions.suggestion_public` (the approval gate and the student's
visibility), the profile only for those who may see it
(`service.usecases.access.can_edit_student`: the student and their community's intermediaries).
An SME never sees more of a student than the API shows it. The constraint notes are the API's
own (`SuggestionPublic.constraint_notes`, said in the user's language by
`service.usecases.note_texts`), so that page and API never disagree on one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from service.domain.actor import Actor
from service.domain.tables import (
    Challenge,
    Organisation,
    ResearchGroup,
    StudentProfile,
    Suggestion,
    TargetKind,
)
from service.usecases.access import NAME_AFTER_APPROVAL, NAME_FOR_INTERMEDIARIES, can_edit_student
from service.usecases.suggestions import suggestion_public
from service.web.i18n import N_, current_language, gettext
from service.web.render import render
from service.web.strength_words import strength_label

#: The workflow statuses as the pages name them.
STATUS_LABELS = {
    "suggested": N_("voorgesteld"),
    "approved": N_("goedgekeurd"),
    "rejected": N_("afgewezen"),
    "introduced": N_("geïntroduceerd"),
    "accepted": N_("geaccepteerd"),
    "declined": N_("afgeslagen"),
    "active": N_("lopend"),
    "completed": N_("afgerond"),
}
#: The neutral labels `service.usecases.access` shows an SME instead of a student's name, as pages
#: show them in the user's language.
HIDDEN_NAMES = {
    NAME_FOR_INTERMEDIARIES: N_("Student (naam alleen voor de intermediair)"),
    NAME_AFTER_APPROVAL: N_("Student (naam na goedkeuring door de intermediair)"),
}
LEVEL_LABELS = {"mbo": "mbo", "hbo": "hbo", "wo": "wo", "any": N_("alle niveaus")}
REMOTE_LABELS = {"onsite": N_("op locatie"), "hybrid": N_("hybride"), "remote": N_("op afstand")}


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))


def level_label(level: str) -> str:
    return gettext(LEVEL_LABELS.get(level, level))


def remote_label(remote: str) -> str:
    return gettext(REMOTE_LABELS.get(remote, remote))


@dataclass(frozen=True)
class NoteView:
    label: str
    ok: bool
    text: str


@dataclass
class MatchView:
    """Everything a page shows of one suggestion."""

    suggestion: Suggestion
    challenge: Challenge | None
    organisation_name: str
    target_name: str
    score: float
    strength: str
    shared_skills: list[str]
    matching_terms: list[str]
    notes: list[NoteView]
    student: StudentProfile | None = None  # only for viewers who may see the profile
    group: ResearchGroup | None = None
    flags: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return self.suggestion.id

    @property
    def is_student(self) -> bool:
        return self.suggestion.target_kind == TargetKind.student

    @property
    def status(self) -> str:
        return str(self.suggestion.status)

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def shown_name(name: str) -> str:
    """The target's name as the service gave it, a neutral label in the user's language."""
    hidden = HIDDEN_NAMES.get(name)
    return gettext(hidden) if hidden else name


def match_views(session: Session, actor: Actor, suggestions: list[Suggestion]) -> list[MatchView]:
    """The suggestions as this viewer may see them."""
    views = []
    for suggestion in suggestions:
        public = suggestion_public(session, suggestion, viewer=actor, language=current_language())
        challenge = session.get(Challenge, suggestion.challenge_id)
        organisation = session.get(Organisation, challenge.organisation_id) if challenge else None
        student = group = None
        if suggestion.target_kind == TargetKind.student:
            student = session.get(StudentProfile, suggestion.target_id)
        else:
            group = session.get(ResearchGroup, suggestion.target_id)
        explanation = suggestion.explanation or {}
        views.append(
            MatchView(
                suggestion=suggestion,
                challenge=challenge,
                organisation_name=organisation.name if organisation else "",
                target_name=shown_name(public.target_name),
                score=round(suggestion.score, 2),
                strength=strength_label(suggestion.score),
                shared_skills=[s["label"] for s in explanation.get("shared_skills", [])],
                matching_terms=list(explanation.get("matching_terms", [])),
                notes=[NoteView(n.label, n.ok, n.text) for n in public.constraint_notes],
                student=student
                if student is not None and can_edit_student(session, actor, student)
                else None,
                group=group,
            )
        )
    return views


CHALLENGE_STATUS_LABELS = {
    "draft": N_("concept"),
    "published": N_("gepubliceerd"),
    "closed": N_("gesloten"),
}
KIND_LABELS = {
    "assignment": N_("opdracht"),
    "traineeship": N_("stage"),
    "graduation": N_("afstudeeropdracht"),
}


def challenge_status(status: str) -> str:
    return gettext(CHALLENGE_STATUS_LABELS.get(status, status))


def kind_label(kind: str) -> str:
    return gettext(KIND_LABELS.get(kind, kind))


#: The label functions the SME and review templates use.
LABELS = {
    "status_label": status_label,
    "level_label": level_label,
    "remote_label": remote_label,
    "challenge_status": challenge_status,
    "kind_label": kind_label,
}


def render_page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """`render` with the label functions of these pages."""
    return render(request, template, **LABELS, **context)
