"""Hand-made histories for each property: violated with its witness, holding, n/a, and
linearizability's outcomes (info may take effect later or never, fail never did,
a limit is inconclusive, never linearizable)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaderless.model.history import Budget, check_history, parse
from leaderless.model.history.check import HOLDS, NOT_APPLICABLE, UNKNOWN, VIOLATED
from leaderless.model.history.linear import deletable, items, search


def history(*events, key=None):
    """Events as (kind, process, f, value): kind is invoke, ok, fail or info."""
    lines = []
    for kind, process, f, value in events:
        record = {"process": process, "type": kind, "f": f, "value": value}
        if key is not None:
            record["key"] = key
        lines.append(json.dumps(record))
    return parse("\n".join(lines))


def write(p, v, outcome="ok"):
    return [("invoke", p, "write", v), (outcome, p, "write", v)]


def read(p, v):
    return [("invoke", p, "read", None), ("ok", p, "read", v)]


def verdicts(h, **kwargs):
    report = check_history(h, **kwargs)
    return {p.id: p for p in report.properties}


def witness(h, prop):
    key = verdicts(h)[prop].keys[0]
    return [h.ops[i].describe() for i in key.witness]


def test_porcupine_register_examples():
    # Porcupine's TestRegisterModel (from MIT 6.824's quiz), nil for its initial 0.
    good = history(
        ("invoke", 0, "write", 100),
        ("invoke", 1, "read", None),
        ("invoke", 2, "read", None),
        ("ok", 2, "read", None),
        ("ok", 1, "read", 100),
        ("ok", 0, "write", 100),
    )
    assert verdicts(good)["linearizable"].verdict == HOLDS
    bad = history(
        ("invoke", 0, "write", 200),
        ("invoke", 1, "read", None),
        ("ok", 1, "read", 200),
        ("invoke", 2, "read", None),
        ("ok", 2, "read", None),
        ("ok", 0, "write", 200),
    )
    result = verdicts(bad)["linearizable"]
    assert result.verdict == VIOLATED
    assert witness(bad, "linearizable") == ["p0 write 200", "p1 read -> 200", "p2 read -> nil"]
    assert result.keys[0].breaks_at == 4  # the second read's return: event 5 of 6


def test_info_write_may_take_effect_later_or_never():
    later = history(*write(0, 1, "info"), *read(1, None), *read(1, 1))
    assert verdicts(later)["linearizable"].verdict == HOLDS
    never = history(*write(0, 1, "info"), *read(1, None))
    assert verdicts(never)["linearizable"].verdict == HOLDS
    undone = history(*write(0, 1, "info"), *read(1, 1), *read(1, None))
    assert verdicts(undone)["linearizable"].verdict == VIOLATED
    # An invocation with no completion at all is the same as info.
    pending = history(("invoke", 0, "write", 1), *read(1, None), *read(1, 1))
    assert verdicts(pending)["linearizable"].verdict == HOLDS


def test_failed_write_never_happened():
    h = history(*write(0, 1, "fail"), *read(1, 1))
    result = verdicts(h)
    assert result["linearizable"].verdict == VIOLATED
    assert result["aborted-read"].verdict == VIOLATED
    assert witness(h, "aborted-read") == ["p0 write 1 failed", "p1 read -> 1"]
    assert verdicts(history(*write(0, 1, "fail"), *read(1, None)))["linearizable"].verdict == HOLDS


def test_cas_register():
    ok = history(*write(0, 1), ("invoke", 1, "cas", [1, 2]), ("ok", 1, "cas", [1, 2]), *read(0, 2))
    assert verdicts(ok)["linearizable"].verdict == HOLDS
    lost = history(
        *write(0, 1), ("invoke", 1, "cas", [1, 2]), ("ok", 1, "cas", [1, 2]), *read(0, 1)
    )
    assert verdicts(lost)["linearizable"].verdict == VIOLATED
    impossible = history(*write(0, 1), ("invoke", 1, "cas", [3, 2]), ("ok", 1, "cas", [3, 2]))
    assert verdicts(impossible)["linearizable"].verdict == VIOLATED


def test_appends_in_an_order_no_read_contradicts():
    def append(p, v):
        return [("invoke", p, "append", v), ("ok", p, "append", v)]

    concurrent = history(
        ("invoke", 0, "append", "a"),
        ("invoke", 1, "append", "b"),
        ("ok", 0, "append", "a"),
        ("ok", 1, "append", "b"),
        *read(2, "ba"),
    )
    assert verdicts(concurrent)["linearizable"].verdict == HOLDS
    ordered = history(*append(0, "a"), *append(1, "b"), *read(2, "ba"))
    assert verdicts(ordered)["linearizable"].verdict == VIOLATED
    forgotten = history(*append(0, "a"), *write(1, "x"), *append(0, "b"), *read(2, "xb"))
    assert verdicts(forgotten)["linearizable"].verdict == HOLDS


def test_stale_read_names_the_write_it_missed():
    missed = history(*write(0, 1), *read(1, None))
    result = verdicts(missed)
    assert result["stale-read"].verdict == VIOLATED
    assert result["read-your-writes"].verdict == NOT_APPLICABLE
    assert witness(missed, "stale-read") == ["p0 write 1", "p1 read -> nil"]
    older = history(*write(0, 1), *write(0, 2), *read(1, 1))
    assert witness(older, "stale-read") == ["p0 write 1", "p0 write 2", "p1 read -> 1"]
    assert "which finished before p0 write 2 began" in verdicts(older)["stale-read"].keys[0].reason
    concurrent = history(("invoke", 0, "write", 1), *read(1, None), ("ok", 0, "write", 1))
    assert verdicts(concurrent)["stale-read"].verdict == HOLDS


def test_read_your_writes_is_per_process():
    own = history(*write(0, 1), *write(1, 2), *read(0, 2), *read(1, 1))
    result = verdicts(own)
    assert result["read-your-writes"].verdict == VIOLATED
    assert witness(own, "read-your-writes") == ["p0 write 1", "p1 write 2", "p1 read -> 1"]
    # p0 reads its own write after p1's newer one: stale, but not a missed own write.
    other = history(*write(0, 1), *write(1, 2), *read(0, 1))
    result = verdicts(other)
    assert result["read-your-writes"].verdict == HOLDS
    assert result["stale-read"].verdict == VIOLATED


def test_monotonic_reads():
    back = history(*write(0, 1), *write(0, 2), *read(1, 2), *read(1, 1))
    result = verdicts(back)
    assert result["monotonic-reads"].verdict == VIOLATED
    assert witness(back, "monotonic-reads") == [
        "p0 write 1",
        "p0 write 2",
        "p1 read -> 2",
        "p1 read -> 1",
    ]
    to_nil = history(*write(0, 1), *read(1, 1), *read(1, None))
    assert verdicts(to_nil)["monotonic-reads"].verdict == VIOLATED
    forward = history(*write(0, 1), *write(0, 2), *read(1, 1), *read(1, 2))
    assert verdicts(forward)["monotonic-reads"].verdict == HOLDS
    other_process = history(*write(0, 1), *write(0, 2), *read(1, 2), *read(2, 1))
    assert verdicts(other_process)["monotonic-reads"].verdict == NOT_APPLICABLE


def test_session_properties_need_values_that_name_their_write():
    h = history(*write(0, 1), *write(1, 1), *read(0, 1), *read(0, 1))
    result = verdicts(h)
    for prop in ("stale-read", "read-your-writes", "monotonic-reads", "aborted-read"):
        assert result[prop].verdict == NOT_APPLICABLE
        assert "1 is written twice" in result[prop].keys[0].reason
    assert result["linearizable"].verdict == HOLDS
    assert verdicts(history(*write(0, 1), *read(0, 1)))["aborted-read"].verdict == NOT_APPLICABLE


def test_properties_per_key():
    a = history(*write(0, 1), *read(1, None), key="a")
    b = history(*write(0, 1), *read(1, 1), key="b")
    joined = parse(
        "\n".join(
            json.dumps(
                {
                    "process": op.process,
                    "type": t,
                    "f": op.f,
                    "value": op.value if t != "invoke" or op.f != "read" else None,
                    "key": op.key,
                }
            )
            for h in (a, b)
            for op in h.ops
            for t in ("invoke", op.status)
        )
    )
    result = verdicts(joined)["stale-read"]
    assert result.verdict == VIOLATED
    assert [(k.key, k.verdict) for k in result.keys] == [("a", VIOLATED), ("b", HOLDS)]


ETCD = Path(__file__).parent / "data" / "porcupine" / "jepsen"


def etcd(number: int) -> str:
    return (ETCD / f"etcd_{number:03d}.log").read_text()


def test_a_limit_is_inconclusive_never_linearizable():
    h = parse(etcd(2))  # linearizable, and a long search
    result = verdicts(h, budget=Budget(max_steps=4096))["linearizable"]
    assert result.verdict == UNKNOWN
    assert "the time limit stopped the search after it placed" in result.keys[0].reason
    cancelled = check_history(h, budget=Budget(cancelled=lambda: True))
    assert cancelled.verdict("linearizable").verdict == UNKNOWN
    assert cancelled.stopped_by == "interrupted (Ctrl-C)"
    assert verdicts(h)["linearizable"].verdict == HOLDS


@pytest.mark.parametrize("number", [0, 1, 12, 64])
def test_linearizability_witness_is_itself_unlinearizable_and_one_minimal(number):
    h = parse(etcd(number))
    key = verdicts(h, properties=("linearizable",))["linearizable"].keys[0]
    assert key.verdict == VIOLATED and key.witness_minimal
    assert len(key.witness) < len(h.ops) // 3
    ops = [op for op in h.ops if op.index in key.witness]
    cut = items(ops, key.breaks_at + 1)
    assert search(cut, h.initial, Budget())[0] is False
    for left_out in cut:
        rest = [it for it in cut if it is not left_out]
        if deletable([left_out], rest):
            assert search(rest, h.initial, Budget())[0] is True
