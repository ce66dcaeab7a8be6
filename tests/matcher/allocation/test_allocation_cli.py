"""`lcmatch allocate` solves the example round into a teams file the validator accepts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from matcher.allocation.instance import load_instance
from matcher.allocation.validate import teams_from_json, validate
from matcher.paths import PROJECT_ROOT
from service.cli import app

EXAMPLE = PROJECT_ROOT / "data" / "allocation" / "example-round.json"


def test_the_example_round_is_solved_explained_and_valid(tmp_path: Path) -> None:
    out = tmp_path / "teams.json"
    result = CliRunner().invoke(app, ["allocate", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output
    teams = json.loads(out.read_text(encoding="utf-8"))
    assert teams["status"] == "optimal"
    assert validate(load_instance(EXAMPLE), teams_from_json(teams)).violations == []
    by_challenge = {t["challenge"]: t for t in teams["teams"]}
    assert "gijs" in [m["student"] for m in by_challenge["circulaire-kantine"]["members"]]
    (unstaffed,) = teams["unstaffed"]
    assert unstaffed["challenge"] == "warmtenet-zeeland"
    why = unstaffed["why"]["en"]
    assert why == "needs 2 HBO students who can travel to Middelburg; 1 available"
    member = by_challenge["warmtepomp-bakkerij"]["members"][0]
    assert {"code", "params", "nl", "en"} <= set(member["why"][0])


def test_a_bad_round_file_names_the_field_and_writes_nothing(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["challenges"][0]["place"] = "Osss"
    bad = tmp_path / "round.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "teams.json"
    result = CliRunner().invoke(app, ["allocate", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "challenges[0].place: unknown Dutch place 'Osss'; did you mean Oss?" in result.output
    assert not out.exists()


def test_an_infeasible_pin_exits_1_with_the_reason(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["pins"].append({"student": "lucas", "challenge": "zorgrobot"})
    bad = tmp_path / "round.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["allocate", str(bad), "--out", str(tmp_path / "t.json")])
    assert result.exit_code == 1
    assert "pinned: lucas cannot join zorgrobot: level WO not allowed" in result.output
