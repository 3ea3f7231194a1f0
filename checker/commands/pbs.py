"""How stale, how often: probabilistically bounded staleness (PBS) and availability.

  leaderless pbs --n 3 --r 1 --w 1 --latency LNKD-DISK
  leaderless pbs --n 3 --sweep --latency YMMR          every (r, w) beside its explored verdict
  leaderless pbs --topology examples/topologies/two-dc-local-quorum.toml --dc-delay 40
  leaderless pbs --require-visibility 10ms:0.999 --require-k-staleness 1:0.9

Exact (fractions): k-staleness, the chance a read returns one of the last k versions
with uniformly chosen, non-expanding quorums (Bailis et al., VLDB 2012, Section 3.1),
and availability of read and write quorums under independent node (and datacenter)
failures. Sampled (Monte Carlo of the WARS model, 95% intervals): t-visibility, the
chance a read t ms after a write commits sees it, and read/write latency percentiles.

Latency: a preset (LNKD-SSD, LNKD-DISK, YMMR: the paper's production fits), a spec
(exp:RATE, pareto:XM:ALPHA, lognormal:MU:SIGMA, const:MS, W1*D1+W2*D2 mixtures), one
per leg (--latency-write/-ack/-read/-response), or --latency-file CSV of measured
latencies (one column for every leg, or columns named W, A, R, S).

Exit codes: 0 computed (and every --require-* met), 1 a requirement is not met,
2 bad input, 3 inconclusive (a limit or Ctrl-C cut the sampling short, or a sampled
requirement's 95% interval straddles its bound: raise --trials).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tabulate import tabulate

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.options import (
    DEFAULT,
    FLAGS,
    add_memory_limit,
    add_no_times,
    positive_seconds,
)
from leaderless.checker.explorer import describe_bytes, memory_in_use
from leaderless.checker.outcome import Outcome, exit_code
from leaderless.checker.reports import report_json
from leaderless.model import Config, ConfigError
from leaderless.model.pbs.availability import availability, load
from leaderless.model.pbs.kstaleness import MAX_ENUMERATED_REPLICAS, cluster_k_staleness
from leaderless.model.pbs.latency import (
    LEGS,
    PRODUCTION_FITS,
    Empirical,
    LatencyError,
    WarsLatency,
    parse_distribution,
    parse_latency,
)
from leaderless.model.pbs.quorums import Cluster, Need, Rule, plain_cluster
from leaderless.model.pbs.wars import Faults, WarsResult, quantile, simulate

if TYPE_CHECKING:
    from leaderless.proofs.topology import Level, Topology

FORMATS = {"plain": "simple", "github": "github", "markdown": "pipe"}
MET, UNMET, UNDECIDED = Outcome.MET, Outcome.UNMET, Outcome.UNDECIDED
DEFAULT_TRIALS = 200_000
# Every trial keeps three float64 samples, sorted at the end: ten million trials hold
# about 0.5 GB at the peak and sort in about a second, so a limit or Ctrl-C is answered
# promptly; more would buy only a narrower interval.
MAX_TRIALS = 10_000_000
DEFAULT_LATENCY = "LNKD-DISK"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_no_times(parser, prints_times=False)
    model = parser.add_argument_group("quorums (as in check) or a topology (as in prove topology)")
    model.add_argument("--n", type=int, default=DEFAULT.n, help="replicas (>= 1)")
    model.add_argument("--w", type=int, default=DEFAULT.w, help="write quorum (1..n)")
    model.add_argument("--r", type=int, default=DEFAULT.r, help="read quorum (1..n)")
    model.add_argument(
        "--topology", metavar="FILE", help="datacenters and levels (TOML, see examples/topologies/)"
    )
    model.add_argument(
        "--read", metavar="LEVEL", help="read consistency level (ONE, QUORUM, ...; instead of --r)"
    )
    model.add_argument(
        "--write",
        metavar="LEVEL",
        help="write consistency level (ONE, QUORUM, ...; instead of --w)",
    )
    model.add_argument(
        "--read-dc",
        metavar="DC",
        help="coordinator DC of reads (default: the LOCAL_* level's, else random)",
    )
    model.add_argument("--write-dc", metavar="DC", help="coordinator DC of writes (likewise)")
    model.add_argument(
        "--dc-delay",
        type=float,
        default=0.0,
        metavar="MS",
        help="extra one-way delay between datacenters (default 0)",
    )
    latency = parser.add_argument_group("latency (ms) of the WARS legs")
    latency.add_argument(
        "--latency",
        default=DEFAULT_LATENCY,
        metavar="PRESET|SPEC",
        help=f"every leg: {', '.join(PRODUCTION_FITS)} or a spec (default {DEFAULT_LATENCY})",
    )
    for leg in LEGS:
        latency.add_argument(f"--latency-{leg}", metavar="SPEC", help=f"the {leg} leg only")
    latency.add_argument(
        "--latency-file",
        metavar="CSV",
        help="measured latencies: one column, or columns named W, A, R, S",
    )
    faults = parser.add_argument_group("faults beyond the paper (sampled)")
    faults.add_argument(
        "--down",
        type=float,
        default=0.0,
        metavar="P",
        help="each replica down with probability P during the write and read",
    )
    faults.add_argument(
        "--drop",
        type=float,
        default=0.0,
        metavar="P",
        help="each write message lost with probability P",
    )
    faults.add_argument(
        "--anti-entropy-every",
        type=float,
        metavar="MS",
        help="anti-entropy copies a lost write within MS (default: never)",
    )
    sampling = parser.add_argument_group("sampling")
    sampling.add_argument(
        "--trials",
        type=int,
        default=DEFAULT_TRIALS,
        help=f"WARS trials (default {DEFAULT_TRIALS:,}; at most {MAX_TRIALS:,})",
    )
    sampling.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sampling.add_argument(
        "--max-seconds",
        type=positive_seconds,
        metavar="S",
        help="stop sampling after S seconds (exit 3 with what was found)",
    )
    add_memory_limit(sampling, "(exit 3 with what was found)")
    report = parser.add_argument_group("what to report")
    report.add_argument(
        "--k", type=int, default=5, metavar="K", help="k-staleness for k = 1..K (default 5)"
    )
    report.add_argument("--t", metavar="MS,...", help="t-visibility at these t (default: a grid)")
    report.add_argument(
        "--target",
        default="0.9,0.99,0.999",
        metavar="P,...",
        help="the t at which consistency reaches each P (default %(default)s)",
    )
    report.add_argument(
        "--percentiles",
        default="50,90,99,99.9",
        metavar="Q,...",
        help="latency percentiles (default %(default)s)",
    )
    report.add_argument(
        "--fail",
        default="0.001,0.01,0.05",
        metavar="P,...",
        help="node failure probabilities for availability (default %(default)s)",
    )
    report.add_argument(
        "--dc-fail",
        default="0",
        metavar="P",
        help="probability a whole datacenter is lost (default 0)",
    )
    report.add_argument(
        "--read-fraction",
        default="0.5",
        metavar="F",
        help="share of reads among operations, for load (default 0.5)",
    )
    report.add_argument(
        "--sweep",
        action="store_true",
        help="every (r, w) for this n, beside the explored stale-read verdict",
    )
    report.add_argument("--no-explore", action="store_true", help="--sweep without exploring")
    report.add_argument(
        "--explore-max-seconds",
        type=positive_seconds,
        metavar="S",
        help="limit each --sweep exploration to S seconds",
    )
    require = parser.add_argument_group("requirements (exit 1 when one is not met)")
    require.add_argument(
        "--require-visibility",
        action="append",
        default=[],
        metavar="T:P",
        help="at least P consistent reads T ms after commit, e.g. 10ms:0.999",
    )
    require.add_argument(
        "--require-k-staleness",
        action="append",
        default=[],
        metavar="K:P",
        help="a read returns one of the last K versions with probability >= P",
    )
    require.add_argument(
        "--require-availability",
        action="append",
        default=[],
        metavar="SIDE:F:P",
        help="read|write|both available with probability >= P when nodes "
        "fail with probability F, e.g. write:0.01:0.999",
    )
    output = parser.add_argument_group("output")
    output.add_argument("--format", default="plain", choices=FORMATS, help="table format")
    output.add_argument("--json", action="store_true", help="print the results as JSON")
    output.add_argument("--plot", metavar="DIR", help="write SVG and PNG plots into DIR")
    output.add_argument("--html", metavar="FILE", help="write an HTML report with the plots")
    output.add_argument("--quiet", action="store_true", help="no progress on stderr")


# -- parsing -----------------------------------------------------------------------------


def _fraction(
    text: str, option: str, low: Fraction = Fraction(0), high: Fraction = Fraction(1)
) -> Fraction:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise UsageError(f"{option}: {text!r} is not a number (e.g. 0.01 or 1/100)") from None
    if not low <= value <= high:
        raise UsageError(f"{option}: {text.strip()} is out of range; allowed {low}..{high}")
    return value


def _floats(text: str, option: str, low: float, high: float) -> list[float]:
    values = []
    for part in (p.strip().removesuffix("ms") for p in text.split(",") if p.strip()):
        try:
            value = float(part)
        except ValueError:
            raise UsageError(f"{option}: {part!r} is not a number") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise UsageError(f"{option}: {part} is out of range; allowed {low:g}..{high:g}")
        values.append(value)
    if not values:
        raise UsageError(f"{option}: give at least one number")
    return values


@dataclass(frozen=True)
class Requirement:
    """One --require-* (or gate) bound: what is measured and the least acceptable value."""

    kind: str  # "visibility", "k-staleness", "availability"
    at: Fraction  # t in ms, k, or the node failure probability
    minimum: Fraction  # the least acceptable probability
    side: str = ""  # read, write or both (availability only)
    text: str = ""  # as the user wrote it

    def describe(self) -> str:
        if self.kind == "visibility":
            return f"P(consistent {float(self.at):g} ms after commit) >= {float(self.minimum):g}"
        if self.kind == "k-staleness":
            versions = "the last version" if self.at == 1 else f"one of the last {self.at} versions"
            return f"P(a read returns {versions}) >= {float(self.minimum):g}"
        return (
            f"P({self.side} available | nodes fail w.p. {float(self.at):g}) "
            f">= {float(self.minimum):g}"
        )


def parse_requirement(kind: str, text: str, option: str) -> Requirement:
    """`10ms:0.999` (visibility), `1:0.99` (k-staleness), `write:0.01:0.999` (availability)."""
    parts = [part.strip() for part in text.split(":")]
    if kind == "availability":
        if len(parts) != 3 or parts[0] not in ("read", "write", "both"):
            raise UsageError(f"{option}: {text!r}: write SIDE:F:P, e.g. write:0.01:0.999")
        return Requirement(
            kind, _fraction(parts[1], option), _fraction(parts[2], option), parts[0], text
        )
    example = "10ms:0.999" if kind == "visibility" else "1:0.99"
    if len(parts) != 2:
        form = "T:P" if kind == "visibility" else "K:P"
        raise UsageError(f"{option}: {text!r}: write {form}, e.g. {example}")
    if kind == "k-staleness":
        if not parts[0].isdigit() or int(parts[0]) < 1:
            raise UsageError(f"{option}: {parts[0]!r}: k is a whole number >= 1")
        at = Fraction(int(parts[0]))
    else:
        at = _fraction(parts[0].removesuffix("ms"), option, high=Fraction(10**9))
    return Requirement(kind, at, _fraction(parts[1], option), "", text)


def _csv_latencies(path: str) -> dict[str, Empirical]:
    """Measured latencies: one column (every leg) or columns named W, A, R, S."""
    try:
        with open(path, newline="") as handle:
            rows = [row for row in csv.reader(handle) if row and any(cell.strip() for cell in row)]
    except OSError as error:
        raise UsageError(f"--latency-file: cannot read {path}: {error.strerror}") from None
    if not rows:
        raise UsageError(f"--latency-file: {path} is empty")
    names = {"w": "write", "a": "ack", "r": "read", "s": "response", **{leg: leg for leg in LEGS}}
    header = [cell.strip().lower() for cell in rows[0]]
    if all(cell in names for cell in header):
        body, legs = rows[1:], [names[cell] for cell in header]
    elif len(header) == 1:
        body, legs = rows, ["all"]
    else:
        raise UsageError(
            f"--latency-file: {path}: name the columns W, A, R, S (header row) "
            "or give one column for every leg"
        )
    columns: dict[str, list[float]] = {leg: [] for leg in legs}
    for line, row in enumerate(body, start=2 if legs != ["all"] else 1):
        if len(row) != len(legs):
            raise UsageError(
                f"--latency-file: {path} line {line}: {len(row)} values, expected {len(legs)}"
            )
        for leg, cell in zip(legs, row, strict=True):
            try:
                columns[leg].append(float(cell))
            except ValueError:
                raise UsageError(
                    f"--latency-file: {path} line {line}: {cell.strip()!r} is not a latency in ms"
                ) from None
    try:
        found = {
            leg: Empirical(tuple(values), f"{Path(path).name}:{leg}")
            for leg, values in columns.items()
        }
    except LatencyError as error:
        raise UsageError(f"--latency-file: {error}") from None
    if "all" in found:
        return dict.fromkeys(LEGS, found["all"])
    return found


def latency_from_args(args: argparse.Namespace) -> WarsLatency:
    try:
        base = parse_latency(args.latency)
        legs = {leg: getattr(base, leg) for leg in LEGS}
        name = base.name
        if args.latency_file:
            legs.update(_csv_latencies(args.latency_file))
            name = Path(args.latency_file).name
        for leg in LEGS:
            spec = getattr(args, f"latency_{leg}")
            if spec:
                legs[leg] = parse_distribution(spec)
                name = "custom"
    except LatencyError as error:
        raise UsageError(f"--latency: {error}") from None
    return WarsLatency(name=name, **legs)


def faults_from_args(args: argparse.Namespace) -> Faults:
    for option, value in (("--down", args.down), ("--drop", args.drop)):
        if not 0 <= value < 1:
            raise UsageError(f"{option}: {value:g} is out of range; allowed 0 <= P < 1")
    if args.anti_entropy_every is not None and not args.anti_entropy_every > 0:
        raise UsageError(
            f"--anti-entropy-every: {args.anti_entropy_every:g} is out of range; allowed > 0 ms"
        )
    if not (math.isfinite(args.dc_delay) and args.dc_delay >= 0):
        raise UsageError(f"--dc-delay: {args.dc_delay:g} is out of range; allowed >= 0 ms")
    return Faults(args.down, args.drop, args.anti_entropy_every, args.dc_delay)


def cluster_of_levels(
    topology: Topology,
    read: Level,
    write: Level,
    read_dc: str | None = None,
    write_dc: str | None = None,
) -> Cluster:
    """A topology and its read and write levels as a Cluster. A coordinator sits in its
    LOCAL_* level's datacenter, else in `read_dc`/`write_dc`, else in a random one per
    operation. Raises InvalidInput for an unknown datacenter."""
    names = tuple(dc.name for dc in topology.datacenters)
    rules = []
    for level, dc in ((read, read_dc), (write, write_dc)):
        coordinator = level.dc or dc
        if coordinator is not None:
            topology.datacenter(coordinator)  # an unknown name raises, listing the known
        rules.append(
            (level_rule(topology, level), None if coordinator is None else names.index(coordinator))
        )
    (read_rule, read_at), (write_rule, write_at) = rules
    dc_of = tuple(d for d, dc in enumerate(topology.datacenters) for _ in dc.replicas)
    return Cluster(len(dc_of), dc_of, names, read_rule, write_rule, read_at, write_at)


def level_rule(topology: Topology, level: Level) -> Rule:
    """What a consistency level asks of the replicas (proofs/topology.py's arithmetic)."""
    from leaderless.proofs.topology import requirements

    index = {node: i for i, node in enumerate(topology.replicas)}
    return Rule(
        tuple(
            Need(tuple(index[node] for node in need.nodes), need.weights, need.threshold)
            for need in requirements(topology, level)
        ),
        str(level),
    )


def cluster_from_topology(
    path: str, read: str | None, write: str | None, read_dc: str | None, write_dc: str | None
) -> Cluster:
    """A topology file and levels (as `prove topology` takes them) as a Cluster."""
    from leaderless.proofs.result import InvalidInput
    from leaderless.proofs.topology import load_topology, parse_level

    try:
        topology = load_topology(path)
        levels: list[Level] = []
        dcs: list[str | None] = []
        for side, level_name, dc in (("read", read, read_dc), ("write", write, write_dc)):
            from_file = getattr(topology, side)
            if level_name is None:
                if from_file is None:
                    raise UsageError(
                        f"no {side} level: pass --{side} LEVEL or set [{side}] level in {path}"
                    )
                level_name, dc = from_file[0], dc or from_file[1]
            levels.append(parse_level(level_name, dc, topology, writing=side == "write"))
            dcs.append(dc)
        return cluster_of_levels(topology, levels[0], levels[1], dcs[0], dcs[1])
    except InvalidInput as error:
        raise UsageError(str(error)) from None


def cluster_from_args(args: argparse.Namespace) -> Cluster:
    """--topology with its levels; else --n replicas in one datacenter, read and written
    at --read/--write LEVEL where given and at --r/--w replicas otherwise."""
    if args.topology:
        return cluster_from_topology(
            args.topology, args.read, args.write, args.read_dc, args.write_dc
        )
    for option in ("read_dc", "write_dc"):
        if getattr(args, option) is not None:
            raise UsageError(
                f"--{option.replace('_', '-')} needs --topology FILE "
                "(without it there is one datacenter)"
            )
    try:
        Config(n=args.n, w=args.w, r=args.r)
    except ConfigError as error:
        raise UsageError(error.worded(FLAGS)) from None
    plain = plain_cluster(args.n, args.r, args.w)
    if args.read is None and args.write is None:
        return plain
    from leaderless.proofs.result import InvalidInput
    from leaderless.proofs.topology import parse_level, parse_topology

    topology = parse_topology({"datacenters": {"dc1": {"replication_factor": args.n}}})
    rules = []
    for side, name, rule in (("read", args.read, plain.read), ("write", args.write, plain.write)):
        if name is not None:
            try:
                rule = level_rule(
                    topology, parse_level(name, None, topology, writing=side == "write")
                )
            except InvalidInput as error:
                raise UsageError(f"--{side}: {error}") from None
        rules.append(rule)
    return Cluster(args.n, plain.dc_of, plain.dc_names, rules[0], rules[1], 0, 0)


# -- analysis (plain data) -------------------------------------------------------------


def _fraction_json(value: Fraction) -> dict[str, Any]:
    return {"fraction": str(value), "probability": float(value)}


def k_staleness_data(cluster: Cluster, k_max: int) -> dict[str, Any]:
    try:
        rows = [
            {"k": k, **_fraction_json(cluster_k_staleness(cluster, k))} for k in range(1, k_max + 1)
        ]
    except ValueError as error:
        return {"skipped": str(error), "rows": []}
    return {"rows": rows}


def availability_data(
    cluster: Cluster, fails: list[Fraction], dc_fail: Fraction, read_fraction: Fraction
) -> dict[str, Any]:
    rows = []
    for fail in fails:
        found = availability(cluster, fail, dc_fail)
        rows.append(
            {
                "node_failure": float(fail),
                "dc_failure": float(dc_fail),
                "read": _fraction_json(found.read),
                "write": _fraction_json(found.write),
                "both": _fraction_json(found.both),
            }
        )
    data: dict[str, Any] = {"rows": rows, "read_fraction": float(read_fraction)}
    if cluster.plain is not None or cluster.n <= MAX_ENUMERATED_REPLICAS:
        busiest = load(cluster, read_fraction)
        data["load"] = _fraction_json(busiest)
        data["capacity"] = float(1 / busiest)
    return data


def nice_grid(limit: float) -> list[float]:
    """0 and the 1-2-5 values up to `limit` (the t of the highest target), at most 12."""
    if not math.isfinite(limit) or limit <= 0:
        return [0.0]
    values = [m * 10.0**e for e in range(-3, 8) for m in (1, 2, 5)]
    inside = [v for v in values if v <= limit * 1.0001]
    return [0.0, *inside[-11:]]


def visibility_data(
    result: WarsResult, ts: list[float] | None, targets: list[float], percentiles: list[float]
) -> dict[str, Any]:
    target_rows = [{"probability": p, "t_ms": result.t_at(p).to_json()} for p in targets]
    if ts is None:
        # Up to the highest target's t or, when lost writes never get there, to the last
        # finite staleness window.
        limit = result.t_at(max(targets)).estimate
        if math.isinf(limit):
            limit = float(result.windows[np.isfinite(result.windows)].max(initial=0.0))
        ts = nice_grid(limit)
    return {
        "trials": result.trials,
        "requested": result.requested,
        "seed": result.seed,
        "complete": result.complete,
        "stopped_by": result.stopped_by,
        "reads": result.reads,
        "write_failures": result.write_failures,
        "read_failures": result.read_failures,
        "points": [{"t_ms": t, **result.consistency_at(t).to_json()} for t in ts],
        "targets": target_rows,
        "latency": {
            side: [
                {"percentile": q, "ms": quantile(values, q / 100).to_json()} for q in percentiles
            ]
            for side, values in (("read", result.read_latency), ("write", result.write_latency))
        },
    }


def judge(
    requirement: Requirement,
    cluster: Cluster,
    result: WarsResult | None,
    dc_fail: Fraction = Fraction(0),
) -> dict[str, Any]:
    """Met, unmet, or undecided (a sampled value whose 95% interval straddles the bound)."""
    measured: dict[str, Any]
    if requirement.kind == "k-staleness":
        try:
            value = cluster_k_staleness(cluster, int(requirement.at))
        except ValueError as error:
            raise UsageError(f"{requirement.text}: {error}") from None
        measured = _fraction_json(value)
        verdict = MET if value >= requirement.minimum else UNMET
    elif requirement.kind == "availability":
        found = availability(cluster, requirement.at, dc_fail)
        value = getattr(found, requirement.side)
        measured = _fraction_json(value)
        verdict = MET if value >= requirement.minimum else UNMET
    else:
        assert result is not None
        estimate = result.consistency_at(float(requirement.at))
        measured = estimate.to_json()
        if result.reads and estimate.low >= requirement.minimum:
            verdict = MET
        elif result.reads and estimate.high < requirement.minimum:
            verdict = UNMET
        else:
            verdict = UNDECIDED
    return {
        "requirement": requirement.text or requirement.describe(),
        "kind": requirement.kind,
        "description": requirement.describe(),
        "verdict": verdict,
        "measured": measured,
    }


def _describe(cluster: Cluster, legs: WarsLatency, faults: Faults, topology: bool) -> str:
    if not topology and cluster.plain is not None:
        quorums = f"n={cluster.n} r={cluster.plain[0]} w={cluster.plain[1]}"
        if (cluster.read.label, cluster.write.label) != (
            f"r={cluster.plain[0]}",
            f"w={cluster.plain[1]}",
        ):
            quorums += f" (read {cluster.read.label}, write {cluster.write.label})"
    else:
        quorums = (
            f"{cluster.n} replicas in {', '.join(cluster.dc_names)}; "
            f"read {cluster.read.label}, write {cluster.write.label}"
        )
    extra = [
        f"{name}={value:g}"
        for name, value in (
            ("down", faults.down),
            ("drop", faults.drop),
            ("dc-delay", faults.dc_delay_ms),
        )
        if value
    ]
    if faults.anti_entropy_ms is not None:
        extra.append(f"anti-entropy every {faults.anti_entropy_ms:g} ms")
    return f"{quorums}; latency {legs.name}" + (f"; {' '.join(extra)}" if extra else "")


class _Progress:
    """Progress on stderr at most once a second, and the limits of one command: a
    deadline shared by every run (--max-seconds bounds the whole command, not each run)
    and the memory ceiling. Returns the limit reached, in the words of `names`."""

    def __init__(self, label: str, quiet: bool, limits: Limits) -> None:
        self.label, self.quiet, self.limits = label, quiet, limits
        self.started = self.last = time.perf_counter()

    def __call__(self, done: int, total: int) -> str | None:
        now = time.perf_counter()
        if not self.quiet and now - self.last >= 1.0:
            rate = done / max(now - self.started, 1e-9)
            print(
                f"  {self.label}{done:,} of {total:,} trials  {rate:,.0f} trials/s", file=sys.stderr
            )
            self.last = now
        return self.limits.reached(now)


@dataclass(frozen=True)
class Limits:
    """--max-seconds (as a deadline) and --max-memory, worded as the user gave them."""

    deadline: float | None
    max_seconds: float | None
    max_memory: int | None
    seconds_name: str = "--max-seconds"
    memory_name: str = "--max-memory"

    @classmethod
    def starting_now(cls, max_seconds: float | None, max_memory: int | None, **names: str):
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        return cls(deadline, max_seconds, max_memory, **names)

    def reached(self, now: float) -> str | None:
        if self.deadline is not None and now >= self.deadline:
            return f"{self.seconds_name} {self.max_seconds:g} reached"
        if self.max_memory is not None and memory_in_use() >= self.max_memory:
            return f"{self.memory_name} {describe_bytes(self.max_memory)} reached"
        return None


@dataclass
class Samples:
    """The raw samples behind a report, for the plots (never serialized)."""

    result: WarsResult
    baseline: WarsResult | None = None  # same configuration and seed, without --down/--drop
    # (r, w) -> staleness windows at evenly spaced ranks, for --sweep's curves.
    sweep: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)


