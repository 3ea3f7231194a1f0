"""The search finds what is there: on small configurations the explorer settles, every
property the explorer shows violated is found by the search within its default budget
(`leaderless search` without options). Derandomized by the "ci" profile (seed None).
`python bench/search_hitrate.py` measures the same over seeds and larger scopes."""

from __future__ import annotations

import pytest

from leaderless.checker.explorer import VIOLATED, explore
from leaderless.model import Config, ReplicationModel
from leaderless.model.search import DEFAULT_EXAMPLES, DEFAULT_STEPS, search

# Together these break every property of the catalogue.
CONFIGS = [
    Config(n=3, w=1, r=1, clients=("w", "rr")),
    Config(n=3, w=1, r=1, clients=("wr",)),
    Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True),
    Config(n=3, w=2, r=2, clients=("w", "w"), drift=1),
    Config(n=3, w=2, r=2, clients=("w", "r"), max_drops=1, max_crashes=1),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.describe().split(" resolution")[0])
def test_every_violation_the_explorer_finds_the_search_finds(config: Config) -> None:
    exploration = explore(ReplicationModel(config))
    violated = [v for v in exploration.verdicts if v.status == VIOLATED]
    assert violated, "a configuration with nothing to find pins nothing"
    findings = search(
        config,
        properties=[v.property_id for v in violated],
        examples=DEFAULT_EXAMPLES,
        steps=DEFAULT_STEPS,
        shrink=False,
    )
    missed = [
        f"{f.property_id} (none in {f.examples} runs)" for f in findings if f.status != VIOLATED
    ]
    assert not missed, f"the explorer finds these, the search does not: {missed}"
    for finding, verdict in zip(findings, violated):
        assert finding.trace is not None and verdict.trace is not None
        assert len(finding.trace) >= len(verdict.trace)  # never shorter than the shortest


def test_the_issue_configuration_with_timeouts_and_drift() -> None:
    """`search --n 5 --w 2 --r 2 --clients ww,rr --timeouts --drift 1` once found no stale
    read in 393 runs, where `check` finds one of 10 steps."""
    config = Config(n=5, w=2, r=2, clients=("ww", "rr"), timeouts=True, drift=1)
    findings = search(
        config, properties=["stale-read", "lww-order"], examples=DEFAULT_EXAMPLES, shrink=False
    )
    assert [f.status for f in findings] == [VIOLATED, VIOLATED]
