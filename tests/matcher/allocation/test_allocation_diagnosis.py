"""When a challenge cannot be staffed or the round is infeasible, the binding rule is named."""

from __future__ import annotations

from allocation_rounds import challenge, round_of, scores, student, supervisor

from matcher.allocation.explain import report
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate


def why_unstaffed(**fields: object) -> dict:
    inst = round_of(**fields)
    out = report(prepare(inst), allocate(inst))
    assert len(out["unstaffed"]) == 1
    return out["unstaffed"][0]["why"]


def test_a_missing_skill_is_counted_with_every_rule_before_it() -> None:
    why = why_unstaffed(
        students=[
            student("a", skills=["warmtepompen installeren"], periods=["najaar"]),
            student("b"),
            student("c", skills=["warmtepompen installeren"], level="mbo"),
        ],
        challenges=[
            challenge(
                "X", levels=["hbo"], required_skills=["Warmtepompen installeren"], period="voorjaar"
            )
        ],
    )
    assert why["code"] == "challenge.needs"
    assert why["params"]["available"] == 0
    assert why["en"] == (
        "needs 1 HBO student with 'Warmtepompen installeren' who can travel to Oss "
        "in voorjaar with 8 hours a week; 0 available"
    )
    assert why["nl"].startswith("heeft 1 hbo-student met 'Warmtepompen installeren'")


def test_too_few_students_in_reach_names_the_place_and_the_count() -> None:
    # Two hbo students live in Oss; the third lives in Goes, far beyond her 30 km.
    why = why_unstaffed(
        students=[student("a"), student("b"), student("c", place="Goes")],
        challenges=[challenge("X", team_min=3, team_max=4, levels=["hbo"])],
    )
    assert why["params"] == {"needed": 3, "levels": ["hbo"], "place": "Oss", "available": 2}
    assert why["en"] == "needs 3 HBO students who can travel to Oss; 2 available"


def test_too_few_programmes_is_named() -> None:
    why = why_unstaffed(
        students=[student("a"), student("b")],
        challenges=[challenge("X", team_min=2, min_programmes=2)],
    )
    assert why["code"] == "challenge.programmes"
    assert why["en"] == "needs students from 2 programmes; 1 available"


def test_a_student_left_out_hears_the_rule_that_leaves_no_challenge() -> None:
    inst = round_of(
        students=[student("far", place="Groningen", max_travel_km=20), student("near")],
        challenges=[challenge("X", team_max=2)],
        scores=scores({("near", "X"): 1.0, ("far", "X"): 1.0}),
    )
    out = report(prepare(inst), allocate(inst))
    (left,) = out["unplaced"]
    assert left["student"] == "far"
    assert left["why"]["code"] == "student.none_in_reach"
    assert left["why"]["nl"] == "geen passende uitdaging binnen 20 km van Groningen"


def test_a_pin_that_breaks_a_rule_makes_the_round_infeasible_and_says_which() -> None:
    inst = round_of(
        students=[student("a", level="mbo"), student("b")],
        challenges=[challenge("X", levels=["hbo", "wo"])],
        pins=[{"student": "a", "challenge": "X"}],
    )
    proposal = allocate(inst)
    assert proposal.status == "infeasible"
    out = report(prepare(inst), proposal)
    (reason,) = out["infeasible"]
    assert reason["code"] == "infeasible.pin_rule"
    assert reason["en"] == "pinned: a cannot join X: level MBO not allowed"
    assert reason["nl"] == "vastgezet: a kan niet bij X: niveau mbo niet toegestaan"


def test_more_pins_than_seats_and_a_full_supervisor_are_named() -> None:
    inst = round_of(
        students=[student("a"), student("b"), student("c")],
        challenges=[challenge("X", team_max=2), challenge("Y")],
        supervisors=[supervisor("v1", 1)],
        pins=[
            {"student": "a", "challenge": "X"},
            {"student": "b", "challenge": "X"},
            {"student": "c", "challenge": "X"},
            {"supervisor": "v1", "challenge": "X"},
            {"supervisor": "v1", "challenge": "Y"},
        ],
    )
    proposal = allocate(inst)
    assert proposal.status == "infeasible"
    codes = [r["code"] for r in report(prepare(inst), proposal)["infeasible"]]
    assert "infeasible.pins_exceed_size" in codes
    assert "infeasible.supervisor_capacity" in codes
