"""Renderers: exploration results and traces as text and JSON (ITF: checker/itf.py).

Renderers take plain data (`exploration_data`, `trace_data`) and never call the
model again, so every output format shows the same run.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from tabulate import tabulate

from leaderless.checker.cli import UsageError
from leaderless.checker.explorer import HOLDS, VIOLATED, Exploration
from leaderless.checker.protocol import Model
from leaderless.checker.trace import normalize, trace_data


def exploration_data(model: Model, exploration: Exploration) -> dict[str, Any]:
    """Everything a run found, as JSON-ready data."""
    properties = []
    for verdict in exploration.verdicts:
        trace = trace_data(model, verdict.trace) if verdict.trace is not None else None
        properties.append(
            {
                "id": verdict.property_id,
                "meaning": verdict.meaning,
                "verdict": verdict.status,
                "reached": verdict.reached,
                "situation": verdict.situation,
                "length": len(verdict.trace) if verdict.trace is not None else None,
                "reason": verdict.reason,
                "trace": normalize(trace) if trace is not None else None,
            }
        )
    return {
        "config": model.config_view(),
        "states": exploration.states,
        "transitions": exploration.transitions,
        "depth": exploration.depth,
        "seconds": round(exploration.seconds, 3),
        "complete": exploration.complete,
        "stopped_by": exploration.stopped_by,
        "symmetry": exploration.symmetry,
        "fingerprint_collision_probability": exploration.collision_probability,
        "properties": properties,
    }


VERDICT_HEADERS = ["property", "verdict", "trace", "meaning"]
VACUOUS = f"{HOLDS} (vacuous)"


def vacuous(prop: dict[str, Any]) -> bool:
    """A property (or gate check) that holds only because no explored state was in the
    situation it is about."""
    return prop["verdict"] == HOLDS and prop.get("reached") is False


def verdict_rows(data: dict[str, Any]) -> list[list[str]]:
    """The verdict table's rows, as text: one per property."""
    rows = []
    for prop in data["properties"]:
        shown = "VIOLATED" if prop["verdict"] == VIOLATED else prop["verdict"]
        if vacuous(prop):
            shown = VACUOUS
        length = "" if prop["length"] is None else str(prop["length"])
        rows.append([prop["id"], shown, length, prop["meaning"]])
    return rows


def vacuity_lines(data: dict[str, Any]) -> list[str]:
    """Below the table: what each vacuous property's run never showed."""
    never = [p for p in data["properties"] if vacuous(p)]
    if not never:
        return []
    head = f"{VACUOUS}: no explored state was in the situation these properties are about:"
    return [head] + [f"  {p['id']}: {p['situation']}" for p in never]


def verdict_table(data: dict[str, Any]) -> str:
    table = tabulate(
        verdict_rows(data), headers=VERDICT_HEADERS, tablefmt="simple", disable_numparse=True
    )
    notes = vacuity_lines(data)
    return "\n\n".join([table, "\n".join(notes)]) if notes else table


def counts_line(data: dict[str, Any], times: bool = True) -> str:
    unit = "symmetry classes of states" if data["symmetry"] else "distinct states"
    status = "complete" if data["complete"] else f"INCOMPLETE: {data['stopped_by']}"
    timing = f", in {data['seconds']:.2f} s" if times else ""
    return (
        f"explored {data['states']:,} {unit}, {data['transitions']:,} transitions, "
        f"depth {data['depth']}{timing}; {status}; chance that a "
        f"fingerprint collision hid a state: {data['fingerprint_collision_probability']:.0e}"
    )


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if _named(value):
        return str(value["name"])
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _named(value: Any) -> bool:
    """A record with a name (a message, a version) is shown as that name, as one value."""
    return isinstance(value, dict) and "name" in value


def _flat(record: dict[str, Any]) -> bool:
    """A record whose every value fits on a line: no nested record other than named ones."""
    return all(_named(v) or not isinstance(v, dict) for v in record.values())


def _delta(old: Any, new: Any) -> str:
    if isinstance(old, list) and isinstance(new, list):
        # Lists in normalized views are sets: show what entered and what left.
        return " ".join(
            [f"+{_show(v)}" for v in new if v not in old]
            + [f"-{_show(v)}" for v in old if v not in new]
        )
    return f"{_show(old)} -> {_show(new)}"


def changes(before: Any, after: Any, path: str = "") -> list[str]:
    """What differs between two normalized views: a line per changed record or value."""
    if isinstance(before, dict) and isinstance(after, dict) and not _named(after):
        if path and _flat(after):
            parts = [
                f"{key} {_delta(before.get(key), value)}"
                for key, value in after.items()
                if before.get(key) != value
            ]
            return [f"{path}: " + ", ".join(parts)]
        found = []
        for key, value in after.items():
            if before.get(key) != value:
                found.extend(changes(before.get(key), value, f"{path}.{key}" if path else key))
        return found
    return [f"{path}: {_delta(before, after)}"]


