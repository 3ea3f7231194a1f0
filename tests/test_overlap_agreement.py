"""The one link between the proofs and the model: for every n <= 5 and every r, w, Z3
proves read/write quorum overlap exactly when the explorer finds `stale-read` holding
for clients w,r with no faults and drift 0."""

import pytest

from leaderless.model import Config
from leaderless.proofs.quorum import prove_overlap
from support import verdicts

SCOPES = [(n, r, w) for n in range(1, 6) for r in range(1, n + 1) for w in range(1, n + 1)]


@pytest.mark.parametrize(("n", "r", "w"), SCOPES, ids=lambda v: str(v))
def test_z3_overlap_iff_no_stale_read(n, r, w):
    proved = prove_overlap(n, r, w).verdict == "proved"
    explored = verdicts(Config(n=n, r=r, w=w, clients=("w", "r")))["stale-read"][0]
    assert explored in ("holds", "violated")
    assert proved == (explored == "holds")
    assert proved == (r + w > n)
