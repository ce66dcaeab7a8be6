"""Secondary suppression: a hidden small count must not be worked out from the figures around it.

Hiding the counts from 1 to 4 (primary suppression) is not enough when other figures add up to
a shown one: a quarter of 7 whose months read 5, "<5" and 0 gives the hidden month away (2).
The well-known cure, used by statistics offices (cell suppression, as in tau-ARGUS), is to hide
more cells until no hidden one can be derived: here the smallest shown non-zero part of the
sum, or the total when no part is left.

What a reader may combine is written down as `Constraint`s: a total that equals the sum of
its parts (months of a quarter for a count of events), or a total that lies between the
largest part and the sum of the parts (people counted once per period: a student active in two
months is one student of the quarter). An attacker narrows every cell's range through them
until nothing changes (interval propagation); a hidden cell whose range is a single value is
given away, and one more cell is hidden. Every hidden cell's range is what its mark tells: a
"<5" lies from 1 to 4, a cell hidden only to protect another ("x") is a shown-able count (5 or
more); an aggregate (hours) that is hidden is only known to be positive.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

INF = math.inf
#: The most constraints `ranges` narrows by.
MAX_STEPS = 1_000_000


@dataclass(eq=False)
class Cell:
    """One figure: its true value, whether it is hidden, and what a reader knows of it then."""

    value: int
    #: Hidden because it is small (or, for an aggregate, made of fewer than 5 contributions).
    primary: bool = False
    #: Hidden only so that a primary one cannot be derived.
    secondary: bool = False
    #: A helper total that is never shown (the placements of a period, split two ways).
    unseen: bool = False
    #: The range a reader knows for it when it is hidden for being small, or to protect others.
    primary_range: tuple[float, float] = (1, 4)
    secondary_range: tuple[float, float] = (5, INF)

    @property
    def hidden(self) -> bool:
        return self.primary or self.secondary or self.unseen

    def known_range(self) -> tuple[float, float]:
        if self.unseen:
            return (0, INF)
        if self.primary:
            return self.primary_range
        if self.secondary:
            return self.secondary_range
        return (self.value, self.value)


@dataclass(eq=False)
class Constraint:
    """total = sum(parts) (`exact`), or max(parts) <= total <= sum(parts) (distinct counts)."""

    total: Cell
    parts: list[Cell]
    exact: bool = True


@dataclass
class Table:
    """The cells of one component (cells that no constraint links to another component)."""

    cells: list[Cell] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)

    def add(self, cell: Cell) -> Cell:
        self.cells.append(cell)
        return cell


def ranges(table: Table) -> dict[int, tuple[float, float]]:
    """What a reader can narrow each cell to from the shown figures and the constraints:
    each constraint narrows its cells, and those of a cell that narrowed are tried again."""
    known = {id(cell): cell.known_range() for cell in table.cells}
    touching: dict[int, list[Constraint]] = {}
    for constraint in table.constraints:
        for cell in (constraint.total, *constraint.parts):
            known.setdefault(id(cell), cell.known_range())
            touching.setdefault(id(cell), []).append(constraint)
    queue = deque(table.constraints)
    waiting = {id(constraint) for constraint in queue}
    # Counts are bounded, so this ends; the bound guards against constraints that contradict
    # each other (figures that do not add up as a reader assumes) and ping-pong.
    for _step in range(MAX_STEPS):
        if not queue:
            break
        constraint = queue.popleft()
        waiting.discard(id(constraint))
        for cell in _narrow(constraint, known):
            for other in touching[cell]:
                if id(other) not in waiting:
                    waiting.add(id(other))
                    queue.append(other)
    return known


def _narrow(constraint: Constraint, known: dict[int, tuple[float, float]]) -> list[int]:
    total = id(constraint.total)
    parts = [id(part) for part in constraint.parts]
    low_sum = sum(known[p][0] for p in parts)
    high_sum = sum(known[p][1] for p in parts)
    new: dict[int, tuple[float, float]] = {}
    t_low, t_high = known[total]
    if constraint.exact:
        new[total] = (max(t_low, low_sum), min(t_high, high_sum))
    else:
        biggest = max((known[p][0] for p in parts), default=0)
        new[total] = (max(t_low, biggest), min(t_high, high_sum))
    t_low, t_high = new[total]
    for p in parts:
        low, high = known[p]
        others_high = high_sum - high if high != INF else _sum_without(parts, p, known, 1)
        others_low = low_sum - low
        low = max(low, t_low - others_high)
        high = min(high, t_high - others_low if constraint.exact else t_high)
        new[p] = (low, high)
    changed = []
    for key, (low, high) in new.items():
        if low > high:
            continue  # a contradiction: the reader's assumption does not hold here
        if (low, high) != known[key]:
            known[key] = (low, high)
            changed.append(key)
    return changed


def _sum_without(parts: list[int], skip: int, known: dict, end: int) -> float:
    return sum(known[p][end] for p in parts if p != skip)


def given_away(table: Table) -> list[Cell]:
    """Hidden cells (not helpers) whose value a reader can work out exactly."""
    known = ranges(table)
    return [
        cell
        for cell in table.cells
        if (cell.primary or cell.secondary) and known[id(cell)][0] == known[id(cell)][1]
    ]


def protect(table: Table) -> None:
    """Hide more cells (secondary) until no hidden one is given away: in a constraint of a
    cell that is, the smallest shown non-zero part, else its total."""
    while True:
        exposed = given_away(table)
        if not exposed:
            return
        choice = _next_to_hide(table, exposed)
        if choice is None:
            return  # nothing left to hide near it (cannot happen with counts of 0 shown)
        choice.secondary = True


def _next_to_hide(table: Table, exposed: list[Cell]) -> Cell | None:
    for cell in exposed:
        for constraint in table.constraints:
            members = [constraint.total, *constraint.parts]
            if not any(member is cell for member in members):
                continue
            shown = [p for p in constraint.parts if not p.hidden and p.value > 0]
            if shown:
                return min(shown, key=lambda p: p.value)
            if not constraint.total.hidden and constraint.total.value > 0:
                return constraint.total
    return None
