"""Reading recorded histories: JSON lines, Jepsen EDN (plain, independent keys, one
vector), Porcupine's etcd and key-value logs, and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest

from leaderless.model.history import HistoryError, parse
from leaderless.model.history.parse import detect
from leaderless.model.history.records import FAIL, INFO, OK


def jsonl(*events) -> str:
    return "".join(
        json.dumps(
            dict(
                zip(("process", "type", "f", "value"), e[:4]),
                **({"key": e[4]} if len(e) > 4 else {}),
            )
        )
        + "\n"
        for e in events
    )


def test_jsonl_ops_carry_outcomes_values_and_event_positions():
    h = parse(
        jsonl(
            (0, "invoke", "write", 1),
            (1, "invoke", "read", None),
            (0, "ok", "write", 1),
            (1, "ok", "read", 1),
            (2, "invoke", "cas", [1, 2]),
            (2, "fail", "cas", [1, 2]),
            (3, "invoke", "write", 7),
        )
    )
    assert h.source_format == "jsonl" and h.events == 7 and h.initial is None
    write, read, cas, pending = h.ops
    assert (write.status, write.invoked, write.completed, write.value) == (OK, 0, 2, 1)
    assert (read.status, read.value, read.invoked, read.completed) == (OK, 1, 1, 3)
    assert (cas.status, cas.value, cas.swapped) == (FAIL, (1, 2), None)
    # An invocation never completed may have taken effect: info, no completion.
    assert (pending.status, pending.completed) == (INFO, None)
    assert write.precedes(cas) and not read.precedes(write) and not pending.precedes(cas)


def test_jsonl_keys_and_info_outcome():
    h = parse(
        jsonl(
            (0, "invoke", "write", 1, "a"),
            (0, "info", "write", 1, "a"),
            (1, "invoke", "read", None, ["b", 2]),
            (1, "ok", "read", None, ["b", 2]),
        )
    )
    assert set(h.keys()) == {"a", ("b", 2)}
    assert h.ops[0].status == INFO and h.ops[0].completed == 1
    assert not h.ops[0].precedes(h.ops[1])  # it may still take effect later


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the history is empty"),
        ('{"process": 0, "type": "invoke", "f": "read"}\nnot json\n', "line 2: not JSON"),
        ('{"process": 0, "type": "invoke"}\n', "line 1: missing field 'f'"),
        ('{"process": 0, "type": "begin", "f": "read"}\n', "line 1: type must be one of"),
        ('{"process": 0, "type": "invoke", "f": "incr"}\n', "line 1: f must be one of"),
        ('{"process": true, "type": "invoke", "f": "read"}\n', "process must be a number"),
        ('{"process": 0, "type": "ok", "f": "read"}\n', "without an open invocation"),
        (
            (
                '{"process": 0, "type": "invoke", "f": "read"}\n{"process": 0, "type": "invoke", '
                '"f": "read"}\n'
            ),
            "line 2: process 0 invokes read while its read has not completed",
        ),
        (
            (
                '{"process": 0, "type": "invoke", "f": "read"}\n{"process": 0, "type": "ok", '
                '"f": "write"}\n'
            ),
            "line 2: process 0 completes write, but invoked read",
        ),
        (
            (
                '{"process": 0, "type": "invoke", "f": "cas", "value": 3}\n{"process": 0, "type": "ok", '
                '"f": "cas", "value": 3}\n'
            ),
            "line 2: a cas needs a value [expected new], got 3",
        ),
        (
            '{"process": 0, "type": "invoke", "f": "append", "value": 3}\n',
            "operation 1: an append needs a string or a list, got 3",
        ),
        ("hello\n", "cannot tell the format"),
    ],
)
def test_bad_input_is_one_line_naming_where(text, message):
    with pytest.raises(HistoryError) as error:
        parse(text)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


EDN = """{:type :invoke, :f :write, :value 3, :process 0, :time 1}
{:type :invoke, :f :start-partition, :process :nemesis}
{:type :invoke, :f :read, :value nil, :process 1}
{:type :ok, :f :write, :value 3, :process 0}
{:type :ok, :f :read, :value 3, :process 1}
{:type :info, :f :start-partition, :process :nemesis, :value "cut"}
{:type :invoke, :f :cas, :value [3 4], :process 0}
{:type :fail, :f :cas, :value [3 4], :process 0, :error :timeout}
"""


def test_jepsen_edn_skips_the_nemesis_and_reads_keywords():
    h = parse(EDN)
    assert h.source_format == "edn" and h.events == 6
    assert [op.describe() for op in h.ops] == ["p0 write 3", "p1 read -> 3", "p0 cas 3 -> 4 failed"]


def test_jepsen_edn_independent_tuples_and_one_vector():
    text = (
        "[{:type :invoke, :f :write, :value [:x 1], :process 0}"
        " {:type :ok, :f :write, :value [:x 1], :process 0}"
        " {:type :invoke, :f :read, :value [:y nil], :process 1}"
        " {:type :ok, :f :read, :value [:y 1], :process 1}"
        " {:type :invoke, :f :cas, :value [:x [1 2]], :process 2}]"
    )
    h = parse(text)
    assert h.keys() == ["x", "y"]
    assert [(op.key, op.value) for op in h.ops] == [("x", 1), ("y", 1), ("x", (1, 2))]


def test_jepsen_03_op_records_and_java_objects():
    text = (
        "#jepsen.history.Op{:index 0, :time 12, :type :invoke, :process 0, :f :write, "
        ":value 1}\n#jepsen.history.Op{:index 1, :time 30, :type :fail, :process 0, "
        ':f :write, :value 1, :error #object[java.net.SocketException 0x2f "reset"]}\n'
    )
    (op,) = parse(text).ops
    assert op.describe() == "p0 write 1 failed"


def test_edn_error_names_the_line():
    with pytest.raises(HistoryError, match=r"^line 2: not EDN"):
        parse('{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read "x}\n')
    with pytest.raises(HistoryError) as error:
        parse('{"process": 0, "type": "invoke", "f": "read"}\n{"process": 0}\n', "edn")
    assert str(error.value) == "line 1: not EDN (Illegal character ':')"


def test_porcupine_etcd_log_reading():
    text = (
        "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
        "INFO  jepsen.core - something else entirely\n"
        "INFO  jepsen.util - 1\t:invoke\t:cas\t[0 3]\n"
        "INFO  jepsen.util - 0\t:fail\t:read\t:timed-out\n"
        "INFO  jepsen.util - 1\t:fail\t:cas\t[0 3]\n"
        "INFO  jepsen.util - 2\t:invoke\t:write\t4\n"
        "INFO  jepsen.util - 2\t:info\t:write\t:timed-out\n"
    )
    assert detect(text) == "porcupine-etcd"
    read, cas, write = parse(text).ops
    assert read.status == INFO and read.value is None
    # Porcupine's reading: a failed cas compared and found another value.
    assert (cas.status, cas.swapped) == (OK, False)
    assert write.status == INFO and write.value == 4


def test_porcupine_kv_log_starts_keys_at_the_empty_string():
    text = (
        '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}\n'
        '{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}\n'
        '{:process 0, :type :invoke, :f :get, :key "7", :value nil}\n'
        '{:process 0, :type :ok, :f :get, :key "7", :value ""}\n'
    )
    h = parse(text)
    assert h.source_format == "porcupine-kv" and h.initial == ""
    assert [(op.f, op.key, op.value) for op in h.ops] == [
        ("append", "0", "x 0 0 y"),
        ("read", "7", ""),
    ]
    assert parse(text, "edn").initial is None