CURVE_POINTS = 1001


def curve_of(result: WarsResult) -> np.ndarray:
    """The sorted staleness windows at CURVE_POINTS evenly spaced ranks."""
    if not result.reads:
        return np.empty(0)
    return result.windows[np.linspace(0, result.reads - 1, CURVE_POINTS).astype(int)]


def sweep_rows(
    args: argparse.Namespace,
    legs: WarsLatency,
    faults: Faults,
    target: float,
    limits: Limits,
    curves: dict[tuple[int, int], np.ndarray],
) -> tuple[list[dict[str, Any]], bool]:
    """One row per (r, w): exact k=1 staleness, sampled t at `target` and p99.9 latencies,
    and (unless --no-explore) the explored stale-read verdict of that configuration; the
    curve of each partial quorum goes into `curves`. A limit or Ctrl-C ends the sweep."""
    from leaderless.checker.commands.check import explore_config
    from leaderless.checker.explorer import INTERRUPTED

    rows, complete = [], True
    for r in range(1, args.n + 1):
        for w in range(1, args.n + 1):
            cluster = plain_cluster(args.n, r, w)
            if not args.quiet:
                print(f"pbs: r={r} w={w}", file=sys.stderr)
            result = simulate(
                cluster,
                legs,
                args.trials,
                args.seed,
                faults,
                _Progress(f"r={r} w={w}: ", args.quiet, limits),
            )
            if r + w <= args.n:
                curves[(r, w)] = curve_of(result)
            row: dict[str, Any] = {
                "r": r,
                "w": w,
                "k1": _fraction_json(cluster_k_staleness(cluster, 1)),
                "t_at_target": result.t_at(target).to_json(),
                "read_p999": quantile(result.read_latency, 0.999).to_json(),
                "write_p999": quantile(result.write_latency, 0.999).to_json(),
                "trials": result.trials,
                "complete": result.complete,
            }
            complete &= result.complete
            if not args.no_explore and result.stopped_by != "interrupted":
                config = Config(
                    **{**DEFAULT.to_json(), "clients": DEFAULT.clients, "n": args.n, "r": r, "w": w}
                )
                _, exploration = explore_config(
                    config, max_seconds=args.explore_max_seconds, quiet=args.quiet
                )
                stale = next(v for v in exploration.verdicts if v.property_id == "stale-read")
                row["explored"] = {
                    "stale_read": stale.status,
                    "states": exploration.states,
                    "complete": exploration.complete,
                }
                complete &= exploration.complete
                if exploration.stopped_by == INTERRUPTED:
                    rows.append(row)
                    return rows, False
            rows.append(row)
            if not result.complete:
                return rows, False
    return rows, complete


