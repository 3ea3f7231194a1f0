"""Linearizability of one key's operations as a read/write/cas register (or a string
that appends grow), by the Wing and Gong search with Lowe's memoisation.

The search walks the events in real-time order and linearizes a call whenever the
register's sequential rules allow it, backtracking at a return whose operation it has
not yet placed. A (linearized set, register value) pair it has reached before is not
explored again, as in Knossos and Porcupine, so the cost grows with how many
operations overlap, not with the length of the history.

Outcomes follow Jepsen: an ok operation happened between its invocation and its
completion; a failed one never happened and is left out; one whose outcome is unknown
(info, or never completed) may take effect at any time after its invocation, or never,
which the search models by a return after every other event. A read whose result is
unknown constrains nothing and is left out.

Every search takes a `Budget`; when it runs out the answer is None (unknown), never
"linearizable".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leaderless.model.history.records import APPEND, CAS, INFO, OK, READ, WRITE, Op

# Sequential behaviours of the operations the search places.
R_READ, R_WRITE, R_CAS, R_CAS_OTHER, R_CAS_MAYBE, R_APPEND = range(6)
_NEVER = float("inf")
_CHECK_EVERY = 2048


class Budget:
    """When a search must stop: a monotonic deadline, a cancel hook (Ctrl-C), and a cap
    on search steps (deterministic, unlike time)."""

    def __init__(
        self,
        seconds: float | None = None,
        cancelled: Callable[[], bool] | None = None,
        max_steps: int | None = None,
    ) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.cancelled = cancelled or (lambda: False)
        self.max_steps = max_steps
        self.steps = 0

    def limited(self, max_steps: int) -> Budget:
        """The same deadline and cancel hook, with its own step cap."""
        child = Budget(cancelled=self.cancelled, max_steps=max_steps)
        child.deadline = self.deadline
        return child

    def out_of_steps(self) -> bool:
        return self.max_steps is not None and self.steps >= self.max_steps

    def expired(self) -> bool:
        return (
            self.out_of_steps()
            or self.cancelled()
            or (self.deadline is not None and time.monotonic() >= self.deadline)
        )


@dataclass(frozen=True, slots=True)
class Item:
    """An operation as the search places it: `ret` is None for one that may take effect
    at any later time or never."""

    op: int
    call: int
    ret: int | None
    behaviour: int
    a: Any = None
    b: Any = None

    def returns_before(self, call: int) -> bool:
        """Whether this operation completed before event `call`."""
        return self.ret is not None and self.ret < call

    def observes(self, value: Any) -> bool:
        return (self.behaviour == R_READ and self.a == value) or (
            self.behaviour in (R_CAS, R_CAS_MAYBE) and self.a == value
        )

    @property
    def writes(self) -> bool:
        return self.behaviour not in (R_READ, R_CAS_OTHER)

    @property
    def written(self) -> Any:
        return self.b if self.behaviour in (R_CAS, R_CAS_MAYBE) else self.a


def _completed(op: Op) -> int:
    """An operation's completion position; only info (pending) ones have none."""
    assert op.completed is not None
    return op.completed


def _read_ret(item: Item) -> int:
    """A read's completion: items() places only reads that completed."""
    assert item.ret is not None
    return item.ret


def items(ops: list[Op], cut: int | None = None) -> list[Item]:
    """The operations the search must place, seen at event `cut` (exclusive) when given:
    later invocations are left out and operations still running at the cut count as
    running forever (their outcome is not known yet)."""
    placed = []
    for op in ops:
        if op.status not in (OK, INFO) or (cut is not None and op.invoked >= cut):
            continue
        running = op.status == INFO or (cut is not None and _completed(op) >= cut)
        ret = None if running else op.completed
        if op.f == READ:
            if not running:
                placed.append(Item(op.index, op.invoked, ret, R_READ, op.value))
        elif op.f == WRITE:
            placed.append(Item(op.index, op.invoked, ret, R_WRITE, op.value))
        elif op.f == APPEND:
            placed.append(Item(op.index, op.invoked, ret, R_APPEND, op.value))
        elif op.f == CAS:
            old, new = op.value
            if running:
                placed.append(Item(op.index, op.invoked, None, R_CAS_MAYBE, old, new))
            elif op.swapped:
                placed.append(Item(op.index, op.invoked, ret, R_CAS, old, new))
            else:
                placed.append(Item(op.index, op.invoked, ret, R_CAS_OTHER, old, new))
    return placed


