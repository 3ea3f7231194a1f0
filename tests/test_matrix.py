"""`leaderless matrix`: check's required-property convention over every row, and every
option it lists either honoured or refused."""

import json

import pytest

from leaderless.checker.cli import main


def matrix(capsys, *argv):
    code = main(["matrix", "--quiet", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_violated_cell_fails_the_matrix_as_check_would(capsys):
    code, out, _ = matrix(capsys, "--n", "2", "--clients", "w,r")
    assert code == 1
    assert "VIOLATED (6)" in out
    assert "violated: 2 (stale-read in r=1 w=1, linearizable in r=1 w=1)" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--require", "convergence"], 0),
        (["--require", "convergence", "--require", "stale-read"], 1),  # options accumulate
        (["--r", "2", "--require", "stale-read,linearizable"], 0),  # r = n: every read sees all
        (["--require", "stale-read", "--max-states", "5"], 3),
    ],
)
def test_required_properties_decide_the_exit_code(capsys, argv, expected):
    assert matrix(capsys, "--n", "2", "--clients", "w,r", *argv)[0] == expected


def test_a_violation_in_one_row_outweighs_a_limit_in_another(capsys):
    code, out, _ = matrix(
        capsys,
        "--n",
        "2",
        "--clients",
        "w,r",
        "--require",
        "stale-read",
        "--max-states",
        "80",
        "--format",
        "json",
    )
    rows = json.loads(out)["rows"]
    verdicts = {p["verdict"] for row in rows for p in row["properties"] if p["id"] == "stale-read"}
    assert verdicts == {"violated", "inconclusive"} and code == 1


@pytest.mark.parametrize(
    ("fixed", "cells"),
    [
        (["--w", "2"], [(1, 2), (2, 2), (3, 2)]),
        (["--r", "3"], [(3, 1), (3, 2), (3, 3)]),
        (["--r", "1", "--w", "3"], [(1, 3)]),
    ],
)
def test_r_or_w_fixes_that_dimension(capsys, fixed, cells):
    code, out, _ = matrix(
        capsys,
        "--n",
        "3",
        "--clients",
        "w,r",
        "--require",
        "convergence",
        "--format",
        "json",
        *fixed,
    )
    assert code == 0
    assert [(row["r"], row["w"]) for row in json.loads(out)["rows"]] == cells


@pytest.mark.parametrize(
    ("option", "shown"),
    [
        (["--clients", "w,rr"], "clients=w,rr"),
        (["--drift", "1"], "drift=1"),
        (["--drops", "1"], "drops=1"),
        (["--crashes", "1"], "crashes=1"),
        (["--timeouts"], "timeouts=on"),
        (["--anti-entropy"], "anti-entropy=on"),
        (["--read-repair", "async"], "read-repair=async"),
        (["--resolution", "arrival"], "resolution=arrival"),
        (["--r", "2"], "n=2 r=2, every w"),
        (["--w", "1"], "n=2 every r, w=1"),
    ],
)
def test_every_model_option_reaches_each_row(capsys, option, shown):
    _, out, _ = matrix(capsys, "--n", "2", "--max-states", "30", *option)
    assert shown in out.splitlines()[0]


def test_limits_apply_to_each_row(capsys):
    code, out, _ = matrix(
        capsys,
        "--n",
        "2",
        "--clients",
        "w,r",
        "--max-states",
        "7",
        "--no-symmetry",
        "--format",
        "json",
    )
    rows = json.loads(out)["rows"]
    assert code == 1 or code == 3
    assert [row["states"] for row in rows] == [7, 7, 7, 7]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--r", "0"], "--r: 0 is out of range; allowed 1..2"),
        (["--w", "3"], "--w: 3 is out of range; allowed 1..2"),
        (["--require", ""], "--require: names no property"),
        (["--require", "read-your-writes"], "read-your-writes does not apply"),
        (["--max-seconds", "nan"], "--max-seconds: nan is out of range"),
        (["--max-states", "0"], "--max-states: 0 is out of range"),
        (["--max-memory", "x"], "--max-memory: 'x' is not a size"),
        (["--format", "html"], "invalid choice: 'html'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = matrix(capsys, "--n", "2", "--clients", "w,r", *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1
