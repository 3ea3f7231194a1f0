"""Explore every reachable state of a configuration and give each property a verdict.

Each violated property comes with its shortest counterexample. With no options it
checks the built-in default (n=3 w=2 r=2, clients w,rr), which finishes in well
under a second and shows properties both holding and violated.

Exit codes: 0 every required property holds, 1 one is violated, 2 bad input,
3 a required property is inconclusive (a limit or Ctrl-C stopped the search),
4 internal error. By default every applicable property is required; --require names
a subset (give it again to add more).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from leaderless.checker.cli import UsageError
from leaderless.checker.cluster import Cluster, ClusterUnavailable, connect
from leaderless.checker.commands.options import (
    add_cluster_argument,
    add_model_arguments,
    add_no_times,
    add_property_list_argument,
    add_search_arguments,
    applicable_ids,
    config_from_args,
    default_memory_ceiling,
    property_ids,
)
from leaderless.checker.commands.outputs import Outputs, Results
from leaderless.checker.commands.progress import ProgressPrinter
from leaderless.checker.explorer import INCONCLUSIVE, Exploration, default_workers, explore
from leaderless.checker.mermaid import markdown_report, mermaid_block
from leaderless.checker.outcome import exit_code
from leaderless.checker.render import counts_line, exploration_data, trace_text, verdict_table
from leaderless.checker.shortest import explore_with_recovery
from leaderless.checker.trace import trace_data
from leaderless.model import Config, ReplicationModel
from leaderless.model.reduction import ReducedModel, UnsupportedReduction
from leaderless.proofs.topology import prove_config_overlap

OUTPUTS = Outputs("json", "mermaid", "itf", "history_out", "html", text_options=("--trace",))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    add_search_arguments(parser)
    add_cluster_argument(parser.add_argument_group("cluster"))
    out = parser.add_argument_group("output")
    add_property_list_argument(
        out,
        "--require",
        "properties that must hold for exit code 0 (default: all "
        "applicable); give it again to add more",
    )
    add_property_list_argument(
        out,
        "--trace",
        "print only these properties' traces, with full states; give it again to add more",
    )
    OUTPUTS.add_arguments(out)
    add_no_times(out)


def explore_config(
    config: Config,
    *,
    symmetry: bool = True,
    max_states: int | None = None,
    max_seconds: float | None = None,
    max_memory: int | None = None,
    quiet: bool = False,
    workers: int | None = None,
    reduction: str = "off",
    cluster: Cluster | None = None,
    kernel: str = "auto",
) -> tuple[ReplicationModel, Exploration]:
    """Explore one configuration, with progress on stderr unless quiet; shared by the
    subcommands that explore (check, matrix, gate), so their verdicts cannot differ.
    Without `max_memory` the search stops at the default share of the memory available;
    without `workers` it uses every core (here, or of the `cluster`). With `kernel`
    auto, a search of a configuration the compiled kernel covers goes on in it (in this
    process) once a level is large."""
    model = ReplicationModel(config)
    printer = None if quiet else ProgressPrinter()
    limits: dict[str, Any] = {
        "symmetry": symmetry,
        "max_states": max_states,
        "max_seconds": max_seconds,
        "max_memory": max_memory if max_memory is not None else default_memory_ceiling(),
        "progress": printer,
        "workers": workers if workers is not None else default_workers(),
    }
    if cluster is not None:
        limits["workers"] = workers if workers is not None else cluster.cpus
        limits["transport"] = cluster.transport
    if reduction == "por":
        try:
            reduced = ReducedModel(model)
        except UnsupportedReduction as refused:
            raise UsageError(str(refused)) from None
        # Counts are the reduced search's; each trace is the full relation's shortest.
        exploration, _ = explore_with_recovery(reduced, model, **limits)
    else:
        if kernel == "auto" and cluster is None:
            limits["compiled"] = functools.partial(model.compiled, symmetry)
        exploration = explore(model, **limits)
    if printer is not None:
        printer.done()
    return model, exploration


@contextmanager
def cluster_from(args: argparse.Namespace) -> Iterator[Cluster | None]:
    """The Ray cluster of --cluster while the block runs (None without it). One that
    cannot be reached is bad input (exit 2): nothing was explored yet, and the address
    or the install is what the user can fix."""
    if args.cluster is None:
        yield None
        return
    try:
        cluster = connect(args.cluster)
    except ClusterUnavailable as unavailable:
        raise UsageError(str(unavailable)) from None
    try:
        yield cluster
    finally:
        cluster.close()


def overlap_line(config: Config, verdict: str) -> str:
    """The Z3 quorum-overlap verdict beside the explored ones, in words."""
    meaning = {
        "proved": "every read quorum meets every write quorum",
        "refuted": "a read quorum can miss every replica of a write quorum",
        "unknown": "Z3 could not decide",
    }[verdict]
    if config.write_level is not None or config.read_level is not None:
        # Levels: which replicas count depends on the datacenters, not on one sum.
        write = config.write_level or f"{config.w} replicas"
        read = config.read_level or f"{config.r} replicas"
        return f"quorums: writes at {write}, reads at {read}: {meaning} (Z3: {verdict})"
    relation = ">" if config.quorums_overlap else "<="
    sloppy = (
        f", but a sloppy write may count {config.stand_ins} stand-in acks"
        if config.hinted_handoff == "sloppy"
        else ""
    )
    return (
        f"quorums: r + w = {config.r + config.w} {relation} n = {config.n}{sloppy}: {meaning} "
        f"(Z3: {verdict})"
    )


def _traced(data: dict[str, Any], traced: list[str], mermaid: bool) -> str:
    """--trace: only these properties' traces, with full states (or as diagrams)."""
    parts = []
    for prop in data["properties"]:
        if prop["id"] not in traced:
            continue
        if prop["trace"] is None:
            reason = f" ({prop['reason']})" if prop["reason"] else ""
            parts.append(f"{prop['id']}: {prop['verdict']}{reason}")
        elif mermaid:
            parts.append(mermaid_block(prop["trace"]))
        else:
            parts.append(trace_text(prop["trace"], full_states=True))
    return "\n\n".join(parts)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    OUTPUTS.check(args)
    model = ReplicationModel(config)
    required = applicable_ids(args.require, "--require", model)
    traced = property_ids(args.trace, "--trace") if args.trace is not None else []
    with cluster_from(args) as cluster:
        model, exploration = explore_config(
            config,
            symmetry=not args.no_symmetry,
            max_states=args.max_states,
            max_seconds=args.max_seconds,
            max_memory=args.max_memory,
            quiet=args.quiet,
            workers=args.workers,
            reduction=args.reduction,
            cluster=cluster,
            kernel=args.kernel,
        )
    data = exploration_data(model, exploration)
    overlap = prove_config_overlap(config)
    data["quorum_overlap"] = overlap.to_json(times=False)
    intro = [
        f"leaderless check: {config.describe()}",
        overlap_line(config, overlap.verdict),
        counts_line(data, times=not args.no_times),
    ]
    incomplete = [p for p in data["properties"] if p["verdict"] == INCONCLUSIVE]
    notes = [f"inconclusive: {incomplete[0]['reason']}"] if incomplete else []

    def text() -> str:
        if traced:
            return _traced(data, traced, mermaid=False)
        traces = [trace_text(p["trace"]) for p in data["properties"] if p["trace"] is not None]
        return "\n\n".join(["\n".join(intro), verdict_table(data), *traces, *notes])

    def markdown() -> str:
        if traced:
            return _traced(data, traced, mermaid=True)
        # Markdown throughout, so the whole output pastes into a GitHub issue.
        return markdown_report(intro, data, notes)

    OUTPUTS.emit(
        args,
        Results(
            "check",
            data,
            text,
            traces={
                v.property_id: trace_data(model, v.trace)
                for v in exploration.verdicts
                if v.trace is not None
            },
            times=not args.no_times,
            markdown=markdown,
        ),
    )
    sys.stdout.flush()
    return exit_code(exploration.verdict(prop).status for prop in required)
