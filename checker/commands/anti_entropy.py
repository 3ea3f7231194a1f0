"""Merkle-tree anti-entropy on diverged multi-key replicas, measured against a naive scan.

Builds --replicas stores of --keys keys under last-write-wins, makes --diverge of the
keys diverge through writes that reach only some replicas, then syncs every pair of
replicas until they agree, twice from the same start: with Merkle trees (hashes
exchanged top-down, only keys under differing leaves transferred) and with the naive
full comparison (every entry shipped). Checks that every replica ends at the LWW merge
of every write, and prints what each method cost.

  leaderless anti-entropy --keys 100000 --replicas 3 --diverge 0.1% --seed 1
  leaderless anti-entropy --keys 1000000 --diverge 0.01 --json

A run that would not fit in half of this machine's memory is refused up front, with
the largest --keys that would.

Exit codes: 0 converged, 1 not converged, 2 bad input (or a run too large for this
machine), 3 ran out of memory anyway.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tabulate import tabulate

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.options import add_no_times
from leaderless.checker.outcome import Outcome, exit_code
from leaderless.checker.reports import report_json
from leaderless.model.antientropy import (
    Cost,
    DivergenceConfig,
    Key,
    Reconciliation,
    Store,
    Version,
    diverged_cluster,
    merkle_sync,
    naive_sync,
    reconcile,
)
from leaderless.model.antientropy.store import MAX_DEPTH, default_depth

# Below this many keys a run takes about a second, and progress lines would be noise.
PROGRESS_KEYS = 250_000
# A failure report lists this many differing keys; the count says how many there were.
SHOWN_DIFFERENCES = 3
# Peak memory, measured on CPython 3.12 (x86-64) and rounded up by about a quarter: the
# interpreter and imports, then per key (the LWW merge and the writes), per key on each
# replica (the entry and its copy for the naive run; diverged keys hold more versions),
# and per Merkle leaf on each replica (the leaf's key list and two tree nodes).
BASE_BYTES = 32 * 2**20
KEY_BYTES = 420
ENTRY_BYTES = 190
DIVERGED_ENTRY_BYTES = 90
LEAF_BYTES = 230
# A run may plan on this share of physical memory; the rest is left to everything else.
MEMORY_SHARE = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keys", type=int, default=100_000, help="distinct keys (default 100000)")
    parser.add_argument("--replicas", type=int, default=3, help="replica stores, >= 2 (default 3)")
    parser.add_argument(
        "--diverge",
        type=_fraction,
        default=0.001,
        metavar="FRACTION",
        help="share of keys whose latest write reached only some replicas: "
        "a percentage like 0.1%% or a fraction like 0.001 (default 0.1%%)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seeds every random choice (default 1)")
    parser.add_argument(
        "--depth",
        type=int,
        default=None,
        help="Merkle tree depth, 0..20 (default: about 8 keys per leaf)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    add_no_times(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


@dataclass(frozen=True, slots=True)
class _Method:
    """One way of syncing, run from the same diverged start as the other."""

    name: str
    result: Reconciliation
    problems: tuple[str, ...]  # empty when every replica ended at the LWW merge
    seconds: float


@dataclass(frozen=True, slots=True)
class _Run:
    """Everything one invocation reports, for the text and the JSON renderers alike."""

    config: DivergenceConfig
    writes: int  # writes issued, full and partial
    diverged: int  # keys whose replicas disagreed before anti-entropy
    methods: tuple[_Method, ...]  # merkle, then naive
    build_seconds: float  # building, diverging and copying the replicas
    total_seconds: float

    @property
    def converged(self) -> bool:
        return not any(method.problems for method in self.methods)


def run(args: argparse.Namespace) -> int:
    if args.depth is not None and not 0 <= args.depth <= MAX_DEPTH:
        # -1 would otherwise pass as the config's "pick the default" marker.
        raise UsageError(f"--depth must be 0..{MAX_DEPTH}, got {args.depth}")
    try:
        config = DivergenceConfig(
            keys=args.keys,
            replicas=args.replicas,
            diverge=args.diverge,
            seed=args.seed,
            depth=-1 if args.depth is None else args.depth,
        )
    except ValueError as error:
        # The config's field names are the flags' names, so its message names the flag.
        raise UsageError(f"--{error}") from None
    _refuse_what_cannot_fit(config, args.depth is None)
    try:
        return _run(config, args)
    except MemoryError:
        print(
            "out of memory: the run was stopped before it finished; lower --keys or --replicas",
            file=sys.stderr,
        )
        return exit_code([Outcome.INCONCLUSIVE])


def estimated_bytes(keys: int, replicas: int, diverge: float, depth: int) -> int:
    """Peak memory of a run, from the measured costs above (an overestimate)."""
    per_entry = ENTRY_BYTES + DIVERGED_ENTRY_BYTES * diverge
    return round(
        BASE_BYTES
        + keys * KEY_BYTES
        + keys * replicas * per_entry
        + replicas * (1 << depth) * LEAF_BYTES
    )


def physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None  # unknown here: nothing to refuse on


def _refuse_what_cannot_fit(config: DivergenceConfig, default_tree: bool) -> None:
    physical = physical_memory()
    if physical is None:
        return
    budget = physical * MEMORY_SHARE

    def need(keys: int) -> int:
        depth = default_depth(keys) if default_tree else config.depth
        return estimated_bytes(keys, config.replicas, config.diverge, depth)

    if need(config.keys) <= budget:
        return
    low, high = 0, config.keys  # need(low) fits (or low is 0), need(high) does not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if need(middle) <= budget else (low, middle)
    largest = (
        f"at most {low:,} keys on {config.replicas} replicas"
        if low
        else f"no run on {config.replicas} replicas"
        + ("" if default_tree else f" with --depth {config.depth}")
        + " fits"
    )
    raise UsageError(
        f"--keys {config.keys} on --replicas {config.replicas} needs about "
        f"{need(config.keys) / 2**30:,.1f} GiB of memory, more than "
        f"{MEMORY_SHARE:.0%} of this machine's {physical / 2**30:.1f} GiB: "
        f"{largest}"
    )


def _run(config: DivergenceConfig, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    progress = _progress(started) if config.keys >= PROGRESS_KEYS and not args.quiet else None

    with _gc_paused():
        cluster = diverged_cluster(config, progress)
        naive_replicas = [replica.copy() for replica in cluster.replicas]
        built = time.perf_counter() - started
        methods = (
            _run_method(
                "merkle",
                cluster.replicas,
                lambda a, b: merkle_sync(a, b).cost,
                cluster.expected,
                progress,
            ),
            _run_method("naive", naive_replicas, naive_sync, cluster.expected, progress),
        )
    outcome = _Run(
        config, cluster.writes, cluster.diverged, methods, built, time.perf_counter() - started
    )
    if args.json:
        print(report_json("anti-entropy", _as_json(outcome), times=not args.no_times))
    else:
        _print_text(outcome, times=not args.no_times)
    return exit_code([Outcome.HOLDS if outcome.converged else Outcome.VIOLATED])


def _run_method(
    name: str,
    replicas: list[Store],
    sync: Callable[[Store, Store], Cost],
    expected: Mapping[Key, Version],
    progress: Callable[[str], None] | None,
) -> _Method:
    started = time.perf_counter()
    labelled = None if progress is None else (lambda line: progress(f"{name}: {line}"))
    result = reconcile(replicas, sync, progress=labelled)
    seconds = time.perf_counter() - started
    problems = (
        [] if result.agreed else [f"{name}: replicas still disagree after {result.passes} passes"]
    )
    for index, replica in enumerate(replicas):
        if replica.content != expected:
            problems.append(f"{name}: replica {index} {_difference(replica.content, expected)}")
    roots = {replica.root() for replica in replicas}
    if not problems and len(roots) > 1:
        problems.append(f"{name}: replicas hold equal keys but their Merkle roots differ")
    return _Method(name, result, tuple(problems), seconds)


def _difference(content: Mapping[Key, Version], expected: Mapping[Key, Version]) -> str:
    keys = sorted(
        key for key in content.keys() | expected.keys() if content.get(key) != expected.get(key)
    )
    shown = ", ".join(
        f"key {key} holds {content.get(key)} instead of {expected.get(key)}"
        for key in keys[:SHOWN_DIFFERENCES]
    )
    return f"differs from the LWW merge on {len(keys)} keys: {shown}"


def _print_text(outcome: _Run, times: bool) -> None:
    config = outcome.config
    merkle, naive = outcome.methods
    leaves = 1 << config.depth
    print(
        f"anti-entropy: {config.keys} keys on {config.replicas} replicas, "
        f"{outcome.diverged} keys diverged ({config.diverge * 100:g}%), seed {config.seed}"
    )
    print(
        f"Merkle tree: depth {config.depth}, {leaves} leaves, "
        f"{config.keys / leaves:.1f} keys per leaf"
    )
    print()
    rows = [
        ("hashes exchanged", "hashes"),
        ("keys transferred", "keys"),
        ("round trips", "round_trips"),
        ("bytes", "bytes"),
    ]
    table = [
        [label, getattr(merkle.result.cost, field), getattr(naive.result.cost, field)]
        for label, field in rows
    ]
    table.append(["syncs", len(merkle.result.syncs), len(naive.result.syncs)])
    print(tabulate(table, headers=["cost (all syncs)", "merkle", "naive"], intfmt=","))
    print()
    for method in outcome.methods:
        if method.problems:
            for problem in method.problems:
                print(f"NOT CONVERGED: {problem}")
        else:
            print(
                f"converged ({method.name}): all {config.replicas} replicas equal the LWW merge "
                f"of {outcome.writes} writes after {method.result.passes} pass"
                f"{'' if method.result.passes == 1 else 'es'} over every pair"
            )
    if times:
        print(
            f"time: build {outcome.build_seconds:.2f} s, merkle sync {merkle.seconds:.3f} s, "
            f"naive sync {naive.seconds:.3f} s, total {outcome.total_seconds:.2f} s"
        )


def _as_json(outcome: _Run) -> dict[str, Any]:
    config = outcome.config
    return {
        "config": {
            "keys": config.keys,
            "replicas": config.replicas,
            "diverge": config.diverge,
            "seed": config.seed,
            "depth": config.depth,
        },
        "leaves": 1 << config.depth,
        "writes": outcome.writes,
        "diverged_keys": outcome.diverged,
        "converged": outcome.converged,
        **{
            method.name: {
                **_cost_json(method.result.cost),
                "passes": method.result.passes,
                "agreed": method.result.agreed,
                "problems": list(method.problems),
                "syncs": [
                    {
                        "pass": sync.pass_number,
                        "initiator": sync.initiator,
                        "responder": sync.responder,
                        **_cost_json(sync.cost),
                    }
                    for sync in method.result.syncs
                ],
                "seconds": round(method.seconds, 4),
            }
            for method in outcome.methods
        },
        "build_seconds": round(outcome.build_seconds, 4),
        "seconds": round(outcome.total_seconds, 4),
    }


def _cost_json(cost: Cost) -> dict[str, int]:
    return {
        "hashes": cost.hashes,
        "keys_transferred": cost.keys,
        "round_trips": cost.round_trips,
        "bytes": cost.bytes,
    }


def _fraction(text: str) -> float:
    """Parse `0.1%` or `0.001` into a fraction in 0..1."""
    body, scale = (text[:-1], 100.0) if text.endswith("%") else (text, 1.0)
    try:
        value = float(body) / scale
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:  # also rejects nan
        raise argparse.ArgumentTypeError(
            f"expected a percentage in 0%..100% like 0.1% or a fraction in 0..1 like 0.001, "
            f"got {text!r}"
        )
    return value


def _progress(started: float) -> Callable[[str], None]:
    def report(line: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {line}", file=sys.stderr, flush=True)

    return report


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Millions of long-lived version tuples that never form cycles make the cyclic
    # collector rescan them over and over; pausing it cuts copy time several-fold.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
