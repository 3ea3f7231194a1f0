"""`leaderless check` and `leaderless replay` as a user meets them: output, exit codes, errors."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from leaderless.checker.cli import main

GOLDEN = Path(__file__).parent / "golden"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_default_run_shows_holding_and_violated_properties(capsys):
    code, out, _ = run(capsys, "check", "--quiet")
    assert code == 1  # every applicable property is required by default
    assert re.search(r"stale-read\s+holds", out)
    assert re.search(r"monotonic-reads\s+VIOLATED\s+12", out)
    assert "Counterexample to monotonic-reads (12 steps):" in out
    assert "=> monotonic-reads violated: read r(1,1) returned NIL" in out


def test_golden_output(capsys):
    code, out, _ = run(
        capsys, "check", "--n", "3", "--w", "1", "--r", "1", "--clients", "w,r", "--quiet"
    )
    assert code == 1
    stable = re.sub(r"in \d+\.\d+ s", "in X s", out)
    assert stable == (GOLDEN / "check_w1_r1.txt").read_text()


@pytest.mark.parametrize(
    ("require", "expected"),
    [
        ("stale-read", 0),
        ("stale-read,convergence", 0),
        ("monotonic-reads", 1),
        ("stale-read,linearizable", 1),
    ],
)
def test_require_sets_the_exit_code(capsys, require, expected):
    assert run(capsys, "check", "--quiet", "--require", require)[0] == expected


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        (["stale-read", "monotonic-reads"], 1),  # the last one alone would say 1 too
        (["monotonic-reads", "stale-read"], 1),  # ... and this one alone 0: they accumulate
        (["stale-read", "convergence,stale-read"], 0),
    ],
)
def test_repeated_require_options_accumulate(capsys, requires, expected):
    argv = [arg for prop in requires for arg in ("--require", prop)]
    assert run(capsys, "check", "--quiet", *argv)[0] == expected


def test_a_limit_makes_the_required_property_inconclusive(capsys):
    code, out, _ = run(capsys, "check", "--quiet", "--max-states", "50", "--require", "stale-read")
    assert code == 3
    assert re.search(r"stale-read\s+inconclusive", out)
    assert "INCOMPLETE: --max-states 50 reached" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--w", "4"], "w: 4 is out of range; allowed 1..3"),
        (["--clients", "w,x"], "clients: client 1 script 'x' has 'x'"),
        (["--drift", "-1"], "drift: -1 is out of range; allowed >= 0"),
        (
            ["--anti-entropy", "--resolution", "arrival"],
            "--anti-entropy: on needs --resolution lww",
        ),
        (["--crashes", "4"], "--crashes: 4 is out of range; allowed 0..3"),
        (["--drops", "-1"], "--drops: -1 is out of range; allowed >= 0"),
        (
            ["--n", "99999999999999999999999"],
            ("--n: 99999999999999999999999 is out of range; allowed 1..1000"),
        ),
        (["--clients", "w" * 1001], "--clients: 1001 operations in all is out of range"),
        (["--require", ""], "--require: names no property"),
        (["--require", " , "], "--require: names no property"),
        (["--require", "stale-read", "--require", ""], "--require: names no property"),
        (["--json", "--trace", "stale-read"], "--json and --trace cannot combine"),
        (["--json", "--mermaid"], "--json and --mermaid cannot combine"),
        (["--max-seconds", "nan"], "--max-seconds: nan is out of range"),
        (["--max-seconds", "inf"], "--max-seconds: inf is out of range"),
        (["--max-seconds", "-5"], "--max-seconds: -5 is out of range"),
        (["--max-seconds", "soon"], "--max-seconds: 'soon' is not a number of seconds"),
        (["--max-states", "1e3"], "--max-states: '1e3' is not a whole number"),
        (["--max-states", "-3"], "--max-states: -3 is out of range"),
        (["--max-memory", "lots"], "--max-memory: 'lots' is not a size"),
        (["--max-memory", "0%"], "--max-memory: 0% is out of range"),
        (["--max-memory", "100K"], "--max-memory: 100K is out of range; allowed >= 1M"),
        (
            ["--require", "stale-reads"],
            "unknown property 'stale-reads'; did you mean 'stale-read'?",
        ),
        (["--require", "read-your-writes"], "read-your-writes does not apply"),
        (["--trace", "bogus"], "unknown property 'bogus'"),
        (["--max-states", "0"], "--max-states: 0 is out of range; allowed >= 1"),
        (["--n", "three"], "invalid int value: 'three'"),
        (["--read-repair", "eager"], "invalid choice: 'eager'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, "check", "--quiet", *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_subcommand_is_usage_error(capsys):
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err


def test_json_has_config_counts_verdicts_and_traces(capsys):
    _code, out, _ = run(capsys, "check", "--quiet", "--json", "--no-symmetry")
    data = json.loads(out)
    assert data["config"]["clients"] == ["w", "rr"]
    assert data["symmetry"] is False and data["complete"] is True
    assert data["states"] > data["depth"] > 0
    by_id = {p["id"]: p for p in data["properties"]}
    assert by_id["stale-read"]["verdict"] == "holds" and by_id["stale-read"]["trace"] is None
    trace = by_id["monotonic-reads"]["trace"]
    assert trace["length"] == 12 == len(trace["steps"]) == len(trace["states"]) - 1


def test_trace_option_prints_full_states(capsys):
    _code, out, _ = run(capsys, "check", "--quiet", "--trace", "linearizable")
    assert out.startswith("Counterexample to linearizable (12 steps):")
    assert "store: 0=NIL, 1=NIL, 2=NIL" in out
    assert "Counterexample to monotonic-reads" not in out


def test_repeated_trace_options_print_each_trace(capsys):
    _code, out, _ = run(
        capsys,
        "check",
        "--quiet",
        "--trace",
        "linearizable",
        "--trace",
        "stale-read,monotonic-reads",
    )
    assert "stale-read: holds\n" in out
    assert "Counterexample to monotonic-reads (12 steps):" in out
    assert "Counterexample to linearizable (12 steps):" in out


def test_json_and_itf_files_replay(capsys, tmp_path):
    report = tmp_path / "report.json"
    code, out, _ = run(
        capsys,
        "check",
        "--quiet",
        "--timeouts",
        "--r",
        "1",
        "--clients",
        "w,r",
        "--json",
        "--itf",
        str(tmp_path / "itf"),
    )
    report.write_text(out)
    code, out, _ = run(capsys, "replay", str(report))
    assert code == 0
    assert "write-atomicity: replays 3 steps, every state matches; violated:" in out
    itf_files = sorted((tmp_path / "itf").glob("*.itf.json"))
    assert [p.name for p in itf_files] == [
        "aborted-read.itf.json",
        "linearizable.itf.json",
        "stale-read.itf.json",
        "write-atomicity.itf.json",
    ]
    for path in itf_files:
        assert run(capsys, "replay", str(path))[0] == 0


def test_replay_reports_a_diverging_trace_with_exit_1(capsys, tmp_path):
    code, out, _ = run(
        capsys, "check", "--quiet", "--n", "3", "--w", "1", "--r", "1", "--clients", "w,r", "--json"
    )
    data = json.loads(out)
    data["properties"][0]["trace"]["states"][3]["now"] = 5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    code, out, _ = run(capsys, "replay", str(path))
    assert code == 1
    assert "stale-read: does NOT replay: step 3: the state after it differs: now" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"hello": 1}', "not a leaderless trace file"),
    ],
)
def test_replay_bad_files_exit_2(capsys, tmp_path, content, message):
    path = tmp_path / "trace.json"
    path.write_text(content)
    code, _, err = run(capsys, "replay", str(path))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_replay_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "replay", str(tmp_path / "nope.json"))
    assert code == 2 and "No such file" in err


def test_console_script_prints_no_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "leaderless.checker", "check", "--w", "9"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --w: 9 is out of range; allowed 1..3"


def test_help_lists_every_subcommand_and_version_prints(capsys):
    from leaderless.checker.cli import COMMANDS

    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"    {name}" in out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("leaderless 0.")
