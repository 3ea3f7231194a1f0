"""`leaderless gate` and `leaderless matrix`: exit codes, reports, bad files, agreement."""

import json
import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderless.checker.cli import main
from leaderless.checker.commands.gate_file import SCENARIO_KEYS, GateError, parse_gate

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = Path(__file__).parent.parent / "examples" / "leaderless.toml"

PASSING = """
[[scenario]]
name = "majority"
n = 3
w = 2
r = 2
clients = "w,r"
require = ["quorum-overlap", "stale-read"]

[[scenario]]
name = "two DCs"
replication = { dc1 = 3, dc2 = 3 }
write = "LOCAL_QUORUM"
write_dc = "dc1"
read = "LOCAL_QUORUM"
read_dc = "dc2"
expect_violated = ["quorum-overlap"]
"""

FAILING = """
[[scenario]]
name = "quorums of one"
n = 3
w = 1
r = 1
clients = "w,r"
require = ["stale-read", "convergence"]

[[scenario]]
name = "weakness gone"
n = 3
w = 2
r = 2
clients = "w,r"
expect_violated = ["stale-read"]
"""

INCONCLUSIVE = """
[[scenario]]
name = "cut short"
n = 3
w = 2
r = 2
clients = "w,r"
max_states = 20
require = ["stale-read"]
"""


def gate(capsys, tmp_path, text, *options):
    path = tmp_path / "leaderless.toml"
    path.write_text(text)
    code = main(["gate", str(path), "--quiet", *options])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_passing_file_exits_0(capsys, tmp_path):
    code, out, _ = gate(capsys, tmp_path, PASSING)
    assert code == 0
    assert "3 passed, 0 failed, 0 inconclusive" in out


def test_failing_file_exits_1_with_the_trace_and_the_gone_weakness(capsys, tmp_path):
    code, out, _ = gate(capsys, tmp_path, FAILING)
    assert code == 1
    assert "quorums of one: stale-read FAIL" in out
    assert "Counterexample to stale-read (6 steps):" in out
    assert "weakness gone: stale-read FAIL" in out
    assert "move it from expect_violated to require" in out
    assert "1 passed, 2 failed, 0 inconclusive" in out


def test_inconclusive_file_exits_3(capsys, tmp_path):
    code, out, _ = gate(capsys, tmp_path, INCONCLUSIVE)
    assert code == 3
    assert re.search(r"stale-read\s+holds\s+inconclusive\s+inconclusive", out)


def test_the_shipped_example_passes(capsys):
    assert main(["gate", str(EXAMPLE), "--quiet"]) == 0
    capsys.readouterr()


def test_junit_xml_structure(capsys, tmp_path):
    junit = tmp_path / "gate.xml"
    gate(capsys, tmp_path, FAILING, "--junit", str(junit))
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "2", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["quorums of one", "weakness gone"]
    cases = suites[0].findall("testcase")
    assert [c.get("name") for c in cases] == [
        "stale-read (expected holds)",
        "convergence (expected holds)",
    ]
    failure = cases[0].find("failure")
    assert failure.get("type") == "violated"
    assert "read r(1,0) returned NIL" in failure.get("message")
    assert "Counterexample to stale-read (6 steps):" in failure.text
    assert cases[1].find("failure") is None
    props = suites[0].find("properties").findall("property")
    assert props[0].get("value").startswith("n=3 w=1 r=1 clients=w,r")


def test_junit_marks_inconclusive_as_error(capsys, tmp_path):
    junit = tmp_path / "gate.xml"
    gate(capsys, tmp_path, INCONCLUSIVE, "--junit", str(junit))
    case = ET.parse(junit).getroot().find("testsuite/testcase")
    assert case.find("error").get("type") == "inconclusive"


def test_golden_markdown(capsys, tmp_path):
    summary = tmp_path / "summary.md"
    gate(capsys, tmp_path, FAILING, "--markdown", str(summary))
    text = summary.read_text().replace(str(tmp_path / "leaderless.toml"), "leaderless.toml")
    assert text == (GOLDEN / "gate_failing.md").read_text()


