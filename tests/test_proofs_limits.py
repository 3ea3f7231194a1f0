"""--max-seconds and --max-memory bound `bmc` and `prove` as they bound `check`: the run
stops promptly, keeps what it found and says which limit stopped it (exit 3)."""

from __future__ import annotations

import subprocess
import sys
import time

from leaderless.model import Config, ReplicationModel
from leaderless.proofs.bmc import NONE_WITHIN, UNKNOWN, bmc
from leaderless.proofs.kinduction import prove
from leaderless.proofs.solve import ctrl_c_outside_z3

LONG_BMC = [
    "bmc",
    "--n",
    "5",
    "--w",
    "3",
    "--r",
    "3",
    "--clients",
    "w,w,r,r",
    "--depth",
    "40",
    "--quiet",
    "--no-times",
]


def _leaderless(*argv: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "leaderless.checker", *argv],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def test_bmc_max_seconds_keeps_the_depths_searched_and_is_inconclusive() -> None:
    code, out, err, seconds = _leaderless(*LONG_BMC, "--max-seconds", "2")
    assert code == 3
    assert "bmc: --max-seconds 2 reached; runs of at most" in err
    assert "none within" in out
    assert seconds < 30  # the depth asked for takes far longer than this


def test_prove_max_seconds_stops_a_long_solver_check() -> None:
    code, out, err, seconds = _leaderless(
        "prove", "quorum", "--n", "4000", "--r", "2000", "--w", "2000", "--max-seconds", "1"
    )
    assert (code, out) == (3, "")
    assert err.strip() == "--max-seconds 1 reached"
    assert seconds < 30


def test_a_memory_ceiling_stops_bmc_with_its_reason() -> None:
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "w", "r")))
    with ctrl_c_outside_z3(max_memory=1):  # already past it: stops at the first look
        result = bmc(model, 10)  # about 30 s in full, so a lost stop fails, never hangs
    assert result.stopped_by == "--max-memory 0 MiB reached"
    assert all(
        v.status in (NONE_WITHIN, UNKNOWN)
        for v in result.verdicts
        if v.property_id in ("stale-read", "convergence")
    )


def test_a_limit_during_a_base_case_is_never_a_proof() -> None:
    model = ReplicationModel(Config(n=1, w=1, r=1, clients=("w",), max_crashes=1))
    with ctrl_c_outside_z3(max_memory=1):
        proof = prove(model, "availability", max_k=3)
    assert proof.outcome == UNKNOWN
    assert proof.stopped_by == "--max-memory 0 MiB reached"
