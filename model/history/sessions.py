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

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from leaderless.model.history.records import APPEND, CAS, FAIL, OK, READ, Op, show

STALE_READ, READ_YOUR_WRITES, MONOTONIC_READS, ABORTED_READ = (
    "stale-read",
    "read-your-writes",
    "monotonic-reads",
    "aborted-read",
)
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
                self.not_unique = (
                    f"{op.describe()} writes {show(value)}, the initial value, "
                    "so a read of it names no single write"
                )
                return
            if value in self.writer:
                self.not_unique = (
                    f"{show(value)} is written twice ({self.writer[value].describe()}"
                    f"; {op.describe()}), so a read of it names no single write"
                )
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
            first_write: dict[Hashable, int] = {}
            for w in ok_writes:
                first_write[w.process] = min(w.invoked, first_write.get(w.process, w.invoked))
            if prop == READ_YOUR_WRITES and not any(
                r.process in first_write and first_write[r.process] < r.invoked for r in self.reads
            ):
                return "no process reads after its own ok write"
        elif prop == MONOTONIC_READS:
            if max(Counter(r.process for r in self.reads).values(), default=0) < 2:
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


def _completed(op: Op) -> int:
    """An ok operation's completion position: only pending (info) ones lack one."""
    assert op.completed is not None
    return op.completed


def _newest_source(view: KeyView, read: Op) -> Op:
    """The write a read kept in monotonic_reads' `newest` returned: never the initial
    value, as only reads of a write are kept there."""
    x = view.source(read)
    assert x is not None
    return x


def _witness(*ops: Op | None) -> tuple[int, ...]:
    return tuple(sorted({op.index for op in ops if op is not None}))


def stale_read(view: KeyView, same_process: bool) -> list[Violation]:
    """MODEL.md's stale-read (read-your-writes with `same_process`), one violation per
    read. Of the ok writes acknowledged before a read began, the one invoked last is
    the one its value can have finished before, if any can: so one binary search over
    the writes in completion order per read, not a scan."""
    groups: dict[Hashable, list[Op]] = {}
    for w in view.writes:
        if w.status == OK:
            groups.setdefault(w.process if same_process else None, []).append(w)
    latest: dict[Hashable, tuple[list[int], list[Op]]] = {}
    for group, writes in groups.items():
        writes.sort(key=_completed)
        best, prefix = None, []
        for w in writes:
            if best is None or w.invoked > best.invoked:
                best = w
            prefix.append(best)
        latest[group] = ([_completed(w) for w in writes], prefix)
    found = []
    for read in view.reads:
        if _unknown_value(view, read):
            continue  # a value nobody wrote: linearizable reports it
        completions, prefix = latest.get(read.process if same_process else None, ([], []))
        before = bisect_left(completions, read.invoked)
        if before == 0:
            continue
        write = prefix[before - 1]
        x = view.source(read)
        if x is None:
            found.append(
                Violation(
                    f"{read.describe()} returned the initial value, although "
                    f"{write.describe()} was acknowledged before the read began",
                    _witness(write, read),
                )
            )
        elif x.precedes(write):
            found.append(
                Violation(
                    f"{read.describe()} returned the value of {x.describe()}, which finished "
                    f"before {write.describe()} began, and that write was acknowledged before "
                    "the read began",
                    _witness(x, write, read),
                )
            )
    return found


def monotonic_reads(view: KeyView) -> list[Violation]:
    """MODEL.md's monotonic-reads, one violation per later read. A process's ok reads
    follow one another, so each is compared with the earlier read whose value was
    written by the write invoked last, the one an older value can have finished before."""
    found = []
    newest: dict[Hashable, Op] = {}  # process -> earlier read of the newest-invoked write
    for second in view.reads:
        if _unknown_value(view, second):
            continue
        x2 = view.source(second)
        first = newest.get(second.process)
        if first is not None:
            x1 = _newest_source(view, first)
            if x2 is None or x2.precedes(x1):
                shown = "the initial value" if x2 is None else f"the value of {x2.describe()}"
                found.append(
                    Violation(
                        f"{second.describe()} returned {shown}, older than the value of "
                        f"{x1.describe()} which the same process's earlier {first.describe()} "
                        "returned",
                        _witness(x1, x2, first, second),
                    )
                )
        if x2 is not None and (first is None or x2.invoked > _newest_source(view, first).invoked):
            newest[second.process] = second
    return found


def aborted_read(view: KeyView) -> list[Violation]:
    found = []
    for read in view.reads:
        x = view.source(read)
        if x is not None and x.status == FAIL:
            found.append(
                Violation(
                    f"{read.describe()} returned the value of {x.describe()}, which definitely "
                    "failed",
                    _witness(x, read),
                )
            )
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
