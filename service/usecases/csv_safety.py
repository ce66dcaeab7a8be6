"""One guard against spreadsheet formulas in the CSV files lcmatch writes (the CLI's export,
the dashboard's downloads): a text cell a spreadsheet would run as a formula gets a leading
apostrophe, and `unguard` takes it off again on import."""

from __future__ import annotations

#: What makes a spreadsheet read a cell as a formula or split it: the ASCII formula starts,
#: ";" (the list separator of Excel with Dutch settings), tabs and line breaks, and the
#: full-width forms some spreadsheets fold to ASCII.
FORMULA_STARTS = frozenset("=+-@\t\r\n;\uff1d\uff0b\uff0d\uff20")
#: Leading characters a spreadsheet skips before it looks for a formula.
SKIPPED = frozenset(" \u00a0\u2007\u202f\u3000")
GUARD = "'"


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula: it starts with a formula
    character, perhaps after spaces, or with the guard itself before one (so that `unguard`
    can tell a guarded cell from one that really starts with an apostrophe)."""
    stripped = text.lstrip("".join(SKIPPED))
    if stripped[:1] in FORMULA_STARTS:
        return True
    return text.startswith(GUARD) and needs_guard(text[1:])


def guard(text: str) -> str:
    """The text as a safe CSV cell: with a leading apostrophe where it could be a formula."""
    return GUARD + text if needs_guard(text) else text


def unguard(text: str) -> str:
    """The text a guarded cell stands for (`unguard(guard(t)) == t` for every text)."""
    if text.startswith(GUARD) and needs_guard(text[1:]):
        return text[1:]
    return text
