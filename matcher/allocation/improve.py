"""Raising the weakest team after the solver: student moves and swaps that keep every rule.

On a large round the integer program's worst-team rows (big-M rows per team size) give a weak
bound, and HiGHS finds no better teams in the time left; the proposal then is the one without
them. This local search lifts the weakest team directly, the way a team-maker would: its member
swaps with an unplaced student or with a member of another team, a student joins it (free or
from a team above its minimum), one of its members leaves for a team with room (or leaves while
a waiting student takes a free place elsewhere) when it is above its minimum size, or — when
none of those lifts it — a chain: its member leaves, a member of another team comes over and
an unplaced student takes that one's place. Every move keeps sizes, required skills, programme
mix, pins, supervisors and candidate pairs (so the teams stay a point of the program). A move
that changes who is placed keeps each fairness gap within the margin (or no wider than it was);
if it would not, a swap in a third team that places a student of exactly the leaver's groups
instead of one of the joiner's may balance it. A move is taken only if no team it touches ends
at or below the weakest team's old fit, so the sorted list of team fits rises every step and
the search ends.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from matcher.allocation.formulation import Formulation
from matcher.allocation.prepare import Prepared, skill_key
from matcher.allocation.teams import Team

EPS = 1e-9


@dataclass
class _Move:
    score: float
    w: int
    a: int | None  # member of the weakest team that leaves it (None: nobody)
    b: int  # student that joins it (-1: nobody; a goes to team t, or u takes a place in t)
    t: int  # b's team before (-1: unplaced)
    # unplaced student who takes b's place in t, or (b = -1) a free place in t; a then waits
    u: int | None = None
    # (team, x, y): elsewhere x leaves unplaced and y takes x's place, y of a's fairness groups
    # and x of the joiner's, so that every group has as many placed as before the move
    fix: tuple[int, int, int] | None = None


class _State:
    """Teams as member lists with their fit sums, and placed counts per fairness group."""

    def __init__(
        self,
        prepared: Prepared,
        model: Formulation,
        teams: list[Team],
        groups: dict[str, dict[str, list[int]]],
    ) -> None:
        inst = prepared.instance
        self.prepared = prepared
        self.fit = prepared.fit.astype(np.float64)
        s_of = {s.id: i for i, s in enumerate(inst.students)}
        c_of = {c.id: j for j, c in enumerate(inst.challenges)}
        self.cands: dict[int, list[int]] = defaultdict(list)
        self.pairs: set[tuple[int, int]] = set()
        for col, key in enumerate(model.keys):
            if key[0] == "x" and model.ub[col] == 1:
                self.cands[key[2]].append(key[1])
                self.pairs.add((key[1], key[2]))
        self.pinned = set(prepared.student_pins)
        self.members: dict[int, list[int]] = {}
        self.supervisor: dict[int, str | None] = {}
        self.where = np.full(len(inst.students), -1, dtype=np.int64)
        for team in teams:
            c = c_of[team.challenge]
            self.members[c] = [s_of[m] for m in team.members]
            self.supervisor[c] = team.supervisor
            self.where[self.members[c]] = c
        self.sums = {c: float(self.fit[m, c].sum()) for c, m in self.members.items()}
        holders = prepared.skill_holders
        self.required = {
            c: [holders[prepared.skill_index[skill_key(x)]] for x in ch.required_skills]
            for c, ch in enumerate(inst.challenges)
        }
        self.programme = [s.programme for s in inst.students]
        # Fairness: each dimension's group per student (-1: not compared), sizes, placed counts.
        margin = inst.fairness.margin
        self.dims: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = []
        for by_group in groups.values():
            if len(by_group) < 2:
                continue
            group = np.full(len(inst.students), -1, dtype=np.int64)
            for g, students in enumerate(by_group.values()):
                group[students] = g
            size = np.array([len(m) for m in by_group.values()], dtype=np.float64)
            placed = np.bincount(group[(self.where >= 0) & (group >= 0)], minlength=len(size))
            rates = placed / size
            allowed = max(margin, float(rates.max() - rates.min())) + EPS
            self.dims.append((group, size, placed.astype(np.float64), allowed))
        # Each student's fairness groups as one key, to find a student of the same groups.
        self.key = np.zeros(len(inst.students), dtype=np.int64)
        for group, size, _, _ in self.dims:
            self.key = self.key * (len(size) + 1) + group + 1

    def mean(self, c: int) -> float:
        return self.sums[c] / len(self.members[c])

    def team_ok(self, c: int, members: list[int]) -> bool:
        ch = self.prepared.instance.challenges[c]
        if not ch.students_min <= len(members) <= ch.students_max:
            return False
        if any(not any(m in held for m in members) for held in self.required[c]):
            return False
        return ch.min_programmes <= 1 or (
            len({self.programme[m] for m in members}) >= ch.min_programmes
        )

    def fair_after(self, leaves: int | None, joins: int | None) -> bool:
        """Whether the fairness gaps stay allowed when `leaves` is unplaced and `joins` placed."""
        for group, size, placed, allowed in self.dims:
            after = placed.copy()
            if leaves is not None and group[leaves] >= 0:
                after[group[leaves]] -= 1
            if joins is not None and group[joins] >= 0:
                after[group[joins]] += 1
            rates = after / size
            if rates.max() - rates.min() > allowed:
                return False
        return True

    def apply(self, move: _Move) -> None:
        if move.fix is not None:
            t2, x, y = move.fix
            self.apply(replace(move, fix=None))
            self.apply(_Move(move.score, t2, x, y, -1))
            return
        if move.u is not None:  # a chain: a leaves unplaced, b goes to w, u takes b's place
            w, a, b, t, u = move.w, move.a, move.b, move.t, move.u
            assert a is not None
            self.apply(_Move(move.score, w, a, b, t))  # b and a trade places
            self.apply(_Move(move.score, t, a, u, -1))  # u takes a's place in t
            return
        w, a, b, t = move.w, move.a, move.b, move.t
        if b < 0:  # w shrinks: a goes to t, or a waits and u takes a free place in t
            assert a is not None
            joiner = a if move.u is None else move.u
            self.members[w].remove(a)
            self.sums[w] -= self.fit[a, w]
            self.where[a] = -1
            self.members[t].append(joiner)
            self.sums[t] += self.fit[joiner, t]
            self.where[joiner] = t
            for group, _, placed, _ in self.dims:
                if joiner != a and group[a] >= 0:
                    placed[group[a]] -= 1
                if joiner != a and group[joiner] >= 0:
                    placed[group[joiner]] += 1
            return
        placed_change = (a if t < 0 else None, b if t < 0 else None)
        if t >= 0:
            self.members[t].remove(b)
            self.sums[t] -= self.fit[b, t]
            if a is not None:
                self.members[t].append(a)
                self.sums[t] += self.fit[a, t]
                self.where[a] = t
        elif a is not None:
            self.where[a] = -1
        if a is not None:
            self.members[w].remove(a)
            self.sums[w] -= self.fit[a, w]
        self.members[w].append(b)
        self.sums[w] += self.fit[b, w]
        self.where[b] = w
        leaves, joins = placed_change
        for group, _, placed, _ in self.dims:
            if leaves is not None and group[leaves] >= 0:
                placed[group[leaves]] -= 1
            if joins is not None and group[joins] >= 0:
                placed[group[joins]] += 1

    def teams(self) -> list[Team]:
        inst = self.prepared.instance
        return [
            Team(
                challenge=inst.challenges[c].id,
                supervisor=self.supervisor[c],
                members=tuple(inst.students[s].id for s in sorted(m)),
                staff=tuple(inst.challenges[c].staff),
            )
            for c, m in sorted(self.members.items())
        ]


def _best_move(
    state: _State, w: int, lam: float, floor_others: float, blocked: list[_Move]
) -> _Move | None:
    """The move that lifts team `w` (the weakest) with the best gain in total fit plus `lam` ×
    the rise of the lowest team fit; None when no move lifts it."""
    fit, members, where = state.fit, state.members, state.where
    team = members[w]
    low = state.mean(w)
    n_w = len(team)
    ch_w = state.prepared.instance.challenges[w]
    best: _Move | None = None
    leavers: list[int | None] = [a for a in team if a not in state.pinned]
    if n_w < ch_w.students_max:
        leavers.append(None)
    for b in state.cands[w]:
        t = int(where[b])
        if t == w or (t >= 0 and b in state.pinned):
            continue
        for a in leavers:
            f_out = fit[a, w] if a is not None else 0.0
            size_w = n_w if a is not None else n_w + 1
            new_w = (state.sums[w] - f_out + fit[b, w]) / size_w
            if new_w <= low + EPS:
                continue
            gain = fit[b, w] - f_out
            new_low = min(new_w, floor_others)
            if t >= 0:
                if a is not None and (a, t) not in state.pairs:
                    continue
                n_t = len(members[t]) - (a is None)
                if n_t == 0:
                    continue
                new_t = (state.sums[t] - fit[b, t] + (fit[a, t] if a is not None else 0.0)) / n_t
                if new_t <= low + EPS:
                    continue
                gain += (fit[a, t] if a is not None else 0.0) - fit[b, t]
                new_low = min(new_low, new_t)
            score = gain + lam * (new_low - low)
            if best is not None and score <= best.score:
                continue
            new_team = [m for m in team if m != a] + [b]
            if not state.team_ok(w, new_team):
                continue
            if t >= 0:
                rest = [m for m in members[t] if m != b] + ([a] if a is not None else [])
                if not state.team_ok(t, rest):
                    continue
            elif not state.fair_after(a, b):
                if a is not None:
                    blocked.append(_Move(score, w, a, b, t))
                continue
            best = _Move(score, w, a, b, t)
    return best


def _best_shrink(state: _State, w: int, lam: float, floor_others: float) -> _Move | None:
    """Team `w` (the weakest) one member smaller, as many students placed as before: its member
    `a` leaves for another team `t` with room, or leaves unplaced while a waiting student `u`
    takes a free place in `t`. A swap never makes a team smaller, and a challenge's best team is
    often its smallest; but a team does not shed a student only to raise its mean (in a round
    of one challenge every eligible student would be dropped but the best)."""
    fit, team, where = state.fit, state.members[w], state.where
    n_w = len(team)
    if n_w <= state.prepared.instance.challenges[w].team_min:
        return None
    low = state.mean(w)
    roomy = [
        t
        for t, m in state.members.items()
        if t != w and len(m) < state.prepared.instance.challenges[t].team_max
    ]
    best: _Move | None = None
    for a in team:
        if a in state.pinned:
            continue
        new_w = (state.sums[w] - fit[a, w]) / (n_w - 1)
        if new_w <= low + EPS:
            continue
        if not state.team_ok(w, [m for m in team if m != a]):
            continue
        for t in roomy:
            n_t = len(state.members[t]) + 1
            joiners = [a] if (a, t) in state.pairs else []
            joiners += [u for u in state.cands[t] if where[u] < 0]
            for u in joiners:
                new_t = (state.sums[t] + fit[u, t]) / n_t
                if new_t <= low + EPS:
                    continue
                score = fit[u, t] - fit[a, w] + lam * (min(new_w, new_t, floor_others) - low)
                if best is not None and score <= best.score:
                    continue
                if not state.team_ok(t, [*state.members[t], u]):
                    continue
                if u != a and not state.fair_after(a, u):
                    continue
                best = _Move(score, w, a, -1, t, None if u == a else u)
    return best


def _best_chain(
    state: _State, w: int, lam: float, floor_others: float, blocked: list[_Move]
) -> _Move | None:
    """A chain that lifts team `w` when no single move does: its member `a` leaves (unplaced),
    `b` comes over from team `t`, and an unplaced student `u` takes b's place in `t` — as many
    students placed as before, every team on its candidate pairs."""
    fit, members, where = state.fit, state.members, state.where
    team = members[w]
    low = state.mean(w)
    n_w = len(team)
    best: _Move | None = None
    for b in state.cands[w]:
        t = int(where[b])
        if t < 0 or t == w or b in state.pinned:
            continue
        rest_t = [m for m in members[t] if m != b]
        base_t = state.sums[t] - fit[b, t]
        n_t = len(members[t])
        for a in team:
            if a in state.pinned:
                continue
            new_w = (state.sums[w] - fit[a, w] + fit[b, w]) / n_w
            if new_w <= low + EPS:
                continue
            new_team = [m for m in team if m != a] + [b]
            checked = False
            for u in state.cands[t]:
                if where[u] >= 0 or u == a:
                    continue
                new_t = (base_t + fit[u, t]) / n_t
                if new_t <= low + EPS:
                    continue
                gain = fit[b, w] - fit[a, w] + fit[u, t] - fit[b, t]
                score = gain + lam * (min(new_w, new_t, floor_others) - low)
                if best is not None and score <= best.score:
                    continue
                if not checked:
                    if not state.team_ok(w, new_team):
                        break
                    checked = True
                if not state.team_ok(t, [*rest_t, u]):
                    continue
                if not state.fair_after(a, u):
                    blocked.append(_Move(score, w, a, b, t, u))
                    continue
                best = _Move(score, w, a, b, t, u)
    return best


def _compensated(state: _State, move: _Move, lam: float) -> _Move | None:
    """`move` (which changes who is placed beyond the fairness margin) with a swap in another
    team that places a student of exactly the leaver's groups instead of one of the joiner's,
    keeping that team above the weakest team's old fit; None when there is none."""
    a = move.a
    joiner = move.u if move.u is not None else move.b
    assert a is not None
    fit, where, low = state.fit, state.where, state.mean(move.w)
    busy = {move.w, move.t}
    want = state.key[a]
    best: _Move | None = None
    for x in np.nonzero((state.key == state.key[joiner]) & (where >= 0))[0].tolist():
        t2 = int(where[x])
        if t2 in busy or x in state.pinned:
            continue
        n2 = len(state.members[t2])
        for y in state.cands[t2]:
            if where[y] >= 0 or state.key[y] != want or y in (a, joiner):
                continue
            new_t2 = (state.sums[t2] - fit[x, t2] + fit[y, t2]) / n2
            if new_t2 <= low + EPS:
                continue
            score = move.score + fit[y, t2] - fit[x, t2] + lam * min(0.0, new_t2 - low)
            if best is not None and score <= best.score:
                continue
            if state.team_ok(t2, [m for m in state.members[t2] if m != x] + [y]):
                best = replace(move, score=score, fix=(t2, x, y))
    return best


