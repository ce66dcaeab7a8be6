"""What the student's pages show, built from the rows: the profile form's values and
checks, and each ranked assignment with its reasons and what would raise the match."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from babel import Locale
from pydantic import ValidationError

from service.domain.tables import (
    Challenge,
    Level,
    StudentCreate,
    StudentProfile,
    StudentUpdate,
    Suggestion,
    Visibility,
)
from service.usecases.access import STUDENT_VISIBLE
from service.web.forms import field_errors
from service.web.i18n import N_, current_language, format_date, gettext
from service.web.strength_words import strength_label

M = TypeVar("M", StudentCreate, StudentUpdate)

#: Languages the form always offers; a profile's other languages are shown too.
OFFERED_LANGUAGES = ("nl", "en", "de", "fr")
#: How many missing skills one assignment suggests adding.
MISSING_SKILLS_SHOWN = 3
#: Text fields of the form, as typed.
TEXT_FIELDS = (
    "full_name",
    "programme",
    "institution",
    "level",
    "year",
    "about",
    "available_from",
    "available_until",
    "hours_per_week",
    "region",
    "travel_km",
    "visibility",
)
OPTIONAL_DATES = ("available_from", "available_until")
#: The form's labels, for the list of mistakes at the top (the same words as the fields').
FIELD_LABELS = {
    "full_name": N_("Naam"),
    "programme": N_("Opleiding"),
    "institution": N_("School of universiteit"),
    "level": N_("Niveau"),
    "year": N_("Studiejaar"),
    "skills": N_("Vaardigheden"),
    "interests": N_("Interesses"),
    "about": N_("Over mij"),
    "available_from": N_("Beschikbaar vanaf"),
    "available_until": N_("Beschikbaar tot en met"),
    "hours_per_week": N_("Uren per week"),
    "region": N_("Woonplaats"),
    "travel_km": N_("Reisafstand (km)"),
    "languages": N_("Talen waarin je kunt werken"),
    "consent_matching": N_("Toestemming en zichtbaarheid"),
    "visibility": N_("Wie ziet mijn naam bij een match?"),
    "community_ids": N_("Leergemeenschap"),
}
PERIOD_ORDER = N_("De einddatum ligt voor de begindatum.")
#: The whole-profile rules of `StudentBase` (its own message -> ours).
WHOLE_PROFILE_RULES = {"available_until lies before available_from": PERIOD_ORDER}

VISIBILITY_LABELS = {
    Visibility.intermediaries: N_("Alleen de intermediair ziet mijn naam"),
    Visibility.community_after_approval: N_(
        "Ook het mkb-bedrijf ziet mijn naam, zodra de intermediair de match goedkeurt"
    ),
}


# -- the profile form ------------------------------------------------------------------------


def skill_value(skill: dict[str, Any]) -> str:
    """A skill as a form value: "uri|label" (the uri may be empty for a skill of one's own)."""
    return f"{skill.get('esco_uri') or ''}|{skill['label']}"


def skill_from_value(value: str) -> dict[str, Any] | None:
    uri, sep, label = value.partition("|")
    label = " ".join(label.split())[:200]
    if not sep or not label:
        return None
    return {"label": label, "esco_uri": uri.strip() or None}


@dataclass
class ProfileForm:
    """The profile form as the student typed it (strings), and the messages per field."""

    values: dict[str, str]
    skills_shown: list[dict[str, Any]]
    skills_ticked: set[str]
    interests: str
    languages: list[str]
    consent: bool
    new_skill: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, student: StudentProfile) -> ProfileForm:
        values = {
            name: "" if getattr(student, name) is None else str(getattr(student, name))
            for name in TEXT_FIELDS
        }
        return cls(
            values=values,
            skills_shown=list(student.skills),
            skills_ticked={skill_value(s) for s in student.skills},
            interests=", ".join(student.interests),
            languages=list(student.languages),
            consent=student.consent_matching,
        )

    @classmethod
    def posted(cls, form: Any) -> ProfileForm:
        """The form from a POST (a Starlette FormData): every value kept as typed."""
        shown = [skill_from_value(v) for v in form.getlist("shown")]
        return cls(
            values={name: str(form.get(name, "")).strip() for name in TEXT_FIELDS},
            skills_shown=[s for s in shown if s is not None],
            skills_ticked=set(form.getlist("skill")),
            interests=str(form.get("interests", "")),
            languages=[str(v) for v in form.getlist("languages")],
            consent=form.get("consent_matching") == "on",
            new_skill=str(form.get("new_skill", "")).strip(),
        )

    @classmethod
    def empty(cls, full_name: str) -> ProfileForm:
        """The form for a student who has no profile yet, with the usual defaults."""
        values = dict.fromkeys(TEXT_FIELDS, "")
        values.update(
            full_name=full_name,
            year="1",
            hours_per_week="8",
            travel_km="25",
            visibility=Visibility.intermediaries.value,
        )
        return cls(
            values=values,
            skills_shown=[],
            skills_ticked=set(),
            interests="",
            languages=["nl"],
            consent=False,
        )

    def add_skill(self, skill: dict[str, Any]) -> None:
        """Show and tick a skill (once)."""
        value = skill_value(skill)
        if all(skill_value(s) != value for s in self.skills_shown):
            self.skills_shown.append(skill)
        self.skills_ticked.add(value)
        self.new_skill = ""

    def changes(self) -> StudentUpdate | None:
        """The validated changes, or None with `errors` filled in (in the user's language)."""
        return self._validated(StudentUpdate)

    def new_profile(self, community_ids: list[str]) -> StudentCreate | None:
        """A new profile in these communities, or None with `errors` filled in."""
        return self._validated(StudentCreate, community_ids=community_ids)

    def _validated(self, model: type[M], **extra: Any) -> M | None:
        data: dict[str, Any] = {
            name: (None if name in OPTIONAL_DATES and not value else value)
            for name, value in self.values.items()
        }
        data["skills"] = [s for s in self.skills_shown if skill_value(s) in self.skills_ticked]
        data["interests"] = [item.strip() for item in self.interests.split(",") if item.strip()]
        data["languages"] = list(dict.fromkeys(self.languages))
        data["consent_matching"] = self.consent
        errors: dict[str, str] = {}
        try:
            valid = model.model_validate({**data, **extra})
        except ValidationError as error:
            errors = field_errors(error, whole="available_until", messages=WHOLE_PROFILE_RULES)
            valid = None
        if not data["languages"]:
            errors.setdefault("languages", gettext("Kies minstens één taal."))
        if valid is not None and not errors:
            # The update model checks fields one by one; the period's order is the profile's.
            start, end = valid.available_from, valid.available_until
            if start and end and end < start:
                errors["available_until"] = gettext(PERIOD_ORDER)
        self.errors = errors
        return None if errors else valid


