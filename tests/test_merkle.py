"""Merkle anti-entropy: the store's tree, the top-down sync, the naive scan, the simulation.

The tree is checked against `spec_tree`, written here from the definition (leaf = XOR
of entry hashes, inner = hash of the children, 0 for an empty subtree), sharing only
the hash primitives with the store's incremental maintenance.
"""

from __future__ import annotations

import doctest
import importlib
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from leaderless.model.antientropy import (
    Cost,
    DivergenceConfig,
    Key,
    Store,
    Version,
    default_depth,
    diverged_cluster,
    merkle_sync,
    naive_sync,
    reconcile,
)
from leaderless.model.antientropy.store import entry_hash, inner_hash, token

depths = st.integers(min_value=0, max_value=6)
keys = st.integers(min_value=0, max_value=40)
versions = st.tuples(st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=2))
histories = st.lists(st.tuples(keys, versions), max_size=50)


@st.composite
def replica_pairs(
    draw: st.DrawFn,
) -> tuple[int, list[tuple[Key, Version]], list[tuple[Key, Version]]]:
    """A depth and two write histories that share a common base of up to 300 keys.

    The base makes most subtrees equal, as between real replicas, so the descent has
    something to prune.
    """
    base = [(key, (0, 0)) for key in range(draw(st.integers(min_value=0, max_value=300)))]
    return draw(depths), base + draw(histories), base + draw(histories)


TOKEN_OF_0 = 0xCA08EA5BCA49CC18
ENTRY_HASH_OF_0_1_2 = 0xBA3B704B12D1BD695F844A1097AD2B11


def spec_tree(content: Mapping[Key, Version], depth: int) -> list[int]:
    leaves = 1 << depth
    tree = [0] * (2 * leaves)
    for key, version in content.items():
        tree[leaves + (token(key) >> (64 - depth))] ^= entry_hash(key, version)
    for node in range(leaves - 1, 0, -1):
        left, right = tree[2 * node], tree[2 * node + 1]
        tree[node] = 0 if left == right == 0 else inner_hash(left, right)
    return tree


def lww_merge(*histories: Iterable[tuple[Key, Version]]) -> dict[Key, Version]:
    merged: dict[Key, Version] = {}
    for history in histories:
        for key, version in history:
            if key not in merged or merged[key] < version:
                merged[key] = version
    return merged


def store_of(depth: int, history: Iterable[tuple[Key, Version]]) -> Store:
    store = Store(depth)
    for key, version in history:
        store.write(key, version)
    return store


def merkle(a: Store, b: Store) -> Cost:
    return merkle_sync(a, b).cost


# --- the store -------------------------------------------------------------------------


def test_write_keeps_the_larger_version_and_the_writer_breaks_timestamp_ties() -> None:
    store = Store(depth=2)
    assert store.write(5, (3, 0))
    assert not store.write(5, (2, 9))
    assert not store.write(5, (3, 0))
    assert store.write(5, (3, 1))
    assert store.get(5) == (3, 1) and len(store) == 1


def test_empty_store_has_the_spec_tree_and_a_depth_out_of_range_is_named() -> None:
    assert list(Store(3).hashes()) == spec_tree({}, 3)
    with pytest.raises(ValueError, match="depth must be 0..20, got 21"):
        Store(21)


def test_default_depth_aims_at_about_eight_keys_per_leaf() -> None:
    assert [default_depth(n) for n in (1, 8, 100_000, 1_000_000, 10**9)] == [0, 1, 14, 17, 20]


def test_placement_and_hashes_come_from_hashlib_and_are_pinned() -> None:
    # Never the built-in hash(), which is randomised per process for str and bytes.
    assert token(0) == TOKEN_OF_0
    assert Store(16).leaf_of(0) == TOKEN_OF_0 >> 48
    assert entry_hash(0, (1, 2)) == ENTRY_HASH_OF_0_1_2


def test_copy_is_independent() -> None:
    original = store_of(3, [(1, (1, 0)), (2, (1, 0))])
    clone = original.copy()
    clone.write(3, (1, 0))
    assert 3 not in original.content and original.root() != clone.root()
    assert list(original.hashes()) == spec_tree(original.content, 3)


class IncrementalTree(RuleBasedStateMachine):
    """Writes in any order and batches, checks at any moment: the tree is the spec tree."""

    def __init__(self) -> None:
        super().__init__()
        self.store = Store(depth=4)
        self.history: list[tuple[Key, Version]] = []

    @rule(key=keys, version=versions)
    def write(self, key: Key, version: Version) -> None:
        self.store.write(key, version)
        self.history.append((key, version))

    @rule()
    def copy(self) -> None:
        self.store = self.store.copy()

    @rule()
    def tree_equals_rebuilt_tree(self) -> None:
        assert list(self.store.hashes()) == spec_tree(self.store.content, self.store.depth)

    @invariant()
    def content_is_the_lww_merge_of_the_writes(self) -> None:
        assert self.store.content == lww_merge(self.history)


TestIncrementalTree = IncrementalTree.TestCase
TestIncrementalTree.settings = settings(max_examples=150, stateful_step_count=40)


@given(depths, histories)
def test_incremental_tree_equals_rebuilt_tree_after_any_writes(
    depth: int, history: list[tuple[Key, Version]]
) -> None:
    store = store_of(depth, history)
    assert list(store.hashes()) == spec_tree(lww_merge(history), depth)


# --- Merkle sync ---------------------------------------------------------------------


@settings(max_examples=300)
@given(replica_pairs())
def test_after_sync_both_stores_equal_the_lww_merge(
    pair: tuple[int, list[tuple[Key, Version]], list[tuple[Key, Version]]],
) -> None:
    depth, left, right = pair
    a, b = store_of(depth, left), store_of(depth, right)
    merkle_sync(a, b)
    assert a.content == b.content == lww_merge(left, right)
    assert list(a.hashes()) == list(b.hashes()) == spec_tree(a.content, depth)


