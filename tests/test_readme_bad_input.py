"""The README's table of bad input and limits is true: every row, run as written, exits
with its code and says what the row quotes (bad input in one line on stderr)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from leaderless.checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
SECTION = re.search(
    r"### Bad input and limits\n(.*?)\n\n[^|]", (ROOT / "README.md").read_text(), re.DOTALL
)
ROWS = [row for row in SECTION.group(1).splitlines() if row.startswith("| `leaderless")]


def _cells(row: str) -> tuple[str, str, int]:
    command, said, code = (cell.strip() for cell in row.strip("|").split(" | "))
    return command.strip("`"), said, int(code)


def test_the_table_is_there() -> None:
    assert len(ROWS) >= 20


@pytest.mark.parametrize("row", ROWS, ids=lambda row: _cells(row)[0])
def test_row(row: str, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    command, said, code = _cells(row)
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command)
    assert argv[0] == "leaderless"
    assert main(argv[1:]) == code
    out, err = capsys.readouterr()
    quoted = re.search(r"`([^`]*)`", said).group(1)
    if said.startswith("(stdout:"):
        assert quoted in out
    else:
        assert quoted in err and len(err.strip().splitlines()) == 1, err
