"""`leaderless search`: exit codes, the "none found" wording, JSON and ITF that replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker import cli
from checker.render import itf_to_trace_data
from checker.trace import replay
from model import Config, ReplicationModel


@pytest.fixture
def leaderless(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setitem(cli.COMMANDS, "search", "checker.commands.search")

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["search", "--quiet", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_counterexample_exits_1_with_its_trace(leaderless) -> None:
    code, out, _ = leaderless("--n", "3", "--w", "1", "--r", "1", "--clients", "w,r",
                              "--require", "stale-read", "--examples", "200", "--no-shrink")
    assert code == cli.EXIT_VIOLATED
    assert "Counterexample to stale-read (6 steps):" in out


def test_nothing_found_is_inconclusive_never_holds(leaderless) -> None:
    code, out, _ = leaderless("--clients", "w,w,r", "--require", "stale-read,lww-order",
                              "--examples", "30")
    assert code == cli.EXIT_INCONCLUSIVE
    assert "none found in" in out and "holds" not in out.split("none found is not")[0]


def test_json_and_itf_traces_replay(leaderless, tmp_path: Path) -> None:
    code, out, _ = leaderless("--clients", "w,w", "--clock", "client", "--max-offset", "1",
                              "--require", "lww-order", "--examples", "200", "--json",
                              "--itf", str(tmp_path), "--no-shrink")
    assert code == cli.EXIT_VIOLATED
    report = json.loads(out)
    assert report["complete"] is False and report["clock"]["mode"] == "client"
    [prop] = report["properties"]
    trace = prop["trace"]
    model = ReplicationModel(Config.from_json(trace["config"]))
    assert replay(model, trace)[1] == prop["reason"]
    document = json.loads((tmp_path / "lww-order.itf.json").read_text())
    assert replay(model, itf_to_trace_data(document))[1] == prop["reason"]


@pytest.mark.parametrize("argv, message", [
    (["--max-skew", "5"], "--max-skew sets a client clock; add --clock client"),
    (["--clock", "client", "--drift", "1"], "--drift bounds the per-write clock"),
    (["--clock", "client", "--max-skew", "100"], "--max-skew: 100 is out of range"),
    (["--examples", "0"], "--examples: 0 is out of range"),
    (["--require", "aborted-read"], "--require: aborted-read does not apply"),
    (["--require", "stale-reads"], "did you mean 'stale-read'"),
    (["--require", ""], "--require: names no property"),
    (["--require", ","], "--require: names no property"),
    (["--properties", "stale-read"], "unrecognized arguments: --properties"),
])
def test_bad_input_exits_2_with_one_line(leaderless, argv: list[str], message: str) -> None:
    code, _, err = leaderless(*argv)
    assert code == cli.EXIT_USAGE
    assert message in err and err.count("\n") == 1