def test_json_results(capsys, tmp_path):
    _code, out, _ = gate(capsys, tmp_path, PASSING, "--json")
    data = json.loads(out)
    assert data["exit_code"] == 0
    two_dcs = data["scenarios"][1]
    # The model has datacenters and levels: a Cassandra scenario is explored as well.
    config = two_dcs["config"]
    assert config["datacenters"] == [["dc1", 3], ["dc2", 3]] and two_dcs["model_note"] is None
    assert (config["write_level"], config["read_level"]) == ("LOCAL_QUORUM", "LOCAL_QUORUM")
    assert config["client_dcs"] == ["dc1", "dc2"]  # the writer in write_dc, the reader in read_dc
    overlap = two_dcs["checks"][0]
    assert overlap["verdict"] == "violated" and overlap["outcome"] == "pass"
    assert overlap["proof"]["witness"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[scenario]]\nname = 'a'\nn = 3\nrequires = ['stale-read']\n",
            "leaderless.toml:4: unknown key 'requires' in scenario 'a'; did you mean 'require'?",
        ),
        (
            "[[scenario]]\nname = 'a'\nrequire = ['stale-reads']\n",
            (
                "leaderless.toml:3: unknown property 'stale-reads' in scenario 'a'; did you mean "
                "'stale-read'?"
            ),
        ),
        (
            "[[scenario]]\nname = 'a'\nn = 'three'\nrequire = ['stale-read']\n",
            "leaderless.toml:3: n in scenario 'a' must be an integer, got 'three'",
        ),
        (
            "[[scenario]]\nname = 'a'\nn = 3\nw = 5\nrequire = ['stale-read']\n",
            "leaderless.toml:4: scenario 'a': w: 5 is out of range; allowed 1..3",
        ),
        (
            (
                "[[scenario]]\nname = 'a'\nreplication = { dc1 = 3 }\nread = 'ANY'\nwrite = 'ONE'\n"
                "require = ['quorum-overlap']\n"
            ),
            "leaderless.toml:4: scenario 'a': ANY is a write level",
        ),
        (
            (
                "[[scenario]]\nname = 'a'\nreplication = { dc1 = 2 }\nread = 'THREE'\nwrite = 'ONE'\n"
                "require = ['quorum-overlap']\n"
            ),
            "leaderless.toml:4: scenario 'a':",
        ),
        (
            "[[scenario]]\nname = 'a'\nclients = 'w'\nrequire = ['read-your-writes']\n",
            "leaderless.toml:4: scenario 'a': read-your-writes does not apply",
        ),
        ("[[scenario\n", "leaderless.toml:1: not valid TOML"),
        ("[[scenario]]\nname = 'a'\n", "leaderless.toml:1: scenario 'a' requires nothing"),
        ("title = 'x'\n", "leaderless.toml:1: unknown top-level key 'title'"),
        ("", "leaderless.toml:1: no scenario"),
        (
            "[[scenario]]\nname = 'a'\nclients = ['w', 5]\nrequire = ['stale-read']\n",
            "leaderless.toml:3: clients in scenario 'a' must list scripts as strings",
        ),
        # Quoted keys are found on their own line.
        (
            "[[scenario]]\nname = 'a'\nn = 3\n\"w\" = \"two\"\nrequire = ['stale-read']\n",
            "leaderless.toml:4: w in scenario 'a' must be an integer, got 'two'",
        ),
        (
            "[[scenario]]\nname = 'a'\nn = 3\n'w' = 9\nrequire = ['stale-read']\n",
            "leaderless.toml:4: scenario 'a': w: 9 is out of range",
        ),
        # An error at the end of the document is at its last line.
        (
            "[[scenario]]\nname = 'a'\nn = 3\nrequire = ['stale-read'",
            "leaderless.toml:4: not valid TOML",
        ),
        # TOML keys, never Config field names or CLI flags.
        (
            "[[scenario]]\nname = 'a'\nn = 3\ncrashes = 5\nrequire = ['stale-read']\n",
            "leaderless.toml:4: scenario 'a': crashes: 5 is out of range; allowed 0..3",
        ),
        (
            "[defaults]\ndrops = -1\n\n[[scenario]]\nname = 'a'\nrequire = ['stale-read']\n",
            "leaderless.toml:2: scenario 'a': drops: -1 is out of range",
        ),
        (
            (
                "[[scenario]]\nname = 'a'\nanti_entropy = true\nresolution = 'arrival'\n"
                "require = ['stale-read']\n"
            ),
            (
                "leaderless.toml:3: scenario 'a': anti_entropy: true needs resolution = \"lww\" "
                '(repair merges by timestamp); set anti_entropy = false or set resolution = "lww"'
            ),
        ),
        (
            (
                "[defaults]\nresolution = 'arrival'\n[[scenario]]\nname = 'a'\n"
                "read_repair = 'async'\nrequire = ['stale-read']\n"
            ),
            (
                'leaderless.toml:5: scenario \'a\': read_repair: "async" needs resolution = "lww" '
                '(repair merges by timestamp); set read_repair = "off" or set resolution = "lww"'
            ),
        ),
        (
            "[[scenario]]\nname = 'a'\nread_repair = 'eager'\nrequire = ['stale-read']\n",
            (
                "leaderless.toml:3: scenario 'a': read_repair: \"eager\" is unknown; "
                'allowed "off", "async", "blocking"'
            ),
        ),
        (
            "[[scenario]]\nname = 'a'\nclients = 'w'\nread_repair = 'async'\nrequire = ['read-your-writes']\n",
            (
                "leaderless.toml:5: scenario 'a': read-your-writes does not apply to n = 3, w = 2, "
                'r = 2, clients = "w", drift = 0, drops = 0, crashes = 0, timeouts = false, '
                'anti_entropy = false, read_repair = "async", resolution = "lww"; see the README'
            ),
        ),
        (
            (
                "[[scenario]]\nname = 'a'\nreplication = { dc1 = 3, dc2 = 3 }\nread = 'LOCAL_QUORUM'\n"
                "write = 'ONE'\nrequire = ['quorum-overlap']\n"
            ),
            (
                "leaderless.toml:4: scenario 'a': LOCAL_QUORUM needs a coordinator datacenter: "
                "set read_dc (one of dc1, dc2)"
            ),
        ),
        (
            (
                "[[scenario]]\nname = 'a'\nreplication = { dc1 = 3 }\nread = 'QUORUM'\nwrite = 'ONE'\n"
                "write_dc = 'dc1'\nrequire = ['quorum-overlap']\n"
            ),
            "leaderless.toml:6: scenario 'a': write_dc names the coordinator DC of a LOCAL_* level",
        ),
        (
            "[defaults]\nmax_seconds = nan\n[[scenario]]\nname = 'a'\nrequire = ['stale-read']\n",
            "leaderless.toml:2: max_seconds in scenario 'a' must be a number of seconds > 0, got nan",
        ),
        (
            "[[scenario]]\nname = 'a'\nn = 99999999999999999999\nrequire = ['stale-read']\n",
            "leaderless.toml:3: scenario 'a': n: 99999999999999999999 is out of range; allowed 1..1000",
        ),
        ("scenario = [1]\n", "leaderless.toml:1: a scenario must be a table"),
        (
            (
                "[[scenario]]\nname = 'a'\nreplication = {}\nread = 'ONE'\nwrite = 'ONE'\n"
                "require = ['quorum-overlap']\n"
            ),
            "leaderless.toml:3: scenario 'a': replication names no datacenter",
        ),
        (
            (
                "[[scenario]]\nname = 'a'\nreplication = { dc1 = 300000 }\nread = 'ONE'\n"
                "write = 'ONE'\nrequire = ['quorum-overlap']\n"
            ),
            "leaderless.toml:3: scenario 'a': replication dc1 = 300000 is more than",
        ),
        (
            "[[scenario]]\nname = 'a'\nmax_memory = 'lots'\nrequire = ['stale-read']\n",
            "leaderless.toml:3: max_memory in scenario 'a': 'lots' is not a size",
        ),
        (
            "[[scenario]]\nrequire = ['stale-read']\nname = \"a\\nb\"\n",
            "leaderless.toml:3: scenario name 'a\\nb' has a line break or control character",
        ),
    ],
)
def test_bad_gate_files_are_one_line_naming_file_and_line(capsys, tmp_path, text, message):
    code, _out, err = gate(capsys, tmp_path, text)
    assert code == 2
    assert err.strip().replace(str(tmp_path) + "/", "").startswith(f"error: {message}")
    assert len(err.strip().splitlines()) == 1


