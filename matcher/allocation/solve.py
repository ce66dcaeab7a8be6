"""Teams for a round: the integer program over the pruned candidates, solved, read back as teams."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np

from matcher.allocation.baselines import max_min_greedy
from matcher.allocation.formulation import Formulation, Outcome, Row, solve_cpsat, solve_highs
from matcher.allocation.improve import raise_total, raise_worst
from matcher.allocation.instance import Instance
from matcher.allocation.prepare import Prepared, prepare, skill_key
from matcher.allocation.teams import Team
from matcher.allocation.validate import validate

_log = logging.getLogger(__name__)

SCALE = 1000  # fit is kept in thousandths so the program has integer weights
STAFF_REWARD = 10 * SCALE  # per staffed team in the first stage: more than any team's fit


@dataclass
class Proposal:
    """A solved round: teams, the solver's status, objective, proven bound and time."""

    status: str
    teams: list[Team]
    objective: float = float("nan")
    bound: float = float("nan")
    gap: float = float("nan")
    seconds: float = 0.0
    solver: str = ""
    candidates: int = 0
    fairness_excess: dict[str, float] = field(default_factory=dict)

    def assignment(self) -> dict[str, str]:
        """student id → challenge id of every placed student."""
        return {s: t.challenge for t in self.teams for s in t.members}


def fairness_groups(prepared: Prepared) -> dict[str, dict[str, list[int]]]:
    """dimension → group → students, for the groups large enough to be compared."""
    inst = prepared.instance
    out: dict[str, dict[str, list[int]]] = {}
    for dim in inst.fairness.by:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(inst.students):
            groups[s.level if dim == "level" else prepared.region(i)].append(i)
        out[dim] = {g: m for g, m in groups.items() if len(m) >= inst.fairness.min_group}
    return out


