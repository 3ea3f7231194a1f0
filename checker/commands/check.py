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
import sys

from leaderless.checker.cli import EXIT_HOLDS, EXIT_INCONCLUSIVE, EXIT_VIOLATED, UsageError
from leaderless.checker.commands.options import (
    add_model_arguments,
    add_property_list_argument,
    add_search_arguments,
    add_trace_file_outputs,
    applicable_ids,
    config_from_args,
    default_memory_ceiling,
    property_ids,
)
from leaderless.checker.commands.progress import ProgressPrinter
from leaderless.checker.explorer import INCONCLUSIVE, NOT_APPLICABLE, VIOLATED, Exploration, explore
from leaderless.checker.html import write_html
from leaderless.checker.itf import trace_itf
from leaderless.checker.mermaid import markdown_report, mermaid_block
from leaderless.checker.render import (
    check_outputs,
    counts_line,
    exploration_data,
    to_json,
    trace_text,
    verdict_table,
    write_itf_files,
)
from leaderless.checker.trace import trace_data
from leaderless.model import Config, ReplicationModel
from leaderless.proofs.quorum import prove_overlap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    add_search_arguments(parser)
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
    out.add_argument(
        "--json",
        action="store_true",
        help="print everything as JSON (traces included; not with --trace or --mermaid)",
    )
    add_trace_file_outputs(out)
    out.add_argument(
        "--mermaid",
        action="store_true",
        help="print traces as Mermaid sequence diagrams (for GitHub and Markdown)",
    )


def exit_code(exploration: Exploration, required: list[str]) -> int:
    statuses = [exploration.verdict(prop).status for prop in required]
    if VIOLATED in statuses:
        return EXIT_VIOLATED
    if INCONCLUSIVE in statuses or NOT_APPLICABLE in statuses:
        return EXIT_INCONCLUSIVE
    return EXIT_HOLDS


def _check_outputs(args: argparse.Namespace) -> None:
    # JSON on stdout is one document for a program to read: text beside it would break it.
    for flag, given in (("--trace", args.trace is not None), ("--mermaid", args.mermaid)):
        if args.json and given:
            raise UsageError(
                f"--json and {flag} cannot combine: the JSON holds every trace "
                f"already; drop {flag}, or --json for text"
            )


def explore_config(
    config: Config,
    *,
    symmetry: bool = True,
    max_states: int | None = None,
    max_seconds: float | None = None,
    max_memory: int | None = None,
    quiet: bool = False,
) -> tuple[ReplicationModel, Exploration]:
    """Explore one configuration, with progress on stderr unless quiet; shared by the
    subcommands that explore (check, matrix, gate), so their verdicts cannot differ.
    Without `max_memory` the search stops at the default share of the memory available."""
    model = ReplicationModel(config)
    printer = None if quiet else ProgressPrinter()
    exploration = explore(
        model,
        symmetry=symmetry,
        max_states=max_states,
        max_seconds=max_seconds,
        max_memory=max_memory if max_memory is not None else default_memory_ceiling(),
        progress=printer,
    )
    if printer is not None:
        printer.done()
    return model, exploration


def overlap_line(config: Config, verdict: str) -> str:
    """The Z3 quorum-overlap verdict beside the explored ones, in words."""
    relation = ">" if config.quorums_overlap else "<="
    meaning = {
        "proved": "every read quorum meets every write quorum",
        "refuted": "a read quorum can miss every replica of a write quorum",
        "unknown": "Z3 could not decide",
    }[verdict]
    return (
        f"quorums: r + w = {config.r + config.w} {relation} n = {config.n}: {meaning} "
        f"(Z3: {verdict})"
    )


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    _check_outputs(args)
    model = ReplicationModel(config)
    required = applicable_ids(args.require, "--require", model)
    traced = property_ids(args.trace, "--trace") if args.trace is not None else []
    check_outputs(itf=args.itf, html=args.html)
    if args.history_out is not None:
        # Imported here: only a run that writes histories waits for the history checker.
        from leaderless.checker.commands.history import check_history_dir, write_history_files

        check_history_dir(args.history_out)
    model, exploration = explore_config(
        config,
        symmetry=not args.no_symmetry,
        max_states=args.max_states,
        max_seconds=args.max_seconds,
        max_memory=args.max_memory,
        quiet=args.quiet,
    )
    data = exploration_data(model, exploration)
    overlap = prove_overlap(config.n, config.r, config.w)
    data["quorum_overlap"] = overlap.to_json(times=False)

    if args.itf is not None:
        write_itf_files(
            args.itf,
            {
                v.property_id: trace_itf(trace_data(model, v.trace))
                for v in exploration.verdicts
                if v.trace is not None
            },
        )

    if args.history_out is not None:
        write_history_files(
            args.history_out,
            {p["id"]: p["trace"] for p in data["properties"] if p["trace"] is not None},
        )

    if args.html is not None:
        write_html(args.html, data)

    if args.json:
        print(to_json(data))
    elif traced:
        for number, prop in enumerate(p for p in data["properties"] if p["id"] in traced):
            if number:
                print()
            if prop["trace"] is None:
                print(
                    f"{prop['id']}: {prop['verdict']}"
                    + (f" ({prop['reason']})" if prop["reason"] else "")
                )
            elif args.mermaid:
                print(mermaid_block(prop["trace"]))
            else:
                print(trace_text(prop["trace"], full_states=True))
    else:
        intro = [
            f"leaderless check: {config.describe()}",
            overlap_line(config, overlap.verdict),
            counts_line(data),
        ]
        incomplete = [p for p in data["properties"] if p["verdict"] == INCONCLUSIVE]
        notes = [f"inconclusive: {incomplete[0]['reason']}"] if incomplete else []
        if args.mermaid:
            # Markdown throughout, so the whole output pastes into a GitHub issue.
            print(markdown_report(intro, data, notes))
        else:
            print("\n".join(intro))
            print()
            print(verdict_table(data))
            for prop in data["properties"]:
                if prop["trace"] is not None:
                    print()
                    print(trace_text(prop["trace"]))
            for note in notes:
                print(f"\n{note}")
    sys.stdout.flush()
    return exit_code(exploration, required)
