"""A model trace (the plain data of `leaderless.checker.trace.trace_data`) as a recorded history in
the JSON-lines format, so a counterexample of `check` or `search` can be fed to a
test harness's checker, or to `leaderless history`, as a known-bad history.

Each client is a process and each write writes its own name (`w(0,1)`), so a read's
result names the write it saw, as in MODEL.md. An invocation and a completion become
events in the order of the trace's steps; since the model's clock counts invocations,
`a -> b` holds in the history exactly when it holds in the model.

A timed-out operation is recorded as `info`, Jepsen's word for an outcome the client
does not know: the model's timed-out write may still take effect (its linearizable
lets it), and its aborted-read is about such writes, not about aborted ones. So an
exported aborted-read counterexample is not a violation on the history (a history's
aborted-read needs a definite `fail`), and a property whose counterexample leans on a
timed-out write having finished (MODEL.md lets a failed op precede later ones) may hold
on the history, where an `info` operation never finishes. An operation still running at
the end of the trace has no completion.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise
from typing import Any

_OP_NAME = re.compile(r"^([wr])\((\d+),(\d+)\)$")
_RUNNING = ("pending", "repairing")


def history_from_trace(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of `trace` (with "states" holding each state's "ops" view) as
    JSON-lines records.

    >>> idle = {"status": "idle", "result": None}
    >>> states = [{"ops": {"w(0,0)": idle}},
    ...           {"ops": {"w(0,0)": {"status": "pending", "result": None}}},
    ...           {"ops": {"w(0,0)": {"status": "ok", "result": None}}}]
    >>> history_from_trace({"states": states})[1]
    {'process': 0, 'type': 'ok', 'f': 'write', 'value': 'w(0,0)'}
    """
    records = []
    states = trace["states"]
    for before, after in pairwise(states):
        for name in sorted(after["ops"], key=_op_order):
            was, now = before["ops"][name]["status"], after["ops"][name]["status"]
            if was == now or (was in _RUNNING and now in _RUNNING):
                continue
            kind, client, _ = _parse_name(name)
            f = "write" if kind == "w" else "read"
            if was == "idle":
                records.append(_record(client, "invoke", f, name if f == "write" else None))
            elif now in ("ok", "fail"):
                value = name if f == "write" else None
                if f == "read" and now == "ok":
                    value = _written(after["ops"][name]["result"])
                records.append(_record(client, "ok" if now == "ok" else "info", f, value))
    return records


def to_jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def _record(process: int, kind: str, f: str, value: Any) -> dict[str, Any]:
    return {"process": process, "type": kind, "f": f, "value": value}


def _parse_name(name: str) -> tuple[str, int, int]:
    match = _OP_NAME.match(name)
    if match is None:
        raise ValueError(f"not an op name of the model: {name!r}")
    return match[1], int(match[2]), int(match[3])


def _op_order(name: str) -> tuple[int, int]:
    _, client, k = _parse_name(name)
    return client, k


def _written(version: str | None) -> str | None:
    """The write a version carries: `w(0,1)@3` and `w(0,1)` name w(0,1); NIL none."""
    if version is None or version == "NIL":
        return None
    return version.split("@", 1)[0]
