"""Compare every quorum setting of a cluster size at a glance: one row per (r, w).

Each row explores the configuration (the model options other than --r and --w apply
to every row; --r or --w fixes that dimension) and shows every property's verdict,
with the shortest counterexample's length when violated, beside the Z3 verdict on
read/write quorum overlap and how many crashed replicas reads and writes survive
(n - r and n - w). With --partitions each row also says whether reads and writes still
complete on a side of a split without a majority (the CAP trade-off: where they do,
stale-read breaks). With --datacenters the rows are consistency levels instead, one
per (read level, write level) (--read-level or --write-level fixes that dimension),
and a level survives as many crashes as its weakest requirement leaves room for.

Exit codes, as for check: 0 every required property holds in every row, 1 one is
violated in some row, 2 bad input, 3 one is inconclusive in some row (a limit or
Ctrl-C) and none is violated. By default every applicable property is required;
--require names a subset.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from typing import Any

from tabulate import tabulate

from leaderless.checker.cli import UsageError
from leaderless.checker.cluster import Cluster
from leaderless.checker.commands.check import cluster_from, explore_config
from leaderless.checker.commands.options import (
    add_cluster_argument,
    add_model_arguments,
    add_no_times,
    add_property_list_argument,
    add_search_arguments,
    applicable_ids,
    config_from_args,
)
from leaderless.checker.explorer import HOLDS, INTERRUPTED, VIOLATED
from leaderless.checker.outcome import Outcome, exit_code
from leaderless.checker.render import VACUOUS
from leaderless.checker.reports import report_json
from leaderless.model import CATALOGUE, Config, ReplicationModel
from leaderless.model.levels import COUNTED, LEVELS, READ_LEVELS, meets
from leaderless.model.state import Scope
from leaderless.proofs.topology import prove_config_overlap

FORMATS = {"plain": "simple", "github": "github", "markdown": "pipe"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    # Unset, --r and --w range over 1..n; given, they fix that dimension of the matrix.
    add_no_times(parser, prints_times=False)
    parser.set_defaults(r=None, w=None)
    add_search_arguments(parser, per=" per row")
    add_cluster_argument(parser.add_argument_group("cluster"))
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
    if verdict["verdict"] == HOLDS and verdict.get("reached") is False:
        return VACUOUS  # as check shows it: the property's situation never arose
    return verdict["verdict"]


def _survives(config: Config, writing: bool) -> int:
    """Crashed replicas a read (or write) of the configuration still completes despite:
    the room its weakest requirement leaves (n - r for a numeric quorum)."""
    scope = Scope.of(config)
    ops = [op for op in range(scope.op_count) if scope.is_write[op] == writing] or [0]
    if scope.needs is None:
        return config.n - (config.w if writing else config.r)
    return min(mask.bit_count() - least for op in ops for mask, least in scope.needs[op])


def _cut_off(config: Config) -> dict[str, Any] | None:
    """With partitions, the CAP question of a row: can reads and writes still complete on
    a side of the split without a majority (numeric quorums: a side holding n // 2
    replicas), or in a datacenter cut off from the others (levels: each client's own
    datacenter)? None without partitions."""
    if not config.max_partitions:
        return None
    scope = Scope.of(config)
    if scope.needs is None:
        side = config.n // 2
        # A sloppy quorum counts the stand-ins on the side toward w (all of them may be).
        stand_ins = config.stand_ins if config.hinted_handoff == "sloppy" else 0
        return {
            "side": f"{side} of {config.n}" + (f" + {stand_ins} stand-ins" if stand_ins else ""),
            "reads": config.r <= side,
            "writes": config.w <= side + stand_ins,
        }
    ops = range(scope.op_count)

    def available(writing: bool) -> bool:
        chosen = [op for op in ops if scope.is_write[op] == writing]
        return bool(chosen) and all(
            meets(scope.needs[op], scope.dc_masks[config.client_dc(scope.ops[op][0])])  # type: ignore[index]
            for op in chosen
        )

    return {"side": "own datacenter", "reads": available(False), "writes": available(True)}


def matrix_rows(
    base: Config,
    reads: range | list[int] | list[str],
    writes: range | list[int] | list[str],
    symmetry: bool,
    max_states: int | None,
    max_seconds: float | None,
    max_memory: int | None,
    quiet: bool,
    workers: int | None = None,
    reduction: str = "off",
    cluster: Cluster | None = None,
    kernel: str = "auto",
) -> list[dict[str, Any]]:
    """One record per (r, w), numbers or consistency levels: its verdicts, the Z3
    overlap verdict, crash tolerance."""
    rows = []
    for r in reads:
        for w in writes:
            varied = {"read_level": r, "write_level": w} if isinstance(r, str) else {"r": r, "w": w}
            config = Config(**{**base.to_json(), "clients": base.clients, **varied})
            if not quiet:
                print(f"matrix: r={r} w={w}", file=sys.stderr)
            _, exploration = explore_config(
                config,
                symmetry=symmetry,
                max_states=max_states,
                max_seconds=max_seconds,
                max_memory=max_memory,
                quiet=quiet,
                workers=workers,
                reduction=reduction,
                cluster=cluster,
                kernel=kernel,
            )
            rows.append(
                {
                    "r": r,
                    "w": w,
                    "overlap": prove_config_overlap(config).verdict,
                    "reads_survive": _survives(config, writing=False),
                    "writes_survive": _survives(config, writing=True),
                    "cut_off": _cut_off(config),
                    "states": exploration.states,
                    "complete": exploration.complete,
                    "verdicts": {
                        v.property_id: {
                            "verdict": v.status,
                            "length": len(v.trace) if v.trace else None,
                            "reached": v.reached,
                        }
                        for v in exploration.verdicts
                    },
                }
            )
            if exploration.stopped_by == INTERRUPTED:
                # One Ctrl-C ends the matrix: the rows so far are what it found.
                return rows
    return rows


def matrix_data(
    base: Config, r: int | None, w: int | None, rows: list[dict[str, Any]], all_rows: int
) -> dict[str, Any]:
    """The matrix as a JSON report: the configuration (r and w null where they range over
    1..n), and per row its properties listed as `check --json` lists them."""
    return {
        "config": {**base.to_json(), "r": r, "w": w},
        "complete": len(rows) == all_rows and all(row["complete"] for row in rows),
        "rows": [
            {
                "r": row["r"],
                "w": row["w"],
                "quorum_overlap": {"verdict": row["overlap"]},
                "reads_survive": row["reads_survive"],
                "writes_survive": row["writes_survive"],
                **({"cut_off": row["cut_off"]} if row["cut_off"] is not None else {}),
                "states": row["states"],
                "complete": row["complete"],
                "properties": [{"id": p, **verdict} for p, verdict in row["verdicts"].items()],
            }
            for row in rows
        ],
    }


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    """The matrix as a table in `fmt`, leaving out properties that are n/a in every row."""
    properties = [
        p.id for p in CATALOGUE if any(row["verdicts"][p.id]["verdict"] != "n/a" for row in rows)
    ]
    levels = bool(rows) and isinstance(rows[0]["r"], str)
    cut_off = rows[0]["cut_off"] if rows else None
    split = (
        [] if cut_off is None else [f"reads on {cut_off['side']}", f"writes on {cut_off['side']}"]
    )
    headers = [
        *(("read level", "write level") if levels else ("r", "w")),
        "Z3 overlap",
        "reads survive",
        "writes survive",
        *split,
        *properties,
    ]
    table = [
        [
            row["r"],
            row["w"],
            row["overlap"],
            row["reads_survive"],
            row["writes_survive"],
            *(
                []
                if row["cut_off"] is None
                else ["yes" if row["cut_off"][side] else "no" for side in ("reads", "writes")]
            ),
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


def required_outcomes(rows: list[dict[str, Any]], required: list[str], all_rows: int) -> list[str]:
    """check's required verdicts over every row; a row never explored is inconclusive."""
    outcomes = [row["verdicts"][prop]["verdict"] for row in rows for prop in required]
    return outcomes + [Outcome.INCONCLUSIVE] * (all_rows - len(rows))


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


