"""Compare every quorum setting of a cluster size at a glance: one row per (r, w).

Each row explores the configuration (the model options other than --r and --w apply
to every row; --r or --w fixes that dimension) and shows every property's verdict,
with the shortest counterexample's length when violated, beside the Z3 verdict on
read/write quorum overlap and how many crashed replicas reads and writes survive
(n - r and n - w).

Exit codes, as for check: 0 every required property holds in every row, 1 one is
violated in some row, 2 bad input, 3 one is inconclusive in some row (a limit or
Ctrl-C) and none is violated. By default every applicable property is required;
--require names a subset.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from tabulate import tabulate

from leaderless.checker.cli import EXIT_HOLDS, EXIT_INCONCLUSIVE, EXIT_VIOLATED
from leaderless.checker.commands.check import explore_config
from leaderless.checker.commands.options import (
    add_model_arguments,
    add_property_list_argument,
    add_search_arguments,
    applicable_ids,
    config_from_args,
)
from leaderless.checker.explorer import HOLDS, INTERRUPTED, VIOLATED
from leaderless.model import CATALOGUE, Config, ReplicationModel
from leaderless.proofs.quorum import prove_overlap

FORMATS = {"plain": "simple", "github": "github", "markdown": "pipe"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    # Unset, --r and --w range over 1..n; given, they fix that dimension of the matrix.
    parser.set_defaults(r=None, w=None)
    add_search_arguments(parser, per=" per row")
    out = parser.add_argument_group("output")
    add_property_list_argument(
        out,
        "--require",
        "properties that must hold in every row for exit code 0 "
        "(default: all applicable); give it again to add more",
    )
    out.add_argument(
        "--format",
        default="plain",
        choices=(*FORMATS, "json", "csv"),
        help="table format (default plain)",
    )


def cell(verdict: dict[str, Any]) -> str:
    if verdict["verdict"] == VIOLATED:
        return f"VIOLATED ({verdict['length']})"
    return verdict["verdict"]


def matrix_rows(
    base: Config,
    reads: range | list[int],
    writes: range | list[int],
    symmetry: bool,
    max_states: int | None,
    max_seconds: float | None,
    max_memory: int | None,
    quiet: bool,
) -> list[dict[str, Any]]:
    """One record per (r, w): its verdicts, the Z3 overlap verdict, crash tolerance."""
    rows = []
    for r in reads:
        for w in writes:
            config = Config(**{**base.to_json(), "clients": base.clients, "r": r, "w": w})
            if not quiet:
                print(f"matrix: r={r} w={w}", file=sys.stderr)
            _, exploration = explore_config(
                config,
                symmetry=symmetry,
                max_states=max_states,
                max_seconds=max_seconds,
                max_memory=max_memory,
                quiet=quiet,
            )
            rows.append(
                {
                    "r": r,
                    "w": w,
                    "overlap": prove_overlap(base.n, r, w).verdict,
                    "reads_survive": base.n - r,
                    "writes_survive": base.n - w,
                    "states": exploration.states,
                    "complete": exploration.complete,
                    "verdicts": {
                        v.property_id: {
                            "verdict": v.status,
                            "length": len(v.trace) if v.trace else None,
                        }
                        for v in exploration.verdicts
                    },
                }
            )
            if exploration.stopped_by == INTERRUPTED:
                # One Ctrl-C ends the matrix: the rows so far are what it found.
                return rows
    return rows


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    """The matrix in `fmt`; tables leave out properties that are n/a in every row."""
    if fmt == "json":
        return json.dumps(rows, indent=2)
    properties = [
        p.id for p in CATALOGUE if any(row["verdicts"][p.id]["verdict"] != "n/a" for row in rows)
    ]
    headers = ["r", "w", "Z3 overlap", "reads survive", "writes survive", *properties]
    table = [
        [
            row["r"],
            row["w"],
            row["overlap"],
            row["reads_survive"],
            row["writes_survive"],
            *(cell(row["verdicts"][p]) for p in properties),
        ]
        for row in rows
    ]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(table)
        return buffer.getvalue().rstrip("\n")
    return tabulate(table, headers=headers, tablefmt=FORMATS[fmt], disable_numparse=True)


def exit_code(rows: list[dict[str, Any]], required: list[str], all_rows: int) -> int:
    """check's convention over every row; a row never explored is inconclusive."""
    statuses = {row["verdicts"][prop]["verdict"] for row in rows for prop in required}
    if VIOLATED in statuses:
        return EXIT_VIOLATED
    if statuses - {HOLDS} or len(rows) < all_rows:
        return EXIT_INCONCLUSIVE
    return EXIT_HOLDS


def _summary(rows: list[dict[str, Any]], required: list[str]) -> str:
    broken = [
        f"{prop} in r={row['r']} w={row['w']}"
        for row in rows
        for prop in required
        if row["verdicts"][prop]["verdict"] == VIOLATED
    ]
    unsettled = [
        f"{prop} in r={row['r']} w={row['w']}"
        for row in rows
        for prop in required
        if row["verdicts"][prop]["verdict"] not in (HOLDS, VIOLATED)
    ]
    lines = [f"required: {', '.join(required)}"]
    if broken:
        lines.append(
            f"violated: {len(broken)} ({', '.join(broken[:6])}{', ...' if len(broken) > 6 else ''})"
        )
    if unsettled:
        lines.append(
            f"inconclusive: {len(unsettled)} ({', '.join(unsettled[:6])}"
            f"{', ...' if len(unsettled) > 6 else ''})"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    fixed_r, fixed_w = args.r, args.w
    # Validates n, the other options and a fixed r or w against n (1 stands in otherwise).
    base = config_from_args(
        argparse.Namespace(
            **{
                **vars(args),
                "r": 1 if fixed_r is None else fixed_r,
                "w": 1 if fixed_w is None else fixed_w,
            }
        )
    )
    required = applicable_ids(args.require, "--require", ReplicationModel(base))
    reads = [fixed_r] if fixed_r is not None else range(1, base.n + 1)
    writes = [fixed_w] if fixed_w is not None else range(1, base.n + 1)
    rows = matrix_rows(
        base,
        reads,
        writes,
        not args.no_symmetry,
        args.max_states,
        args.max_seconds,
        args.max_memory,
        args.quiet,
    )
    all_rows = len(reads) * len(writes)
    table_format = args.format not in ("json", "csv")
    if table_format:
        r_part = f"r={fixed_r}" if fixed_r is not None else "every r"
        w_part = f"w={fixed_w}" if fixed_w is not None else "every w"
        rest = base.describe().split(" ", 3)[3]  # what follows "n=.. w=.. r=.."
        print(f"leaderless matrix: n={base.n} {r_part}, {w_part}; {rest}")
    print(render(rows, args.format))
    if table_format:
        print()
        print(_summary(rows, required))
    if len(rows) < all_rows:
        print(f"matrix: interrupted after {len(rows)} of {all_rows} rows", file=sys.stderr)
    return exit_code(rows, required, all_rows)
