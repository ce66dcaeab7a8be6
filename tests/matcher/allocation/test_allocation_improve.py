"""Lifting the weakest team: hand-solved rounds where the worst team changes the answer."""

from __future__ import annotations

import pytest
from allocation_rounds import challenge, round_of, scores, student, supervisor

from matcher.allocation.improve import raise_total, raise_worst
from matcher.allocation.metrics import figures
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate, build, fairness_groups
from matcher.allocation.teams import Team
from matcher.allocation.validate import validate

# Four students, two challenges that each take exactly two. The six splits by hand
# (X's pair / Y's pair: X's mean, Y's mean → worst, total):
#   ab/cd .85 .20 → .20 2.1   ac/bd .70 .15 → .15 1.7   ad/bc .60 .25 → .25 1.7
#   bc/ad .65 .35 → .35 2.0   bd/ac .55 .45 → .45 2.0   cd/ab .40 .40 → .40 1.6
# Total fit alone picks ab/cd; the worst team first picks bd/ac (.45), the only split with it.
TABLE = {
    ("a", "X"): 0.9, ("b", "X"): 0.8, ("c", "X"): 0.5, ("d", "X"): 0.3,
    ("a", "Y"): 0.6, ("b", "Y"): 0.2, ("c", "Y"): 0.3, ("d", "Y"): 0.1,
}  # fmt: skip
PAIRS = [challenge("X", team_min=2, team_max=2), challenge("Y", team_min=2, team_max=2)]


def teams_of(teams: list[Team]) -> dict[str, set[str]]:
    return {t.challenge: set(t.members) for t in teams}


def lifted(inst, start: dict[str, tuple[str, ...]]) -> list[Team]:
    prepared = prepare(inst)
    teams = [Team(challenge=c, supervisor="v1", members=m) for c, m in start.items()]
    assert validate(inst, teams).ok
    return raise_worst(
        prepared, build(prepared), teams, fairness_groups(prepared), lam=1.0, deadline=1e18
    )


def test_the_weakest_team_is_lifted_to_the_hand_found_max_min() -> None:
    inst = round_of(
        students=[student(s) for s in "abcd"],
        challenges=PAIRS,
        supervisors=[supervisor("v1", 2)],
        scores=scores(TABLE),
    )
    teams = lifted(inst, {"X": ("a", "b"), "Y": ("c", "d")})
    assert teams_of(teams) == {"X": {"b", "d"}, "Y": {"a", "c"}}
    assert validate(inst, teams).ok
    assert figures(prepare(inst), teams).worst_team_fit == pytest.approx(0.45)


def test_allocate_puts_the_worst_team_first_and_total_fit_second() -> None:
    common = {
        "students": [student(s) for s in "abcd"],
        "challenges": PAIRS,
        "supervisors": [supervisor("v1", 2)],
        "scores": scores(TABLE),
    }
    total_only = allocate(round_of(**common))  # round_of's weights: worst_team 0
    assert teams_of(total_only.teams) == {"X": {"a", "b"}, "Y": {"c", "d"}}
    weights = {"placement": 0, "nearby": 0, "expertise": 0, "worst_team": 0.1}
    inst = round_of(**common, weights=weights)
    proposal = allocate(inst)
    assert proposal.status == "optimal"
    assert teams_of(proposal.teams) == {"X": {"b", "d"}, "Y": {"a", "c"}}
    assert proposal.objective == pytest.approx(2.0, abs=1e-3)
    assert validate(inst, proposal.teams).ok


def test_a_required_skill_stays_covered_while_lifting() -> None:
    # Only a has the skill X requires, so a stays in X: of ab/cd, ac/bd, ad/bc the best worst
    # team is ad/bc (.25), reached by swapping b and d.
    inst = round_of(
        students=[student("a", skills=["lassen"]), *(student(s) for s in "bcd")],
        challenges=[
            challenge("X", team_min=2, team_max=2, required_skills=["lassen"]),
            PAIRS[1],
        ],
        supervisors=[supervisor("v1", 2)],
        scores=scores(TABLE),
    )
    teams = lifted(inst, {"X": ("a", "b"), "Y": ("c", "d")})
    assert teams_of(teams) == {"X": {"a", "d"}, "Y": {"b", "c"}}
    assert validate(inst, teams).ok


