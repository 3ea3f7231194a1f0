"""Files written by --html, --itf, --history-out, --junit and --markdown: a directory
that does not exist is an error (exit 2, one line, before any search runs), never
created silently, and every file written is named on stderr. The formats come from
one table (checker/commands/outputs.py) that check, search, bmc and gate share."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from leaderless.checker.cli import build_parser, main
from leaderless.checker.commands.outputs import FORMATS, Outputs

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


# -- bmc: its counterexamples through the same table as check's and search's ----------

BMC = ["bmc", "--quiet", "--n", "3", "--w", "1", "--r", "1", "--clients", "w,r"]


def test_bmc_writes_itf_that_replays_an_html_page_and_histories(capsys, tmp_path):
    itf, page, histories = tmp_path / "itf", tmp_path / "bmc.html", tmp_path / "histories"
    code, out, err = run(
        capsys,
        *BMC,
        "--depth",
        "6",
        "--require",
        "stale-read",
        "--itf",
        str(itf),
        "--html",
        str(page),
        "--history-out",
        str(histories),
    )
    assert code == 1 and "Counterexample to stale-read (6 steps)" in out
    assert err.splitlines() == [
        f"created {itf}",
        f"wrote {itf / 'stale-read.itf.json'}",
        f"created {histories}",
        f"wrote {histories / 'stale-read.jsonl'}",
        f"wrote {page}",
    ]
    code, out, _ = run(capsys, "replay", str(itf / "stale-read.itf.json"))
    assert code == 0 and out.startswith("stale-read: replays 6 steps, every state matches")
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<title>leaderless bmc: n=3 w=1 r=1" in html
    assert 'id="trace-stale-read" data-steps="6"' in html
    # The recorded history breaks what the trace breaks.
    code, out, _ = run(
        capsys, "history", str(histories / "stale-read.jsonl"), "--require", "stale-read"
    )
    assert code == 1 and "stale-read" in out


def test_bmc_mermaid_is_the_report_in_markdown_with_a_diagram_per_trace(capsys):
    code, out, _ = run(capsys, *BMC, "--depth", "6", "--no-times", "--mermaid")
    assert code == 1
    assert out.startswith("leaderless bmc: n=3 w=1 r=1 clients=w,r")
    assert "| property | bmc | trace | k-induction |\n| --- | --- | --- | --- |\n" in out
    assert "| stale-read | VIOLATED | 6 |   |\n" in out
    assert "Counterexample to stale-read (6 steps):\n\n```mermaid\nsequenceDiagram\n" in out
    assert out.count("```mermaid") == 1  # one violation within 6 steps


def test_bmc_writes_a_k_induction_base_case_counterexample_too(capsys, tmp_path):
    # BMC searched no run (depth 0); k-induction's base case finds the violation.
    code, out, _ = run(
        capsys,
        *BMC,
        "--depth",
        "0",
        "--k-induction",
        "--max-k",
        "7",
        "--require",
        "stale-read",
        "--itf",
        str(tmp_path),
    )
    assert code == 1 and "refuted (k=7)" in out
    code, out, _ = run(capsys, "replay", str(tmp_path / "stale-read.itf.json"))
    assert code == 0 and "replays 6 steps" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--json", "--mermaid"], "error: --json and --mermaid cannot combine"),
        (["--itf", "{missing}"], "error: --itf: cannot create {missing}: the directory"),
        (["--html", "{missing}"], "error: --html: cannot write {missing}: the directory"),
        (["--history-out", "{file}"], "error: --history-out: {file} is not a directory"),
    ],
)
def test_bmc_refuses_bad_outputs_before_solving(capsys, tmp_path, argv, message):
    names = {"missing": str(tmp_path / "no" / "such"), "file": str(tmp_path / "a-file")}
    (tmp_path / "a-file").write_text("")
    argv = [arg.format(**names) for arg in argv]
    # Depth 1000 would take Z3 far longer than the limit: only a check before solving
    # answers at once.
    code, out, err = run(capsys, *BMC, "--depth", "1000", "--max-seconds", "5", *argv)
    assert code == 2 and out == "" and err.startswith(message.format(**names))
    assert len(err.splitlines()) == 1


def test_an_itf_directory_that_is_a_file_is_refused_before_the_search(capsys, tmp_path):
    target = tmp_path / "traces"
    target.write_text("")
    code, out, err = run(capsys, *CHECK, "--itf", str(target))
    assert code == 2 and out == "" and err == f"error: --itf: {target} is not a directory\n"


# -- the table itself ---------------------------------------------------------------


def _options(command: str) -> dict[str, str]:
    """Each output option of `command`, with its help."""
    parser = build_parser(command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    actions = sub.choices[command]._actions
    return {a.option_strings[0]: a.help or "" for a in actions if a.option_strings}


@pytest.mark.parametrize(
    ("command", "formats"),
    [
        ("check", ["--json", "--mermaid", "--itf", "--history-out", "--html"]),
        ("search", ["--json", "--itf", "--history-out", "--html"]),
        ("bmc", ["--json", "--mermaid", "--itf", "--history-out", "--html"]),
        ("gate", ["--json", "--junit", "--markdown", "--html"]),
    ],
)
def test_each_command_offers_its_formats_from_the_one_table(command, formats):
    options = _options(command)
    offered = [option for option in options if option in {f.option for f in FORMATS.values()}]
    assert offered == formats  # in the table's order
    for option in formats:
        fmt = next(f for f in FORMATS.values() if f.option == option)
        if command != "gate" or option not in ("--json", "--html"):  # the gate's are its own
            assert options[option].startswith(fmt.help)
    if "--mermaid" in formats:
        assert options["--json"].endswith(
            "not with --mermaid" if command != "check" else "not with --trace or --mermaid"
        )
        assert options["--mermaid"].endswith("; not with --json")


def test_only_known_formats_can_be_offered():
    with pytest.raises(AssertionError, match="no such output format"):
        Outputs("json", "pdf")
