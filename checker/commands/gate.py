"""Run a gate file's scenarios and fail CI when a guarantee it relies on breaks.

Each scenario names what must hold (require) and the known weaknesses that must stay
visible (expect_violated; one that starts holding fails the gate, so the file is
updated to match). Cassandra-style scenarios (replication, read and write levels) are
always proved with Z3 (`quorum-overlap`) and explored where the model can express them.

Exit codes: 0 every expectation is met, 1 one is not, 2 the file or the command is
wrong, 3 something is inconclusive (a limit cut a search short, or Z3 gave up).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from tabulate import tabulate

from leaderless.checker.cli import UsageError
from leaderless.checker.cluster import Cluster
from leaderless.checker.commands.check import cluster_from, explore_config
from leaderless.checker.commands.gate_file import (
    QUORUM_OVERLAP,
    GateError,
    Scenario,
    in_toml_words,
    load_gate,
)
from leaderless.checker.commands.gate_history import (
    history_not_run,
    load_history_checks,
    run_history_check,
)
from leaderless.checker.commands.options import (
    add_cluster_argument,
    add_kernel_argument,
    add_no_times,
    add_reduction_argument,
    add_workers_argument,
    default_memory_ceiling,
)
from leaderless.checker.commands.outputs import CONFIG_NAMES, Outputs, Results
from leaderless.checker.commands.pbs import scenario_cluster, staleness_checks
from leaderless.checker.explorer import HOLDS, INCONCLUSIVE, INTERRUPTED, VIOLATED
from leaderless.checker.gate_report import FAIL, PASS
from leaderless.checker.html import render_html_sections
from leaderless.checker.outcome import exit_code
from leaderless.checker.render import VACUOUS, exploration_data, trace_text, vacuous
from leaderless.proofs.topology import prove_config_overlap, prove_topology

_OVERLAP_VERDICTS = {"proved": HOLDS, "refuted": VIOLATED, "unknown": INCONCLUSIVE}


OUTPUTS = Outputs(
    "json",
    "junit",
    "markdown",
    "html",
    help={
        "json": "print the results as JSON",
        "html": "write an HTML report: the summary, then every explored scenario with "
        "its counterexamples",
    },
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", nargs="?", default="leaderless.toml", help="the gate file (default leaderless.toml)"
    )
    OUTPUTS.add_arguments(parser)
    add_no_times(parser)
    add_workers_argument(parser)
    add_cluster_argument(parser)
    add_reduction_argument(parser)
    add_kernel_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _outcome(expected: str, verdict: str) -> str:
    if verdict == INCONCLUSIVE:
        return INCONCLUSIVE
    return PASS if verdict == expected else FAIL


def _overlap_check(scenario: Scenario) -> dict[str, Any]:
    if (
        scenario.topology is not None
        and scenario.read_level is not None
        and scenario.write_level is not None
    ):
        result = prove_topology(
            scenario.topology, scenario.read_level, scenario.write_level, scenario.sloppy
        )
    else:
        # Numeric quorums, or the model's own datacenters and levels.
        result = prove_config_overlap(scenario.model_config)
    data = result.to_json(times=False)
    reason = data.get("explanation") or data.get("reason") or ""
    details = reason
    if "witness" in data:
        details = f"{reason}\nwitness: {json.dumps(data['witness'])}"
    return {
        "verdict": _OVERLAP_VERDICTS[result.verdict],
        "length": None,
        "reason": reason,
        "details": details,
        "proof": data,
    }


def describe(scenario: Scenario) -> str:
    if scenario.topology is None:
        return scenario.model_config.describe()
    dcs = ", ".join(f"{dc.name}={len(dc.replicas)}" for dc in scenario.topology.datacenters)
    text = f"replication {dcs}; read {scenario.read_level}, write {scenario.write_level}"
    if scenario.sloppy:
        text += " (sloppy quorum: hints count toward the write level, as in Dynamo and Riak)"
    if scenario.config is not None:
        text += f"; model {scenario.config.describe()}"
    return text


def run_scenario(
    scenario: Scenario,
    quiet: bool,
    workers: int | None = None,
    reduction: str = "off",
    ray_cluster: Cluster | None = None,
    kernel: str = "auto",
) -> tuple[dict[str, Any], dict | None]:
    """The scenario's checks with their outcomes, and its exploration report (if any)."""
    started = time.monotonic()
    found: dict[str, dict[str, Any]] = {}
    report = None
    # A Cassandra scenario is always proved with Z3, asked for or not: its levels are
    # what the gate file is about, and the model may not express them.
    if QUORUM_OVERLAP in scenario.checks or scenario.topology is not None:
        found[QUORUM_OVERLAP] = _overlap_check(scenario)
    if any(check != QUORUM_OVERLAP for check in scenario.checks):
        model, exploration = explore_config(
            scenario.model_config,
            symmetry=scenario.symmetry,
            max_states=scenario.max_states,
            max_seconds=scenario.max_seconds,
            max_memory=scenario.max_memory,
            quiet=quiet,
            workers=workers,
            reduction=reduction,
            cluster=ray_cluster,
            kernel=kernel,
        )
        report = exploration_data(model, exploration)
        for prop in report["properties"]:
            trace = prop["trace"]
            # The explorer names its limits as check's flags; here they are the file's keys.
            reason = (
                in_toml_words(prop["reason"]) if prop["reason"] and not trace else prop["reason"]
            )
            found[prop["id"]] = {
                "verdict": prop["verdict"],
                "length": prop["length"],
                "reason": reason,
                "details": trace_text(trace) if trace else reason,
                "reached": prop["reached"],
                "situation": prop["situation"],
            }
    checks = []
    for check in scenario.checks:
        expected = HOLDS if check in scenario.require else VIOLATED
        result = found[check]
        outcome = _outcome(expected, result["verdict"])
        details = result["details"]
        if outcome == FAIL and expected == VIOLATED:
            details = (
                f"{check} was expected to be violated but holds: the known weakness "
                "is gone; move it from expect_violated to require"
            )
        checks.append(
            {
                "id": check,
                "expected": expected,
                "verdict": result["verdict"],
                "outcome": outcome,
                "length": result["length"],
                "reason": result["reason"],
                "details": details,
                **({"proof": result["proof"]} if "proof" in result else {}),
                **({k: result[k] for k in ("reached", "situation")} if "reached" in result else {}),
            }
        )
    if scenario.staleness is not None:
        # PBS bounds (require_visibility, ...): exact or sampled, each a required check.
        cluster = scenario_cluster(
            scenario.config, scenario.topology, scenario.read_level, scenario.write_level
        )
        for bound in staleness_checks(
            scenario.staleness,
            cluster,
            scenario.max_seconds,
            scenario.max_memory if scenario.max_memory is not None else default_memory_ceiling(),
            quiet,
        ):
            checks.append(
                {**bound, "expected": HOLDS, "outcome": _outcome(HOLDS, bound["verdict"])}
            )
    summary = {
        "name": scenario.name,
        "description": describe(scenario),
        "config": scenario.config.to_json() if scenario.config else None,
        "model_note": scenario.model_note,
        "seconds": round(time.monotonic() - started, 3),
        "checks": checks,
    }
    if scenario.topology is not None:
        overlap = found[QUORUM_OVERLAP]
        summary["quorum_overlap"] = {"verdict": overlap["verdict"], "reason": overlap["reason"]}
    if report is not None:
        summary["exploration"] = {
            k: report[k]
            for k in ("states", "transitions", "depth", "complete", "stopped_by", "symmetry")
        }
    return summary, report


