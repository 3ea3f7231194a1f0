"""Replica symmetry: every replica id plays the same role, so states that differ only
by a renaming of replicas have the same futures and satisfy the same properties.

Every replica-dependent part of a state belongs to exactly one replica: its stored
version, its up bit, the messages addressed to or sent by it, its ack, response and
repair-ack slot in each op. Gathered per replica, these form the replica's
*signature*; the state is its replica-free parts plus the multiset of signatures.
So `canonical_key` (the signatures sorted, plus now, fault budgets and histories)
is equal for two states exactly when one is a renaming of the other, with one sort
and no search over permutations. `permute` renames replicas; tests use it to check
that claim.
"""

from __future__ import annotations

from model.state import (
    CRASHES,
    DROPS,
    HIST,
    LIVE,
    NET,
    NOW,
    STORE,
    UP,
    MessageTable,
    Scope,
)


class Symmetry:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.n = scope.n
        self.table = MessageTable(scope)
        # A message code with its replica field cleared, so it compares across replicas.
        self._replica_stride = scope.op_count << 2

    def canonical_key(self, state: tuple) -> tuple:
        n = self.n
        store, up = state[STORE], state[UP]
        signatures: list[list] = [[store[i], up >> i & 1] for i in range(n)]
        table = self.table
        stride = self._replica_stride
        for code in state[NET]:
            replica = table[code][2]
            signatures[replica].append(code - replica * stride)
        # An op's slots are negative ints, apart from message codes and from each
        # other by their residue mod 3: ack -1-3op, awaiting -2-3op, response -3(1+op+M*v).
        op_count = self.scope.op_count
        for op, (acks, responses, awaiting) in enumerate(state[LIVE]):
            if acks:
                for i in range(n):
                    if acks >> i & 1:
                        signatures[i].append(-1 - 3 * op)
            if awaiting:
                for i in range(n):
                    if awaiting >> i & 1:
                        signatures[i].append(-2 - 3 * op)
            for i, version in responses:
                signatures[i].append(-3 * (1 + op + op_count * version))
        return (tuple(sorted(map(tuple, signatures))), state[NOW], state[DROPS], state[CRASHES],
                state[HIST])

    def permute(self, state: tuple, perm: tuple[int, ...]) -> tuple:
        """The state with replica i renamed perm[i]."""
        scope = self.scope

        def mask(bits: int) -> int:
            return sum(1 << perm[i] for i in range(self.n) if bits >> i & 1)

        store = [0] * self.n
        for i, version in enumerate(state[STORE]):
            store[perm[i]] = version
        net = tuple(sorted(
            scope.message(m.kind, m.op, perm[m.replica], m.version)
            for m in map(scope.decode_message, state[NET])
        ))
        live = tuple(
            (mask(acks), tuple(sorted((perm[i], v) for i, v in responses)), mask(awaiting))
            for acks, responses, awaiting in state[LIVE]
        )
        return (tuple(store), mask(state[UP]), state[NOW], net, state[DROPS], state[CRASHES],
                state[HIST], live)
