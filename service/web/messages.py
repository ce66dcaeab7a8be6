"""The translatable messages of the pages, per area, extracted with Babel.

A file belongs to an area (a catalogue domain) when its name or its folder starts with the
area's name: `student.py`, `templates/student/profile.html`, `dashboard_charts.py`; every
other file of the web package belongs to `base`. Run

    python -m service.web.messages AREA       # add AREA's new messages to its .po
    python -m service.web.messages --check    # list messages without an English translation

and fill in the empty `msgstr` lines of your area's catalogue.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from service.web.i18n import DOMAINS, LOCALES

PACKAGE = Path(__file__).parent
#: How each kind of file is read: Python with Babel's extractor, templates with Jinja2's.
METHODS = {".py": "python", ".html": "jinja2.ext:babel_extract"}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trimmed": "false"}


@dataclass(frozen=True)
class Message:
    id: str | tuple[str, str]  # (singular, plural) for ngettext
    where: str  # "templates/login.html:12"


def area_of(path: Path) -> str:
    """The catalogue domain of a file of the web package."""
    for part in path.relative_to(PACKAGE).parts:
        name = part.removeprefix("_")
        if part == "templates":
            continue
        for area in DOMAINS:
            if area != "base" and name.startswith(area):
                return area
        break
    return "base"


def source_files() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*")
        if path.suffix in METHODS and path.is_file() and "locales" not in path.parts
    )


def extract() -> dict[str, list[Message]]:
    """Every translatable message of the web package, by area."""
    found: dict[str, list[Message]] = {area: [] for area in DOMAINS}
    for path in source_files():
        method = METHODS[path.suffix]
        options = JINJA_OPTIONS if path.suffix == ".html" else {}
        for line, message, _comments, _context in extract_from_file(
            method, str(path), options=options
        ):
            where = f"{path.relative_to(PACKAGE)}:{line}"
            found[area_of(path)].append(Message(message, where))
    return found


def catalogue_path(area: str, language: str = "en") -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{area}.po"


def read_catalogue(area: str, language: str = "en") -> Catalog:
    path = catalogue_path(area, language)
    if not path.exists():
        return Catalog(locale=language, domain=area, project="lcmatch", fuzzy=False)
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=area)


def untranslated(language: str = "en") -> list[Message]:
    """Messages that no area's catalogue translates (an English page would show Dutch)."""
    translated: dict[str, bool] = {}
    for area in DOMAINS:
        for entry in read_catalogue(area, language):
            if entry.id:
                key = entry.id[0] if isinstance(entry.id, tuple) else entry.id
                strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
                translated[key] = translated.get(key, False) or all(strings)
    return [
        message
        for messages in extract().values()
        for message in messages
        if not translated.get(message.id[0] if isinstance(message.id, tuple) else message.id)
    ]


def update(areas: list[str], language: str = "en") -> None:
    """Add these areas' new messages to their catalogues (translations already there stay)."""
    for area, messages in extract().items():
        if area not in areas:
            continue
        catalogue = read_catalogue(area, language)
        before = len(catalogue)
        for message in messages:
            if message.id not in catalogue:
                catalogue.add(message.id, string=("", "") if isinstance(message.id, tuple) else "")
        if len(catalogue) == before and catalogue_path(area, language).exists():
            continue
        path = catalogue_path(area, language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            write_po(file, catalogue, omit_header=False, sort_output=False, width=100)
        print(f"{path}: {len(catalogue) - before} new message(s)")


def main(argv: list[str]) -> int:
    if "--check" in argv:
        missing = untranslated()
        for message in missing:
            print(f"{message.where}: no English for {message.id!r}")
        return 1 if missing else 0
    unknown = sorted(set(argv) - set(DOMAINS))
    if not argv or unknown:
        print(f"usage: python -m service.web.messages AREA... | --check (areas: {DOMAINS})")
        return 2
    update(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