def not_run(scenario: Scenario, reason: str) -> dict[str, Any]:
    """A scenario left out: every check inconclusive, for the reason given."""
    checks = [
        {
            "id": check,
            "expected": HOLDS if check in scenario.require else VIOLATED,
            "verdict": INCONCLUSIVE,
            "outcome": INCONCLUSIVE,
            "length": None,
            "reason": reason,
            "details": reason,
        }
        for check in scenario.checks
    ]
    checks += [
        {
            "id": check,
            "expected": HOLDS,
            "verdict": INCONCLUSIVE,
            "outcome": INCONCLUSIVE,
            "length": None,
            "reason": reason,
            "details": reason,
        }
        for check in (scenario.staleness.ids if scenario.staleness else ())
    ]
    return {
        "name": scenario.name,
        "description": describe(scenario),
        "config": scenario.config.to_json() if scenario.config else None,
        "model_note": scenario.model_note,
        "seconds": 0.0,
        "checks": checks,
    }


def _text(
    file: str, table: tuple[list[str], list[list[str]]], summaries: list[dict[str, Any]]
) -> str:
    headers, rows = table
    outcomes = [c["outcome"] for s in summaries for c in s["checks"]]
    lines: list[str] = []
    lines.append(f"leaderless gate: {file}")
    lines.append(tabulate(rows, headers=headers, disable_numparse=True))
    for summary in summaries:
        overlap = summary.get("quorum_overlap")
        if overlap is not None and not any(c["id"] == QUORUM_OVERLAP for c in summary["checks"]):
            finding = {
                HOLDS: "read and write quorums always overlap",
                VIOLATED: "read and write quorums may miss each other",
            }.get(
                overlap["verdict"],
                "Z3 could not decide whether read and write quorums always overlap",
            )
            lines.append(f"\n{summary['name']}: Z3 topology proof: {finding} ({overlap['reason']})")
    for summary in summaries:
        for check in summary["checks"]:
            if check["outcome"] != PASS:
                lines.append(f"\n{summary['name']}: {check['id']} {check['outcome'].upper()}")
                lines.append(check["details"] or check["reason"])
            elif vacuous(check):
                lines.append(f"\n{summary['name']}: {check['id']} {VACUOUS}")
                lines.append(f"no explored state was in its situation: {check['situation']}")
    passed = outcomes.count(PASS)
    lines.append(
        f"\n{passed} passed, {outcomes.count(FAIL)} failed, "
        f"{outcomes.count(INCONCLUSIVE)} inconclusive"
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        scenarios = load_gate(args.file)
        histories = load_history_checks(args.file)
    except GateError as error:
        raise UsageError(str(error)) from None
    OUTPUTS.check(args)
    summaries = []
    reports: list[dict | None] = []
    interrupted = False
    with cluster_from(args) as ray_cluster:
        for scenario in scenarios:
            if interrupted:
                summaries.append(not_run(scenario, f"not run: the gate was {INTERRUPTED}"))
                reports.append(None)
                continue
            if not args.quiet:
                print(f"gate: {scenario.name}", file=sys.stderr)
            summary, report = run_scenario(
                scenario, args.quiet, args.workers, args.reduction, ray_cluster, args.kernel
            )
            summaries.append(summary)
            reports.append(report)
            # One Ctrl-C stops the gate, not just the scenario it lands in.
            interrupted = summary.get("exploration", {}).get("stopped_by") == INTERRUPTED
    for entry in histories:
        if interrupted:
            summaries.append(history_not_run(entry, f"not run: the gate was {INTERRUPTED}"))
        else:
            if not args.quiet:
                print(f"gate: {entry.name}", file=sys.stderr)
            summaries.append(run_history_check(entry))
            interrupted = summaries[-1]["history"]["stopped_by"] == INTERRUPTED
        reports.append(None)
    outcomes = [c["outcome"] for s in summaries for c in s["checks"]]
    code = exit_code(outcomes)
    results = {"file": args.file, "exit_code": code, "scenarios": summaries}
    headers = ["scenario", "property", "expected", "verdict", "result"]
    rows = []
    for summary in summaries:
        for check in summary["checks"]:
            verdict = check["verdict"].upper() if check["verdict"] == VIOLATED else check["verdict"]
            if vacuous(check):
                verdict = VACUOUS
            if check["length"] is not None:
                verdict += f" ({check['length']})"
            rows.append(
                [
                    summary["name"],
                    check["id"],
                    check["expected"],
                    verdict,
                    check["outcome"].upper() if check["outcome"] == FAIL else check["outcome"],
                ]
            )
    sections = [
        (f"{s['name']}: {s['description']}", r) for s, r in zip(summaries, reports) if r is not None
    ]
    OUTPUTS.emit(
        args,
        Results(
            "gate",
            results,
            lambda: _text(args.file, (headers, rows), summaries),
            times=not args.no_times,
            html_page=lambda: render_html_sections(
                f"leaderless gate: {args.file}", (headers, rows), sections, CONFIG_NAMES
            ),
        ),
    )
    return code
