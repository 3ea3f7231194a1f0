"""`leaderless search`: exit codes, the "none found" wording, JSON and ITF that replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaderless.checker import cli
from leaderless.checker.itf import itf_to_trace_data
from leaderless.checker.trace import replay
from leaderless.model import Config, ReplicationModel


@pytest.fixture
def leaderless(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setitem(cli.COMMANDS, "search", "leaderless.checker.commands.search")

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["search", "--quiet", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_counterexample_exits_1_with_its_trace(leaderless) -> None:
    code, out, _ = leaderless(
        "--n",
        "3",
        "--w",
        "1",
        "--r",
        "1",
        "--clients",
        "w,r",
        "--require",
        "stale-read",
        "--examples",
        "200",
        "--no-shrink",
    )
    assert code == cli.EXIT_VIOLATED
    assert "Counterexample to stale-read (6 steps):" in out


def test_nothing_found_is_inconclusive_never_holds(leaderless) -> None:
    code, out, _ = leaderless(
        "--clients", "w,w,r", "--require", "stale-read,lww-order", "--examples", "30"
    )
    assert code == cli.EXIT_INCONCLUSIVE
    assert "none found in" in out and "holds" not in out.split("none found is not")[0]


def test_json_and_itf_traces_replay(leaderless, tmp_path: Path) -> None:
    code, out, _ = leaderless(
        "--clients",
        "w,w",
        "--clock",
        "client",
        "--max-offset",
        "1",
        "--require",
        "lww-order",
        "--examples",
        "200",
        "--json",
        "--itf",
        str(tmp_path),
        "--no-shrink",
    )
    assert code == cli.EXIT_VIOLATED
    report = json.loads(out)
    assert report["complete"] is False and report["clock"]["mode"] == "client"
    [prop] = report["properties"]
    trace = prop["trace"]
    model = ReplicationModel(Config.from_json(trace["config"]))
    assert replay(model, trace)[1] == prop["reason"]
    document = json.loads((tmp_path / "lww-order.itf.json").read_text())
    assert replay(model, itf_to_trace_data(document))[1] == prop["reason"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--max-skew", "5"], "--max-skew sets a client clock; add --clock client"),
        (["--clock", "client", "--drift", "1"], "--drift bounds the per-write clock"),
        (["--clock", "client", "--max-skew", "100"], "--max-skew: 100 is out of range"),
        (["--examples", "0"], "--examples: 0 is out of range"),
        (["--require", "aborted-read"], "--require: aborted-read does not apply"),
        (["--require", "stale-reads"], "did you mean 'stale-read'"),
        (["--require", ""], "--require: names no property"),
        (["--require", ","], "--require: names no property"),
        (["--properties", "stale-read"], "--properties stale-read (the option is --require"),
        (["--examples", "nan"], "--examples: 'nan' is not a whole number"),
        (["--examples", "-1"], "--examples: -1 is out of range"),
        (["--steps", "0"], "--steps: 0 is out of range"),
        (["--steps", "1e3"], "--steps: '1e3' is not a whole number"),
        (["--seed", "nan"], "--seed: invalid int value: 'nan'"),
        (["--max-seconds", "nan"], "--max-seconds: nan is out of range"),
        (["--max-seconds", "-1"], "--max-seconds: -1 is out of range"),
        (["--max-seconds", "inf"], "--max-seconds: inf is out of range"),
        (["--shrink-seconds", "0"], "--shrink-seconds: 0 is out of range"),
        (["--shrink-seconds", "nan"], "--shrink-seconds: nan is out of range"),
        (["--clock", "client", "--max-offset", "-1"], "--max-offset: -1 is out of range"),
        (["--clock", "client", "--max-offset", "nan"], "--max-offset: invalid int value"),
        (["--clock", "client", "--max-offset", str(10**30)], "--max-offset: 1000000000000000000"),
        (["--clock", "client", "--ntp-steps", "99999999999"], "--ntp-steps: 99999999999 is out"),
        (["--clock", "client", "--max-step", str(10**30)], "the search handles at most 1000"),
        (["--clock", "client", "--max-step", "0"], "--max-step: 0 is out of range"),
        (["--clock", "sun"], "--clock: invalid choice: 'sun'"),
        (["--no-shrink", "--shrink-seconds", "5"], "the shrinking that --no-shrink skips"),
    ],
)
def test_bad_input_exits_2_with_one_line(leaderless, argv: list[str], message: str) -> None:
    """Every search option refuses nonsense (nan, negative, huge) in one line."""
    code, _, err = leaderless(*argv)
    assert code == cli.EXIT_USAGE
    assert message in err and err.count("\n") == 1


def test_huge_but_valid_counts_and_seeds_are_accepted(leaderless) -> None:
    """A seed or run count past 64 bits is still a seed or a count: --max-seconds or a
    find ends such a search."""
    code, out, _ = leaderless(
        "--n",
        "3",
        "--w",
        "1",
        "--r",
        "1",
        "--clients",
        "w,r",
        "--require",
        "stale-read",
        "--seed",
        str(10**30),
        "--examples",
        str(10**30),
        "--no-shrink",
        "--max-seconds",
        "30",
    )
    assert code == cli.EXIT_VIOLATED and "Counterexample to stale-read" in out


def test_require_accumulates_and_decides_the_exit_code(leaderless) -> None:
    code, out, _ = leaderless(
        "--n",
        "3",
        "--w",
        "1",
        "--r",
        "1",
        "--clients",
        "w,r",
        "--require",
        "convergence",
        "--require",
        "stale-read,availability",
        "--examples",
        "100",
        "--no-shrink",
        "--json",
    )
    assert code == cli.EXIT_VIOLATED
    report = json.loads(out)
    assert [p["id"] for p in report["properties"]] == ["convergence", "stale-read", "availability"]
    assert [p["verdict"] for p in report["properties"]] == ["none found", "violated", "none found"]


def test_the_html_report_says_it_sampled_and_never_incomplete_none(
    leaderless, tmp_path: Path
) -> None:
    page = tmp_path / "search.html"
    code, _, _ = leaderless(
        "--n",
        "3",
        "--w",
        "2",
        "--r",
        "2",
        "--clients",
        "w,r",
        "--require",
        "stale-read",
        "--examples",
        "20",
        "--html",
        str(page),
    )
    assert code == cli.EXIT_INCONCLUSIVE
    text = page.read_text()
    assert "random search, seed 0" in text and "none found in" in text
    assert "INCOMPLETE" not in text and "None" not in text
