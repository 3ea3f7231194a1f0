"""Last-write-wins and clock drift: how far apart must writes be to keep their order?

Every clock reading is within D of true time. One write completes (its timestamp
was read no later than that) and the next write to the key is invoked at least g
later in real time. LWW keeps their order only if the second timestamp is strictly
larger: a tie falls back to the op-id tie-break, which need not follow real time.
Theorem: that holds for every pair of readings iff g > 2D; on integer clocks, iff
g >= 2D + 1. Proved for all D and g, and checked for given numbers with the two
inverting readings as the counterexample.

    >>> prove_clocks(5, 11).verdict, prove_clocks(5, 10).verdict
    ('proved', 'refuted')
"""

from __future__ import annotations

from fractions import Fraction

import z3

from leaderless.proofs.result import (
    Inconsistent,
    InvalidInput,
    Obligation,
    Proved,
    Refuted,
    Result,
    Unknown,
)
from leaderless.proofs.solve import check, frame, logic_solver, refute

Number = int | Fraction


def _sort_value(value: Number, dense: bool) -> z3.ArithRef:
    return z3.RealVal(str(value)) if dense else z3.IntVal(int(value))


def _variables(names: str, dense: bool) -> list[z3.ArithRef]:
    return list(z3.Reals(names) if dense else z3.Ints(names))


def _within(reading: z3.ArithRef, true_time: z3.ArithRef, drift: z3.ArithRef) -> z3.BoolRef:
    return z3.And(true_time - drift <= reading, reading <= true_time + drift)


def _setting(
    drift: z3.ArithRef,
    gap: z3.ArithRef,
    first_at: z3.ArithRef,
    second_at: z3.ArithRef,
    first_ts: z3.ArithRef,
    second_ts: z3.ArithRef,
) -> z3.BoolRef:
    """Readings within drift of their true times, taken at least `gap` apart."""
    return z3.And(
        drift >= 0,
        gap >= 0,
        second_at - first_at >= gap,
        _within(first_ts, first_at, drift),
        _within(second_ts, second_at, drift),
    )


def _safe_gap(drift: z3.ArithRef, gap: z3.ArithRef, dense: bool) -> z3.BoolRef:
    return gap > 2 * drift if dense else gap >= 2 * drift + 1


def _bound_obligations(dense: bool, timeout_ms: int | None) -> tuple[Obligation, Obligation]:
    clock = "real" if dense else "integer"
    bound = "g > 2D" if dense else "g >= 2D + 1"
    drift, gap, first_at, second_at, first_ts, second_ts = _variables("D g sa sb ca cb", dense)
    sufficient = refute(
        f"clock-bound/{clock}/sufficient",
        f"{bound}: every pair of readings has ts(first) < ts(second)",
        z3.And(
            _setting(drift, gap, first_at, second_at, first_ts, second_ts),
            _safe_gap(drift, gap, dense),
            first_ts >= second_ts,
        ),
        timeout_ms,
    )
    # The inverting pair, for any g short of the bound: the first write's clock runs D
    # fast at real time 0, the second's D slow at real time g.
    zero = _sort_value(0, dense)
    inverting = (zero, gap, drift, gap - drift)
    necessary = refute(
        f"clock-bound/{clock}/necessary",
        f"not {bound}: readings D fast at 0 and D slow at g give ts(first) >= ts(second)",
        z3.And(
            drift >= 0,
            gap >= 0,
            z3.Not(_safe_gap(drift, gap, dense)),
            z3.Not(z3.And(_setting(drift, gap, *inverting), inverting[2] >= inverting[3])),
        ),
        timeout_ms,
    )
    return sufficient, necessary


