"""What one challenge could have on its own: its best possible team, ignoring every other team.

The best team a challenge can get when it has the whole round to itself (every eligible
student free, a supervisor free) bounds what any method can give it in a shared round. So:

- a challenge with no valid team on its own can be staffed by nobody: it is left out of the
  challenges a round must staff (the proposal's diagnosis says which rule leaves too few);
- the lowest of the challenges' best teams bounds the worst team's fit of any proposal that
  staffs every challenge it must: a method that reaches it cannot be beaten there.

Exact, not a relaxation: per team size, the best team that keeps the size, required skills and
programme mix is a small integer program over the eligible students, with students of the same
programme and the same required skills (a "kind") interchangeable, so only the best few of each
kind enter it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from matcher.allocation.prepare import Prepared, skill_key


@dataclass(frozen=True)
class BestAlone:
    """A challenge's best team on its own: its mean member fit and size (None: no valid team)."""

    challenge: str
    mean_fit: float | None
    size: int | None


def best_team_alone(prepared: Prepared, c: int, size: int | None = None) -> BestAlone:
    """The highest mean member fit of any team that challenge `c` could have on its own: an
    eligible student for every place, team size (exactly `size` when given), required skills,
    programme mix, pins (a student pinned here is in, one pinned elsewhere is out) and a
    supervisor with room for it."""
    inst = prepared.instance
    ch = inst.challenges[c]
    usable = [
        v
        for v, sup in enumerate(inst.supervisors)
        if sup.capacity > 0 and not prepared.supervisor_forbidden[v, c]
    ]
    pinned_v = prepared.supervisor_pins.get(c)
    if not usable or (pinned_v is not None and pinned_v not in usable):
        return BestAlone(ch.id, None, None)
    pinned_here = [s for s, pc in prepared.student_pins.items() if pc == c]
    pinned_away = {s for s, pc in prepared.student_pins.items() if pc != c}
    pool = [s for s in np.nonzero(prepared.eligible[:, c])[0].tolist() if s not in pinned_away]
    if any(s not in pool for s in pinned_here):
        return BestAlone(ch.id, None, None)
    fit = prepared.fit[:, c].astype(np.float64)
    required = [
        prepared.skill_holders[prepared.skill_index[skill_key(label)]]
        for label in ch.required_skills
    ]
    # Students of one kind can stand in for each other: the best `team_max` of a kind suffice.
    kinds: dict[tuple, list[int]] = defaultdict(list)
    for s in pool:
        kind = (inst.students[s].programme, tuple(s in held for held in required))
        kinds[kind].append(s)
    keep = set(pinned_here)
    for members in kinds.values():
        members.sort(key=lambda s: -fit[s])
        keep.update(members[: ch.team_max])
    cand = sorted(keep)
    best_mean: float | None = None
    best_size: int | None = None
    ordered = sorted(fit[cand].tolist(), reverse=True)
    sizes = range(ch.team_min, ch.team_max + 1) if size is None else [size]
    for k in sizes:
        if k > len(cand):
            break
        ceiling = sum(ordered[:k]) / k  # the best k fits, rules aside: no team of k beats it
        if best_mean is not None and ceiling <= best_mean:
            break  # and the ceiling only falls as k grows
        total = _best_total(prepared, c, cand, k, required, set(pinned_here), fit)
        if total is not None and (best_mean is None or total / k > best_mean):
            best_mean, best_size = total / k, k
    return BestAlone(ch.id, best_mean, best_size)


def _best_total(
    prepared: Prepared,
    c: int,
    cand: list[int],
    k: int,
    required: list[set[int]],
    pinned: set[int],
    fit: np.ndarray,
) -> float | None:
    """The highest total fit of a team of exactly k from `cand` that keeps the mix (None: none)."""
    inst = prepared.instance
    ch = inst.challenges[c]
    top = sorted(cand, key=lambda s: -fit[s])
    greedy = sorted(pinned) + [s for s in top if s not in pinned][: k - len(pinned)]
    if len(greedy) == k and _mix_ok(inst, greedy, required, ch.min_programmes):
        return float(fit[greedy].sum())  # the best k by fit keep the mix: nothing beats them
    programmes = sorted({inst.students[s].programme for s in cand})
    n, n_p = len(cand), len(programmes)
    # Columns: one per candidate, then one per programme ("the team has this programme").
    cost = np.concatenate([-fit[cand], np.zeros(n_p)])
    rows, lo, hi = [], [], []
    rows.append(np.concatenate([np.ones(n), np.zeros(n_p)]))
    lo.append(k)
    hi.append(k)
    for held in required:
        rows.append(np.concatenate([[1.0 if s in held else 0.0 for s in cand], np.zeros(n_p)]))
        lo.append(1)
        hi.append(np.inf)
    if ch.min_programmes > 1:
        for j, p in enumerate(programmes):
            row = np.concatenate([[-1.0 if inst.students[s].programme == p else 0.0 for s in cand],
                                  np.zeros(n_p)])  # fmt: skip
            row[n + j] = 1.0
            rows.append(row)
            lo.append(-np.inf)
            hi.append(0)
        rows.append(np.concatenate([np.zeros(n), np.ones(n_p)]))
        lo.append(ch.min_programmes)
        hi.append(np.inf)
    lower = np.array([1.0 if s in pinned else 0.0 for s in cand] + [0.0] * n_p)
    done = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lo, hi),
        integrality=np.ones(n + n_p),
        bounds=Bounds(lower, np.ones(n + n_p)),
    )
    if done.status != 0 or done.x is None:
        return None
    chosen = [s for s, x in zip(cand, done.x[:n].tolist(), strict=True) if x > 0.5]
    return float(fit[chosen].sum())


def _mix_ok(inst, members: list[int], required: list[set[int]], min_programmes: int) -> bool:
    if any(not any(m in held for m in members) for held in required):
        return False
    return len({inst.students[m].programme for m in members}) >= min_programmes


def best_teams_alone(prepared: Prepared) -> list[BestAlone]:
    """`best_team_alone` for every challenge of the round, in the round's order."""
    return [best_team_alone(prepared, c) for c in range(len(prepared.instance.challenges))]


__all__ = ["BestAlone", "best_team_alone", "best_teams_alone"]