def build(prepared: Prepared, *, worst_team: bool = True, fairness: bool = True) -> Formulation:
    """The integer program for a prepared instance (without the worst-team term or the fairness
    rows when asked: that program is quick to solve and gives the full one its first teams)."""
    inst = prepared.instance
    w = inst.weights
    model = Formulation()
    s_idx, c_idx = prepared.candidates()
    fit = np.rint(prepared.fit[s_idx, c_idx] * SCALE).astype(np.int64)
    pinned = {(s, c) for s, c in prepared.student_pins.items()}
    x_of_student: dict[int, list[int]] = defaultdict(list)
    x_of_challenge: dict[int, list[int]] = defaultdict(list)
    for s, c, f in zip(s_idx.tolist(), c_idx.tolist(), fit.tolist(), strict=True):
        col = model.var(("x", s, c), lb=int((s, c) in pinned), obj=f)
        x_of_student[s].append(col)
        x_of_challenge[c].append(col)
    pinned_challenges = set(prepared.student_pins.values()) | set(prepared.supervisor_pins)
    for s, c in prepared.student_pins.items():
        if ("x", s, c) not in model.index:  # the pin breaks a hard rule: nothing can keep it
            model.row([], [], lo=1)

    for cols in x_of_student.values():
        if len(cols) > 1:
            model.row(cols, [1] * len(cols), hi=1)

    wmax = int(np.rint(float(prepared.fit.max(initial=0.0)) * SCALE)) + 1
    # The worst team's mean fit counts once per challenge, so its pull grows with the round.
    lam = round(w.worst_team * len(inst.challenges))
    worst = model.var(("worst",), lb=0, ub=wmax if worst_team else 0, obj=lam)
    sigma_of: dict[int, list[tuple[int, int]]] = {}
    for c, ch in enumerate(inst.challenges):
        cols = x_of_challenge.get(c, [])
        if len(cols) < ch.students_min:
            for col in cols:  # too few candidates for a team: nobody joins this challenge
                model.ub[col] = 0
            if c in pinned_challenges:  # a pinned challenge that cannot be staffed: infeasible
                model.row([], [], lo=1)
            continue
        sizes = range(ch.students_min, min(ch.students_max, len(cols)) + 1)
        sig = [(k, model.var(("size", c, k))) for k in sizes]
        sigma_of[c] = sig
        staffed_idx = [col for _, col in sig]
        model.row(staffed_idx, [1] * len(sig), hi=1, lo=int(c in pinned_challenges))
        model.row(cols + staffed_idx, [1] * len(cols) + [-k for k, _ in sig], lo=0, hi=0)
        # The worst team: each staffed team's mean fit is at least `worst`.
        team_fit = [model.obj[col] for col in cols]
        for k, col in sig if worst_team else []:
            model.row([*cols, worst], [*team_fit, -k], lo=0, enforce=col, tag="worst")
        for label in ch.required_skills:
            r = prepared.skill_index[" ".join(label.casefold().split())]
            holders = prepared.skill_holders[r]
            with_skill = [col for col in cols if model.keys[col][1] in holders]
            model.row(with_skill + staffed_idx, [1] * len(with_skill) + [-1] * len(sig), lo=0)
        if ch.min_programmes > 1:
            by_programme: dict[str, list[int]] = defaultdict(list)
            for col in cols:
                by_programme[inst.students[model.keys[col][1]].programme].append(col)
            us = []
            for p, members in by_programme.items():
                u = model.var(("programme", c, p))
                model.row([u, *members], [1] + [-1] * len(members), hi=0)
                us.append(u)
            model.row(us + staffed_idx, [1] * len(us) + [-ch.min_programmes] * len(sig), lo=0)

    # Dropping the weakest team would raise the worst team's fit; so the full program staffs at
    # least as many teams as the program without that term did (`allocate` sets the number).
    sizes_all = [col for sig in sigma_of.values() for _, col in sig]
    model.row(sizes_all, [1] * len(sizes_all), lo=0, tag="staffing")

    # One supervisor per staffed team, within each supervisor's capacity.
    n_sup = len(inst.supervisors)
    capacity = np.array([v.capacity for v in inst.supervisors])
    z_of_supervisor: dict[int, list[int]] = defaultdict(list)
    top = inst.settings.supervisors_per_challenge
    for c, sig in sigma_of.items():
        usable = [
            v for v in range(n_sup) if capacity[v] > 0 and not prepared.supervisor_forbidden[v, c]
        ]
        usable.sort(key=lambda v: (-prepared.expertise[v, c], -capacity[v], v))
        chosen = usable[:top]
        pinned_v = prepared.supervisor_pins.get(c)
        if pinned_v is not None and pinned_v not in chosen:
            chosen.append(pinned_v)
        zs = []
        for v in chosen:
            gain = round(w.expertise * float(prepared.expertise[v, c]) * SCALE)
            z = model.var(("sup", c, v), lb=int(v == pinned_v), obj=gain)
            z_of_supervisor[v].append(z)
            zs.append(z)
        model.row(zs + [col for _, col in sig], [1] * len(zs) + [-1] * len(sig), lo=0, hi=0)
    for c in prepared.supervisor_pins:
        if c not in sigma_of:
            model.row([], [], lo=1)  # the pinned challenge cannot be staffed at all
    for v, zs in z_of_supervisor.items():
        if len(zs) > capacity[v]:
            model.row(zs, [1] * len(zs), hi=int(capacity[v]))

    # Fairness: placement rates per group lie in [lo, hi] (thousandths), hi − lo ≤ margin + excess.
    penalty = round(w.fairness * SCALE / 10)  # per thousandth = per 0.1 percentage point
    for dim, groups in fairness_groups(prepared).items() if fairness else []:
        if len(groups) < 2:
            continue
        lo = model.var(("rate_lo", dim), lb=0, ub=SCALE)
        hi = model.var(("rate_hi", dim), lb=0, ub=SCALE)
        excess = model.var(("excess", dim), lb=0, ub=SCALE, obj=-penalty)
        for members in groups.values():
            cols = [col for s in members for col in x_of_student.get(s, [])]
            n = len(members)
            model.row([*cols, lo], [SCALE] * len(cols) + [-n], lo=0, tag="fairness")
            model.row([*cols, hi], [SCALE] * len(cols) + [-n], hi=0, tag="fairness")
        margin = round(inst.fairness.margin * SCALE)
        model.row([hi, lo, excess], [1, -1, -1], hi=margin, tag="fairness")
    return model


def with_floor(model: Formulation, floor: int) -> Formulation:
    """The program without the worst-team rows and term, with every staffed team's mean fit
    held at `floor` (thousandths) or above instead: Σ (fit − floor)·x ≥ 0 per challenge, which
    an unstaffed challenge keeps trivially, so no size indicator or big-M is needed."""
    out = model.without({"worst"})
    by_challenge: dict[int, list[int]] = defaultdict(list)
    for col, key in enumerate(model.keys):
        if key[0] == "x" and model.ub[col] == 1:
            by_challenge[key[2]].append(col)
    rows = list(out.rows)
    for cols in by_challenge.values():
        rows.append(Row(cols, [model.obj[col] - floor for col in cols], lo=0, hi=None, tag="floor"))
    out.rows = rows
    return out


