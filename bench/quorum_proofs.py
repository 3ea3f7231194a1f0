"""Time the Z3 proofs: the parametric theorem, and every concrete (n <= 32, all r, w) check.

    python bench/quorum_proofs.py            # n up to 32
    python bench/quorum_proofs.py --max-n 8  # a quick run

Prints figures only; it asserts nothing about time. It does check that every
concrete verdict is the one the parametric theorem predicts (r + w > n), since a
fast wrong answer is not a figure worth printing.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its own name,
# `proofs`, would hide the `proofs` package it measures.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import z3
from tabulate import tabulate

from leaderless.proofs.clocks import prove_clock_bound
from leaderless.proofs.parametric import prove_parametric
from leaderless.proofs.quorum import LARGEST_N, prove_overlap, quorum_space


def _parametric_rows() -> list[list[object]]:
    started = time.perf_counter()
    results = prove_parametric() + (prove_clock_bound(),)
    wall = time.perf_counter() - started
    rows: list[list[object]] = []
    for name, result in zip(("read/write", "write/write", "clock bound"), results, strict=True):
        solver_seconds = sum(o.seconds for o in result.obligations)
        rows.append([name, result.verdict, len(result.obligations), f"{solver_seconds:.4f}"])
    rows.append(["(wall, all three)", "", "", f"{wall:.4f}"])
    return rows


def _concrete_row(n: int) -> list[object]:
    """All n * n configurations of one n, on one solver (each check in its own frame)."""
    space = quorum_space(n)
    started = time.perf_counter()
    slowest, verdicts = 0.0, 0
    for r in range(1, n + 1):
        for w in range(1, n + 1):
            result = prove_overlap(n, r, w, space=space)
            if result.verdict != ("proved" if r + w > n else "refuted"):
                sys.exit(f"n={n} r={r} w={w}: {result.verdict} contradicts the theorem")
            slowest = max(slowest, result.obligations[0].seconds)
            verdicts += 1
    wall = time.perf_counter() - started
    return [n, verdicts, f"{wall:.3f}", f"{1000 * wall / verdicts:.2f}", f"{1000 * slowest:.2f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=32, help="largest n (default 32)")
    args = parser.parse_args()
    if not 1 <= args.max_n <= LARGEST_N:
        parser.error(f"--max-n {args.max_n} is out of range; allowed 1..{LARGEST_N}")
    print(f"z3 {z3.get_version_string()}, Python {platform.python_version()}, {platform.machine()}")
    print()
    print(
        tabulate(
            _parametric_rows(),
            headers=["theorem (all n / all D, g)", "verdict", "obligations", "solver seconds"],
        )
    )
    print()
    rows = [_concrete_row(n) for n in range(1, args.max_n + 1)]
    total_checks = sum(int(row[1]) for row in rows)
    total_seconds = sum(float(row[2]) for row in rows)
    print(
        tabulate(
            rows, headers=["n", "configurations", "seconds", "ms each (mean)", "slowest check ms"]
        )
    )
    print()
    print(
        f"{total_checks} concrete configurations (n <= {args.max_n}, all r, w) in "
        f"{total_seconds:.1f} s, every verdict as r + w > n predicts"
    )


if __name__ == "__main__":
    main()