def prove_clock_bound(timeout_ms: int | None = None) -> Result:
    """For all D >= 0 and g >= 0: LWW keeps real-time order iff g > 2D (integers: 2D + 1)."""
    obligations = _bound_obligations(False, timeout_ms) + _bound_obligations(True, timeout_ms)
    claim = (
        "for all drift D >= 0 and gap g >= 0: every pair of timestamps keeps the writes' "
        "real-time order iff g >= 2D + 1 on integer clocks, g > 2D on real clocks"
    )
    for obligation in obligations:
        if obligation.z3_result != "unsat":
            return Unknown(
                claim,
                f"{obligation.name}: not discharged (Z3 answered "
                f"{obligation.z3_result}"
                f"{', ' + obligation.reason if obligation.reason else ''})",
                obligations,
            )
    return Proved(
        claim,
        obligations,
        "writes to one key keep their order under LWW exactly when they are more "
        "than twice the clock error apart",
    )


def _validate(drift: Number, gap: Number, dense: bool) -> None:
    for name, value in (("drift", drift), ("gap", gap)):
        if value < 0:
            raise InvalidInput(f"{name} = {value} is negative: it must be >= 0")
        if not dense and Fraction(value).denominator != 1:
            raise InvalidInput(
                f"{name} = {value} is not an integer: pass whole clock ticks, "
                "or use real (dense) clocks"
            )


def _minimum(drift: Number, dense: bool) -> str:
    return f"more than {2 * drift}" if dense else f"at least {2 * drift + 1}"


def _plain(value: Fraction, dense: bool) -> int | str:
    return str(value) if dense else int(value)


def prove_clocks(
    drift: Number, gap: Number, dense: bool = False, unit: str = "ms", timeout_ms: int | None = None
) -> Result:
    """With clocks within `drift` of true time, do writes `gap` apart keep their LWW order?

    Refuted with the two clock readings that tie or invert the order.
    """
    _validate(drift, gap, dense)
    drift_value, gap_value = _sort_value(drift, dense), _sort_value(gap, dense)
    second_at, first_ts, second_ts = _variables("second_at first_ts second_ts", dense)
    first_at = _sort_value(0, dense)  # time is translation-invariant: start the first at 0
    solver = logic_solver(timeout_ms)
    solver.add(
        _setting(drift_value, gap_value, first_at, second_at, first_ts, second_ts),
        first_ts >= second_ts,
    )
    obligation, model = check(
        solver,
        f"clocks/drift={drift},gap={gap}",
        f"no readings within {drift} of true time, {gap} apart, give ts(first) >= ts(second)",
    )
    claim = (
        f"with clocks within {drift} {unit} of true time, writes to one key {gap} {unit} "
        "apart keep their real-time order under LWW"
    )
    needed = (
        f"writes to one key must be {_minimum(drift, dense)} {unit} apart for LWW to keep "
        "their order"
    )
    if obligation.z3_result == "unsat":
        return Proved(claim, (obligation,), f"{needed}; {gap} {unit} is enough")
    if model is None:
        return Unknown(
            claim,
            f"{obligation.name}: Z3 answered unknown ({obligation.reason or 'no reason given'})",
            (obligation,),
        )
    with frame(solver):
        # A strict inversion, when there is one, makes a more telling witness than a tie.
        solver.add(first_ts > second_ts)
        _, inverted = check(solver, "clocks/strict-inversion", "witness search only")
    model = inverted or model
    readings = [Fraction(str(model.eval(x, True))) for x in (second_at, first_ts, second_ts)]
    at, first, second = readings
    witness = {
        "first_write": {"real_time": _plain(Fraction(0), dense), "timestamp": _plain(first, dense)},
        "second_write": {"real_time": _plain(at, dense), "timestamp": _plain(second, dense)},
    }
    if not (at >= gap and abs(first) <= drift and abs(second - at) <= drift and first >= second):
        raise Inconsistent(f"{obligation.name}: Z3's model failed the plain-Python check {witness}")
    first_text = witness["first_write"]["timestamp"]
    second_text = witness["second_write"]["timestamp"]
    outcome = (
        f"timestamped {second_text} too: a tie, which the op-id tie-break may settle "
        "against real time"
        if first == second
        else f"timestamped {second_text}, so the older write wins"
    )
    return Refuted(
        claim,
        witness,
        f"{needed}: a write at t=0 may be timestamped {first_text} and the next write, "
        f"invoked at t={witness['second_write']['real_time']}, {outcome}",
        (obligation,),
    )
