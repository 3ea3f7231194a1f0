"""`[[history]]` entries of a gate file: recorded histories that must keep (or keep
showing) properties, so a team's CI checks what its own test harness records.

    [[history]]
    name = "nightly Jepsen run"
    file = "histories/nightly.edn"     # relative to the gate file
    format = "edn"                     # optional: detected from the file
    require = ["linearizable", "read-your-writes"]
    expect_violated = ["stale-read"]
    max_seconds = 60                   # optional: then what is undecided is inconclusive

A property that is n/a on the history (see `leaderless history`) is inconclusive, never
a pass. Every problem with an entry, or with the file it names, is one `GateError` line
naming the gate file and the line.
"""

from __future__ import annotations

import difflib
import math
import re
import signal
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaderless.checker.commands.gate_file import GateError, Key
from leaderless.checker.explorer import HOLDS, INCONCLUSIVE, VIOLATED
from leaderless.checker.gate_report import FAIL, PASS
from leaderless.model.history import (
    HISTORY_PROPERTIES,
    Budget,
    History,
    HistoryError,
    check_history,
    parse,
)
from leaderless.model.history.check import NOT_APPLICABLE
from leaderless.model.history.parse import FORMATS

HISTORY_KEYS = {
    "name": Key((str,), "a string", "the history's name, one line, used once", {"pattern": r"\S"}),
    "file": Key(
        (str,),
        "a path to the history, relative to the gate file",
        "the recorded history, a path relative to the gate file",
    ),
    "format": Key(
        (str,),
        f"one of {', '.join(FORMATS)}",
        "the history's format (default: detected from the file)",
        {"enum": list(FORMATS)},
    ),
    "require": Key(
        (list,),
        'a list of property ids like ["linearizable"]',
        "property ids that must hold on the history",
        {"items": {"type": "string", "enum": list(HISTORY_PROPERTIES)}},
    ),
    "expect_violated": Key(
        (list,),
        'a list of property ids like ["stale-read"]',
        "known anomalies: property ids that must stay violated on the history",
        {"items": {"type": "string", "enum": list(HISTORY_PROPERTIES)}},
    ),
    "max_seconds": Key(
        (int, float),
        "a number",
        "stop the search after this many seconds (then what is undecided is inconclusive)",
        {"exclusiveMinimum": 0},
    ),
}


@dataclass(frozen=True)
class HistoryCheck:
    name: str
    file: str
    history: History
    require: tuple[str, ...]
    expect_violated: tuple[str, ...]
    max_seconds: float | None

    @property
    def checks(self) -> tuple[str, ...]:
        return self.require + self.expect_violated


def load_history_checks(gate_path: str) -> list[HistoryCheck]:
    """The `[[history]]` entries of a gate file that `load_gate` has already read and
    found to be valid TOML."""
    with open(gate_path, encoding="utf-8") as handle:
        text = handle.read()
    tables = tomllib.loads(text).get("history")
    return [] if tables is None else history_checks(tables, text, gate_path)


