"""Solve a round file into a teams file: what `lcmatch allocate` does, without the command line."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from matcher.allocation.explain import report
from matcher.allocation.instance import load_instance
from matcher.allocation.metrics import figures
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate
from matcher.allocation.validate import validate


def solve_file(
    round_file: str | Path, out: str | Path, *, time_limit_s: float | None = None
) -> dict[str, Any]:
    """Read a round (JSON), propose teams, check them with the validator and write the teams
    file (JSON: teams with reasons, students left out and unstaffed challenges with why, the
    figures and the validator's findings). The file is written whole or not at all."""
    instance = load_instance(round_file)
    prepared = prepare(instance)
    proposal = allocate(prepared, time_limit_s=time_limit_s)
    result = report(prepared, proposal)
    if proposal.status != "infeasible":
        check = validate(instance, proposal.teams)
        result["figures"] = figures(prepared, proposal.teams).as_dict()
        result["violations"] = [v.message for v in check.violations]
        result["fairness"]["rates"] = {
            dim: {g: round(r, 4) for g, r in rates.items()} for dim, rates in check.rates.items()
        }
    write_json(Path(out), result)
    return result


def write_json(path: Path, data: Any) -> None:
    """Write JSON through a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