def state_lines(view: dict[str, Any]) -> list[str]:
    """A whole normalized state view, a line per component (a line per op for records)."""
    lines = []
    for key, value in view.items():
        if isinstance(value, dict) and not _named(value) and _flat(value):
            lines.append(f"{key}: " + ", ".join(f"{k}={_show(v)}" for k, v in value.items()))
        elif isinstance(value, dict) and not _named(value):
            for name, record in value.items():
                shown = ", ".join(
                    f"{k}={_show(v)}" for k, v in record.items() if v not in (None, [])
                )
                lines.append(f"{key}.{name}: {shown}")
        else:
            lines.append(f"{key}: {_show(value)}")
    return lines


def trace_text(trace: dict[str, Any], full_states: bool = False) -> str:
    """A trace in words: numbered steps with the state they changed, then the violation."""
    lines = [f"Counterexample to {trace['property']} ({trace['length']} steps):"]
    states = trace["states"]
    lines.append("  0. initial state")
    if full_states:
        lines.extend(f"       {line}" for line in state_lines(states[0]))
    for number, step in enumerate(trace["steps"], start=1):
        lines.append(f"{number:>3}. {step['description']}")
        if full_states:
            lines.extend(f"       {line}" for line in state_lines(states[number]))
        else:
            lines.extend(
                f"       {change}" for change in changes(states[number - 1], states[number])
            )
    lines.append(f"  => {trace['property']} violated: {trace['reason']}")
    return "\n".join(lines)


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False)


def check_outputs(**paths: str | Path | None) -> None:
    """Before a run: every output file an option names (option_name=path; `itf` names a
    directory) can be written, and no two options name the same file, so a mistyped
    path fails at once instead of after a long search."""
    seen: dict[Path, str] = {}
    for name, path in paths.items():
        if path is None:
            continue
        option = "--" + name.replace("_", "-")
        target = Path(path)
        if name == "itf":
            if not target.is_dir():  # the directory itself may be created, not its parents
                _directory_must_exist(target, option, path, create="create")
            continue
        _directory_must_exist(target, option, path)
        if target.is_dir():
            raise UsageError(f"{option}: cannot write {path}: it is a directory")
        if target.resolve() in seen:
            raise UsageError(f"{option} and {seen[target.resolve()]} name the same file {path}")
        seen[target.resolve()] = option


def _directory_must_exist(
    target: Path, option: str, path: str | Path, create: str = "write"
) -> None:
    if not target.parent.is_dir():
        raise UsageError(
            f"{option}: cannot {create} {path}: the directory {target.parent} does not exist"
        )


_INLINE_MARKUP = re.compile(r"[\\`*_\[\]<&|~]")
_BLOCK_MARKER = re.compile(r"^([#>+=-]|\d+(?=[.)]))")


def markdown_text(text: str) -> str:
    """Plain text as one line of Markdown that GitHub renders as exactly that text, in a
    paragraph or a table cell: inline markup and a leading block marker are escaped."""
    line = " ".join(text.split("\n")).strip()
    line = _INLINE_MARKUP.sub(lambda m: "\\" + m.group(), line)
    # "# x" would be a heading, "- x" a list item, "1. x" a numbered one.
    return _BLOCK_MARKER.sub(
        lambda m: m.group() + "\\" if m.group()[0].isdigit() else "\\" + m.group(), line, count=1
    )


def markdown_code(text: str) -> str:
    """`text` as an inline code span, verbatim whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{' '.join(text.split(chr(10)))}{pad}{ticks}"


def markdown_fence(text: str, info: str = "") -> str:
    """A fenced code block holding `text` verbatim: the fence is longer than any run of
    backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}"


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub (pipe) table of plain-text cells."""
    lines = [
        "| " + " | ".join(markdown_text(h) for h in headers) + " |",
        "|" + " --- |" * len(headers),
    ]
    lines += ["| " + " | ".join(markdown_text(str(c)) or " " for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_output(path: str | Path, text: str, option: str) -> None:
    """Write a file an option asked for (`--html FILE`, `--junit FILE`, ...) and name it
    on stderr. Its directory must exist: a mistyped path is an error, not a new tree of
    directories (a UsageError naming the option, exit 2)."""
    target = Path(path)
    _directory_must_exist(target, option, path)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{option}: cannot write {path}: {error.strerror}") from None
    print(f"wrote {path}", file=sys.stderr)


def write_itf_files(
    directory: str | Path, documents: dict[str, dict[str, Any]], option: str = "--itf"
) -> None:
    """Write each ITF document as DIRECTORY/<name>.itf.json. The option names the
    directory, so it is created when missing, but only inside one that exists."""
    folder = Path(directory)
    if not folder.is_dir():
        _directory_must_exist(folder, option, directory, create="create")
        try:
            folder.mkdir()
        except OSError as error:
            raise UsageError(f"{option}: cannot create {directory}: {error.strerror}") from None
        print(f"created {directory}", file=sys.stderr)
    for name, document in documents.items():
        write_output(folder / f"{name}.itf.json", json.dumps(document, indent=2) + "\n", option)
