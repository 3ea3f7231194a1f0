"""The search finds what must be found, finds nothing where a guarantee holds, and
turns what it finds into short traces that replay.

Searches run with seed None, so the "ci" profile of conftest.py derandomizes them:
the same examples every run, and CI never flakes.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaderless.checker.explorer import explore
from leaderless.checker.render import to_json
from leaderless.checker.simulation import Limits, simulate
from leaderless.checker.trace import normalize, replay, trace_data
from leaderless.model import Config, ReplicationModel
from leaderless.model.actions import Invoke, Timeout
from leaderless.model.clocks import ClientClock, ClientClocks, PerWriteClock
from leaderless.model.config import ConfigError
from leaderless.model.properties import PROPERTY_IDS
from leaderless.model.search import (
    NONE_FOUND,
    VIOLATED,
    Finding,
    ReplicationWalk,
    search,
    search_model,
    shorten,
)


def _found(config: Config, prop: str, examples: int, **options: object) -> Finding:
    [finding] = search(config, properties=[prop], examples=examples, shrink=False, **options)  # type: ignore[arg-type]
    assert finding.status == VIOLATED, f"{prop} not found in {finding.examples} runs"
    return finding


def _replays(finding: Finding) -> None:
    """The trace, as plain JSON data, replays through a fresh model to the violation."""
    assert finding.trace is not None and finding.model is not None
    data = json.loads(to_json(normalize(trace_data(finding.model, finding.trace))))
    fresh = ReplicationModel(Config.from_json(data["config"]))
    states, reason = replay(fresh, data)
    assert len(states) == len(finding.trace) + 1
    assert reason == finding.trace.reason
    index = [p.id for p in fresh.properties].index(finding.property_id)
    assert fresh.violations(states[-1], 1 << index) == 1 << index


@pytest.mark.parametrize("drift", [1, 2])
def test_drift_with_two_writers_breaks_lww_order_and_stale_read(drift: int) -> None:
    config = Config(n=3, w=2, r=2, clients=("w", "w", "r"), drift=drift)
    for prop in ("lww-order", "stale-read"):
        finding = _found(config, prop, examples=1500)
        _replays(finding)
        writes = [
            label
            for label, _ in finding.trace.steps  # type: ignore[union-attr]
            if isinstance(label, Invoke) and label.ts is not None
        ]
        assert len(writes) == 2, "the anomaly needs both writers"


def test_timeouts_break_aborted_read_and_write_atomicity() -> None:
    config = Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True)
    for prop in ("aborted-read", "write-atomicity"):
        finding = _found(config, prop, examples=300)
        _replays(finding)
        assert any(isinstance(label, Timeout) for label, _ in finding.trace.steps)  # type: ignore[union-attr]


@pytest.mark.parametrize("read_repair", ["off", "async"])
def test_monotonic_reads_break_without_blocking_read_repair(read_repair: str) -> None:
    config = Config(n=3, w=1, r=1, clients=("w", "rr"), read_repair=read_repair)
    _replays(_found(config, "monotonic-reads", examples=500))


def test_blocking_read_repair_keeps_reads_monotonic() -> None:
    config = Config(n=3, w=2, r=2, clients=("w", "rr"), read_repair="blocking")
    [finding] = search(config, properties=["monotonic-reads"], examples=150)
    assert finding.status == NONE_FOUND and finding.trace is None
    assert finding.steps >= 2000


@pytest.mark.parametrize("prop", ["stale-read", "lww-order"])
def test_nothing_found_with_exact_clocks_and_overlapping_quorums(prop: str) -> None:
    """drift 0, r + w > n, no timeouts: the guarantee holds, so across thousands of
    steps the search must find nothing (a find would be a bug in model or search)."""
    config = Config(n=5, w=3, r=3, clients=("ww", "w", "rr"), max_drops=1, max_crashes=1)
    [finding] = search(config, properties=[prop], examples=150)
    assert finding.status == NONE_FOUND
    assert finding.examples >= 150 and finding.steps >= 4000


def test_hypothesis_shrinking_then_shortening_reaches_the_shortest_length() -> None:
    config = Config(n=3, w=1, r=1, clients=("w", "r"))
    [finding] = search(config, properties=["stale-read"], examples=300, shrink=True)
    assert finding.status == VIOLATED and finding.trace is not None
    assert len(finding.trace) == 6  # write, its request and ack; read, its request, response
    _replays(finding)


@pytest.mark.parametrize(
    "config, prop",
    [
        (Config(n=3, w=1, r=1, clients=("w", "r")), "stale-read"),
        (Config(n=3, w=1, r=1, clients=("w", "rr")), "monotonic-reads"),
        (Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True), "aborted-read"),
        (Config(n=3, w=2, r=1, clients=("w", "r"), timeouts=True), "write-atomicity"),
        (Config(n=3, w=2, r=2, clients=("w", "w"), drift=1), "lww-order"),
    ],
)
def test_never_shorter_than_the_explorers_shortest(config: Config, prop: str) -> None:
    shortest = explore(ReplicationModel(config)).verdict(prop).trace
    assert shortest is not None
    finding = _found(config, prop, examples=500)
    assert finding.trace is not None
    assert len(finding.trace) >= len(shortest)
    # The shortening pass is good enough that these small ones come out minimal.
    assert len(finding.trace) == len(shortest)


@pytest.mark.parametrize("prop, bound", [("lww-order", 14), ("stale-read", 21)])
def test_counterexamples_on_a_medium_scope_come_out_short(prop: str, bound: int) -> None:
    """Three writers of two ops each on 5 replicas: the shortening matches steps across
    retimed writes and drops a client's op in favour of its next, so these reach the
    length of two (three) quorum round trips. Before that they took 22 and 44 steps."""
    config = Config(n=5, w=3, r=3, clients=("ww", "ww", "ww", "rr"), drift=2)
    finding = _found(config, prop, examples=300)
    assert finding.trace is not None and len(finding.trace) <= bound
    _replays(finding)


def test_client_clock_stepping_back_breaks_lww_order_with_one_writer() -> None:
    """One client writes twice: exact clocks keep its writes in order, but an NTP
    correction between them gives the second write the lower timestamp."""
    config = Config(n=3, w=2, r=2, clients=("ww",))
    [exact] = search(config, properties=["lww-order"], examples=50)
    assert exact.status == NONE_FOUND
    clocks = ClientClocks(ntp_steps=1, max_step=2)
    finding = _found(config, "lww-order", examples=300, clock=clocks)
    assert finding.model is not None and finding.model.config.drift >= 1
    _replays(finding)


def test_skewed_client_clocks_break_lww_order_between_writers() -> None:
    config = Config(n=3, w=2, r=2, clients=("w", "w"))
    finding = _found(config, "lww-order", examples=300, clock=ClientClocks(max_offset=1))
    _replays(finding)


def test_search_reaches_beyond_the_explorer() -> None:
    """9 replicas, 6 clients x 4 ops: far past exhaustive exploration."""
    config = Config(
        n=9,
        w=5,
        r=5,
        clients=("wwrr", "wrwr", "rrww", "wwww", "rrrr", "wrrw"),
        drift=3,
        max_drops=2,
        max_crashes=2,
    )
    _replays(_found(config, "lww-order", examples=200))
    _replays(_found(replace(config, timeouts=True), "write-atomicity", examples=50))


def test_clock_mode_must_match_the_config() -> None:
    with pytest.raises(ConfigError, match="drift"):
        search(Config(drift=1), clock=ClientClocks(), examples=1)
    with pytest.raises(ConfigError, match="drift"):
        search(Config(drift=1), clock=PerWriteClock(2), examples=1)


@given(
    max_offset=st.integers(0, 5),
    max_skew=st.integers(0, 99),
    ntp_steps=st.integers(0, 3),
    max_step=st.integers(1, 4),
    op_count=st.integers(1, 24),
    data=st.data(),
)
def test_every_client_clock_reading_is_above_the_floor(
    max_offset: int,
    max_skew: int,
    ntp_steps: int,
    max_step: int,
    op_count: int,
    data: st.DataObject,
) -> None:
    clocks = ClientClocks(max_offset, max_skew, ntp_steps, max_step)
    clock = ClientClock(
        data.draw(st.integers(-max_offset, max_offset)),
        data.draw(st.integers(-max_skew, max_skew)),
        data.draw(st.integers(0, ntp_steps * max_step)),
    )
    now = data.draw(st.integers(1, op_count))
    assert clocks.reading(clock, now) >= clocks.lowest_reading(op_count)


@pytest.mark.parametrize(
    "options, field",
    [
        ({"max_skew": 100}, "max_skew"),
        ({"max_step": 0}, "max_step"),
        ({"max_offset": -1}, "max_offset"),
        ({"ntp_steps": True}, "ntp_steps"),
    ],
)
def test_client_clock_parameters_are_validated(options: dict[str, int], field: str) -> None:
    with pytest.raises(ConfigError, match=f"^{field}:"):
        ClientClocks(**options)


class _PressedAfter(Limits):
    """Ctrl-C (or any limit) after `checks` looks at the limits."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.left = checks

    def check(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt


def test_shortening_cut_short_keeps_a_violating_run() -> None:
    config = Config(n=5, w=3, r=3, clients=("ww", "ww", "ww", "rr"), drift=2)
    clock = PerWriteClock(config.drift)
    model = search_model(config, clock)
    index = PROPERTY_IDS.index("lww-order")
    found = simulate(
        model,
        index,
        lambda choices: ReplicationWalk(model, clock, choices),
        runs=300,
        max_steps=1000,
        shrink=False,
    )
    assert found.violation is not None
    for checks, fully in ((3, False), (10**9, True)):
        steps, shortened = shorten(model, clock, found.violation, index, _PressedAfter(checks))
        assert shortened is fully and len(steps) <= len(found.violation)
        assert model.violations(steps[-1][1], 1 << index)
        assert fully or len(steps) > 14  # three drops in, far from done
