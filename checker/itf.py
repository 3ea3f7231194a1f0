"""Traces in the Informal Trace Format (Apalache ADR-015, read by Quint), and back.

Every value keeps its structure: ints are #bigint, sets #set, tuples #tup, tables
with other keys than field names (per replica, per op) #map, and records (a state, an
op's record, a message, a version) ITF records, so a Quint or Apalache user reads a
message's kind, op, sender, receiver and version as fields. ITF has no null: a record
field that is null anywhere in the trace is an option (`Some`/`None` variant) in every
record of every state, so each field has one type throughout the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from leaderless.checker.trace import STEP_EFFECTS, member_order, normalize

ITF_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
ACTION_TAKEN = "mbt::actionTaken"  # Quint's model-based-testing variable for the step's action


class TraceFormatError(ValueError):
    """A trace file that is not in the shape leaderless writes; the message says where."""


def _null_fields(value: Any) -> Iterator[str]:
    """The record fields that hold null somewhere in `value`, at any depth."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            if child is None and _is_record(value):
                yield key
            yield from _null_fields(child)
    elif isinstance(value, list | tuple | frozenset | set):
        for child in value:
            yield from _null_fields(child)


def _is_record(value: Mapping) -> bool:
    return all(isinstance(k, str) and k.isidentifier() for k in value)


def _itf_value(value: Any, optional: frozenset[str]) -> Any:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return {"#bigint": str(value)}
    if isinstance(value, frozenset | set):
        members = sorted(value, key=lambda v: member_order(normalize(v)))
        return {"#set": [_itf_value(v, optional) for v in members]}
    if isinstance(value, tuple):
        return {"#tup": [_itf_value(v, optional) for v in value]}
    if isinstance(value, list):
        return [_itf_value(v, optional) for v in value]
    if isinstance(value, Mapping) and _is_record(value):
        return {
            k: _field(v, optional) if k in optional else _itf_value(v, optional)
            for k, v in value.items()
        }
    if isinstance(value, Mapping):
        return {
            "#map": [[_itf_value(k, optional), _itf_value(v, optional)] for k, v in value.items()]
        }
    raise TypeError(f"no ITF encoding for {type(value).__name__}")


def _field(value: Any, optional: frozenset[str]) -> Any:
    if value is None:
        return {"tag": "None", "value": {"#tup": []}}
    return {"tag": "Some", "value": _itf_value(value, optional)}


def trace_itf(trace_raw: dict[str, Any]) -> dict[str, Any]:
    """A trace (from `trace_data`, not normalized) in the Informal Trace Format. Each
    state carries the action that led to it in `mbt::actionTaken` (as Quint's
    model-based testing does) and, in full, in its `#meta`, so the file replays; the
    trace's header (format version, participants, operations) is in the top `#meta`.
    """
    views = trace_raw["states"]
    optional = frozenset(_null_fields(views))
    states = []
    for index, view in enumerate(views):
        meta: dict[str, Any] = {"index": index}
        action = "init"
        if index > 0:
            step = trace_raw["steps"][index - 1]
            meta["action"] = normalize(step["action"])
            meta["description"] = step["description"]
            # What a diagram draws for the step travels with it (see trace.STEP_EFFECTS).
            meta.update({key: normalize(step[key]) for key in STEP_EFFECTS if key in step})
            action = step["action"]["action"]
        states.append({"#meta": meta, **_itf_value(view, optional), ACTION_TAKEN: action})
    return {
        "#meta": {
            "format": "ITF",
            "format-description": ITF_DESCRIPTION,
            "source": "leaderless",
            "description": f"shortest counterexample to {trace_raw['property']}",
            "schema_version": trace_raw["schema_version"],
            "property": trace_raw["property"],
            "reason": trace_raw["reason"],
            "config": trace_raw["config"],
            "participants": normalize(trace_raw["participants"]),
            "operations": normalize(trace_raw["operations"]),
        },
        "vars": [*views[0], ACTION_TAKEN],
        "states": states,
    }


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
        return sorted((_from_itf_value(v, where) for v in value["#set"]), key=member_order)
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
    action. The header's fields are copied as they are, `schema_version` included,
    for the reader to judge. Raises TraceFormatError for anything else.
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
        step.update({key: state_meta[key] for key in STEP_EFFECTS if key in state_meta})
        if ACTION_TAKEN in state:
            step["taken"] = taken
        steps.append(step)
    data = {
        "property": meta.get("property"),
        "config": meta.get("config"),
        "states": trace_states,
        "steps": steps,
    }
    for key in ("schema_version", "reason", "participants", "operations"):
        if key in meta:
            data[key] = meta[key]
    return data