def language_options(chosen: list[str]) -> list[tuple[str, str]]:
    """(code, name in the user's language) for the language checkboxes."""
    locale = Locale.parse(current_language())
    codes = list(dict.fromkeys([*OFFERED_LANGUAGES, *chosen]))
    return [(code, locale.languages.get(code, code)) for code in codes]


def level_options() -> list[tuple[str, str]]:
    return [(level.value, level.value) for level in Level]


def visibility_options() -> list[tuple[str, str]]:
    return [(v.value, gettext(label)) for v, label in VISIBILITY_LABELS.items()]


# -- ranked assignments ---------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """One constraint between the assignment and the student, as the API says it
    (`service.usecases.note_texts`)."""

    label: str
    ok: bool
    text: str


@dataclass
class Assignment:
    """One ranked assignment as the student sees it."""

    suggestion_id: str
    rank: int
    score: float
    strength: str
    challenge: Challenge
    organisation: str
    shared_skills: list[str]
    matching_terms: list[str]
    notes: list[Note]
    missing_skills: list[dict[str, Any]]
    availability_tip: str | None
    interested: bool
    can_express_interest: bool
    #: From the introduction on: the match's status and the next step, with a link to it.
    introduced: bool = False
    status: str = ""


def _skill_key(skill: dict[str, Any]) -> str:
    return skill.get("esco_uri") or skill["label"].casefold()


def missing_skills(challenge: Challenge, student: StudentProfile) -> list[dict[str, Any]]:
    """The challenge's wanted skills the student does not list (by ESCO skill or label)."""
    has = {_skill_key(s) for s in student.skills}
    missing = [s for s in challenge.wanted_skills if _skill_key(s) not in has]
    return missing[:MISSING_SKILLS_SHOWN]


def availability_tip(challenge: Challenge, student: StudentProfile) -> str | None:
    """What to change when the student's availability misses the challenge's period."""
    start, end = challenge.period_start, challenge.period_end
    free_from, free_until = student.available_from, student.available_until
    if start and end and free_from and free_from > end:
        return gettext(
            "Je bent beschikbaar vanaf %(free_from)s; deze opdracht loopt tot %(end)s. "
            "Kun je eerder? Pas je beschikbaarheid aan."
        ) % {"free_from": format_date(free_from), "end": format_date(end)}
    if start and end and free_until and free_until < start:
        return gettext(
            "Je bent beschikbaar tot %(free_until)s; deze opdracht begint op %(start)s. "
            "Kun je langer? Pas je beschikbaarheid aan."
        ) % {"free_until": format_date(free_until), "start": format_date(start)}
    return None


def assignment(
    rank: int,
    suggestion: Suggestion,
    challenge: Challenge,
    organisation: str,
    student: StudentProfile,
    notes: list[Note],
    interested: bool,
    interest_open: bool,
) -> Assignment:
    explanation = suggestion.explanation or {}
    return Assignment(
        suggestion_id=suggestion.id,
        rank=rank,
        score=suggestion.score,
        strength=strength_label(suggestion.score),
        challenge=challenge,
        organisation=organisation,
        shared_skills=[s["label"] for s in explanation.get("shared_skills", [])],
        matching_terms=list(explanation.get("matching_terms", []))[:8],
        notes=notes,
        missing_skills=missing_skills(challenge, student),
        availability_tip=availability_tip(challenge, student),
        interested=interested,
        can_express_interest=interest_open and not interested,
        introduced=suggestion.status in STUDENT_VISIBLE,
        status=str(suggestion.status),
    )
