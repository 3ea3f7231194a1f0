"""Bringing two replicas to their LWW merge: Merkle top-down sync and the naive scan.

Both functions change both stores and return what the exchange cost on the wire.
The initiator `a` talks, the responder `b` answers:

- Merkle: one round trip per tree level. `a` sends the hashes of the current frontier
  (the root first, then the children of every node that differed); `b` answers with a
  bitmap of the nodes whose hash differs from its own. Node ids are never sent: both
  sides derive the next frontier from the bitmap. After the leaf level, one more round
  trip: `a` sends its entries under the differing leaves, `b` merges them and sends
  back those entries under the same leaves that `a` lacks or holds older.
- Naive: one round trip. `a` sends every entry; `b` merges and sends back every entry
  that `a` lacks or holds older.

    >>> from leaderless.model.antientropy.store import Store
    >>> a, b = Store(depth=3), Store(depth=3)
    >>> _ = a.write(1, (1, 0)), b.write(2, (1, 1))
    >>> report = merkle_sync(a, b)
    >>> a.content == b.content == {1: (1, 0), 2: (1, 1)}, report.cost.keys
    (True, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

from leaderless.model.antientropy.store import HASH_DIGEST, Key, Store, Version

HASH_BYTES = HASH_DIGEST
# Key id, timestamp and writer id as three 64-bit integers.
ENTRY_BYTES = 24


@dataclass(frozen=True, slots=True)
class Cost:
    """What one or more exchanges put on the wire; costs add up across syncs."""

    hashes: int = 0  # node hashes sent
    keys: int = 0  # (key, version) entries sent, both directions
    round_trips: int = 0  # request/answer pairs
    bytes: int = 0  # hashes, bitmaps and entries; no framing

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.hashes + other.hashes,
            self.keys + other.keys,
            self.round_trips + other.round_trips,
            self.bytes + other.bytes,
        )


@dataclass(frozen=True, slots=True)
class SyncReport:
    """One Merkle sync: its cost and what it touched, so tests can check both."""

    cost: Cost
    differing_leaves: tuple[int, ...]  # leaves whose hashes differed, ascending
    transferred: tuple[Key, ...]  # keys sent a -> b, then b -> a


def merkle_sync(a: Store, b: Store) -> SyncReport:
    """Make `a` and `b` equal to their LWW merge, descending only into differing subtrees."""
    if a.depth != b.depth:
        raise ValueError(
            f"replicas must share a tree depth to compare hashes, got {a.depth} and {b.depth}"
        )
    ours, theirs = a.hashes(), b.hashes()
    hashes = round_trips = wire = 0
    frontier = [1]
    for level in range(a.depth + 1):
        round_trips += 1
        hashes += len(frontier)
        wire += HASH_BYTES * len(frontier) + _bitmap_bytes(len(frontier))
        frontier = [node for node in frontier if ours[node] != theirs[node]]
        if not frontier:
            return SyncReport(Cost(hashes, 0, round_trips, wire), (), ())
        if level < a.depth:
            frontier = [child for node in frontier for child in (2 * node, 2 * node + 1)]
    first_leaf = a.leaves
    leaves = tuple(node - first_leaf for node in frontier)

    round_trips += 1
    sent: dict[Key, Version] = {}
    for leaf in leaves:
        sent.update(a.leaf_entries(leaf))
    for key, version in sent.items():
        b.write(key, version)
    back = [
        (key, version)
        for leaf in leaves
        for key, version in b.leaf_entries(leaf)
        if sent.get(key) != version
    ]
    for key, version in back:
        a.write(key, version)
    keys = len(sent) + len(back)
    cost = Cost(hashes, keys, round_trips, wire + ENTRY_BYTES * keys)
    return SyncReport(cost, leaves, (*sent, *(key for key, _ in back)))


def naive_sync(a: Store, b: Store) -> Cost:
    """Make `a` and `b` equal to their LWW merge by shipping every entry of `a`."""
    sent = dict(a.content)
    for key, version in sent.items():
        b.write(key, version)
    back = [(key, version) for key, version in b.content.items() if sent.get(key) != version]
    for key, version in back:
        a.write(key, version)
    keys = len(sent) + len(back)
    return Cost(0, keys, 1, ENTRY_BYTES * keys)


def _bitmap_bytes(nodes: int) -> int:
    return (nodes + 7) // 8
