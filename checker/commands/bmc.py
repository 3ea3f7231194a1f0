"""Bounded model checking in Z3: the shortest violation of each property within K steps.

Unrolls MODEL.md's transition relation K steps (proofs/symbolic.py) and asks, depth
by depth, for the shortest run that breaks each property; every trace is replayed
through the explicit model. With --k-induction, each property with no violation
within K is then proved for runs of every length, or shown not inductive with a
counterexample to induction. `linearizable` is not encoded: `leaderless check` has it.
Counterexamples take check's output options (--json, --mermaid, --itf, --html,
--history-out).

  leaderless bmc --n 3 --w 1 --r 1 --clients w,r --depth 8
  leaderless bmc --n 5 --w 3 --r 3 --clients w,w,r,r --depth 6 --k-induction \
      --require stale-read,lww-order,convergence,availability

Required properties: those --require names (repeat it or separate ids by commas), else
every applicable one.
Exit codes: 0 every required property proved (needs --k-induction), 1 one is
violated, 2 bad input, 3 otherwise (none within K, not inductive, unknown, not
encoded, --max-seconds, --max-memory, Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tabulate import tabulate

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.options import (
    FLAGS,
    add_model_arguments,
    add_no_times,
    add_property_list_argument,
    applicable_ids,
    config_from_args,
)
from leaderless.checker.commands.outputs import Outputs, Results
from leaderless.checker.commands.solver_options import add_solver_limits
from leaderless.checker.mermaid import mermaid_block
from leaderless.checker.outcome import exit_code
from leaderless.checker.render import markdown_table, markdown_text, trace_text
from leaderless.checker.trace import normalize, trace_data
from leaderless.model import CATALOGUE, ReplicationModel
from leaderless.proofs.bmc import (
    NONE_WITHIN,
    NOT_APPLICABLE,
    NOT_ENCODED_STATUS,
    VIOLATED,
    BmcResult,
    bmc,
)
from leaderless.proofs.kinduction import KInduction, Prover, prove
from leaderless.proofs.result import Proved, Unknown
from leaderless.proofs.solve import ctrl_c_outside_z3
from leaderless.proofs.symbolic import NotEncoded, refuse_unencoded

# Beyond this many steps an unrolling or an induction step is past what Z3 answers
# in any useful time on the smallest model; a larger number is a typo.
MAX_DEPTH = 1000
# The encoding has one Invoke instance per clock offset in -D..D: at D = 1000 three
# steps of the smallest model take about 20 s to build and solve.
MAX_DRIFT = 1000


OUTPUTS = Outputs("json", "mermaid", "itf", "history_out", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    search = parser.add_argument_group("bounded model checking")
    search.add_argument(
        "--depth", type=int, required=True, metavar="K", help="search runs of 0..K steps"
    )
    add_property_list_argument(
        search,
        "--require",
        "check only these properties, all required for exit code 0 (default: every applicable one)",
    )
    search.add_argument(
        "--k-induction",
        action="store_true",
        help="try to prove each property with no violation within K",
    )
    search.add_argument(
        "--max-k",
        type=int,
        default=2,
        metavar="N",
        help="largest k for k-induction (default %(default)s)",
    )
    add_solver_limits(search)
    out = parser.add_argument_group("output")
    OUTPUTS.add_arguments(out)
    out.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    add_no_times(out)


def _progress(depth: int, open_properties: int, seconds: float) -> None:
    print(
        f"  depth {depth}: {open_properties} "
        f"{'property' if open_properties == 1 else 'properties'} open, {seconds:.1f} s",
        file=sys.stderr,
        flush=True,
    )


def _check_limits(args: argparse.Namespace) -> None:
    if not 0 <= args.depth <= MAX_DEPTH:
        raise UsageError(f"--depth: {args.depth} is out of range; allowed 0..{MAX_DEPTH}")
    if not 1 <= args.max_k <= MAX_DEPTH:
        raise UsageError(f"--max-k: {args.max_k} is out of range; allowed 1..{MAX_DEPTH}")
    if args.drift > MAX_DRIFT:
        raise UsageError(
            f"--drift: {args.drift} is more than the Z3 encoding can hold (one "
            f"Invoke per clock offset); the largest is {MAX_DRIFT}"
        )


def outcome(result: BmcResult, proofs: dict[str, KInduction], property_id: str) -> str:
    """A property's outcome: k-induction's where it was attempted (it runs only on
    what BMC left open), else BMC's. Only `proved` counts as holding: a property not
    encoded in Z3 was never checked, so it can only be inconclusive."""
    proof = proofs.get(property_id)
    return proof.outcome if proof is not None else result.verdict(property_id).status


def _data(
    model: ReplicationModel, result: BmcResult, proofs: dict[str, KInduction], times: bool
) -> dict[str, Any]:
    properties = []
    for verdict in result.verdicts:
        entry: dict[str, Any] = {
            "id": verdict.property_id,
            "verdict": outcome(result, proofs, verdict.property_id),
            "bmc": verdict.status,
            "length": verdict.depth,
            "reason": verdict.reason,
        }
        if times:
            entry["seconds"] = round(verdict.seconds, 3)
        entry["trace"] = (
            normalize(trace_data(model, verdict.trace)) if verdict.trace is not None else None
        )
        if verdict.property_id in proofs:
            entry["k_induction"] = proofs[verdict.property_id].to_json(model, times)
        properties.append(entry)
    stopped_by = result.stopped_by or next(
        (proof.stopped_by for proof in proofs.values() if proof.stopped_by), None
    )
    data: dict[str, Any] = {
        "config": model.config_view(),
        "depth": result.bound,
        "complete": stopped_by is None,
        "stopped_by": stopped_by,
    }
    if times:
        data["seconds"] = round(result.seconds, 3)
    data["properties"] = properties
    return data


def _counterexamples(
    model: ReplicationModel, result: BmcResult, proofs: dict[str, KInduction]
) -> dict[str, dict[str, Any]]:
    """Each real violation found, by property (BMC's, then a k-induction base case's),
    as `trace_data` gives it: what the text, --itf, --html and --mermaid show."""
    found = {v.property_id: v.trace for v in result.verdicts if v.trace is not None}
    found |= {p.property_id: p.trace for p in proofs.values() if p.trace is not None}
    return {property_id: trace_data(model, trace) for property_id, trace in found.items()}


def _summary(
    model: ReplicationModel, result: BmcResult, proofs: dict[str, KInduction], times: bool
) -> tuple[list[str], list[str], list[list[Any]], list[str]]:
    """The report's opening lines, its table (headers, rows) and its notes."""
    intro = [
        f"leaderless bmc: {model.config.describe()}",
        (
            f"unrolled {result.bound} steps"
            if result.bound >= 0
            else "interrupted before any run was searched"
        )
        + (f" in {result.seconds:.2f} s" if times else ""),
    ]
    rows = []
    for v in result.verdicts:
        proof = proofs.get(v.property_id)
        shown = (
            "VIOLATED"
            if v.status == VIOLATED
            else f"none within {result.bound}"
            if v.status == NONE_WITHIN
            else v.status
        )
        k_text = ""
        if proof is not None:
            k_text = proof.outcome + (f" (k={proof.k})" if proof.k is not None else "")
        row = [v.property_id, shown, "" if v.depth is None else v.depth, k_text]
        if times:
            spent = v.seconds + (proof.seconds if proof is not None else 0.0)
            row.append(
                f"{spent:.2f}" if v.status not in (NOT_APPLICABLE, NOT_ENCODED_STATUS) else ""
            )
        rows.append(row)
    headers = ["property", "bmc", "trace", "k-induction"] + (["seconds"] if times else [])
    notes = []
    for v in result.verdicts:
        if v.status == NOT_ENCODED_STATUS:
            notes.append(f"\n{v.property_id}: not encoded in Z3 ({v.reason})")
    for proof in proofs.values():
        if isinstance(proof.result, Proved):
            notes.append(
                f"\n{proof.property_id}: proved for all depths ({proof.result.explanation})"
            )
        elif isinstance(proof.result, Unknown):
            notes.append(f"\n{proof.property_id}: {proof.outcome}: {proof.result.reason}")
        if proof.dropped:
            dropped = ", ".join(f"{name} (broken by {action})" for name, action in proof.dropped)
            notes.append(f"  candidate invariants dropped: {dropped}")
    return intro, headers, rows, notes


