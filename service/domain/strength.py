"""How strong a match is, in three bands that every role and the dashboard share.

The fused score is a weighted sum of z-scores standardised over the whole corpus
(`matcher.scoring`): how many spreads a candidate stands above the average one, on one scale on
SQLite and PostgreSQL alike. `benchmarks/dashboard_threshold.py` measures what share of a
challenge's eligible students each floor lets through on the demo data.
"""

from __future__ import annotations

from typing import Literal

Strength = Literal["strong", "good", "possible"]

#: The lowest score of a strong match: the dashboard's "good candidate" too.
STRONG_MATCH = 2.0
#: The lowest score of a good match.
GOOD_MATCH = 1.0


def strength(score: float) -> Strength:
    """The band a score falls in."""
    if score >= STRONG_MATCH:
        return "strong"
    return "good" if score >= GOOD_MATCH else "possible"
