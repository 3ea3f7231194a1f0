"""Hinted handoff across a partition (docs/MODEL.md): a write's request waits for the
cut to heal instead of being lost, and a sloppy quorum completes the write on a side
cut off from most of its replicas, through a stand-in on that side."""

from __future__ import annotations

import pytest

from leaderless.model import Config, ReplicationModel
from leaderless.model.state import H_STATUS, HIST, NET, OK
from support import enabled, step, verdicts

SIDE = ["R0", "C0", "H0"]  # client 0 with one replica and the stand-in


def _cut_off_write(mode: str) -> tuple[ReplicationModel, tuple]:
    """The write invoked on a side with one of its three replicas, and applied there."""
    config = Config(
        n=3, w=2, r=2, clients=("w",), max_partitions=1, hinted_handoff=mode, stand_ins=1
    )
    model = ReplicationModel(config)
    state = step(model, model.initial_states()[0], "Partition", side=SIDE)
    state = step(model, state, "Invoke", op="w(0,0)")
    state = step(model, state, "DeliverWriteRequest", message="wreq(w(0,0), 0, w(0,0)@1)")
    return model, step(model, state, "DeliverWriteAck", message="wack(w(0,0), 0)")


def test_requests_across_the_cut_wait_and_cannot_be_delivered() -> None:
    model, state = _cut_off_write("sloppy")
    assert len(state[NET]) == 2  # the requests to replicas 1 and 2, kept
    delivered = enabled(model, state, "DeliverWriteRequest")
    assert delivered == []
    healed = step(model, state, "Heal")
    assert len(enabled(model, healed, "DeliverWriteRequest")) == 2


def test_a_sloppy_quorum_completes_the_write_on_the_cut_off_side() -> None:
    model, state = _cut_off_write("sloppy")
    state = step(model, state, "Redirect", message="wreq(w(0,0), 1, w(0,0)@1)", stand_in="H0")
    state = step(model, state, "DeliverWriteAck", message="wack(w(0,0), H0)")
    assert state[HIST][0][H_STATUS] == OK


def test_a_strict_stand_in_keeps_the_hint_but_the_write_waits() -> None:
    model, state = _cut_off_write("strict")
    state = step(model, state, "Redirect", message="wreq(w(0,0), 1, w(0,0)@1)", stand_in="H0")
    assert enabled(model, state, "DeliverWriteAck") == []
    assert state[HIST][0][H_STATUS] != OK
    # Handoff only within a side: replica 1 is across the cut until it heals.
    assert enabled(model, state, "Handoff") == []
    assert len(enabled(model, step(model, state, "Heal"), "Handoff")) == 1


@pytest.mark.parametrize(
    ("mode", "stale"), [("sloppy", ("violated", 10)), ("strict", ("holds", None))]
)
def test_the_document_facts(mode, stale) -> None:
    config = Config(
        n=3, w=2, r=2, clients=("w", "r"), max_partitions=1, hinted_handoff=mode, stand_ins=1
    )
    got = verdicts(config)
    assert got["stale-read"] == stale
    assert got["availability"][0] == "violated"


def test_symmetry_keeps_the_verdicts() -> None:
    config = Config(
        n=2, w=1, r=1, clients=("w", "r"), max_partitions=1, hinted_handoff="sloppy", stand_ins=1
    )
    assert verdicts(config, symmetry=False) == verdicts(config)


def test_the_overlap_beside_a_sloppy_quorum_is_the_sloppy_proof() -> None:
    from leaderless.proofs.topology import prove_config_overlap

    def overlap(mode: str) -> str:
        config = Config(n=3, w=2, r=2, clients=("w", "r"), hinted_handoff=mode, stand_ins=1)
        return prove_config_overlap(config).verdict

    assert (overlap("sloppy"), overlap("strict")) == ("refuted", "proved")


def test_the_cap_columns_count_stand_ins_on_the_cut_off_side(capsys) -> None:
    import json

    from leaderless.checker.cli import main

    argv = ["matrix", "--n", "3", "--clients", "w", "--partitions", "1", "--format", "json"]
    rows = {}
    for mode in ("sloppy", "strict"):
        main([*argv, "--hinted-handoff", mode, "--stand-ins", "1", "--max-states", "1"])
        report = json.loads(capsys.readouterr().out)
        rows[mode] = {(row["r"], row["w"]): row["cut_off"]["writes"] for row in report["rows"]}
    assert rows["sloppy"][(1, 2)] and not rows["strict"][(1, 2)]
    assert not rows["sloppy"][(1, 3)]
