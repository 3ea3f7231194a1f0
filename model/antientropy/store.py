"""A replica's multi-key LWW store and the Merkle tree it keeps over its key range.

Each key is placed by its token, a 64-bit hash of the key, so neighbouring key ids
land in unrelated leaves, as in Cassandra and Dynamo. The token range is split into
`2**depth` equal leaves. A leaf's hash is the XOR of the hashes of its (key, version)
entries; an inner node's hash is the hash of its two children's hashes.

    >>> s = Store(depth=2)
    >>> s.write(1, (5, 0)), s.write(1, (4, 2)), s.get(1)
    (True, False, (5, 0))
    >>> Store(depth=2).root(), s.root() != 0
    (0, True)
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping, Sequence
from types import MappingProxyType

# A key is a 64-bit unsigned integer id; real keys would be hashed to one first.
Key = int
# (timestamp, writer): ordered lexicographically, so the writer id breaks timestamp ties.
Version = tuple[int, int]

# Caps memory: at depth 20 a replica already keeps 2**21 node hashes and 2**20 leaf
# lists, over 150 MB of Python objects, whatever the key count.
MAX_DEPTH = 20
# Few keys per leaf keep the transfer for one differing key small; many keep the tree
# small. Eight balances the two for the key counts the CLI and bench use.
KEYS_PER_LEAF = 8

HASH_DIGEST = 16
_TOKEN = struct.Struct(">Q")
_ENTRY = struct.Struct(">QqQ")
# Tokens, entry hashes and node hashes hash inputs of 8, 24 and 32 bytes, so the three
# kinds cannot collide with one another except by chance; no personalisation needed.


def default_depth(keys: int) -> int:
    """Tree depth that leaves about KEYS_PER_LEAF keys per leaf, capped at MAX_DEPTH.

    >>> default_depth(100_000), default_depth(1_000_000), default_depth(3)
    (14, 17, 0)
    """
    return min(MAX_DEPTH, (max(keys, 0) // KEYS_PER_LEAF).bit_length())


def token(key: Key) -> int:
    """The key's position on the 64-bit token ring (hashlib: stable across runs)."""
    digest = hashlib.blake2b(_TOKEN.pack(key), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def entry_hash(key: Key, version: Version) -> int:
    """The 128-bit hash of one stored (key, version) entry."""
    data = _ENTRY.pack(key, version[0], version[1])
    digest = hashlib.blake2b(data, digest_size=HASH_DIGEST).digest()
    return int.from_bytes(digest, "big")


def inner_hash(left: int, right: int) -> int:
    """The hash of an inner node from its two children's hashes; 0 for an empty subtree.

    An empty leaf's XOR is 0, and keeping every empty subtree at 0 lets a new store
    start from an all-zero tree without hashing anything.
    """
    if not left and not right:
        return 0
    data = left.to_bytes(HASH_DIGEST, "big") + right.to_bytes(HASH_DIGEST, "big")
    digest = hashlib.blake2b(data, digest_size=HASH_DIGEST).digest()
    return int.from_bytes(digest, "big")


class Store:
    """One replica: the latest version of every key it holds, and its Merkle tree.

    The tree is a complete binary tree in an array: node 1 is the root, node n has
    children 2n and 2n+1, and leaf i is node `2**depth + i`.

        >>> s = Store(depth=3)
        >>> s.write(42, (1, 0))
        True
        >>> s.leaf_entries(s.leaf_of(42))
        [(42, (1, 0))]
    """

    __slots__ = ("_data", "_depth", "_dirty", "_leaf_keys", "_shift", "_tree")

    def __init__(self, depth: int) -> None:
        if not 0 <= depth <= MAX_DEPTH:
            raise ValueError(f"depth must be 0..{MAX_DEPTH}, got {depth}")
        self._depth = depth  # levels below the root; the tree has 2**depth leaves
        self._shift = 64 - depth  # a token's leaf is its top `depth` bits
        self._data: dict[Key, Version] = {}  # key -> the latest version written here
        leaves = 1 << depth
        # Keys are never removed under LWW (a delete would be a newer version), so a
        # per-leaf list only ever grows and needs no set.
        self._leaf_keys: list[list[Key]] = [[] for _ in range(leaves)]
        self._tree: list[int] = [0] * (2 * leaves)  # node hashes; index 0 is unused
        # Leaf nodes whose ancestors are stale. Inner hashes are recomputed lazily, once
        # per batch of writes, so a burst of writes to one subtree pays for its path once.
        self._dirty: set[int] = set()

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def leaves(self) -> int:
        return 1 << self._depth

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Key) -> Version | None:
        return self._data.get(key)

    def leaf_of(self, key: Key) -> int:
        """The leaf (0 .. leaves-1) whose slice of the token range holds the key."""
        return token(key) >> self._shift

    def write(self, key: Key, version: Version) -> bool:
        """Apply a write under LWW; True when it replaced what was stored (or nothing)."""
        old = self._data.get(key)
        if old is not None and old >= version:
            return False
        self._data[key] = version
        leaf = token(key) >> self._shift
        change = entry_hash(key, version)
        if old is None:
            self._leaf_keys[leaf].append(key)
        else:
            # XOR is its own inverse: removing the old entry costs one hash, not a pass
            # over the leaf. Keys are unique in a store, so no two entries cancel.
            change ^= entry_hash(key, old)
        node = (1 << self._depth) + leaf
        self._tree[node] ^= change
        self._dirty.add(node)
        return True

    def leaf_entries(self, leaf: int) -> list[tuple[Key, Version]]:
        """The (key, version) entries under a leaf, in the order they were first written."""
        data = self._data
        return [(key, data[key]) for key in self._leaf_keys[leaf]]

    @property
    def content(self) -> Mapping[Key, Version]:
        """A read-only live view of key -> version, for comparing stores by content."""
        return MappingProxyType(self._data)

    def hashes(self) -> Sequence[int]:
        """Every node hash, brought up to date; read-only (node 1 is the root)."""
        self._refresh()
        return self._tree

    def root(self) -> int:
        return self.hashes()[1]

    def copy(self) -> Store:
        """An independent replica with the same content and tree."""
        # Hash the inner nodes once here rather than once in every copy.
        self._refresh()
        clone = Store.__new__(Store)
        clone._depth = self._depth
        clone._shift = self._shift
        clone._data = dict(self._data)
        clone._leaf_keys = [list(keys) for keys in self._leaf_keys]
        clone._tree = list(self._tree)
        clone._dirty = set()
        return clone

    def _refresh(self) -> None:
        tree = self._tree
        nodes = self._dirty
        # One level per iteration: parents of stale nodes are recomputed after both
        # their children are final, so each stale inner node is hashed exactly once.
        for _ in range(self._depth):
            nodes = {node >> 1 for node in nodes}
            for node in nodes:
                tree[node] = inner_hash(tree[2 * node], tree[2 * node + 1])
        self._dirty = set()
