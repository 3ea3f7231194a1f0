"""The facts MODEL.md lists, which any faithful implementation reproduces."""

import pytest

from leaderless.model import Config
from support import verdicts


def test_quorum_overlap_without_repair_gives_no_stale_read_but_non_monotonic_reads():
    found = verdicts(Config(n=3, w=2, r=2, clients=("w", "rr")))
    assert found["stale-read"][0] == "holds"
    assert found["monotonic-reads"][0] == "violated"
    assert found["linearizable"][0] == "violated"


def test_blocking_read_repair_restores_monotonic_reads():
    found = verdicts(Config(n=3, w=2, r=2, clients=("w", "rr"), read_repair="blocking"))
    assert found["monotonic-reads"][0] == "holds"


def test_quorums_of_one_read_stale_values():
    found = verdicts(Config(n=3, w=1, r=1, clients=("w", "r")))
    assert found["stale-read"] == ("violated", 6)


@pytest.fixture(scope="module")
def two_writers_drift_one():
    # The largest exploration of the suite (about 770k symmetry classes).
    return verdicts(Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=1))


def test_clock_drift_breaks_lww_order_and_stale_read(two_writers_drift_one):
    assert two_writers_drift_one["lww-order"] == ("violated", 10)
    assert two_writers_drift_one["stale-read"] == ("violated", 15)


def test_without_drift_lww_order_and_stale_read_hold():
    found = verdicts(Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=0))
    assert found["lww-order"][0] == "holds"
    assert found["stale-read"][0] == "holds"


def test_arrival_order_resolution_does_not_converge():
    found = verdicts(Config(n=2, w=1, r=1, clients=("w", "w"), resolution="arrival"))
    assert found["convergence"][0] == "violated"


def test_timeouts_leave_partial_writes_that_reads_can_see():
    found = verdicts(Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True))
    assert found["write-atomicity"][0] == "violated"
    assert found["aborted-read"][0] == "violated"


def test_two_crashes_block_a_majority_quorum_and_one_does_not():
    assert (
        verdicts(Config(n=3, w=2, r=2, clients=("w", "r"), max_crashes=2))["availability"][0]
        == "violated"
    )
    assert (
        verdicts(Config(n=3, w=2, r=2, clients=("w", "r"), max_crashes=1))["availability"][0]
        == "holds"
    )
