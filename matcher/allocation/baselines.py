"""Three ways to staff a round without the solver, to compare it with (benchmarks/allocation.py).

(a) `top_k_first_come`: today's behaviour — each challenge in turn takes its top students by score.
(b) `preference_flow`: a min-cost flow on the students' ranked preferences alone (what Moodle's
    ratingallocate does), blind to every other rule.
(c) `max_min_greedy`: a CATME Team-Maker-style builder — the weakest team picks next.
"""

from __future__ import annotations

import heapq
import itertools

import numpy as np

from matcher.allocation.prepare import Prepared, skill_key
from matcher.allocation.teams import Team


def _supervise(prepared: Prepared, chosen: dict[int, list[int]]) -> list[Team]:
    """Give each team the free supervisor with the most expertise (None when all are full)."""
    inst = prepared.instance
    room = np.array([v.capacity for v in inst.supervisors])
    teams = []
    for c in sorted(chosen):
        order = np.argsort(-prepared.expertise[:, c], kind="stable") if len(room) else []
        v = next(
            (int(v) for v in order if room[v] > 0 and not prepared.supervisor_forbidden[v, c]),
            None,
        )
        if v is not None:
            room[v] -= 1
        teams.append(
            Team(
                challenge=inst.challenges[c].id,
                supervisor=inst.supervisors[v].id if v is not None else None,
                members=tuple(inst.students[s].id for s in sorted(chosen[c])),
                staff=tuple(inst.challenges[c].staff),
            )
        )
    return teams


def top_k_first_come(prepared: Prepared) -> list[Team]:
    """Each challenge in file order takes its best-scoring eligible students still free, up to
    its maximum; nobody looks at the mix, the skills the team needs or its minimum size."""
    taken = np.zeros(prepared.eligible.shape[0], dtype=bool)
    chosen: dict[int, list[int]] = {}
    for c, ch in enumerate(prepared.instance.challenges):
        score = np.where(prepared.eligible[:, c] & ~taken, prepared.score[:, c], -np.inf)
        order = np.argsort(-score, kind="stable")[: ch.students_max]
        members = [int(s) for s in order if np.isfinite(score[s])]
        if members:
            taken[members] = True
            chosen[c] = members
    return _supervise(prepared, chosen)


def preference_flow(prepared: Prepared) -> list[Team]:
    """A min-cost flow: students to their ranked challenges (cost = rank), each challenge up to
    its maximum; rules other than the preferences are not seen."""
    import networkx as nx

    inst = prepared.instance
    graph = nx.DiGraph()
    rank = prepared.pref_rank
    students, challenges = np.nonzero(rank)
    for s in set(students.tolist()):
        graph.add_edge("source", ("s", s), capacity=1, weight=0)
    for c in set(challenges.tolist()):
        graph.add_edge(("c", c), "sink", capacity=inst.challenges[c].students_max, weight=0)
    for s, c in zip(students.tolist(), challenges.tolist(), strict=True):
        graph.add_edge(("s", s), ("c", c), capacity=1, weight=int(rank[s, c]))
    chosen: dict[int, list[int]] = {}
    if graph.number_of_nodes():
        flow = nx.max_flow_min_cost(graph, "source", "sink")
        for s in set(students.tolist()):
            for node, amount in flow[("s", s)].items():
                if amount:
                    chosen.setdefault(node[1], []).append(s)
    return _supervise(prepared, chosen)


def max_min_greedy(prepared: Prepared) -> list[Team]:
    """CATME-style: the team with the lowest mean fit picks its best free eligible student
    (one who covers a missing required skill or programme first) until every team reaches its
    minimum; teams that cannot are dissolved; then teams fill up to their maximum the same way.
    Supervisors go by expertise; a team left without one is dissolved."""
    inst = prepared.instance
    fit = prepared.fit
    n_s = fit.shape[0]
    free = np.ones(n_s, dtype=bool)
    room = np.array([v.capacity for v in inst.supervisors])
    members: dict[int, list[int]] = {}
    pools: dict[int, np.ndarray] = {}
    for c, ch in enumerate(inst.challenges):
        pool = np.nonzero(prepared.eligible[:, c])[0]
        if len(pool) >= ch.students_min:
            pools[c] = pool[np.argsort(-fit[pool, c], kind="stable")]
            members[c] = []
    # Supervisors first (by expertise, scarcest first), so no team is built that cannot be run.
    for c in sorted(members, key=lambda c: -float(prepared.expertise[:, c].max(initial=0))):
        order = np.argsort(-prepared.expertise[:, c], kind="stable")
        if not any(room[v] > 0 and not prepared.supervisor_forbidden[v, c] for v in order):
            del members[c]
            continue
        v = next(int(v) for v in order if room[v] > 0 and not prepared.supervisor_forbidden[v, c])
        room[v] -= 1
    skills = prepared.skill_holders

    def needs(c: int, s: int) -> bool:
        ch = inst.challenges[c]
        team = members[c]
        for label in ch.required_skills:
            holders = skills[prepared.skill_index[skill_key(label)]]
            if not any(m in holders for m in team) and s in holders:
                return True
        progs = {inst.students[m].programme for m in team}
        return len(progs) < ch.min_programmes and inst.students[s].programme not in progs

    # Where each pool's free students begin: taken students are skipped once, not at every
    # pick (a pool can hold thousands of students on a large round).
    offset = dict.fromkeys(pools, 0)

    def pick(c: int) -> int | None:
        pool = pools[c]
        while offset[c] < len(pool) and not free[pool[offset[c]]]:
            offset[c] += 1
        first = [int(s) for s in itertools.islice((s for s in pool[offset[c] :] if free[s]), 50)]
        if not first:
            return None
        return next((s for s in first if needs(c, s)), first[0])

    def mean(c: int) -> float:
        team = members[c]
        return float(np.mean(fit[team, c])) if team else -1.0

    for phase in ("min", "max"):
        heap = [(mean(c), c) for c in members]
        heapq.heapify(heap)
        while heap:
            _, c = heapq.heappop(heap)
            if c not in members:
                continue
            ch = inst.challenges[c]
            limit = ch.students_min if phase == "min" else ch.students_max
            if len(members[c]) >= limit:
                continue
            s = pick(c)
            if s is None:
                if len(members[c]) < ch.students_min:  # cannot reach its minimum: dissolve
                    free[members.pop(c)] = True
                    offset.update(dict.fromkeys(offset, 0))  # they are free again
                continue
            members[c].append(s)
            free[s] = False
            heapq.heappush(heap, (mean(c), c))
    chosen = {c: team for c, team in members.items() if team}
    return _supervise(prepared, chosen)