@pytest.mark.parametrize(("margin", "x_team"), [(0.5, {"a"}), (1.0, {"e"})])
def test_a_swap_with_an_unplaced_student_keeps_the_fairness_margin(
    margin: float, x_team: set[str]
) -> None:
    # X has hbo student a (fit .2), e (mbo, fit .9) waits. Placing e instead of a moves the
    # level gap from .5 (hbo 1/1, mbo 1/2) to 1 (hbo 0/1, mbo 2/2): only a margin of 1 allows it.
    table = {("a", "X"): 0.2, ("e", "X"): 0.9, ("f", "Y"): 0.8}
    inst = round_of(
        students=[student("a"), student("e", level="mbo"), student("f", level="mbo")],
        challenges=[challenge("X", team_max=1), challenge("Y", team_max=1)],
        supervisors=[supervisor("v1", 2)],
        scores=scores(table),
        fairness={"by": ["level"], "min_group": 1, "margin": margin},
    )
    teams = lifted(inst, {"X": ("a",), "Y": ("f",)})
    assert teams_of(teams) == {"X": x_team, "Y": {"f"}}
    check = validate(inst, teams)
    assert check.ok
    assert check.gaps["level"] <= max(margin, 0.5) + 1e-9


def test_a_chain_through_an_unplaced_student_lifts_what_no_single_move_can() -> None:
    # W (hbo only) has a (.2); T has b (.9 there, .8 in W); u (mbo, .7 in T) waits. u cannot
    # join W, and a in T (.1) would sink T below .2; so b goes to W, u takes b's place, a waits.
    # By hand, of W/T = a/b .2, a/u .2, b/a .1, b/u .7, the best worst team is b/u (.7).
    table = {("a", "W"): 0.2, ("a", "T"): 0.1, ("b", "W"): 0.8, ("b", "T"): 0.9, ("u", "T"): 0.7}
    inst = round_of(
        students=[student("a"), student("b"), student("u", level="mbo")],
        challenges=[challenge("W", team_max=1, levels=["hbo"]), challenge("T", team_max=1)],
        supervisors=[supervisor("v1", 2)],
        scores=scores(table),
    )
    teams = lifted(inst, {"W": ("a",), "T": ("b",)})
    assert teams_of(teams) == {"W": {"b"}, "T": {"u"}}
    assert validate(inst, teams).ok


def test_a_swap_the_margin_blocks_goes_with_a_balancing_swap_elsewhere() -> None:
    # Margin 0 by level. W has a (hbo, .2); e (mbo, .9 in W) waits; T has f (mbo, .8); g (hbo,
    # .7 in T, too few hours for W) waits. e for a alone places two mbo and no hbo: blocked.
    # With g for f in T the levels stay even. By hand the best worst team with one student of
    # each level placed is W e / T g (.7): W a / T f, W a / T g and W e / T a give .2, .2, .1.
    table = {("a", "W"): 0.2, ("a", "T"): 0.1, ("e", "W"): 0.9, ("f", "T"): 0.8, ("g", "T"): 0.7}
    inst = round_of(
        students=[
            student("a"),
            student("e", level="mbo"),
            student("f", level="mbo"),
            student("g", hours=4),
        ],
        challenges=[challenge("W", team_max=1), challenge("T", team_max=1, hours=4)],
        supervisors=[supervisor("v1", 2)],
        scores=scores(table),
        fairness={"by": ["level"], "min_group": 1, "margin": 0.0},
    )
    teams = lifted(inst, {"W": ("a",), "T": ("f",)})
    assert teams_of(teams) == {"W": {"e"}, "T": {"g"}}
    check = validate(inst, teams)
    assert check.ok
    assert check.gaps["level"] == 0.0


@pytest.mark.parametrize(("b_in_x", "x_team"), [(0.45, {"a"}), (0.55, {"b"})])
def test_total_fit_is_won_back_only_above_the_weakest_team(b_in_x: float, x_team: set[str]) -> None:
    # X has a (.5), Y has b (.6): the weakest team is .5. Trading a and b raises total fit from
    # 1.1 to .9 + b's fit in X, but with b at .45 in X that team would sink below .5.
    table = {("a", "X"): 0.5, ("a", "Y"): 0.9, ("b", "Y"): 0.6, ("b", "X"): b_in_x}
    inst = round_of(
        students=[student("a"), student("b")],
        challenges=[challenge("X", team_max=1), challenge("Y", team_max=1)],
        supervisors=[supervisor("v1", 2)],
        scores=scores(table),
    )
    prepared = prepare(inst)
    start = [Team("X", "v1", ("a",)), Team("Y", "v1", ("b",))]
    teams = raise_total(prepared, build(prepared), start, fairness_groups(prepared), deadline=1e18)
    assert teams_of(teams)["X"] == x_team
    assert validate(inst, teams).ok
    assert figures(prepared, teams).worst_team_fit >= 0.5 - 1e-9
