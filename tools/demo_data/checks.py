"""Checks of the built demo set: a wrong cross-reference or value stops the run before writing."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from tools.demo_data.places import unknown_places

# Every date in the set falls in these two years, so the demo stays "current" for 2026-2027;
# only the history (research lines, completed challenges, meetings, the funder) starts in 2025.
FIRST_DAY, LAST_DAY = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
FIRST_HISTORY_DAY = dt.date(2025, 1, 1)
HISTORY_FILES = ("past_challenges", "meetings", "research_lines", "funding_programmes")

ENUMS = {
    "organisations": {
        "kind": ("sme", "school", "university", "university_of_applied_sciences",
                 "intermediary", "research"),
    },
    "challenges": {
        "level": ("mbo", "hbo", "wo", "any"),
        "kind": ("assignment", "traineeship", "graduation"),
        "remote": ("onsite", "hybrid", "remote"),
        "language": ("nl", "en"),
        "status": ("published", "draft", "closed"),
    },
    "students": {
        "level": ("mbo", "hbo", "wo"),
        "visibility": ("intermediaries", "community_after_approval"),
    },
    "users": {"role": ("student", "sme", "intermediary", "admin")},
}  # fmt: skip


def check(data: dict[str, list[dict[str, Any]]], themes: list[str]) -> None:
    """Raise ValueError naming the file, record and field of the first inconsistency."""
    ids: set[str] = set()
    for file, records in data.items():
        for record in records:
            if record["id"] in ids:
                raise ValueError(f"{file}: duplicate id {record['id']}")
            ids.add(record["id"])
    community_ids = {c["id"] for c in data["communities"]}
    organisations = {o["id"]: o for o in data["organisations"]}
    student_ids = {s["id"] for s in data["students"]}
    institution_names = {o["name"] for o in data["organisations"] if o["kind"] != "sme"}

    def fail(file: str, record: dict, message: str) -> NoReturn:
        raise ValueError(f"{file}: {record['id']}: {message}")

    for file, records in data.items():
        for record in records:
            if any(c not in community_ids for c in record.get("community_ids", [])):
                fail(file, record, "unknown community in community_ids")
            if "community_id" in record and record["community_id"] not in community_ids:
                fail(file, record, "unknown community_id")
            for field in ("organisation_id", "intermediary_organisation_id"):
                if field in record and record[field] not in organisations:
                    fail(file, record, f"unknown {field} {record[field]!r}")
            if "student_id" in record and record["student_id"] not in student_ids:
                fail(file, record, "unknown student_id")
            if any(t not in themes for t in record.get("themes", [])):
                fail(file, record, f"unknown theme in {record['themes']}")
            for field, allowed in ENUMS.get(file, {}).items():
                if field in record and record[field] not in allowed:
                    fail(file, record, f"{field} {record[field]!r} not in {allowed}")
            first = FIRST_HISTORY_DAY if file in HISTORY_FILES else FIRST_DAY
            for field in (
                *("period_start", "period_end", "available_from", "available_until"),
                *("date", "started", "last_activity", "runs_from", "runs_until"),
            ):
                if field in record:
                    day = dt.date.fromisoformat(record[field])
                    if not first <= day <= LAST_DAY:
                        fail(file, record, f"{field} {day} outside {first.year}-{LAST_DAY.year}")
            for field in ("email", "contact_email"):
                if field in record and not record[field].endswith(("@example.nl", "@example.com")):
                    fail(file, record, f"{field} is not an @example.nl/.com address")
            if "institution" in record and record["institution"] not in institution_names:
                fail(file, record, f"institution {record['institution']!r} is not an organisation")
    for ch in data["challenges"]:
        if ch["period_end"] < ch["period_start"] or not 1 <= ch["students_wanted"] <= 4:
            fail("challenges", ch, "period or students_wanted out of range")
    for user in data["users"]:
        owner = organisations.get(user.get("organisation_id", ""), {"community_ids": community_ids})
        if not set(user["community_ids"]) <= set(owner["community_ids"]):
            fail("users", user, "member of a community its organisation is not in")
    for community in data["communities"]:
        kind = organisations[community["intermediary_organisation_id"]]["kind"]
        if kind != "intermediary":
            fail("communities", community, "intermediary organisation is not an intermediary")


# The fields that hold a place name, per file: each must be a Dutch place of the gazetteer.
PLACE_FIELDS = {
    "organisations": "city",
    "challenges": "place",
    "students": "region",
    "teachers": "place",
    "professionals": "place",
    "past_challenges": "place",
    "meetings": "place",
}


def check_places(data: dict[str, list[dict[str, Any]]]) -> None:
    """Raise ValueError naming each place that the GeoNames gazetteer does not know, and where."""
    used = {
        (file, record[field], record["id"])
        for file, field in PLACE_FIELDS.items()
        for record in data.get(file, [])
    }
    unknown = set(unknown_places({name for _, name, _ in used}))
    if unknown:
        first = sorted((name, file, id_) for file, name, id_ in used if name in unknown)
        named = ", ".join(f"{name!r} ({file}: {id_})" for name, file, id_ in first[:5])
        raise ValueError(f"{len(unknown)} place(s) not in the GeoNames gazetteer: {named}")


def check_people(data: dict[str, list[dict[str, Any]]], reserved_names: set[str]) -> None:
    """Raise ValueError when a teacher shares a name with a student, contact or demo user."""
    taken = reserved_names | {s["full_name"] for s in data["students"]}
    for teacher in data.get("teachers", []):
        if teacher["full_name"] in taken:
            raise ValueError(
                f"teachers: {teacher['id']}: the name {teacher['full_name']!r} is taken"
            )
        taken.add(teacher["full_name"])


def check_rounds(data: dict[str, list[dict[str, Any]]]) -> None:
    """Raise ValueError naming the round and the first reference or rule that does not hold."""
    challenges = {c["id"]: c for c in data["challenges"]}
    members = {
        s["id"]: s["community_ids"]
        for file in ("students", "research_groups", "teachers")
        for s in data.get(file, [])
    }
    for round_ in data.get("rounds", []):
        community = round_["community_id"]

        def fail(message: str, round_id: str = round_["id"]) -> NoReturn:
            raise ValueError(f"rounds: {round_id}: {message}")

        period = round_["period"]
        if not FIRST_DAY.isoformat() <= period["start"] < period["end"] <= LAST_DAY.isoformat():
            fail(f"period {period['start']}..{period['end']} outside 2026-2027")
        for rules in round_["challenges"]:
            challenge = challenges.get(rules["challenge_id"])
            if challenge is None or challenge["community_id"] != community:
                fail(f"challenge {rules['challenge_id']} is not in {community}")
            if not 1 <= rules["team_min"] <= rules["team_max"]:
                fail(f"{rules['challenge_id']}: team size {rules['team_min']}..{rules['team_max']}")
            if any(s not in challenge["wanted_skills"] for s in rules["required_skills"]):
                fail(f"{rules['challenge_id']}: a required skill the challenge does not want")
        for person in round_["student_ids"] + round_["supervisor_ids"]:
            if community not in members.get(person, []):
                fail(f"{person} is not a member of {community}")
        in_round = {r["challenge_id"] for r in round_["challenges"]}
        students = set(round_["student_ids"])
        for choice in round_["preferences"]:
            ranked = choice["challenge_ids"]
            if choice["student_id"] not in students or not 1 <= len(ranked) <= 5:
                fail(f"preferences of {choice['student_id']}: not in the round or not 1-5")
            if len(set(ranked)) != len(ranked) or not set(ranked) <= in_round:
                fail(f"preferences of {choice['student_id']}: repeated or outside the round")
        for mark in round_["sme_marks"]:
            if mark["challenge_id"] not in in_round or not set(mark["student_ids"]) <= students:
                fail(f"sme mark on {mark['challenge_id']}: outside the round")


def check_history(data: dict[str, list[dict[str, Any]]]) -> None:
    """Raise ValueError naming the record whose chain, team, supervisor or invitee is unknown."""
    ids = {r["id"] for records in data.values() for r in records}
    lines = {line["id"]: line for line in data["research_lines"]}
    for past in data["past_challenges"]:
        people = [*past["team_student_ids"], past["supervisor_id"]]
        if past["research_line_id"] not in lines or not set(people) <= ids:
            raise ValueError(f"past_challenges: {past['id']}: unknown line, student or supervisor")
        if past["follows"] and past["follows"] not in lines[past["research_line_id"]]["chain"]:
            raise ValueError(f"past_challenges: {past['id']}: follows a challenge of another line")
    for line in data["research_lines"]:
        if not set(line["chain"]) <= ids or line["research_group_id"] not in ids:
            raise ValueError(f"research_lines: {line['id']}: unknown challenge or research group")
    for meeting in data["meetings"]:
        invited = [i["invitee_id"] for i in meeting["invitations"]]
        if not set(invited) <= ids or len(set(invited)) != len(invited):
            raise ValueError(f"meetings: {meeting['id']}: unknown or repeated invitee")
        if len(invited) > meeting["capacity"] or meeting["research_line_id"] not in lines:
            raise ValueError(f"meetings: {meeting['id']}: over capacity or unknown line")
