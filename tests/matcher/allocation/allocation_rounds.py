"""Small hand-made rounds for the allocation tests, on real Dutch places."""

from __future__ import annotations

from typing import Any

from matcher.allocation.instance import Instance, parse_instance


def student(sid: str, **fields: Any) -> dict[str, Any]:
    """A student in Oss at hbo level, free in 'voorjaar', 16 h a week, unless told otherwise."""
    return {
        "id": sid,
        "level": "hbo",
        "programme": "Elektrotechniek",
        "place": "Oss",
        "max_travel_km": 30,
        "hours": 16,
        "periods": ["voorjaar"],
        "skills": [],
        **fields,
    }


def challenge(cid: str, **fields: Any) -> dict[str, Any]:
    """A challenge in Oss for a team of 1–2 in 'voorjaar', 8 h a week, unless told otherwise."""
    return {
        "id": cid,
        "team_min": 1,
        "team_max": 2,
        "place": "Oss",
        "period": "voorjaar",
        "hours": 8,
        **fields,
    }


def supervisor(vid: str, capacity: int = 5, **fields: Any) -> dict[str, Any]:
    return {"id": vid, "kind": "teacher", "capacity": capacity, **fields}


def scores(table: dict[tuple[str, str], float]) -> list[dict[str, Any]]:
    return [{"student": s, "challenge": c, "score": v} for (s, c), v in table.items()]


def round_of(**fields: Any) -> Instance:
    """A round with neutral weights (score only, no distance or worst-team term) unless told."""
    data: dict[str, Any] = {
        "supervisors": [supervisor("v1")],
        "weights": {"placement": 0.0, "nearby": 0.0, "worst_team": 0.0, "expertise": 0.0},
        "fairness": {"by": []},
        "settings": {"time_limit_s": 20},
        **fields,
    }
    return parse_instance(data)
