"""`leaderless anti-entropy`: exit codes, bad input as one line, text and JSON output."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from leaderless.checker import cli
from leaderless.checker.commands import anti_entropy
from leaderless.model.antientropy import Cost, SyncReport

# Runs `leaderless anti-entropy ARGS` and returns (exit code, stdout, stderr).
Leaderless = Callable[..., tuple[int, str, str]]


@pytest.fixture
def leaderless(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Leaderless:
    """Run `leaderless anti-entropy ARGS`, whatever else COMMANDS holds at the time."""
    monkeypatch.setattr(
        cli, "COMMANDS", {"anti-entropy": "leaderless.checker.commands.anti_entropy"}
    )

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["anti-entropy", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def without_time(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("time:"))


def test_small_run_converges_and_prints_the_golden_table(leaderless: Leaderless) -> None:
    code, out, err = leaderless("--keys", "2000", "--diverge", "1%", "--seed", "1")
    assert code == 0 and err == ""
    assert without_time(out) == GOLDEN
    assert out.splitlines()[-1].startswith("time: build ")


GOLDEN = """\
anti-entropy: 2000 keys on 3 replicas, 20 keys diverged (1%), seed 1
Merkle tree: depth 8, 256 leaves, 7.8 keys per leaf

cost (all syncs)      merkle    naive
------------------  --------  -------
hashes exchanged         301        0
keys transferred         323    6,010
round trips               30        3
bytes                 12,619  144,240
syncs                      3        3

converged (merkle): all 3 replicas equal the LWW merge of 2014 writes after 1 pass over every pair
converged (naive): all 3 replicas equal the LWW merge of 2014 writes after 1 pass over every pair"""


def test_json_output_is_one_object_with_both_methods(leaderless: Leaderless) -> None:
    code, out, _ = leaderless("--keys", "500", "--replicas", "4", "--diverge", "0.02", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["converged"] is True and report["diverged_keys"] == 10
    assert report["config"]["diverge"] == 0.02 and report["config"]["depth"] == 6
    assert report["leaves"] == 64
    for method in ("merkle", "naive"):
        assert report[method]["agreed"] and report[method]["problems"] == []
        assert len(report[method]["syncs"]) == 6
        assert sum(s["bytes"] for s in report[method]["syncs"]) == report[method]["bytes"]
    assert report["merkle"]["keys_transferred"] < report["naive"]["keys_transferred"]
    assert report["seconds"] >= report["merkle"]["seconds"] + report["naive"]["seconds"]
    assert report["build_seconds"] >= 0


def test_percentage_and_fraction_mean_the_same(leaderless: Leaderless) -> None:
    runs = [
        json.loads(leaderless("--keys", "300", "--diverge", d, "--json", "--no-times")[1])
        for d in ("5%", "0.05")
    ]
    assert runs[0] == runs[1] and runs[0]["diverged_keys"] == 15


def test_a_sync_that_does_not_converge_exits_1_and_says_where(
    leaderless: Leaderless, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anti_entropy, "merkle_sync", lambda a, b: SyncReport(Cost(), (), ()))
    code, out, _ = leaderless("--keys", "300", "--diverge", "5%")
    assert code == 1
    assert "NOT CONVERGED: merkle: replicas still disagree after 3 passes" in out
    assert "NOT CONVERGED: merkle: replica 0 differs from the LWW merge on " in out
    assert "converged (naive): all 3 replicas" in out


def test_progress_goes_to_stderr_for_large_runs_unless_quiet(
    leaderless: Leaderless, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anti_entropy, "PROGRESS_KEYS", 100)
    code, out, err = leaderless("--keys", "100", "--json")
    assert code == 0 and json.loads(out)["converged"]
    assert "merkle: pass 1: sync replicas 1 and 2" in err
    assert leaderless("--keys", "100", "--quiet")[2] == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--diverge", "150%"], "argument --diverge: expected a percentage in 0%..100%"),
        (["--diverge", "abc"], "got 'abc'"),
        (["--diverge", "nan"], "got 'nan'"),
        (["--diverge", "-1"], "got '-1'"),
        (["--keys", "0"], "--keys must be >= 1, got 0"),
        (["--keys", "many"], "argument --keys: invalid int value: 'many'"),
        (["--replicas", "1"], "--replicas must be >= 2"),
        (["--depth", "21"], "--depth must be 0..20, got 21"),
        (["--depth", "-1"], "--depth must be 0..20, got -1"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    leaderless: Leaderless, argv: list[str], message: str
) -> None:
    code, out, err = leaderless(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_a_run_too_large_for_memory_is_refused_with_the_largest_that_fits(
    leaderless: Leaderless, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anti_entropy, "physical_memory", lambda: 8 * 2**30)
    code, out, err = leaderless("--keys", "2000000", "--replicas", "50")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "error: --keys 2000000 on --replicas 50 needs about" in err
    largest = int(err.split("at most ")[1].split(" keys")[0].replace(",", ""))
    budget = 4 * 2**30

    def need(keys: int) -> int:
        return anti_entropy.estimated_bytes(keys, 50, 0.001, anti_entropy.default_depth(keys))

    assert need(largest) <= budget < need(largest + 1)
    code, _, err = leaderless("--keys", "100", "--replicas", "100000000")
    assert code == 2 and "no run on 100000000 replicas fits" in err


def test_running_out_of_memory_anyway_is_inconclusive(
    leaderless: Leaderless, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*_args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(anti_entropy, "diverged_cluster", exhausted)
    code, out, err = leaderless("--keys", "100")
    assert code == 3 and out == "" and err.startswith("out of memory")


def test_help_line_is_the_docstring_summary() -> None:
    assert (anti_entropy.__doc__ or "").splitlines()[0] == (
        "Merkle-tree anti-entropy on diverged multi-key replicas, measured against a naive scan."
    )
