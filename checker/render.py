"""Renderers: exploration results and traces as text, JSON and ITF.

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
from leaderless.checker.explorer import VIOLATED, Exploration
from leaderless.checker.protocol import Model
from leaderless.checker.trace import normalize, trace_data

ITF_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"


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


def verdict_rows(data: dict[str, Any]) -> list[list[str]]:
    """The verdict table's rows, as text: one per property."""
    rows = []
    for prop in data["properties"]:
        shown = "VIOLATED" if prop["verdict"] == VIOLATED else prop["verdict"]
        length = "" if prop["length"] is None else str(prop["length"])
        rows.append([prop["id"], shown, length, prop["meaning"]])
    return rows


def verdict_table(data: dict[str, Any]) -> str:
    return tabulate(
        verdict_rows(data), headers=VERDICT_HEADERS, tablefmt="simple", disable_numparse=True
    )


def counts_line(data: dict[str, Any]) -> str:
    unit = "symmetry classes of states" if data["symmetry"] else "distinct states"
    status = "complete" if data["complete"] else f"INCOMPLETE: {data['stopped_by']}"
    return (
        f"explored {data['states']:,} {unit}, {data['transitions']:,} transitions, "
        f"depth {data['depth']}, in {data['seconds']:.2f} s; {status}; chance that a "
        f"fingerprint collision hid a state: {data['fingerprint_collision_probability']:.0e}"
    )


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


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
    if isinstance(before, dict) and isinstance(after, dict):
        if path and not any(isinstance(v, dict) for v in after.values()):
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
        if isinstance(value, dict) and not any(isinstance(v, dict) for v in value.values()):
            lines.append(f"{key}: " + ", ".join(f"{k}={_show(v)}" for k, v in value.items()))
        elif isinstance(value, dict):
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


ACTION_TAKEN = "mbt::actionTaken"  # Quint's model-based-testing variable for the step's action


def _optional_paths(views: list[Any], path: tuple = ()) -> set[tuple]:
    """Paths (record keys, with None for any map entry) that are None in some state:
    ITF has no null, so such values are Quint option variants in every state."""
    found: set[tuple] = set()
    for view in views:
        if view is None:
            found.add(path)
    records = [v for v in views if isinstance(v, dict)]
    if records:
        keys = {k for record in records for k in record}
        for key in keys:
            child = key if _is_record(records[0]) else None
            found |= _optional_paths([r.get(key) for r in records], path + (child,))
    return found


def _is_record(value: dict) -> bool:
    return all(isinstance(k, str) and k.isidentifier() for k in value)


def _itf_value(value: Any, optional: set[tuple], path: tuple = ()) -> Any:
    if path in optional:
        if value is None:
            return {"tag": "None", "value": {"#tup": []}}
        return {"tag": "Some", "value": _itf_value(value, set(), path)}
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"#bigint": str(value)}
    if isinstance(value, frozenset | set):
        return {"#set": [_itf_value(v, optional) for v in sorted(value, key=repr)]}
    if isinstance(value, tuple):
        return {"#tup": [_itf_value(v, optional) for v in value]}
    if isinstance(value, list):
        return [_itf_value(v, optional) for v in value]
    if isinstance(value, dict) and _is_record(value):
        return {k: _itf_value(v, optional, path + (k,)) for k, v in value.items()}
    if isinstance(value, dict):
        return {
            "#map": [
                [_itf_value(k, set()), _itf_value(v, optional, path + (None,))]
                for k, v in value.items()
            ]
        }
    raise TypeError(f"no ITF encoding for {type(value).__name__}")


def trace_itf(trace_raw: dict[str, Any]) -> dict[str, Any]:
    """A trace (from `trace_data`, not normalized) in the Informal Trace Format
    (Apalache ADR-015, read by Quint): ints as #bigint, sets as #set, per-replica and
    per-op tables as #map, values that may be absent as Some/None variants. Each
    state carries the action that led to it in `mbt::actionTaken` (as Quint's
    model-based testing does) and, in full, in its `#meta`, so the file replays.
    """
    views = trace_raw["states"]
    optional = _optional_paths(views)
    states = []
    for index, view in enumerate(views):
        meta: dict[str, Any] = {"index": index}
        action = "init"
        if index > 0:
            step = trace_raw["steps"][index - 1]
            meta["action"] = step["action"]
            meta["description"] = step["description"]
            action = step["action"]["action"]
        states.append({"#meta": meta, **_itf_value(view, optional), ACTION_TAKEN: action})
    return {
        "#meta": {
            "format": "ITF",
            "format-description": ITF_DESCRIPTION,
            "source": "leaderless",
            "description": f"shortest counterexample to {trace_raw['property']}",
            "property": trace_raw["property"],
            "reason": trace_raw["reason"],
            "config": trace_raw["config"],
        },
        "vars": [*views[0], ACTION_TAKEN],
        "states": states,
    }