@settings(max_examples=300)
@given(replica_pairs())
def test_only_keys_under_differing_leaves_are_transferred(
    pair: tuple[int, list[tuple[Key, Version]], list[tuple[Key, Version]]],
) -> None:
    depth, left, right = pair
    a, b = store_of(depth, left), store_of(depth, right)
    first = a.leaves
    before_a, before_b = list(a.hashes()), list(b.hashes())
    differing = {
        leaf for leaf in range(a.leaves) if before_a[first + leaf] != before_b[first + leaf]
    }
    report = merkle_sync(a, b)
    assert set(report.differing_leaves) == differing
    assert {a.leaf_of(key) for key in report.transferred} <= differing


@settings(max_examples=300)
@given(replica_pairs())
def test_hashes_exchanged_stay_within_twice_differing_leaves_times_depth(
    pair: tuple[int, list[tuple[Key, Version]], list[tuple[Key, Version]]],
) -> None:
    depth, left, right = pair
    a, b = store_of(depth, left), store_of(depth, right)
    report = merkle_sync(a, b)
    differing = len(report.differing_leaves)
    # The root, then at most two children of each differing node on each lower level,
    # and a level never holds more differing nodes than there are differing leaves.
    assert report.cost.hashes <= 1 + 2 * differing * depth
    if differing == 0:
        assert report.cost == Cost(hashes=1, keys=0, round_trips=1, bytes=17)
    else:
        assert report.cost.round_trips == depth + 2


def test_sync_of_one_stale_key_pins_its_cost() -> None:
    history = [(key, (1, 0)) for key in range(1000)]
    a, b = store_of(10, history), store_of(10, history)
    b.write(17, (2, 1))
    report = merkle_sync(a, b)
    assert report.differing_leaves == (a.leaf_of(17),)
    assert report.cost.hashes == 1 + 2 * 10
    assert a.get(17) == (2, 1)
    # a sends the keys of that leaf, b returns only key 17.
    assert report.transferred[-1] == 17
    assert report.cost.keys == len(a.leaf_entries(a.leaf_of(17))) + 1


def test_sync_of_stores_with_different_depths_is_refused_with_both_depths() -> None:
    with pytest.raises(ValueError, match="got 3 and 4"):
        merkle_sync(Store(3), Store(4))


# --- the naive scan --------------------------------------------------------------------


@settings(max_examples=300)
@given(replica_pairs())
def test_naive_scan_reaches_the_same_merge_and_ships_every_entry(
    pair: tuple[int, list[tuple[Key, Version]], list[tuple[Key, Version]]],
) -> None:
    depth, left, right = pair
    a, b = store_of(depth, left), store_of(depth, right)
    held_by_a = len(a)
    cost = naive_sync(a, b)
    assert a.content == b.content == lww_merge(left, right)
    assert cost.round_trips == 1 and cost.hashes == 0
    assert cost.keys >= held_by_a


# --- the simulation --------------------------------------------------------------------


@settings(max_examples=30)
@given(
    keys=st.integers(min_value=1, max_value=300),
    replicas=st.integers(min_value=2, max_value=5),
    diverge=st.floats(min_value=0.0, max_value=1.0),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_simulated_cluster_converges_to_the_lww_merge_of_every_write(
    keys: int, replicas: int, diverge: float, seed: int
) -> None:
    cluster = diverged_cluster(DivergenceConfig(keys, replicas, diverge, seed))
    disagreeing = sum(
        1 for key in range(keys) if len({replica.get(key) for replica in cluster.replicas}) > 1
    )
    assert disagreeing == cluster.diverged == round(keys * diverge)
    naive_replicas = [replica.copy() for replica in cluster.replicas]
    result = reconcile(cluster.replicas, merkle)
    assert result.agreed and result.passes == 1
    assert all(replica.content == cluster.expected for replica in cluster.replicas)
    assert reconcile(naive_replicas, naive_sync).agreed
    assert all(replica.content == cluster.expected for replica in naive_replicas)


def test_simulation_is_deterministic_for_a_seed_and_pins_its_costs() -> None:
    config = DivergenceConfig(keys=2000, replicas=3, diverge=0.01, seed=1)
    runs = [reconcile(diverged_cluster(config).replicas, merkle) for _ in range(2)]
    assert runs[0] == runs[1]
    assert config.depth == 8 and diverged_cluster(config).diverged == 20
    other = reconcile(diverged_cluster(DivergenceConfig(2000, 3, 0.01, seed=2)).replicas, merkle)
    assert other.cost != runs[0].cost


def test_a_broken_sync_is_reported_as_disagreement_after_the_pass_limit() -> None:
    cluster = diverged_cluster(DivergenceConfig(keys=100, replicas=3, diverge=0.1, seed=1))
    result = reconcile(cluster.replicas, lambda a, b: Cost(), max_passes=2)
    assert not result.agreed and result.passes == 2 and len(result.syncs) == 6


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"keys": 0}, "keys must be >= 1, got 0"),
        ({"replicas": 1}, "replicas must be >= 2"),
        ({"diverge": 1.5}, "diverge must be a fraction in 0..1, got 1.5"),
        ({"depth": 21}, "depth must be 0..20, got 21"),
    ],
)
def test_config_errors_name_field_value_and_range(fields: dict[str, float], message: str) -> None:
    arguments = {"keys": 10, "replicas": 3, "diverge": 0.1, "seed": 1, **fields}
    with pytest.raises(ValueError, match=message):
        DivergenceConfig(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["store", "sync", "simulation"])
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"leaderless.model.antientropy.{name}")
    assert doctest.testmod(module).failed == 0
