"""The languages the service speaks to people, and how a request's language is chosen.

Shared by the pages (`service.web.i18n`) and the API (the constraint notes' texts), so that
both choose alike."""

from __future__ import annotations

DEFAULT_LANGUAGE = "nl"
LANGUAGES = ("nl", "en")


def choose_language(chosen: str | None, accept_language: str | None) -> str:
    """The chosen language (a cookie, a user's setting) if we have it, else the first supported
    language in Accept-Language (by its q-weight), else Dutch."""
    if chosen in LANGUAGES:
        return chosen
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            weighted.append((-quality, position, primary))
    return min(weighted)[2] if weighted else DEFAULT_LANGUAGE
