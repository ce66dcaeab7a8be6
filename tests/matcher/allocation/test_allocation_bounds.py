"""Every challenge that can have a team gets one, and the worst team counts the ones left out."""

from __future__ import annotations

import pytest
from allocation_rounds import challenge, round_of, scores, student, supervisor

from matcher.allocation.bounds import best_team_alone, best_teams_alone
from matcher.allocation.improve import raise_worst
from matcher.allocation.metrics import figures
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate, build, fairness_groups
from matcher.allocation.teams import Team
from matcher.allocation.validate import validate

FIT_ABDE = {"a": 0.9, "b": 0.8, "d": 0.1, "e": 0.1}


def teams_of(teams: list[Team]) -> dict[str, set[str]]:
    return {t.challenge: set(t.members) for t in teams}


def test_a_challenges_best_team_alone_is_found_by_hand() -> None:
    # X (2–3): a .9, b .8, c .2 → {a, b} .85. Y (2–3) needs 'lassen', which only c (.2) has:
    # {a, c} .55, {a, b, c} .633 — the larger team is the better one. Z needs 'metselen',
    # which nobody has: no team at all, whatever the others do.
    inst = round_of(
        students=[student("a"), student("b"), student("c", skills=["lassen"])],
        challenges=[
            challenge("X", team_min=2, team_max=3),
            challenge("Y", team_min=2, team_max=3, required_skills=["lassen"]),
            challenge("Z", team_min=1, team_max=2, required_skills=["metselen"]),
        ],
        scores=scores({(s, c): v for c in "XYZ" for s, v in (("a", 0.9), ("b", 0.8), ("c", 0.2))}),
    )
    prepared = prepare(inst)
    x, y, z = best_teams_alone(prepared)
    assert (x.mean_fit, x.size) == (pytest.approx(0.85), 2)
    assert (y.mean_fit, y.size) == (pytest.approx((0.9 + 0.8 + 0.2) / 3), 3)
    assert (z.mean_fit, z.size) == (None, None)


def test_a_challenge_without_a_supervisor_with_room_has_no_team_alone() -> None:
    inst = round_of(
        students=[student("a"), student("b")],
        challenges=[challenge("X", team_min=2, team_max=2)],
        supervisors=[supervisor("v1", 0)],
        scores=scores({("a", "X"): 0.9, ("b", "X"): 0.8}),
    )
    assert best_team_alone(prepare(inst), 0).mean_fit is None


def test_the_worst_team_counts_a_challenge_left_out_or_broken_as_zero() -> None:
    inst = round_of(
        students=[student("a"), student("b"), student("c", level="mbo")],
        challenges=[
            challenge("X", team_max=1),
            challenge("Y", team_max=1),
            challenge("Z", team_max=1, levels=["hbo"]),
        ],
        scores=scores({("a", "X"): 0.9, ("b", "Y"): 0.6, ("c", "Z"): 0.8}),
    )
    prepared = prepare(inst)
    must = [a.challenge for a in best_teams_alone(prepared) if a.mean_fit is not None]
    assert must == ["X", "Y", "Z"]  # a or b could take Z on their own
    only_x = figures(prepared, [Team("X", "v1", ("a",))], must)
    assert only_x.valid_worst_team_fit == pytest.approx(0.9)  # over the one team it staffed
    assert (only_x.worst_team_fit_all, only_x.must_staff_valid, only_x.must_staff) == (0.0, 1, 3)
    assert only_x.worst_team_all == "Y"
    # c is mbo, Z takes hbo only: that team breaks a rule and counts 0 as well.
    broken = [Team("X", "v1", ("a",)), Team("Y", "v1", ("b",)), Team("Z", "v1", ("c",))]
    all_three = figures(prepared, broken, must)
    assert (all_three.worst_team_fit_all, all_three.worst_team_all) == (0.0, "Z")
    assert all_three.valid_teams == 2
    good = figures(prepared, [Team("X", "v1", ("a",)), Team("Y", "v1", ("b",))], ["X", "Y"])
    assert good.worst_team_fit_all == pytest.approx(0.6)