def history_checks(tables: Any, text: str, gate_path: str) -> list[HistoryCheck]:
    """The `[[history]]` tables of a gate file (parsed TOML), each history read."""
    lines = text.splitlines()
    if not isinstance(tables, list):
        raise GateError(
            f"{gate_path}:{_header(lines, 0)}: history must be an array of "
            "tables: write [[history]]"
        )
    base = Path(gate_path).parent
    entries = []
    for index, table in enumerate(tables):

        def fail(key: str | None, problem: str, index: int = index) -> GateError:
            return GateError(f"{gate_path}:{_line(lines, index, key)}: {problem}")

        if not isinstance(table, dict):
            raise fail(None, "a history must be a table")
        name = table.get("name")
        where = f"history {name!r}" if isinstance(name, str) else f"history #{index + 1}"
        for key, value in table.items():
            if key not in HISTORY_KEYS:
                close = difflib.get_close_matches(key, list(HISTORY_KEYS), n=1)
                known = ", ".join(HISTORY_KEYS)
                hint = f"; did you mean {close[0]!r}?" if close else f"; known: {known}"
                raise fail(key, f"unknown key {key!r} in {where}{hint}")
            spec = HISTORY_KEYS[key]
            if isinstance(value, bool) or not isinstance(value, spec.types):
                raise fail(key, f"{key} in {where} must be {spec.wanted}, got {value!r}")
        if not isinstance(name, str) or not name.strip() or not name.isprintable():
            raise fail(None, f'{where} needs a name of one line: name = "..."')
        if "file" not in table:
            raise fail(None, f'{where} needs the history to check: file = "path"')
        ids = {}
        for key in ("require", "expect_violated"):
            ids[key] = tuple(table.get(key, []))
            for item in ids[key]:
                if item not in HISTORY_PROPERTIES:
                    raise fail(
                        key,
                        f"unknown property {item!r} in {where}; a history can be "
                        f"checked for {', '.join(HISTORY_PROPERTIES)}",
                    )
        if not ids["require"] and not ids["expect_violated"]:
            raise fail(
                None, f"{where} requires nothing: add require = [...] or expect_violated = [...]"
            )
        both = sorted(set(ids["require"]) & set(ids["expect_violated"]))
        if both:
            raise fail(
                "expect_violated", f"{where}: {both[0]!r} is both required and expected violated"
            )
        if "format" in table and table["format"] not in FORMATS:
            raise fail(
                "format",
                f"format in {where} must be one of {', '.join(FORMATS)}, got {table['format']!r}",
            )
        max_seconds = table.get("max_seconds")
        if max_seconds is not None and not (math.isfinite(max_seconds) and max_seconds > 0):
            raise fail(
                "max_seconds",
                f"max_seconds in {where} must be a number of seconds > 0, got {max_seconds!r}",
            )
        path = base / table["file"]
        try:
            history = parse(path.read_text(encoding="utf-8"), table.get("format"))
        except OSError as error:
            raise fail("file", f"{where}: cannot read {path}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise fail("file", f"{where}: {path} is not a text file (UTF-8)") from None
        except HistoryError as error:
            raise fail("file", f"{where}: {path}: {error}") from None
        entries.append(
            HistoryCheck(
                name, table["file"], history, ids["require"], ids["expect_violated"], max_seconds
            )
        )
    names = [entry.name for entry in entries]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise GateError(
                f"{gate_path}:{_line(lines, index, 'name')}: history name {name!r} is used twice"
            )
    return entries


def _header(lines: list[str], index: int) -> int:
    seen = -1
    for number, line in enumerate(lines):
        if re.match(r"^\s*\[\[\s*history\s*\]\]", line):
            seen += 1
            if seen == index:
                return number + 1
    return 1


def _line(lines: list[str], index: int, key: str | None) -> int:
    start = _header(lines, index)
    if key is None:
        return start
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number in range(start, len(lines)):
        if re.match(r"^\s*\[", lines[number]):
            break
        if pattern.match(lines[number]):
            return number + 1
    return start


def history_not_run(entry: HistoryCheck, reason: str) -> dict[str, Any]:
    """An entry left out (the gate was interrupted): every check inconclusive."""
    checks = [
        {
            "id": check,
            "expected": HOLDS if check in entry.require else VIOLATED,
            "verdict": INCONCLUSIVE,
            "outcome": INCONCLUSIVE,
            "length": None,
            "reason": reason,
            "details": reason,
        }
        for check in entry.checks
    ]
    return {
        **_describe(entry),
        "seconds": 0.0,
        "checks": checks,
        "history": {
            "file": entry.file,
            "format": entry.history.source_format,
            "operations": len(entry.history.ops),
            "stopped_by": reason,
        },
    }


def _describe(entry: HistoryCheck) -> dict[str, Any]:
    history = entry.history
    return {
        "name": entry.name,
        "description": (
            f"history {entry.file} ({history.source_format}, "
            f"{len(history.ops)} operations, {len(history.keys())} keys)"
        ),
        "config": None,
        "model_note": None,
    }


def run_history_check(entry: HistoryCheck) -> dict[str, Any]:
    """The entry's checks with their outcomes, in the gate's summary format. Ctrl-C
    stops the search, and what it has not decided is inconclusive."""
    started = time.monotonic()
    interrupted: list[bool] = []
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    try:
        report = check_history(
            entry.history,
            tuple(p for p in HISTORY_PROPERTIES if p in entry.checks),
            Budget(entry.max_seconds, cancelled=lambda: bool(interrupted)),
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    ops = {op.index: op for op in entry.history.ops}
    checks = []
    for prop in report.properties:
        expected = HOLDS if prop.id in entry.require else VIOLATED
        keys = [k for k in prop.keys if k.verdict == prop.verdict]
        reason = "; ".join(dict.fromkeys(k.reason for k in keys if k.reason))
        details = reason
        if prop.verdict == VIOLATED:
            first = keys[0]
            details = "\n".join([first.reason, *(f"  {ops[i].describe()}" for i in first.witness)])
        if prop.verdict == NOT_APPLICABLE:
            outcome, reason = INCONCLUSIVE, f"n/a on this history: {reason}"
            details = reason
        elif prop.verdict == INCONCLUSIVE:
            outcome = INCONCLUSIVE
        elif prop.verdict == expected:
            outcome = PASS
        else:
            outcome = FAIL
            if expected == VIOLATED:
                details = (
                    f"{prop.id} was expected to be violated but holds: the known "
                    "weakness is gone; move it from expect_violated to require"
                )
        checks.append(
            {
                "id": prop.id,
                "expected": expected,
                "verdict": prop.verdict,
                "outcome": outcome,
                "length": None,
                "reason": reason,
                "details": details,
            }
        )
    return {
        **_describe(entry),
        "seconds": round(time.monotonic() - started, 3),
        "checks": checks,
        "history": {
            "file": entry.file,
            "format": entry.history.source_format,
            "operations": len(entry.history.ops),
            "stopped_by": report.stopped_by,
        },
    }
