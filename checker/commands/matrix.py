"""Compare every quorum setting of a cluster size at a glance: one row per (r, w).

Each row explores the configuration (the model options other than --r and --w apply
to every row) and shows every property's verdict, with the shortest counterexample's
length when violated, beside the Z3 verdict on read/write quorum overlap and how many
crashed replicas reads and writes survive (n - r and n - w).

Exit codes: 0 the matrix is complete, 2 bad input, 3 a row was cut short by a limit.
A matrix compares settings; it requires nothing, so violations do not make it fail.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from tabulate import tabulate

from checker.cli import EXIT_HOLDS, EXIT_INCONCLUSIVE, UsageError
from checker.commands.check import explore_config
from checker.commands.options import add_model_arguments, config_from_args
from checker.explorer import INTERRUPTED, VIOLATED
from model import CATALOGUE, Config, ConfigError
from proofs.quorum import prove_overlap

FORMATS = {"plain": "simple", "github": "github", "markdown": "pipe"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    parser.add_argument("--format", default="plain", choices=(*FORMATS, "json", "csv"),
                        help="table format (default plain)")
    parser.add_argument("--no-symmetry", action="store_true", help="no replica symmetry")
    parser.add_argument("--max-states", type=int, metavar="K", help="limit per row")
    parser.add_argument("--max-seconds", type=float, metavar="S", help="limit per row")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def cell(verdict: dict[str, Any]) -> str:
    if verdict["verdict"] == VIOLATED:
        return f"VIOLATED ({verdict['length']})"
    return verdict["verdict"]


def matrix_rows(base: Config, symmetry: bool, max_states: int | None,
                max_seconds: float | None, quiet: bool) -> list[dict[str, Any]]:
    """One record per (r, w): its verdicts, the Z3 overlap verdict, crash tolerance."""
    rows = []
    for r in range(1, base.n + 1):
        for w in range(1, base.n + 1):
            try:
                config = Config(**{**base.to_json(), "clients": base.clients, "r": r, "w": w})
            except ConfigError as error:
                raise UsageError(str(error)) from None
            if not quiet:
                print(f"matrix: r={r} w={w}", file=sys.stderr)
            _, exploration = explore_config(config, symmetry=symmetry, max_states=max_states,
                                            max_seconds=max_seconds, quiet=quiet)
            interrupted = exploration.stopped_by == INTERRUPTED
            rows.append({
                "r": r,
                "w": w,
                "overlap": prove_overlap(base.n, r, w).verdict,
                "reads_survive": base.n - r,
                "writes_survive": base.n - w,
                "states": exploration.states,
                "complete": exploration.complete,
                "verdicts": {v.property_id: {"verdict": v.status,
                                             "length": len(v.trace) if v.trace else None}
                             for v in exploration.verdicts},
            })
            if interrupted:
                # One Ctrl-C ends the matrix: the rows so far are what it found.
                return rows
    return rows


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    """The matrix in `fmt`; tables leave out properties that are n/a in every row."""
    if fmt == "json":
        return json.dumps(rows, indent=2)
    properties = [p.id for p in CATALOGUE
                  if any(row["verdicts"][p.id]["verdict"] != "n/a" for row in rows)]
    headers = ["r", "w", "Z3 overlap", "reads survive", "writes survive", *properties]
    table = [[row["r"], row["w"], row["overlap"], row["reads_survive"], row["writes_survive"],
              *(cell(row["verdicts"][p]) for p in properties)] for row in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(table)
        return buffer.getvalue().rstrip("\n")
    return tabulate(table, headers=headers, tablefmt=FORMATS[fmt], disable_numparse=True)


def run(args: argparse.Namespace) -> int:
    base = config_from_args(argparse.Namespace(**{**vars(args), "r": 1, "w": 1}))
    for name in ("max_states", "max_seconds"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise UsageError(f"--{name.replace('_', '-')}: {value:g} is out of range; allowed > 0")
    rows = matrix_rows(base, not args.no_symmetry, args.max_states, args.max_seconds,
                       args.quiet)
    if args.format not in ("json", "csv"):
        print(f"leaderless matrix: {base.describe().replace('w=1 r=1 ', 'every r, w; ')}")
    print(render(rows, args.format))
    if len(rows) < base.n * base.n:
        print(f"matrix: interrupted after {len(rows)} of {base.n * base.n} rows", file=sys.stderr)
    complete = len(rows) == base.n * base.n and all(row["complete"] for row in rows)
    return EXIT_HOLDS if complete else EXIT_INCONCLUSIVE
