"""The README's figures about the authorization matrix are the matrix's own counts."""

from __future__ import annotations

import re
from pathlib import Path

from authz import read_matrix

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_counts_the_authorization_matrix_as_it_is() -> None:
    cells = read_matrix()
    text = " ".join(README.read_text(encoding="utf-8").split())
    stated = re.search(r"([\d,]+) cells over (\d+) routes, (\d+) of them on a", text)
    assert stated, "the README no longer states the matrix's size"
    routes = {cell.route for cell in cells}
    shared = [cell for cell in cells if cell.relation == "shared"]
    assert (int(stated[1].replace(",", "")), int(stated[2]), int(stated[3])) == (
        len(cells),
        len(routes),
        len(shared),
    )
    calls = re.search(r"on SQLite and PostgreSQL \(([\d,]+) calls\)", text)
    assert calls and int(calls[1].replace(",", "")) == 2 * len(cells)
