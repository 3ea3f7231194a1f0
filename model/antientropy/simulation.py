"""A seeded cluster whose replicas diverge through partially failed writes, and its repair.

Every key is first written to every replica. Then a fraction of the keys diverge:
each gets one or two more writes that reach only a nonempty proper subset of the
replicas (the coordinator crashed or the other replicas timed out), and about half
of them are new keys whose only write is such a partial one, so some replicas lack
the key altogether. The expected outcome is computed from the writes themselves, not
from the replicas: for every key, the largest version that reached any replica.

    >>> cluster = diverged_cluster(DivergenceConfig(keys=200, replicas=3, diverge=0.05, seed=1))
    >>> cluster.diverged, len(cluster.expected) <= 200
    (10, True)
    >>> from leaderless.model.antientropy.sync import merkle_sync
    >>> result = reconcile(cluster.replicas, lambda a, b: merkle_sync(a, b).cost)
    >>> result.agreed, all(s.content == cluster.expected for s in cluster.replicas)
    (True, True)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from leaderless.model.antientropy.store import MAX_DEPTH, Key, Store, Version, default_depth
from leaderless.model.antientropy.sync import Cost

Progress = Callable[[str], None]
# Progress is reported every this many keys while building, so a million-key run says
# something about every second or so without flooding the terminal.
_PROGRESS_EVERY = 250_000


@dataclass(frozen=True, slots=True)
class DivergenceConfig:
    """The scope of one simulation; checked when built, errors name field, value, range."""

    keys: int  # distinct keys, ids 0 .. keys-1
    replicas: int  # replica stores, ids 0 .. replicas-1
    diverge: float  # fraction of keys whose latest write reached only some replicas
    seed: int  # seeds every random choice
    depth: int = field(default=-1)  # Merkle tree depth; -1 picks default_depth(keys)

    def __post_init__(self) -> None:
        if self.keys < 1:
            raise ValueError(f"keys must be >= 1, got {self.keys}")
        if self.replicas < 2:
            raise ValueError(f"replicas must be >= 2 for replicas to diverge, got {self.replicas}")
        if not 0.0 <= self.diverge <= 1.0:
            raise ValueError(f"diverge must be a fraction in 0..1, got {self.diverge}")
        if self.depth == -1:
            object.__setattr__(self, "depth", default_depth(self.keys))
        elif not 0 <= self.depth <= MAX_DEPTH:
            raise ValueError(f"depth must be 0..{MAX_DEPTH}, got {self.depth}")

    @property
    def diverged_keys(self) -> int:
        return round(self.keys * self.diverge)


@dataclass(slots=True)
class Cluster:
    """Diverged replicas and the LWW merge of every write they were sent."""

    replicas: list[Store]  # one store per replica
    expected: dict[Key, Version]  # key -> largest version that reached any replica
    diverged: int  # keys whose replicas disagree
    writes: int  # writes issued, full and partial


@dataclass(frozen=True, slots=True)
class PairSync:
    """One sync in a reconciliation: which replicas, in which pass, at what cost."""

    pass_number: int  # which pass over all pairs, from 1
    initiator: int  # replica that sends hashes first (the lower id)
    responder: int  # replica that answers with bitmaps and its newer entries
    cost: Cost  # what this one sync put on the wire


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Syncs run until the replicas agreed, or until the pass limit was reached."""

    syncs: tuple[PairSync, ...]  # in the order they ran
    agreed: bool  # every replica holds the same content
    passes: int  # passes over all pairs that were run

    @property
    def cost(self) -> Cost:
        return sum((sync.cost for sync in self.syncs), Cost())


def diverged_cluster(config: DivergenceConfig, progress: Progress | None = None) -> Cluster:
    """Build the replicas of `config`, diverged as the module docstring describes."""
    report = progress or _silent
    rng = random.Random(config.seed)
    diverged = sorted(rng.sample(range(config.keys), config.diverged_keys))
    missing = {key for key in diverged if rng.random() < 0.5}

    # Every replica starts from the same fully replicated state: build it once and copy.
    baseline = Store(config.depth)
    clock = 0
    for key in range(config.keys):
        if key % _PROGRESS_EVERY == 0 and key:
            report(f"built {key}/{config.keys} keys")
        if key in missing:
            continue
        clock += 1
        baseline.write(key, (clock, rng.randrange(config.replicas)))
    report(f"built {config.keys}/{config.keys} keys; copying to {config.replicas} replicas")
    replicas = [baseline.copy() for _ in range(config.replicas)]
    expected = dict(baseline.content)
    writes = clock

    for key in diverged:
        for _ in range(rng.randint(1, 2)):
            clock += 1
            version = (clock, rng.randrange(config.replicas))
            reached = rng.sample(range(config.replicas), rng.randint(1, config.replicas - 1))
            for replica in reached:
                replicas[replica].write(key, version)
            expected[key] = version
            writes += 1
    report(f"diverged {len(diverged)} keys")
    return Cluster(replicas, expected, len(diverged), writes)


def reconcile(
    replicas: Sequence[Store],
    sync: Callable[[Store, Store], Cost],
    max_passes: int | None = None,
    progress: Progress | None = None,
) -> Reconciliation:
    """Sync every pair (i < j, in order) until all replicas agree.

    One pass always suffices: after the syncs (0, j) for every j, replicas 0 and n-1
    hold the merge of all, and every later pair (i, n-1) hands it to i. The pass
    limit (default: the number of replicas) turns a broken sync into a finite failure.
    """
    report = progress or _silent
    limit = len(replicas) if max_passes is None else max_passes
    pairs = [(i, j) for i in range(len(replicas)) for j in range(i + 1, len(replicas))]
    syncs: list[PairSync] = []
    for pass_number in range(1, limit + 1):
        for i, j in pairs:
            report(f"pass {pass_number}: sync replicas {i} and {j}")
            syncs.append(PairSync(pass_number, i, j, sync(replicas[i], replicas[j])))
        if _agree(replicas):
            return Reconciliation(tuple(syncs), True, pass_number)
    return Reconciliation(tuple(syncs), _agree(replicas), limit)


def _agree(replicas: Sequence[Store]) -> bool:
    first = replicas[0].content
    return all(replica.content == first for replica in replicas[1:])


def _silent(_: str) -> None:
    pass
