"""The constraint notes said in a language: the one place that writes them, for the API's
answers and the pages alike (`service.usecases.constraint_notes` makes the notes).

Dutch and English sit side by side here rather than in the pages' catalogues: the API layer
lies below the pages and may not use them, and one table keeps both languages in step."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from service.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from service.domain.suggestion_models import ConstraintNotePublic

LABELS = {
    "nl": {
        "level": "Niveau",
        "period": "Periode",
        "hours": "Uren",
        "language": "Taal",
        "place": "Plaats",
        "capacity": "Capaciteit",
        "room": "Ruimte",
    },
    "en": {
        "level": "Level",
        "period": "Period",
        "hours": "Hours",
        "language": "Language",
        "place": "Place",
        "capacity": "Capacity",
        "room": "Room",
    },
}
TEXTS = {
    "nl": {
        "level": "gevraagd {wanted}, student {has}",
        "period": "{start} tot {end}; student {free}",
        "free_both": "beschikbaar {free_from} tot {free_until}",
        "free_from": "beschikbaar vanaf {free_from}",
        "free_until": "beschikbaar tot {free_until}",
        "free_open": "heeft geen beschikbaarheid opgegeven",
        "hours": "{wanted} uur per week gevraagd, student heeft {has} uur",
        "language": "in het {wanted}; student spreekt {spoken}",
        "place_remote": "op afstand",
        "place_distance": "{where}: {distance} km van {home}; student reist tot {reach} km",
        "place_unknown": "{where}: afstand tot {home} onbekend; student reist tot {reach} km",
        "place_no_home": "{where}: student gaf geen woonplaats op; reist tot {reach} km",
        "capacity": "{capacity} projecten tegelijk",
        "room_students": "{left} van {capacity} plaatsen vrij",
        "room_projects": "{left} van {capacity} projecten tegelijk vrij",
    },
    "en": {
        "level": "wanted {wanted}, student {has}",
        "period": "{start} to {end}; student {free}",
        "free_both": "available {free_from} to {free_until}",
        "free_from": "available from {free_from}",
        "free_until": "available until {free_until}",
        "free_open": "gave no availability",
        "hours": "{wanted} hours a week wanted, student has {has}",
        "language": "in {wanted}; student speaks {spoken}",
        "place_remote": "remote",
        "place_distance": "{where}: {distance} km from {home}; student travels up to {reach} km",
        "place_unknown": "{where}: distance to {home} unknown; student travels up to {reach} km",
        "place_no_home": "{where}: student gave no home town; travels up to {reach} km",
        "capacity": "{capacity} projects at a time",
        "room_students": "{left} of {capacity} places free",
        "room_projects": "{left} of {capacity} projects at a time free",
    },
}
WORDS = {
    "nl": {
        "any": "alle niveaus",
        "onsite": "op locatie",
        "hybrid": "hybride",
        "remote": "op afstand",
    },
    "en": {"any": "any level", "onsite": "on site", "hybrid": "hybrid", "remote": "remote"},
}


# Babel reads its locale data and parses its patterns on every call: a few hundred microseconds
# a note, on every suggestion an API answer or a page shows. The values repeat (the same days,
# places and distances), so each is formatted once.


@lru_cache(maxsize=4096)
def _day(value: str, language: str) -> str:
    return format_date(date.fromisoformat(value), "medium", locale=language)


@lru_cache(maxsize=4096)
def _number(value: float, language: str, pattern: str = "#,##0.#") -> str:
    return format_decimal(value, format=pattern, locale=language)


@lru_cache(maxsize=1024)
def _language_name(code: str, language: str) -> str:
    return Locale.parse(language).languages.get(code, code)


def _period(params: dict[str, Any], language: str, texts: dict[str, str]) -> str:
    free_from, free_until = params.get("free_from"), params.get("free_until")
    days = {
        "free_from": _day(free_from, language) if free_from else "",
        "free_until": _day(free_until, language) if free_until else "",
    }
    if free_from and free_until:
        free = texts["free_both"].format(**days)
    elif free_from:
        free = texts["free_from"].format(**days)
    elif free_until:
        free = texts["free_until"].format(**days)
    else:
        free = texts["free_open"]
    start, end = _day(params["start"], language), _day(params["end"], language)
    return texts["period"].format(start=start, end=end, free=free)


def _place(params: dict[str, Any], language: str, texts: dict[str, str]) -> str:
    words = WORDS[language]
    mode = params.get("work_mode", "")
    if mode == "remote":
        return texts["place_remote"]
    mode_word = words.get(mode, mode)
    where = f"{params['place']} ({mode_word})" if params.get("place") else mode_word
    values = {
        "where": where,
        "home": params.get("student_place") or "",
        "reach": _number(params["reach_km"], language),
    }
    if params.get("distance_km") is not None:
        distance = _number(params["distance_km"], language, "#,##0.0")
        return texts["place_distance"].format(**values, distance=distance)
    if not values["home"]:
        return texts["place_no_home"].format(**values)
    return texts["place_unknown"].format(**values)


def note_text(code: str, params: dict[str, Any], language: str) -> str:
    """A note's parameters as a sentence in the language (nl or en)."""
    texts, words = TEXTS[language], WORDS[language]
    if code == "level":
        wanted = words.get(params["wanted"], params["wanted"])
        return texts["level"].format(wanted=wanted, has=params["has"])
    if code == "period":
        return _period(params, language, texts)
    if code == "hours":
        return texts["hours"].format(**params)
    if code == "language":
        wanted = _language_name(params["wanted"], language)
        spoken = ", ".join(_language_name(code, language) for code in params["spoken"])
        return texts["language"].format(wanted=wanted, spoken=spoken)
    if code == "place":
        return _place(params, language, texts)
    if code == "capacity":
        return texts["capacity"].format(**params)
    if code == "room":
        return texts[f"room_{params['unit']}"].format(**params)
    raise ValueError(f"no text for a constraint note of code {code!r}")


def render_note(note: dict[str, Any], language: str) -> ConstraintNotePublic:
    """A stored note (`Note.as_json`) with its label and text in the language (Dutch when the
    language is not one we have). A note stored before notes had codes keeps its English
    sentence."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    ok = bool(note.get("ok"))
    if "params" not in note:  # stored as {"constraint", "ok", "detail"}
        code, params, text = str(note.get("constraint", "")), {}, str(note.get("detail", ""))
    else:
        code, params = str(note["code"]), dict(note["params"])
        text = note_text(code, params, language)
    label = LABELS[language].get(code, code)
    return ConstraintNotePublic(
        code=code, ok=ok, label=label, text=text, params=params, constraint=code, detail=text
    )


def render_notes(notes: list[dict[str, Any]], language: str) -> list[ConstraintNotePublic]:
    return [render_note(note, language) for note in notes]