def allocate(
    instance: Instance | Prepared,
    *,
    previous: Proposal | None = None,
    solver: str | None = None,
    time_limit_s: float | None = None,
) -> Proposal:
    """Teams for the round that maximise total fit plus the worst team's fit under every rule.

    `previous` (an earlier proposal, e.g. before a pin or move) warm-starts the re-solve."""
    start = time.perf_counter()
    prepared = instance if isinstance(instance, Prepared) else prepare(instance)
    settings = prepared.instance.settings
    limit = time_limit_s or settings.time_limit_s
    model = build(prepared)
    which = solver or settings.solver
    staffing = next(r for r in model.rows if r.tag == "staffing")
    if which == "cpsat":
        first = solve_cpsat(
            model.without({"worst", "fairness"}),
            time_limit_s=0.4 * (limit - (time.perf_counter() - start)),
            workers=settings.workers,
        )
        hint = None
        if first.values is not None:
            teams = _read(prepared, model, first, start).teams
            staffing.lo = len(teams)
            hint = dict(enumerate(start_vector(prepared, model, teams).tolist()))
        outcome = solve_cpsat(
            model,
            time_limit_s=limit - (time.perf_counter() - start),
            workers=settings.workers,
            hint=hint,
        )
        return _read(prepared, model, outcome, start)
    # HiGHS in stages, each started from the best teams so far: the program without the
    # fairness rows (its LP bound is tight: quick), then with them. Then the worst team is
    # lifted first and total fit maximised second: a local search raises the weakest team as
    # far as moves and swaps can, and the last stage maximises total fit with every team's
    # mean held at that floor (one row per challenge, no big-M: tight and quick).
    fair = model.without({"worst"})
    first = model.without({"worst", "fairness", "staffing"})
    staff_first = prepared.instance.weights.worst_team > 0
    if staff_first:
        # The worst team first means every challenge that can have a team gets one: a challenge
        # left without is a team of fit 0 that the intermediary must staff by hand. A reward
        # per staffed team far above what moving a few students costs makes the first stage
        # staff as many as it can; the staffing row then holds that number.
        first.obj = [
            f + STAFF_REWARD if key[0] == "size" else f
            for f, key in zip(first.obj, first.keys, strict=True)
        ]
    stages = [first, fair]
    shares = [0.45, 0.8]  # upper limits: a stage that proves its optimum ends early
    best: np.ndarray | None = None
    if previous is not None:
        values = start_vector(prepared, model, repaired(prepared, model, previous.teams))
        staffing.lo = int(sum(values[c] for c in staffing.idx))
        if _feasible(fair, values):  # the moved proposal is a start: go to the last stage
            best, stages, shares = values, [], []
    if best is None:
        # A greedy proposal (rule-breaking teams dropped) so that a large round whose first
        # stage runs out of time still gets teams that keep every rule.
        values = start_vector(prepared, model, repaired(prepared, model, max_min_greedy(prepared)))
        best = values if _feasible(fair, values) else None
    outcome: Outcome | None = None
    for k, (stage, share) in enumerate(zip(stages, shares, strict=True)):
        budget = share * (limit - (time.perf_counter() - start))
        result = solve_highs(stage, time_limit_s=budget, start_values=best)
        _log.debug("stage %d: %s in %.2f s", k, result.status, result.seconds)
        outcome = outcome or result  # an infeasible round reports the first stage's status
        if result.values is None:
            continue
        teams = _read(prepared, stage, result, start).teams
        if k == 0 and len(stages) > 1:
            staffing.lo = len(teams)
        values = start_vector(prepared, model, teams)
        if _feasible(fair, values) and (
            best is None or _rank(fair, staffing, values) >= _rank(fair, staffing, best)
        ):
            best = values
            # Its bound holds for the fairness program only when this stage is that program.
            bound = result.bound if stage is fair else float("inf")
            status = result.status if stage is fair else "feasible"
            value = float(np.dot(fair.obj, values))
            outcome = Outcome(status, values, value, bound, result.seconds, "highs")
    if best is None:  # no stage found teams: infeasible (pins), or out of time
        assert outcome is not None
        return _read(prepared, model, outcome, start)
    if outcome is None or outcome.values is not best:  # the greedy or previous teams stand
        value = float(np.dot(fair.obj, best))
        outcome = Outcome("feasible", best, value, float("inf"), 0.0, "highs")
    if prepared.instance.weights.worst_team > 0 and np.any(best[staffing.idx]):
        lam = prepared.instance.weights.worst_team * len(prepared.instance.challenges)
        left = limit - (time.perf_counter() - start)
        groups = fairness_groups(prepared)
        lifted = raise_worst(
            prepared,
            model,
            _teams_of(prepared, model, best),
            groups,
            lam=lam,
            deadline=time.perf_counter() + 0.4 * left,
        )
        left = limit - (time.perf_counter() - start)
        lifted = raise_total(
            prepared, model, lifted, groups, deadline=time.perf_counter() + 0.4 * left
        )
        values = start_vector(prepared, model, lifted)
        floor = int(values[model.index[("worst",)]])
        last = with_floor(model, floor)
        if _feasible(last, values):  # always: every move keeps every rule
            best = values
            bound = outcome.bound  # the floor only takes away: the fairness bound still holds
            outcome = solve_highs(
                last, time_limit_s=limit - (time.perf_counter() - start), start_values=best
            )
            _log.debug("floor %d: %s in %.2f s", floor, outcome.status, outcome.seconds)
            if outcome.values is None:  # out of time before its first solution: the lifted teams
                value = float(np.dot(last.obj, best))
                outcome = Outcome("feasible", best, value, bound, outcome.seconds, "highs")
            elif bound < outcome.bound:
                outcome = replace(outcome, bound=bound)
    return _read(prepared, model, outcome, start)


