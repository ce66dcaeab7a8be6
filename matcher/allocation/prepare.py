"""An instance as arrays: the hard rules per pair, each pair's fit, the candidate pairs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from matcher.allocation.instance import Instance
from matcher.places import distance_matrix_km, find_place
from matcher.travel import nearness, scaled_reach, travel_factor, within_reach

LEVELS = ("mbo", "hbo", "wo")
SKILL_HOLDERS = 3  # a challenge's best holders of each skill it requires join its candidates


def skill_key(label: str) -> str:
    """Skills compare case-insensitively and without surrounding white space."""
    return " ".join(label.casefold().split())


def preference_value(rank: int) -> float:
    """Rank 1 is worth 1.0, rank 5 is worth 0.2."""
    return (6 - rank) / 5


@dataclass
class Prepared:
    """The hard rules as boolean S×C masks, the fit of every pair, and the pruned candidates."""

    instance: Instance
    level_ok: np.ndarray
    place_ok: np.ndarray
    period_ok: np.ndarray
    hours_ok: np.ndarray
    forbidden: np.ndarray
    distance: np.ndarray
    score: np.ndarray
    fit: np.ndarray
    has_skill: sp.csr_matrix  # S × K, K = every skill any challenge requires
    skill_index: dict[str, int]
    expertise: np.ndarray  # V × C expertise fit
    student_pins: dict[int, int]  # student → challenge
    supervisor_pins: dict[int, int]  # challenge → supervisor
    supervisor_forbidden: np.ndarray  # V × C

    @cached_property
    def eligible(self) -> np.ndarray:
        """Pairs that keep every rule about one student and one challenge."""
        return self.level_ok & self.place_ok & self.period_ok & self.hours_ok & ~self.forbidden

    def candidates(self) -> tuple[np.ndarray, np.ndarray]:
        """(students, challenges) of the pairs the solver considers: each challenge's top-N by
        fit and the students its mix needs (`_mix_candidates`), each student's top few, every
        preferred or marked pair and every pin."""
        settings = self.instance.settings
        elig = self.eligible
        fit = np.where(elig, self.fit, -np.inf)
        keep = np.zeros_like(elig)
        n_students, n_challenges = elig.shape
        top = min(settings.candidates_per_challenge, n_students)
        if top and n_students:
            rows = np.argpartition(-fit, top - 1, axis=0)[:top]
            keep[rows, np.arange(n_challenges)[None, :]] = True
        per_student = min(settings.candidates_per_student, n_challenges)
        if per_student and n_challenges:
            cols = np.argpartition(-fit, per_student - 1, axis=1)[:, :per_student]
            keep[np.arange(n_students)[:, None], cols] = True
        keep |= self.preferred | self.marked
        keep |= self._mix_candidates(fit)
        for s, c in self.student_pins.items():
            keep[s, c] = True
        keep &= elig  # an ineligible pin has no pair: the program is infeasible, as it should be
        s_idx, c_idx = np.nonzero(keep)
        return s_idx, c_idx

    def _mix_candidates(self, fit: np.ndarray) -> np.ndarray:
        """S×C: for each challenge, its best eligible student of every programme (when it needs
        more than one) and its best few holders of each skill it requires. The top by fit
        often come from one or two programmes and may hold none of a rare required skill; then
        a challenge that could have a team on its own would have none among its candidates."""
        inst = self.instance
        out = np.zeros(fit.shape, dtype=bool)
        mixed = np.array([c.min_programmes > 1 for c in inst.challenges], dtype=bool)
        if mixed.any():
            programme = np.array([s.programme for s in inst.students])
            cols = np.nonzero(mixed)[0]
            sub = fit[:, cols]
            for p in np.unique(programme):
                rows = np.nonzero(programme == p)[0]
                best = rows[np.argmax(sub[rows], axis=0)]
                ok = np.isfinite(sub[best, np.arange(len(cols))])
                out[best[ok], cols[ok]] = True
        for c, ch in enumerate(inst.challenges):
            for label in ch.required_skills:
                holders = np.fromiter(
                    self.skill_holders[self.skill_index[skill_key(label)]], dtype=np.int64
                )
                holders = holders[np.isfinite(fit[holders, c])]
                top = holders[np.argsort(-fit[holders, c], kind="stable")[:SKILL_HOLDERS]]
                out[top, c] = True
        return out

    @cached_property
    def skill_holders(self) -> list[set[int]]:
        """Per required skill, the students who have it."""
        csc = self.has_skill.tocsc()
        return [
            set(csc.indices[csc.indptr[k] : csc.indptr[k + 1]].tolist())
            for k in range(csc.shape[1])
        ]

    @cached_property
    def preferred(self) -> np.ndarray:
        """S×C: the student ranked the challenge."""
        return self.pref_rank > 0

    @cached_property
    def pref_rank(self) -> np.ndarray:
        inst = self.instance
        s_of = {s.id: i for i, s in enumerate(inst.students)}
        c_of = {c.id: j for j, c in enumerate(inst.challenges)}
        rank = np.zeros(self.fit.shape, dtype=np.int8)
        for sid, ranked in inst.preferences.students.items():
            for r, cid in enumerate(ranked, start=1):
                rank[s_of[sid], c_of[cid]] = r
        return rank

    @cached_property
    def marked(self) -> np.ndarray:
        """S×C: the challenge's SME marked the student."""
        inst = self.instance
        s_of = {s.id: i for i, s in enumerate(inst.students)}
        c_of = {c.id: j for j, c in enumerate(inst.challenges)}
        out = np.zeros(self.fit.shape, dtype=bool)
        for cid, sids in inst.preferences.sme_marks.items():
            for sid in sids:
                out[s_of[sid], c_of[cid]] = True
        return out

    def region(self, s: int) -> str:
        student = self.instance.students[s]
        return student.region or find_place(student.place).province


