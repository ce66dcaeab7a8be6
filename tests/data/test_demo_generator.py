"""The demo data generator (tools/demo_data) reproduces the committed data/demo files exactly."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.demo_data import build, write
from tools.demo_data.skills import ESCO_PREFIX, read_csv
from tools.demo_data.sources import ESCO_FILE, ROOT, SOURCE_DIR, load_sources

DEMO_DIR = ROOT / "data" / "demo"


def differing_files(generated: Path, committed: Path) -> list[str]:
    """Names of the JSON files that are missing on either side or differ in a byte."""
    names = {p.name for p in generated.glob("*.json")} | {p.name for p in committed.glob("*.json")}
    return sorted(
        name
        for name in names
        if not (generated / name).is_file()
        or not (committed / name).is_file()
        or (generated / name).read_bytes() != (committed / name).read_bytes()
    )


def esco_dutch_labels() -> dict[str, str]:
    """ESCO URI -> label_nl, straight from the shipped ESCO file."""
    with gzip.open(ESCO_FILE, "rt", encoding="utf-8") as file:
        return {r["uri"]: r["label_nl"] for r in map(json.loads, file)}


def test_the_command_rewrites_every_committed_file_byte_for_byte(tmp_path: Path) -> None:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    subprocess.run(
        [sys.executable, "-m", "tools.demo_data", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    assert len(list(tmp_path.glob("*.json"))) >= 6
    assert differing_files(tmp_path, DEMO_DIR) == [], "run: python -m tools.demo_data"


def test_a_source_table_changed_without_regenerating_is_caught(tmp_path: Path) -> None:
    source = shutil.copytree(SOURCE_DIR, tmp_path / "source")
    smes = json.loads((source / "organisations.json").read_text(encoding="utf-8"))
    smes[5]["size_employees"] += 1
    (source / "organisations.json").write_text(json.dumps(smes), encoding="utf-8")

    write(build(load_sources(source)), tmp_path / "out")

    assert differing_files(tmp_path / "out", DEMO_DIR) == ["organisations.json"]


def test_the_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    from tools.demo_data.__main__ import main

    write(build(), tmp_path)
    assert main(["--out", str(tmp_path), "--check"]) == 0
    students = tmp_path / "students.json"
    students.write_text(students.read_text(encoding="utf-8").replace("Daan", "Daan2", 1))
    assert main(["--out", str(tmp_path), "--check"]) == 1


def test_every_esco_id_in_the_sources_exists_with_a_dutch_label() -> None:
    labels = esco_dutch_labels()
    ids = [row["esco_id"] for row in read_csv(SOURCE_DIR / "esco_skills.csv")]
    assert len(ids) > 150
    assert len(set(ids)) == len(ids)
    missing = [i for i in ids if not labels.get(ESCO_PREFIX + i)]
    assert missing == []


def test_every_esco_skill_in_the_demo_files_carries_its_esco_label() -> None:
    labels = esco_dutch_labels()
    records = [
        skill
        for name, field in (("students", "skills"), ("challenges", "wanted_skills"))
        for record in json.loads((DEMO_DIR / f"{name}.json").read_text(encoding="utf-8"))
        for skill in record[field]
    ]
    with_uri = [s for s in records if s["esco_uri"]]
    assert len(with_uri) > 1500
    assert [s for s in with_uri if labels.get(s["esco_uri"]) != s["label"]] == []


def test_an_unknown_esco_id_is_named_with_its_line(tmp_path: Path) -> None:
    source = shutil.copytree(SOURCE_DIR, tmp_path / "source")
    rows = (source / "esco_skills.csv").read_text(encoding="utf-8").splitlines()
    rows.insert(3, "ict en data,00000000-0000-0000-0000-000000000000")
    (source / "esco_skills.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"esco_skills.csv line 4: 00000000-.* is not in"):
        load_sources(source)


def test_a_skill_outside_the_vocabulary_names_the_challenge(tmp_path: Path) -> None:
    source = shutil.copytree(SOURCE_DIR, tmp_path / "source")
    table = json.loads((source / "challenges.json").read_text(encoding="utf-8"))
    table["challenges"][2]["skills"].append("warmtepompen installeeren")
    (source / "challenges.json").write_text(json.dumps(table), encoding="utf-8")

    with pytest.raises(ValueError, match=r"challenge 3 .*unknown skill 'warmtepompen instal"):
        build(load_sources(source))


def test_a_place_outside_the_gazetteer_is_named(tmp_path: Path) -> None:
    source = shutil.copytree(SOURCE_DIR, tmp_path / "source")
    organisations = json.loads((source / "organisations.json").read_text(encoding="utf-8"))
    organisations[4]["city"] = "Kruiningen"  # a real village, but not in GeoNames' cities500
    (source / "organisations.json").write_text(json.dumps(organisations), encoding="utf-8")

    with pytest.raises(ValueError, match=r"'Kruiningen' \(organisations: org-"):
        build(load_sources(source))
