"""`leaderless history` as a user meets it: verdicts in words, exit codes, JSON valid
against its schema, the HTML timeline, limits and Ctrl-C, one-line errors."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from leaderless.checker.cli import main

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "history.schema.json").read_text())
ETCD = ROOT / "tests" / "data" / "porcupine" / "jepsen"


def events(*rows, key=None):
    lines = []
    for kind, process, f, value in rows:
        record = {"process": process, "type": kind, "f": f, "value": value}
        if key is not None:
            record["key"] = key
        lines.append(json.dumps(record) + "\n")
    return "".join(lines)


STALE = events(
    ("invoke", 0, "write", 1),
    ("ok", 0, "write", 1),
    ("invoke", 1, "read", None),
    ("ok", 1, "read", None),
)
FINE = events(
    ("invoke", 0, "write", 1),
    ("ok", 0, "write", 1),
    ("invoke", 1, "read", None),
    ("ok", 1, "read", 1),
)


def hard(writers: int = 22) -> str:
    """Concurrent writes, then a read of a value none wrote: refuting it means trying
    every subset of the writes, which takes far longer than any test waits."""
    rows = [("invoke", p, "write", 1000 + p) for p in range(writers)]
    rows += [("ok", p, "write", 1000 + p) for p in range(writers)]
    rows += [("invoke", writers, "read", None), ("ok", writers, "read", -1)]
    return events(*rows)


def run(capsys, tmp_path, text, *argv):
    path = tmp_path / "history.jsonl"
    path.write_text(text)
    code = main(["history", str(path), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, tmp_path, text, *argv):
    code, out, _ = run(capsys, tmp_path, text, *argv, "--json")
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert data["exit_code"] == code
    return code, data


def test_violations_in_words_with_witnesses(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, STALE)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].endswith(
        "history.jsonl: JSON lines, 4 events, 2 operations (0 failed, "
        "0 with unknown outcome), 1 key, 2 processes"
    )
    assert any(line.startswith("stale-read        VIOLATED") for line in lines)
    assert any(line.startswith("linearizable      VIOLATED") for line in lines)
    assert (
        "stale-read violated: p1 read -> nil returned the initial value, although p0 "
        "write 1 was acknowledged before the read began"
    ) in out
    assert "           [1, 2]  p0 write 1\n           [3, 4]  p1 read -> nil" in out
    assert "read-your-writes, monotonic-reads is n/a" not in out
    assert err == ""


def test_holding_history_exits_0(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path, FINE)
    assert code == 0
    assert "linearizable      holds" in out and "stale-read        holds" in out


def test_json_is_valid_against_its_schema(capsys, tmp_path):
    code, data = run_json(capsys, tmp_path, STALE)
    assert code == 1 and data["complete"] and data["format"] == "jsonl"
    prop = {p["id"]: p for p in data["properties"]}
    assert [k["verdict"] for k in prop["stale-read"]["keys"]] == ["violated"]
    lin = prop["linearizable"]["keys"][0]
    assert [op["description"] for op in lin["witness"]] == ["p0 write 1", "p1 read -> nil"]
    assert lin["breaks_at"] == 3 and lin["witness_minimal"]
    code, data = run_json(capsys, tmp_path, (ETCD / "etcd_012.log").read_text())
    assert code == 1 and data["format"] == "porcupine-etcd" and data["initial"] is None


def test_html_timeline_marks_the_witness_and_the_prefix(capsys, tmp_path):
    page = tmp_path / "timeline.html"
    code, _, err = run(capsys, tmp_path, (ETCD / "etcd_064.log").read_text(), "--html", str(page))
    assert code == 1 and f"wrote {page}" in err
    text = page.read_text()
    assert text.count("<svg") == 1 and text.count("class='bar") == 85  # every operation
    assert len(re.findall(r"<g class='bar[^']* witness", text)) == 3  # the witness's three
    assert "linearizable up to here" in text and "p7 read -&gt; 0" in text
    svg = text[text.index("<svg") : text.index("</svg>") + 6]
    assert ElementTree.fromstring(svg).tag.endswith("svg")  # well-formed


def test_limit_is_inconclusive_never_linearizable(capsys, tmp_path):
    started = time.monotonic()
    code, data = run_json(
        capsys, tmp_path, hard(), "--max-seconds", "0.3", "--require", "linearizable"
    )
    assert time.monotonic() - started < 5
    assert code == 3 and not data["complete"] and data["stopped_by"] == "the time limit"
    assert data["properties"][0]["verdict"] == "inconclusive"


def test_ctrl_c_keeps_what_is_known(tmp_path):
    path = tmp_path / "hard.jsonl"
    path.write_text(FINE.replace('"process": 0', '"process": 90', 2) + hard())
    process = subprocess.Popen(
        [sys.executable, "-m", "leaderless.checker", "history", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    # Progress lines start after a second; the first one says the search is under way.
    assert "operations" in process.stderr.readline()
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 3
    assert "stopped by interrupted (Ctrl-C)" in out
    assert "linearizable      inconclusive" in out
    assert "stale-read        holds" in out  # decided before the search began


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--require", "convergence"], "--require: unknown property 'convergence'"),
        (["--max-seconds", "0"], "--max-seconds: 0 is out of range"),
        (["--format", "xml"], "argument --format: invalid choice"),
    ],
)
def test_bad_options_are_one_line(capsys, tmp_path, argv, message):
    code, out, err = run(capsys, tmp_path, FINE, *argv)
    assert code == 2 and message in err and err.count("\n") == 1 and out == ""


def test_bad_files_are_one_line(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path, FINE + "{oops\n")
    assert code == 2 and err.strip().endswith(
        "history.jsonl: line 5: not JSON (Expecting property name enclosed in double quotes)"
    )
    assert main(["history", str(tmp_path / "missing.edn")]) == 2
    assert "missing.edn: cannot read: No such file or directory" in capsys.readouterr().err


def test_named_property_that_is_na_is_inconclusive(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path, FINE, "--require", "aborted-read")
    assert code == 3 and "aborted-read is n/a: no write definitely failed on this key" in out


def test_reads_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(STALE))
    assert main(["history", "-", "--require", "stale-read"]) == 1
    assert "history -: JSON lines" in capsys.readouterr().out