class TraceFormatError(ValueError):
    """A trace file that is not in the shape leaderless writes; the message says where."""


_BIGINT = re.compile(r"-?[0-9]{1,4000}")  # Python's int() refuses more than 4300 digits


def _from_itf_value(value: Any, where: str) -> Any:
    """An ITF value back in the normalized JSON form of `leaderless.checker.trace.normalize`."""
    if isinstance(value, list):
        return [_from_itf_value(v, where) for v in value]
    if not isinstance(value, dict):
        return value
    if "#bigint" in value:
        digits = value["#bigint"]
        if not isinstance(digits, str) or not _BIGINT.fullmatch(digits):
            raise TraceFormatError(f"{where}: #bigint {digits!r} is not a decimal integer")
        return int(digits)
    for key in ("#set", "#tup", "#map"):
        if key in value and not isinstance(value[key], list):
            raise TraceFormatError(f"{where}: {key} holds {value[key]!r}, not a list")
    if "#set" in value:
        return sorted((_from_itf_value(v, where) for v in value["#set"]), key=repr)
    if "#tup" in value:
        return [_from_itf_value(v, where) for v in value["#tup"]]
    if "#map" in value:
        entries = {}
        for entry in value["#map"]:
            if not isinstance(entry, list) or len(entry) != 2:
                raise TraceFormatError(
                    f"{where}: a #map entry must be a [key, value] pair, got {entry!r}"
                )
            entries[str(_from_itf_value(entry[0], where))] = _from_itf_value(entry[1], where)
        return entries
    if value.get("tag") in ("None", "Some") and set(value) == {"tag", "value"}:
        return None if value["tag"] == "None" else _from_itf_value(value["value"], where)
    return {k: _from_itf_value(v, where) for k, v in value.items()}


def itf_to_trace_data(document: dict[str, Any]) -> dict[str, Any]:
    """Read an ITF trace written by `trace_itf` back into trace data for `replay`.

    Every variable the trace lists must be in every state and nothing else may be:
    the model variables are compared with the model's states, and `mbt::actionTaken`
    travels with each step (as `taken`) for the replay to compare with the model's
    action. Raises TraceFormatError for anything else.
    """
    meta = document.get("#meta", {})
    variables = document.get("vars")
    states = document.get("states")
    if not isinstance(meta, dict):
        raise TraceFormatError("#meta must be an object")
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise TraceFormatError("vars must be a list of variable names")
    if len(set(variables)) != len(variables):
        raise TraceFormatError("vars lists a variable twice")
    if not isinstance(states, list) or not states:
        raise TraceFormatError("states must be a nonempty list")
    unknown = sorted(v for v in variables if v.startswith("mbt::") and v != ACTION_TAKEN)
    if unknown:
        raise TraceFormatError(
            f"vars lists {unknown[0]}, which leaderless cannot check; "
            f"the only mbt:: variable it reads is {ACTION_TAKEN}"
        )
    trace_states, steps = [], []
    for index, state in enumerate(states):
        where = f"state {index}"
        if not isinstance(state, dict):
            raise TraceFormatError(f"{where} must be an object")
        present = set(state) - {"#meta"}
        if present != set(variables):
            extra, missing = sorted(present - set(variables)), sorted(set(variables) - present)
            raise TraceFormatError(
                f"{where} "
                + (
                    f"has {extra[0]!r}, which vars does not list"
                    if extra
                    else f"lacks the variable {missing[0]!r}"
                )
            )
        state_meta = state.get("#meta", {})
        if not isinstance(state_meta, dict):
            raise TraceFormatError(f"{where}: #meta must be an object")
        trace_states.append(
            {
                k: _from_itf_value(v, f"{where}, {k}")
                for k, v in state.items()
                if k != "#meta" and k != ACTION_TAKEN
            }
        )
        taken = state.get(ACTION_TAKEN)
        if ACTION_TAKEN in state and not isinstance(taken, str):
            raise TraceFormatError(f"{where}: {ACTION_TAKEN} must be a string, got {taken!r}")
        if index == 0:
            if ACTION_TAKEN in state and taken != "init":
                raise TraceFormatError(
                    f"{where}: {ACTION_TAKEN} of the initial state must be 'init', got {taken!r}"
                )
            continue
        step: dict[str, Any] = {"action": state_meta.get("action")}
        if "description" in state_meta:
            step["description"] = state_meta["description"]
        if ACTION_TAKEN in state:
            step["taken"] = taken
        steps.append(step)
    data = {
        "property": meta.get("property"),
        "config": meta.get("config"),
        "states": trace_states,
        "steps": steps,
    }
    if "reason" in meta:
        data["reason"] = meta["reason"]
    return data
