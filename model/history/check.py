"""Verdicts for a recorded history: each property, per key, with a witness per violation.

A property is decided key by key (a key is an independent register); it is violated
when some key violates it, unknown when no key does but some key's check ran out of
time, n/a when it applies to no key (never "holds" then), and holds otherwise.
Linearizability is decided for every key first; witnesses are shrunk afterwards with
whatever time is left, so a limit costs detail before it costs verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from leaderless.model.history.linear import Budget, Item, deletable, items, search
from leaderless.model.history.records import History, Op, show
from leaderless.model.history.sessions import SESSION_PROPERTIES, check_key
from leaderless.model.properties import CATALOGUE

LINEARIZABLE = "linearizable"
# The model's order, so reports read the same as `leaderless check`.
HISTORY_PROPERTIES = tuple(
    p.id for p in CATALOGUE if p.id in SESSION_PROPERTIES or p.id == LINEARIZABLE
)
MEANINGS = {p.id: p.meaning for p in CATALOGUE}
MEANINGS[LINEARIZABLE] = (
    "the history is linearizable as a read/write/cas register per key, "
    "starting at the initial value"
)
# The model's aborted-read is about timed-out writes, whose outcome is unknown; on a
# recorded history reading such a write is allowed (it may have happened), and the
# anomaly is reading one that definitely failed.
MEANINGS["aborted-read"] = (
    "no ok read returns the value of a write that definitely failed (Adya's G1a)"
)
HOLDS, VIOLATED, UNKNOWN, NOT_APPLICABLE = "holds", "violated", "inconclusive", "n/a"

TIME_LIMIT = "the time limit"
INTERRUPTED = "interrupted (Ctrl-C)"


@dataclass(frozen=True)
class KeyVerdict:
    """One property on one key. For linearizable, `linearization` is a linearization
    when it holds and otherwise the longest partial one the search found; `breaks_at`
    is the event (0-based) whose arrival first makes the key's history unlinearizable,
    so the history before it is the longest linearizable prefix."""

    key: Hashable
    verdict: str
    reason: str = ""
    witness: tuple[int, ...] = ()
    violations: int = 0
    witness_minimal: bool = True
    linearization: tuple[int, ...] = ()
    breaks_at: int | None = None


@dataclass(frozen=True)
class PropertyVerdict:
    id: str
    meaning: str
    verdict: str
    keys: tuple[KeyVerdict, ...]


@dataclass(frozen=True)
class Report:
    history: History
    properties: tuple[PropertyVerdict, ...]
    stopped_by: str | None = None

    def verdict(self, prop: str) -> PropertyVerdict:
        return next(p for p in self.properties if p.id == prop)


# Search steps spent shrinking one witness (a few seconds); a cap on steps rather than
# time keeps the witness the same on every machine.
WITNESS_STEPS = 1_000_000


def check_history(
    history: History,
    properties: tuple[str, ...] = HISTORY_PROPERTIES,
    budget: Budget | None = None,
    progress: Callable[[str], None] | None = None,
    witness_steps: int = WITNESS_STEPS,
) -> Report:
    """Decide `properties` on `history` within `budget`; each linearizability witness is
    shrunk for at most `witness_steps` search steps.

    >>> from leaderless.model.history.parse import parse
    >>> lines = ['{"process": 0, "type": "invoke", "f": "write", "value": 1}',
    ...          '{"process": 0, "type": "ok", "f": "write", "value": 1}',
    ...          '{"process": 1, "type": "invoke", "f": "read", "value": null}',
    ...          '{"process": 1, "type": "ok", "f": "read", "value": null}']
    >>> report = check_history(parse("\\n".join(lines)))
    >>> report.verdict("linearizable").verdict, report.verdict("stale-read").verdict
    ('violated', 'violated')
    """
    budget = budget or Budget()
    groups = history.by_key()
    stopped_by = None
    results: dict[str, list[KeyVerdict]] = {prop: [] for prop in properties}
    for prop in properties:
        if prop == LINEARIZABLE:
            continue
        for key, ops in groups.items():
            not_applicable, found = check_key(prop, ops, history.initial)
            results[prop].append(_session_verdict(key, not_applicable, found))
    if LINEARIZABLE in properties:
        pending: list[tuple[int, list[Op], list[Item]]] = []
        for number, (key, ops) in enumerate(groups.items(), 1):
            if stopped_by is not None:
                results[LINEARIZABLE].append(KeyVerdict(key, UNKNOWN, f"not checked: {stopped_by}"))
                continue
            placed = items(ops)
            report = None
            if progress is not None:
                label = f"key {number} of {len(groups)}, {len(placed)} operations"
                progress(label)

                def report(done: int, seen: int, label: str = label) -> None:
                    progress(f"{label}: {done} placed, {seen:,} states remembered")

            outcome, order = search(placed, history.initial, budget, report)
            if outcome is None:
                stopped_by = INTERRUPTED if budget.cancelled() else TIME_LIMIT
                results[LINEARIZABLE].append(
                    KeyVerdict(
                        key,
                        UNKNOWN,
                        f"{stopped_by} stopped the search after it placed "
                        f"{len(order)} of {len(placed)} operations",
                        linearization=tuple(order),
                    )
                )
            elif outcome:
                results[LINEARIZABLE].append(KeyVerdict(key, HOLDS, linearization=tuple(order)))
            else:
                pending.append((len(results[LINEARIZABLE]), ops, placed))
                results[LINEARIZABLE].append(KeyVerdict(key, VIOLATED, linearization=tuple(order)))
        for position, ops, placed in pending:
            verdict = results[LINEARIZABLE][position]
            if progress is not None:
                progress(f"shrinking the witness for key {_key_name(verdict.key)}")
            shrunk = _linearizability_witness(
                ops, placed, history.initial, budget.limited(witness_steps)
            )
            results[LINEARIZABLE][position] = _violated_linearizable(verdict, history, *shrunk)
    verdicts = tuple(
        PropertyVerdict(prop, MEANINGS[prop], _overall(results[prop]), tuple(results[prop]))
        for prop in properties
    )
    return Report(history, verdicts, stopped_by)


def _key_name(key: Hashable) -> str:
    return "(single register)" if key is None else show(key)


def _session_verdict(key: Hashable, not_applicable: str | None, found: list) -> KeyVerdict:
    if not_applicable is not None:
        return KeyVerdict(key, NOT_APPLICABLE, not_applicable)
    if not found:
        return KeyVerdict(key, HOLDS)
    first = found[0]
    return KeyVerdict(key, VIOLATED, first.reason, first.witness, len(found))


def _overall(keys: list[KeyVerdict]) -> str:
    verdicts = {k.verdict for k in keys}
    for verdict in (VIOLATED, UNKNOWN, HOLDS):
        if verdict in verdicts:
            return verdict
    return NOT_APPLICABLE


def _linearizability_witness(
    ops: list[Op], placed: list[Item], initial: Any, budget: Budget
) -> tuple[list[Item], int | None, bool]:
    """(a small set of operations that is already not linearizable, the event where the
    key's history first becomes unlinearizable, whether both were found to the end).

    The shortest unlinearizable prefix is found by bisection (a prefix of a
    linearizable history is linearizable), then operations are left out while the
    rest stays unlinearizable, halving the chunks tried down to single operations.
    """
    cuts = sorted(
        {op.invoked + 1 for op in ops}
        | {op.completed + 1 for op in ops if op.completed is not None}
    )
    low, high = 0, len(cuts)  # cuts[high] (or the whole history) is unlinearizable
    bad = placed
    while low < high:
        middle = (low + high) // 2
        candidate = items(ops, cuts[middle])
        outcome, _ = search(candidate, initial, budget)
        if outcome is None:
            return bad, None, False
        if outcome:
            low = middle + 1
        else:
            high, bad = middle, candidate
    breaks_at = cuts[high] - 1 if high < len(cuts) else None
    current = list(bad)
    # Observations first, in chunks (leaving one out is always sound), then the writes
    # (sound only when no one observes them); again until nothing can be left out, since
    # leaving out a write can make an observation unnecessary and the other way round.
    changed = True
    while changed:
        changed = False
        for writes in (False, True):
            chunk = max(1, sum(1 for it in current if it.writes == writes) // 2)
            while True:
                pool = [it for it in current if it.writes == writes]
                start = 0
                while start < len(pool):
                    removed = pool[start : start + chunk]
                    rest = [it for it in current if it not in removed]
                    if rest and deletable(removed, rest):
                        outcome, _ = search(rest, initial, budget)
                        if outcome is None:
                            return current, breaks_at, False
                        if outcome is False:
                            current, changed = rest, True
                            pool = pool[:start] + pool[start + chunk :]
                            continue
                    start += chunk
                if chunk == 1:
                    break
                chunk //= 2
    return current, breaks_at, True


def _violated_linearizable(
    verdict: KeyVerdict, history: History, witness: list[Item], breaks_at: int | None, minimal: bool
) -> KeyVerdict:
    indices = tuple(sorted(it.op for it in witness))
    where = ""
    if breaks_at is not None:
        culprit = next((op for op in history.ops if op.completed == breaks_at), None)
        if culprit is not None:
            where = (
                f"; the history is linearizable up to the completion of "
                f"{culprit.describe()} (event {breaks_at + 1}), which no order explains"
            )
    reason = (
        f"no order of the {len(indices)} operations of the witness respects real time "
        f"with every read returning the latest write before it{where}"
    )
    if not minimal:
        reason += " (shrinking stopped at its limit: a smaller witness may exist)"
    return KeyVerdict(
        verdict.key, VIOLATED, reason, indices, 1, minimal, verdict.linearization, breaks_at
    )
