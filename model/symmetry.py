"""Replica symmetry: every replica id plays the same role, so states that differ only
by a renaming of replicas have the same futures and satisfy the same properties.
With datacenters, only replicas of one datacenter play the same role: each
signature starts with its replica's datacenter, so only renamings within a
datacenter map a state's key to itself.

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

from leaderless.model.state import (
    CRASHES,
    DROPS,
    HINTS,
    HIST,
    LIVE,
    NET,
    NO_LIVE,
    NOW,
    STORE,
    UP,
    Scope,
    State,
)


class _SplitTable(dict):
    """Message code -> (replica, code with the replica field cleared), filled on use."""

    def __init__(self, scope: Scope) -> None:
        super().__init__()
        self._decode = scope.decode_message
        self._stride = scope.op_count << 2

    def __missing__(self, code: int) -> tuple[int, int]:
        replica = self._decode(code).replica
        entry = self[code] = (replica, code - replica * self._stride)
        return entry


class _ReplicasIn(dict):
    """Replica bitmask -> the replicas in it, filled on use (a full table is 2^n long)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self._n = n

    def __missing__(self, mask: int) -> tuple[int, ...]:
        replicas = self[mask] = tuple(i for i in range(self._n) if mask >> i & 1)
        return replicas


class Symmetry:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.n = scope.n
        self._split = _SplitTable(scope)
        self._replicas_in = _ReplicasIn(scope.n)
        self._datacenters = len(scope.dc_masks) > 1
        self._partitions = scope.config.max_partitions > 0
        if scope.config.stand_ins:
            self.canonical_key = self._canonical_key_with_stand_ins  # type: ignore[method-assign]

    def _canonical_key_with_stand_ins(self, state: State) -> tuple:
        """With stand-ins (docs/MODEL.md, hinted handoff) replicas are still
        interchangeable; stand-ins keep their ids. A hint belongs to the replica it is
        for, and a stand-in's ack or message to no replica. Signatures are tuples of
        tagged parts here: slower than the packed ints above, and only run with hints."""
        store, up, now, net, drops, crashes, hist, live, hints = state
        n = self.n
        # A replica's side of a cut is its own; the other participants' sides and the
        # splits spent (UP from bit 2n up) belong to no replica.
        signatures: list[list] = [
            [(0, version, up >> i & 1, up >> (n + i) & 1)] for i, version in enumerate(store)
        ]
        unrenamed: list[int] = []
        split = self._split
        for code in net:
            node, cleared = split[code]
            if node < n:
                signatures[node].append((1, cleared))
            else:
                unrenamed.append(code)
        replicas_in = self._replicas_in
        stand_in_acks = []
        for op, (acks, responses, awaiting) in enumerate(live):
            for i in replicas_in[acks & self.scope.all_up]:
                signatures[i].append((2, op))
            for i in replicas_in[awaiting]:
                signatures[i].append((3, op))
            for i, version in responses:
                signatures[i].append((4, op, version))
            stand_in_acks.append(acks >> n)
        for stand_in, held in enumerate(hints):
            for i, version in held:
                signatures[i].append((5, stand_in, version))
        for signature in signatures:
            signature.sort()
        ordered = sorted(map(tuple, signatures))
        return (
            tuple(ordered),
            now,
            drops,
            crashes,
            hist,
            tuple(unrenamed),
            tuple(stand_in_acks),
            up >> (2 * n),
        )

    def canonical_key(self, state: State) -> tuple:
        store, up, now, net, drops, crashes, hist, live = state
        if self._datacenters:
            # Replicas are interchangeable only within a datacenter: its index leads.
            dc_of = self.scope.dc_of
            signatures = [[dc_of[i], version, up >> i & 1] for i, version in enumerate(store)]
        else:
            signatures = [[version, up >> i & 1] for i, version in enumerate(store)]
        if self._partitions:
            # A replica's side of a cut belongs to it; the clients' sides and the splits
            # spent (UP's bits from 2n up) belong to no replica.
            n = self.n
            for i, signature in enumerate(signatures):
                signature.append(up >> (n + i) & 1)
            up_rest = up >> (2 * n)
        else:
            up_rest = 0
        append = [signature.append for signature in signatures]
        split = self._split
        for code in net:
            replica, cleared = split[code]
            append[replica](cleared)
        # An op's slots are negative ints, apart from message codes and from each
        # other by their residue mod 3: ack -2-3op, awaiting -4-3op, response -3(1+op+M*v).
        # None is -1: the explorer keeps only hashes, and hash(-1) == hash(-2) in CPython,
        # so a key holding -1 would share its fingerprint with one holding -2 for sure,
        # not by chance. Every other int of this size hashes to itself.
        replicas_in = self._replicas_in
        op_count = self.scope.op_count
        for op, record in enumerate(live):
            if record is NO_LIVE:
                continue
            acks, responses, awaiting = record
            if acks:
                for i in replicas_in[acks]:
                    append[i](-2 - 3 * op)
            if awaiting:
                for i in replicas_in[awaiting]:
                    append[i](-4 - 3 * op)
            for i, version in responses:
                append[i](-3 * (1 + op + op_count * version))
        signatures.sort()
        if up_rest:
            return (tuple(map(tuple, signatures)), now, drops, crashes, hist, up_rest)
        return (tuple(map(tuple, signatures)), now, drops, crashes, hist)

    def permute(self, state: State, perm: tuple[int, ...]) -> tuple:
        """The state with replica i renamed perm[i]."""
        scope = self.scope

        def mask(bits: int) -> int:
            return sum(1 << perm[i] for i in range(self.n) if bits >> i & 1)

        store = [0] * self.n
        for i, version in enumerate(state[STORE]):
            store[perm[i]] = version
        net = tuple(
            sorted(
                scope.message(
                    m.kind, m.op, perm[m.replica] if m.replica < self.n else m.replica, m.version
                )
                for m in map(scope.decode_message, state[NET])
            )
        )
        stand_in_bits = ~scope.all_up
        live = tuple(
            (
                mask(acks) | acks & stand_in_bits,
                tuple(sorted((perm[i], v) for i, v in responses)),
                mask(awaiting),
            )
            for acks, responses, awaiting in state[LIVE]
        )
        up = state[UP]
        cut = scope.cut(up)
        clients_side = cut >> self.n << self.n  # the clients' bits stay where they are
        permuted_up = scope.with_cut(
            mask(up), mask(cut & scope.all_up) | clients_side, scope.partitions_spent(up)
        )
        permuted = (
            tuple(store),
            permuted_up,
            state[NOW],
            net,
            state[DROPS],
            state[CRASHES],
            state[HIST],
            live,
        )
        if len(state) > HINTS:
            hints = tuple(tuple(sorted((perm[i], v) for i, v in held)) for held in state[HINTS])
            return (*permuted, hints)
        return permuted
