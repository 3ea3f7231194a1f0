"""`leaderless replay` takes nothing on trust: every recorded variable, action word and
reason is the model's own, and no file, however malformed, crashes it (exit 2, one line)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderless.checker.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@cache
def _outputs(tmp: str) -> tuple[dict, dict]:
    """A `check --json` report and the ITF of its stale-read trace (n=3 w=1 r=1)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(
            [
                "check",
                "--quiet",
                "--n",
                "3",
                "--w",
                "1",
                "--r",
                "1",
                "--clients",
                "w,r",
                "--json",
                "--itf",
                tmp,
            ]
        )
    assert code == 1
    with open(f"{tmp}/stale-read.itf.json", encoding="utf-8") as handle:
        return json.loads(out.getvalue()), json.load(handle)


@pytest.fixture
def itf(tmp_path_factory) -> dict:
    return copy.deepcopy(_outputs(str(tmp_path_factory.getbasetemp() / "itf"))[1])


@pytest.fixture
def report(tmp_path_factory) -> dict:
    return copy.deepcopy(_outputs(str(tmp_path_factory.getbasetemp() / "itf"))[0])


def replay_document(capsys, tmp_path, document, raw: str | None = None):
    path = tmp_path / "trace.json"
    path.write_text(raw if raw is not None else json.dumps(document))
    return run(capsys, "replay", str(path))


def test_the_untouched_itf_trace_replays(capsys, tmp_path, itf):
    code, out, _ = replay_document(capsys, tmp_path, itf)
    assert code == 0 and "stale-read: replays 6 steps, every state matches" in out


def test_an_edited_action_taken_does_not_replay(capsys, tmp_path, itf):
    assert itf["states"][3]["mbt::actionTaken"] == "DeliverWriteAck"
    itf["states"][3]["mbt::actionTaken"] = "Crash"
    code, out, _ = replay_document(capsys, tmp_path, itf)
    assert code == 1
    assert (
        "does NOT replay: step 3: mbt::actionTaken is 'Crash', but the model's step here "
        "is DeliverWriteAck"
    ) in out


def test_an_edited_initial_action_taken_is_refused(capsys, tmp_path, itf):
    itf["states"][0]["mbt::actionTaken"] = "Invoke"
    code, _, err = replay_document(capsys, tmp_path, itf)
    assert code == 2 and "mbt::actionTaken of the initial state must be 'init'" in err


def test_every_listed_variable_is_in_every_state(capsys, tmp_path, itf):
    del itf["states"][2]["now"]
    code, _, err = replay_document(capsys, tmp_path, itf)
    assert code == 2 and "state 2 lacks the variable 'now'" in err


def test_an_unlisted_or_unknown_variable_is_refused(capsys, tmp_path, itf):
    itf["vars"].append("ghost")
    for state in itf["states"]:
        state["ghost"] = {"#bigint": "1"}
    code, out, _ = replay_document(capsys, tmp_path, itf)
    # A variable the model does not have cannot match the model's state.
    assert code == 1 and "ghost" in out and "does NOT replay" in out
    itf["vars"].append("mbt::nondetPicks")
    code, _, err = replay_document(capsys, tmp_path, itf)
    assert code == 2 and "mbt::nondetPicks" in err


def test_reworded_text_still_replays_with_a_note(capsys, tmp_path, report):
    """Display text may change between versions of leaderless: a stored trace keeps its
    meaning, so a rewording is a note on stderr, not a failure."""
    trace = report["properties"][0]["trace"]
    trace["steps"][1]["description"] = "replica 2 applies nothing"
    trace["reason"] = "the read was fine"
    trace["participants"][0]["label"] = "client zero"
    for state in trace["states"]:
        for version in state["store"].values():
            version["name"] = "renamed " + version["name"]
        for message in state["net"]:
            message["name"] = message["name"].upper()
    code, out, err = replay_document(capsys, tmp_path, report)
    assert code == 0 and "every state matches" in out
    assert "step 2 is worded 'replica 2 applies nothing'" in err
    assert "the trace words the reason 'the read was fine'" in err


def test_an_edited_record_does_not_replay(capsys, tmp_path, report):
    trace = report["properties"][0]["trace"]
    trace["states"][1]["net"][0]["to"] = (
        "R2" if trace["states"][1]["net"][0]["to"] != "R2" else "R1"
    )
    code, out, _ = replay_document(capsys, tmp_path, report)
    assert code == 1 and "does NOT replay" in out


