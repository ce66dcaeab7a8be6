"""Teams for a round: lcmatch's allocation against three baselines, on generated rounds.

    flock /tmp/timing.lock python benchmarks/allocation.py            # 1k×100 and 10k×1k
    python benchmarks/allocation.py --sizes 1k --quick                # a quick look

Rounds come from matcher.allocation.synthetic (Dutch places from the gazetteer, ESCO skills,
mbo/hbo/wo programmes, wishes skewed by popularity). Every method is checked by the independent
validator. At 1k×100 it also reports the solver's proven optimality gap, the re-solve after one
pin (a student moved to another team, warm-started from the first proposal) and the same
integer program on OR-Tools CP-SAT (in its own process: OR-Tools and highspy both bundle HiGHS
and cannot share one), which is how HiGHS was chosen.

The worst team is compared over every challenge the round must staff (each one that can have a
valid team on its own): a challenge without a team that keeps every rule counts 0, so no method
wins by staffing fewer; the lowest of the challenges' best teams alone bounds it for any method.
Total fit counts the teams that keep every rule. `targets` in each round of the JSON says, per
target of issue 16, the figures and whether it is met; the full run also writes both tables
into docs/allocation.md.
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
from matcher.allocation.bounds import best_team_alone, best_teams_alone
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
DOCS = Path(__file__).resolve().parent.parent / "docs" / "allocation.md"
BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"


def _finite(value: float, digits: int) -> float | None:
    return round(value, digits) if np.isfinite(value) else None


def _round(size: str, seed: int, time_limit: float):
    n_s, n_c, n_v, _ = SIZES[size]
    inst = generate(n_s, n_c, n_v, seed=seed)
    settings = inst.settings.model_copy(update={"time_limit_s": time_limit})
    return inst.model_copy(update={"settings": settings})


def run_size(size: str, seed: int, quick: bool) -> dict:
    """Every method on one generated round: figures, violations, time; the targets met or not."""
    budget = SIZES[size][3]
    find_place("Oss")  # the gazetteer is read once per process, before any clock starts
    inst = _round(size, seed, budget)
    out: dict = {
        "students": len(inst.students),
        "challenges": len(inst.challenges),
        "supervisors": len(inst.supervisors),
        "seats": sum(c.team_max for c in inst.challenges),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
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
    # Outside the clock: each challenge's best team on its own (which challenges can be
    # staffed at all, and the bound on the worst team of any method that staffs all of them).
    alone = best_teams_alone(prepared)
    must = [a.challenge for a in alone if a.mean_fit is not None]
    weakest = min((a for a in alone if a.mean_fit is not None), key=lambda a: a.mean_fit)
    out["must_staff"] = {
        "count": len(must),
        "cannot_be_staffed": [a.challenge for a in alone if a.mean_fit is None],
        "worst_team_bound": {
            "fit": round(weakest.mean_fit, 5),
            "challenge": weakest.challenge,
            "size": weakest.size,
        },
    }
    out["methods"]["lcmatch"] = {
        **figures(prepared, proposal.teams, must).as_dict(),
        "seconds": round(seconds, 2),
        "prepare_seconds": round(prepare_s, 2),
        "status": proposal.status,
        "gap": _finite(proposal.gap, 5),
        "objective": _finite(proposal.objective, 3),
        "bound": _finite(proposal.bound, 3),
        "candidate_pairs": proposal.candidates,
        "fairness_excess": proposal.fairness_excess,
    }
    # The best team alone of the size lcmatch gives its weakest challenge: a team of that size
    # there can do no better.
    worst = out["methods"]["lcmatch"]["worst_team_all"]
    team = next((t for t in proposal.teams if t.challenge == worst), None)
    if team is not None:
        c = next(j for j, ch in enumerate(inst.challenges) if ch.id == worst)
        same = best_team_alone(prepared, c, size=len(team.members))
        out["must_staff"]["lcmatch_weakest"] = {
            "challenge": worst,
            "size": len(team.members),
            "fit": out["methods"]["lcmatch"]["worst_team_fit_all"],
            "best_alone_of_that_size": round(same.mean_fit, 5) if same.mean_fit else None,
            "best_alone": round(alone[c].mean_fit, 5) if alone[c].mean_fit else None,
            "best_alone_size": alone[c].size,
        }
    for name, method in BASELINES.items():
        start = time.perf_counter()
        teams = method(prepare(inst))
        out["methods"][name] = {
            **figures(prepared, teams, must).as_dict(),
            "seconds": round(time.perf_counter() - start, 2),
        }
    if size == "1k" and not quick:
        out["resolve_after_pin"] = resolve_after_pin(inst, proposal, seed)
        out["cpsat"] = cpsat_in_own_process(seed, limit)
    out["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out["targets"] = targets(size, out)
    return out


def targets(size: str, data: dict) -> list[dict]:
    """Each target of issue 16 on this round: the figures compared and whether it is met.

    Worst team: the lowest valid team's mean fit over every challenge the round must staff (an
    unstaffed challenge or a team that breaks a rule counts 0). Total fit: over the teams that
    keep every rule (a team that breaks one could not run; it counts 0 as well)."""
    lc = data["methods"]["lcmatch"]
    bound = data["must_staff"]["worst_team_bound"]
    rows: list[dict] = [
        {
            "target": "constraint violations = 0",
            "figure": lc["violations"],
            "met": lc["violations"] == 0,
        }
    ]
    if size == "1k":
        gap = lc["gap"]
        rows.append(
            {
                "target": "optimality gap ≤ 1 %",
                "figure": gap,
                "met": gap is not None and gap <= 0.01,
            }
        )
    for name in BASELINES:
        b = data["methods"][name]
        rows.append(
            {
                "target": f"worst team ≥ {name}",
                "figure": lc["worst_team_fit_all"],
                "baseline": b["worst_team_fit_all"],
                "staffed_valid": f"{lc['must_staff_valid']}/{lc['must_staff']}",
                "baseline_staffed_valid": f"{b['must_staff_valid']}/{b['must_staff']}",
                "worst_over_valid_teams": lc["valid_worst_team_fit"],
                "baseline_worst_over_valid_teams": b["valid_worst_team_fit"],
                "bound": bound["fit"],
                "met": lc["worst_team_fit_all"] >= b["worst_team_fit_all"],
            }
        )
        rows.append(
            {
                "target": f"total fit ≥ {name}",
                "figure": lc["valid_total_fit"],
                "baseline": b["valid_total_fit"],
                "baseline_including_broken_teams": b["total_fit"],
                "met": lc["valid_total_fit"] >= b["valid_total_fit"],
            }
        )
    limit = SIZES[size][3]
    rows.append(
        {
            "target": f"time to a proposal ≤ {limit:g} s",
            "figure": lc["seconds"],
            "load_at_start": data["load_at_start"],
            "met": lc["seconds"] <= limit,
        }
    )
    pin = data.get("resolve_after_pin")
    if pin is not None:
        rows.append(
            {
                "target": "re-solve after one pin ≤ 3 s",
                "figure": pin["seconds"],
                "pin_kept": pin["pin_kept"],
                "violations": pin["violations"],
                "met": pin["seconds"] <= 3.0 and pin["pin_kept"] and pin["violations"] == 0,
            }
        )
    return rows


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
    must = [a.challenge for a in best_teams_alone(prepared) if a.mean_fit is not None]
    print(
        json.dumps(
            {
                **figures(prepared, proposal.teams, must).as_dict(),
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
        "| round | method | total fit, valid teams (all) | worst team, all to staff "
        "| worst valid team | valid teams / to staff | placed | violations | gap level "
        "| gap region | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, data in result["rounds"].items():
        for name, m in data["methods"].items():
            lines.append(
                f"| {size} | {name} | {m['valid_total_fit']:.1f} ({m['total_fit']:.1f}) "
                f"| {m['worst_team_fit_all']:.4f} | {m['valid_worst_team_fit']:.4f} "
                f"| {m['must_staff_valid']}/{m['must_staff']} "
                f"| {m['students_placed']:.1%} | {m['violations']} | {m['gap_level']:.3f} "
                f"| {m['gap_region']:.3f} | {m['seconds']} |"
            )
    return "\n".join(lines)


def targets_table(result: dict) -> str:
    """Every target per round as a markdown table: the figure, the baseline's, met or not."""
    lines = ["| round | target | lcmatch | baseline | met |", "|---|---|---|---|---|"]
    for size, data in result["rounds"].items():
        for row in data["targets"]:
            figure = row["figure"]
            if "staffed_valid" in row:
                figure = f"{figure:.4f} ({row['staffed_valid']} staffed)"
                base = f"{row['baseline']:.4f} ({row['baseline_staffed_valid']} staffed)"
            elif "baseline" in row:
                figure, base = f"{figure:.1f}", f"{row['baseline']:.1f}"
            else:
                base = "—"
            lines.append(
                f"| {size} | {row['target']} | {figure} | {base} "
                f"| {'met' if row['met'] else '**not met**'} |"
            )
    return "\n".join(lines)


