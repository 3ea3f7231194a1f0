"""Explore every reachable state of a configuration and give each property a verdict.

Each violated property comes with its shortest counterexample. With no options it
checks the built-in default (n=3 w=2 r=2, clients w,rr), which finishes in well
under a second and shows properties both holding and violated.

Exit codes: 0 every required property holds, 1 one is violated, 2 bad input,
3 a required property is inconclusive (a limit or Ctrl-C stopped the search).
By default every applicable property is required; --require names a subset.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from checker.cli import EXIT_HOLDS, EXIT_INCONCLUSIVE, EXIT_VIOLATED, UsageError
from checker.commands.options import (
    add_model_arguments,
    applicable_ids,
    config_from_args,
    property_ids,
)
from checker.commands.progress import ProgressPrinter
from checker.explorer import INCONCLUSIVE, NOT_APPLICABLE, VIOLATED, Exploration, explore
from checker.html import write_html
from checker.mermaid import render_mermaid
from checker.render import (
    check_outputs,
    counts_line,
    exploration_data,
    to_json,
    trace_itf,
    trace_text,
    verdict_table,
    write_itf_files,
)
from checker.trace import trace_data
from model import Config, ReplicationModel
from proofs.quorum import prove_overlap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    search = parser.add_argument_group("search")
    search.add_argument("--no-symmetry", action="store_true",
                        help="explore the exact MODEL.md state space (no replica symmetry)")
    search.add_argument("--max-states", type=int, metavar="K",
                        help="stop after K distinct states (unviolated -> inconclusive)")
    search.add_argument("--max-seconds", type=float, metavar="S",
                        help="stop after S seconds (unviolated -> inconclusive)")
    search.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    out = parser.add_argument_group("output")
    out.add_argument("--require", metavar="P1,P2",
                     help="properties that must hold for exit code 0 (default: all applicable)")
    out.add_argument("--trace", metavar="PROP", help="print only PROP's trace, with full states")
    out.add_argument("--json", action="store_true", help="print everything as JSON")
    out.add_argument("--itf", metavar="DIR", help="write each trace as DIR/<property>.itf.json")
    out.add_argument("--html", metavar="FILE",
                     help="write a self-contained HTML report with a sequence diagram per trace")
    out.add_argument("--mermaid", action="store_true",
                     help="print traces as Mermaid sequence diagrams (for GitHub and Markdown)")


def exit_code(exploration: Exploration, required: list[str]) -> int:
    statuses = [exploration.verdict(prop).status for prop in required]
    if VIOLATED in statuses:
        return EXIT_VIOLATED
    if INCONCLUSIVE in statuses or NOT_APPLICABLE in statuses:
        return EXIT_INCONCLUSIVE
    return EXIT_HOLDS


def _check_limits(args: argparse.Namespace) -> None:
    if args.max_states is not None and args.max_states < 1:
        raise UsageError(f"--max-states: {args.max_states} is out of range; allowed >= 1")
    if args.max_seconds is not None and args.max_seconds <= 0:
        raise UsageError(f"--max-seconds: {args.max_seconds:g} is out of range; allowed > 0")


def explore_config(config: Config, *, symmetry: bool = True, max_states: int | None = None,
                   max_seconds: float | None = None,
                   quiet: bool = False) -> tuple[ReplicationModel, Exploration]:
    """Explore one configuration, with progress on stderr unless quiet; shared by the
    subcommands that explore (check, matrix, gate), so their verdicts cannot differ."""
    model = ReplicationModel(config)
    printer = None if quiet else ProgressPrinter()
    exploration = explore(model, symmetry=symmetry, max_states=max_states,
                          max_seconds=max_seconds, progress=printer)
    if printer is not None:
        printer.done()
    return model, exploration


def overlap_line(config: Config, verdict: str) -> str:
    """The Z3 quorum-overlap verdict beside the explored ones, in words."""
    relation = ">" if config.quorums_overlap else "<="
    meaning = {"proved": "every read quorum meets every write quorum",
               "refuted": "a read quorum can miss every replica of a write quorum",
               "unknown": "Z3 could not decide"}[verdict]
    return (f"quorums: r + w = {config.r + config.w} {relation} n = {config.n}: {meaning} "
            f"(Z3: {verdict})")


def _mermaid_block(trace: dict[str, Any]) -> str:
    # Fenced, so the output pastes into a GitHub issue or Markdown file as a diagram.
    return (f"Counterexample to {trace['property']} ({trace['length']} steps):\n"
            f"```mermaid\n{render_mermaid(trace)}```")


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    _check_limits(args)
    model = ReplicationModel(config)
    required = applicable_ids(args.require, "--require", model)
    if args.trace is not None:
        property_ids(args.trace, "--trace")
    check_outputs(itf=args.itf, html=args.html)
    model, exploration = explore_config(config, symmetry=not args.no_symmetry,
                                        max_states=args.max_states,
                                        max_seconds=args.max_seconds, quiet=args.quiet)
    data = exploration_data(model, exploration)
    overlap = prove_overlap(config.n, config.r, config.w)
    data["quorum_overlap"] = overlap.to_json(times=False)

    if args.itf is not None:
        write_itf_files(args.itf, {v.property_id: trace_itf(trace_data(model, v.trace))
                                   for v in exploration.verdicts if v.trace is not None})

    if args.html is not None:
        write_html(args.html, data)

    if args.json:
        print(to_json(data))
    elif args.trace is not None:
        prop = next(p for p in data["properties"] if p["id"] == args.trace)
        if prop["trace"] is None:
            print(f"{args.trace}: {prop['verdict']}" + (f" ({prop['reason']})" if prop["reason"] else ""))
        elif args.mermaid:
            print(_mermaid_block(prop["trace"]))
        else:
            print(trace_text(prop["trace"], full_states=True))
    else:
        print(f"leaderless check: {config.describe()}")
        print(overlap_line(config, overlap.verdict))
        print(counts_line(data))
        print()
        print(verdict_table(data))
        for prop in data["properties"]:
            if prop["trace"] is not None:
                print()
                print(_mermaid_block(prop["trace"]) if args.mermaid else trace_text(prop["trace"]))
        incomplete = [p for p in data["properties"] if p["verdict"] == INCONCLUSIVE]
        if incomplete:
            print(f"\ninconclusive: {incomplete[0]['reason']}")
    sys.stdout.flush()
    return exit_code(exploration, required)
