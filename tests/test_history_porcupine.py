"""Agreement with Porcupine's published verdicts on its own test data: its Jepsen etcd
logs (23 linearizable, 79 not) and its key-value logs with 1, 10 and 50 clients."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaderless.model.history import check_history, parse
from leaderless.model.history.check import HOLDS, VIOLATED

DATA = Path(__file__).parent / "data" / "porcupine"
EXPECTED = [
    line.split("\t")
    for line in (DATA / "expected.tsv").read_text().splitlines()
    if not line.startswith("#")
]


def test_every_published_verdict_is_here():
    assert len(EXPECTED) == 108
    assert sum(verdict == "true" for _, verdict in EXPECTED) == 26
    assert all((DATA / name).is_file() for name, _ in EXPECTED)


@pytest.mark.parametrize(("name", "linearizable"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_agrees_with_porcupine(name, linearizable):
    history = parse((DATA / name).read_text())
    # The verdict only: shrinking witnesses is tested elsewhere, and costs time here.
    report = check_history(history, ("linearizable",), witness_steps=0)
    assert report.stopped_by is None
    assert report.verdict("linearizable").verdict == (HOLDS if linearizable == "true" else VIOLATED)
