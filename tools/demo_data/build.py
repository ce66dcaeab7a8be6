"""Build every record of the demo set from the source tables, check it, and write the JSON files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tools.demo_data.checks import (
    check,
    check_history,
    check_people,
    check_places,
    check_rounds,
)
from tools.demo_data.history import build_lines, build_meetings
from tools.demo_data.professionals import build_professionals
from tools.demo_data.records import (
    build_challenges,
    build_organisations,
    build_teachers,
    build_users,
)
from tools.demo_data.rounds import build_rounds
from tools.demo_data.sources import ROOT, SOURCE_DIR, Sources, load_sources
from tools.demo_data.students import build_students

OUT_DIR = ROOT / "data" / "demo"


def build(sources: Sources | None = None) -> dict[str, list[dict[str, Any]]]:
    """All records of the demo set, checked, keyed by output file name (without .json)."""
    sources = sources or load_sources(SOURCE_DIR)
    organisations = build_organisations(sources)
    by_id = {o["id"]: o for o in organisations}
    reserved = {g["contact_name"] for g in sources.research_groups}
    reserved |= {u["full_name"] for u in sources.staff_users}
    students = build_students(sources, reserved)
    data = {
        "communities": sources.communities,
        "organisations": organisations,
        "challenges": build_challenges(sources, by_id),
        "students": students,
        "research_groups": sources.research_groups,
        "users": build_users(sources, students),
        "teachers": build_teachers(sources),
    }
    check(data, sources.themes)
    check_places(data)  # before the rounds, which measure distances between these places
    check_people(data, reserved)
    data["rounds"] = build_rounds(sources, data)
    taken = reserved | {p["full_name"] for f in ("students", "teachers") for p in data[f]}
    data["professionals"] = build_professionals(sources, data, taken)
    data["research_lines"], data["past_challenges"] = build_lines(sources, data)
    data["meetings"] = build_meetings(sources, data)
    data["funding_programmes"] = sources.funding_programmes
    check(data, sources.themes)
    check_places(data)
    check_people(data, reserved)
    check_rounds(data)
    check_history(data)
    return data


def render(records: list[dict[str, Any]]) -> str:
    """Pretty-printed JSON with a final newline; key order is the order the records were built."""
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def write(data: dict[str, list[dict[str, Any]]], out_dir: Path = OUT_DIR) -> list[Path]:
    """Write one UTF-8 file per table; all are rendered before the first one is replaced."""
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {out_dir / f"{name}.json": render(records) for name, records in data.items()}
    for path, text in texts.items():
        partial = path.with_suffix(".json.partial")
        partial.write_text(text, encoding="utf-8", newline="\n")
        os.replace(partial, path)
    return list(texts)