def analyze(args: argparse.Namespace) -> tuple[dict[str, Any], Samples]:
    """Everything `leaderless pbs` reports, as one JSON-ready dict, and the raw samples
    the plots need."""
    cluster = cluster_from_args(args)
    legs = latency_from_args(args)
    faults = faults_from_args(args)
    if not 1 <= args.trials <= MAX_TRIALS:
        raise UsageError(f"--trials: {args.trials} is out of range; allowed 1..{MAX_TRIALS:,}")
    if args.k < 1:
        raise UsageError(f"--k: {args.k} is out of range; allowed >= 1")
    if args.sweep and args.topology:
        raise UsageError("--sweep varies --r and --w; it does not take --topology")
    targets = _floats(args.target, "--target", 0.0, 1.0)
    if any(not 0 < p < 1 for p in targets):
        raise UsageError("--target: each probability must be strictly between 0 and 1")
    percentiles = _floats(args.percentiles, "--percentiles", 0.0, 100.0)
    ts = _floats(args.t, "--t", 0.0, math.inf) if args.t else None
    fails = [_fraction(part, "--fail") for part in args.fail.split(",") if part.strip()]
    dc_fail = _fraction(args.dc_fail, "--dc-fail")
    read_fraction = _fraction(args.read_fraction, "--read-fraction")
    requirements = (
        [
            parse_requirement("visibility", t, "--require-visibility")
            for t in args.require_visibility
        ]
        + [
            parse_requirement("k-staleness", t, "--require-k-staleness")
            for t in args.require_k_staleness
        ]
        + [
            parse_requirement("availability", t, "--require-availability")
            for t in args.require_availability
        ]
    )

    data: dict[str, Any] = {
        "config": {
            "description": _describe(cluster, legs, faults, args.topology is not None),
            "n": cluster.n,
            "read": cluster.read.label,
            "write": cluster.write.label,
            "datacenters": list(cluster.dc_names),
            "topology": args.topology,
        },
        "latency": legs.to_json(),
        "faults": faults.to_json(),
        "k_staleness": k_staleness_data(cluster, args.k),
        "availability": availability_data(cluster, fails, dc_fail, read_fraction),
    }
    limits = Limits.starting_now(args.max_seconds, args.max_memory)
    result = simulate(
        cluster, legs, args.trials, args.seed, faults, _Progress("", args.quiet, limits)
    )
    samples = Samples(result)
    data["t_visibility"] = visibility_data(result, ts, targets, percentiles)
    complete = result.complete
    if complete and (faults.down or faults.drop):
        # How the faults move the curve: the same trials' randomness without them.
        calm = Faults(dc_delay_ms=faults.dc_delay_ms)
        samples.baseline = simulate(
            cluster,
            legs,
            args.trials,
            args.seed,
            calm,
            _Progress("without faults: ", args.quiet, limits),
        )
        grid = [point["t_ms"] for point in data["t_visibility"]["points"]]
        baseline = visibility_data(samples.baseline, grid, targets, percentiles)
        data["t_visibility"]["without_faults"] = {
            key: baseline[key] for key in ("points", "targets", "complete")
        }
        complete &= samples.baseline.complete
    if args.sweep and complete:
        rows, swept = sweep_rows(args, legs, faults, max(targets), limits, samples.sweep)
        data["sweep"] = {"target": max(targets), "rows": rows}
        complete &= swept
    data["requirements"] = [judge(req, cluster, result, dc_fail) for req in requirements]
    data["complete"] = complete
    verdicts = [row["verdict"] for row in data["requirements"]]
    # A sampling cut short decides nothing it did not finish.
    data["exit_code"] = exit_code(verdicts + ([] if complete else [Outcome.INCONCLUSIVE]))
    return data, samples


