"""Bounded model checking in Z3: the shortest violation of each property within K steps.

Unrolls MODEL.md's transition relation K steps (proofs/symbolic.py) and asks, depth
by depth, for the shortest run that breaks each property; every trace is replayed
through the explicit model. With --k-induction, each property with no violation
within K is then proved for runs of every length, or shown not inductive with a
counterexample to induction. `linearizable` is not encoded: `leaderless check` has it.

  leaderless bmc --n 3 --w 1 --r 1 --clients w,r --depth 8
  leaderless bmc --n 5 --w 3 --r 3 --clients w,w,r,r --depth 6 --k-induction

Exit codes: 0 every encoded applicable property proved (needs --k-induction),
1 one is violated, 2 bad input, 3 otherwise (none within K, not inductive, unknown).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tabulate import tabulate

from checker.cli import EXIT_HOLDS, EXIT_INCONCLUSIVE, EXIT_VIOLATED, UsageError
from checker.commands.options import add_model_arguments, config_from_args, property_ids
from checker.render import to_json, trace_text
from checker.trace import normalize, trace_data
from model import ReplicationModel
from proofs.bmc import NONE_WITHIN, NOT_APPLICABLE, NOT_ENCODED_STATUS, VIOLATED, BmcResult, bmc
from proofs.kinduction import PROVED, KInduction, Prover, prove
from proofs.result import Proved, Unknown


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    search = parser.add_argument_group("bounded model checking")
    search.add_argument("--depth", type=int, required=True, metavar="K",
                        help="search runs of 0..K steps")
    search.add_argument("--properties", metavar="P1,P2",
                        help="check only these properties (default: all)")
    search.add_argument("--k-induction", action="store_true",
                        help="try to prove each property with no violation within K")
    search.add_argument("--max-k", type=int, default=2, metavar="N",
                        help="largest k for k-induction (default %(default)s)")
    search.add_argument("--timeout-ms", type=int, metavar="MS",
                        help="bound each Z3 call; past it the answer is unknown")
    out = parser.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="print everything as JSON")
    out.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    out.add_argument("--no-times", action="store_true",
                     help="leave timings out (stable output for tests and diffs)")


def _progress(depth: int, open_properties: int, seconds: float) -> None:
    print(f"  depth {depth}: {open_properties} properties open, {seconds:.1f} s",
          file=sys.stderr, flush=True)


def _check_limits(args: argparse.Namespace) -> None:
    if args.depth < 0:
        raise UsageError(f"--depth: {args.depth} is out of range; allowed >= 0")
    if args.max_k < 1:
        raise UsageError(f"--max-k: {args.max_k} is out of range; allowed >= 1")
    if args.timeout_ms is not None and args.timeout_ms < 1:
        raise UsageError(f"--timeout-ms: {args.timeout_ms} is out of range; allowed >= 1")


def exit_code(result: BmcResult, proofs: dict[str, KInduction]) -> int:
    checked = [v for v in result.verdicts if v.status not in (NOT_APPLICABLE, NOT_ENCODED_STATUS)]
    if any(v.status == VIOLATED for v in checked):
        return EXIT_VIOLATED
    if any(p.outcome == "refuted" for p in proofs.values()):
        return EXIT_VIOLATED
    if checked and all(v.property_id in proofs and proofs[v.property_id].outcome == PROVED
                       for v in checked):
        return EXIT_HOLDS
    return EXIT_INCONCLUSIVE


def _data(model: ReplicationModel, result: BmcResult, proofs: dict[str, KInduction],
          times: bool) -> dict[str, Any]:
    properties = []
    for verdict in result.verdicts:
        entry: dict[str, Any] = {"id": verdict.property_id, "bmc": verdict.status,
                                 "length": verdict.depth, "reason": verdict.reason}
        if times:
            entry["seconds"] = round(verdict.seconds, 3)
        entry["trace"] = (normalize(trace_data(model, verdict.trace))
                          if verdict.trace is not None else None)
        if verdict.property_id in proofs:
            entry["k_induction"] = proofs[verdict.property_id].to_json(model, times)
        properties.append(entry)
    data: dict[str, Any] = {"config": model.config_view(), "depth": result.bound}
    if times:
        data["seconds"] = round(result.seconds, 3)
    data["properties"] = properties
    return data


def _text(model: ReplicationModel, result: BmcResult, proofs: dict[str, KInduction],
          times: bool) -> str:
    lines = [f"leaderless bmc: {model.config.describe()}",
             f"unrolled {result.bound} steps" + (f" in {result.seconds:.2f} s" if times else "")]
    rows = []
    for v in result.verdicts:
        proof = proofs.get(v.property_id)
        shown = ("VIOLATED" if v.status == VIOLATED
                 else f"none within {result.bound}" if v.status == NONE_WITHIN else v.status)
        k_text = ""
        if proof is not None:
            k_text = proof.outcome + (f" (k={proof.k})" if proof.k is not None else "")
        row = [v.property_id, shown, "" if v.depth is None else v.depth, k_text]
        if times:
            spent = v.seconds + (proof.seconds if proof is not None else 0.0)
            row.append(f"{spent:.2f}" if v.status not in (NOT_APPLICABLE, NOT_ENCODED_STATUS)
                       else "")
        rows.append(row)
    headers = ["property", "bmc", "trace", "k-induction"] + (["seconds"] if times else [])
    lines += ["", tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)]
    for v in result.verdicts:
        if v.status == NOT_ENCODED_STATUS:
            lines.append(f"\n{v.property_id}: not encoded in Z3 ({v.reason})")
    for proof in proofs.values():
        if isinstance(proof.result, Proved):
            lines.append(f"\n{proof.property_id}: proved for all depths "
                         f"({proof.result.explanation})")
        elif isinstance(proof.result, Unknown):
            lines.append(f"\n{proof.property_id}: {proof.outcome}: {proof.result.reason}")
        if proof.dropped:
            dropped = ", ".join(f"{name} (broken by {action})" for name, action in proof.dropped)
            lines.append(f"  candidate invariants dropped: {dropped}")
    for v in result.verdicts:
        if v.trace is not None:
            lines += ["", trace_text(normalize(trace_data(model, v.trace)))]
    for proof in proofs.values():
        if proof.trace is not None:
            lines += ["", trace_text(normalize(trace_data(model, proof.trace)))]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    _check_limits(args)
    wanted = property_ids(args.properties, "--properties") if args.properties else None
    model = ReplicationModel(config)
    result = bmc(model, args.depth, wanted, args.timeout_ms,
                 progress=None if args.quiet else _progress)
    if result.bound < args.depth:
        print(f"bmc: interrupted; runs of at most {result.bound} steps were searched",
              file=sys.stderr)
    proofs: dict[str, KInduction] = {}
    if args.k_induction:
        prover = Prover(model, args.timeout_ms)
        for verdict in result.verdicts:
            if verdict.status == NONE_WITHIN:
                proofs[verdict.property_id] = prove(model, verdict.property_id, args.max_k,
                                                    args.timeout_ms, prover)
    times = not args.no_times
    if args.json:
        print(to_json(_data(model, result, proofs, times)))
    else:
        print(_text(model, result, proofs, times))
    sys.stdout.flush()
    return exit_code(result, proofs)
