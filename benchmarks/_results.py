"""How every benchmark reports: one JSON object on stdout, the same kept in benchmarks/results/."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def publish(result: dict, name: str, *, quick: bool = False, out: Path | None = None) -> dict:
    """Print `result` and write it to `out`, by default results/<name>[.quick].json."""
    text = json.dumps(result, indent=2)
    target = out or RESULTS / f"{name}{'.quick' if quick else ''}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text + "\n", encoding="utf-8")
    print(text)
    return result
