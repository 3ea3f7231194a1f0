"""Which replica sets complete an operation: the shared input of every PBS calculation.

A rule is a conjunction of needs, each "at least `threshold` votes among these replicas"
(the shape proofs/topology.py gives Cassandra's consistency levels). Plain n/r/w
quorums are one need over all replicas with unit votes. Replicas are numbered 0..n-1;
`dc_of` says which datacenter each one is in.

    >>> plain_cluster(3, r=2, w=1).read.minimal_quorums(3)
    [3, 5, 6]
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Need:
    """At least `threshold` votes among `members` (replica indices), `weights` aligned."""

    members: tuple[int, ...]
    weights: tuple[int, ...]
    threshold: int

    def met_by(self, mask: int) -> bool:
        votes = sum(w for m, w in zip(self.members, self.weights, strict=True) if mask >> m & 1)
        return votes >= self.threshold

    @property
    def unit(self) -> bool:
        return all(weight == 1 for weight in self.weights)


@dataclass(frozen=True, slots=True)
class Rule:
    """What one operation needs: every need met. No needs (Cassandra's ANY) is met at once."""

    needs: tuple[Need, ...]
    label: str  # "r=2", "LOCAL_QUORUM(dc1)"

    def met_by(self, mask: int) -> bool:
        return all(need.met_by(mask) for need in self.needs)

    def minimal_quorums(self, n: int) -> list[int]:
        """Every replica set (as a bit mask) that meets the rule and has no smaller subset
        that does, in increasing mask order; exponential in n, so only for small n."""
        meeting = [mask for mask in range(1 << n) if self.met_by(mask)]
        return [
            mask
            for mask in meeting
            if not any(self.met_by(mask & ~(1 << i)) for i in range(n) if mask >> i & 1)
        ]


@dataclass(frozen=True, slots=True)
class Cluster:
    """The replicas of one key, their datacenters, and the read and write rules."""

    n: int
    dc_of: tuple[int, ...]  # datacenter index of each replica
    dc_names: tuple[str, ...]
    read: Rule
    write: Rule
    read_dc: int | None = None  # coordinator datacenter of reads; None: a random one per read
    write_dc: int | None = None  # likewise for writes

    @property
    def plain(self) -> tuple[int, int] | None:
        """(r, w) when both rules are plain thresholds over all n replicas, else None."""
        sizes = []
        for rule in (self.read, self.write):
            if len(rule.needs) != 1:
                return None
            need = rule.needs[0]
            if not need.unit or need.members != tuple(range(self.n)):
                return None
            sizes.append(need.threshold)
        return sizes[0], sizes[1]


def threshold_rule(n: int, k: int, label: str) -> Rule:
    return Rule((Need(tuple(range(n)), (1,) * n, k),), label)


def plain_cluster(n: int, r: int, w: int) -> Cluster:
    """One datacenter of n replicas, reads from r and writes to w of them."""
    return Cluster(
        n, (0,) * n, ("dc1",), threshold_rule(n, r, f"r={r}"), threshold_rule(n, w, f"w={w}"), 0, 0
    )