# -- text --------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    if value is None:
        return "never"
    return f"{100 * value:.4g}%"


def _nines(exact: dict[str, Any]) -> str:
    """A percentage with as many decimals as its nines need: 99.9999995%, never a
    rounded-up 100% for a probability below 1."""
    missing = 1 - Fraction(exact["fraction"])
    if missing == 0:
        return "100%"
    decimals = max(2, math.ceil(-math.log10(float(missing) * 100)) + 1)
    return f"{100 * (1 - float(missing)):.{decimals}f}%"


def _ms(estimate: dict[str, Any]) -> str:
    if estimate["estimate"] is None:
        return "never"
    high = "never" if estimate["high"] is None else f"{estimate['high']:.4g}"
    return f"{estimate['estimate']:.4g} [{estimate['low']:.4g}, {high}]"


def _interval(estimate: dict[str, Any]) -> str:
    if estimate["estimate"] is None:
        return "n/a (no read completed)"
    return f"{_pct(estimate['estimate'])} [{_pct(estimate['low'])}, {_pct(estimate['high'])}]"


def render_tables(data: dict[str, Any], fmt: str) -> list[tuple[str, str]]:
    """(title, table) pairs, shared by the text report and the HTML page."""
    style = FORMATS[fmt]
    tables = []
    ks = data["k_staleness"]
    if ks["rows"]:
        tables.append(
            (
                "k-staleness (exact): P(a read returns one of the last k versions)",
                tabulate(
                    [[row["k"], row["fraction"], _pct(row["probability"])] for row in ks["rows"]],
                    headers=["k", "exact", "probability"],
                    tablefmt=style,
                    disable_numparse=True,
                ),
            )
        )
    else:
        tables.append(("k-staleness (exact)", f"skipped: {ks['skipped']}"))
    tv = data["t_visibility"]
    sample = f"{tv['reads']:,} reads of {tv['trials']:,} trials, seed {tv['seed']}"
    calm = tv.get("without_faults")
    extra = ["without --down/--drop"] if calm else []
    tables.append(
        (
            f"t-visibility (sampled, {sample}; 95% intervals)",
            tabulate(
                [
                    [f"{p['t_ms']:g}", _interval(p), *([_interval(c)] if calm else [])]
                    for p, c in zip(tv["points"], (calm or tv)["points"], strict=True)
                ],
                headers=["t (ms)", "P(consistent)", *extra],
                tablefmt=style,
                disable_numparse=True,
            ),
        )
    )
    tables.append(
        (
            "t at which consistency reaches P (sampled, ms)",
            tabulate(
                [
                    [
                        _pct(row["probability"]),
                        _ms(row["t_ms"]),
                        *([_ms(c["t_ms"])] if calm else []),
                    ]
                    for row, c in zip(tv["targets"], (calm or tv)["targets"], strict=True)
                ],
                headers=["P", "t (ms) [95%]", *extra],
                tablefmt=style,
                disable_numparse=True,
            ),
        )
    )
    lat = tv["latency"]
    tables.append(
        (
            "operation latency (sampled, ms)",
            tabulate(
                [
                    [f"p{row['percentile']:g}", _ms(row["ms"]), _ms(w["ms"])]
                    for row, w in zip(lat["read"], lat["write"], strict=True)
                ],
                headers=["percentile", "read [95%]", "write [95%]"],
                tablefmt=style,
                disable_numparse=True,
            ),
        )
    )
    av = data["availability"]
    tables.append(
        (
            "availability (exact): P(a quorum of live replicas exists)",
            tabulate(
                [
                    [
                        f"{row['node_failure']:g}",
                        _nines(row["read"]),
                        _nines(row["write"]),
                        _nines(row["both"]),
                    ]
                    for row in av["rows"]
                ],
                headers=["node failure", "read", "write", "both"],
                tablefmt=style,
                disable_numparse=True,
            ),
        )
    )
    if "sweep" in data:
        sweep = data["sweep"]
        headers = [
            "r",
            "w",
            "P(k=1) exact",
            f"t@{_pct(sweep['target'])} (ms)",
            "read p99.9",
            "write p99.9",
            "stale-read (explored)",
        ]
        tables.append(
            (
                "sweep over (r, w)",
                tabulate(
                    [
                        [
                            row["r"],
                            row["w"],
                            _pct(row["k1"]["probability"]),
                            _ms(row["t_at_target"]),
                            _ms(row["read_p999"]),
                            _ms(row["write_p999"]),
                            row.get("explored", {}).get("stale_read", "not explored"),
                        ]
                        for row in sweep["rows"]
                    ],
                    headers=headers,
                    tablefmt=style,
                    disable_numparse=True,
                ),
            )
        )
    if data["requirements"]:
        tables.append(
            (
                "requirements",
                tabulate(
                    [
                        [
                            row["description"],
                            row["verdict"],
                            _interval(row["measured"])
                            if "estimate" in row["measured"]
                            else _nines(row["measured"])
                            if row["kind"] == "availability"
                            else f"{row['measured']['fraction']} ({_pct(row['measured']['probability'])})",
                        ]
                        for row in data["requirements"]
                    ],
                    headers=["requirement", "verdict", "measured"],
                    tablefmt=style,
                    disable_numparse=True,
                ),
            )
        )
    return tables


