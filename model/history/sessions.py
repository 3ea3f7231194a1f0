"""The model's history properties on one key of a recorded history: stale-read,
read-your-writes, monotonic-reads and aborted-read, with MODEL.md's definitions.

MODEL.md names the write a read saw by its value, since every write writes its own.
A recorded history allows the same reading only where that holds, so on a key where
two writes wrote the same value (or a write wrote the initial value), or that is
changed by appends, these properties are n/a, never "holds". A cas that swapped
writes its new value; a process is a client. An operation whose outcome is unknown
(info) never completes, like a pending operation of the model: it may still take
effect. aborted-read reads definite failures (fail), Adya's G1a; the model's
aborted-read is about timed-out writes, which a history records as info.

Each violation comes with its witness: the few operations the definition mentions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from model.history.records import APPEND, CAS, FAIL, OK, READ, Op, show

STALE_READ, READ_YOUR_WRITES, MONOTONIC_READS, ABORTED_READ = (
    "stale-read", "read-your-writes", "monotonic-reads", "aborted-read")
SESSION_PROPERTIES = (STALE_READ, READ_YOUR_WRITES, MONOTONIC_READS, ABORTED_READ)


@dataclass(frozen=True)
class Violation:
    reason: str
    witness: tuple[int, ...]  # op indices, in invocation order


class KeyView:
    """One key's ops with each value traced to the write that wrote it."""

    def __init__(self, ops: list[Op], initial: Any) -> None:
        self.ops = ops
        self.initial = initial
        self.reads = [op for op in ops if op.f == READ and op.status == OK]
        self.writes = [op for op in ops if _writes(op)]
        self.writer: dict[Any, Op] = {}
        self.not_unique: str | None = None
        if any(op.f == APPEND for op in ops):
            self.not_unique = "appends change the value, so a read names no single write"
            return
        for op in self.writes:
            value = _written(op)
            if value == initial:
                self.not_unique = (f"{op.describe()} writes {show(value)}, the initial value, "
                                   "so a read of it names no single write")
                return
            if value in self.writer:
                self.not_unique = (f"{show(value)} is written twice ({self.writer[value].describe()}"
                                   f"; {op.describe()}), so a read of it names no single write")
                return
            self.writer[value] = op

    def source(self, read: Op) -> Op | None:
        """The write whose value `read` returned; None for the initial value (NIL)."""
        return self.writer.get(read.value)

    def applies(self, prop: str) -> str | None:
        """None when `prop` can be decided on this key, else why it is n/a."""
        if self.not_unique is not None:
            return self.not_unique
        ok_writes = [w for w in self.writes if w.status == OK]
        if prop in (STALE_READ, READ_YOUR_WRITES):
            if not self.reads or not ok_writes:
                return "no ok write and ok read on this key"
            if prop == READ_YOUR_WRITES and not any(
                    w.process == r.process and w.invoked < r.invoked
                    for w in ok_writes for r in self.reads):
                return "no process reads after its own ok write"
        elif prop == MONOTONIC_READS:
            if not any(a.process == b.process and a is not b
                       for a in self.reads for b in self.reads):
                return "no process has two ok reads"
        elif prop == ABORTED_READ:
            if not any(w.status == FAIL for w in self.writes):
                return "no write definitely failed on this key"
            if not self.reads:
                return "no ok read on this key"
        return None


def _writes(op: Op) -> bool:
    return op.f != READ and not (op.f == CAS and op.swapped is False)


def _written(op: Op) -> Any:
    return op.value[1] if op.f == CAS else op.value


def _unknown_value(view: KeyView, read: Op) -> bool:
    return read.value != view.initial and read.value not in view.writer


def _witness(*ops: Op | None) -> tuple[int, ...]:
    return tuple(sorted({op.index for op in ops if op is not None}))


def stale_read(view: KeyView, same_process: bool) -> list[Violation]:
    found = []
    for read in view.reads:
        if _unknown_value(view, read):
            continue  # a value nobody wrote: linearizable reports it
        x = view.source(read)
        for write in view.writes:
            if write.status != OK or not write.precedes(read):
                continue
            if same_process and write.process != read.process:
                continue
            if x is None:
                found.append(Violation(
                    f"{read.describe()} returned the initial value, although "
                    f"{write.describe()} was acknowledged before the read began",
                    _witness(write, read)))
                break
            if x.precedes(write):
                found.append(Violation(
                    f"{read.describe()} returned the value of {x.describe()}, which finished "
                    f"before {write.describe()} began, and that write was acknowledged before "
                    "the read began", _witness(x, write, read)))
                break
    return found


def monotonic_reads(view: KeyView) -> list[Violation]:
    found = []
    for first in view.reads:
        x1 = view.source(first)
        if x1 is None or _unknown_value(view, first):
            continue
        for second in view.reads:
            if second.process != first.process or not first.precedes(second):
                continue
            if _unknown_value(view, second):
                continue
            x2 = view.source(second)
            if x2 is None or x2.precedes(x1):
                shown = "the initial value" if x2 is None else f"the value of {x2.describe()}"
                found.append(Violation(
                    f"{second.describe()} returned {shown}, older than the value of "
                    f"{x1.describe()} which the same process's earlier {first.describe()} "
                    "returned", _witness(x1, x2, first, second)))
    return found


def aborted_read(view: KeyView) -> list[Violation]:
    found = []
    for read in view.reads:
        x = view.source(read)
        if x is not None and x.status == FAIL:
            found.append(Violation(
                f"{read.describe()} returned the value of {x.describe()}, which definitely "
                "failed", _witness(x, read)))
    return found


def check_key(prop: str, ops: list[Op], initial: Any) -> tuple[str | None, list[Violation]]:
    """(why `prop` is n/a on this key or None, its violations on this key)."""
    view = KeyView(ops, initial)
    not_applicable = view.applies(prop)
    if not_applicable is not None:
        return not_applicable, []
    if prop == STALE_READ:
        return None, stale_read(view, same_process=False)
    if prop == READ_YOUR_WRITES:
        return None, stale_read(view, same_process=True)
    if prop == MONOTONIC_READS:
        return None, monotonic_reads(view)
    return None, aborted_read(view)
