"""The one travel rule of lcmatch: reach by mode of work, nearness, and nearer-first ranking."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matcher.places import distance_km, find_place
from matcher.results import Components, Match
from matcher.travel import (
    NEARBY_WEIGHT,
    nearer_first,
    nearness,
    reach_km,
    scaled_reach,
    within_reach,
)


def _match(id_: str, score: float) -> Match:
    return Match(id=id_, score=score, components=Components(0.5, 0.5, 0.5))


def test_the_reach_depends_on_the_mode_of_work() -> None:
    assert reach_km(25, "onsite") == 25
    assert reach_km(25, "hybrid") == 50
    assert reach_km(25, "hybrid", hybrid_factor=3) == 75
    assert math.isinf(reach_km(25, "remote"))
    # A student who travels nowhere can still work remotely (0 x inf would be NaN).
    assert math.isinf(reach_km(0, "remote"))
    assert scaled_reach(np.float32([0, 10]), np.float32([np.inf, 2])).tolist() == [np.inf, 20]


def test_oss_nijmegen_and_goes_middelburg_against_a_reach() -> None:
    oss_nijmegen = distance_km(find_place("Oss"), find_place("Nijmegen"))
    goes_middelburg = distance_km(find_place("Goes"), find_place("Middelburg"))
    assert oss_nijmegen == pytest.approx(24.6, abs=0.05)
    assert goes_middelburg == pytest.approx(19.0, abs=0.05)
    assert within_reach(oss_nijmegen, reach_km(25, "onsite"))
    assert not within_reach(oss_nijmegen, reach_km(20, "onsite"))
    assert within_reach(oss_nijmegen, reach_km(20, "hybrid"))
    assert not within_reach(goes_middelburg, reach_km(19, "onsite"))


def test_nearness_is_one_next_door_and_zero_at_the_limit_and_beyond() -> None:
    assert nearness([0.0, 10.0, 25.0, 150.0], 25.0).tolist() == pytest.approx([1, 0.6, 0, 0])
    assert nearness(500.0, np.inf) == 1.0  # remote


def test_of_two_equal_matches_the_nearer_ranks_first() -> None:
    far, near = _match("far", 1.0), _match("near", 1.0)
    ranked = nearer_first([far, near], {"far": nearness(150, 200), "near": nearness(10, 200)})
    assert [m.id for m in ranked] == ["near", "far"]
    assert ranked[0].score == pytest.approx(1.0 + NEARBY_WEIGHT * 0.95)


def test_nearness_does_not_lift_a_poor_fit_over_a_good_one() -> None:
    good, poor = _match("good", 2.0), _match("poor", 1.5)
    ranked = nearer_first([good, poor], {"good": 0.0, "poor": 1.0})
    assert [m.id for m in ranked] == ["good", "poor"]
    unknown = nearer_first([_match("x", 1.0)], {})  # no known place: no bonus
    assert unknown[0].score == 1.0