def _incidence(lists: list[list[str]], vocab: dict[str, int]) -> sp.csr_matrix:
    """Rows × vocabulary 0/1 matrix of which (known) skills each list names."""
    rows, cols = [], []
    for i, labels in enumerate(lists):
        for k in {vocab[key] for label in labels if (key := skill_key(label)) in vocab}:
            rows.append(i)
            cols.append(k)
    return sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(lists), len(vocab))
    )


def _coverage(holders: list[list[str]], wanted: list[list[str]]) -> np.ndarray:
    """holders × wanted: the share of each wanted list that each holder has (0 if it is empty)."""
    vocab: dict[str, int] = {}
    for labels in wanted:
        for label in labels:
            vocab.setdefault(skill_key(label), len(vocab))
    if not vocab:
        return np.zeros((len(holders), len(wanted)), dtype=np.float32)
    have = _incidence(holders, vocab)
    want = _incidence(wanted, vocab)
    size = np.asarray(want.sum(axis=1)).ravel()
    shared = (have @ want.T).toarray()
    return (shared / np.maximum(size, 1)[None, :]).astype(np.float32)


def skill_overlap(instance: Instance) -> np.ndarray:
    """S×C share of each challenge's wanted and required skills the student has."""
    return _coverage(
        [s.skills for s in instance.students],
        [[*c.skills, *c.required_skills] for c in instance.challenges],
    )