def _append(state: Any, value: Any) -> Any:
    if state is None:
        return value
    return state + value


def search(
    placed: list[Item],
    initial: Any,
    budget: Budget,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bool | None, list[int]]:
    """(True, a linearization) | (False, the longest partial linearization found) |
    (None, the longest found so far) when the budget ran out.

    `progress(placed, remembered)` is called now and then during long searches.
    """
    n = len(placed)
    if n == 0:
        return True, []
    entries = sorted(
        [(it.call, 0, i) for i, it in enumerate(placed)]
        + [(_NEVER if it.ret is None else it.ret, 1, i) for i, it in enumerate(placed)]
    )
    size = len(entries)
    head, tail = size, size + 1
    nxt = list(range(1, size + 1)) + [0, -1]
    prv = [head] + list(range(size - 1)) + [-1, size - 1]
    nxt[head] = 0
    prv[tail] = size - 1
    nxt[size - 1] = tail
    is_call = [kind == 0 for _, kind, _ in entries]
    item_of = [i for _, _, i in entries]
    match = [0] * size
    return_at = {}
    for position, (_, kind, i) in enumerate(entries):
        if kind == 1:
            return_at[i] = position
    for position, (_, kind, i) in enumerate(entries):
        if kind == 0:
            match[position] = return_at[i]
    behaviour = [it.behaviour for it in placed]
    arg_a = [it.a for it in placed]
    arg_b = [it.b for it in placed]
    definite = [it.ret is not None for it in placed]
    bit = [1 << i for i in range(n)]
    appends = _Appends.of(placed, initial)

    left = sum(definite)
    linearized = 0
    state = initial if appends is None else appends.initial
    stack: list[tuple[int, Any]] = []
    seen: set[tuple[int, Any]] = set()  # Lowe's memo: (ops placed, value) reached before
    # The longest partial linearization: copied only when the search backs away from a
    # new peak (copying at every new peak would cost quadratic time on long histories).
    best: list[int] = []
    peak = 0
    countdown, checks = _CHECK_EVERY, 0
    entry = nxt[head]
    while left:
        countdown -= 1
        if not countdown:
            countdown, checks = _CHECK_EVERY, checks + 1
            budget.steps += _CHECK_EVERY
            if budget.expired():
                if peak > len(best):
                    best = [item_of[e] for e, _ in stack]
                return None, [placed[i].op for i in best]
            if progress is not None and checks % 64 == 0:
                progress(len(stack), len(seen))
        if is_call[entry]:
            i = item_of[entry]
            kind = behaviour[i]
            if appends is not None:
                legal, new = appends.step(i, kind, state, linearized | bit[i])
            elif kind == R_READ:
                legal, new = state == arg_a[i], state
            elif kind == R_WRITE:
                legal, new = True, arg_a[i]
            elif kind == R_CAS:
                legal, new = state == arg_a[i], arg_b[i]
            elif kind == R_CAS_OTHER:
                legal, new = state != arg_a[i], state
            elif kind == R_CAS_MAYBE:
                legal, new = True, (arg_b[i] if state == arg_a[i] else state)
            else:
                legal, new = True, _append(state, arg_a[i])
            if legal:
                after = linearized | bit[i]
                memo = (after, new)
                if memo not in seen:
                    seen.add(memo)
                    stack.append((entry, state))
                    state, linearized = new, after
                    if definite[i]:
                        left -= 1
                    ret = match[entry]
                    nxt[prv[entry]] = nxt[entry]
                    prv[nxt[entry]] = prv[entry]
                    nxt[prv[ret]] = nxt[ret]
                    prv[nxt[ret]] = prv[ret]
                    peak = max(peak, len(stack))
                    entry = nxt[head]
                    continue
            entry = nxt[entry]
        else:
            if not stack:
                return False, [placed[i].op for i in best]
            if peak == len(stack) and peak > len(best):
                best = [item_of[e] for e, _ in stack]
            entry, state = stack.pop()
            i = item_of[entry]
            linearized ^= bit[i]
            if definite[i]:
                left += 1
            ret = match[entry]
            nxt[prv[ret]] = ret
            prv[nxt[ret]] = ret
            nxt[prv[entry]] = entry
            prv[nxt[entry]] = entry
            entry = nxt[entry]
    return True, [placed[item_of[e]].op for e, _ in stack]


