"""Multi-datacenter topologies in Cassandra's vocabulary, and quorum overlap over them.

A topology lists datacenters and the nodes of each that replicate the key (the
replication factor), optionally with Gifford vote weights. A consistency level is
turned into requirements, each "at least `threshold` votes among these nodes"; the
same requirements feed Z3 (as pseudo-boolean sums) and the plain-Python check of a
counterexample, so the two cannot drift apart.

Levels: ONE, TWO, THREE count replicas anywhere; QUORUM is floor(total votes / 2) + 1;
LOCAL_ONE and LOCAL_QUORUM count in one coordinator datacenter; EACH_QUORUM asks a
local quorum in every datacenter; ALL asks every replica; ANY (writes only) is met by
a hint stored on any node, so it asks nothing of the replicas. With unit votes the
QUORUM arithmetic is Cassandra's; with weights it is Gifford's weighted voting.

A sloppy quorum (Dynamo's hinted handoff) lets a write count acknowledgements from
stand-in nodes outside the replica set. Stand-ins hold the write only as a hint and
serve no reads for the key, so a read quorum and a sloppy write quorum may share no
replica even when r + w > n.

    >>> topology = parse_topology({"datacenters": {"dc1": {"replication_factor": 3}}})
    >>> quorum = parse_level("QUORUM", None, topology, writing=False)
    >>> prove_topology(topology, quorum, quorum).verdict
    'proved'
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import z3

from leaderless.model.config import Config
from leaderless.model.levels import LEVELS, LOCAL_LEVELS
from leaderless.proofs.quorum import LARGEST_N, prove_overlap
from leaderless.proofs.result import Inconsistent, InvalidInput, Proved, Refuted, Result, Unknown
from leaderless.proofs.solve import arithmetic_solver, check

_COUNTED = {"ONE": 1, "TWO": 2, "THREE": 3}
_DC_KEYS = ("replication_factor", "nodes", "votes", "stand_ins")
_SIDE_KEYS = ("level", "dc")


@dataclass(frozen=True, slots=True)
class Datacenter:
    """One datacenter: the nodes that replicate the key there, and their votes."""

    name: str
    replicas: tuple[str, ...]  # node names, in file order
    votes: tuple[int, ...]  # Gifford vote weight of each replica, 1 unless given
    stand_ins: tuple[str, ...]  # nodes outside the replica set that take hints when sloppy

    @property
    def total_votes(self) -> int:
        return sum(self.votes)

    @property
    def quorum(self) -> int:
        return self.total_votes // 2 + 1


@dataclass(frozen=True, slots=True)
class Level:
    """A consistency level; `dc` is the coordinator datacenter of a LOCAL_* level."""

    name: str  # one of LEVELS
    dc: str | None = None  # set exactly for LOCAL_ONE and LOCAL_QUORUM

    def __str__(self) -> str:
        return f"{self.name}({self.dc})" if self.dc else self.name


@dataclass(frozen=True, slots=True)
class Topology:
    """Datacenters in file order, and the read and write levels the file suggests."""

    datacenters: tuple[Datacenter, ...]
    read: tuple[str, str | None] | None = None  # (level, dc) from the file's [read] table
    write: tuple[str, str | None] | None = None  # (level, dc) from the file's [write] table

    @property
    def replicas(self) -> tuple[str, ...]:
        return tuple(node for dc in self.datacenters for node in dc.replicas)

    @property
    def weighted(self) -> bool:
        return any(vote != 1 for dc in self.datacenters for vote in dc.votes)

    def datacenter(self, name: str) -> Datacenter:
        for dc in self.datacenters:
            if dc.name == name:
                return dc
        known = ", ".join(dc.name for dc in self.datacenters)
        raise InvalidInput(f"unknown datacenter {name!r}: the topology has {known}")


@dataclass(frozen=True, slots=True)
class Requirement:
    """At least `threshold` votes among `nodes` (weights aligned with nodes)."""

    nodes: tuple[str, ...]
    weights: tuple[int, ...]
    threshold: int
    scope: str  # "dc1", or "all datacenters"

    def met_by(self, chosen: frozenset[str]) -> bool:
        votes = sum(
            weight for node, weight in zip(self.nodes, self.weights, strict=True) if node in chosen
        )
        return votes >= self.threshold


# -- loading ------------------------------------------------------------------------


def load_topology(path: str | Path) -> Topology:
    """Read a topology from a TOML file; every problem is one InvalidInput line."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise InvalidInput(f"cannot read topology {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{path} is not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise InvalidInput(f"{path} is not a text file (TOML is UTF-8)") from error
    try:
        return parse_topology(data)
    except InvalidInput as error:
        raise InvalidInput(f"{path}: {error}") from error


def _unknown_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    extra = sorted(set(table) - set(allowed))
    if extra:
        raise InvalidInput(
            f"unknown key {extra[0]!r} in {where}: expected one of {', '.join(allowed)}"
        )


def _replica_names(name: str, table: dict[str, Any]) -> tuple[str, ...]:
    factor, nodes = table.get("replication_factor"), table.get("nodes")
    if nodes is not None:
        if (
            not isinstance(nodes, list)
            or not nodes
            or not all(isinstance(node, str) and node for node in nodes)
        ):
            raise InvalidInput(f"[datacenters.{name}] nodes must be a non-empty list of names")
        if factor is not None and factor != len(nodes):
            raise InvalidInput(
                f"[datacenters.{name}] replication_factor = {factor} but "
                f"{len(nodes)} nodes are listed: give one or make them agree"
            )
        return tuple(nodes)
    if not isinstance(factor, int) or isinstance(factor, bool) or factor < 1:
        raise InvalidInput(
            f"[datacenters.{name}] needs replication_factor >= 1 or a nodes list (got {factor!r})"
        )
    if factor > LARGEST_N:
        raise InvalidInput(
            f"[datacenters.{name}] replication_factor = {factor} is more than the proof can "
            f"hold: at most {LARGEST_N} nodes in all"
        )
    return tuple(f"{name}-{i}" for i in range(1, factor + 1))


def _votes(name: str, replicas: tuple[str, ...], table: dict[str, Any]) -> tuple[int, ...]:
    given = table.get("votes", {})
    if not isinstance(given, dict):
        raise InvalidInput(f"[datacenters.{name}] votes must be a table of node = weight")
    for node, weight in given.items():
        if node not in replicas:
            raise InvalidInput(
                f"[datacenters.{name}] votes names {node!r}, which is not one of "
                f"its replicas {', '.join(replicas)}"
            )
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
            raise InvalidInput(
                f"[datacenters.{name}] votes.{node} = {weight!r}: a vote weight is an integer >= 1"
            )
    return tuple(given.get(node, 1) for node in replicas)


def _stand_ins(name: str, replicas: tuple[str, ...], table: dict[str, Any]) -> tuple[str, ...]:
    # By default as many stand-ins as replicas: the worst case, where every preferred
    # replica is unreachable and the whole write lands on hint holders.
    given = table.get("stand_ins", len(replicas))
    if isinstance(given, int) and not isinstance(given, bool) and given > LARGEST_N:
        raise InvalidInput(
            f"[datacenters.{name}] stand_ins = {given} is more than the proof can hold: "
            f"at most {LARGEST_N} nodes in all"
        )
    if isinstance(given, int) and not isinstance(given, bool) and given >= 0:
        return tuple(f"{name}-hint-{i}" for i in range(1, given + 1))
    if isinstance(given, list) and all(isinstance(node, str) and node for node in given):
        return tuple(given)
    raise InvalidInput(f"[datacenters.{name}] stand_ins must be a count >= 0 or a list of names")


def _side(data: dict[str, Any], side: str) -> tuple[str, str | None] | None:
    table = data.get(side)
    if table is None:
        return None
    if not isinstance(table, dict) or not isinstance(table.get("level"), str):
        raise InvalidInput(f'[{side}] needs level = "..." (e.g. level = "QUORUM")')
    _unknown_keys(table, _SIDE_KEYS, f"[{side}]")
    dc = table.get("dc")
    if dc is not None and not isinstance(dc, str):
        raise InvalidInput(f"[{side}] dc must be a datacenter name")
    return table["level"], dc


def parse_topology(data: dict[str, Any]) -> Topology:
    """Build a topology from TOML data (see examples/topologies/ for the format)."""
    _unknown_keys(data, ("datacenters", "read", "write"), "the top level")
    tables = data.get("datacenters")
    if not isinstance(tables, dict) or not tables:
        raise InvalidInput(
            "no datacenters: add a [datacenters.NAME] table with replication_factor = N"
        )
    datacenters = []
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise InvalidInput(f"datacenters.{name} must be a table")
        _unknown_keys(table, _DC_KEYS, f"[datacenters.{name}]")
        replicas = _replica_names(name, table)
        datacenters.append(
            Datacenter(
                name, replicas, _votes(name, replicas, table), _stand_ins(name, replicas, table)
            )
        )
    nodes = [node for dc in datacenters for node in dc.replicas + dc.stand_ins]
    if len(nodes) > LARGEST_N:
        raise InvalidInput(
            f"{len(nodes)} nodes (replicas and stand-ins) are more than the proof can hold: "
            f"at most {LARGEST_N} in all"
        )
    repeated = sorted({node for node, times in Counter(nodes).items() if times > 1})
    if repeated:
        raise InvalidInput(
            f"node {repeated[0]!r} appears more than once: node names must be "
            "unique across datacenters, replicas and stand-ins"
        )
    return Topology(tuple(datacenters), _side(data, "read"), _side(data, "write"))


def parse_level(name: str, dc: str | None, topology: Topology, *, writing: bool) -> Level:
    """Validate a level for one side (reads or writes) of this topology."""
    level = name.strip().upper()
    if level not in LEVELS:
        raise InvalidInput(f"unknown consistency level {name!r}: use one of {', '.join(LEVELS)}")
    if level == "ANY" and not writing:
        raise InvalidInput(
            "ANY is a write level only: a hint satisfies it, so it guarantees "
            "nothing to a read; read at ONE or stronger"
        )
    if level not in LOCAL_LEVELS:
        requirements(topology, Level(level))
        return Level(level)
    if dc is None:
        if len(topology.datacenters) > 1:
            side = "write" if writing else "read"
            names = ", ".join(d.name for d in topology.datacenters)
            raise InvalidInput(
                f"{level} needs a coordinator datacenter: pass --{side}-dc (one of {names})"
            )
        dc = topology.datacenters[0].name
    topology.datacenter(dc)
    return Level(level, dc)


# -- level arithmetic ---------------------------------------------------------------


def _everywhere(topology: Topology, threshold: int, weights: tuple[int, ...] | None) -> Requirement:
    nodes = topology.replicas
    return Requirement(nodes, weights or (1,) * len(nodes), threshold, "all datacenters")


def _local(dc: Datacenter, threshold: int, weights: tuple[int, ...] | None) -> Requirement:
    return Requirement(dc.replicas, weights or (1,) * len(dc.replicas), threshold, dc.name)


def requirements(topology: Topology, level: Level) -> tuple[Requirement, ...]:
    """What a level asks of the replica set; raises InvalidInput if it asks too much."""
    all_votes = tuple(vote for dc in topology.datacenters for vote in dc.votes)
    if level.name in _COUNTED:
        needed, present = _COUNTED[level.name], len(topology.replicas)
        if needed > present:
            raise InvalidInput(
                f"{level.name} needs {needed} replicas but the topology has only {present}"
            )
        return (_everywhere(topology, needed, None),)
    if level.name == "QUORUM":
        return (_everywhere(topology, sum(all_votes) // 2 + 1, all_votes),)
    if level.name == "ALL":
        return (_everywhere(topology, len(topology.replicas), None),)
    if level.name.isdigit():  # a numeric quorum (MODEL.md's w or r): replicas anywhere
        return (_everywhere(topology, int(level.name), None),)
    if level.name == "EACH_QUORUM":
        return tuple(_local(dc, dc.quorum, dc.votes) for dc in topology.datacenters)
    if level.name == "ANY":
        return ()
    dc = topology.datacenter(level.dc or "")
    if level.name == "LOCAL_ONE":
        return (_local(dc, 1, None),)
    return (_local(dc, dc.quorum, dc.votes),)


def describe(topology: Topology, level: Level) -> str:
    """What a level needs, in words: '2 of 3 replicas in dc1 + 2 of 3 replicas in dc2'."""
    parts = []
    for need in requirements(topology, level):
        unit = "votes" if any(weight != 1 for weight in need.weights) else "replicas"
        parts.append(f"{need.threshold} of {sum(need.weights)} {unit} in {need.scope}")
    return " + ".join(parts) or "a hint on any node (no replica)"


def _sloppy(topology: Topology, need: Requirement) -> Requirement:
    """The requirement when stand-ins of its datacenters may ack, each with one vote."""
    scope = [dc for dc in topology.datacenters if need.scope in (dc.name, "all datacenters")]
    extra = tuple(node for dc in scope for node in dc.stand_ins)
    return Requirement(
        need.nodes + extra, need.weights + (1,) * len(extra), need.threshold, need.scope
    )


def write_requirements(topology: Topology, level: Level, sloppy: bool) -> tuple[Requirement, ...]:
    needs = requirements(topology, level)
    return tuple(_sloppy(topology, need) for need in needs) if sloppy else needs


# -- overlap --------------------------------------------------------------------------


def _satisfies(chosen: frozenset[str], needs: tuple[Requirement, ...]) -> bool:
    return all(need.met_by(chosen) for need in needs)


def _shrink(
    chosen: frozenset[str], order: tuple[str, ...], needs: tuple[Requirement, ...]
) -> frozenset[str]:
    """Drop nodes, in topology order, while the level stays met: a minimal, readable witness."""
    for node in order:
        if node in chosen and _satisfies(chosen - {node}, needs):
            chosen = chosen - {node}
    return chosen


def _witness(topology: Topology, read: frozenset[str], write: frozenset[str]) -> dict[str, Any]:
    return {
        dc.name: {
            "read": [node for node in dc.replicas if node in read],
            "write": [node for node in dc.replicas if node in write],
            "hints": [node for node in dc.stand_ins if node in write],
        }
        for dc in topology.datacenters
    }


def _refutation_text(
    read_level: Level, write_level: Level, witness: dict[str, Any], sloppy: bool
) -> str:
    def listed(key: str) -> str:
        nodes = [node for dc in witness.values() for node in dc[key]]
        return ", ".join(nodes) or "none"

    text = (
        f"a write at {write_level} acknowledged by replicas [{listed('write')}]"
        + (f" and hints on [{listed('hints')}]" if listed("hints") != "none" else "")
        + f" is missed by a read at {read_level} from [{listed('read')}]"
    )
    if sloppy:
        return text + ": a sloppy quorum counts hints that serve no reads until handed off"
    if write_level.name == "ANY":
        return text + ": ANY is met by a hint alone; write at ONE or stronger"
    return text + ": pick levels whose replica sets must meet (e.g. QUORUM with QUORUM)"


def prove_topology(
    topology: Topology,
    read: Level,
    write: Level,
    sloppy: bool = False,
    timeout_ms: int | None = None,
) -> Result:
    """Does every `read`-level read meet every `write`-level write on some replica?"""
    read_needs = requirements(topology, read)
    write_needs = write_requirements(topology, write, sloppy)
    write_pool = topology.replicas + tuple(
        n for dc in topology.datacenters for n in dc.stand_ins if sloppy
    )
    reads = {node: z3.Int(f"read:{node}") for node in topology.replicas}
    writes = {node: z3.Int(f"write:{node}") for node in write_pool}
    solver = arithmetic_solver(timeout_ms)
    solver.add([z3.And(x >= 0, x <= 1) for x in (*reads.values(), *writes.values())])
    solver.add([reads[node] + writes[node] <= 1 for node in topology.replicas])
    for chosen, needs in ((reads, read_needs), (writes, write_needs)):
        for need in needs:
            solver.add(
                z3.Sum(
                    [
                        weight * chosen[node]
                        for node, weight in zip(need.nodes, need.weights, strict=True)
                    ]
                    + [z3.IntVal(0)]
                )
                >= need.threshold
            )
    mode = "sloppy " if sloppy else ""
    claim = f"every read at {read} meets every {mode}write at {write} on a replica"
    obligation, model = check(
        solver,
        f"overlap/{read}/{mode}{write}",
        f"no read quorum at {read} is disjoint from a {mode}write quorum at {write}",
    )
    if obligation.z3_result == "unsat":
        return Proved(
            claim,
            (obligation,),
            f"a read at {read} always reaches a replica that acknowledged the "
            f"last completed write at {write}",
        )
    if model is None:
        return Unknown(
            claim,
            f"{obligation.name}: Z3 answered unknown ({obligation.reason or 'no reason given'})",
            (obligation,),
        )
    read_set = frozenset(n for n, x in reads.items() if model.eval(x, True).as_long())
    write_set = frozenset(n for n, x in writes.items() if model.eval(x, True).as_long())
    read_set = _shrink(read_set, topology.replicas, read_needs)
    write_set = _shrink(write_set, write_pool, write_needs)
    witness = _witness(topology, read_set, write_set)
    if not (
        _satisfies(read_set, read_needs)
        and _satisfies(write_set, write_needs)
        and not read_set & write_set
    ):
        raise Inconsistent(f"{obligation.name}: Z3's model failed the plain-Python check {witness}")
    return Refuted(claim, witness, _refutation_text(read, write, witness, sloppy), (obligation,))


# -- failure tolerance ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tolerance:
    """What a level survives: any `node_failures` replicas down, or the loss of these DCs."""

    level: Level
    needs: str  # describe(topology, level)
    node_failures: int  # largest f such that every f replica failures leave the level met
    dc_losses: tuple[str, ...]  # datacenters whose complete loss leaves the level met

    def to_json(self) -> dict[str, Any]:
        return {
            "level": str(self.level),
            "needs": self.needs,
            "node_failures": self.node_failures,
            "dc_losses": list(self.dc_losses),
        }


def _failures_to_break(need: Requirement) -> int:
    """Fewest failed nodes that leave fewer than `threshold` votes: the heaviest go first."""
    spare = sum(need.weights) - need.threshold
    lost = 0
    for count, weight in enumerate(sorted(need.weights, reverse=True), start=1):
        lost += weight
        if lost > spare:
            return count
    return len(need.weights) + 1


def tolerance(topology: Topology, level: Level) -> Tolerance:
    needs = requirements(topology, level)
    breaking = [_failures_to_break(need) for need in needs]
    node_failures = min(breaking) - 1 if breaking else len(topology.replicas)
    survived = tuple(
        dc.name
        for dc in topology.datacenters
        if _satisfies(frozenset(topology.replicas) - set(dc.replicas), needs)
    )
    return Tolerance(level, describe(topology, level), node_failures, survived)


def levels_of(topology: Topology, *, writing: bool) -> tuple[Level, ...]:
    """Every level valid for this topology on one side, LOCAL_* once per datacenter."""
    levels: list[Level] = []
    for name in LEVELS:
        if name == "ANY" and not writing:
            continue
        if name in LOCAL_LEVELS:
            levels.extend(Level(name, dc.name) for dc in topology.datacenters)
        elif _COUNTED.get(name, 0) <= len(topology.replicas):
            levels.append(Level(name))
    return tuple(levels)


def prove_config_overlap(config: Config, timeout_ms: int | None = None) -> Result:
    """The quorum-overlap verdict of a model configuration (what `check` prints beside
    the explored verdicts). Numeric quorums in one datacenter are `prove_overlap`'s r + w
    > n; with datacenters or levels, every pair of a writing client's coordinator
    datacenter and a reading client's is proved as a topology (replica i is node "i"),
    and the first refutation found is the answer."""
    if config.hinted_handoff == "sloppy":
        # A stand-in's ack counts toward w but it serves no read: the sloppy quorum of
        # `prove topology` (hinted handoff is not combined with datacenters or levels).
        one_dc = parse_topology(
            {
                "datacenters": {
                    "dc1": {"replication_factor": config.n, "stand_ins": config.stand_ins}
                }
            }
        )
        return prove_topology(
            one_dc, Level(str(config.r)), Level(str(config.w)), sloppy=True, timeout_ms=timeout_ms
        )
    if config.datacenters is None and config.write_level is None and config.read_level is None:
        return prove_overlap(config.n, config.r, config.w, timeout_ms=timeout_ms)
    ids = iter(range(config.n))
    topology = parse_topology(
        {
            "datacenters": {
                name: {"nodes": [str(next(ids)) for _ in range(count)]}
                for name, count in config.dcs
            }
        }
    )
    names = [name for name, _ in config.dcs]

    def level(name: str | None, count: int, client: int) -> Level:
        if name is None:
            return Level(str(count))
        if name == "ANY":  # the model has no hints: an ANY write waits for one replica's ack
            return Level("ONE")
        return Level(name, names[config.client_dc(client)] if name in LOCAL_LEVELS else None)

    sides: dict[str, set[Level]] = {"write": set(), "read": set()}
    for client, script in enumerate(config.clients):
        if set(script) & {"w", "d"}:
            sides["write"].add(level(config.write_level, config.w, client))
        if "r" in script:
            sides["read"].add(level(config.read_level, config.r, client))
    if not sides["write"] or not sides["read"]:
        # Nothing to overlap: give the verdict of the levels at the first datacenter.
        sides["write"] = sides["write"] or {level(config.write_level, config.w, 0)}
        sides["read"] = sides["read"] or {level(config.read_level, config.r, 0)}
    results = [
        prove_topology(topology, read, write, timeout_ms=timeout_ms)
        for write in sorted(sides["write"], key=str)
        for read in sorted(sides["read"], key=str)
    ]
    for result in results:
        if not isinstance(result, Proved):
            return result
    if len(results) == 1:
        return results[0]
    return Proved(
        "; ".join(result.claim for result in results),
        tuple(o for result in results for o in result.obligations),
        "every read meets every write on a replica, whichever datacenters coordinate them",
    )