def raise_worst(
    prepared: Prepared,
    model: Formulation,
    teams: list[Team],
    groups: dict[str, dict[str, list[int]]],
    *,
    lam: float,
    deadline: float,
) -> list[Team]:
    """`teams` after lifting the weakest team step by step until no move lifts it (or the
    deadline, a `time.perf_counter()` value, passes). `lam` weighs the lowest team fit against
    total fit when choosing among the moves that lift it."""
    state = _State(prepared, model, teams, groups)
    if len(state.members) < 1:
        return teams
    while time.perf_counter() < deadline:
        order = sorted(state.members, key=state.mean)
        w = order[0]
        floor_others = state.mean(order[1]) if len(order) > 1 else float("inf")
        blocked: list[_Move] = []
        moves = [_best_move(state, w, lam, floor_others, blocked)]
        moves.append(_best_shrink(state, w, lam, floor_others))
        move = max((m for m in moves if m is not None), key=lambda m: m.score, default=None)
        move = move or _best_chain(state, w, lam, floor_others, blocked)
        # A move the fairness margin blocks may still go with a balancing swap elsewhere.
        for held in sorted(blocked, key=lambda m: -m.score)[:5] if move is None else []:
            move = _compensated(state, held, lam)
            if move is not None:
                break
        if move is None:
            break
        state.apply(move)
    return state.teams()


