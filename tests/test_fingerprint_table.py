"""The visited table against a Python set: what `add` returns, `contains`, `count`, across
shard growths, long probe runs, the extreme fingerprints, and a table shared in files."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaderless.checker.visited import _SCATTER, _SHARD_BITS, FingerprintTable, contains

TOP = 2**63 - 1  # the largest fingerprint


def expected_new(seen: set[int], batch: list[int]) -> list[int]:
    """The semantics of `add`: indices of the first occurrences of what is not yet seen."""
    new = []
    for index, fingerprint in enumerate(batch):
        if fingerprint not in seen:
            seen.add(fingerprint)
            new.append(index)
    return new


def same_home(count: int, seed: int) -> np.ndarray:
    """`count` distinct fingerprints whose scattered words share their top 24 bits: one
    shard, and one home slot in it while the shard has at most 2^18 slots."""
    inverse = pow(int(_SCATTER), -1, 2**64)
    rng = np.random.default_rng(seed)
    found: set[int] = set()
    while len(found) < count:
        scattered = (0xABCDEF << 40) | int(rng.integers(0, 2**40))
        word = (scattered * inverse) % 2**64
        if word >> 63:  # a stored word has the top bit set
            found.add(word - 2**63)
    return np.array(sorted(found), dtype=np.uint64)


def test_the_extreme_fingerprints_are_kept_apart_from_empty_slots():
    table = FingerprintTable(small=0)
    assert table.add(np.array([0, TOP, 0, TOP, 1], dtype=np.uint64)).tolist() == [0, 1, 4]
    assert table.count == 3
    assert table.contains(np.array([0, TOP, 1, 2, TOP - 1], dtype=np.uint64)).tolist() == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert table.add(np.array([TOP, 2, 0], dtype=np.uint64)).tolist() == [1]


@given(
    st.lists(
        st.lists(
            st.one_of(st.integers(0, 40), st.sampled_from([0, TOP, TOP - 1]), st.integers(0, TOP)),
            max_size=60,
        ),
        max_size=12,
    )
)
def test_small_batches_behave_as_a_set(batches):
    table = FingerprintTable(small=0)
    seen: set[int] = set()
    for batch in batches:
        array = np.array(batch, dtype=np.uint64)
        assert table.add(array).tolist() == expected_new(seen, batch)
        assert table.count == len(seen)
        assert table.contains(array).all()
    asked = list(range(45)) + [TOP, TOP - 1, TOP - 2]
    assert table.contains(np.array(asked, dtype=np.uint64)).tolist() == [a in seen for a in asked]


def test_batches_across_many_growths_behave_as_a_set():
    rng = np.random.default_rng(11)
    table = FingerprintTable(small=0)
    seen: set[int] = set()
    pool = rng.integers(0, 2**63, size=30_000, dtype=np.uint64)  # repeats within and across
    capacities = {table.capacity}
    for _ in range(40):
        size = int(rng.integers(0, 4000))
        batch = np.concatenate(
            (
                rng.choice(pool, size=size // 2),
                rng.integers(0, 2**63, size=size - size // 2, dtype=np.uint64),
            )
        )
        assert table.add(batch).tolist() == expected_new(seen, batch.tolist())
        assert table.count == len(seen)
        capacities.add(table.capacity)
    assert len(capacities) > 20  # shards grew one at a time, many times over
    members = np.fromiter(seen, dtype=np.uint64, count=len(seen))
    assert table.contains(members).all()
    others = rng.integers(0, 2**63, size=20_000, dtype=np.uint64)
    assert table.contains(others).tolist() == [int(x) in seen for x in others]


def test_a_growth_doubles_one_shard_only():
    table = FingerprintTable(small=0)
    least = table.capacity
    crowded = same_home(2000, seed=1)
    assert table.add(crowded).tolist() == list(range(2000))
    # One shard of least/64 slots grew to the least power of two above 2000 / (3/4).
    assert table.capacity == least - least // 2**_SHARD_BITS + 4096
    assert table.nbytes == 8 * table.capacity


def test_a_long_run_from_one_home_slot_resolves():
    table = FingerprintTable(small=0)
    crowded = same_home(3000, seed=2)
    members, strangers = crowded[::2], crowded[1::2]  # all of one home slot
    assert table.add(np.repeat(members, 2)).tolist() == list(range(0, 3000, 2))
    assert table.add(crowded).tolist() == list(range(1, 3000, 2))
    assert table.contains(crowded).all()
    fresh = FingerprintTable(small=0)
    fresh.add(members)
    assert (
        fresh.contains(np.concatenate((members, strangers))).tolist()
        == [True] * 1500 + [False] * 1500
    )


def test_a_shared_table_reads_the_same_in_another_mapping(tmp_path):
    rng = np.random.default_rng(5)
    table = FingerprintTable(small=0)
    first = rng.integers(0, 2**63, size=3000, dtype=np.uint64)
    table.add(first)
    table.share(str(tmp_path))
    before = table.path
    assert before is not None
    assert contains(FingerprintTable.attach(before), first).all()
    more = rng.integers(0, 2**63, size=250_000, dtype=np.uint64)
    table.add(more)  # shards grow into new files, named by a new index
    assert table.path != before and not os.path.exists(before)
    assert table.path is not None
    shards = FingerprintTable.attach(table.path)
    assert all(not shard.flags.writeable for shard in shards)
    assert sum(len(shard) for shard in shards) == table.capacity
    asked = np.concatenate((first, more, rng.integers(0, 2**63, size=5000, dtype=np.uint64)))
    assert contains(shards, asked).tolist() == table.contains(asked).tolist()
    assert contains(shards, asked)[:253_000].all()
    table.close()
    assert not os.listdir(tmp_path)


def test_a_table_made_in_a_directory_is_shared_from_the_start(tmp_path):
    table = FingerprintTable(str(tmp_path), bits=12)
    assert table.capacity == 4096
    assert table.add(np.array([7, 7, 8], dtype=np.uint64)).tolist() == [0, 2]
    assert table.path is not None
    shards = FingerprintTable.attach(table.path)
    assert contains(shards, np.array([7, 8, 9], dtype=np.uint64)).tolist() == [True, True, False]
    table.close()
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize("small", [0, 1, 100, 10_000])
def test_the_small_set_then_the_shards_answer_as_one_table(small):
    rng = np.random.default_rng(7)
    table, seen = FingerprintTable(small=small), set()
    for _ in range(30):
        batch = rng.integers(0, 3000, size=200, dtype=np.uint64)
        expected = []
        for index, fp in enumerate(batch.tolist()):
            if fp not in seen:
                seen.add(fp)
                expected.append(index)
        assert table.add(batch).tolist() == expected
        assert table.count == len(seen)
    asked = np.arange(0, 3500, dtype=np.uint64)
    assert table.contains(asked).tolist() == [int(a) in seen for a in asked]
    # Past `small` the fingerprints are in the shards (unless it is the larger).
    assert (table.capacity > table.count) == (small < len(seen))