def _rank(model: Formulation, staffing: Row, values: np.ndarray) -> tuple[int, int]:
    """Teams staffed first, then the objective: a start with fewer teams cannot keep the
    staffing row that later stages hold."""
    return int(sum(values[c] for c in staffing.idx)), int(np.dot(model.obj, values))


def _teams_of(prepared: Prepared, model: Formulation, values: np.ndarray) -> list[Team]:
    outcome = Outcome("feasible", values, 0.0, 0.0, 0.0, "highs")
    return _read(prepared, model, outcome, time.perf_counter()).teams


def repaired(prepared: Prepared, model: Formulation, teams: list[Team]) -> list[Team]:
    """The previous teams changed as little as possible to keep today's pins and forbids: a
    pinned student moves to their team (its weakest other member leaves if it is full), a pair
    that is no longer allowed leaves, and a team that then breaks a rule is dropped."""
    inst = prepared.instance
    s_of = {s.id: i for i, s in enumerate(inst.students)}
    c_of = {c.id: j for j, c in enumerate(inst.challenges)}
    pinned_to = {
        inst.students[s].id: inst.challenges[c].id for s, c in prepared.student_pins.items()
    }
    members: dict[str, list[str]] = {t.challenge: list(t.members) for t in teams}
    supervisor = {t.challenge: t.supervisor for t in teams}
    for cid in members:
        members[cid] = [
            m
            for m in members[cid]
            if pinned_to.get(m, cid) == cid
            and ("x", s_of[m], c_of[cid]) in model.index
            and model.ub[model.index[("x", s_of[m], c_of[cid])]] == 1
        ]
    for sid, cid in pinned_to.items():
        team = members.setdefault(cid, [])
        if sid not in team:
            team.append(sid)
    for cid, team in members.items():
        c = c_of[cid]
        ch = inst.challenges[c]
        while len(team) > ch.students_max:
            movable = [m for m in team if m not in pinned_to]
            if not movable:
                break
            # The weakest member whose leaving keeps the team's skills and programme mix (a
            # team that breaks a rule is dropped below, and with it a pin to it).
            keeps = [
                m for m in movable if _mix_kept(prepared, c, [s_of[x] for x in team if x != m])
            ]
            team.remove(min(keeps or movable, key=lambda m: prepared.fit[s_of[m], c]))
    # A supervisor the program does not offer this challenge is swapped for one it does.
    v_of = {v.id: k for k, v in enumerate(inst.supervisors)}
    room = {v.id: v.capacity for v in inst.supervisors}
    for cid in members:
        if supervisor.get(cid) in room:
            room[supervisor[cid]] -= 1
    offered: dict[int, list[int]] = defaultdict(list)
    for key in model.index:
        if key[0] == "sup":
            offered[key[1]].append(key[2])
    for cid in members:
        vid = supervisor.get(cid)
        if vid in v_of and ("sup", c_of[cid], v_of[vid]) in model.index:
            continue
        if vid in room:
            room[vid] += 1
        free = [
            inst.supervisors[v].id for v in offered[c_of[cid]] if room[inst.supervisors[v].id] > 0
        ]
        supervisor[cid] = free[0] if free else None
        if free:
            room[free[0]] -= 1
    candidates = [
        Team(
            challenge=cid,
            supervisor=supervisor.get(cid),
            members=tuple(team),
            staff=tuple(inst.challenges[c_of[cid]].staff),
        )
        for cid, team in members.items()
        if team
    ]
    # One check of all teams (a check per team reads the whole round each time: minutes at 10k
    # students); a rule a team breaks on its own is tagged with its challenge.
    broken = {v.challenge for v in validate(inst, candidates).violations if v.code != "pin"}
    return [team for team in candidates if team.challenge not in broken]


