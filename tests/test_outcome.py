"""One outcome vocabulary (checker/outcome.py) and one map from outcomes to exit codes,
which every subcommand goes through."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from leaderless import checker
from leaderless.checker import cli, explorer, gate_report
from leaderless.checker.commands import pbs
from leaderless.checker.outcome import (
    EXIT_HOLDS,
    EXIT_INCONCLUSIVE,
    EXIT_VIOLATED,
    FAILURES,
    SUCCESSES,
    Outcome,
    exit_code,
)
from leaderless.model import search
from leaderless.model.history import check as history_check
from leaderless.proofs import bmc, kinduction, result

COMMANDS = Path(checker.__file__).resolve().parent / "commands"

# Every outcome, its spelling in the JSON reports, and the exit code it gives alone.
TABLE = [
    (Outcome.HOLDS, "holds", 0),
    (Outcome.PROVED, "proved", 0),
    (Outcome.PASS, "pass", 0),
    (Outcome.MET, "met", 0),
    (Outcome.VIOLATED, "violated", 1),
    (Outcome.REFUTED, "refuted", 1),
    (Outcome.FAIL, "fail", 1),
    (Outcome.UNMET, "unmet", 1),
    (Outcome.INCONCLUSIVE, "inconclusive", 3),
    (Outcome.NOT_APPLICABLE, "n/a", 3),
    (Outcome.UNKNOWN, "unknown", 3),
    (Outcome.NOT_INDUCTIVE, "not inductive", 3),
    (Outcome.NONE_FOUND, "none found", 3),
    (Outcome.NONE_WITHIN, "none within K", 3),
    (Outcome.NOT_ENCODED, "not encoded", 3),
    (Outcome.UNDECIDED, "undecided", 3),
]


def test_the_table_covers_every_member():
    assert sorted(member for member, _, _ in TABLE) == sorted(Outcome)


@pytest.mark.parametrize(("member", "spelling", "code"), TABLE)
def test_each_outcome_is_its_json_spelling_and_has_one_exit_code(member, spelling, code):
    assert member == spelling and str(member) == spelling and f"{member}" == spelling
    assert Outcome(spelling) is member
    assert exit_code([member]) == exit_code([spelling]) == member.exit_code == code


def test_the_exit_codes_are_the_documented_ones():
    assert (EXIT_HOLDS, EXIT_VIOLATED, EXIT_INCONCLUSIVE) == (0, 1, 3)
    assert (cli.EXIT_HOLDS, cli.EXIT_VIOLATED, cli.EXIT_INCONCLUSIVE) == (0, 1, 3)
    assert (cli.EXIT_USAGE, cli.EXIT_INTERNAL) == (2, 4)
    assert not SUCCESSES & FAILURES


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        ([], 0),  # nothing required: nothing fails
        (["holds", "proved", "pass", "met"], 0),
        (["holds", "n/a"], 3),  # a required property that cannot apply is not a success
        (["holds", "none found"], 3),  # a search that found nothing proves nothing
        (["inconclusive", "violated"], 1),  # a violation beats a limit
        (["unknown", "refuted", "holds"], 1),
        (["pass", "inconclusive", "pass"], 3),
        (iter(["fail"]), 1),  # any iterable
    ],
)
def test_a_failure_beats_an_undecided_outcome_which_beats_success(outcomes, code):
    assert exit_code(outcomes) == code


def test_a_spelling_that_is_no_outcome_is_a_bug_not_a_verdict():
    with pytest.raises(ValueError, match="'holding' is not a valid Outcome"):
        exit_code(["holds", "holding"])


@pytest.mark.parametrize(
    ("constant", "member"),
    [
        (explorer.HOLDS, Outcome.HOLDS),
        (explorer.VIOLATED, Outcome.VIOLATED),
        (explorer.NOT_APPLICABLE, Outcome.NOT_APPLICABLE),
        (explorer.INCONCLUSIVE, Outcome.INCONCLUSIVE),
        (gate_report.PASS, Outcome.PASS),
        (gate_report.FAIL, Outcome.FAIL),
        (gate_report.INCONCLUSIVE, Outcome.INCONCLUSIVE),
        (pbs.MET, Outcome.MET),
        (pbs.UNMET, Outcome.UNMET),
        (pbs.UNDECIDED, Outcome.UNDECIDED),
        # model/ and proofs/ do not import the checker: their words are strings with
        # the enum's values.
        (result.PROVED, Outcome.PROVED),
        (result.REFUTED, Outcome.REFUTED),
        (result.UNKNOWN, Outcome.UNKNOWN),
        (kinduction.PROVED, Outcome.PROVED),
        (kinduction.REFUTED, Outcome.REFUTED),
        (kinduction.NOT_INDUCTIVE, Outcome.NOT_INDUCTIVE),
        (bmc.VIOLATED, Outcome.VIOLATED),
        (bmc.NONE_WITHIN, Outcome.NONE_WITHIN),
        (bmc.NOT_APPLICABLE, Outcome.NOT_APPLICABLE),
        (bmc.NOT_ENCODED_STATUS, Outcome.NOT_ENCODED),
        (bmc.UNKNOWN, Outcome.UNKNOWN),
        (search.VIOLATED, Outcome.VIOLATED),
        (search.NONE_FOUND, Outcome.NONE_FOUND),
        (search.NOT_APPLICABLE, Outcome.NOT_APPLICABLE),
        (history_check.HOLDS, Outcome.HOLDS),
        (history_check.VIOLATED, Outcome.VIOLATED),
        (history_check.UNKNOWN, Outcome.INCONCLUSIVE),
        (history_check.NOT_APPLICABLE, Outcome.NOT_APPLICABLE),
    ],
)
def test_every_family_of_words_is_spelled_by_the_enum(constant, member):
    assert Outcome(constant) is member


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _subcommand_modules() -> list[Path]:
    return [COMMANDS / f"{name.rsplit('.', 1)[1]}.py" for name in cli.COMMANDS.values()]


def test_every_subcommand_is_found():
    assert len(_subcommand_modules()) == 10
    assert all(path.exists() for path in _subcommand_modules())


@pytest.mark.parametrize("path", _subcommand_modules(), ids=lambda p: p.stem)
def test_every_subcommand_takes_its_exit_code_from_the_outcomes(path):
    tree = _tree(path)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "leaderless.checker.outcome"
        for alias in node.names
    }
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "exit_code" in imported and "exit_code" in called, f"{path.name}"


@pytest.mark.parametrize("path", sorted(COMMANDS.glob("*.py")), ids=lambda p: p.stem)
def test_no_command_module_maps_outcomes_to_exit_codes_itself(path):
    tree = _tree(path)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert not names & {"EXIT_HOLDS", "EXIT_VIOLATED", "EXIT_INCONCLUSIVE"}, path.name
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert "exit_code" not in defined, f"{path.name} defines its own exit_code"
