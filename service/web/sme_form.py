"""The challenge form: typed values in, a `ChallengeCreate` or messages per field out.

The form is validated with the same model as the API's body (`ChallengeCreate`); its errors
are turned into a message per field in the user's language. The typed values are kept as they
were typed (strings), so a form with an error is shown again exactly as it was filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError
from starlette.datastructures import FormData

from service.domain.tables import Challenge, ChallengeCreate, ChallengeUpdate
from service.web.i18n import N_, gettext
from service.web.sme_skills import AUTO, MANUAL, SkillChoice, parse_choice, tagged

#: The form's plain text fields and their defaults on an empty form.
FIELDS = {
    "community_id": "",
    "title": "",
    "description": "",
    "themes": "",
    "level": "any",
    "kind": "assignment",
    "hours_per_week": "8",
    "weeks": "10",
    "period_start": "",
    "period_end": "",
    "place": "",
    "remote": "hybrid",
    "language": "nl",
    "students_wanted": "1",
    "students_min": "",
}
#: Fields that mean "not given" when left empty.
OPTIONAL = ("period_start", "period_end", "students_min")

#: A message per pydantic error type; `%(x)s` is filled from the error's context.
MESSAGES = {
    "missing": N_("Vul dit veld in."),
    "string_too_short": N_("Te kort: gebruik minstens %(min_length)s tekens."),
    "string_too_long": N_("Te lang: gebruik hoogstens %(max_length)s tekens."),
    "int_parsing": N_("Vul een heel getal in."),
    "int_from_float": N_("Vul een heel getal in."),
    "greater_than_equal": N_("Vul minstens %(ge)s in."),
    "less_than_equal": N_("Vul hoogstens %(le)s in."),
    "date_parsing": N_("Vul een datum in als jjjj-mm-dd."),
    "date_from_datetime_parsing": N_("Vul een datum in als jjjj-mm-dd."),
    "enum": N_("Kies een van de mogelijkheden."),
    "students_min_above_wanted": N_("Het minimum ligt boven het aantal studenten (%(wanted)s)."),
}
FALLBACK = N_("Deze waarde klopt niet.")
PERIOD_ORDER = N_("Het einde van de periode ligt voor het begin.")


@dataclass
class ChallengeForm:
    """What the SME typed, the skills on the form, and the messages per field."""

    values: dict[str, str] = field(default_factory=lambda: dict(FIELDS))
    skills: list[SkillChoice] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: FormData) -> ChallengeForm:
        values = {}
        for name, default in FIELDS.items():
            raw = form.get(name, default)
            values[name] = raw.strip() if isinstance(raw, str) else default
        ticked = {v for v in form.getlist("skill") if isinstance(v, str)}
        skills = [
            choice
            for value in form.getlist("shown")
            if isinstance(value, str)
            and (choice := parse_choice(value, chosen=value in ticked)) is not None
        ]
        return cls(values=values, skills=skills)

    @classmethod
    def from_challenge(cls, challenge: Challenge) -> ChallengeForm:
        """The form filled in with a stored challenge, to edit it. Its skills are all ticked;
        those the engine still finds in the text count as the engine's, the others as added
        by the SME (so they stay until unticked)."""
        values = {name: _as_typed(getattr(challenge, name)) for name in FIELDS}
        values["themes"] = ", ".join(challenge.themes)
        form = cls(values=values)
        found = {skill.uri or skill.label.casefold() for skill in tagged(form.text)}
        form.skills = [
            SkillChoice(
                uri=skill.get("esco_uri") or "",
                label=skill["label"],
                origin=AUTO
                if (skill.get("esco_uri") or skill["label"].casefold()) in found
                else MANUAL,
                chosen=True,
            )
            for skill in challenge.wanted_skills
        ]
        return form

    @property
    def text(self) -> str:
        """The text the engine tags: title and description."""
        return f"{self.values['title']}\n{self.values['description']}"

    def themes(self) -> list[str]:
        return [t.strip() for t in self.values["themes"].split(",") if t.strip()]

    def validate(self) -> ChallengeCreate | None:
        """The challenge to create, or None with `errors` filled in."""
        data: dict[str, object] = {
            name: value
            for name, value in self.values.items()
            if not (name in OPTIONAL and not value)
        }
        data["themes"] = self.themes()
        data["wanted_skills"] = [s.as_ref() for s in self.skills if s.chosen]
        try:
            return ChallengeCreate.model_validate(data)
        except ValidationError as error:
            self.errors = field_errors(error)
            return None

    def validate_changes(self) -> ChallengeUpdate | None:
        """The edits of a stored challenge (every field of the form, an empty period clears
        it), checked as a new one would be; or None with `errors` filled in."""
        body = self.validate()
        if body is None:
            return None
        values = body.model_dump(exclude={"id", "community_id", "organisation_id"})
        return ChallengeUpdate.model_validate(values)


def _as_typed(value: object) -> str:
    """A stored value as the form shows it: enums by value, no date as empty."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def field_errors(error: ValidationError) -> dict[str, str]:
    """The first message per field, in the current language."""
    messages: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        location = [str(part) for part in problem["loc"]]
        name = location[0] if location else ""
        if not name and "period_end" in problem["msg"]:
            name, text = "period_end", gettext(PERIOD_ORDER)
        else:
            template = MESSAGES.get(problem["type"], FALLBACK)
            context = {k: v for k, v in (problem.get("ctx") or {}).items()}
            text = gettext(template) % context if context else gettext(template)
        messages.setdefault(name or "form", text)
    return messages