def raise_total(
    prepared: Prepared,
    model: Formulation,
    teams: list[Team],
    groups: dict[str, dict[str, list[int]]],
    *,
    deadline: float,
) -> list[Team]:
    """`teams` after swaps that raise total fit without taking any team below the weakest
    team's fit: a member for an unplaced student (fairness gaps kept as in `raise_worst`) or
    for a member of another team. Lifting the weakest team gives up some total fit; this wins
    most of it back before the last stage, which may not have the time to on a busy machine."""
    state = _State(prepared, model, teams, groups)
    if not state.members:
        return teams
    floor = min(state.mean(c) for c in state.members) - EPS
    fit, where = state.fit, state.where
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for c in list(state.members):
            for a in list(state.members[c]):
                if a in state.pinned or where[a] != c:
                    continue
                n_c = len(state.members[c])
                best: _Move | None = None
                for b in state.cands[c]:
                    t = int(where[b])
                    if t == c or (t >= 0 and b in state.pinned):
                        continue
                    gain = fit[b, c] - fit[a, c]
                    if t >= 0:
                        if (a, t) not in state.pairs:
                            continue
                        gain += fit[a, t] - fit[b, t]
                    if gain <= EPS or (best is not None and gain <= best.score):
                        continue
                    if (state.sums[c] - fit[a, c] + fit[b, c]) / n_c < floor:
                        continue
                    if not state.team_ok(c, [m for m in state.members[c] if m != a] + [b]):
                        continue
                    if t >= 0:
                        n_t = len(state.members[t])
                        if (state.sums[t] - fit[b, t] + fit[a, t]) / n_t < floor:
                            continue
                        if not state.team_ok(t, [m for m in state.members[t] if m != b] + [a]):
                            continue
                    elif not state.fair_after(a, b):
                        continue
                    best = _Move(gain, c, a, b, t)
                if best is not None:
                    state.apply(best)
                    improved = True
            if time.perf_counter() >= deadline:
                break
    return state.teams()


__all__ = ["raise_total", "raise_worst"]