@pytest.mark.parametrize(("y_max", "x_team"), [(2, {"a"}), (1, {"a", "b"})])
def test_a_team_above_its_minimum_hands_its_weakest_member_to_a_team_with_room(
    y_max: int, x_team: set[str]
) -> None:
    # X (1–3) has a (.9) and b (.1): mean .5, the weakest; Y has c (.6); nobody waits. No swap
    # lifts X (c is worth nothing there). With room in Y, b goes over (.55 there): X .9, Y
    # .575. With Y full, b would only be left out, and a team does not shed a student for that.
    inst = round_of(
        students=[student("a"), student("b"), student("c")],
        challenges=[challenge("X", team_max=3), challenge("Y", team_max=y_max)],
        scores=scores({("a", "X"): 0.9, ("b", "X"): 0.1, ("b", "Y"): 0.55, ("c", "Y"): 0.6}),
    )
    prepared = prepare(inst)
    start = [Team("X", "v1", ("a", "b")), Team("Y", "v1", ("c",))]
    teams = raise_worst(
        prepared, build(prepared), start, fairness_groups(prepared), lam=1.0, deadline=1e18
    )
    assert teams_of(teams)["X"] == x_team
    assert sum(len(t.members) for t in teams) == 3
    assert validate(inst, teams).ok


def test_worst_team_first_staffs_every_challenge_that_can_be_staffed() -> None:
    # X takes exactly two; Y one, and only a (mbo) may join Y. Total fit alone: X {a, b} 1.8
    # and Y left out (X {b, c} + Y {a} is 1.75). With the worst team first Y is a team of
    # fit 0 when left out, so both are staffed: X {b, c}, Y {a}.
    common = {
        "students": [student("a", level="mbo"), student("b"), student("c")],
        "challenges": [
            challenge("X", team_min=2, team_max=2),
            challenge("Y", team_max=1, levels=["mbo"]),
        ],
        "supervisors": [supervisor("v1", 2)],
        "scores": scores({("a", "X"): 0.9, ("b", "X"): 0.9, ("c", "X"): 0.75, ("a", "Y"): 0.1}),
    }
    total_only = allocate(round_of(**common))
    assert teams_of(total_only.teams) == {"X": {"a", "b"}}
    weights = {"placement": 0, "nearby": 0, "expertise": 0, "worst_team": 0.1}
    inst = round_of(**common, weights=weights)
    proposal = allocate(inst)
    assert teams_of(proposal.teams) == {"X": {"b", "c"}, "Y": {"a"}}
    assert validate(inst, proposal.teams).ok


def test_the_students_a_challenges_mix_needs_are_among_its_candidates() -> None:
    # One candidate per challenge by fit would be a or b (Elektrotechniek, no skills); d holds
    # the skill X requires and e is the only other programme Y's mix needs.
    inst = round_of(
        students=[
            student("a"),
            student("b"),
            student("d", skills=["lassen"]),
            student("e", programme="Bouwkunde"),
        ],
        challenges=[
            challenge("X", team_min=1, team_max=2, required_skills=["lassen"]),
            challenge("Y", team_min=2, team_max=2, min_programmes=2),
        ],
        scores=scores({(s, c): v for c in "XY" for s, v in FIT_ABDE.items()}),
        settings={"candidates_per_challenge": 1, "candidates_per_student": 0},
    )
    prepared = prepare(inst)
    pairs = set(zip(*(ix.tolist() for ix in prepared.candidates()), strict=True))
    assert (2, 0) in pairs  # d for X
    assert (3, 1) in pairs  # e for Y
    proposal = allocate(inst)
    assert validate(inst, proposal.teams).ok
    assert set(teams_of(proposal.teams)) == {"X", "Y"}
