"""Where `history` meets the other commands: `check --history-out` and `search
--history-out` write counterexamples as histories, and the gate runs `[[history]]`
entries beside its scenarios."""

from __future__ import annotations

import json
import re
from pathlib import Path

from leaderless.checker.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "histories" / "sloppy-quorum.jsonl"


def test_check_writes_its_counterexamples_as_histories(tmp_path, capsys):
    folder = tmp_path / "histories"
    code = main(
        [
            "check",
            "--n",
            "3",
            "--w",
            "1",
            "--r",
            "1",
            "--clients",
            "w,r",
            "--quiet",
            "--history-out",
            str(folder),
        ]
    )
    assert code == 1
    assert sorted(p.name for p in folder.iterdir()) == ["linearizable.jsonl", "stale-read.jsonl"]
    capsys.readouterr()
    assert (
        main(["history", str(folder / "stale-read.jsonl"), "--quiet", "--require", "stale-read"])
        == 1
    )
    assert re.search(r"^stale-read +VIOLATED", capsys.readouterr().out, re.MULTILINE)


def test_history_out_directory_is_checked_before_the_run(tmp_path, capsys):
    code = main(
        ["check", "--clients", "w,r", "--quiet", "--history-out", str(tmp_path / "no" / "such")]
    )
    assert code == 2
    assert "--history-out: cannot create" in capsys.readouterr().err


def test_search_writes_its_counterexamples_as_histories(tmp_path, capsys):
    folder = tmp_path / "found"
    code = main(
        [
            "search",
            "--n",
            "3",
            "--w",
            "1",
            "--r",
            "1",
            "--clients",
            "w,r",
            "--quiet",
            "--require",
            "stale-read",
            "--examples",
            "200",
            "--no-shrink",
            "--history-out",
            str(folder),
        ]
    )
    assert code == 1
    assert [p.name for p in folder.iterdir()] == ["stale-read.jsonl"]
    capsys.readouterr()
    assert main(["history", str(folder / "stale-read.jsonl"), "--quiet"]) == 1


def gate(tmp_path, text):
    (tmp_path / "example.jsonl").write_text(EXAMPLE.read_text())
    path = tmp_path / "leaderless.toml"
    path.write_text(text)
    return str(path)


def test_gate_runs_history_entries_beside_scenarios(tmp_path, capsys):
    path = gate(
        tmp_path,
        """
[[scenario]]
name = "majority"
n = 3
w = 2
r = 2
clients = "w,r"
require = ["stale-read"]

[[history]]
name = "staging run"
file = "example.jsonl"
require = ["read-your-writes"]
expect_violated = ["stale-read", "linearizable"]
""",
    )
    assert main(["gate", path, "--quiet", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in results["scenarios"]] == ["majority", "staging run"]
    assert [c["outcome"] for c in results["scenarios"][1]["checks"]] == ["pass"] * 3


def test_gate_fails_on_a_history_that_breaks_a_requirement(tmp_path, capsys):
    path = gate(
        tmp_path,
        """
[[history]]
name = "staging run"
file = "example.jsonl"
require = ["linearizable"]
""",
    )
    assert main(["gate", path, "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "staging run: linearizable FAIL" in out
    assert "  p1 read -> nil [cart]" in out


def test_gate_file_errors_in_history_entries_are_one_line(tmp_path, capsys):
    path = gate(
        tmp_path, '[[history]]\nname = "x"\nfile = "missing.jsonl"\nrequire = ["linearizable"]\n'
    )
    assert main(["gate", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "leaderless.toml:3: history 'x': cannot read" in err
