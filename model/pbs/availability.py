"""Exact availability of read and write quorums when nodes fail independently.

Each replica is down with probability `node`, independently; each datacenter is also
lost whole with probability `dc` (independently, before its nodes fail one by one).
The answer is the probability that the live replicas still meet a rule (a read level,
a write level, or both at once), computed exactly as a Fraction by dynamic programming
over replicas: the state is, per need, the live votes counted so far capped at its
threshold, so the work grows with the number of needs and thresholds, never with 2^n.

Beside it, the load of the quorum system in the quorum literature's sense (Naor and
Wool): with operations spread uniformly over the minimal quorums, the busiest replica
takes `load` of all operations, so the system's capacity is 1/load times one replica's.

    >>> from leaderless.model.pbs.quorums import plain_cluster
    >>> availability(plain_cluster(3, r=2, w=2), Fraction(1, 10)).read
    Fraction(243, 250)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from leaderless.model.pbs.quorums import Cluster, Need


@dataclass(frozen=True, slots=True)
class Availability:
    read: Fraction  # P(the live replicas meet the read rule)
    write: Fraction  # P(... the write rule)
    both: Fraction  # P(... both at once)


def _add(state: tuple[int, ...], node: int, needs: tuple[Need, ...]) -> tuple[int, ...]:
    return tuple(
        min(need.threshold, votes + need.weights[need.members.index(node)])
        if node in need.members
        else votes
        for votes, need in zip(state, needs, strict=True)
    )


def availability(cluster: Cluster, node: Fraction, dc: Fraction = Fraction(0)) -> Availability:
    """Exact P(read rule met), P(write rule met), P(both), by live-vote counts."""
    for name, p in (("node failure", node), ("datacenter failure", dc)):
        if not 0 <= p <= 1:
            raise ValueError(f"{name} probability must be in [0, 1] (got {p})")
    needs = cluster.read.needs + cluster.write.needs
    start = (0,) * len(needs)
    states: dict[tuple[int, ...], Fraction] = {start: Fraction(1)}
    for dc_index in range(len(cluster.dc_names)):
        # Within the datacenter: from "no live vote yet", then mixed with a whole-DC loss.
        local: dict[tuple[int, ...], Fraction] = {start: Fraction(1)}
        for replica in (i for i, d in enumerate(cluster.dc_of) if d == dc_index):
            grown: dict[tuple[int, ...], Fraction] = defaultdict(Fraction)
            for state, p in local.items():
                grown[state] += p * node
                grown[_add(state, replica, needs)] += p * (1 - node)
            local = grown
        local = {state: p * (1 - dc) for state, p in local.items()}
        local[start] = local.get(start, Fraction(0)) + dc
        combined: dict[tuple[int, ...], Fraction] = defaultdict(Fraction)
        for state, p in states.items():
            for extra, q in local.items():
                merged = tuple(
                    min(need.threshold, a + b)
                    for a, b, need in zip(state, extra, needs, strict=True)
                )
                combined[merged] += p * q
        states = combined
    reads = len(cluster.read.needs)

    def met(state: tuple[int, ...], part: slice) -> bool:
        return all(
            votes >= need.threshold for votes, need in zip(state[part], needs[part], strict=True)
        )

    read_part, write_part = slice(0, reads), slice(reads, None)
    return Availability(
        read=sum((p for s, p in states.items() if met(s, read_part)), Fraction(0)),
        write=sum((p for s, p in states.items() if met(s, write_part)), Fraction(0)),
        both=sum(
            (p for s, p in states.items() if met(s, read_part) and met(s, write_part)), Fraction(0)
        ),
    )


def load(cluster: Cluster, read_fraction: Fraction = Fraction(1, 2)) -> Fraction:
    """The busiest replica's share of operations, with reads (a `read_fraction` of all
    operations) and writes each spread uniformly over their rule's minimal quorums."""
    plain = cluster.plain
    if plain is not None:
        r, w = plain
        return read_fraction * Fraction(r, cluster.n) + (1 - read_fraction) * Fraction(w, cluster.n)
    reads = cluster.read.minimal_quorums(cluster.n)
    writes = cluster.write.minimal_quorums(cluster.n)

    def share(quorums: list[int], replica: int) -> Fraction:
        return Fraction(sum(1 for q in quorums if q >> replica & 1), len(quorums))

    return max(
        read_fraction * share(reads, i) + (1 - read_fraction) * share(writes, i)
        for i in range(cluster.n)
    )