def write_docs(result: dict) -> None:
    """Put both tables, the command and the loads between the markers in docs/allocation.md."""
    text = DOCS.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return
    bounds = ", ".join(
        f"{size}: {d['must_staff']['worst_team_bound']['fit']:.4f} "
        f"({d['must_staff']['worst_team_bound']['challenge']}, a team of "
        f"{d['must_staff']['worst_team_bound']['size']})"
        for size, d in result["rounds"].items()
    )
    block = "\n".join(
        [
            BEGIN,
            f"`{result['command']}` — {result['cores']} cores, load average (1, 5, 15 min) "
            f"{' / '.join(map(str, result['load_before']))} before and "
            f"{' / '.join(map(str, result['load_after']))} after; seed {result['seed']}; "
            f"{result['date']}.",
            "",
            result["table"],
            "",
            f"Best possible worst team (the lowest of the challenges' best teams alone): {bounds}.",
            "",
            "lcmatch's weakest team against the best team alone of its challenge: "
            + "; ".join(
                f"{size}: {w['challenge']}, {w['size']} students, {w['fit']:.5f} — best alone of "
                f"that size {w['best_alone_of_that_size']:.5f}, of any size {w['best_alone']:.5f} "
                f"({w['best_alone_size']} students)"
                for size, d in result["rounds"].items()
                if (w := d["must_staff"].get("lcmatch_weakest"))
            )
            + ".",
            "",
            result["targets_table"],
            END,
        ]
    )
    head, rest = text.split(BEGIN, 1)
    DOCS.write_text(head + block + rest.split(END, 1)[1], encoding="utf-8")


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
        "command": " ".join(
            ["flock /tmp/timing.lock nice -n 0 python benchmarks/allocation.py", *sys.argv[1:]]
        ),
        "cores": os.cpu_count(),
        "load_before": load_before,
        "seed": args.seed,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "rounds": {size: run_size(size, args.seed, args.quick) for size in args.sizes.split(",")},
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    result["table"] = table(result)
    result["targets_table"] = targets_table(result)
    publish(result, "allocation", quick=args.quick)
    if not args.quick and args.sizes == "1k,10k":
        write_docs(result)
    print(result["table"], file=sys.stderr)


if __name__ == "__main__":
    main()
