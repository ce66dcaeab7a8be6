"""An SME's mark in a tiny round: one place, two students; the mark outweighs a small gap in
score and decides, and weighed at 0 it does not."""

from __future__ import annotations

import pytest
from allocation_rounds import challenge, round_of, scores, student

from matcher.allocation.explain import report
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate

#: b fits a little less well than a; both ranked X first.
TABLE = {("a", "X"): 0.60, ("b", "X"): 0.50}


def _placed(marked: list[str], weight: float | None = None) -> tuple[str, dict]:
    weights = {"placement": 0.0, "nearby": 0.0, "worst_team": 0.0, "expertise": 0.0}
    if weight is not None:
        weights["sme_mark"] = weight
    inst = round_of(
        students=[student("a"), student("b")],
        challenges=[challenge("X", team_max=1)],
        scores=scores(TABLE),
        preferences={"students": {"a": ["X"], "b": ["X"]}, "sme_marks": {"X": marked}},
        weights=weights,
    )
    prepared = prepare(inst)
    proposal = allocate(prepared)
    [team] = proposal.teams
    [member] = team.members
    return member, report(prepared, proposal)


def test_without_a_mark_the_better_score_wins() -> None:
    assert _placed([])[0] == "a"


def test_the_smes_mark_decides_and_says_so() -> None:
    member, shown = _placed(["b"])
    assert member == "b"
    [reasons] = [m["why"] for t in shown["teams"] for m in t["members"]]
    assert {"code": "member.sme_mark", "nl": "het mkb wil deze student graag"}.items() <= next(
        r for r in reasons if r["code"] == "member.sme_mark"
    ).items()


@pytest.mark.parametrize(("weight", "expected"), [(0.0, "a"), (0.05, "a"), (0.25, "b")])
def test_the_marks_weight_is_what_it_adds(weight: float, expected: str) -> None:
    # The gap in score is 0.10: a mark weighed below it loses, above it wins.
    assert _placed(["b"], weight)[0] == expected
