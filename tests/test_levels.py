"""Datacenters and consistency levels (docs/MODEL.md's extension) in the explorer.

The explored stale-read verdict and the Z3 quorum-overlap verdict agree for every pair
of levels on small topologies, as they do for numeric quorums; one datacenter with
levels that count replicas anywhere is the numeric model; symmetry renames replicas
only within a datacenter.
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
from leaderless.model import Config, ConfigError, ReplicationModel
from leaderless.model.levels import LEVELS, READ_LEVELS
from leaderless.model.state import Scope
from leaderless.proofs.result import PROVED, REFUTED
from leaderless.proofs.topology import prove_config_overlap

TOPOLOGIES = [(("dc1", 2), ("dc2", 1)), (("dc1", 3), ("dc2", 2)), (("dc1", 3),)]


def _config(topology: tuple, write: str, read: str, client_dcs: tuple[str, str]) -> Config:
    return Config(
        n=sum(count for _, count in topology),
        clients=("w", "r"),
        datacenters=topology,
        client_dcs=client_dcs,
        write_level=write,
        read_level=read,
    )


def _cases() -> list[tuple]:
    """Every pair of levels on every topology (both ways round between the datacenters of
    the small one); a pair that asks exactly what an earlier one asks (ONE and LOCAL_ONE
    in one datacenter, say) is the same model and is explored once."""
    cases, seen = [], set()
    for topology in TOPOLOGIES:
        n = sum(count for _, count in topology)
        names = [name for name, _ in topology]
        # Both ways round on the small topology; the larger one, writer in dc1 only.
        placements = {(names[0], names[-1])}
        if n <= 3:
            placements.add((names[-1], names[0]))
        for write, read in itertools.product(LEVELS, READ_LEVELS):
            if {"TWO": 2, "THREE": 3}.get(write, 0) > n or {"TWO": 2, "THREE": 3}.get(read, 0) > n:
                continue
            for placement in sorted(placements):
                scope = Scope.of(_config(topology, write, read, placement))
                asked = (topology, scope.needs, scope.read_targets)
                if asked not in seen:
                    seen.add(asked)
                    cases.append((topology, write, read, placement))
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    "topology,write,read,placement",
    CASES,
    ids=[f"{dict(t)}-{w}-{r}-{p[0]}>{p[1]}" for t, w, r, p in CASES],
)
def test_explored_stale_read_agrees_with_the_z3_overlap(
    topology: tuple, write: str, read: str, placement: tuple[str, str]
) -> None:
    config = _config(topology, write, read, placement)
    overlap = prove_config_overlap(config).verdict
    stale_read = explore(ReplicationModel(config)).verdict("stale-read").status
    assert overlap in (PROVED, REFUTED)
    assert (overlap == PROVED) == (stale_read == HOLDS), (overlap, stale_read)


def test_the_documented_facts() -> None:
    local = _config(TOPOLOGIES[0], "LOCAL_QUORUM", "LOCAL_ONE", ("dc1", "dc2"))
    result = explore(ReplicationModel(local))
    assert result.verdict("stale-read").status == VIOLATED
    each = _config(TOPOLOGIES[0], "EACH_QUORUM", "LOCAL_ONE", ("dc1", "dc2"))
    assert explore(ReplicationModel(each)).verdict("stale-read").status == HOLDS


@pytest.mark.parametrize(
    "levels,counts",
    [
        (("QUORUM", "QUORUM"), (2, 2)),
        (("ONE", "ALL"), (1, 3)),
        (("LOCAL_QUORUM", "LOCAL_ONE"), (2, 1)),
        (("EACH_QUORUM", "TWO"), (2, 2)),
    ],
)
def test_levels_in_one_datacenter_are_the_numeric_quorums(levels: tuple, counts: tuple) -> None:
    base = dict(n=3, clients=("w", "rr"), max_drops=1, timeouts=True)
    numeric = explore(ReplicationModel(Config(**base, w=counts[0], r=counts[1])), symmetry=False)
    leveled = explore(
        ReplicationModel(Config(**base, write_level=levels[0], read_level=levels[1])),
        symmetry=False,
    )
    assert leveled.states == numeric.states
    assert [(v.status, v.trace and len(v.trace)) for v in leveled.verdicts] == [
        (v.status, v.trace and len(v.trace)) for v in numeric.verdicts
    ]


def test_one_datacenter_named_is_the_base_model() -> None:
    base = Config(n=3, w=2, r=2, clients=("w", "rr"), max_crashes=1)
    named = Config(n=3, w=2, r=2, clients=("w", "rr"), max_crashes=1, datacenters=(("dc1", 3),))
    for symmetry in (False, True):
        a = explore(ReplicationModel(base), symmetry=symmetry)
        b = explore(ReplicationModel(named), symmetry=symmetry)
        assert (a.states, [v.status for v in a.verdicts]) == (
            b.states,
            [v.status for v in b.verdicts],
        )


def test_symmetry_renames_replicas_only_within_a_datacenter() -> None:
    config = _config(TOPOLOGIES[1], "LOCAL_QUORUM", "LOCAL_ONE", ("dc1", "dc2"))
    model = ReplicationModel(config)
    # Some reachable state where replicas differ: the write applied at replica 0 only.
    state = next(iter(model.successors(model.initial_states()[0])))[1]
    for label, nxt in model.successors(state):
        if model.action_view(label)["action"] == "DeliverWriteRequest":
            state = nxt
            break
    within = (1, 0, 2, 3, 4)  # swaps two replicas of dc1
    across = (3, 1, 2, 0, 4)  # swaps a replica of dc1 with one of dc2
    assert model.canonical_key(model.permute(state, within)) == model.canonical_key(state)
    assert model.canonical_key(model.permute(state, across)) != model.canonical_key(state)
    exact = explore(model, symmetry=False)
    reduced = explore(model, symmetry=True)
    assert reduced.states < exact.states
    assert [v.status for v in reduced.verdicts] == [v.status for v in exact.verdicts]


@pytest.mark.parametrize(
    "values,message",
    [
        (dict(n=3, datacenters=(("dc1", 2), ("dc2", 2))), "n: 3 differs from the 4 replicas"),
        (dict(n=2, datacenters=(("dc1", 1), ("dc1", 1))), "named twice"),
        (dict(client_dcs=("dc1",)), "1 coordinator datacenters given for 2 clients"),
        (dict(client_dcs=("dc1", "dc9")), "'dc9' is no datacenter"),
        (dict(n=2, w=1, r=1, read_level="THREE"), "THREE needs 3 replicas"),
        (dict(read_level="ANY"), "'ANY' is unknown"),
    ],
)
def test_topology_errors_are_configuration_errors(values: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config(**values)


def test_matrix_over_levels_is_a_valid_report(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["matrix", "--datacenters", "dc1=2,dc2=1", "--client-dcs", "dc1,dc2"]
    argv += ["--clients", "w,r", "--read-level", "LOCAL_ONE", "--format", "json", "--quiet"]
    assert main(argv) == 1  # stale-read is violated in some row
    data = json.loads(capsys.readouterr().out)
    rows = {(row["r"], row["w"]): row for row in data["rows"]}
    verdicts = {p["id"]: p["verdict"] for p in rows["LOCAL_ONE", "LOCAL_QUORUM"]["properties"]}
    assert verdicts["stale-read"] == "violated"
    verdicts = {p["id"]: p["verdict"] for p in rows["LOCAL_ONE", "EACH_QUORUM"]["properties"]}
    assert verdicts["stale-read"] == "holds"
    schemas = Path(__file__).resolve().parent.parent / "docs" / "schemas"
    registry = Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in schemas.glob("*.json")
    )
    schema = json.loads((schemas / "matrix.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, registry=registry).validate(data)


def test_a_gate_scenario_with_model_levels_proves_the_overlap_of_its_levels(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Model keys, not a Cassandra table: the Z3 check must read the levels, not w and r.
    gate_file = tmp_path / "leaderless.toml"
    gate_file.write_text(
        "[[scenario]]\nname = 'levels'\ndatacenters = { dc1 = 2, dc2 = 1 }\n"
        "client_dcs = ['dc1', 'dc2']\nwrite_level = 'LOCAL_QUORUM'\nread_level = 'LOCAL_ONE'\n"
        "clients = 'w,r'\nexpect_violated = ['quorum-overlap', 'stale-read']\n"
    )
    assert main(["gate", str(gate_file), "--quiet", "--no-times"]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out
