"""Prove quorum overlap and the LWW clock bound with Z3: proved, refuted (with a witness) or unknown.

  leaderless prove parametric                     r + w > n overlap, for every n at once
  leaderless prove quorum --n 5 --r 2 --w 3       one configuration, with disjoint quorums if any
  leaderless prove topology FILE --read LOCAL_QUORUM --read-dc dc2 --write EACH_QUORUM
  leaderless prove clocks --drift 5 --gap 8       how far apart writes must be for LWW

Exit codes: 0 proved, 1 refuted, 2 bad input, 3 unknown (e.g. Z3 hit --timeout-ms
or Ctrl-C). `prove quorum` shows two claims; the read/write one decides the exit code.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from tabulate import tabulate

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.options import add_no_times
from leaderless.checker.commands.solver_options import add_solver_limits
from leaderless.checker.outcome import exit_code
from leaderless.checker.reports import report_json
from leaderless.proofs.clocks import prove_clock_bound, prove_clocks
from leaderless.proofs.parametric import prove_parametric
from leaderless.proofs.quorum import (
    LARGEST_N,
    prove_overlap,
    prove_write_overlap,
    quorum_space,
    validate,
)
from leaderless.proofs.result import PROVED, InvalidInput, Refuted, Result
from leaderless.proofs.solve import ctrl_c_outside_z3
from leaderless.proofs.topology import (
    LEVELS,
    LOCAL_LEVELS,
    Level,
    Topology,
    levels_of,
    load_topology,
    parse_level,
    prove_topology,
    tolerance,
)

# A clock error or gap beyond 10**100 (or finer than 10**-100) is no clock: building
# one as an exact Fraction may take minutes and gigabytes (1e100000000), and printing
# it fails past Python's 4300-digit limit.
_LARGEST_EXPONENT = 100


def _exponent(part: str) -> int:
    try:
        return abs(Decimal(part).adjusted())
    except (InvalidOperation, ValueError):
        return 0  # not a decimal number: Fraction below says so


def _number(text: str) -> Fraction:
    if len(text) > 2 * _LARGEST_EXPONENT or any(
        _exponent(part) > _LARGEST_EXPONENT for part in text.split("/")
    ):
        shown = text if len(text) <= 20 else text[:20] + "..."
        raise argparse.ArgumentTypeError(
            f"{shown!r} is out of range: allowed 0 or magnitudes 1e-{_LARGEST_EXPONENT} to "
            f"1e{_LARGEST_EXPONENT}, written in at most {2 * _LARGEST_EXPONENT} characters"
        )
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (e.g. 5, 2.5 or 5/2)") from None


def _common(parser: argparse.ArgumentParser) -> None:
    add_solver_limits(parser)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_no_times(parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    proofs = parser.add_subparsers(dest="proof", metavar="PROOF", required=True)
    parametric = proofs.add_parser(
        "parametric", help="for every n: read/write quorums meet iff r + w > n, writes iff 2w > n"
    )
    _common(parametric)
    parametric.set_defaults(prove=_parametric)

    quorum = proofs.add_parser("quorum", help="one configuration: do its quorums meet?")
    quorum.add_argument("--n", type=int, required=True, help="replicas (>= 1)")
    quorum.add_argument("--r", type=int, required=True, help="read quorum (1..n)")
    quorum.add_argument("--w", type=int, required=True, help="write quorum (1..n)")
    _common(quorum)
    quorum.set_defaults(prove=_quorum)

    topology = proofs.add_parser(
        "topology", help="datacenters and Cassandra consistency levels (TOML file)"
    )
    topology.add_argument("file", metavar="FILE", help="topology TOML (see examples/topologies/)")
    topology.add_argument(
        "--read",
        metavar="LEVEL",
        help="read level: ONE, TWO, THREE, QUORUM, LOCAL_ONE, LOCAL_QUORUM, "
        "EACH_QUORUM, ALL (default: the file's [read] level)",
    )
    topology.add_argument("--write", metavar="LEVEL", help="write level: as --read, or ANY")
    topology.add_argument("--read-dc", metavar="DC", help="coordinator DC of a LOCAL_* read")
    topology.add_argument("--write-dc", metavar="DC", help="coordinator DC of a LOCAL_* write")
    topology.add_argument(
        "--sloppy",
        action="store_true",
        help="a Dynamo/Riak-style sloppy quorum: hints on stand-in nodes count toward the "
        "write level (not Cassandra, where a hint counts only toward ANY)",
    )
    _common(topology)
    topology.set_defaults(prove=_topology)

    clocks = proofs.add_parser(
        "clocks", help="LWW keeps real-time order iff writes are > 2 x drift apart"
    )
    clocks.add_argument(
        "--drift",
        type=_number,
        metavar="D",
        help="bound on every clock's error; omit with --gap for the general proof",
    )
    clocks.add_argument(
        "--gap",
        type=_number,
        metavar="G",
        help="real time from one write's completion to the next one's invocation",
    )
    clocks.add_argument(
        "--real", action="store_true", help="dense (real-valued) clocks instead of integer ticks"
    )
    clocks.add_argument("--unit", help="unit of D and G in the explanation (default ms)")
    _common(clocks)
    clocks.set_defaults(prove=_clocks)


def run(args: argparse.Namespace) -> int:
    try:
        with ctrl_c_outside_z3(args.max_seconds, args.max_memory):
            primary, report, data = args.prove(args)
    except InvalidInput as error:
        # The proofs name a parameter as Python does (`r = 0 ...`); on the command
        # line it is the flag.
        message = re.sub(r"^(\w+) = ", lambda m: f"--{m[1].replace('_', '-')}: ", str(error))
        raise UsageError(message) from None
    if args.json:
        print(report_json("prove", data))
    else:
        print(report)
    return exit_code([primary.verdict])


# -- rendering: pure functions from results to text ------------------------------------


def _headline(result: Result) -> str:
    lines = [f"{result.verdict.upper()}: {result.claim}"]
    detail = getattr(result, "reason", "") or getattr(result, "explanation", "")
    if detail:
        lines.append(f"  {detail}")
    return "\n".join(lines)


def _obligations(results: Sequence[Result], times: bool) -> str:
    rows: list[list[Any]] = []
    seen: set[str] = set()
    for result in results:
        for obligation in result.obligations:
            if obligation.name in seen:
                continue
            seen.add(obligation.name)
            row = [obligation.name, obligation.z3_result, obligation.statement]
            rows.append(row + [f"{obligation.seconds:.4f}"] if times else row)
    headers = ["obligation", "z3", "statement"] + (["seconds"] if times else [])
    return tabulate(rows, headers=headers, tablefmt="simple")


def _joined(nodes: Sequence[object]) -> str:
    return ", ".join(str(node) for node in nodes)


def _report(parts: Sequence[str]) -> str:
    return "\n\n".join(part for part in parts if part)


# -- the four proofs ---------------------------------------------------------------------

Outcome = tuple[Result, str, dict[str, Any]]


def _parametric(args: argparse.Namespace) -> Outcome:
    read_write, write_write = prove_parametric(args.timeout_ms)
    times = not args.no_times
    data = {
        "proof": "parametric",
        "read_write": read_write.to_json(times),
        "write_write": write_write.to_json(times),
        "exit_code_from": ["read_write", "write_write"],
    }
    report = _report(
        [
            _headline(read_write),
            _headline(write_write),
            _obligations((read_write, write_write), times),
        ]
    )
    # Both theorems were asked for: the weaker of the two verdicts decides the exit code.
    primary = read_write if read_write.verdict != PROVED else write_write
    return primary, report, data


def _quorum_witness(result: Result, labels: tuple[str, str]) -> str:
    if not isinstance(result, Refuted):
        return ""
    rows = [
        [label, _joined(result.witness[key])]
        for label, key in zip(labels, [k for k in result.witness if k != "n"], strict=True)
    ]
    return tabulate(rows, headers=["quorum", "replicas (ids 0..n-1)"], tablefmt="simple")


def _quorum(args: argparse.Namespace) -> Outcome:
    if args.n > LARGEST_N:
        raise UsageError(
            f"--n {args.n} is more than this encoding can hold in memory: the largest is "
            f"--n {LARGEST_N} (`leaderless prove parametric` covers every n at once)"
        )
    validate(args.n, args.r, args.w)
    space = quorum_space(args.n, args.timeout_ms)
    overlap = prove_overlap(args.n, args.r, args.w, space=space)
    writes = prove_write_overlap(args.n, args.w, space=space)
    times = not args.no_times
    data = {
        "proof": "quorum",
        "n": args.n,
        "r": args.r,
        "w": args.w,
        "read_write": overlap.to_json(times),
        "write_write": writes.to_json(times),
        "exit_code_from": "read_write",
    }
    report = _report(
        [
            _headline(overlap),
            _quorum_witness(overlap, ("read", "write")),
            "For information (the read/write claim above alone decides the exit code):\n"
            + _headline(writes),
            _quorum_witness(writes, ("write", "other write")),
            _obligations((overlap, writes), times),
        ]
    )
    # Reads see the last write exactly when read and write quorums meet; write/write
    # overlap matters to conflicting concurrent writes, which LWW settles anyway.
    return overlap, report, data


def _side(args: argparse.Namespace, topology: Topology, writing: bool) -> Level:
    side = "write" if writing else "read"
    level, dc = getattr(args, side), getattr(args, f"{side}_dc")
    from_file = topology.write if writing else topology.read
    chosen = level if level is not None else from_file[0] if from_file is not None else None
    named = chosen.strip().upper() if chosen is not None else None
    if dc is not None and named in LEVELS and named not in LOCAL_LEVELS:
        raise UsageError(
            f"--{side}-dc {dc}: only LOCAL_ONE and LOCAL_QUORUM have a coordinator "
            f"datacenter, not {chosen}"
        )
    if level is None:
        if from_file is None:
            raise UsageError(
                f"no {side} level: pass --{side} LEVEL or set [{side}] level in {args.file}"
            )
        level = from_file[0]
        dc = dc or from_file[1]
    elif dc is None and from_file is not None and from_file[0].upper() == level.upper():
        dc = from_file[1]
    return parse_level(level, dc, topology, writing=writing)


def _topology_witness(result: Result) -> str:
    if not isinstance(result, Refuted):
        return ""
    rows = [
        [dc, _joined(sets["read"]), _joined(sets["write"]), _joined(sets["hints"])]
        for dc, sets in result.witness.items()
    ]
    return tabulate(
        rows, headers=["datacenter", "read", "write", "hints (stand-ins)"], tablefmt="simple"
    )


def _tolerance_table(topology: Topology, read: Level, write: Level) -> tuple[str, list[Any]]:
    rows, data = [], []
    for level in levels_of(topology, writing=True):
        survived = tolerance(topology, level)
        used = [side for side, chosen in (("read", read), ("write", write)) if chosen == level]
        rows.append(
            [
                str(level),
                survived.needs,
                survived.node_failures,
                _joined(survived.dc_losses) or "none",
                _joined(used),
            ]
        )
        data.append(survived.to_json())
    table = tabulate(
        rows,
        headers=[
            "level",
            "needs",
            "survives any N node failures",
            "survives losing DC",
            "chosen for",
        ],
        tablefmt="simple",
    )
    return table, data


def _topology(args: argparse.Namespace) -> Outcome:
    topology = load_topology(args.file)
    read, write = _side(args, topology, writing=False), _side(args, topology, writing=True)
    result = prove_topology(topology, read, write, args.sloppy, args.timeout_ms)
    times = not args.no_times
    table, levels = _tolerance_table(topology, read, write)
    summary = "; ".join(
        f"{dc.name}: {len(dc.replicas)} replicas"
        + (f" ({sum(dc.votes)} votes)" if topology.weighted else "")
        for dc in topology.datacenters
    )
    data = {
        "proof": "topology",
        "file": args.file,
        "read": str(read),
        "write": str(write),
        "sloppy": args.sloppy,
        "result": result.to_json(times),
        "levels": levels,
    }
    report = _report(
        [
            f"{args.file}: {summary}",
            _headline(result),
            _topology_witness(result),
            table,
            _obligations((result,), times),
        ]
    )
    return result, report, data


def _clock_witness(result: Result) -> str:
    if not isinstance(result, Refuted):
        return ""
    rows = [
        [name.replace("_", " "), reading["real_time"], reading["timestamp"]]
        for name, reading in result.witness.items()
    ]
    return tabulate(rows, headers=["", "real time", "clock reading (timestamp)"], tablefmt="simple")


def _clocks(args: argparse.Namespace) -> Outcome:
    times = not args.no_times
    if (args.drift is None) != (args.gap is None):
        raise UsageError("give both --drift and --gap, or neither for the proof for all D and g")
    if args.drift is None and (args.real or args.unit is not None):
        raise UsageError(
            "--real and --unit go with --drift and --gap; the proof for all D and "
            "g covers integer and real clocks, in any unit"
        )
    prove: Callable[[], Result] = (
        (lambda: prove_clock_bound(args.timeout_ms))
        if args.drift is None
        else (
            lambda: prove_clocks(
                _plain(args.drift), _plain(args.gap), args.real, args.unit or "ms", args.timeout_ms
            )
        )
    )
    result = prove()
    data = {
        "proof": "clocks",
        "drift": _text(args.drift),
        "gap": _text(args.gap),
        "real": args.real,
        "result": result.to_json(times),
    }
    report = _report([_headline(result), _clock_witness(result), _obligations((result,), times)])
    return result, report, data


def _plain(value: Fraction) -> int | Fraction:
    return int(value) if value.denominator == 1 else value


def _text(value: Fraction | None) -> str | int | None:
    return None if value is None else (str(value) if value.denominator != 1 else int(value))
