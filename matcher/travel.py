"""How far a student may travel to a challenge, and how much nearer is better: one rule for the
service's notes and ranking and for the allocation.

A student states the most km they will travel. On-site work must lie within that reach; hybrid
work, where they come in only part of the week, within `hybrid_factor` times it (2 by default);
remote work needs no travel at all. Nearness is 1 next door and falls linearly to 0 at the
limit (and stays 0 beyond), so it can count as a soft preference next to the hard check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from matcher.results import Match

Mode = Literal["onsite", "hybrid", "remote"]

#: How many times their stated reach a student travels to hybrid work (part of the week).
HYBRID_TRAVEL_FACTOR = 2.0

#: What next door adds to a ranked candidate's fused score (z-score units, so a tenth of a
#: standard deviation of the corpus's scores): enough to order near-equal candidates by
#: distance, far too little to lift a poor fit over a good one.
NEARBY_WEIGHT = 0.1


def travel_factor(mode: str, hybrid_factor: float = HYBRID_TRAVEL_FACTOR) -> float:
    """What a student's reach is multiplied by for work of this mode (inf: remote)."""
    if mode == "remote":
        return float("inf")
    return hybrid_factor if mode == "hybrid" else 1.0


def reach_km(max_travel_km: float, mode: str, hybrid_factor: float = HYBRID_TRAVEL_FACTOR) -> float:
    """The farthest a challenge of this mode may lie from the student (inf for remote)."""
    return float(scaled_reach(max_travel_km, travel_factor(mode, hybrid_factor)))


def scaled_reach(max_travel_km: ArrayLike, factor: ArrayLike) -> np.ndarray:
    """Each reach times its factor; an infinite factor (remote) gives an infinite reach, also
    for a student who travels 0 km (where a plain product would be NaN, and never within)."""
    factor = np.asarray(factor)
    with np.errstate(invalid="ignore"):  # 0 x inf, replaced right away
        product = np.asarray(max_travel_km) * factor
    return np.where(np.isinf(factor), np.inf, product)


def within_reach(distance: ArrayLike, reach: ArrayLike) -> np.ndarray:
    """Whether each distance lies within its reach (a metre's slack for rounding)."""
    return np.asarray(distance) <= np.asarray(reach) + 1e-3


def nearness(distance: ArrayLike, reach: ArrayLike) -> np.ndarray:
    """1 next door, down to 0 at the reach and beyond; 1 where the reach is infinite (remote)."""
    distance, reach = np.asarray(distance), np.asarray(reach)  # float32 stays float32
    limit = np.where(np.isinf(reach), 1.0, np.maximum(reach, 1e-6))
    near = np.clip(1.0 - distance / limit, 0.0, 1.0)
    return np.where(np.isinf(reach), 1.0, near)


def nearer_first(
    matches: Sequence[Match], near: Mapping[str, float], weight: float = NEARBY_WEIGHT
) -> list[Match]:
    """The matches with `weight` x their nearness (0 for an id missing from `near`) added to the
    score, best first: of two equal candidates the nearer one ranks higher."""
    moved = [replace(m, score=float(m.score) + weight * near.get(m.id, 0.0)) for m in matches]
    return sorted(moved, key=lambda m: -m.score)
