"""Random small rounds: the validator finds no violation in a proposal; pins and forbids hold."""

from __future__ import annotations

from typing import Any

from allocation_rounds import challenge, round_of, student, supervisor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.allocation.explain import report
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate
from matcher.allocation.validate import validate

PLACES = ["Oss", "Nijmegen", "Den Bosch", "Goes", "Middelburg", "Utrecht"]
SKILLS = ["lassen", "warmtepompen installeren", "python", "zorgplan opstellen"]
PROGRAMMES = ["Elektrotechniek", "Bouwkunde", "HBO-ICT"]


@st.composite
def rounds(draw: st.DrawFn) -> dict[str, Any]:
    n_students = draw(st.integers(1, 9))
    n_challenges = draw(st.integers(1, 4))
    students = [
        student(
            f"s{i}",
            level=draw(st.sampled_from(["mbo", "hbo", "wo"])),
            programme=draw(st.sampled_from(PROGRAMMES)),
            place=draw(st.sampled_from(PLACES)),
            max_travel_km=draw(st.sampled_from([10, 30, 80])),
            hours=draw(st.sampled_from([4, 8, 16])),
            periods=draw(st.sampled_from([["voorjaar"], ["najaar"], ["voorjaar", "najaar"]])),
            skills=draw(st.lists(st.sampled_from(SKILLS), max_size=2, unique=True)),
        )
        for i in range(n_students)
    ]
    challenges = []
    for j in range(n_challenges):
        low = draw(st.integers(1, 3))
        challenges.append(
            challenge(
                f"c{j}",
                team_min=low,
                team_max=low + draw(st.integers(0, 2)),
                levels=draw(st.sampled_from([["mbo", "hbo", "wo"], ["hbo", "wo"], ["mbo"]])),
                min_programmes=draw(st.integers(1, 2)),
                skills=draw(st.lists(st.sampled_from(SKILLS), max_size=3, unique=True)),
                required_skills=draw(st.lists(st.sampled_from(SKILLS), max_size=1)),
                place=draw(st.sampled_from(PLACES)),
                mode=draw(st.sampled_from(["onsite", "hybrid", "remote"])),
                period=draw(st.sampled_from(["voorjaar", "najaar"])),
                hours=draw(st.sampled_from([4, 8])),
            )
        )
    supervisors = [
        supervisor(f"v{k}", draw(st.integers(0, 2)), expertise=SKILLS[k : k + 2])
        for k in range(draw(st.integers(1, 3)))
    ]
    ids = [s["id"] for s in students]
    cids = [c["id"] for c in challenges]
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(cids))
    pinned = draw(st.lists(pairs, max_size=2, unique_by=lambda p: p[0]))
    forbidden = [p for p in draw(st.lists(pairs, max_size=3, unique=True)) if p not in pinned]
    prefs = {
        sid: draw(st.lists(st.sampled_from(cids), max_size=3, unique=True))
        for sid in draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))
    }
    return {
        "students": students,
        "challenges": challenges,
        "supervisors": supervisors,
        "pins": [{"student": s, "challenge": c} for s, c in pinned],
        "forbids": [{"student": s, "challenge": c} for s, c in forbidden],
        "preferences": {"students": prefs},
        "weights": {"worst_team": draw(st.sampled_from([0, 10]))},
        "fairness": {"min_group": 2, "margin": 0.5},
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_a_proposal_keeps_every_rule_pin_and_forbid(data: dict[str, Any]) -> None:
    inst = round_of(**data)
    proposal = allocate(inst)
    prepared = prepare(inst)
    if proposal.status == "infeasible":
        assert inst.pins, "only pins can make a round infeasible"
        assert report(prepared, proposal)["infeasible"]
        return
    assert proposal.status == "optimal"
    check = validate(inst, proposal.teams)
    assert check.violations == []
    placed = proposal.assignment()
    for pin in inst.pins:
        assert placed[pin.student] == pin.challenge
    for forbid in inst.forbids:
        assert placed.get(forbid.student) != forbid.challenge
    out = report(prepared, proposal)
    assert len(out["unplaced"]) + len(placed) == len(inst.students)
