"""`[[history]]` gate entries: recorded histories that must keep (or keep showing)
properties, with the gate's outcomes and one-line errors naming the gate file's line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from leaderless.checker.commands.gate_file import GateError
from leaderless.checker.commands.gate_history import history_checks, run_history_check

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "histories" / "sloppy-quorum.jsonl"


def entries(tmp_path, text):
    gate = tmp_path / "leaderless.toml"
    gate.write_text(text)
    (tmp_path / "example.jsonl").write_text(EXAMPLE.read_text())
    return history_checks(tomllib.loads(text)["history"], text, str(gate))


def outcomes(summary):
    return {c["id"]: (c["verdict"], c["outcome"]) for c in summary["checks"]}


def test_outcomes_of_a_recorded_history(tmp_path):
    (entry,) = entries(
        tmp_path,
        """
[[history]]
name = "example"
file = "example.jsonl"
require = ["read-your-writes", "linearizable", "aborted-read"]
expect_violated = ["stale-read", "monotonic-reads"]
""",
    )
    summary = run_history_check(entry)
    assert summary["description"] == "history example.jsonl (jsonl, 9 operations, 2 keys)"
    assert outcomes(summary) == {
        "stale-read": ("violated", "pass"),
        "read-your-writes": ("holds", "pass"),
        "monotonic-reads": ("violated", "pass"),
        "aborted-read": ("n/a", "inconclusive"),
        "linearizable": ("violated", "fail"),
    }
    failed = next(c for c in summary["checks"] if c["id"] == "linearizable")
    assert failed["details"].splitlines()[1:] == [
        "  p0 write book [cart]",
        "  p1 read -> nil [cart]",
    ]
    na = next(c for c in summary["checks"] if c["id"] == "aborted-read")
    assert na["reason"] == "n/a on this history: no write definitely failed on this key"


def test_a_weakness_that_is_gone_fails(tmp_path):
    (entry,) = entries(
        tmp_path,
        """
[[history]]
name = "fixed"
file = "example.jsonl"
expect_violated = ["read-your-writes"]
""",
    )
    (check,) = run_history_check(entry)["checks"]
    assert (
        check["outcome"] == "fail" and "move it from expect_violated to require" in check["details"]
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('name = "x"\nrequire = ["linearizable"]', ":2: history 'x' needs the history to check"),
        ('name = "x"\nfile = "example.jsonl"', ":2: history 'x' requires nothing"),
        (
            'name = "x"\nfile = "example.jsonl"\nrequire = ["convergence"]',
            ":5: unknown property 'convergence' in history 'x'; a history can be checked for",
        ),
        (
            'name = "x"\nfile = "example.jsonl"\nrequire = ["linearizable"]\nmax_secs = 3',
            ":6: unknown key 'max_secs' in history 'x'; did you mean 'max_seconds'?",
        ),
        (
            'name = "x"\nfile = "missing.edn"\nrequire = ["linearizable"]',
            ":4: history 'x': cannot read",
        ),
        (
            'name = "x"\nfile = "example.jsonl"\nformat = "edn"\nrequire = ["linearizable"]',
            ":4: history 'x':",
        ),
        (
            'name = "x"\nfile = "example.jsonl"\nrequire = ["linearizable"]\nmax_seconds = 0',
            ":6: max_seconds in history 'x' must be a number of seconds > 0",
        ),
    ],
)
def test_bad_entries_are_one_line_naming_the_line(tmp_path, body, message):
    with pytest.raises(GateError) as error:
        entries(tmp_path, f"\n[[history]]\n{body}\n")
    assert message in str(error.value) and "\n" not in str(error.value)