def _levels(args: argparse.Namespace, base: Config) -> tuple[list[str], list[str]]:
    """The levels the rows range over: every one the cluster can meet, or the one given."""
    if args.r is not None or args.w is not None:
        raise UsageError(
            "matrix: with --datacenters or a level the rows are consistency levels; fix "
            "one with --read-level or --write-level instead of --r or --w"
        )

    def possible(levels: tuple[str, ...]) -> list[str]:
        # TWO and THREE need that many replicas; ANY is ONE here (no hints in the model).
        return [
            level
            for level in levels
            if COUNTED.get(level, 0) <= base.n and not (level == "ANY" and "ONE" in levels)
        ]

    reads = [base.read_level] if base.read_level else possible(READ_LEVELS)
    writes = [base.write_level] if base.write_level else possible(LEVELS)
    return reads, writes


def run(args: argparse.Namespace) -> int:
    fixed_r, fixed_w = args.r, args.w
    # Validates n, the other options and a fixed r or w against n (1 stands in otherwise).
    for count, level in (("w", args.write_level), ("r", args.read_level)):
        if level is not None and getattr(args, count) is not None:
            raise UsageError(
                f"--{count} and a level both say what a "
                f"{'write' if count == 'w' else 'read'} needs; give one"
            )
    base = config_from_args(
        argparse.Namespace(
            **{
                **vars(args),
                "r": 1 if fixed_r is None else fixed_r,
                "w": 1 if fixed_w is None else fixed_w,
            }
        ),
        counts_given=False,
    )

    required = applicable_ids(args.require, "--require", ReplicationModel(base))
    reads: range | list[int] | list[str]
    writes: range | list[int] | list[str]
    if base.datacenters is not None or base.read_level or base.write_level:
        reads, writes = _levels(args, base)
    else:
        reads = [fixed_r] if fixed_r is not None else range(1, base.n + 1)
        writes = [fixed_w] if fixed_w is not None else range(1, base.n + 1)
    with cluster_from(args) as cluster:
        rows = matrix_rows(
            base,
            reads,
            writes,
            not args.no_symmetry,
            args.max_states,
            args.max_seconds,
            args.max_memory,
            args.quiet,
            args.workers,
            args.reduction,
            cluster,
            args.kernel,
        )
    all_rows = len(reads) * len(writes)
    table_format = args.format not in ("json", "csv")
    if table_format:
        ranging = {"n", "w", "r", "read-level", "write-level"}
        rest = " ".join(
            part for part in base.describe().split(" ") if part.split("=")[0] not in ranging
        )
        if base.datacenters is not None or base.read_level or base.write_level:
            r_part = f"reads at {reads[0]}" if len(reads) == 1 else "every read level"
            w_part = f"writes at {writes[0]}" if len(writes) == 1 else "every write level"
        else:
            r_part = f"r={fixed_r}" if fixed_r is not None else "every r"
            w_part = f"w={fixed_w}" if fixed_w is not None else "every w"
        print(f"leaderless matrix: n={base.n} {r_part}, {w_part}; {rest}")
    if args.format == "json":
        print(report_json("matrix", matrix_data(base, fixed_r, fixed_w, rows, all_rows)))
    else:
        print(render(rows, args.format))
    if table_format:
        print()
        print(_summary(rows, required))
    if len(rows) < all_rows:
        print(f"matrix: interrupted after {len(rows)} of {all_rows} rows", file=sys.stderr)
    return exit_code(required_outcomes(rows, required, all_rows))
