"""A model trace (the plain data of `leaderless.checker.trace.trace_data`) as a recorded history in
the JSON-lines format, so a counterexample of `check` or `search` can be fed to a
test harness's checker, or to `leaderless history`, as a known-bad history.

Each client is a process and each write writes its own name (`w(0,1)`), so a read's
result names the write it saw, as in MODEL.md; a delete is a write of null. An invocation and a completion become
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
from itertools import pairwise
from typing import Any

_RUNNING = ("pending", "repairing")


def history_from_trace(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of `trace` (trace data: "participants" and "operations" say whose
    each op is and what it does, "states" hold each state's "ops" view) as JSON-lines
    records. Within a step, ops appear in the order of "operations".

    >>> trace = {"participants": [{"id": "C0", "role": "client", "index": 0}],
    ...          "operations": [{"name": "w(0,0)", "client": "C0", "type": "write"}]}
    >>> trace["states"] = [{"ops": {"w(0,0)": {"status": s, "result": None}}}
    ...                    for s in ("idle", "pending", "ok")]
    >>> history_from_trace(trace)[1]
    {'process': 0, 'type': 'ok', 'f': 'write', 'value': 'w(0,0)'}
    """
    process = {p["id"]: p["index"] for p in trace["participants"]}
    deletes = {op["name"] for op in trace["operations"] if op["type"] == "delete"}
    records = []
    for before, after in pairwise(trace["states"]):
        for op in trace["operations"]:
            name, kind = op["name"], op["type"]
            # A delete writes no value: a register history has it as a write of null.
            f = "read" if kind == "read" else "write"
            written = name if kind == "write" else None
            was, now = before["ops"][name]["status"], after["ops"][name]["status"]
            if was == now or (was in _RUNNING and now in _RUNNING):
                continue
            client = process[op["client"]]
            if was == "idle":
                records.append(_record(client, "invoke", f, written))
            elif now in ("ok", "fail"):
                value = written
                if f == "read" and now == "ok":
                    # A write writes its own name, so a read returns its result's writer
                    # (none for NIL and for a delete's tombstone).
                    writer = after["ops"][name]["result"]["writer"]
                    value = None if writer in deletes else writer
                records.append(_record(client, "ok" if now == "ok" else "info", f, value))
    return records


def to_jsonl(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def _record(process: int, kind: str, f: str, value: Any) -> dict[str, Any]:
    return {"process": process, "type": kind, "f": f, "value": value}
