"""Words a domain expert reads: a sloppy quorum is Dynamo's and Riak's, not Cassandra's
(where a hint counts only toward ANY), and a write that timed out is indeterminate,
not aborted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaderless.checker.cli import main
from leaderless.model import CATALOGUE

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
SLOPPY_GATE = """
[[scenario]]
name = "hinted"
replication = { dc1 = 3 }
read = "QUORUM"
write = "QUORUM"
sloppy = true
expect_violated = ["quorum-overlap"]
"""


def test_aborted_read_says_what_it_checks():
    meaning = next(p.meaning for p in CATALOGUE if p.id == "aborted-read")
    assert "timed out" in meaning and "not aborted" in meaning and "G1a" not in meaning
    row = next(line for line in README.splitlines() if line.startswith("| `aborted-read`"))
    assert "timed out" in row and "not Adya's G1a" in row and ":info" in row


def test_sloppy_is_never_presented_as_cassandra(capsys, tmp_path):
    with pytest.raises(SystemExit):
        main(["prove", "topology", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "Dynamo/Riak-style sloppy quorum" in help_text
    assert "not Cassandra, where a hint counts only toward ANY" in help_text
    gate = tmp_path / "leaderless.toml"
    gate.write_text(SLOPPY_GATE)
    assert main(["gate", str(gate), "--quiet", "--json"]) == 0
    scenario = json.loads(capsys.readouterr().out)["scenarios"][0]
    assert scenario["description"].endswith(
        "(sloppy quorum: hints count toward the write level, as in Dynamo and Riak)"
    )
    assert "Dynamo and Riak" in scenario["model_note"]
    # Every README paragraph that names the option says whose behaviour it is.
    for paragraph in README.split("\n\n"):
        if ("--sloppy" in paragraph or "`sloppy`" in paragraph) and "$ leaderless" not in paragraph:
            assert "Dynamo" in paragraph and "Riak" in paragraph, paragraph
    assert README.count("only toward ANY") >= 2
