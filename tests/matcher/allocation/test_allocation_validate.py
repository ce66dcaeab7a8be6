"""The independent validator finds every broken rule; baselines show what it catches."""

from __future__ import annotations

from allocation_rounds import challenge, round_of, scores, student, supervisor

from matcher.allocation.baselines import max_min_greedy, preference_flow, top_k_first_come
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate
from matcher.allocation.teams import Team
from matcher.allocation.validate import validate


def codes(inst, teams) -> set[str]:
    return {v.code for v in validate(inst, teams).violations}


def test_each_broken_rule_is_reported_by_code() -> None:
    inst = round_of(
        students=[
            student("a"),
            student("b", level="mbo"),
            student("c", place="Groningen"),
            student("d", periods=["najaar"], hours=4),
        ],
        challenges=[
            challenge("X", team_min=2, team_max=2, levels=["hbo"], min_programmes=2),
            challenge("Y", required_skills=["lassen"]),
        ],
        supervisors=[supervisor("v1", 1)],
        pins=[{"student": "a", "challenge": "Y"}],
        forbids=[{"student": "c", "challenge": "Y"}],
    )
    teams = [
        Team("X", "v1", ("a", "b", "c")),
        Team("Y", "v1", ("a", "c", "d")),
    ]
    found = codes(inst, teams)
    assert found == {
        "size", "level", "place", "period", "hours", "programmes", "skills",
        "capacity", "twice", "forbid",
    }  # fmt: skip
    assert codes(inst, [Team("Y", None, ("a",))]) == {"supervisor", "skills"}
    assert "pin" in codes(inst, [])
    assert validate(inst, []).violations[0].message == "a is pinned to Y but not in it"


def test_baselines_break_rules_the_solver_keeps() -> None:
    # X needs a welder; the top-k rule and the preference flow never look.
    inst = round_of(
        students=[student("a"), student("b"), student("w", skills=["lassen"], place="Nijmegen")],
        challenges=[challenge("X", team_min=2, team_max=2, required_skills=["lassen"])],
        scores=scores({("a", "X"): 0.9, ("b", "X"): 0.8, ("w", "X"): 0.1}),
        preferences={"students": {"a": ["X"], "b": ["X"]}},
    )
    prepared = prepare(inst)
    assert codes(inst, top_k_first_come(prepared)) == {"skills"}
    assert codes(inst, preference_flow(prepared)) == {"skills"}
    assert codes(inst, max_min_greedy(prepared)) == set()
    solved = allocate(inst)
    assert codes(inst, solved.teams) == set()
    assert set(solved.teams[0].members) == {"a", "w"}
