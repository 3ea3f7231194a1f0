"""Staleness requirements in the gate file: parsed with the line of the key at fault,
checked like every other requirement, reported in JSON, JUnit and Markdown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from leaderless.checker.cli import main
from leaderless.checker.commands.gate_file import GateError, parse_gate
from leaderless.model.pbs.latency import PRODUCTION_FITS
from leaderless.model.pbs.quorums import plain_cluster
from leaderless.model.pbs.wars import simulate

GATE = """\
[[scenario]]
name = "partial quorums: how stale"
n = 3
w = 1
r = 1
latency = "LNKD-DISK"
trials = 20000
require_visibility = ["50ms:0.99", "10ms:0.999"]
require_k_staleness = ["3:0.7"]
require_availability = ["write:0.01:0.9999"]

[[scenario]]
name = "two DCs, LOCAL_QUORUM"
replication = { dc1 = 3, dc2 = 3 }
write = "LOCAL_QUORUM"
write_dc = "dc1"
read = "LOCAL_QUORUM"
read_dc = "dc2"
trials = 20000
require_k_staleness = ["1:0.5"]
"""


def gate(capsys, tmp_path, text: str, *options: str):
    path = tmp_path / "leaderless.toml"
    path.write_text(text)
    code = main(["gate", str(path), "--quiet", *options])
    return code, capsys.readouterr()


def test_staleness_keys_parse_and_need_nothing_else():
    first, second = parse_gate(GATE)
    assert first.staleness is not None and second.staleness is not None
    assert first.staleness.ids == (
        "visibility 50ms:0.99",
        "visibility 10ms:0.999",
        "k-staleness 3:0.7",
        "availability write:0.01:0.9999",
    )
    assert first.staleness.trials == 20000 and first.staleness.latency.name == "LNKD-DISK"
    assert first.require == () and first.expect_violated == ()


@pytest.mark.parametrize(
    ("replace", "by", "line", "message"),
    [
        ('"10ms:0.999"]', '"10ms"]', 8, "require_visibility: '10ms': write T:P, e.g. 10ms:0.999"),
        ('"3:0.7"', '"0:0.7"', 9, "require_k_staleness: '0': k is a whole number >= 1"),
        ('latency = "LNKD-DISK"', 'latency = "gamma:2"', 6, "unknown distribution 'gamma'"),
        (
            "trials = 20000\nrequire_visibility",
            "trials = 0\nrequire_visibility",
            7,
            "trials = 0 is out of range",
        ),
        (
            'require_availability = ["write:0.01:0.9999"]',
            "require_availability = [1]",
            10,
            'require_availability must list strings like "write:0.01:0.999", got 1',
        ),
    ],
)
def test_bad_staleness_values_name_their_line(replace, by, line, message):
    assert replace in GATE
    with pytest.raises(GateError) as caught:
        parse_gate(GATE.replace(replace, by, 1))
    assert str(caught.value).startswith(f"leaderless.toml:{line}: ")
    assert message in str(caught.value)


def test_sampling_keys_without_a_staleness_requirement_are_refused():
    text = (
        '[[scenario]]\nname = "x"\nn = 3\nw = 2\nr = 2\nlatency = "YMMR"\n'
        'require = ["stale-read"]\n'
    )
    with pytest.raises(GateError, match=r"leaderless.toml:6: .*latency sets how staleness"):
        parse_gate(text)


def test_staleness_checks_pass_fail_and_are_reported_everywhere(capsys, tmp_path):
    junit, summary = tmp_path / "junit.xml", tmp_path / "summary.md"
    code, out = gate(
        capsys, tmp_path, GATE, "--json", "--junit", str(junit), "--markdown", str(summary)
    )
    assert code == 1
    results = json.loads(out.out)
    checks = {(s["name"], c["id"]): c for s in results["scenarios"] for c in s["checks"]}
    first = "partial quorums: how stale"
    assert checks[(first, "visibility 50ms:0.99")]["outcome"] == "pass"
    assert checks[(first, "visibility 10ms:0.999")]["outcome"] == "fail"
    assert "measured 92." in checks[(first, "visibility 10ms:0.999")]["reason"]
    assert checks[(first, "k-staleness 3:0.7")]["outcome"] == "pass"
    assert checks[(first, "availability write:0.01:0.9999")]["outcome"] == "pass"
    local = checks[("two DCs, LOCAL_QUORUM", "k-staleness 1:0.5")]
    assert local["outcome"] == "fail" and "measured 0 " in local["reason"]
    cases = {case.get("name"): case for case in ET.parse(junit).iter("testcase")}
    assert cases["visibility 10ms:0.999 (expected holds)"].find("failure") is not None
    assert cases["visibility 50ms:0.99 (expected holds)"].find("failure") is None
    assert "visibility 10ms:0.999" in summary.read_text()


def test_an_undecided_staleness_requirement_is_inconclusive(capsys, tmp_path):
    """Exactly at the estimate, 20,000 trials cannot decide: exit 3, never a pass."""
    estimate = (
        simulate(plain_cluster(3, 1, 1), PRODUCTION_FITS["LNKD-DISK"], 20000, seed=0)
        .consistency_at(0.0)
        .estimate
    )
    text = GATE.split("\n\n")[0].replace(
        'require_visibility = ["50ms:0.99", "10ms:0.999"]',
        f'require_visibility = ["0:{estimate:.4f}"]',
    )
    code, out = gate(capsys, tmp_path, text + "\n", "--json")
    assert code == 3, out.out
    (check,) = [
        c for c in json.loads(out.out)["scenarios"][0]["checks"] if c["id"].startswith("visibility")
    ]
    assert check["outcome"] == "inconclusive" and "raise trials" in check["reason"]
