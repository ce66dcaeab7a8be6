"""Read the hand-written tables of the demo set (data/demo/source) into plain Python objects."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.demo_data.skills import SkillVocabulary, read_csv

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = ROOT / "data" / "demo" / "source"
ESCO_FILE = ROOT / "data" / "esco" / "esco-skills.jsonl.gz"


@dataclass(frozen=True)
class Institution:
    """A school, hogeschool, university or research organisation, and where its students live."""

    id: str
    name: str
    kind: str
    community_ids: list[str]
    towns: list[str]  # first town = main campus; the rest = where students live
    surname_region: str  # key into the regional surnames of names.json
    description: str


@dataclass(frozen=True)
class Programme:
    """A real kind of Dutch programme and the material its students are generated from."""

    name: str
    level: str
    institutions: list[str]
    community_ids: list[str]  # communities whose challenges suit this programme
    weight: int  # relative number of students within the level
    years: list[list[int]]  # [study year, weight]; wo years 4-5 are the master
    skills: list[str]
    interests: list[str]
    focus: list[str]  # "what I like" phrases for the about text
    focus_en: list[str]
    international: float  # share of international (English-speaking) students


@dataclass(frozen=True)
class NameGroup:
    """Names of one background among Dutch students, with the family language if any."""

    weight: int
    first: list[str]
    last: list[str]
    language: str | None
    regional: bool  # may take a surname typical of the institution's region


@dataclass(frozen=True)
class Sources:
    """Every table the generator reads; dict-shaped tables stay dicts."""

    communities: list[dict[str, Any]]
    themes: list[str]
    organisations: list[dict[str, Any]]  # intermediaries and SMEs
    institutions: list[Institution]
    research_groups: list[dict[str, Any]]
    challenges: list[dict[str, Any]]
    programmes: list[Programme]
    names: dict[str, Any]
    name_groups: list[NameGroup]
    texts: dict[str, Any]
    rules: dict[str, Any]
    staff_users: list[dict[str, Any]]
    teachers: list[dict[str, Any]]
    rounds: dict[str, Any]  # the round settings of source/rounds.json
    research_lines: dict[str, Any]
    meetings: dict[str, Any]
    professionals: dict[str, Any]  # how professionals are generated
    funding_programmes: list[dict[str, Any]]
    skills: SkillVocabulary

    @property
    def community_order(self) -> list[str]:
        """Community ids in the order of communities.json."""
        return [c["id"] for c in self.communities]


def read_json(path: Path) -> Any:
    """A JSON file; a syntax error names the file and line."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path.name} line {error.lineno}: {error.msg}") from None


def load_sources(source_dir: Path = SOURCE_DIR, esco_file: Path = ESCO_FILE) -> Sources:
    """All tables of `source_dir`, the skill vocabulary checked against `esco_file`."""
    programmes = read_json(source_dir / "programmes.json")
    names = read_json(source_dir / "names.json")

    def name_list(value: str | list[str]) -> list[str]:  # a string names a shared list
        return names[value] if isinstance(value, str) else value

    return Sources(
        communities=read_json(source_dir / "communities.json"),
        themes=read_json(source_dir / "themes.json"),
        organisations=read_json(source_dir / "organisations.json"),
        institutions=[Institution(**i) for i in read_json(source_dir / "institutions.json")],
        research_groups=read_json(source_dir / "research_groups.json"),
        challenges=read_json(source_dir / "challenges.json")["challenges"],
        programmes=[
            Programme(
                name=p["name"],
                level=p["level"],
                institutions=p["institutions"],
                community_ids=p["community_ids"],
                weight=p["weight"],
                years=programmes["year_weights"][p["years"]],
                skills=p["skills"],
                interests=p["interests"],
                focus=p["focus"],
                focus_en=p.get("focus_en", []),
                international=p.get("international", 0.0),
            )
            for p in programmes["programmes"]
        ],
        names=names,
        name_groups=[
            NameGroup(
                weight=g["weight"],
                first=name_list(g["first"]),
                last=name_list(g["last"]),
                language=g["language"],
                regional=g["regional"],
            )
            for g in names["name_groups"]
        ],
        texts=read_json(source_dir / "about_texts.json"),
        rules=read_json(source_dir / "student_rules.json"),
        staff_users=read_json(source_dir / "users.json"),
        teachers=read_json(source_dir / "teachers.json")["teachers"],
        rounds=read_json(source_dir / "rounds.json"),
        research_lines=read_json(source_dir / "research_lines.json"),
        meetings=read_json(source_dir / "meetings.json"),
        professionals=read_json(source_dir / "professionals.json"),
        funding_programmes=read_json(source_dir / "funding_programmes.json")["funding_programmes"],
        skills=SkillVocabulary(
            [row["esco_id"] for row in read_csv(source_dir / "esco_skills.csv")],
            [row["label"] for row in read_csv(source_dir / "skills_outside_esco.csv")],
            esco_file,
        ),
    )
