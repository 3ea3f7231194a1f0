"""Network partitions (docs/MODEL.md's extension): a split loses what crosses it.

The documented facts, symmetry keeping the cut with its replicas, the views of the cut,
the CAP columns of `matrix`, and the tools that cannot take a split refusing it.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from leaderless.checker.cli import main
from leaderless.checker.explorer import HOLDS, VIOLATED, explore
from leaderless.model import Config, ReplicationModel
from leaderless.model.actions import PartitionedTransitions, Transitions
from support import reachable

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"


def _verdicts(config: Config, symmetry: bool = True) -> dict[str, tuple[str, int | None]]:
    result = explore(ReplicationModel(config), symmetry=symmetry)
    return {v.property_id: (v.status, len(v.trace) if v.trace else None) for v in result.verdicts}


def test_the_documented_facts() -> None:
    majority = _verdicts(Config(n=3, w=2, r=2, clients=("w", "r"), max_partitions=1))
    assert majority["stale-read"] == (HOLDS, None)
    assert majority["linearizable"] == (HOLDS, None)
    assert majority["availability"] == (VIOLATED, 2)
    assert majority["convergence"] == (VIOLATED, 6)
    ones = _verdicts(Config(n=3, w=1, r=1, clients=("w", "r"), max_partitions=1))
    assert ones["stale-read"] == (VIOLATED, 6)
    assert ones["availability"] == (VIOLATED, 2)


def test_no_partitions_runs_the_base_relation_with_base_views() -> None:
    model = ReplicationModel(Config(n=3, w=2, r=2, clients=("w", "rr"), max_drops=1))
    assert type(model.transitions) is Transitions
    view = model.state_view(model.initial_states()[0])
    assert list(view) == ["store", "up", "now", "ops", "net", "drops", "crashes"]
    assert type(ReplicationModel(Config(max_partitions=1)).transitions) is PartitionedTransitions


def test_symmetry_keeps_each_replica_on_its_side() -> None:
    config = Config(n=3, w=1, r=1, clients=("w", "r"), max_partitions=1, anti_entropy=True)
    model = ReplicationModel(config)
    states = sorted(reachable(model))
    for state in states[:: max(1, len(states) // 300)]:
        key = model.canonical_key(state)
        for perm in itertools.permutations(range(config.n)):
            renamed = model.permute(state, perm)
            assert model.canonical_key(renamed) == key
            assert model.scope.partitions_spent(renamed[1]) == model.scope.partitions_spent(
                state[1]
            )
    exact, reduced = _verdicts(config, symmetry=False), _verdicts(config, symmetry=True)
    assert exact == reduced


def test_a_split_shows_in_the_views_and_loses_the_messages_across_it() -> None:
    model = ReplicationModel(Config(n=2, w=1, r=1, clients=("w",), max_partitions=1))
    state = model.initial_states()[0]
    state = next(nxt for label, nxt in model.successors(state) if type(label).__name__ == "Invoke")
    # Client 0 with replica 0 on one side: the request to replica 1 is lost.
    label, split = next(
        (label, nxt)
        for label, nxt in model.successors(state)
        if type(label).__name__ == "Partition" and model.action_view(label)["side"] == ["R0", "C0"]
    )
    view = model.state_view(split)
    assert view["cut"] == ["R0", "C0"] and view["partitions"] == 1
    assert [m["to"] for m in view["net"]] == ["R0"]
    assert model.describe_action(label, state) == "the network splits: {R0, C0} | {R1}"
    healed = next(nxt for label, nxt in model.successors(split) if type(label).__name__ == "Heal")
    assert model.state_view(healed)["cut"] is None
    assert not any(type(label).__name__ == "Partition" for label, _ in model.successors(healed))


def test_matrix_shows_the_cap_trade_off(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["matrix", "--clients", "w,r", "--partitions", "1", "--format", "json", "--quiet"]
    main([*argv, "--require", "stale-read"])
    data = json.loads(capsys.readouterr().out)
    registry = Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMAS.glob("*.json")
    )
    schema = json.loads((SCHEMAS / "matrix.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, registry=registry).validate(data)
    for row in data["rows"]:
        verdicts = {p["id"]: p["verdict"] for p in row["properties"]}
        both = row["cut_off"]["reads"] and row["cut_off"]["writes"]
        # A minority side that both reads and writes is a side where reads miss writes.
        if both:
            assert verdicts["stale-read"] == VIOLATED, (row["r"], row["w"])
        if row["quorum_overlap"]["verdict"] == "proved":
            assert verdicts["stale-read"] == HOLDS and not both