class _Appends:
    """The search's rules for a key changed only by writes and appends (of strings or
    lists), where every order of concurrent appends is another value and a plain
    search grows factorially with concurrency.

    The value is kept as (observed, pending): what the last read or write fixed, and
    the set of appends placed since, whose order no one has observed yet. A read picks
    an order then (one that respects real time among them) or fails; a write forgets
    them. Orders nobody observes thus stay one state. Placing a write or an append is
    also refused when a read that must come before any other write could no longer
    return its value (its value must extend what is fixed, and contain every pending
    append).
    """

    def __init__(self, placed: list[Item], initial: Any) -> None:
        self.placed = placed
        self.initial: tuple[Any, frozenset[int]] = (initial, frozenset())
        self.reads = sorted(
            (_read_ret(it), 1 << i, it.a) for i, it in enumerate(placed) if it.behaviour == R_READ
        )
        self.writes = [(it.call, 1 << i) for i, it in enumerate(placed) if it.behaviour == R_WRITE]
        # after[i]: the appends that real time puts before append i.
        appends = [i for i, it in enumerate(placed) if it.behaviour == R_APPEND]
        self.before = {
            i: frozenset(j for j in appends if placed[j].returns_before(placed[i].call))
            for i in appends
        }
        self.empty = next((type(it.a)() for it in placed if it.behaviour == R_APPEND), "")

    @classmethod
    def of(cls, placed: list[Item], initial: Any) -> _Appends | None:
        kinds = {it.behaviour for it in placed}
        if R_APPEND not in kinds or kinds & {R_CAS, R_CAS_OTHER, R_CAS_MAYBE}:
            return None
        values = [it.a for it in placed if it.a is not None] + (
            [] if initial is None else [initial]
        )
        if not (
            all(isinstance(v, str) for v in values) or all(isinstance(v, tuple) for v in values)
        ):
            return None
        return cls(placed, initial)

    def step(self, i: int, kind: int, state: tuple, linearized: int) -> tuple[bool, tuple]:
        fixed, pending = state
        if kind == R_READ:
            value = self.placed[i].a
            if not pending:
                return value == fixed, state
            return self._order(fixed, pending, value), (value, frozenset())
        new = (fixed, pending | {i}) if kind == R_APPEND else (self.placed[i].a, frozenset())
        return self._readable(linearized, new), new

    def _order(self, fixed: Any, pending: frozenset[int], value: Any) -> bool:
        """Whether `value` is `fixed` then the pending appends in some real-time order."""
        start = fixed if fixed is not None else self.empty
        if value is None or value[: len(start)] != start:
            return False
        placed = self.placed

        def extend(position: int, left: frozenset[int]) -> bool:
            if not left:
                return position == len(value)
            for j in left:
                piece = placed[j].a
                if (
                    not self.before[j] & left
                    and value[position : position + len(piece)] == piece
                    and extend(position + len(piece), left - {j})
                ):
                    return True
            return False

        return extend(len(start), pending)

    def _readable(self, linearized: int, state: tuple) -> bool:
        fixed, pending = state
        start = fixed if fixed is not None else self.empty
        limit = min((call for call, bit in self.writes if not linearized & bit), default=_NEVER)
        for ret, bit, value in self.reads:
            if ret >= limit:
                break
            if linearized & bit:
                continue
            if value is None:
                if fixed is not None or pending:
                    return False
                continue
            if value[: len(start)] != start:
                return False
            rest = value[len(start) :]
            if not all(_contains(rest, self.placed[j].a) for j in pending):
                return False
        return True


def _contains(sequence: Any, part: Any) -> bool:
    if isinstance(sequence, str):
        return part in sequence
    size = len(part)
    return any(sequence[k : k + size] == part for k in range(len(sequence) - size + 1))


def deletable(chunk: list[Item], rest: list[Item]) -> bool:
    """Whether leaving `chunk` out keeps a witness sound: if `rest` cannot be linearized,
    neither can `rest` plus `chunk`.

    Leaving out an observation (a read, a cas that found another value) only removes
    constraints. Leaving out a write is sound when nothing that stays observes its value
    and nothing that stays compares against values in general (a cas that found
    another value): in a linearization with the write, the stretch it governed is then
    read by no one, so the same order without it still works. Appends are kept: every
    later value contains them.
    """
    writes = [it for it in chunk if it.writes]
    if not writes:
        return True
    if any(it.behaviour == R_APPEND for it in writes):
        return False
    if any(it.behaviour == R_CAS_OTHER for it in rest):
        return False
    # Writes of the chunk observing one another would need an order to leave them out in.
    return not any(
        other.observes(w.written) for w in writes for other in rest + writes if other is not w
    )
