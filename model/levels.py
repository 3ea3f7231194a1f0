"""Cassandra's consistency levels as requirements on the replicas that answered.

A level is met by a set of replicas when each of its requirements holds: at least
`least` members among the replicas of `mask`. ONE, TWO, THREE, QUORUM and ALL count
replicas anywhere; LOCAL_ONE and LOCAL_QUORUM count in the coordinator's datacenter;
EACH_QUORUM asks a local quorum in every datacenter; ANY (writes only) is met by one
ack, since this model has no hints. A numeric quorum (MODEL.md's `w` and `r`) is the
requirement "at least w (r) replicas anywhere", so one code path serves both.

>>> need = requirement("LOCAL_QUORUM", 0, (0b00111, 0b11000), home=1)
>>> need, meets(need, 0b01000), meets(need, 0b11000)
(((24, 2),), False, True)
"""

from __future__ import annotations

LEVELS = ("ONE", "TWO", "THREE", "QUORUM", "LOCAL_ONE", "LOCAL_QUORUM", "EACH_QUORUM", "ALL", "ANY")
READ_LEVELS = tuple(level for level in LEVELS if level != "ANY")
LOCAL_LEVELS = ("LOCAL_ONE", "LOCAL_QUORUM")
COUNTED = {"ONE": 1, "TWO": 2, "THREE": 3, "ANY": 1}

Requirement = tuple[tuple[int, int], ...]  # (replica mask, least members), all must hold


def quorum(replicas: int) -> int:
    return replicas // 2 + 1


def requirement(
    level: str | None, numeric: int, dc_masks: tuple[int, ...], home: int
) -> Requirement:
    """What an op at `level` needs (`numeric` replicas anywhere when level is None), for
    a coordinator in datacenter `home`; `dc_masks` are the datacenters' replica masks."""
    everyone = 0
    for mask in dc_masks:
        everyone |= mask
    n = everyone.bit_count()
    if level is None:
        return ((everyone, numeric),)
    if level in COUNTED:
        return ((everyone, COUNTED[level]),)
    if level == "QUORUM":
        return ((everyone, quorum(n)),)
    if level == "ALL":
        return ((everyone, n),)
    if level == "LOCAL_ONE":
        return ((dc_masks[home], 1),)
    if level == "LOCAL_QUORUM":
        return ((dc_masks[home], quorum(dc_masks[home].bit_count())),)
    if level == "EACH_QUORUM":
        return tuple((mask, quorum(mask.bit_count())) for mask in dc_masks)
    raise ValueError(f"unknown consistency level {level!r}")


def meets(need: Requirement, replicas: int) -> bool:
    """Whether the replicas of the bitmask `replicas` meet the requirement."""
    return all((replicas & mask).bit_count() >= least for mask, least in need)
