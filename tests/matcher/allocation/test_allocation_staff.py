"""A challenge's own staff (the SME's employees) stay in its team: they take places of team_min
and team_max, every proposal, re-solve and baseline carries them, the validator counts them in
the team's size and flags a team that leaves one out, and a round file names its mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from allocation_rounds import challenge, round_of, student, supervisor
from typer.testing import CliRunner

from matcher.allocation.baselines import max_min_greedy, top_k_first_come
from matcher.allocation.explain import report
from matcher.allocation.instance import InstanceError, load_instance, parse_instance
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate
from matcher.allocation.teams import Team
from matcher.allocation.validate import teams_from_json, validate
from service.cli import app


def _round(**fields):
    """Four students, two challenges of up to three: the bakery has two of its own staff."""
    return round_of(
        students=[student(f"s{i}") for i in range(4)],
        challenges=[
            challenge("bakkerij", team_min=2, team_max=3, staff=["pro-anna", "pro-bert"]),
            challenge("kantine", team_min=1, team_max=3),
        ],
        supervisors=[supervisor("v1")],
        scores=[
            {"student": f"s{i}", "challenge": "bakkerij", "score": 0.9 - i / 10} for i in range(4)
        ],
        **fields,
    )


def _team(teams, cid: str):
    [team] = [t for t in teams if t.challenge == cid]
    return team


def test_the_staff_take_places_and_stay_in_the_team() -> None:
    inst = _round()
    proposal = allocate(inst)
    bakery = _team(proposal.teams, "bakkerij")
    # Every student fits the bakery best, yet only one place is left beside its own two.
    assert bakery.staff == ("pro-anna", "pro-bert")
    assert len(bakery.members) == 1
    assert _team(proposal.teams, "kantine").staff == ()
    assert validate(inst, proposal.teams).violations == []
    out = report(prepare(inst), proposal)
    [listed] = [t for t in out["teams"] if t["challenge"] == "bakkerij"]
    assert listed["staff"] == ["pro-anna", "pro-bert"]
    # The validator reads the teams file back with its staff.
    assert validate(inst, teams_from_json(out)).violations == []


def test_a_re_solve_after_a_pin_keeps_the_staff() -> None:
    first = allocate(_round())
    placed = _team(first.teams, "bakkerij").members[0]
    other = next(s for s in ("s0", "s1", "s2", "s3") if s != placed)
    pinned = _round(pins=[{"student": other, "challenge": "bakkerij"}])
    again = allocate(pinned, previous=first)
    bakery = _team(again.teams, "bakkerij")
    assert bakery.members == (other,) and bakery.staff == ("pro-anna", "pro-bert")
    assert validate(pinned, again.teams).violations == []
    # Two pinned beside the staff would be four in a team of three: the round cannot be kept.
    both = _round(pins=[{"student": s, "challenge": "bakkerij"} for s in ("s0", "s1")])
    proposal = allocate(both)
    assert proposal.status == "infeasible"
    [why] = report(prepare(both), proposal)["infeasible"]
    assert why["code"] == "infeasible.pins_exceed_places"
    assert why["en"] == (
        "2 students pinned to bakkerij, but beside the organisation's 2 own staff there is "
        "room for at most 1"
    )


def test_the_baselines_bring_the_staff_too() -> None:
    prepared = prepare(_round())
    for teams in (top_k_first_come(prepared), max_min_greedy(prepared)):
        bakery = _team(teams, "bakkerij")
        assert bakery.staff == ("pro-anna", "pro-bert") and len(bakery.members) <= 1


def test_the_validator_counts_the_staff_and_misses_none() -> None:
    inst = _round()
    staff = ("pro-anna", "pro-bert")
    full = [Team("bakkerij", "v1", ("s0", "s1"), staff)]  # four in a team of three
    [too_big] = validate(inst, full).violations
    assert too_big.code == "size" and too_big.challenge == "bakkerij"
    assert "2 students and 2 staff" in too_big.message
    dropped = validate(inst, [Team("bakkerij", "v1", ("s0", "s1"), ("pro-anna",))])
    assert [v.code for v in dropped.violations] == ["staff"]
    assert "pro-bert" in dropped.violations[0].message
    stranger = validate(inst, [Team("bakkerij", "v1", ("s0",), (*staff, "pro-x"))])
    assert {v.code for v in stranger.violations} == {"staff", "size"}
    # Staff alone are no team: one student at least.
    assert [v.code for v in validate(inst, [Team("bakkerij", "v1", (), staff)]).violations] == [
        "size"
    ]


@pytest.mark.parametrize(
    ("staff", "where", "says"),
    [
        (["pro-a", "pro-b", "pro-c"], "challenges[0]", "no place is left for a student"),
        (["pro-a", "pro-a"], "challenges[0]", "named twice"),
        (["s0"], "challenges[0].staff[0]", "is a student"),
    ],
)
def test_a_round_file_with_bad_staff_names_the_field(staff, where, says) -> None:
    data = {
        "students": [student("s0")],
        "challenges": [challenge("bakkerij", team_max=3, staff=staff)],
        "supervisors": [supervisor("v1")],
    }
    with pytest.raises(InstanceError) as error:
        parse_instance(data)
    [problem] = error.value.problems
    assert problem.startswith(where) and says in problem


def test_lcmatch_allocate_reads_staff_from_the_round_file(tmp_path: Path) -> None:
    data = {
        "name": "met eigen medewerkers",
        "students": [student(f"s{i}") for i in range(3)],
        "challenges": [challenge("bakkerij", team_min=2, team_max=3, staff=["pro-anna"])],
        "supervisors": [supervisor("v1")],
    }
    source, out = tmp_path / "round.json", tmp_path / "teams.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["allocate", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    teams = json.loads(out.read_text(encoding="utf-8"))
    [team] = teams["teams"]
    assert team["staff"] == ["pro-anna"] and len(team["members"]) == 2
    assert teams["violations"] == []
    assert validate(load_instance(source), teams_from_json(teams)).violations == []
