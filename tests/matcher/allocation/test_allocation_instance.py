"""A round file with bad input gets an error naming the line or field of each problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from allocation_rounds import challenge, student, supervisor

from matcher.allocation.instance import InstanceError, load_instance, parse_instance


def base() -> dict:
    return {
        "students": [student("a"), student("b")],
        "challenges": [challenge("X")],
        "supervisors": [supervisor("v1")],
    }


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InstanceError) as caught:
        parse_instance(data)
    return caught.value.problems


def test_a_wrong_value_names_its_path() -> None:
    data = base()
    data["students"][1]["level"] = "phd"
    data["challenges"][0]["team_min"] = 3
    (level, sizes) = problems_of(data)
    assert level.startswith("students[1].level:")
    assert sizes.startswith("challenges[0]:") and "team_min 3 is above team_max 2" in sizes


def test_an_unknown_place_names_the_field_and_suggests_a_spelling() -> None:
    data = base()
    data["students"][0]["place"] = "Nijmegn"
    (problem,) = problems_of(data)
    assert problem == "students[0].place: unknown Dutch place 'Nijmegn'; did you mean Nijmegen?"


def test_unknown_ids_duplicates_and_too_many_wishes_are_each_named() -> None:
    data = base()
    data["students"].append(student("a"))
    data["preferences"] = {"students": {"b": ["X", "Q"]}}
    data["pins"] = [{"student": "zz", "challenge": "X"}]
    problems = problems_of(data)
    assert "students: id 'a' occurs 2 times" in problems
    assert "preferences.students.b[1]: unknown challenge 'Q'" in problems
    assert "pins[0].student: unknown student 'zz'" in problems
    data = base()
    data["preferences"] = {"students": {"a": ["X"] * 6}}
    assert problems_of(data)[0].startswith("preferences.students.a:")


def test_a_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text('{\n  "students": [\n    {"id": "a",}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(InstanceError, match="line 3 column"):
        load_instance(path)


def test_a_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text(json.dumps(base()), encoding="utf-8")
    inst = load_instance(path)
    assert [s.id for s in inst.students] == ["a", "b"]
    assert inst.weights.preference == 1.0
