"""PBS k-staleness, exact: the chance a read returns one of the last k committed versions.

Bailis et al. (VLDB 2012, Section 3.1, Equation 2): with read and write quorums chosen
independently and uniformly at random, a read misses one write quorum with probability
p = C(n-w, r) / C(n, r), misses each of the last k independent writes with p^k, and so
returns one of the last k versions with probability 1 - p^k. Quorums do not expand here
(no write propagation, no anti-entropy), so for Dynamo-style systems this is a lower
bound on consistency. Everything is a Fraction; floats are for display only.

For consistency levels over a topology the same reasoning holds with quorums drawn
uniformly from the level's minimal quorums (for plain thresholds these are exactly the
r- and w-subsets, so both paths agree; a test pins that).

    >>> k_staleness(3, r=1, w=1, k=2)
    Fraction(5, 9)
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

from leaderless.model.pbs.quorums import Cluster


def miss_probability(n: int, r: int, w: int) -> Fraction:
    """P(a uniformly chosen r-set misses a uniformly chosen w-set) = C(n-w, r) / C(n, r)."""
    return Fraction(comb(n - w, r), comb(n, r))


def k_staleness(n: int, r: int, w: int, k: int) -> Fraction:
    """P(a read returns one of the last k versions), non-expanding quorums."""
    return 1 - miss_probability(n, r, w) ** k


# Enumerating minimal quorums is exponential; past this many replicas it is refused.
MAX_ENUMERATED_REPLICAS = 16


def cluster_miss_probability(cluster: Cluster) -> Fraction:
    """P(a read quorum misses a write quorum), each uniform over its rule's minimal quorums."""
    plain = cluster.plain
    if plain is not None:
        return miss_probability(cluster.n, *plain)
    if cluster.n > MAX_ENUMERATED_REPLICAS:
        raise ValueError(
            f"exact k-staleness enumerates quorums: at most "
            f"{MAX_ENUMERATED_REPLICAS} replicas (the topology has {cluster.n})"
        )
    reads = cluster.read.minimal_quorums(cluster.n)
    writes = cluster.write.minimal_quorums(cluster.n)
    # ANY has one minimal quorum, the empty set, which every read misses: probability 1.
    disjoint = sum(1 for read in reads for write in writes if not read & write)
    return Fraction(disjoint, len(reads) * len(writes))


def cluster_k_staleness(cluster: Cluster, k: int) -> Fraction:
    return 1 - cluster_miss_probability(cluster) ** k
