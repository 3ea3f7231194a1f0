"""Check a recorded history (Jepsen EDN, Porcupine's logs, or JSON lines) against the model's guarantees.

Reads the operations a real system (or a test harness) recorded and gives each
property a verdict, per key: linearizable (read/write/cas register, Wing and Gong
search with Lowe's memoisation), and stale-read, read-your-writes and monotonic-reads
per process, with the meanings of `leaderless check`, and aborted-read: a read of a
write that definitely failed. Each violation comes with a small witness: operations
that already break the property.

Formats (detected, or named with --format): jsonl (one event per line, see the
README), edn (Jepsen's history.edn, independent keys as [key value] tuples),
porcupine-etcd (Jepsen's etcd log lines, as in Porcupine's test data), porcupine-kv
(Porcupine's key-value logs). FILE may be - for standard input.

Exit codes: 0 every property checked holds (or is n/a), 1 one is violated, 2 bad
input, 3 one is inconclusive (--max-seconds or Ctrl-C stopped it; never reported as
holding), or a property named with --require is n/a.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from leaderless.checker.cli import UsageError
from leaderless.checker.commands.options import (
    add_no_times,
    add_property_list_argument,
    positive_seconds,
    property_ids,
)
from leaderless.checker.outcome import exit_code
from leaderless.checker.render import check_outputs, write_output
from leaderless.checker.reports import report_json
from leaderless.checker.timeline import render_timeline, timeline_data
from leaderless.model.history import (
    FORMATS,
    HISTORY_PROPERTIES,
    Budget,
    HistoryError,
    check_history,
    parse,
)
from leaderless.model.history.check import HOLDS, NOT_APPLICABLE, UNKNOWN, VIOLATED, Report
from leaderless.model.history.export import history_from_trace, to_jsonl
from leaderless.model.history.records import (
    CAS,
    FAIL,
    INFO,
    OK,
    READ,
    SINGLE_KEY,
    History,
    Op,
    show,
)

_FORMAT_NAMES = {
    "jsonl": "JSON lines",
    "edn": "Jepsen EDN",
    "porcupine-etcd": "Porcupine etcd log",
    "porcupine-kv": "Porcupine key-value log",
}
_PROGRESS_AFTER = 1.0  # seconds between progress lines; quick checks print none


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the recorded history (- for stdin)")
    parser.add_argument("--format", choices=FORMATS, help="the history's format (default: detect)")
    add_property_list_argument(
        parser,
        "--require",
        "properties to check, all required for exit code 0 (default: "
        f"every one that applies of {','.join(HISTORY_PROPERTIES)})",
    )
    parser.add_argument(
        "--max-seconds",
        type=positive_seconds,
        metavar="S",
        help="stop searching after S seconds (what is undecided is inconclusive)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    add_no_times(parser)
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="write a timeline of the operations (violations marked) as HTML",
    )


def run(args: argparse.Namespace) -> int:
    properties = _properties(args.require)
    check_outputs(html=args.html)
    history = _read(args.file, args.format)
    interrupted: list[bool] = []
    progress = None if args.quiet else _ProgressLine()
    previous = signal.signal(signal.SIGINT, lambda *_: _on_interrupt(interrupted, previous))
    try:
        started = time.monotonic()
        report = check_history(
            history,
            properties,
            Budget(args.max_seconds, cancelled=lambda: bool(interrupted)),
            progress,
        )
        seconds = time.monotonic() - started
    finally:
        signal.signal(signal.SIGINT, previous)
        if progress is not None:
            progress.done()
    data = report_data(report, args.file, seconds)
    data["exit_code"] = exit_code(required_outcomes(data, named=args.require is not None))
    if args.html is not None:
        write_output(args.html, history_html(report, data), "--html")
    if args.json:
        print(report_json("history", data, times=not args.no_times))
    else:
        print(report_text(data, times=not args.no_times))
    sys.stdout.flush()
    return data["exit_code"]


def _on_interrupt(interrupted: list[bool], previous: Any) -> None:
    # The first Ctrl-C stops the search and keeps what is known; a second one quits.
    interrupted.append(True)
    signal.signal(signal.SIGINT, previous)


def required_outcomes(data: dict[str, Any], named: bool = False) -> list[str]:
    """Every verdict; an n/a one only for a property named with --require (one that
    cannot apply to what was recorded is no failure unless asked for)."""
    verdicts = [p["verdict"] for p in data["properties"]]
    return [v for v in verdicts if named or v != NOT_APPLICABLE]


def _properties(given: list[str] | None) -> tuple[str, ...]:
    if given is None:
        return HISTORY_PROPERTIES
    wanted = property_ids(given, "--require", known=HISTORY_PROPERTIES)
    return tuple(p for p in HISTORY_PROPERTIES if p in wanted)


def _read(file: str, source_format: str | None) -> History:
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{file}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{file}: not a text file (expected UTF-8)") from None
    try:
        return parse(text, source_format)
    except HistoryError as error:
        raise UsageError(f"{file}: {error}") from None


class _ProgressLine:
    """Progress on stderr once a check has run a while; on a terminal it rewrites itself."""

    def __init__(self) -> None:
        self.stream = sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.next_at = _PROGRESS_AFTER
        self.printed = False

    def __call__(self, message: str) -> None:
        seconds = time.monotonic() - self.started
        if seconds < self.next_at:
            return
        self.next_at = seconds + _PROGRESS_AFTER
        line = f"  {message}  {seconds:.0f} s"
        self.stream.write(("\r" + line + "\033[K") if self.tty else line + "\n")
        self.stream.flush()
        self.printed = True

    def done(self) -> None:
        if self.printed and self.tty:
            self.stream.write("\n")
            self.stream.flush()


# Plain data: what every output shows.


def report_data(report: Report, file: str, seconds: float) -> dict[str, Any]:
    history = report.history
    ops = {op.index: op for op in history.ops}
    properties = []
    for prop in report.properties:
        keys = []
        for verdict in prop.keys:
            entry = {
                "key": _json(verdict.key),
                "verdict": verdict.verdict,
                "reason": verdict.reason or None,
                "violations": verdict.violations,
                "witness": [op_data(ops[i]) for i in verdict.witness],
            }
            if prop.id == "linearizable":
                entry["witness_minimal"] = verdict.witness_minimal
                entry["linearization"] = list(verdict.linearization)
                entry["breaks_at"] = verdict.breaks_at
            keys.append(entry)
        properties.append(
            {"id": prop.id, "meaning": prop.meaning, "verdict": prop.verdict, "keys": keys}
        )
    statuses = [op.status for op in history.ops]
    return {
        "file": file,
        "format": history.source_format,
        "events": history.events,
        "operations": len(history.ops),
        "failed": statuses.count(FAIL),
        "unknown_outcome": statuses.count(INFO),
        "keys": len(history.keys()),
        "processes": len(history.processes()),
        "initial": _json(history.initial),
        "seconds": round(seconds, 3),
        "complete": report.stopped_by is None,
        "stopped_by": report.stopped_by,
        "properties": properties,
        "history": [op_data(op) for op in history.ops],
    }


def op_data(op: Op) -> dict[str, Any]:
    return {
        "index": op.index,
        "process": op.process,
        "f": op.f,
        "key": _json(op.key),
        "value": _json(op.value),
        "type": op.status,
        "invoked": op.invoked,
        "completed": op.completed,
        "swapped": op.swapped,
        "description": op.describe(),
    }


def _json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


# Words.


def report_text(data: dict[str, Any], times: bool = True) -> str:
    lines = [
        (
            f"leaderless history {data['file']}: {_FORMAT_NAMES[data['format']]}, "
            f"{data['events']:,} events, {data['operations']:,} operations "
            f"({data['failed']} failed, {data['unknown_outcome']} with unknown outcome), "
            f"{data['keys']} {'key' if data['keys'] == 1 else 'keys'}, "
            f"{data['processes']} processes"
        ),
        "checked"
        + (f" in {data['seconds']:.2f} s" if times else "")
        + ("" if data["complete"] else f"; stopped by {data['stopped_by']}"),
        "",
    ]
    width = max(len(p["id"]) for p in data["properties"])
    lines.append(f"{'property':<{width}}  {'verdict':<12}  {'keys':<22}  meaning")
    lines.append(f"{'-' * width}  {'-' * 12}  {'-' * 22}  {'-' * 7}")
    for prop in data["properties"]:
        shown = "VIOLATED" if prop["verdict"] == VIOLATED else prop["verdict"]
        lines.append(
            f"{prop['id']:<{width}}  {shown:<12}  {_key_counts(prop):<22}  {prop['meaning']}"
        )
    not_applicable: dict[str, list[str]] = {}
    for prop in data["properties"]:
        if prop["verdict"] == NOT_APPLICABLE:
            not_applicable.setdefault(_first_reason(prop), []).append(prop["id"])
    for reason, ids in not_applicable.items():
        lines += ["", f"{', '.join(ids)} {'is' if len(ids) == 1 else 'are'} n/a: {reason}"]
    for prop in data["properties"]:
        reasons = [k for k in prop["keys"] if k["verdict"] in (VIOLATED, UNKNOWN)]
        for key in reasons:
            lines += [
                "",
                f"{prop['id']} {key['verdict']}{_on_key(data, key['key'])}: {key['reason']}",
            ]
            if key["violations"] > 1:
                lines.append(f"  ({key['violations']} violations on this key; the first is shown)")
            if key["witness"]:
                lines.append(
                    f"  witness ({len(key['witness'])} operations; event numbers "
                    "from invocation to completion):"
                )
                lines += [f"    {_span(op):>13}  {op['description']}" for op in key["witness"]]
    return "\n".join(lines)


def _key_counts(prop: dict[str, Any]) -> str:
    keys = prop["keys"]
    if len(keys) == 1:
        return "-"
    counts = {
        v: sum(1 for k in keys if k["verdict"] == v)
        for v in (VIOLATED, UNKNOWN, HOLDS, NOT_APPLICABLE)
    }
    shown = [f"{n} {v}" for v, n in counts.items() if n]
    return ", ".join(shown)


def _first_reason(prop: dict[str, Any]) -> str:
    reasons = sorted({k["reason"] for k in prop["keys"] if k["reason"]})
    more = f" (and {len(reasons) - 1} other reasons on other keys)" if len(reasons) > 1 else ""
    return (reasons[0] if reasons else "no key to check") + more


def _on_key(data: dict[str, Any], key: Any) -> str:
    return "" if data["keys"] == 1 and key is SINGLE_KEY else f" on key {show(key)}"


def _span(op: dict[str, Any]) -> str:
    end = "…" if op["type"] == INFO or op["completed"] is None else str(op["completed"] + 1)
    return f"[{op['invoked'] + 1}, {end}]"


# The timeline.


def history_html(report: Report, data: dict[str, Any]) -> str:
    """Timelines of the keys with a violation or an inconclusive check (all keys, up to
    a few, when everything holds)."""
    history = report.history
    groups = history.by_key()
    marked: dict[Hashable, dict[str, Any]] = {}
    for prop in report.properties:
        for verdict in prop.keys:
            if verdict.verdict not in (VIOLATED, UNKNOWN):
                continue
            section = marked.setdefault(verdict.key, {"witness": set(), "verdicts": []})
            section["witness"] |= set(verdict.witness)
            section["verdicts"].append(f"{prop.id}: {verdict.verdict}: {verdict.reason}")
            if prop.id == "linearizable":
                section["linearization"] = verdict.linearization
                section["breaks_at"] = verdict.breaks_at
    shown = list(marked) or history.keys()[:5]
    timelines = []
    for key in shown:
        quiet = "every property checked holds or is n/a on this key"
        section = marked.get(key, {"witness": set(), "verdicts": [quiet]})
        lin = next(
            (
                v
                for p in report.properties
                if p.id == "linearizable"
                for v in p.keys
                if v.key == key
            ),
            None,
        )
        section.setdefault("linearization", lin.linearization if lin else ())
        section["title"] = "the register" if key is SINGLE_KEY else f"key {show(key)}"
        timelines.append(timeline_data([_bar(op) for op in groups[key]], section))
    summary = [
        report_text(data).splitlines()[0],
        "verdicts: " + ", ".join(f"{p['id']} {p['verdict']}" for p in data["properties"]),
    ]
    return render_timeline(f"leaderless history {data['file']}", summary, timelines)


def _bar(op: Op) -> dict[str, Any]:
    if op.f == READ:
        label = f"r {show(op.value)}" if op.status == OK else "r ?"
    elif op.f == CAS:
        label = f"cas {show(op.value[0])}→{show(op.value[1])}" + (
            " ✗" if op.swapped is False else ""
        )
    else:
        label = f"{op.f[0]} {show(op.value)}"
    return {
        "index": op.index,
        "process": op.process,
        "label": label,
        "title": op.describe(),
        "status": op.status,
        "invoked": op.invoked,
        "completed": op.completed,
    }


# Model counterexamples as histories (check and search --history-out).


def check_history_dir(directory: str | None, option: str = "--history-out") -> None:
    """Before a run: the directory exists or can be created (its parent exists)."""
    if directory is None:
        return
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{option}: {directory} is not a directory")
    if not target.exists() and not target.resolve().parent.is_dir():
        raise UsageError(
            f"{option}: cannot create {directory}: the directory "
            f"{target.resolve().parent} does not exist"
        )


def write_history_files(
    directory: str, traces: dict[str, dict[str, Any]], option: str = "--history-out"
) -> None:
    """Each counterexample of a property a history can show (trace data by property id)
    as DIRECTORY/<property>.jsonl, a recorded history `leaderless history` reads."""
    check_history_dir(directory, option)
    folder = Path(directory)
    if not folder.exists():
        try:
            folder.mkdir()
        except OSError as error:
            raise UsageError(f"{option}: cannot create {directory}: {error.strerror}") from None
        print(f"created {directory}", file=sys.stderr)
    for prop, trace in traces.items():
        if prop in HISTORY_PROPERTIES:
            write_output(folder / f"{prop}.jsonl", to_jsonl(history_from_trace(trace)), option)
