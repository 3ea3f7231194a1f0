"""Sloppy quorums and hinted handoff (docs/MODEL.md's extension) in the explorer.

The Dynamo paper's point as a counterexample, strict mode keeping the overlap, and
agreement with the Z3 proof of sloppy quorums (`prove topology`) for every (r, w).
"""

from __future__ import annotations

import itertools

import pytest

from leaderless.checker.explorer import HOLDS, VIOLATED, explore
from leaderless.model import Config, ConfigError, ReplicationModel
from leaderless.proofs.result import PROVED
from leaderless.proofs.topology import Level, parse_topology, prove_topology


def _verdict(config: Config, prop: str) -> tuple[str, int | None]:
    verdict = explore(ReplicationModel(config)).verdict(prop)
    return verdict.status, len(verdict.trace) if verdict.trace else None


def test_a_sloppy_write_and_a_read_miss_each_other_although_r_plus_w_exceeds_n() -> None:
    sloppy = Config(n=3, w=2, r=2, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=1)
    assert _verdict(sloppy, "stale-read") == (VIOLATED, 10)
    strict = Config(n=3, w=2, r=2, clients=("w", "r"), hinted_handoff="strict", stand_ins=1)
    assert _verdict(strict, "stale-read") == (HOLDS, None)
    for config in (sloppy, strict):
        assert _verdict(config, "convergence")[0] == VIOLATED  # a hint not yet handed off


@pytest.mark.parametrize("stand_ins", [1, 2])
@pytest.mark.parametrize("r,w", list(itertools.product(range(1, 4), repeat=2)))
def test_explored_sloppy_stale_read_agrees_with_the_z3_sloppy_quorum(
    r: int, w: int, stand_ins: int
) -> None:
    topology = parse_topology(
        {"datacenters": {"dc1": {"replication_factor": 3, "stand_ins": stand_ins}}}
    )
    proved = prove_topology(topology, Level(str(r)), Level(str(w)), sloppy=True).verdict
    config = Config(n=3, w=w, r=r, clients=("w", "r"), hinted_handoff="sloppy", stand_ins=stand_ins)
    assert (proved == PROVED) == (_verdict(config, "stale-read")[0] == HOLDS)


def test_a_handoff_brings_the_hint_to_its_replica() -> None:
    model = ReplicationModel(
        Config(n=2, w=1, r=1, clients=("w",), hinted_handoff="strict", stand_ins=1)
    )
    state = next(nxt for _, nxt in model.successors(model.initial_states()[0]))
    label, hinted = next(
        (label, nxt)
        for label, nxt in model.successors(state)
        if type(label).__name__ == "Redirect" and label.message.replica == 1
    )
    view = model.state_view(hinted)
    assert [(replica, version["name"]) for replica, version in view["hints"]["H0"]] == [
        (1, "w(0,0)@1")
    ]
    assert "wack" not in {m["kind"] for m in view["net"]}  # strict: the hint does not ack
    label, handed = next(
        (label, nxt) for label, nxt in model.successors(hinted) if type(label).__name__ == "Handoff"
    )
    after = model.state_view(handed)
    assert after["store"][1]["name"] == "w(0,0)@1" and after["hints"]["H0"] == frozenset()
    assert model.describe_action(label, hinted) == "stand-in H0 hands replica 1 its hint w(0,0)@1"


@pytest.mark.parametrize(
    "values,message",
    [
        (dict(hinted_handoff="sloppy"), "hinted handoff needs stand-ins"),
        (dict(stand_ins=1), "stand-ins need hinted handoff"),
        (
            dict(hinted_handoff="sloppy", stand_ins=1, datacenters=(("dc1", 2), ("dc2", 1))),
            "not modelled together",
        ),
    ],
)
def test_configuration_errors(values: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config(**values)
