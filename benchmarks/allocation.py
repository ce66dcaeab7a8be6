"""Teams for a round: lcmatch's allocation against three baselines, on generated rounds.

    flock /tmp/timing.lock python benchmarks/allocation.py            # 1k×100 and 10k×1k
    python benchmarks/allocation.py --sizes 1k --quick                # a quick look

Rounds come from matcher.allocation.synthetic (Dutch places from the gazetteer, ESCO skills,
mbo/hbo/wo programmes, wishes skewed by popularity). Every method is checked by the independent
validator. At 1k×100 it also reports the solver's proven optimality gap, the re-solve after one
pin (a student moved to another team, warm-started from the first proposal) and the same
integer program on OR-Tools CP-SAT (in its own process: OR-Tools and highspy both bundle HiGHS
and cannot share one), which is how HiGHS was chosen.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._results import publish
from matcher.allocation import baselines
from matcher.allocation.instance import Pair
from matcher.allocation.metrics import figures
from matcher.allocation.prepare import prepare
from matcher.allocation.solve import allocate
from matcher.allocation.synthetic import generate
from matcher.allocation.validate import validate
from matcher.places import find_place

SIZES = {
    "1k": (1_000, 100, 15, 10.0),
    "10k": (10_000, 1_000, 150, 120.0),
}
BASELINES = {
    "top_k_first_come": baselines.top_k_first_come,
    "preference_flow": baselines.preference_flow,
    "max_min_greedy": baselines.max_min_greedy,
}


def _finite(value: float, digits: int) -> float | None:
    return round(value, digits) if np.isfinite(value) else None


def _round(size: str, seed: int, time_limit: float):
    n_s, n_c, n_v, _ = SIZES[size]
    inst = generate(n_s, n_c, n_v, seed=seed)
    settings = inst.settings.model_copy(update={"time_limit_s": time_limit})
    return inst.model_copy(update={"settings": settings})


def run_size(size: str, seed: int, quick: bool) -> dict:
    """Every method on one generated round: figures, violations, time."""
    budget = SIZES[size][3]
    find_place("Oss")  # the gazetteer is read once per process, before any clock starts
    inst = _round(size, seed, budget)
    out: dict = {
        "students": len(inst.students),
        "challenges": len(inst.challenges),
        "supervisors": len(inst.supervisors),
        "seats": sum(c.team_max for c in inst.challenges),
        "methods": {},
    }
    start = time.perf_counter()
    prepared = prepare(inst)
    prepare_s = time.perf_counter() - start
    # The solver's own limit leaves room for preparing the round within the time target.
    # HiGHS can overrun a limit by seconds on a big round (presolve is not interrupted).
    limit = budget - prepare_s - (2.0 if size == "1k" else 20.0)
    proposal = allocate(prepared, time_limit_s=limit)
    seconds = time.perf_counter() - start
    out["methods"]["lcmatch"] = {
        **figures(prepared, proposal.teams).as_dict(),
        "seconds": round(seconds, 2),
        "prepare_seconds": round(prepare_s, 2),
        "status": proposal.status,
        "gap": _finite(proposal.gap, 5),
        "objective": _finite(proposal.objective, 3),
        "bound": _finite(proposal.bound, 3),
        "candidate_pairs": proposal.candidates,
        "fairness_excess": proposal.fairness_excess,
    }
    for name, method in BASELINES.items():
        start = time.perf_counter()
        teams = method(prepare(inst))
        out["methods"][name] = {
            **figures(prepared, teams).as_dict(),
            "seconds": round(time.perf_counter() - start, 2),
        }
    if size == "1k" and not quick:
        out["resolve_after_pin"] = resolve_after_pin(inst, proposal, seed)
        out["cpsat"] = cpsat_in_own_process(seed, limit)
    return out


def resolve_after_pin(inst, proposal, seed: int) -> dict:
    """Move one placed student to another staffed challenge they qualify for; re-solve warm."""
    prepared = prepare(inst)
    rng = np.random.default_rng(seed)
    c_of = {c.id: j for j, c in enumerate(inst.challenges)}
    s_of = {s.id: i for i, s in enumerate(inst.students)}
    staffed = {t.challenge for t in proposal.teams}
    moves = []
    for team in proposal.teams:
        for sid in team.members:
            for cid in staffed - {team.challenge}:
                if prepared.eligible[s_of[sid], c_of[cid]]:
                    moves.append((sid, cid))
    sid, cid = moves[int(rng.integers(len(moves)))]
    pinned = inst.model_copy(update={"pins": [*inst.pins, Pair(student=sid, challenge=cid)]})
    start = time.perf_counter()
    again = allocate(prepare(pinned), previous=proposal, time_limit_s=2.7)  # 3 s in all
    seconds = time.perf_counter() - start
    check = validate(pinned, again.teams)
    return {
        "pin": {"student": sid, "challenge": cid},
        "seconds": round(seconds, 2),
        "status": again.status,
        "gap": _finite(again.gap, 5),
        "violations": len(check.violations),
        "pin_kept": again.assignment().get(sid) == cid,
    }


def cpsat_in_own_process(seed: int, limit: float) -> dict:
    """The same integer program on CP-SAT (2 workers, same time limit), in a child process."""
    done = subprocess.run(
        [sys.executable, __file__, "--cpsat-child", str(seed), str(limit)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout)


def cpsat_child(seed: int, limit: float) -> None:
    inst = _round("1k", seed, limit)
    start = time.perf_counter()
    prepared = prepare(inst)
    proposal = allocate(prepared, solver="cpsat", time_limit_s=limit)
    print(
        json.dumps(
            {
                **figures(prepared, proposal.teams).as_dict(),
                "seconds": round(time.perf_counter() - start, 2),
                "status": proposal.status,
                "gap": _finite(proposal.gap, 5),
                "objective": _finite(proposal.objective, 3),
                "bound": _finite(proposal.bound, 3),
            }
        )
    )


def table(result: dict) -> str:
    """The comparison as a markdown table."""
    lines = [
        "| round | method | total fit (valid teams) | worst team (valid teams) | placed "
        "| staffed | full | violations | gap level | gap region | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, data in result["rounds"].items():
        for name, m in data["methods"].items():
            lines.append(
                f"| {size} | {name} | {m['total_fit']:.1f} ({m['valid_total_fit']:.1f}) "
                f"| {m['worst_team_fit']:.3f} ({m['valid_worst_team_fit']:.3f}) "
                f"| {m['students_placed']:.1%} | {m['challenges_staffed']:.1%} "
                f"| {m['challenges_full']:.1%} | {m['violations']} | {m['gap_level']:.3f} "
                f"| {m['gap_region']:.3f} | {m['seconds']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1k,10k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="skip the re-solve and CP-SAT runs")
    parser.add_argument("--cpsat-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cpsat_child:
        cpsat_child(int(args.cpsat_child[0]), float(args.cpsat_child[1]))
        return
    # The machine is shared: its load (1, 5 and 15 minute averages) before and after tells
    # how many cores the solver really had.
    load_before = [round(x, 2) for x in os.getloadavg()]
    result = {
        "command": "flock /tmp/timing.lock python benchmarks/allocation.py "
        + " ".join(sys.argv[1:]),
        "cores": os.cpu_count(),
        "load_before": load_before,
        "seed": args.seed,
        "rounds": {size: run_size(size, args.seed, args.quick) for size in args.sizes.split(",")},
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    result["table"] = table(result)
    publish(result, "allocation", quick=args.quick)
    print(result["table"], file=sys.stderr)


if __name__ == "__main__":
    main()
