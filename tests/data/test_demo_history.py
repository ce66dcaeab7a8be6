"""The demo history (research lines, past challenges, meetings, professionals) holds together."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from tools.demo_data.sources import ROOT

DEMO_DIR = ROOT / "data" / "demo"
TODAY = "2026-12-07"  # the demo's today: meetings before it were held


def demo(name: str) -> list[dict[str, Any]]:
    return json.loads((DEMO_DIR / f"{name}.json").read_text(encoding="utf-8"))


def test_a_continuing_line_is_one_chain_in_time_ending_in_a_current_challenge() -> None:
    past = {c["id"]: c for c in demo("past_challenges")}
    current = {c["id"]: c for c in demo("challenges")}
    lines = demo("research_lines")
    assert Counter(line["status"] for line in lines) == {"continues": 6, "stalled": 3}
    for line in lines:
        steps = [past.get(i) or current[i] for i in line["chain"]]
        starts = [s["period_start"] for s in steps]
        assert starts == sorted(starts), line["id"]
        assert {s["community_id"] for s in steps} == {line["community_id"]}
        for before, after in zip(line["chain"], line["chain"][1:], strict=False):
            if after in past:
                assert past[after]["follows"] == before
        if line["status"] == "continues":
            assert line["chain"][-1] in current
            assert current[line["chain"][-1]]["organisation_id"] == steps[-2]["organisation_id"]
        else:  # stalled: nothing on the line for at least nine months
            last = dt.date.fromisoformat(steps[-1]["period_end"])
            assert (dt.date.fromisoformat(TODAY) - last).days > 270, line["id"]


def test_past_teams_are_consenting_members_each_in_one_team_with_a_hand_over() -> None:
    students = {s["id"]: s for s in demo("students")}
    teams = [c["team_student_ids"] for c in demo("past_challenges")]
    members = [s for team in teams for s in team]
    assert len(members) == len(set(members)) >= 30
    for challenge in demo("past_challenges"):
        assert challenge["handover"]["done"] and challenge["handover"]["open"]
        assert challenge["period_end"] < TODAY
        for student in challenge["team_student_ids"]:
            assert challenge["community_id"] in students[student]["community_ids"]
            assert students[student]["consent_matching"]


def test_meetings_count_only_those_who_said_yes_and_name_what_followed() -> None:
    professionals = {p["id"]: p for p in demo("professionals")}
    starts = {c["id"]: c for c in demo("past_challenges") + demo("challenges")}
    meetings = demo("meetings")
    assert {m["community_id"] for m in meetings if m["status"] == "planned"} == {
        c["id"] for c in demo("communities")
    }
    for meeting in meetings:
        invitations = meeting["invitations"]
        assert len(invitations) <= meeting["capacity"]
        came = [i for i in invitations if i["attended"]]
        assert all(i["answer"] == "yes" for i in came)
        assert (meeting["status"] == "held") == (meeting["date"] < TODAY) == bool(came)
        came_from = {
            professionals[i["invitee_id"]]["organisation_id"]
            for i in came
            if i["kind"] == "professional"
        }
        for challenge in meeting["followed_by"]:
            assert starts[challenge]["organisation_id"] in came_from
            assert starts[challenge]["period_start"] > meeting["date"]
    assert sum(len(m["followed_by"]) for m in meetings) >= 5


def test_every_sme_has_one_manager_and_every_person_a_name_of_their_own() -> None:
    professionals = demo("professionals")
    smes = [o["id"] for o in demo("organisations") if o["kind"] == "sme"]
    managers = Counter(p["organisation_id"] for p in professionals if p["role"] == "leidinggevende")
    assert managers == dict.fromkeys(smes, 1)
    names = [p["full_name"] for f in ("students", "teachers", "professionals") for p in demo(f)]
    names += [g["contact_name"] for g in demo("research_groups")]
    assert len(names) == len(set(names))


def test_the_funding_programme_spans_every_community() -> None:
    (programme,) = demo("funding_programmes")
    assert sorted(programme["community_ids"]) == sorted(c["id"] for c in demo("communities"))
    assert programme["runs_from"] <= "2025-02-03" and programme["runs_until"] >= "2027-07-02"
