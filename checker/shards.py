"""The visited table's probing loops, compiled with numba (`leaderless.checker.visited`
imports this module only once a table leaves its small first form, so a small
search never loads numba)."""

from __future__ import annotations

import numba
import numpy as np

_SCATTER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: any fingerprint bits spread
SHARD_BITS = 6  # 64 shards: the top 6 bits of a scattered word choose its shard
_TO_SHARD = np.uint64(64 - SHARD_BITS)
_PAST_SHARD = np.uint64(SHARD_BITS)


@numba.njit(cache=True, inline="always")
def home(word: np.uint64, shifts: np.ndarray) -> tuple[np.int64, np.int64]:
    """A word's shard (the scattered word's top bits) and home slot in it (the next ones)."""
    scattered = word * _SCATTER
    shard = np.int64(scattered >> _TO_SHARD)
    return shard, np.int64((scattered << _PAST_SHARD) >> shifts[shard])


@numba.njit(cache=True)
def insert(
    shards: tuple[np.ndarray, ...],
    shifts: np.ndarray,
    counts: np.ndarray,
    limits: np.ndarray,
    words: np.ndarray,
    added: np.ndarray,
    start: int,
) -> int:
    """Add words[start:] in order, marking in `added` those not present before (a word
    twice in the batch is added at its first occurrence). A word present lies past an
    unbroken run of full slots from its home (nothing is ever removed), so reaching an
    empty slot proves it absent. Stop at a word that would fill its shard past its
    limit; return its index (for the shard to grow), or len(words) once all are in."""
    for i in range(start, len(words)):
        word = words[i]
        shard, at = home(word, shifts)
        slots = shards[shard]
        mask = len(slots) - 1
        while True:
            held = slots[at]
            if held == word:
                break
            if held == 0:
                if counts[shard] >= limits[shard]:
                    return i
                slots[at] = word
                counts[shard] += 1
                added[i] = True
                break
            at = (at + 1) & mask
    return len(words)


@numba.njit(cache=True)
def probe(shards: tuple[np.ndarray, ...], shifts: np.ndarray, words: np.ndarray) -> np.ndarray:
    found = np.zeros(len(words), dtype=np.bool_)
    for i in range(len(words)):
        word = words[i]
        shard, at = home(word, shifts)
        slots = shards[shard]
        mask = len(slots) - 1
        while True:
            held = slots[at]
            if held == word or held == 0:
                found[i] = held == word
                break
            at = (at + 1) & mask
    return found


@numba.njit(cache=True)
def rehash(old: np.ndarray, new: np.ndarray, shift: np.uint64) -> None:
    """Move a shard's words into its grown array (`shift`: its home slots' shift); they
    are distinct, so each goes into the first empty slot from its home."""
    mask = len(new) - 1
    for word in old:
        if word == 0:
            continue
        at = np.int64(((word * _SCATTER) << _PAST_SHARD) >> shift)
        while new[at] != 0:
            at = (at + 1) & mask
        new[at] = word