def test_missing_gate_file(capsys, tmp_path):
    assert main(["gate", str(tmp_path / "none.toml")]) == 2
    assert "No such file" in capsys.readouterr().err


_toml_values = st.recursive(
    st.one_of(
        st.integers(-3, 10),
        st.booleans(),
        st.text(max_size=8),
        st.sampled_from(
            [
                10**25,
                -(10**25),
                0.5,
                float("inf"),
                float("nan"),
                "w,r",
                "QUORUM",
                "LOCAL_QUORUM",
                "ANY",
                "stale-read",
                "dc1",
            ]
        ),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
_keys = st.sampled_from([*SCENARIO_KEYS, "bogus"])


def _toml(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # TOML spells them nan and inf, as Python prints them
    return (
        json.dumps(value)
        if not isinstance(value, dict)
        else ("{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }")
    )


# GATE_FUZZ_N=5000 HYPOTHESIS_PROFILE=dev fuzzes harder.
@settings(max_examples=int(os.environ.get("GATE_FUZZ_N", "300")))
@given(st.lists(st.dictionaries(_keys, _toml_values, max_size=6), max_size=3))
def test_the_parser_never_raises_anything_but_gate_errors(scenarios):
    text = "\n".join(
        "[[scenario]]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in s.items()) for s in scenarios
    )
    try:
        parse_gate(text)
    except GateError as error:
        assert "\n" not in str(error) and str(error).startswith("leaderless.toml:")
        line = int(str(error).split(":")[1])
        assert 1 <= line <= max(1, len(text.splitlines()))


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_the_parser_survives_arbitrary_text(text):
    try:
        parse_gate(text)
    except GateError as error:
        assert "\n" not in str(error)


def test_matrix_agrees_cell_by_cell_with_check(capsys):
    # Violated cells fail the matrix as they fail check (every applicable one is required).
    assert main(["matrix", "--n", "2", "--clients", "w,rr", "--quiet", "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(row["r"], row["w"]) for row in rows] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    for row in rows:
        main(
            [
                "check",
                "--n",
                "2",
                "--r",
                str(row["r"]),
                "--w",
                str(row["w"]),
                "--clients",
                "w,rr",
                "--quiet",
                "--json",
            ]
        )
        report = json.loads(capsys.readouterr().out)
        assert row["properties"] == [
            {
                "id": prop["id"],
                "verdict": prop["verdict"],
                "length": prop["length"],
                "reached": prop["reached"],
            }
            for prop in report["properties"]
        ]
        assert row["quorum_overlap"]["verdict"] == report["quorum_overlap"]["verdict"]
        assert (row["reads_survive"], row["writes_survive"]) == (2 - row["r"], 2 - row["w"])


@pytest.mark.parametrize("fmt", ["plain", "github", "markdown", "csv"])
def test_matrix_formats(capsys, fmt):
    assert main(["matrix", "--n", "2", "--clients", "w,r", "--quiet", "--format", fmt]) == 1
    out = capsys.readouterr().out
    assert "stale-read" in out and "VIOLATED (6)" in out
    assert "read-your-writes" not in out  # n/a in every row: left out of tables
    if fmt == "csv":
        assert out.splitlines()[1].startswith("1,1,refuted,1,1,VIOLATED (6)")


def test_matrix_limit_is_inconclusive(capsys):
    assert main(["matrix", "--n", "2", "--clients", "w,r", "--quiet", "--max-states", "5"]) == 3
    assert "inconclusive" in capsys.readouterr().out


def test_a_cassandra_scenario_is_always_proved_with_z3(capsys, tmp_path):
    text = (
        '[[scenario]]\nname = "one DC"\nreplication = { dc1 = 3 }\nwrite = "ONE"\n'
        'read = "ONE"\nclients = "w,r"\nexpect_violated = ["stale-read"]\n'
    )
    code, out, _ = gate(capsys, tmp_path, text)
    assert code == 0
    assert "one DC: Z3 topology proof: read and write quorums may miss each other" in out
    _, out, _ = gate(capsys, tmp_path, text, "--json")
    assert json.loads(out)["scenarios"][0]["quorum_overlap"]["verdict"] == "violated"


def test_an_undecided_topology_proof_is_not_reported_as_a_miss(capsys, tmp_path, monkeypatch):
    from leaderless.checker.commands import gate as gate_command
    from leaderless.proofs.result import Unknown

    monkeypatch.setattr(
        gate_command, "prove_topology", lambda *_: Unknown("quorums meet", "Z3 timed out", ())
    )
    text = (
        "[[scenario]]\nname = 'a'\nreplication = { dc1 = 3 }\nread = 'ONE'\n"
        "write = 'ALL'\nrequire = ['stale-read']\n"
    )
    code, out, _ = gate(capsys, tmp_path, text)
    assert code == 0
    assert (
        "a: Z3 topology proof: Z3 could not decide whether read and write quorums always "
        "overlap (Z3 timed out)"
    ) in out
    assert "may miss" not in out


def test_a_limit_is_named_by_its_key(capsys, tmp_path, monkeypatch):
    from leaderless.checker.commands import gate as gate_command

    code, out, _ = gate(capsys, tmp_path, INCONCLUSIVE + 'max_memory = "64G"\n')
    assert code == 3 and "max_states = 20 reached after 20 states" in out
    assert "--max-states" not in out
    seen = {}
    explore_config = gate_command.explore_config

    def spy(config, **limits):
        seen.update(limits)
        return explore_config(config, **limits)

    monkeypatch.setattr(gate_command, "explore_config", spy)
    gate(capsys, tmp_path, INCONCLUSIVE + 'max_memory = "64G"\n')
    assert seen["max_memory"] == 64 * 2**30