def _text(
    summary: tuple[list[str], list[str], list[list[Any]], list[str]],
    traces: dict[str, dict[str, Any]],
) -> str:
    intro, headers, rows, notes = summary
    lines = [*intro, "", tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)]
    lines += notes
    for trace in traces.values():
        lines += ["", trace_text(normalize(trace))]
    return "\n".join(lines)


def _markdown(
    summary: tuple[list[str], list[str], list[list[Any]], list[str]],
    traces: dict[str, dict[str, Any]],
    note: str,
) -> str:
    """The text report as GitHub Markdown, each trace a Mermaid diagram, to paste into
    an issue."""
    intro, headers, rows, notes = summary
    parts = [markdown_text(line) for line in intro]
    parts.append(markdown_table(headers, [[str(cell) for cell in row] for row in rows]))
    parts += [markdown_text(line) for line in notes]
    parts += [mermaid_block(normalize(trace)) for trace in traces.values()]
    if note:
        parts.append(markdown_text(note))
    return "\n\n".join(parts)


def _html_report(
    model: ReplicationModel,
    result: BmcResult,
    proofs: dict[str, KInduction],
    data: dict[str, Any],
    traces: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """What --html draws: each property's outcome, and its counterexample if any."""
    meanings = {prop.id: prop.meaning for prop in CATALOGUE}
    properties = []
    for v in result.verdicts:
        proof = proofs.get(v.property_id)
        attempt = proof.result if proof is not None else None
        reason = v.reason
        if isinstance(attempt, Unknown):
            reason = attempt.reason
        elif attempt is not None:
            reason = attempt.explanation
        trace = traces.get(v.property_id)
        properties.append(
            {
                "id": v.property_id,
                "meaning": meanings[v.property_id],
                "verdict": outcome(result, proofs, v.property_id),
                "length": trace["length"] if trace is not None else None,
                "reason": reason,
                "trace": normalize(trace) if trace is not None else None,
            }
        )
    return {**data, "properties": properties}


def _k_induction(
    model: ReplicationModel, result: BmcResult, args: argparse.Namespace
) -> dict[str, KInduction]:
    """Prove each property BMC left open; one Ctrl-C or limit ends every attempt."""
    proofs: dict[str, KInduction] = {}
    prover = Prover(model, args.timeout_ms)
    open_ids = [v.property_id for v in result.verdicts if v.status == NONE_WITHIN]
    for number, property_id in enumerate(open_ids):
        proof = prove(model, property_id, args.max_k, args.timeout_ms, prover)
        proofs[property_id] = proof
        if proof.interrupted:
            rest = ", ".join(open_ids[number + 1 :]) or "none"
            print(
                f"bmc: {proof.stopped_by} during k-induction of {property_id}; "
                f"not attempted: {rest}",
                file=sys.stderr,
            )
            break
    return proofs


def _not_encoded_note(result: BmcResult, required: list[str]) -> str:
    missing = [p for p in required if result.verdict(p).status == NOT_ENCODED_STATUS]
    if not missing:
        return ""
    return (
        f"\n{', '.join(missing)}: required but not encoded in Z3, so this run cannot "
        "exit 0; check it with `leaderless check`, or leave it out with --require"
    )


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    _check_limits(args)
    OUTPUTS.check(args)
    model = ReplicationModel(config)
    required = applicable_ids(args.require, "--require", model)
    wanted = required if args.require else None
    try:
        refuse_unencoded(config)
    except NotEncoded as error:
        if error.options:
            flags = " and ".join(FLAGS[option] for option in error.options)
            raise UsageError(
                f"bmc: {flags} is not encoded symbolically ({error.args[0].split(' (')[0]}); "
                "check and search explore it"
            ) from None
        raise UsageError(f"bmc: {error}; check and search explore it") from None
    with ctrl_c_outside_z3(args.max_seconds, args.max_memory):
        result = bmc(
            model, args.depth, wanted, args.timeout_ms, progress=None if args.quiet else _progress
        )
        proofs: dict[str, KInduction] = {}
        if result.interrupted:
            searched = (
                f"runs of at most {result.bound} steps were searched"
                if result.bound >= 0
                else "no run was searched"
            )
            print(
                f"bmc: {result.stopped_by}; {searched}"
                + ("; k-induction not attempted" if args.k_induction else ""),
                file=sys.stderr,
            )
        elif args.k_induction:
            proofs = _k_induction(model, result, args)
    times = not args.no_times
    data = _data(model, result, proofs, times)
    traces = _counterexamples(model, result, proofs)
    summary = _summary(model, result, proofs, times)
    note = _not_encoded_note(result, required)
    OUTPUTS.emit(
        args,
        Results(
            "bmc",
            data,
            lambda: _text(summary, traces) + note,
            traces=traces,
            times=times,
            markdown=lambda: _markdown(summary, traces, note.strip()),
            html_report=_html_report(model, result, proofs, data, traces),
        ),
    )
    sys.stdout.flush()
    return exit_code(outcome(result, proofs, p) for p in required)