def test_edited_participants_or_operations_do_not_replay(capsys, tmp_path, report, itf):
    """The diagrams draw them: a file whose lifelines or ops are not the model's is refused."""
    report["properties"][0]["trace"]["participants"][0]["role"] = "replica"
    code, out, _ = replay_document(capsys, tmp_path, report)
    assert code == 1 and "the trace's participants are not the model's" in out
    itf["#meta"]["operations"][1]["client"] = "C0"
    code, out, _ = replay_document(capsys, tmp_path, itf)
    assert code == 1 and "the trace's operations are not the model's" in out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: d["states"][2].update(now={"#bigint": "abc"}),
            "state 2, now: #bigint 'abc' is not a decimal integer",
        ),
        (
            lambda d: d["#meta"]["config"].update(n=10**25),
            "bad config in trace: n: 10000000000000000000000000 is out of range",
        ),
        (
            lambda d: d["#meta"]["config"].update(n=1000),
            "n=1000, but the initial state has 3 replicas",
        ),
        (lambda d: d["#meta"]["config"].update(drift=10**25), "drift 1000"),
        (lambda d: d["#meta"]["config"].update(n="three"), "bad config in trace: n: 'three'"),
        (lambda d: d["states"][1].update(net={"#set": 5}), "#set holds 5, not a list"),
        (lambda d: d["states"][1].update(store={"#map": [[1]]}), "[key, value] pair"),
        (lambda d: d.update(states=[]), "states must be a nonempty list"),
        (lambda d: d.update(vars="now"), "vars must be a list"),
        (lambda d: d.update(states=[1, 2]), "state 0 must be an object"),
        (lambda d: d["#meta"].update(property=7), "no property name"),
        (lambda d: d["#meta"].update(property="stale-reads"), "did you mean 'stale-read'?"),
    ],
)
def test_malformed_itf_is_bad_input(capsys, tmp_path, itf, edit, message):
    edit(itf)
    code, out, err = replay_document(capsys, tmp_path, itf)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


V1 = {"schema_version": 1}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"properties": 5}, "'properties' must be a list of objects"),
        ({"properties": [5]}, "'properties' must be a list of objects"),
        ({"properties": [{"trace": 5}]}, "the trace must be an object"),
        ({**V1, "property": "stale-read", "states": 5}, "'states' must be a nonempty list"),
        ({**V1, "property": "stale-read", "states": [{}], "steps": 3}, "'steps' must be a list"),
        ({**V1, "property": "stale-read", "states": [{}], "config": None}, "bad config in trace"),
    ],
)
def test_malformed_json_reports_are_bad_input(capsys, tmp_path, document, message):
    code, _, err = replay_document(capsys, tmp_path, document)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("version", "said"),
    [
        (None, "has no schema_version (an older leaderless wrote it)"),
        (2, "is in trace format 2"),
        (True, "is in trace format true"),
        ("1", 'is in trace format "1"'),
    ],
)
def test_a_trace_in_another_format_is_refused_with_advice(
    capsys, tmp_path, report, itf, version, said
):
    """A trace of another format (or of none: written before formats were numbered)
    is bad input, one line naming the format and saying how to get a readable one."""
    trace = report["properties"][0]["trace"]
    for document, where in ((report, trace), (itf, itf["#meta"])):
        if version is None:
            del where["schema_version"]
        else:
            where["schema_version"] = version
        code, out, err = replay_document(capsys, tmp_path, document)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
        assert f"{said}; this leaderless reads trace format 1: re-run the command" in err


@pytest.mark.parametrize("raw", ["[" * 100_000, '{"n": ' + "9" * 5000 + "}", "\udcff"])
def test_unreadable_json_is_bad_input(capsys, tmp_path, raw):
    path = tmp_path / "trace.json"
    path.write_bytes(raw.encode("utf-8", "surrogateescape"))
    code, _, err = run(capsys, "replay", str(path))
    assert code == 2 and len(err.strip().splitlines()) == 1


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*path, index))


def _replaced(document, path, new):
    if not path:
        return new
    document = copy.deepcopy(document)
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return document


# FUZZ_N=3000 HYPOTHESIS_PROFILE=dev fuzzes harder (3000 passed when this was written).
@settings(max_examples=int(os.environ.get("FUZZ_N", "60")))
@given(data=st.data())
def test_fuzzed_traces_never_crash_replay(tmp_path_factory, data):
    """Any one value of a real ITF trace or JSON report replaced by arbitrary JSON:
    replay answers 0, 1 or 2 (one line on stderr), never an internal error."""
    tmp = tmp_path_factory.getbasetemp()
    report_document, itf_document = _outputs(str(tmp / "itf"))
    document = data.draw(st.sampled_from([itf_document, report_document]))
    path = data.draw(st.sampled_from(list(_paths(document))))
    mutated = _replaced(document, path, data.draw(JSON))
    file = tmp / "fuzzed.json"
    file.write_text(json.dumps(mutated))
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["replay", str(file)])
    err = err.getvalue()
    assert code in (0, 1, 2), err
    if code == 2:
        assert len(err.strip().splitlines()) == 1
