"""Replica symmetry: every replica id plays the same role, so states that differ only
by a renaming of replicas have the same futures and satisfy the same properties.

`Symmetry.representative` maps a state to one member of its orbit under replica
permutations, the same member for every state of the orbit, so the explorer can
keep one state per orbit. To stay cheap it only tries the permutations that sort
the replicas by a per-replica signature (stored version, alive), and takes the
smallest result among those; the set of such permutations images is itself a
function of the orbit, which is what makes the choice canonical.
"""

from __future__ import annotations

from itertools import permutations, product

from model.state import (
    CRASHES,
    DROPS,
    HIST,
    LIVE,
    NET,
    NOW,
    STORE,
    UP,
    Scope,
)


class Symmetry:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.n = scope.n
        self._message_maps: dict[tuple[int, ...], dict[int, int]] = {}
        self._mask_maps: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._identity = tuple(range(self.n))

    def _mask_map(self, perm: tuple[int, ...]) -> tuple[int, ...]:
        table = self._mask_maps.get(perm)
        if table is None:
            table = tuple(
                sum(1 << perm[i] for i in range(self.n) if mask >> i & 1)
                for mask in range(1 << self.n)
            )
            self._mask_maps[perm] = table
        return table

    def _rename_message(self, perm: tuple[int, ...], table: dict[int, int], code: int) -> int:
        renamed = table.get(code)
        if renamed is None:
            m = self.scope.decode_message(code)
            renamed = table[code] = self.scope.message(m.kind, m.op, perm[m.replica], m.version)
        return renamed

    def permute(self, state: tuple, perm: tuple[int, ...]) -> tuple:
        """The state with replica i renamed perm[i]."""
        masks = self._mask_map(perm)
        table = self._message_maps.setdefault(perm, {})
        store = state[STORE]
        new_store = [0] * self.n
        for i, version in enumerate(store):
            new_store[perm[i]] = version
        rename = self._rename_message
        net = tuple(sorted(rename(perm, table, code) for code in state[NET]))
        live = tuple(
            (masks[acks], tuple(sorted((perm[i], v) for i, v in responses)), masks[awaiting])
            if (acks or responses or awaiting) else record
            for record in state[LIVE]
            for acks, responses, awaiting in (record,)
        )
        return (tuple(new_store), masks[state[UP]], state[NOW], net, state[DROPS],
                state[CRASHES], state[HIST], live)

    def representative(self, state: tuple) -> tuple:
        store, up = state[STORE], state[UP]
        signature = [(store[i], not up >> i & 1) for i in range(self.n)]
        order = sorted(range(self.n), key=signature.__getitem__)
        groups: list[list[int]] = []
        for i in order:
            if groups and signature[groups[-1][0]] == signature[i]:
                groups[-1].append(i)
            else:
                groups.append([i])
        if len(groups) == self.n:
            perm = [0] * self.n
            for position, i in enumerate(order):
                perm[i] = position
            perm_t = tuple(perm)
            return state if perm_t == self._identity else self.permute(state, perm_t)
        best = None
        for arrangement in product(*(permutations(group) for group in groups)):
            perm = [0] * self.n
            position = 0
            for group in arrangement:
                for i in group:
                    perm[i] = position
                    position += 1
            candidate = self.permute(state, tuple(perm))
            if best is None or candidate < best:
                best = candidate
        assert best is not None
        return best
