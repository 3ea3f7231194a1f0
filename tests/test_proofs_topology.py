"""Topologies in Cassandra's vocabulary: level arithmetic, overlap, sloppy quorums,
weighted votes, failure tolerance and the errors a user sees."""

from itertools import combinations
from pathlib import Path

import pytest

from leaderless.proofs import topology as topology_module
from leaderless.proofs.result import Inconsistent, InvalidInput, Proved, Refuted
from leaderless.proofs.topology import (
    Level,
    levels_of,
    load_topology,
    parse_level,
    parse_topology,
    prove_topology,
    requirements,
    tolerance,
    write_requirements,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "topologies"


def topology(**factors):
    return parse_topology(
        {"datacenters": {name: {"replication_factor": rf} for name, rf in factors.items()}}
    )


def needs(topo, name, dc=None):
    return [(need.scope, need.threshold) for need in requirements(topo, Level(name, dc))]


def prove(topo, read, write, sloppy=False):
    def level(text, writing):
        name, _, dc = text.partition("@")
        return parse_level(name, dc or None, topo, writing=writing)

    return prove_topology(topo, level(read, False), level(write, True), sloppy)


def assert_valid_counterexample(topo, result, read, write, sloppy=False):
    """Re-check the witness from its node names alone, with no Z3 and no shared helper."""
    assert isinstance(result, Refuted)
    reads = {node for dc in result.witness.values() for node in dc["read"]}
    writes = {node for dc in result.witness.values() for node in dc["write"] + dc["hints"]}
    assert not reads & writes
    assert all(need.met_by(frozenset(reads)) for need in requirements(topo, read))
    assert all(need.met_by(frozenset(writes)) for need in write_requirements(topo, write, sloppy))
    pool = set(topo.replicas) | {n for dc in topo.datacenters for n in dc.stand_ins}
    assert writes <= (pool if sloppy else set(topo.replicas))
    return reads, writes


def test_cassandra_level_arithmetic():
    one_dc = topology(dc1=3)
    assert needs(one_dc, "QUORUM") == [("all datacenters", 2)]
    two = topology(dc1=3, dc2=3)
    assert needs(two, "QUORUM") == [("all datacenters", 4)]
    assert needs(two, "EACH_QUORUM") == [("dc1", 2), ("dc2", 2)]
    assert needs(two, "LOCAL_QUORUM", "dc1") == [("dc1", 2)]
    assert needs(topology(dc1=3, dc2=2), "QUORUM") == [("all datacenters", 3)]
    assert needs(two, "ALL") == [("all datacenters", 6)]
    assert needs(two, "ANY") == []


def test_local_quorums_in_different_dcs_do_not_overlap():
    two = topology(dc1=3, dc2=3)
    result = prove(two, "LOCAL_QUORUM@dc2", "LOCAL_QUORUM@dc1")
    reads, writes = assert_valid_counterexample(
        two, result, Level("LOCAL_QUORUM", "dc2"), Level("LOCAL_QUORUM", "dc1")
    )
    assert len(reads) == 2 and len(writes) == 2
    assert all(node.startswith("dc2") for node in reads)


@pytest.mark.parametrize(
    "read,write",
    [
        ("LOCAL_QUORUM@dc2", "EACH_QUORUM"),
        ("LOCAL_QUORUM@dc1", "EACH_QUORUM"),
        ("QUORUM", "QUORUM"),
        ("ONE", "ALL"),
        ("LOCAL_ONE@dc1", "ALL"),
    ],
)
def test_overlapping_combinations_are_proved(read, write):
    assert isinstance(prove(topology(dc1=3, dc2=3), read, write), Proved)


def test_quorum_reads_miss_local_quorum_writes_and_each_quorum_on_unequal_dcs():
    two = topology(dc1=3, dc2=3)
    assert isinstance(prove(two, "QUORUM", "LOCAL_QUORUM@dc1"), Refuted)
    uneven = topology(dc1=3, dc2=2)
    assert isinstance(prove(uneven, "QUORUM", "QUORUM"), Proved)
    assert isinstance(prove(uneven, "LOCAL_QUORUM@dc2", "EACH_QUORUM"), Proved)


def test_any_writes_guarantee_nothing():
    one_dc = topology(dc1=3)
    result = prove(one_dc, "ALL", "ANY")
    _, writes = assert_valid_counterexample(one_dc, result, Level("ALL"), Level("ANY"))
    assert writes == set() and "hint alone" in result.explanation


def test_a_sloppy_quorum_loses_the_overlap_with_a_witness_on_stand_ins():
    two = topology(dc1=3, dc2=3)
    assert isinstance(prove(two, "QUORUM", "QUORUM"), Proved)
    result = prove(two, "QUORUM", "QUORUM", sloppy=True)
    _, writes = assert_valid_counterexample(
        two, result, Level("QUORUM"), Level("QUORUM"), sloppy=True
    )
    assert writes and not writes & set(two.replicas)
    assert "sloppy" in result.claim


def test_named_stand_ins_are_used_by_sloppy_writes():
    topo = parse_topology(
        {"datacenters": {"dc1": {"replication_factor": 3, "stand_ins": ["spare1", "spare2"]}}}
    )
    result = prove(topo, "QUORUM", "QUORUM", sloppy=True)
    assert result.witness["dc1"]["hints"] == ["spare1", "spare2"]
    none_spare = parse_topology({"datacenters": {"dc1": {"replication_factor": 3, "stand_ins": 0}}})
    assert isinstance(prove(none_spare, "QUORUM", "QUORUM", sloppy=True), Proved)


def test_weighted_votes_follow_gifford():
    topo = load_topology(EXAMPLES / "weighted-votes.toml")
    assert needs(topo, "QUORUM") == [("all datacenters", 4)]
    assert isinstance(prove(topo, "QUORUM", "QUORUM"), Proved)
    # Two heavy nodes alone are a quorum: their loss is what QUORUM cannot survive.
    assert all(need.met_by(frozenset({"p1", "p2"})) for need in requirements(topo, Level("QUORUM")))
    assert tolerance(topo, Level("QUORUM")).node_failures == 1
    result = prove(topo, "ONE", "QUORUM")
    assert_valid_counterexample(topo, result, Level("ONE"), Level("QUORUM"))


def brute_force_tolerance(topo, level):
    needs_ = requirements(topo, level)
    replicas = topo.replicas
    for failed in range(len(replicas) + 1):
        for down in combinations(replicas, failed):
            alive = frozenset(replicas) - set(down)
            if not all(need.met_by(alive) for need in needs_):
                return failed - 1
    return len(replicas)


@pytest.mark.parametrize(
    "data",
    [
        {"dc1": {"replication_factor": 3}},
        {"dc1": {"replication_factor": 3}, "dc2": {"replication_factor": 2}},
        {"a": {"nodes": ["a1", "a2", "a3"], "votes": {"a1": 3}}, "b": {"replication_factor": 2}},
    ],
)
def test_failure_tolerance_matches_brute_force(data):
    topo = parse_topology({"datacenters": data})
    for level in levels_of(topo, writing=True):
        assert tolerance(topo, level).node_failures == brute_force_tolerance(topo, level), level


def test_whole_dc_losses():
    two = topology(dc1=3, dc2=3)
    assert tolerance(two, Level("LOCAL_QUORUM", "dc1")).dc_losses == ("dc2",)
    assert tolerance(two, Level("EACH_QUORUM")).dc_losses == ()
    assert tolerance(two, Level("QUORUM")).dc_losses == ()
    assert tolerance(two, Level("ONE")).dc_losses == ("dc1", "dc2")
    assert tolerance(topology(dc1=3, dc2=3, dc3=3), Level("QUORUM")).dc_losses == (
        "dc1",
        "dc2",
        "dc3",
    )


@pytest.mark.parametrize(
    "name,expected",
    [
        ("single-dc.toml", "proved"),
        ("two-dc-local-quorum.toml", "refuted"),
        ("each-quorum-writes.toml", "proved"),
        ("weighted-votes.toml", "proved"),
    ],
)
def test_examples_give_their_documented_verdicts(name, expected):
    topo = load_topology(EXAMPLES / name)
    read = parse_level(topo.read[0], topo.read[1], topo, writing=False)
    write = parse_level(topo.write[0], topo.write[1], topo, writing=True)
    assert prove_topology(topo, read, write).verdict == expected
    assert prove_topology(topo, read, write, sloppy=True).verdict == "refuted"


@pytest.mark.parametrize(
    "level,dc,writing,message",
    [
        ("ANY", None, False, "ANY is a write level only"),
        ("FOUR", None, True, "unknown consistency level 'FOUR'"),
        ("THREE", None, True, "THREE needs 3 replicas but the topology has only 2"),
        ("LOCAL_QUORUM", None, False, "needs a coordinator datacenter: pass --read-dc"),
        ("LOCAL_ONE", "dc9", True, "unknown datacenter 'dc9'"),
    ],
)
def test_invalid_levels_are_one_line_errors(level, dc, writing, message):
    topo = topology(dc1=1, dc2=1)
    with pytest.raises(InvalidInput, match=message):
        parse_level(level, dc, topo, writing=writing)


@pytest.mark.parametrize(
    "data,message",
    [
        ({}, "no datacenters"),
        ({"datacenters": {"a": {"replication_factor": 0}}}, "replication_factor >= 1"),
        ({"datacenters": {"a": {"replication_factor": 2, "nodes": ["x"]}}}, "give one or make"),
        ({"datacenters": {"a": {"nodes": ["x"], "votes": {"y": 2}}}}, "not one of its replicas"),
        ({"datacenters": {"a": {"nodes": ["x"], "votes": {"x": 0}}}}, "integer >= 1"),
        ({"datacenters": {"a": {"nodes": ["x"]}, "b": {"nodes": ["x"]}}}, "appears more than once"),
        ({"datacenters": {"a": {"replication_factor": 1, "rf": 3}}}, "unknown key 'rf'"),
        ({"datacenters": {"a": {"replication_factor": 1}}, "read": {"dc": "a"}}, r"\[read\] needs"),
    ],
)
def test_invalid_topologies_are_one_line_errors(data, message):
    with pytest.raises(InvalidInput, match=message):
        parse_topology(data)


def test_a_broken_file_names_itself(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[datacenters.a\n")
    with pytest.raises(InvalidInput, match="broken.toml is not valid TOML"):
        load_topology(path)
    with pytest.raises(InvalidInput, match="cannot read topology"):
        load_topology(tmp_path / "missing.toml")


def test_a_witness_that_fails_the_plain_python_check_is_inconsistent(monkeypatch):
    # Every node kept on both sides: the "disjoint" read and write now share replicas.
    monkeypatch.setattr(topology_module, "_shrink", lambda chosen, order, needs: frozenset(order))
    two = topology(dc1=3, dc2=3)
    with pytest.raises(Inconsistent, match="failed the plain-Python check"):
        prove(two, "LOCAL_QUORUM@dc2", "LOCAL_QUORUM@dc1")
