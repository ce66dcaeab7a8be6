"""Two years of history: research lines and their completed challenges, meetings, the funder."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from tools.demo_data.sources import Sources
from tools.demo_data.students import period_end, weighted

FOLLOW_UP_DAYS = 270  # a challenge that starts this soon after a meeting counts as led to by it


def team_candidates(
    challenge: dict[str, Any], themes: set[str], students: list[dict], levels: dict[str, list]
) -> list[dict[str, Any]]:
    """Current students who could have joined then: community, consent, level, year of study."""
    start = challenge["period_start"]
    min_year = 2 if start >= "2026-01-01" else 3  # they were studying already at the time
    allowed = (
        [challenge["level"]] if challenge["kind"] == "graduation" else levels[challenge["level"]]
    )
    fitting = [
        s
        for s in students
        if challenge["community_id"] in s["community_ids"]
        and s["consent_matching"]
        and s["level"] in allowed
        and s["year"] >= min_year
    ]
    return sorted(fitting, key=lambda s: (-len(themes & set(s["interests"])), s["id"]))


def build_lines(
    sources: Sources, data: dict[str, list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(research lines, their completed challenges) with teams drawn from the current students."""
    spec = sources.research_lines
    rng = random.Random(spec["seed"])
    organisations = {o["id"]: o for o in data["organisations"]}
    groups = {g["id"]: g for g in data["research_groups"]}
    challenges = {c["id"]: c for c in data["challenges"]}
    levels = sources.rounds["levels_allowed"]
    in_a_team: set[str] = set()  # one past team per student keeps the history plausible
    lines, past = [], []
    for line in spec["lines"]:
        themes = set(groups[line["research_group_id"]]["themes"])
        chain: list[str] = []
        for item in line["past"]:
            owner = organisations[item["org"]]
            start = dt.date.fromisoformat(item["start"])
            record = {
                "id": f"hch-{len(past) + 1:03d}",
                "community_id": owner["community_ids"][0],
                "organisation_id": owner["id"],
                "research_line_id": line["id"],
                "title": item["title"],
                "description": item["description"],
                "kind": item["kind"],
                "level": item["level"],
                "hours_per_week": item["hours_per_week"],
                "period_start": start.isoformat(),
                "period_end": period_end(start, item["weeks"]).isoformat(),
                "place": owner["city"],
                "status": "completed",
                "follows": chain[-1] if chain else None,
                "supervisor_id": line["research_group_id"],
            }
            free = [
                s
                for s in team_candidates(record, themes, data["students"], levels)
                if s["id"] not in in_a_team
            ]
            if len(free) < item["team_size"]:
                raise ValueError(
                    f"source/research_lines.json: {item['title']!r}: {len(free)} students could "
                    f"have been in its team of {item['team_size']}"
                )
            team = sorted(
                s["id"] for s in rng.sample(free[: 3 * item["team_size"]], item["team_size"])
            )
            in_a_team.update(team)
            record |= {
                "team_student_ids": team,
                "handover": {
                    "done": item["done"],
                    "open": item["open"],
                    "links": [f"https://example.nl/overdracht/{record['id']}"],
                },
                "rating": item["rating"],
            }
            past.append(record)
            chain.append(record["id"])
        follow_up = line["continued_by"]
        last = challenges[follow_up]["period_start"] if follow_up else past[-1]["period_end"]
        lines.append(
            {
                "id": line["id"],
                "community_id": line["community_id"],
                "name": line["name"],
                "description": line["description"],
                "research_group_id": line["research_group_id"],
                "themes": groups[line["research_group_id"]]["themes"],
                "started": past[len(past) - len(line["past"])]["period_start"],
                "chain": [*chain, follow_up] if follow_up else chain,
                "status": "continues" if follow_up else "stalled",
                "last_activity": last,
            }
        )
    return lines, past


def invitees(
    rng: random.Random, meeting: dict, line: dict, data: dict[str, list[dict[str, Any]]]
) -> list[tuple[str, str]]:
    """(id, kind) of the people and groups the meeting invites, best fitting first."""
    community, themes = meeting["community_id"], set(line["themes"])
    sharing = {
        c["organisation_id"]
        for c in data["challenges"]
        if c["community_id"] == community and themes & set(c["themes"])
    }
    sharing |= {c["organisation_id"] for c in data["past_challenges"] if c["id"] in line["chain"]}
    host = meeting["host_organisation_id"]
    hosts = [p["id"] for p in data["professionals"] if p["organisation_id"] == host]
    pros = [
        p
        for p in data["professionals"]
        if p["organisation_id"] in sharing and p["organisation_id"] != host
    ]
    students = [
        s
        for s in data["students"]
        if community in s["community_ids"] and s["consent_matching"]
        and themes & set(s["interests"])
    ]  # fmt: skip
    teachers = [
        t for t in data["teachers"] if community in t["community_ids"] and themes & set(t["themes"])
    ]
    chosen = [(line["research_group_id"], "research_group")]
    chosen += [(t["id"], "teacher") for t in teachers[:2]]
    chosen += [(p, "host") for p in hosts]  # the host's own people always come
    room = meeting["capacity"] - len(chosen)
    pros_taken = sorted(p["id"] for p in rng.sample(pros, min(len(pros), room * 2 // 3)))
    chosen += [(p, "professional") for p in pros_taken]
    picked = rng.sample(students, min(len(students), meeting["capacity"] - len(chosen)))
    chosen += [(s, "student") for s in sorted(s["id"] for s in picked)]
    return chosen


def build_meetings(sources: Sources, data: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Meetings with invitations; held ones with answers and attendance, and what followed."""
    spec = sources.meetings
    rng = random.Random(spec["seed"])
    lines = {line["id"]: line for line in data["research_lines"]}
    organisations = {o["id"]: o for o in data["organisations"]}
    professionals = {p["id"]: p for p in data["professionals"]}
    starts = {c["id"]: c for c in data["challenges"] + data["past_challenges"]}
    meetings = []
    for item in spec["meetings"]:
        line = lines[item["research_line_id"]]
        held = item["date"] < spec["today"]
        invitations = []
        for invitee, kind in invitees(rng, item, line, data):
            if kind == "host":
                kind, answer, attended = "professional", "yes", held or None
            elif held:
                answer = weighted(rng, ["yes", "no", None], [60, 25, 15])
                attended = answer == "yes" and rng.random() < 0.85
            else:
                answer, attended = weighted(rng, ["yes", "no", None], [30, 10, 60]), None
            invitations.append(
                {"invitee_id": invitee, "kind": kind, "answer": answer, "attended": attended}
            )
        came = {
            professionals[i["invitee_id"]]["organisation_id"]
            for i in invitations
            if i["attended"] and i["kind"] == "professional"
        }
        day = dt.date.fromisoformat(item["date"])
        followed = [
            cid
            for cid in line["chain"]
            if starts[cid]["organisation_id"] in came
            and 0
            < (dt.date.fromisoformat(starts[cid]["period_start"]) - day).days
            <= FOLLOW_UP_DAYS
        ]
        meetings.append(
            {
                **{k: item[k] for k in ("id", "community_id", "research_line_id", "title")},
                "description": item["description"],
                "date": item["date"],
                "start": item["start"],
                "end": item["end"],
                "host_organisation_id": item["host_organisation_id"],
                "place": organisations[item["host_organisation_id"]]["city"],
                "capacity": item["capacity"],
                "status": "held" if held else "planned",
                "invitations": invitations,
                "followed_by": followed,
            }
        )
    return meetings
