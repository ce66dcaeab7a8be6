"""The demo rounds (data/demo/rounds.json) can be solved: preferences and team rules that hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tools.demo_data.places import distance_km, unknown_places
from tools.demo_data.sources import ROOT, load_sources

DEMO_DIR = ROOT / "data" / "demo"


def demo(name: str) -> list[dict[str, Any]]:
    return json.loads((DEMO_DIR / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def round_settings() -> dict[str, Any]:
    return load_sources().rounds


def can_join(student: dict, challenge: dict, rules: dict, settings: dict[str, Any]) -> bool:
    """Written apart from the generator: level, hours and the place within reach."""
    reach = {"onsite": 1, "hybrid": settings["hybrid_travel_factor"], "remote": None}
    factor = reach[challenge["remote"]]
    return (
        student["level"] in rules["levels"]
        and student["hours_per_week"] >= challenge["hours_per_week"]
        and (
            factor is None
            or distance_km(student["region"], challenge["place"]) <= factor * student["travel_km"]
        )
    )


def test_distances_are_straight_line_km_between_gazetteer_places() -> None:
    # Middelburg and Goes lie on one parallel, 0.275 degrees of longitude apart: 19 km.
    assert 18 < distance_km("Middelburg", "Goes") < 20
    # Oss to Nijmegen: 0.335 degrees east (23 km) and 0.077 degrees north (8.5 km): 24.6 km.
    assert 23.5 < distance_km("Oss", "Nijmegen") < 25.5
    assert distance_km("Goes", "Goes") == 0


def test_every_place_of_students_teachers_and_challenges_is_in_the_gazetteer() -> None:
    places = {s["region"] for s in demo("students")} | {t["place"] for t in demo("teachers")}
    places |= {c["place"] for c in demo("challenges")} | {o["city"] for o in demo("organisations")}
    assert len(places) > 50
    assert unknown_places(places) == []


def test_each_community_has_one_open_round_with_supervisors_that_have_room() -> None:
    rounds = demo("rounds")
    capacity = {g["id"]: g["capacity_projects"] for g in demo("research_groups")}
    capacity |= {t["id"]: t["supervision_capacity"] for t in demo("teachers")}
    assert sorted(r["community_id"] for r in rounds) == sorted(c["id"] for c in demo("communities"))
    for round_ in rounds:
        assert round_["status"] == "open"
        assert any(s.startswith("tea-") for s in round_["supervisor_ids"])
        room = sum(capacity[s] for s in round_["supervisor_ids"])
        assert room >= len(round_["challenges"]), round_["id"]


def test_every_challenge_of_a_round_has_enough_students_who_could_join(
    round_settings: dict[str, Any],
) -> None:
    challenges = {c["id"]: c for c in demo("challenges")}
    students = {s["id"]: s for s in demo("students")}
    for round_ in demo("rounds"):
        for rules in round_["challenges"]:
            challenge = challenges[rules["challenge_id"]]
            able = [
                s
                for s in round_["student_ids"]
                if can_join(students[s], challenge, rules, round_settings)
            ]
            assert len(able) >= rules["team_min"], (round_["id"], challenge["id"])
            for skill in rules["required_skills"]:
                holders = [s for s in able if skill in students[s]["skills"]]
                assert len(holders) >= 2, (challenge["id"], skill["label"])


def test_preferences_rank_up_to_five_challenges_the_student_could_join(
    round_settings: dict[str, Any],
) -> None:
    challenges = {c["id"]: c for c in demo("challenges")}
    students = {s["id"]: s for s in demo("students")}
    stated = 0
    for round_ in demo("rounds"):
        rules = {r["challenge_id"]: r for r in round_["challenges"]}
        for choice in round_["preferences"]:
            student = students[choice["student_id"]]
            assert student["consent_matching"]
            assert 1 <= len(choice["challenge_ids"]) <= 5
            assert len(set(choice["challenge_ids"])) == len(choice["challenge_ids"])
            for challenge_id in choice["challenge_ids"]:
                assert can_join(
                    student, challenges[challenge_id], rules[challenge_id], round_settings
                )
            stated += 1
    assert stated > 100