def prepare(instance: Instance) -> Prepared:
    """The arrays every solver, baseline and explanation works on."""
    students, challenges = instance.students, instance.challenges
    n_s, n_c = len(students), len(challenges)
    s_of = {s.id: i for i, s in enumerate(students)}
    c_of = {c.id: j for j, c in enumerate(challenges)}
    v_of = {v.id: k for k, v in enumerate(instance.supervisors)}

    level = np.array([LEVELS.index(s.level) for s in students], dtype=np.int8)
    allowed = np.zeros((3, n_c), dtype=bool)
    for j, c in enumerate(challenges):
        allowed[[LEVELS.index(lv) for lv in c.levels], j] = True
    level_ok = allowed[level] if n_s else np.zeros((0, n_c), dtype=bool)

    # Distances between the distinct places only: a round has far fewer places than people.
    names = sorted({s.place for s in students} | {c.place for c in challenges if c.place})
    spot = {name: k for k, name in enumerate(names)}
    places = [find_place(name) for name in names]
    between = distance_matrix_km(places, places) if places else np.zeros((0, 0), np.float32)
    home = np.array([spot[s.place] for s in students], dtype=np.int64)
    site = np.array([spot[c.place] if c.place else 0 for c in challenges], dtype=np.int64)
    distance = (
        between[home[:, None], site[None, :]]
        if n_s and n_c
        else np.zeros((n_s, n_c), dtype=np.float32)
    )
    reach = np.array([s.max_travel_km for s in students], dtype=np.float32)[:, None]
    hybrid = instance.weights.hybrid_travel_factor
    factor = np.array([travel_factor(c.mode, hybrid) for c in challenges], dtype=np.float32)
    limit = scaled_reach(reach, factor[None, :])
    place_ok = within_reach(distance, limit)

    periods = {p: k for k, p in enumerate(sorted({c.period for c in challenges}))}
    has_period = np.zeros((n_s, len(periods)), dtype=bool)
    for i, s in enumerate(students):
        for p in s.periods:
            if p in periods:
                has_period[i, periods[p]] = True
    period_ok = has_period[:, [periods[c.period] for c in challenges]]
    hours_ok = (
        np.array([s.hours for s in students])[:, None]
        >= np.array([c.hours for c in challenges])[None, :]
    )

    forbidden = np.zeros((n_s, n_c), dtype=bool)
    supervisor_forbidden = np.zeros((len(instance.supervisors), n_c), dtype=bool)
    for pair in instance.forbids:
        if pair.student is not None:
            forbidden[s_of[pair.student], c_of[pair.challenge]] = True
        else:
            supervisor_forbidden[v_of[pair.supervisor], c_of[pair.challenge]] = True
    student_pins: dict[int, int] = {}
    supervisor_pins: dict[int, int] = {}
    for pair in instance.pins:
        if pair.student is not None:
            student_pins[s_of[pair.student]] = c_of[pair.challenge]
        else:
            supervisor_pins[c_of[pair.challenge]] = v_of[pair.supervisor]

    score = skill_overlap(instance)
    for sc in instance.scores:
        score[s_of[sc.student], c_of[sc.challenge]] = sc.score

    skill_index: dict[str, int] = {}
    for c in challenges:
        for label in c.required_skills:
            skill_index.setdefault(skill_key(label), len(skill_index))
    rows, cols = [], []
    for i, s in enumerate(students):
        for k in {skill_index[key] for lb in s.skills if (key := skill_key(lb)) in skill_index}:
            rows.append(i)
            cols.append(k)
    has_skill = sp.csr_matrix(
        (np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n_s, len(skill_index))
    )
    expertise = _coverage(
        [v.expertise for v in instance.supervisors],
        [[*c.skills, *c.required_skills] for c in challenges],
    )

    prepared = Prepared(
        instance=instance,
        level_ok=level_ok,
        place_ok=place_ok,
        period_ok=period_ok,
        hours_ok=hours_ok,
        forbidden=forbidden,
        distance=distance,
        score=score,
        fit=np.zeros((n_s, n_c), dtype=np.float32),
        has_skill=has_skill,
        skill_index=skill_index,
        expertise=expertise,
        student_pins=student_pins,
        supervisor_pins=supervisor_pins,
        supervisor_forbidden=supervisor_forbidden,
    )
    w = instance.weights
    rank = prepared.pref_rank
    pref = np.where(rank > 0, (6 - rank) / 5, 0.0)
    # Nearer is better: 1 next door, 0 at the student's limit (remote work counts as next door).
    nearby = nearness(distance, limit)
    fit = w.placement + w.score * score + w.nearby * nearby + w.preference * pref
    prepared.fit = (fit + w.sme_mark * prepared.marked).astype(np.float32)
    return prepared
