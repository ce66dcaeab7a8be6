"""The pages' languages: Dutch source strings, English from Babel catalogues.

Each area keeps its own catalogue (domain) in `locales/en/LC_MESSAGES/<area>.po`, so nobody
edits another's file; they are merged into one translation per language here. Every build
(the wheel and `pip install -e`) compiles them into .mo files (`hatch_build.py`); a .mo is used
when it is newer than its .po, otherwise the .po is compiled in memory (a fraction of a second),
so a translator's edit shows at once during development.

The language of a request is chosen once, by `LanguageMiddleware`, and kept in a context
variable: templates and Python code (form messages) call `gettext` without passing it on.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from service.domain.languages import DEFAULT_LANGUAGE, LANGUAGES, choose_language

LOCALES = Path(__file__).parent / "locales"
#: The areas' catalogues, one domain each; the source language needs none.
DOMAINS = (
    "base",
    "student",
    "sme",
    "review",
    "dashboard",
    "programme",
    "journey",
    "rounds",
    "themes",
    "professional",
    "meetings",
)
#: The cookie the language switch sets.
LANGUAGE_COOKIE = "lang"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def _load_domain(language: str, domain: str) -> Translations | None:
    folder = LOCALES / language / "LC_MESSAGES"
    po, mo = folder / f"{domain}.po", folder / f"{domain}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as file:
            return Translations(file, domain=domain)
    if not po.exists():
        return None
    with po.open("rb") as file:
        catalog = read_po(file, locale=language, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


@cache
def translations(language: str) -> stdlib_gettext.NullTranslations:
    """Every area's catalogue for the language merged into one (none for Dutch)."""
    merged: Translations | None = None
    for domain in DOMAINS:
        loaded = _load_domain(language, domain)
        if loaded is None:
            continue
        merged = loaded if merged is None else merged.merge(loaded)
    return merged or NullTranslations()


def reload() -> None:
    """Forget the loaded catalogues (a test or a tool that just changed a .po file)."""
    translations.cache_clear()


def current_language() -> str:
    """The language of the request being served (Dutch outside a request)."""
    return _language.get()


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Translate into this language inside the block."""
    token = _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    """The message in the current language."""
    if current_language() == DEFAULT_LANGUAGE:
        return message
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for n, in the current language."""
    if current_language() == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return translations(current_language()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


def format_date(day: date, style: str = "long") -> str:
    """A date written the way the current language writes it ("1 maart 2027")."""
    return babel_format_date(day, format=style, locale=current_language())


#: The time zone the pages show moments in: the communities are Dutch.
TIME_ZONE = "Europe/Amsterdam"


def format_moment(moment: datetime) -> str:
    """A moment written the way the current language writes it, in Dutch time
    ("7 dec 2026, 19:05")."""
    language = current_language()
    local = moment.astimezone(get_timezone(TIME_ZONE))
    day = babel_format_date(local, format="medium", locale=language)
    return f"{day}, {babel_format_time(local, format='short', locale=language)}"


class LanguageMiddleware:
    """Choose the request's language from its cookie or Accept-Language, for the whole request.

    A pure ASGI middleware: a context variable set here is seen by the route, the threads it
    runs in and the templates it renders.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie = cookie_parser(headers.get("cookie", "")).get(LANGUAGE_COOKIE)
        language = choose_language(cookie, headers.get("accept-language"))
        with use_language(language):
            await self.app(scope, receive, send)