def _mix_kept(prepared: Prepared, c: int, members: list[int]) -> bool:
    """Whether `members` cover challenge c's required skills and its programme mix."""
    inst = prepared.instance
    ch = inst.challenges[c]
    for label in ch.required_skills:
        holders = prepared.skill_holders[prepared.skill_index[skill_key(label)]]
        if not any(m in holders for m in members):
            return False
    return len({inst.students[m].programme for m in members}) >= ch.min_programmes


def start_vector(prepared: Prepared, model: Formulation, teams: list[Team]) -> np.ndarray:
    """A value for every variable that puts exactly these teams in place (for a warm start)."""
    inst = prepared.instance
    s_of = {s.id: i for i, s in enumerate(inst.students)}
    c_of = {c.id: j for j, c in enumerate(inst.challenges)}
    v_of = {v.id: k for k, v in enumerate(inst.supervisors)}
    values = np.array(model.lb, dtype=np.int64)
    ix = model.index
    worst_mean = None
    placed: set[int] = set()
    for team in teams:
        c = c_of.get(team.challenge)
        members = [s_of[m] for m in team.members if m in s_of]
        if c is None or not members:
            continue
        placed.update(members)
        for s in members:
            if ("x", s, c) in ix:
                values[ix[("x", s, c)]] = 1
        if ("size", c, len(members)) in ix:
            values[ix[("size", c, len(members))]] = 1
        if team.supervisor in v_of and ("sup", c, v_of[team.supervisor]) in ix:
            values[ix[("sup", c, v_of[team.supervisor])]] = 1
        for s in members:
            key = ("programme", c, inst.students[s].programme)
            if key in ix:
                values[ix[key]] = 1
        total = sum(model.obj[ix[("x", s, c)]] for s in members if ("x", s, c) in ix)
        mean = total // len(members)
        worst_mean = mean if worst_mean is None else min(worst_mean, mean)
    w = ix[("worst",)]
    values[w] = model.ub[w] if worst_mean is None else worst_mean
    margin = round(inst.fairness.margin * SCALE)
    for dim, groups in fairness_groups(prepared).items():
        if ("rate_lo", dim) not in ix:
            continue
        rates = [SCALE * sum(s in placed for s in m) / len(m) for m in groups.values()]
        lo, hi = int(np.floor(min(rates))), int(np.ceil(max(rates)))
        values[ix[("rate_lo", dim)]] = lo
        values[ix[("rate_hi", dim)]] = hi
        values[ix[("excess", dim)]] = max(0, hi - lo - margin)
    return values


def _feasible(model: Formulation, values: np.ndarray) -> bool:
    """Whether `values` keeps every bound and row (enforced rows only where their binary is 1)."""
    if np.any(values < np.array(model.lb)) or np.any(values > np.array(model.ub)):
        return False
    for row in model.rows:
        if row.enforce is not None and values[row.enforce] == 0:
            continue
        total = int(np.dot(values[row.idx], row.coef)) if row.idx else 0
        if (row.lo is not None and total < row.lo) or (row.hi is not None and total > row.hi):
            return False
    return True


def _read(prepared: Prepared, model: Formulation, outcome: Outcome, start: float) -> Proposal:
    inst = prepared.instance
    proposal = Proposal(
        status=outcome.status,
        teams=[],
        objective=outcome.objective / SCALE,
        bound=outcome.bound / SCALE,
        gap=outcome.gap,
        solver=outcome.solver,
        candidates=sum(1 for k in model.keys if k[0] == "x"),
    )
    if outcome.values is not None:
        members: dict[int, list[int]] = defaultdict(list)
        supervisor: dict[int, int] = {}
        for key, value in zip(model.keys, outcome.values.tolist(), strict=True):
            if value and key[0] == "x":
                members[key[2]].append(key[1])
            elif value and key[0] == "sup":
                supervisor[key[1]] = key[2]
            elif key[0] == "excess":
                proposal.fairness_excess[key[1]] = value / SCALE
        for c in sorted(members):
            v = supervisor.get(c)
            proposal.teams.append(
                Team(
                    challenge=inst.challenges[c].id,
                    supervisor=inst.supervisors[v].id if v is not None else None,
                    members=tuple(inst.students[s].id for s in sorted(members[c])),
                    staff=tuple(inst.challenges[c].staff),
                )
            )
    proposal.seconds = time.perf_counter() - start
    return proposal
