"""A recorded history as plain records: one `Op` per operation, real time as event order.

A history is a sequence of events (an invocation, then at most one completion per
operation). Real time is the position of an event in that sequence, which is all a
Jepsen or Porcupine log orders by. `a` precedes `b` (a -> b) when a has completed and
its completion comes before b's invocation, as in MODEL.md; an operation whose outcome
is unknown (`info`) never completes, since it may still take effect at any later time.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

READ, WRITE, CAS, APPEND = "read", "write", "cas", "append"
FUNCTIONS = (READ, WRITE, CAS, APPEND)

# Outcomes, as Jepsen names them: ok happened; fail definitely did not happen;
# info may have happened (a timeout, a crash, or no completion recorded at all).
OK, FAIL, INFO = "ok", "fail", "info"

# The key of a history that names none: a single register.
SINGLE_KEY = None


class HistoryError(ValueError):
    """A history that cannot be read; the message names the line and what is wrong."""


@dataclass(frozen=True, slots=True)
class Op:
    """One operation of a history.

    `value` is what the operation carries: a write's or an append's value, a cas's
    (expected, new) pair, and a read's result once it completed ok (None before).
    `swapped` is a cas's observed outcome: True for an ok cas, False for a cas that
    compared and found another value (Porcupine's etcd logs record those), None
    otherwise. `invoked` and `completed` are event positions; `completed` is None
    when no completion was recorded.
    """

    index: int
    process: Hashable
    f: str
    key: Hashable
    value: Any
    status: str
    invoked: int
    completed: int | None
    swapped: bool | None = None

    def precedes(self, other: Op) -> bool:
        """self -> other: self has definitely completed before other was invoked."""
        return self.status != INFO and self.completed is not None and self.completed < other.invoked

    def describe(self) -> str:
        """The operation in words, e.g. `p2 write 3 ok` or `p0 read -> 3`."""
        key = "" if self.key is SINGLE_KEY else f" [{show(self.key)}]"
        if self.f == READ:
            body = f"read -> {show(self.value)}" if self.status == OK else "read"
        elif self.f == CAS:
            old, new = self.value
            body = f"cas {show(old)} -> {show(new)}"
            if self.swapped is False:
                body += " (found another value)"
        else:
            body = f"{self.f} {show(self.value)}"
        outcome = {OK: "", FAIL: " failed", INFO: " (outcome unknown)"}[self.status]
        return f"p{show(self.process)} {body}{key}{outcome}"


def show(value: Any) -> str:
    """A value as the user wrote it: nil for none, JSON-like otherwise."""
    if value is None:
        return "nil"
    if isinstance(value, str):
        return repr(value) if value == "" or " " in value else value
    if isinstance(value, list | tuple):
        return "[" + " ".join(show(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class History:
    """The operations of one recorded history, in invocation order.

    `initial` is the value every key holds before the first operation: nil for Jepsen
    and JSON-lines histories, the empty string for Porcupine's key-value logs.
    """

    ops: tuple[Op, ...]
    events: int
    initial: Any = None
    source_format: str = "jsonl"

    def keys(self) -> list[Hashable]:
        return sorted({op.key for op in self.ops}, key=key_order)

    def by_key(self) -> dict[Hashable, list[Op]]:
        groups: dict[Hashable, list[Op]] = {key: [] for key in self.keys()}
        for op in self.ops:
            groups[op.key].append(op)
        return groups

    def processes(self) -> list[Hashable]:
        return sorted({op.process for op in self.ops}, key=key_order)


def key_order(key: Hashable) -> tuple:
    """A total order over keys of mixed types (numbers before strings), for stable output."""
    if key is None:
        return (0, 0, "")
    if isinstance(key, bool | int | float):
        return (1, key, "")
    return (2, 0, str(key))


def freeze(value: Any) -> Any:
    """Lists become tuples, so values can be compared and hashed as register states."""
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


class Recorder:
    """Builds a History from events in order, matching each completion to its process's
    open invocation; parsers feed it and it enforces the rules every format shares."""

    def __init__(self, source_format: str, initial: Any = None) -> None:
        self.source_format = source_format
        self.initial = initial
        self._open: dict[Hashable, dict[str, Any]] = {}
        self._done: list[dict[str, Any]] = []
        self._count = 0
        self.events = 0

    def invoke(self, where: str, process: Hashable, f: str, key: Hashable, value: Any) -> None:
        if process in self._open:
            raise HistoryError(
                f"{where}: process {show(process)} invokes {f} while its "
                f"{self._open[process]['f']} has not completed"
            )
        self._open[process] = {
            "index": self._count,
            "process": process,
            "f": f,
            "key": key,
            "value": freeze(value),
            "invoked": self.events,
        }
        self._count += 1
        self.events += 1

    def complete(
        self,
        where: str,
        process: Hashable,
        f: str,
        status: str,
        value: Any,
        swapped: bool | None = None,
    ) -> None:
        record = self._open.pop(process, None)
        if record is None:
            raise HistoryError(
                f"{where}: process {show(process)} completes {f} without an open invocation"
            )
        if record["f"] != f:
            raise HistoryError(
                f"{where}: process {show(process)} completes {f}, but invoked {record['f']}"
            )
        value = freeze(value)
        if f == READ:
            record["value"] = value if status == OK else None
        elif f == CAS:
            if not (isinstance(record["value"], tuple) and len(record["value"]) == 2):
                raise HistoryError(
                    f"{where}: a cas needs a value [expected new], got {show(record['value'])}"
                )
            if status == OK:
                swapped = True if swapped is None else swapped
        record.update(status=status, completed=self.events, swapped=swapped)
        self._done.append(record)
        self.events += 1

    def history(self) -> History:
        pending = [dict(r, status=INFO, completed=None, swapped=None) for r in self._open.values()]
        for record in pending:
            if record["f"] == READ:
                record["value"] = None
        records = sorted(self._done + pending, key=lambda r: r["index"])
        for record in records:
            where = f"operation {record['index'] + 1}"
            if record["f"] == CAS and not (
                isinstance(record["value"], tuple) and len(record["value"]) == 2
            ):
                raise HistoryError(
                    f"{where}: a cas needs a value [expected new], got {show(record['value'])}"
                )
            if record["f"] == APPEND and not isinstance(record["value"], str | tuple):
                raise HistoryError(
                    f"{where}: an append needs a string or a list, got {show(record['value'])}"
                )
        ops = tuple(Op(**r) for r in records)
        return History(ops, self.events, self.initial, self.source_format)
