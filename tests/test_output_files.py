"""Files written by --html, --itf, --junit and --markdown: a directory that does not
exist is an error (exit 2, one line, before any search runs), never created silently,
and every file written is named on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderless.checker.cli import main

CHECK = ["check", "--quiet", "--n", "3", "--w", "1", "--r", "1", "--clients", "w,r"]
GATE = """
[[scenario]]
name = "quorums of one"
n = 3
w = 1
r = 1
clients = "w,r"
expect_violated = ["stale-read"]
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def gate_file(tmp_path: Path) -> str:
    path = tmp_path / "leaderless.toml"
    path.write_text(GATE)
    return str(path)


@pytest.mark.parametrize("option", ["--html", "--junit", "--markdown"])
def test_gate_output_into_a_missing_directory_is_refused(capsys, tmp_path, gate_file, option):
    target = tmp_path / "no" / "such" / "report"
    code, out, err = run(capsys, "gate", gate_file, "--quiet", option, str(target))
    assert code == 2 and out == ""
    assert err == (
        f"error: {option}: cannot write {target}: the directory {target.parent} does not exist\n"
    )
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("option", ["--html", "--itf"])
def test_check_output_into_a_missing_directory_is_refused(capsys, tmp_path, option):
    target = tmp_path / "no" / "such"
    code, out, err = run(capsys, *CHECK, option, str(target))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert f"error: {option}: cannot" in err and f"the directory {target.parent} does not" in err
    assert not (tmp_path / "no").exists()


def test_search_output_into_a_missing_directory_is_refused(capsys, tmp_path):
    target = tmp_path / "no" / "report.html"
    code, _, err = run(capsys, "search", "--examples", "1", "--quiet", "--html", str(target))
    assert code == 2 and "--html: cannot write" in err and not target.parent.exists()


def test_every_file_written_is_named_on_stderr(capsys, tmp_path, gate_file):
    page, itf = tmp_path / "check.html", tmp_path / "traces"
    code, _, err = run(capsys, *CHECK, "--html", str(page), "--itf", str(itf))
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"created {itf}" and lines[-1] == f"wrote {page}"
    assert sorted(lines[1:-1]) == sorted(f"wrote {path}" for path in itf.iterdir())
    assert len(lines) == 4  # stale-read and linearizable
    junit, summary = tmp_path / "gate.xml", tmp_path / "gate.md"
    code, _, err = run(
        capsys, "gate", gate_file, "--quiet", "--junit", str(junit), "--markdown", str(summary)
    )
    assert code == 0 and err.splitlines() == [f"wrote {junit}", f"wrote {summary}"]


def test_two_options_naming_one_file_are_refused(capsys, tmp_path, gate_file):
    same = str(tmp_path / "report")
    code, _, err = run(capsys, "gate", gate_file, "--quiet", "--junit", same, "--markdown", same)
    assert code == 2 and err == f"error: --markdown and --junit name the same file {same}\n"


def test_a_directory_is_not_a_file(capsys, tmp_path, gate_file):
    code, _, err = run(capsys, "gate", gate_file, "--quiet", "--html", str(tmp_path))
    assert code == 2 and err == f"error: --html: cannot write {tmp_path}: it is a directory\n"
