"""`leaderless prove`: golden output, JSON, exit codes and one-line usage errors."""

import json
import time
from pathlib import Path

import pytest

from leaderless.checker import cli
from leaderless.proofs.quorum import LARGEST_N

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "topologies"

GOLDEN_QUORUM = """\
PROVED: with n=5, every read quorum of 3 meets every write quorum of 3
  every read of 3 of the 5 replicas reaches at least one replica that acknowledged the last completed write

For information (the read/write claim above alone decides the exit code):
PROVED: with n=5, every two write quorums of 3 intersect
  two concurrent conflicting writes cannot both succeed on disjoint replicas

obligation                   z3     statement
---------------------------  -----  ------------------------------------------------------------------
overlap/n=5,r=3,w=3          unsat  no 3-replica read quorum is disjoint from a 3-replica write quorum
write-write-overlap/n=5,w=3  unsat  no two 3-replica write quorums are disjoint
"""


@pytest.fixture
def prove(monkeypatch, capsys):
    monkeypatch.setitem(cli.COMMANDS, "prove", "leaderless.checker.commands.prove")

    def run(*argv):
        code = cli.main(["prove", *map(str, argv)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_quorum_golden_output(prove):
    code, out, _ = prove("quorum", "--n", 5, "--r", 3, "--w", 3, "--no-times")
    assert code == 0
    assert out == GOLDEN_QUORUM


def test_quorum_refuted_exit_code_and_witness_table(prove):
    code, out, _ = prove("quorum", "--n", 5, "--r", 2, "--w", 3)
    assert code == 1
    assert out.startswith("REFUTED: with n=5, every read quorum of 2")
    assert "read " in out and "seconds" in out


def test_quorum_json_is_deterministic(prove):
    runs = [prove("quorum", "--n", 6, "--r", 3, "--w", 3, "--json", "--no-times") for _ in range(2)]
    assert runs[0] == runs[1]
    data = json.loads(runs[0][1])
    assert data["read_write"]["verdict"] == "refuted"
    assert data["write_write"]["witness"]["n"] == 6


def test_parametric(prove):
    code, out, _ = prove("parametric", "--no-times")
    assert code == 0
    assert out.count("PROVED:") == 2 and "overlap-lemma/step" in out
    code, out, _ = prove("parametric", "--no-times", "--json")
    assert json.loads(out)["exit_code_from"] == ["read_write", "write_write"]  # both theorems


def test_topology_uses_the_file_levels_and_cli_overrides(prove):
    path = EXAMPLES / "two-dc-local-quorum.toml"
    code, out, _ = prove("topology", path, "--no-times")
    assert code == 1 and "dc2-a" in out and "survives losing DC" in out
    code, out, _ = prove("topology", path, "--write", "EACH_QUORUM", "--json", "--no-times")
    assert code == 0
    data = json.loads(out)
    assert data["read"] == "LOCAL_QUORUM(dc2)" and data["write"] == "EACH_QUORUM"
    assert {
        "level": "QUORUM",
        "needs": "4 of 6 replicas in all datacenters",
        "node_failures": 2,
        "dc_losses": [],
    } in data["levels"]


def test_topology_sloppy_is_refuted(prove):
    code, out, _ = prove("topology", EXAMPLES / "single-dc.toml", "--sloppy")
    assert code == 1 and "dc1-hint-" in out


def test_clocks(prove):
    code, out, _ = prove("clocks", "--drift", 5, "--gap", 8)
    assert code == 1 and "at least 11 ms apart" in out
    assert prove("clocks", "--drift", 5, "--gap", 11)[0] == 0
    assert prove("clocks", "--drift", "5/2", "--gap", "5.5", "--real")[0] == 0
    assert prove("clocks")[0] == 0


def test_a_timeout_exits_3(prove):
    code, out, _ = prove("quorum", "--n", 256, "--r", 128, "--w", 129, "--timeout-ms", 1)
    assert code == 3 and out.startswith("UNKNOWN:")


def test_the_read_write_claim_alone_decides_the_quorum_exit_code(prove):
    # r + w > n but 2w <= n: reads meet writes, two writes need not meet.
    code, out, _ = prove("quorum", "--n", 4, "--r", 3, "--w", 2, "--no-times")
    assert code == 0
    assert out.startswith("PROVED: with n=4, every read quorum of 3 meets every write quorum")
    assert (
        "For information (the read/write claim above alone decides the exit code):\n"
        "REFUTED: with n=4, every two write quorums of 2 intersect"
    ) in out
    code, out, _ = prove("quorum", "--n", 4, "--r", 1, "--w", 3, "--json", "--no-times")
    data = json.loads(out)
    assert code == 1 and data["exit_code_from"] == "read_write"
    assert (data["read_write"]["verdict"], data["write_write"]["verdict"]) == ("refuted", "proved")


def test_a_size_past_the_encoding_is_refused_up_front(prove):
    started = time.monotonic()
    code, out, err = prove("quorum", "--n", 99999999999999999999999, "--r", 1, "--w", 1)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"the largest is --n {LARGEST_N}" in err
    assert time.monotonic() - started < 5  # refused, not built


def test_a_binary_topology_file_is_bad_input(prove, tmp_path):
    binary = tmp_path / "topology.toml"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00")
    code, out, err = prove("topology", binary)
    assert (code, out) == (2, "")
    assert err == f"error: {binary} is not a text file (TOML is UTF-8)\n"


@pytest.mark.parametrize("option", ["--timeout-ms", "--timeout"])  # the prefix still works
@pytest.mark.parametrize("value", ["-5", "0", "nan", "1.5", str(2**32)])
def test_nonsense_timeouts_are_bad_input(prove, option, value):
    code, out, err = prove("parametric", option, value)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert "argument --timeout-ms:" in err


@pytest.mark.parametrize("value", ["1e5000", "1e100000000", "1/1e101", "9" * 201])
def test_clock_numbers_too_large_to_build_are_bad_input(prove, value):
    code, out, err = prove("clocks", "--drift", value, "--gap", 1, "--real")
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert "argument --drift:" in err and "out of range" in err


def test_a_topology_too_large_for_the_proof_is_bad_input(prove, tmp_path):
    # 4000 replicas bring 4000 stand-ins by default: 8000 nodes in all
    tables = (
        "replication_factor = 99999999999999",
        "replication_factor = 3\nstand_ins = 99999999999",
        "replication_factor = 4000",
    )
    for table in tables:
        path = tmp_path / "big.toml"
        path.write_text(
            f'[datacenters.dc1]\n{table}\n[read]\nlevel = "ONE"\n[write]\nlevel = "ONE"\n'
        )
        code, out, err = prove("topology", path)
        assert (code, out) == (2, "") and err.count("\n") == 1
        assert f"at most {LARGEST_N}" in err


@pytest.mark.parametrize(
    "argv,message",
    [
        (("quorum", "--n", 3, "--r", 4, "--w", 1), "error: --r: 4 is out of range"),
        (("quorum", "--n", 3, "--r", 0, "--w", 1), "error: --r: 0 is out of range"),
        (("clocks", "--drift", -1, "--gap", 1), "error: --drift: -1 is negative"),
        (("topology", EXAMPLES / "single-dc.toml", "--read", "ANY"), "ANY is a write level only"),
        (("topology", "missing.toml"), "cannot read topology"),
        (("clocks", "--drift", 5), "give both --drift and --gap"),
        (("clocks", "--drift", "2.5", "--gap", 8), "not an integer"),
        (("clocks", "--drift", "x", "--gap", 8), "'x' is not a number"),
        (("clocks", "--real"), "--real and --unit go with --drift and --gap"),
        (("clocks", "--unit", "s"), "--real and --unit go with --drift and --gap"),
        (
            ("topology", EXAMPLES / "single-dc.toml", "--read", "QUORUM", "--read-dc", "dc1"),
            "--read-dc dc1: only LOCAL_ONE and LOCAL_QUORUM have a coordinator",
        ),
        (
            (
                "topology",
                EXAMPLES / "two-dc-local-quorum.toml",
                "--write",
                "ALL",
                "--write-dc",
                "dc1",
            ),
            "--write-dc dc1: only LOCAL_ONE and LOCAL_QUORUM",
        ),
    ],
)
def test_bad_input_is_one_line_with_exit_2(prove, argv, message):
    code, out, err = prove(*argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1
