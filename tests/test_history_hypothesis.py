"""Generated histories against a brute-force oracle, both ways.

A sequential execution of a read/write/cas register, each operation stretched around
its moment of effect into an interval that overlaps others, is linearizable by
construction; perturbing it (a read's result, a write's outcome) may make it not.
The oracle tries every order of the operations that real time allows, with every
subset of the ones whose outcome is unknown, so on these small histories it is the
definition itself.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from leaderless.model.history import check_history, parse
from leaderless.model.history.check import HOLDS, VIOLATED
from leaderless.model.history.records import CAS, FAIL, INFO, OK, READ


@st.composite
def executions(draw):
    """(records as JSON lines, and the history is linearizable by construction)."""
    count = draw(st.integers(1, 6))
    state, ops = None, []
    for number in range(count):
        f = draw(st.sampled_from([READ, "write", CAS]))
        if f == READ:
            ops.append({"f": f, "value": state, "type": OK})
        elif f == "write":
            state = number + 1
            ops.append({"f": f, "value": state, "type": draw(st.sampled_from([OK, OK, INFO]))})
        else:
            old = draw(st.sampled_from([state, number + 1]))
            swapped = old == state
            if swapped:
                state = number + 2
            ops.append({"f": f, "value": [old, number + 2], "type": OK if swapped else FAIL})
    # Op i takes effect at 10 * i + 5; its interval covers that moment, and overlaps
    # its neighbours as far as the drawn stretches go.
    events = []
    for i, op in enumerate(ops):
        moment = 10 * i + 5
        call = moment - draw(st.integers(1, 25)) + i / 100
        ret = moment + draw(st.integers(1, 25)) + i / 100
        events.append((call, 0, i))
        if op["type"] != INFO or draw(st.booleans()):
            events.append((ret, 1, i))
    lines = []
    for _, completion, i in sorted(events):
        op = ops[i]
        value = op["value"] if completion or op["f"] != READ else None
        lines.append(
            json.dumps(
                {
                    "process": i,
                    "type": op["type"] if completion else "invoke",
                    "f": op["f"],
                    "value": value,
                }
            )
        )
    return lines


def oracle(history) -> bool:
    """Some order of the ops that happened (and some of those that may have) respects
    real time and the register's rules."""
    sure = [op for op in history.ops if op.status == OK]
    maybe = [op for op in history.ops if op.status == INFO and op.f != READ]
    for size in range(len(maybe) + 1):
        for chosen in itertools.combinations(maybe, size):
            for order in itertools.permutations(sure + list(chosen)):
                if _legal(order):
                    return True
    return False


def _legal(order) -> bool:
    for position, op in enumerate(order):
        if any(later.precedes(op) for later in order[position + 1 :]):
            return False
    state = None
    for op in order:
        if op.f == READ:
            if op.value != state:
                return False
        elif op.f == CAS:
            if state != op.value[0]:
                return False
            state = op.value[1]
        else:
            state = op.value
    return True


@given(executions())
def test_sequential_executions_are_linearizable(lines):
    history = parse("\n".join(lines))
    assert check_history(history, ("linearizable",)).verdict("linearizable").verdict == HOLDS


@st.composite
def perturbed(draw):
    lines = [json.loads(line) for line in draw(executions())]
    completions = [n for n, e in enumerate(lines) if e["type"] != "invoke"]
    chosen = (
        draw(st.lists(st.sampled_from(completions), min_size=1, max_size=2)) if completions else []
    )
    for n in chosen:
        event = lines[n]
        if event["f"] == READ:
            event["value"] = draw(st.sampled_from([None, *range(1, 9)]))
        else:
            event["type"] = draw(st.sampled_from([OK, FAIL, INFO]))
    return [json.dumps(e) for e in lines]


@given(perturbed())
def test_perturbed_histories_agree_with_the_oracle_both_ways(lines):
    history = parse("\n".join(lines))
    result = check_history(history, ("linearizable",)).verdict("linearizable")
    expected = oracle(history)
    assert result.verdict == (HOLDS if expected else VIOLATED)
    if not expected:
        # The witness alone (with later completions still running) is not linearizable.
        key = result.keys[0]
        witness_ops = [op for op in history.ops if op.index in key.witness]
        assert witness_ops
        assert not oracle(_cut(history, witness_ops, key.breaks_at))


def _cut(history, ops, breaks_at):
    """The witness as a history of its own, seen at the event where the search found
    the whole history first breaks: later completions have not happened yet."""
    seen = []
    for op in ops:
        if op.completed is not None and op.completed > breaks_at:
            if op.f == READ:
                continue
            op = replace(op, status=INFO, completed=None)
        elif op.status == FAIL:
            continue
        seen.append(op)
    return replace(history, ops=tuple(seen))


@st.composite
def sessions(draw):
    """Histories of a few processes, each one operation at a time, every write of its
    own value, reads returning any value written so far (or nil)."""
    processes = draw(st.integers(1, 3))
    open_ops: dict[int, dict] = {}
    written: list[int] = []
    lines = []
    for _ in range(draw(st.integers(2, 24))):
        process = draw(st.integers(0, processes - 1))
        op = open_ops.pop(process, None)
        if op is None:
            f = draw(st.sampled_from([READ, "write"]))
            value = None
            if f == "write":
                value = len(written) + 1
                written.append(value)
            open_ops[process] = {"f": f, "value": value}
            lines.append({"process": process, "type": "invoke", "f": f, "value": value})
        elif op["f"] == READ:
            lines.append(
                {
                    "process": process,
                    "type": OK,
                    "f": READ,
                    "value": draw(st.sampled_from([None, *written])),
                }
            )
        else:
            lines.append(
                {
                    "process": process,
                    "type": draw(st.sampled_from([OK, OK, FAIL, INFO])),
                    "f": "write",
                    "value": op["value"],
                }
            )
    return "\n".join(json.dumps(line) for line in lines)


def _definitions(history):
    """MODEL.md's session properties transcribed directly (every pair, every triple):
    property -> how many reads break it."""
    reads = [op for op in history.ops if op.f == READ and op.status == OK]
    writes = [op for op in history.ops if op.f != READ]
    source = {w.value: w for w in writes}

    def stale(read, same):
        x = source.get(read.value)
        return any(
            w.status == OK
            and w.precedes(read)
            and (not same or w.process == read.process)
            and (x is None or x.precedes(w))
            for w in writes
        )

    def backwards(second):
        x2 = source.get(second.value)
        return any(
            first.process == second.process
            and first.precedes(second)
            and source.get(first.value) is not None
            and (x2 is None or x2.precedes(source[first.value]))
            for first in reads
        )

    return {
        "stale-read": sum(stale(r, False) for r in reads),
        "read-your-writes": sum(stale(r, True) for r in reads),
        "monotonic-reads": sum(backwards(r) for r in reads),
        "aborted-read": sum(r.value in source and source[r.value].status == FAIL for r in reads),
    }


@given(sessions())
def test_session_properties_match_their_definitions(text):
    history = parse(text)
    expected = _definitions(history)
    report = check_history(history, tuple(expected))
    for prop, count in expected.items():
        verdict = report.verdict(prop)
        if verdict.verdict == "n/a":
            assert count == 0, prop  # n/a only where nothing could break it
            continue
        assert sum(k.violations for k in verdict.keys) == count, prop
        assert verdict.verdict == (VIOLATED if count else HOLDS), prop