def render_text(data: dict[str, Any], fmt: str) -> str:
    lines = [f"leaderless pbs: {data['config']['description']}"]
    av = data["availability"]
    if "load" in av:
        lines.append(
            f"load {av['load']['fraction']} of operations on the busiest replica "
            f"(reads {_pct(av['read_fraction'])}); capacity {av['capacity']:.4g}x "
            "one replica"
        )
    for title, table in render_tables(data, fmt):
        lines += ["", title, table]
    tv = data["t_visibility"]
    if not data["complete"]:
        lines += [
            "",
            (
                f"inconclusive: sampling stopped ({tv['stopped_by'] or 'a limit'}) "
                f"after {tv['trials']:,} of {tv['requested']:,} trials"
            ),
        ]
    if tv["write_failures"] or tv["read_failures"]:
        lines += [
            "",
            (
                f"{tv['write_failures']:,} writes and {tv['read_failures']:,} reads "
                "could not meet their level (not counted as reads)"
            ),
        ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    data, samples = analyze(args)
    if args.plot or args.html:
        from leaderless.checker.commands.pbs_report import write_html, write_plots

        if args.plot:
            write_plots(Path(args.plot), data, samples)
        if args.html:
            write_html(Path(args.html), data, samples, render_tables(data, "plain"))
    if args.json:
        print(report_json("pbs", data))
    else:
        print(render_text(data, args.format))
    return data["exit_code"]


# -- the gate: staleness requirements of a scenario ---------------------------------------

# Gate file keys -> (types accepted, what to say when it is something else).
_GATE_KINDS = {
    "require_visibility": "visibility",
    "require_k_staleness": "k-staleness",
    "require_availability": "availability",
}
_EXAMPLES = {
    "visibility": "10ms:0.999",
    "k-staleness": "1:0.99",
    "availability": "write:0.01:0.999",
}
GATE_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    **{key: ((list,), f'a list like ["{_EXAMPLES[kind]}"]') for key, kind in _GATE_KINDS.items()},
    "latency": ((str,), f'a preset ({", ".join(PRODUCTION_FITS)}) or a spec like "exp:1.66"'),
    "trials": ((int,), "an integer"),
    "seed": ((int,), "an integer"),
}


