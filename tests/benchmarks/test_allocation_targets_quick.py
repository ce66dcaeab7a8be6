"""benchmarks/allocation.py on a small generated round: every target reported, the bound holds."""

from __future__ import annotations

import pytest

from benchmarks import allocation as bench


@pytest.fixture
def small_round(monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setitem(bench.SIZES, "small", (120, 12, 3, 10.0))
    return bench.run_size("small", seed=3, quick=True)


def test_every_method_is_measured_over_every_challenge_the_round_must_staff(
    small_round: dict,
) -> None:
    must = small_round["must_staff"]
    bound = must["worst_team_bound"]["fit"]
    for name, m in small_round["methods"].items():
        assert m["must_staff"] == must["count"], name
        assert m["must_staff_valid"] <= m["valid_teams"], name
        # No method's worst team over the challenges to staff beats the best possible one.
        assert m["worst_team_fit_all"] <= bound + 1e-4, name
        if m["must_staff_valid"] < m["must_staff"]:
            assert m["worst_team_fit_all"] == 0.0, name
    assert small_round["methods"]["lcmatch"]["violations"] == 0
    weakest = must.get("lcmatch_weakest")
    if weakest is not None:  # no team of that size does better there, even alone
        assert weakest["fit"] <= weakest["best_alone_of_that_size"] + 1e-4
        assert weakest["best_alone_of_that_size"] <= weakest["best_alone"] + 1e-9


def test_the_targets_name_each_baseline_and_say_met_or_not(small_round: dict) -> None:
    rows = small_round["targets"]
    names = [row["target"] for row in rows]
    for baseline in bench.BASELINES:
        assert f"worst team ≥ {baseline}" in names
        assert f"total fit ≥ {baseline}" in names
    lc = small_round["methods"]["lcmatch"]
    for row in rows:
        if row["target"].startswith("worst team"):
            assert row["figure"] == lc["worst_team_fit_all"]
            assert row["met"] == (row["figure"] >= row["baseline"])
    table = bench.targets_table({"rounds": {"small": small_round}})
    assert table.count("\n") == len(rows) + 1
