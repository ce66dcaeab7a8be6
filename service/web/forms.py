"""Server-side form checks for the pages: the SQLModel models validate, this module turns
their errors into one message per field in the user's language."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from service.domain.errors import UnknownPlace
from service.web.i18n import N_, gettext

#: Pydantic's error types in words; `%(name)s` takes a value of the error's context.
MESSAGES = {
    "missing": N_("Vul dit veld in."),
    "string_too_short": N_("Te kort: gebruik minstens %(min_length)s tekens."),
    "string_too_long": N_("Te lang: gebruik hoogstens %(max_length)s tekens."),
    "too_short": N_("Kies er minstens %(min_length)s."),
    "too_long": N_("Kies er hoogstens %(max_length)s."),
    "int_parsing": N_("Vul een heel getal in."),
    "int_from_float": N_("Vul een heel getal in."),
    "int_type": N_("Vul een heel getal in."),
    "greater_than_equal": N_("Vul minstens %(ge)s in."),
    "less_than_equal": N_("Vul hoogstens %(le)s in."),
    "greater_than": N_("Vul meer dan %(gt)s in."),
    "less_than": N_("Vul minder dan %(lt)s in."),
    "date_parsing": N_("Vul een datum in als jjjj-mm-dd."),
    "date_from_datetime_parsing": N_("Vul een datum in als jjjj-mm-dd."),
    "date_type": N_("Vul een datum in als jjjj-mm-dd."),
    "enum": N_("Kies een van de mogelijkheden."),
    "literal_error": N_("Kies een van de mogelijkheden."),
    "bool_parsing": N_("Kies ja of nee."),
    "value_error": N_("Deze waarde klopt niet."),
    "string_pattern_mismatch": N_("Deze waarde klopt niet."),
}
FALLBACK = N_("Deze waarde klopt niet.")


def message_for(error: dict[str, Any]) -> str:
    """One pydantic error as a sentence in the user's language."""
    template = gettext(MESSAGES.get(error["type"], FALLBACK))
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return template % context if "%(" in template else template
    except (KeyError, ValueError):
        return gettext(FALLBACK)


def field_errors(
    error: ValidationError, *, whole: str | None = None, messages: dict[str, str] | None = None
) -> dict[str, str]:
    """Field name -> the first message about it.

    An error about the model as a whole (a rule across fields) is put on the field `whole`;
    `messages` maps such an error's own text to a (marked, untranslated) message to show
    instead of the generic one.
    """
    found: dict[str, str] = {}
    for item in error.errors(include_url=False):
        field = str(item["loc"][0]) if item["loc"] else whole
        if field is None or field in found:
            continue
        text = str(item.get("msg", ""))
        own = next((m for key, m in (messages or {}).items() if key in text), None)
        found[field] = gettext(own) if own else message_for(item)
    return found


def place_message(error: UnknownPlace) -> str:
    """A form's message for a place the gazetteer does not know, with the names to try."""
    if error.suggestions:
        return gettext("Deze plaats kennen we niet; bedoelt u %(names)s?") % {
            "names": ", ".join(error.suggestions)
        }
    return gettext("Deze plaats kennen we niet: vul een Nederlandse woonplaats in.")
