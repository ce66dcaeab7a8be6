"""Staffing rounds, one per community: challenges and their team rules, students, preferences."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from tools.demo_data.places import distance_km
from tools.demo_data.sources import Sources
from tools.demo_data.students import weighted

MAX_PREFERENCES = 5


def overlap_weeks(student: dict[str, Any], start: dt.date, end: dt.date) -> float:
    """How many weeks of the period [start, end] the student is available."""
    first = max(dt.date.fromisoformat(student["available_from"]), start)
    last = min(dt.date.fromisoformat(student["available_until"]), end)
    return max(0, (last - first).days + 1) / 7


def in_reach(student: dict[str, Any], challenge: dict[str, Any], hybrid_factor: float) -> bool:
    """The challenge's place is within the student's travel km (remote: always; hybrid: wider)."""
    if challenge["remote"] == "remote":
        return True
    limit = student["travel_km"] * (hybrid_factor if challenge["remote"] == "hybrid" else 1)
    return distance_km(student["region"], challenge["place"]) <= limit


def team_rules(challenge: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Team size range, allowed levels and minimum number of programmes of one challenge."""
    size = settings["team_size"][challenge["kind"]]
    team_min = max(challenge["students_wanted"], size["min"])
    level = challenge["level"]
    if challenge["kind"] == "graduation" and level != "any":
        levels = [level]  # a graduation project is examined at the student's own level
    else:
        levels = settings["levels_allowed"][level]
    return {
        "challenge_id": challenge["id"],
        "team_min": team_min,
        "team_max": team_min + size["extra"],
        "levels": levels,
        "min_programmes": 2 if team_min >= 2 else 1,
    }


def can_join(student: dict, challenge: dict, rules: dict, settings: dict[str, Any]) -> bool:
    """Level allowed, place within reach and enough hours a week: the student could be placed."""
    return (
        student["level"] in rules["levels"]
        and student["hours_per_week"] >= challenge["hours_per_week"]
        and in_reach(student, challenge, settings["hybrid_travel_factor"])
    )


def required_skills(
    challenge: dict, rules: dict, candidates: list[dict], settings: dict[str, Any]
) -> list[dict[str, Any]]:
    """The first wanted skills that enough candidates hold: the team must cover them."""
    wanted = [s for s in challenge["wanted_skills"] if s["esco_uri"]]
    held = [
        s
        for s in wanted
        if sum(s["label"] in {k["label"] for k in c["skills"]} for c in candidates)
        >= settings["min_holders_of_a_required_skill"]
    ]
    return held[: min(settings["max_required_skills"], rules["team_max"] - 1 or 1)]


def fit(student: dict, challenge: dict) -> int:
    """A rough liking: shared skills count most, then interests that name a theme."""
    skills = {s["label"] for s in student["skills"]} & {
        s["label"] for s in challenge["wanted_skills"]
    }
    themes = set(student["interests"]) & set(challenge["themes"])
    return 3 * len(skills) + 2 * len(themes)


def build_round(
    rng: random.Random,
    spec: dict[str, Any],
    settings: dict[str, Any],
    data: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """One round: the community's challenges of the period, its students and their preferences."""
    community, period = spec["community_id"], settings["period"]
    start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
    until = period["challenges_start_until"]
    challenges = [
        c
        for c in data["challenges"]
        if c["community_id"] == community
        and c["status"] == "published"
        and period["start"] <= c["period_start"] <= until
    ]
    students = [
        s
        for s in data["students"]
        if community in s["community_ids"]
        and s["consent_matching"]
        and overlap_weeks(s, start, end) >= settings["min_overlap_weeks"]
    ]
    rules = {c["id"]: team_rules(c, settings) for c in challenges}
    joinable = {
        c["id"]: [s for s in students if can_join(s, c, rules[c["id"]], settings)]
        for c in challenges
    }
    for c in challenges:
        rules[c["id"]]["required_skills"] = required_skills(
            c, rules[c["id"]], joinable[c["id"]], settings
        )

    counts = settings["preference_counts"]
    preferences = []
    for student in students:
        options = [c for c in challenges if student in joinable[c["id"]]]
        wanted = weighted(rng, [n for n, _ in counts], [w for _, w in counts])
        noisy = sorted(options, key=lambda c: -(fit(student, c) + 2 * rng.random()))
        if ranked := [c["id"] for c in noisy[: min(wanted, MAX_PREFERENCES)]]:
            preferences.append({"student_id": student["id"], "challenge_ids": ranked})

    marks = []
    for challenge in challenges:
        fans = [p["student_id"] for p in preferences if challenge["id"] in p["challenge_ids"]]
        if fans and rng.random() < settings["sme_mark_share"]:
            marks.append(
                {
                    "challenge_id": challenge["id"],
                    "student_ids": sorted(rng.sample(fans, min(2, len(fans)))),
                }
            )

    supervisors = [g["id"] for g in data["research_groups"] if community in g["community_ids"]]
    supervisors += [t["id"] for t in data["teachers"] if community in t["community_ids"]]
    return {
        "id": spec["id"],
        "community_id": community,
        "name": spec["name"],
        "period": {k: period[k] for k in ("label", "start", "end")},
        "preferences_until": period["preferences_until"],
        "status": "open",
        "challenges": [rules[c["id"]] for c in challenges],
        "student_ids": [s["id"] for s in students],
        "supervisor_ids": supervisors,
        "preferences": preferences,
        "sme_marks": marks,
    }


def build_rounds(sources: Sources, data: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One round per community, from the built challenges, students, groups and teachers."""
    settings = sources.rounds
    rng = random.Random(settings["seed"])  # its own RNG: the students never change with a round
    return [build_round(rng, spec, settings, data) for spec in settings["rounds"]]
