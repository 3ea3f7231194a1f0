"""Search long random runs of large scopes for counterexamples (sampled, not complete).

Random runs of the model (timed messages, faults varied per run, drawn by
Hypothesis), one search per required property; each violation is shrunk to a short
counterexample, shown as `check` shows its traces (text, --json, --itf, --html).
Finding nothing proves nothing: such a property is reported as "none found in N"
runs, never as holding; use `leaderless check` for a complete verdict on scopes
small enough to explore. --max-seconds and Ctrl-C stop the search and keep what it
found.

Clocks: by default each write's timestamp is within --drift of real time (MODEL.md,
so results compare with `check`). --clock client gives each client one clock with
an offset (--max-offset), a skew rate in percent (--max-skew) and up to
--ntp-steps backward NTP corrections of up to --max-step ticks; its traces are
reported with the drift that covers every timestamp they use, so they replay.

Example: leaderless search --n 7 --w 4 --r 4 --clients ww,ww,rr --drift 2 --examples 300

Exit codes: 1 a counterexample to a required property was found, 3 none was found
(inconclusive, never 0), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tabulate import tabulate

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.options import (
    add_model_arguments,
    add_no_times,
    add_property_list_argument,
    applicable_ids,
    config_from_args,
    positive_count,
    positive_seconds,
)
from leaderless.checker.commands.outputs import Outputs, Results
from leaderless.checker.commands.progress import ProgressPrinter
from leaderless.checker.outcome import exit_code
from leaderless.checker.render import trace_text
from leaderless.checker.trace import normalize, trace_data
from leaderless.model import Config, ConfigError
from leaderless.model.clocks import ClientClocks, Clock, PerWriteClock
from leaderless.model.search import (
    DEFAULT_EXAMPLES,
    DEFAULT_STEPS,
    NONE_FOUND,
    SHRINK_SECONDS,
    VIOLATED,
    Finding,
    SearchProgress,
    search,
    search_model,
)

OUTPUTS = Outputs("json", "itf", "history_out", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    run = parser.add_argument_group("search")
    run.add_argument(
        "--examples",
        type=positive_count,
        default=DEFAULT_EXAMPLES,
        metavar="N",
        help="random runs per property (default %(default)s)",
    )
    run.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="the random seed; the same seed repeats the search (default 0)",
    )
    run.add_argument(
        "--steps",
        type=positive_count,
        default=DEFAULT_STEPS,
        metavar="K",
        help="most steps in one run (default %(default)s; runs end earlier "
        "once nothing is enabled)",
    )
    run.add_argument(
        "--max-seconds",
        type=positive_seconds,
        metavar="S",
        help="stop the whole search after S seconds (what was found is kept; "
        "none found -> inconclusive)",
    )
    run.add_argument(
        "--no-shrink",
        action="store_true",
        help="skip Hypothesis's shrinking (hundreds of re-runs); the faster "
        "pass that drops steps still shortens every counterexample",
    )
    run.add_argument(
        "--shrink-seconds",
        type=positive_seconds,
        metavar="S",
        help="most seconds Hypothesis's shrinking spends on one "
        f"counterexample (default {SHRINK_SECONDS:g})",
    )
    run.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    clocks = parser.add_argument_group("clocks")
    clocks.add_argument(
        "--clock",
        choices=("write", "client"),
        default="write",
        help="write: each write's timestamp within --drift of real time "
        "(MODEL.md); client: one drifting clock per client",
    )
    clocks.add_argument(
        "--max-offset",
        type=int,
        metavar="O",
        help="client clocks: offset from real time within -O..O ticks",
    )
    clocks.add_argument(
        "--max-skew",
        type=int,
        metavar="P",
        help="client clocks: rate within -P..P percent of real time (0..99)",
    )
    clocks.add_argument(
        "--ntp-steps",
        type=int,
        metavar="K",
        help="client clocks: backward NTP corrections in a run, in total",
    )
    clocks.add_argument(
        "--max-step",
        type=int,
        metavar="B",
        help="client clocks: ticks one NTP correction sets a clock back",
    )
    out = parser.add_argument_group("output")
    add_property_list_argument(
        out,
        "--require",
        "properties to search; they decide the exit code (default: "
        "all applicable); give it again to add more",
    )
    OUTPUTS.add_arguments(out)
    add_no_times(out)


_CLIENT_OPTIONS = ("max_offset", "max_skew", "ntp_steps", "max_step")
# A client-clock trace replays as MODEL.md with a drift as large as its clocks erred,
# and each write then has 2 * drift + 1 timestamps to match; past these, moving the
# trace into that model would take longer than any search.
_CLIENT_LIMITS = {"max_offset": 1000, "ntp_steps": 100, "max_step": 1000}


def clock_from_args(args: argparse.Namespace, config: Config) -> Clock:
    given = [name for name in _CLIENT_OPTIONS if getattr(args, name) is not None]
    try:
        if args.clock == "write":
            if given:
                option = "--" + given[0].replace("_", "-")
                raise UsageError(f"{option} sets a client clock; add --clock client")
            return PerWriteClock(config.drift)
        if config.drift:
            raise UsageError(
                "--drift bounds the per-write clock; with --clock client use "
                "--max-offset, --max-skew and --ntp-steps"
            )
        for name, most in _CLIENT_LIMITS.items():
            value = getattr(args, name)
            if value is not None and value > most:
                raise UsageError(
                    f"--{name.replace('_', '-')}: {value} is out of range; the "
                    f"search handles at most {most}"
                )
        return ClientClocks(**{name: getattr(args, name) for name in given})
    except ConfigError as error:
        raise UsageError(f"--{str(error).replace('_', '-')}") from None


class SearchProgressPrinter(ProgressPrinter):
    """`check`'s progress line, for a search: property, what it is doing, runs, steps,
    seconds."""

    def __call__(self, progress: SearchProgress) -> None:  # type: ignore[override]
        doing = progress.phase
        if progress.shortest is not None:
            doing += f" a run of {progress.shortest:,} steps"
        if progress.shrink_runs:
            doing += f" ({progress.shrink_runs:,} re-runs)"
        line = (
            f"  {progress.property_id}: {doing}  {progress.runs:,} runs  "
            f"{progress.steps:,} steps  {progress.seconds:.0f} s"
        )
        self._write(("\r" + line + "\033[K") if self.tty else line + "\n")
        self.printed = True


def finding_data(finding: Finding, examples: int) -> dict[str, Any]:
    trace = None
    if finding.trace is not None and finding.model is not None:
        trace = normalize(trace_data(finding.model, finding.trace))
    reason = finding.trace.reason if finding.trace is not None else None
    if finding.status == NONE_FOUND:
        reason = f"none found in {finding.examples} runs (not a proof)"
        if finding.stopped_by is not None:
            reason += f"; {finding.stopped_by}"
    return {
        "id": finding.property_id,
        "meaning": finding.meaning,
        "verdict": finding.status,
        "examples": finding.examples,
        "requested_examples": examples,
        "steps": finding.steps,
        "seconds": round(finding.seconds, 3),
        "seconds_to_first": None
        if finding.first_seconds is None
        else round(finding.first_seconds, 3),
        "length": len(finding.trace) if finding.trace is not None else None,
        "shortened": finding.shortened if finding.trace is not None else None,
        "reason": reason,
        "stopped_by": finding.stopped_by,
        "interrupted": finding.interrupted,
        "cut_runs": finding.cut_runs,
        "trace": trace,
    }


def search_data(
    config: Config, clock: Clock, args: argparse.Namespace, findings: list[Finding]
) -> dict[str, Any]:
    return {
        "config": config.to_json(),
        "clock": {
            "mode": "client" if isinstance(clock, ClientClocks) else "write",
            "description": clock.describe(),
        },
        "seed": args.seed,
        "examples": args.examples,
        "steps": args.steps,
        "max_seconds": args.max_seconds,
        "complete": False,
        "stopped_by": next((f.stopped_by for f in findings if f.stopped_by), None),
        "properties": [finding_data(f, args.examples) for f in findings],
    }


def result_table(data: dict[str, Any]) -> str:
    rows = []
    for prop in data["properties"]:
        if prop["verdict"] == VIOLATED:
            shown = f"VIOLATED (run {prop['examples']})"
            if not prop["shortened"]:
                shown += " not fully shortened"
        elif prop["verdict"] == NONE_FOUND and prop["examples"] == 0 and prop["stopped_by"]:
            shown = f"not searched ({prop['stopped_by']})"
        elif prop["verdict"] == NONE_FOUND:
            shown = f"none found in {prop['examples']}"
            if prop["stopped_by"]:
                shown += f" ({prop['stopped_by']})"
        else:
            shown = prop["verdict"]
        length = "" if prop["length"] is None else prop["length"]
        rows.append((prop["id"], shown, length, prop["meaning"]))
    return tabulate(
        rows,
        headers=("property", "search", "trace", "meaning"),
        tablefmt="simple",
        disable_numparse=True,
    )


def _text(
    config: Config,
    clock: Clock,
    args: argparse.Namespace,
    findings: list[Finding],
    data: dict[str, Any],
) -> str:
    lines: list[str] = []
    steps = sum(f.steps for f in findings)
    seconds = sum(f.seconds for f in findings)
    lines.append(f"leaderless search: {config.describe()}")
    lines.append(
        f"{clock.describe()}; seed {args.seed}, up to {args.examples} runs per "
        f"property, {steps:,} model steps" + ("" if args.no_times else f" in {seconds:.1f} s")
    )
    lines.append("")
    lines.append(result_table(data))
    for finding, prop in zip(findings, data["properties"]):
        if prop["trace"] is not None:
            lines.append("")
            assert finding.model is not None
            if finding.model.config.drift != config.drift:
                lines.append(
                    f"(client clocks erred by up to {finding.model.config.drift}: the "
                    f"trace replays as MODEL.md with --drift "
                    f"{finding.model.config.drift})"
                )
            lines.append(trace_text(prop["trace"]))
    stopped = next((f.stopped_by for f in findings if f.stopped_by), None)
    if stopped is not None:
        lines.append(f"\n{stopped}: the search stopped early; what it found is above.")
    if any(f.status == VIOLATED and not f.shortened for f in findings):
        lines.append(
            "\nnot fully shortened: the search stopped while shortening; the trace "
            "is a real counterexample, perhaps not the shortest it would have found."
        )
    cut, runs = sum(f.cut_runs for f in findings), sum(f.examples for f in findings)
    if cut * 10 > runs:
        lines.append(
            f"\n{cut:,} of {runs:,} runs ended early: Hypothesis bounds what one run "
            "may draw; a lower --steps keeps runs within it."
        )
    if any(f.status == NONE_FOUND for f in findings):
        lines.append(
            "\nnone found is not holds: a search samples runs; "
            "`leaderless check` explores them all on small scopes."
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    clock = clock_from_args(args, config)
    model = search_model(config, clock)
    wanted = applicable_ids(args.require, "--require", model)
    if args.no_shrink and args.shrink_seconds is not None:
        raise UsageError(
            "--shrink-seconds bounds the shrinking that --no-shrink skips; give one of them"
        )
    OUTPUTS.check(args)
    printer = None if args.quiet else SearchProgressPrinter()
    findings = search(
        config,
        clock=clock,
        properties=wanted,
        examples=args.examples,
        steps=args.steps,
        seed=args.seed,
        shrink=not args.no_shrink,
        shrink_seconds=args.shrink_seconds or SHRINK_SECONDS,
        max_seconds=args.max_seconds,
        progress=printer,
    )
    if printer is not None:
        printer.done()
    data = search_data(config, clock, args, findings)
    OUTPUTS.emit(
        args,
        Results(
            "search",
            data,
            lambda: _text(config, clock, args, findings, data),
            traces={
                f.property_id: trace_data(f.model, f.trace)
                for f in findings
                if f.trace is not None and f.model is not None
            },
            times=not args.no_times,
        ),
    )
    sys.stdout.flush()
    return exit_code(f.status for f in findings)