class StalenessKeyError(ValueError):
    """A staleness key of a gate scenario the gate cannot take: which key, and why."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Staleness:
    """What a gate scenario requires of staleness and availability, and how to sample."""

    requirements: tuple[Requirement, ...]
    latency: WarsLatency
    trials: int
    seed: int

    @property
    def ids(self) -> tuple[str, ...]:
        """The check ids the gate reports, e.g. 'visibility 10ms:0.999'."""
        return tuple(f"{req.kind} {req.text}" for req in self.requirements)


def parse_staleness(table: dict[str, Any]) -> Staleness | None:
    """The staleness keys of a gate scenario (already type-checked against GATE_KEYS),
    or None when it has none; a bad value raises StalenessKeyError naming its key."""
    if table.get("sloppy") and any(key in table for key in _GATE_KINDS):
        raise StalenessKeyError(
            "sloppy",
            "staleness is modelled without hinted handoff: "
            "remove sloppy = true or the require_* staleness keys",
        )
    if not any(key in table for key in _GATE_KINDS):
        for key in ("latency", "trials", "seed"):
            if key in table:
                raise StalenessKeyError(
                    key,
                    f"{key} sets how staleness is sampled; add "
                    'require_visibility = ["10ms:0.999"] or another '
                    "require_* staleness key, or remove it",
                )
        return None
    requirements = []
    for key, kind in _GATE_KINDS.items():
        for item in table.get(key, []):
            if not isinstance(item, str):
                raise StalenessKeyError(
                    key, f'{key} must list strings like "{_EXAMPLES[kind]}", got {item!r}'
                )
            try:
                requirements.append(parse_requirement(kind, item, key))
            except UsageError as error:
                raise StalenessKeyError(key, str(error)) from None
    try:
        latency = parse_latency(table.get("latency", DEFAULT_LATENCY))
    except LatencyError as error:
        raise StalenessKeyError("latency", f"latency: {error}") from None
    trials = table.get("trials", DEFAULT_TRIALS)
    if not 1 <= trials <= MAX_TRIALS:
        raise StalenessKeyError(
            "trials", f"trials = {trials} is out of range; allowed 1..{MAX_TRIALS:,}"
        )
    return Staleness(tuple(requirements), latency, trials, table.get("seed", 0))


def scenario_cluster(
    config: Config | None, topology: Topology | None, read: Level | None, write: Level | None
) -> Cluster:
    """The replicas and rules of a gate scenario: its levels over its topology, or n/r/w."""
    if topology is not None and read is not None and write is not None:
        return cluster_of_levels(topology, read, write)
    assert config is not None
    return plain_cluster(config.n, config.r, config.w)


def staleness_checks(
    staleness: Staleness,
    cluster: Cluster,
    max_seconds: float | None,
    max_memory: int | None,
    quiet: bool,
) -> list[dict[str, Any]]:
    """One gate check per requirement: id, verdict (holds, violated or inconclusive),
    reason and details. Sampling cut short by a limit makes a sampled one inconclusive."""
    from leaderless.checker.explorer import HOLDS, INCONCLUSIVE, VIOLATED

    result = None
    if any(req.kind == "visibility" for req in staleness.requirements):
        result = simulate(
            cluster,
            staleness.latency,
            staleness.trials,
            staleness.seed,
            progress=_Progress(
                "",
                quiet,
                Limits.starting_now(
                    max_seconds,
                    max_memory,
                    seconds_name="max_seconds =",
                    memory_name="max_memory =",
                ),
            ),
        )
    checks = []
    for requirement, check_id in zip(staleness.requirements, staleness.ids, strict=True):
        judged = judge(requirement, cluster, result)
        verdict = {MET: HOLDS, UNMET: VIOLATED, UNDECIDED: INCONCLUSIVE}[judged["verdict"]]
        measured = judged["measured"]
        if "estimate" in measured:
            assert result is not None
            found = (
                f"{_interval(measured)} consistent reads ({result.reads:,} reads, "
                f"latency {staleness.latency.name}, seed {staleness.seed})"
            )
            if not result.complete:
                verdict = INCONCLUSIVE
                found += (
                    f"; sampling stopped ({result.stopped_by}) after {result.trials:,} "
                    f"of {result.requested:,}"
                )
            elif verdict == INCONCLUSIVE:
                found += "; the 95% interval straddles the bound: raise trials"
        else:
            found = f"{measured['fraction']} ({_nines(measured)})"
        reason = f"{judged['description']}: measured {found}"
        checks.append(
            {
                "id": check_id,
                "verdict": verdict,
                "length": None,
                "reason": reason,
                "details": reason,
            }
        )
    return checks
