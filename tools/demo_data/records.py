"""The records that are (nearly) hand-written: organisations, challenges and demo users."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from tools.demo_data.sources import Sources
from tools.demo_data.students import period_end

PASSWORD_NOTE = "Demo login; the password is set by the loader and is not stored in this file."


def build_organisations(sources: Sources) -> list[dict[str, Any]]:
    """Intermediaries and SMEs as written, then the institutions (their towns stay behind)."""
    institutions = [
        {
            "id": i.id,
            "name": i.name,
            "kind": i.kind,
            "community_ids": i.community_ids,
            "city": i.towns[0],
            "description": i.description,
        }
        for i in sources.institutions
    ]
    return sources.organisations + institutions


def build_challenges(sources: Sources, organisations: dict[str, dict]) -> list[dict[str, Any]]:
    """Challenges from the source, with ids, community, place and end date filled in."""
    challenges = []
    for number, item in enumerate(sources.challenges, start=1):
        where = f"source/challenges.json, challenge {number} ({item.get('title')!r})"
        owner = organisations.get(item["org"])
        if owner is None or owner["kind"] != "sme":
            raise ValueError(f"{where}: org {item['org']!r} is not an SME in this set")
        start = dt.date.fromisoformat(item["start"])
        if start.weekday() != 0:
            raise ValueError(f"{where}: start {start} is not a Monday")
        challenges.append(
            {
                "id": f"ch-{number:03d}",
                "community_id": owner["community_ids"][0],
                "organisation_id": owner["id"],
                "title": item["title"],
                "description": item["description"],
                "wanted_skills": [sources.skills.skill(label, where) for label in item["skills"]],
                "themes": item["themes"],
                "level": item["level"],
                "kind": item["kind"],
                "hours_per_week": item["hours_per_week"],
                "weeks": item["weeks"],
                "period_start": start.isoformat(),
                "period_end": period_end(start, item["weeks"]).isoformat(),
                "place": item.get("place", owner["city"]),
                "remote": item["remote"],
                "language": item["language"],
                "students_wanted": item["students_wanted"],
                "status": item["status"],
            }
        )
    return challenges


def email_local_part(full_name: str) -> str:
    """The ASCII part before the @: "Ayşe Yılmaz" becomes "ayse.yilmaz"."""
    ascii_name = (
        unicodedata.normalize("NFKD", full_name.replace("ı", "i").replace("ł", "l"))
        .encode("ascii", "ignore")
        .decode()
        .lower()
    )
    parts = ascii_name.split()
    return f"{parts[0]}.{''.join(parts[1:])}"


def build_users(sources: Sources, students: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Staff users plus two student logins per community (the first mbo and hbo student)."""
    users = []
    for staff in sources.staff_users:
        user = {key: staff[key] for key in ("id", "email", "full_name", "role", "community_ids")}
        if staff["organisation_id"]:  # the admin belongs to no organisation
            user["organisation_id"] = staff["organisation_id"]
        users.append(user | {"note": PASSWORD_NOTE})
    for community in sources.community_order:
        for level in ("mbo", "hbo"):
            student = next(
                s
                for s in students
                if s["community_ids"] == [community]
                and s["level"] == level
                and s["consent_matching"]
            )
            users.append(
                {
                    "id": f"usr-student-{student['id'].removeprefix('stu-')}",
                    "email": f"{email_local_part(student['full_name'])}@example.com",
                    "full_name": student["full_name"],
                    "role": "student",
                    "community_ids": student["community_ids"],
                    "student_id": student["id"],
                    "note": PASSWORD_NOTE,
                }
            )
    return users


def build_teachers(sources: Sources) -> list[dict[str, Any]]:
    """Teachers (docenten) with their institution's name, an e-mail address and resolved skills."""
    institutions = {i.id: i for i in sources.institutions}
    offered = {(i, p.name) for p in sources.programmes for i in p.institutions}
    teachers = []
    for number, item in enumerate(sources.teachers, start=1):
        where = f"source/teachers.json, teacher {number} ({item['full_name']})"
        institution = institutions.get(item["institution_id"])
        if institution is None:
            raise ValueError(f"{where}: unknown institution_id {item['institution_id']!r}")
        if (institution.id, item["programme"]) not in offered:
            raise ValueError(f"{where}: {institution.name} has no programme {item['programme']!r}")
        if not set(item["community_ids"]) <= set(institution.community_ids):
            raise ValueError(f"{where}: a community its institution is not in")
        teachers.append(
            {
                "id": item["id"],
                "community_ids": item["community_ids"],
                "full_name": item["full_name"],
                "email": f"{email_local_part(item['full_name'])}@example.nl",
                "institution": institution.name,
                "programme": item["programme"],
                "place": item["place"],
                "expertise": item["expertise"],
                "skills": [sources.skills.skill(label, where) for label in item["skills"]],
                "themes": item["themes"],
                "supervision_capacity": item["supervision_capacity"],
            }
        )
    return teachers
