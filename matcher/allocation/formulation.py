"""The allocation as one integer program, solved by OR-Tools CP-SAT or by HiGHS (scipy's milp)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Key = tuple  # a variable's name, e.g. ("x", student, challenge)


@dataclass
class Row:
    """lo ≤ Σ coef·var ≤ hi, only where the binary `enforce` is 1 (always when None)."""

    idx: list[int]
    coef: list[int]
    lo: int | None
    hi: int | None
    enforce: int | None = None
    tag: str | None = None  # "worst" or "fairness": rows a quicker stage leaves out


@dataclass
class Formulation:
    """Integer variables with bounds and integer objective weights (maximised), and rows."""

    keys: list[Key] = field(default_factory=list)
    lb: list[int] = field(default_factory=list)
    ub: list[int] = field(default_factory=list)
    obj: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    index: dict[Key, int] = field(default_factory=dict)

    def var(self, key: Key, lb: int = 0, ub: int = 1, obj: int = 0) -> int:
        """A new variable; returns its column."""
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.lb.append(lb)
        self.ub.append(ub)
        self.obj.append(obj)
        return len(self.keys) - 1

    def row(
        self,
        idx: list[int],
        coef: list[int],
        lo: int | None = None,
        hi: int | None = None,
        enforce: int | None = None,
        tag: str | None = None,
    ) -> None:
        """Add lo ≤ Σ coef·var ≤ hi (enforced by a binary when given)."""
        self.rows.append(Row(list(idx), list(coef), lo, hi, enforce, tag))

    def without(self, tags: set[str]) -> Formulation:
        """The same variables without the rows tagged `tags`; a variable those rows alone bound
        (the worst-team level) loses its objective weight, so it cannot run free."""
        rows = [r for r in self.rows if r.tag not in tags]
        obj = list(self.obj)
        if "worst" in tags and ("worst",) in self.index:
            obj[self.index[("worst",)]] = 0
        return Formulation(
            keys=self.keys, lb=self.lb, ub=self.ub, obj=obj, rows=rows, index=self.index
        )


@dataclass
class Outcome:
    """What a solver returned: the values, the status, the objective and its proven bound."""

    status: Literal["optimal", "feasible", "infeasible", "unknown"]
    values: np.ndarray | None
    objective: float
    bound: float
    seconds: float
    solver: str

    @property
    def gap(self) -> float:
        """Relative distance between the solution and the best proven bound."""
        if self.values is None:
            return float("inf")
        return abs(self.bound - self.objective) / max(1.0, abs(self.bound))


def solve_cpsat(
    model: Formulation,
    *,
    time_limit_s: float,
    workers: int,
    hint: dict[int, int] | None = None,
    gap: float = 0.002,
) -> Outcome:
    """Solve with OR-Tools CP-SAT; `hint` (column → value) warm-starts it."""
    from ortools.sat.python import cp_model

    start = time.perf_counter()
    cp = cp_model.CpModel()
    xs = [
        cp.new_bool_var(f"v{i}") if lb == 0 and ub == 1 else cp.new_int_var(lb, ub, f"v{i}")
        for i, (lb, ub) in enumerate(zip(model.lb, model.ub, strict=True))
    ]
    for i, (lb, ub) in enumerate(zip(model.lb, model.ub, strict=True)):
        if lb == ub == 1:
            cp.add(xs[i] == 1)
    for row in model.rows:
        expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in row.idx], row.coef)
        lo = row.lo if row.lo is not None else cp_model.INT_MIN
        hi = row.hi if row.hi is not None else cp_model.INT_MAX
        ct = cp.add_linear_constraint(expr, lo, hi)
        if row.enforce is not None:
            ct.only_enforce_if(xs[row.enforce])
    nz = [i for i, c in enumerate(model.obj) if c]
    cp.maximize(cp_model.LinearExpr.weighted_sum([xs[i] for i in nz], [model.obj[i] for i in nz]))
    if hint:
        for i, value in hint.items():
            cp.add_hint(xs[i], value)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s - (time.perf_counter() - start))
    solver.parameters.num_workers = workers
    solver.parameters.relative_gap_limit = gap
    solver.parameters.random_seed = 1
    code = solver.solve(cp)
    seconds = time.perf_counter() - start
    name = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
    }.get(code, "unknown")
    if name in ("optimal", "feasible"):
        values = np.array([solver.value(x) for x in xs], dtype=np.int64)
        return Outcome(
            name, values, solver.objective_value, solver.best_objective_bound, seconds, "cpsat"
        )
    return Outcome(name, None, float("nan"), float("nan"), seconds, "cpsat")


def _big_m_matrix(model: Formulation) -> tuple[object, np.ndarray, np.ndarray]:
    """The rows as one sparse matrix; an enforced row becomes a big-M row on its binary."""
    import scipy.sparse as sp

    lb = np.array(model.lb, dtype=float)
    ub = np.array(model.ub, dtype=float)
    data: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    lo: list[float] = []
    hi: list[float] = []
    r = 0
    for row in model.rows:
        if row.enforce is None:
            rows += [r] * len(row.idx)
            cols += row.idx
            data += row.coef
            lo.append(-np.inf if row.lo is None else row.lo)
            hi.append(np.inf if row.hi is None else row.hi)
            r += 1
            continue
        # Σa·x ≥ lo when b = 1  ⇔  Σa·x + (m − lo)·b ≥ m, with m the least Σa·x can be.
        coef = np.array(row.coef, dtype=float)
        least = float(np.sum(np.minimum(coef * lb[row.idx], coef * ub[row.idx])))
        most = float(np.sum(np.maximum(coef * lb[row.idx], coef * ub[row.idx])))
        if row.lo is not None:
            rows += [r] * (len(row.idx) + 1)
            cols += [*row.idx, row.enforce]
            data += [*row.coef, least - row.lo]
            lo.append(least)
            hi.append(np.inf)
            r += 1
        if row.hi is not None:
            rows += [r] * (len(row.idx) + 1)
            cols += [*row.idx, row.enforce]
            data += [*row.coef, most - row.hi]
            lo.append(-np.inf)
            hi.append(most)
            r += 1
    matrix = sp.csc_matrix((np.array(data, dtype=float), (rows, cols)), shape=(r, len(model.keys)))
    return matrix, np.array(lo), np.array(hi)


def solve_highs(
    model: Formulation,
    *,
    time_limit_s: float,
    start_values: np.ndarray | None = None,
    gap: float = 0.002,
    threads: int = 1,
) -> Outcome:
    """Solve with HiGHS (highspy); `start_values` (a full feasible solution) warm-starts it."""
    import highspy

    start = time.perf_counter()
    matrix, lo, hi = _big_m_matrix(model)
    n = len(model.keys)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.array(model.obj, dtype=float)
    lp.col_lower_ = np.array(model.lb, dtype=float)
    lp.col_upper_ = np.array(model.ub, dtype=float)
    lp.row_lower_ = lo
    lp.row_upper_ = hi
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 1)
    # Feasibility jump took most of a minute on a 10k-student round before the root LP, which
    # alone finds the teams there.
    h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit", max(0.1, time_limit_s - (time.perf_counter() - start)))
    h.passModel(lp)
    if start_values is not None:
        solution = highspy.HighsSolution()
        solution.col_value = [float(v) for v in start_values]
        solution.value_valid = True
        h.setSolution(solution)
    h.run()
    seconds = time.perf_counter() - start
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        name = "infeasible" if status == highspy.HighsModelStatus.kInfeasible else "unknown"
        return Outcome(name, None, float("nan"), float("nan"), seconds, "highs")
    values = np.rint(np.array(h.getSolution().col_value)).astype(np.int64)
    name = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    return Outcome(
        name, values, info.objective_function_value, info.mip_dual_bound, seconds, "highs"
    )
