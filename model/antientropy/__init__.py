"""Merkle-tree anti-entropy between whole multi-key replica stores.

MODEL.md treats one anti-entropy exchange of the single register as the atomic step
`AntiEntropy(i, j)`. This package is the mechanism behind that step on real stores:
many keys under last-write-wins, a Merkle tree over the hashed key range kept up to
date on every write, a top-down sync that transfers only the keys under differing
leaves, the naive full comparison it replaces, and a seeded simulation that makes
replicas diverge. Everything here is pure data and functions: no printing, no clocks,
deterministic for a seed.

    >>> a, b = Store(depth=4), Store(depth=4)
    >>> a.write(7, (1, 0)), b.write(7, (2, 1))
    (True, True)
    >>> merkle_sync(a, b).cost.keys, a.get(7) == b.get(7) == (2, 1)
    (2, True)
"""

from leaderless.model.antientropy.simulation import (
    Cluster,
    DivergenceConfig,
    PairSync,
    Reconciliation,
    diverged_cluster,
    reconcile,
)
from leaderless.model.antientropy.store import MAX_DEPTH, Key, Store, Version, default_depth
from leaderless.model.antientropy.sync import (
    ENTRY_BYTES,
    HASH_BYTES,
    Cost,
    SyncReport,
    merkle_sync,
    naive_sync,
)

__all__ = [
    "ENTRY_BYTES",
    "HASH_BYTES",
    "MAX_DEPTH",
    "Cluster",
    "Cost",
    "DivergenceConfig",
    "Key",
    "PairSync",
    "Reconciliation",
    "Store",
    "SyncReport",
    "Version",
    "default_depth",
    "diverged_cluster",
    "merkle_sync",
    "naive_sync",
    "reconcile",
]
