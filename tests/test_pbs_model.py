"""model/pbs as pure functions: exact values against brute force, the Monte Carlo
against exact facts, determinism under a seed, faults moving the curve the right way."""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import numpy as np
import pytest

from leaderless.model.pbs.availability import availability, load
from leaderless.model.pbs.kstaleness import (
    cluster_k_staleness,
    cluster_miss_probability,
    miss_probability,
)
from leaderless.model.pbs.latency import (
    PRODUCTION_FITS,
    Constant,
    Empirical,
    Exponential,
    LatencyError,
    Mixture,
    Pareto,
    WarsLatency,
    parse_distribution,
    parse_latency,
)
from leaderless.model.pbs.quorums import Cluster, Need, Rule, plain_cluster, threshold_rule
from leaderless.model.pbs.wars import Faults, quantile, simulate, wilson

SSD = PRODUCTION_FITS["LNKD-SSD"]
DISK = PRODUCTION_FITS["LNKD-DISK"]


def two_dc_local_quorum() -> Cluster:
    """3 + 3 replicas; reads LOCAL_QUORUM in dc2, writes LOCAL_QUORUM in dc1."""
    dc1, dc2 = (0, 1, 2), (3, 4, 5)
    return Cluster(
        6,
        (0, 0, 0, 1, 1, 1),
        ("dc1", "dc2"),
        Rule((Need(dc2, (1, 1, 1), 2),), "LOCAL_QUORUM(dc2)"),
        Rule((Need(dc1, (1, 1, 1), 2),), "LOCAL_QUORUM(dc1)"),
        1,
        0,
    )


# -- exact -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "r", "w"),
    [(n, r, w) for n in range(1, 6) for r in range(1, n + 1) for w in range(1, n + 1)],
)
def test_enumerated_quorums_agree_with_the_closed_form(n, r, w):
    """The general path (minimal quorums, pairs counted) equals C(n-w, r) / C(n, r)."""
    cluster = Cluster(n, (0,) * n, ("dc1",), threshold_rule(n, r, "r"), threshold_rule(n, w, "w"))
    assert cluster.plain is not None
    forced = Cluster(
        n,
        (0,) * n,
        ("dc1",),
        Rule((Need(tuple(range(n)), (1,) * n, r), Need((), (), 0)), "r"),
        threshold_rule(n, w, "w"),
    )
    assert forced.plain is None
    assert cluster_miss_probability(forced) == miss_probability(n, r, w)
    assert (miss_probability(n, r, w) == 0) == (r + w > n)


def test_disjoint_local_quorums_in_two_datacenters_always_miss():
    """Reads in dc2 and writes in dc1 never share a replica: k-staleness 0 for every k."""
    assert cluster_k_staleness(two_dc_local_quorum(), 3) == 0


def brute_availability(cluster: Cluster, p: Fraction, q: Fraction):
    """Sum over every live/dead pattern of datacenters and nodes."""
    totals = [Fraction(0)] * 3
    dcs = len(cluster.dc_names)
    for dc_alive in product((True, False), repeat=dcs):
        weight_dc = np.prod([1 - q if alive else q for alive in dc_alive], dtype=object)
        for nodes in product((True, False), repeat=cluster.n):
            if any(alive and not dc_alive[cluster.dc_of[i]] for i, alive in enumerate(nodes)):
                continue
            weight = weight_dc
            for i, alive in enumerate(nodes):
                if dc_alive[cluster.dc_of[i]]:
                    weight *= (1 - p) if alive else p
            mask = sum(1 << i for i, alive in enumerate(nodes) if alive)
            read, write = cluster.read.met_by(mask), cluster.write.met_by(mask)
            totals[0] += weight * read
            totals[1] += weight * write
            totals[2] += weight * (read and write)
    return tuple(totals)


@pytest.mark.parametrize(
    "cluster",
    [plain_cluster(3, 2, 2), plain_cluster(4, 1, 3), two_dc_local_quorum()],
    ids=["3-2-2", "4-1-3", "two-dc"],
)
def test_availability_equals_brute_force(cluster):
    for p, q in ((Fraction(1, 10), Fraction(0)), (Fraction(1, 7), Fraction(1, 5))):
        found = availability(cluster, p, q)
        assert (found.read, found.write, found.both) == brute_availability(cluster, p, q)


def test_weighted_votes_availability():
    """Gifford's example: primary p1, p2 with 2 votes each, backups b1..b3 with 1; QUORUM
    is 4 of 7 votes. With only p1 and p2 alive the quorum is met."""
    votes = (2, 2, 1, 1, 1)
    quorum = Rule((Need(tuple(range(5)), votes, 4),), "QUORUM")
    cluster = Cluster(5, (0, 0, 1, 1, 1), ("primary", "backup"), quorum, quorum)
    assert quorum.met_by(0b00011)  # p1 + p2: 4 votes
    assert not quorum.met_by(0b11100)  # the three backups: 3 votes
    assert quorum.met_by(0b11101)  # p1 + the backups: 5 votes
    found = availability(cluster, Fraction(1, 10))
    assert (found.read, found.write, found.both) == brute_availability(
        cluster, Fraction(1, 10), Fraction(0)
    )


def test_load_of_threshold_quorums():
    assert load(plain_cluster(5, 2, 3), Fraction(1, 2)) == Fraction(1, 2)
    assert load(plain_cluster(3, 1, 3), Fraction(1)) == Fraction(1, 3)
    # Local quorums put every operation of a side on one datacenter: 2 of its 3 replicas.
    assert load(two_dc_local_quorum(), Fraction(1, 2)) == Fraction(1, 3)


# -- latency -----------------------------------------------------------------------------


def test_specs_print_back_as_written():
    for spec in (
        "exp:1.66",
        "pareto:0.235:10",
        "lognormal:0.5:1.2",
        "const:3",
        "0.9122*pareto:0.235:10+0.0878*exp:1.66",
    ):
        assert str(parse_distribution(spec)) == spec
    assert parse_latency("lnkd-disk") is PRODUCTION_FITS["LNKD-DISK"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("exp:0", "exp rate must be a number > 0"),
        ("pareto:1", "pareto takes 2 parameter(s), got 1"),
        ("gamma:1:2", "unknown distribution 'gamma'"),
        ("0.5*exp:1+0.4*exp:2", "mixture weights must sum to 1"),
        ("exp:fast", "'fast' is not a number"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec, message):
    with pytest.raises(LatencyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_distribution(spec)


def test_samples_follow_their_distribution():
    rng = np.random.default_rng(5)
    assert np.mean(Exponential(2.0).sample(rng, 200_000)) == pytest.approx(0.5, rel=0.01)
    pareto = Pareto(1.0, 3.0).sample(rng, 200_000)
    assert pareto.min() >= 1.0 and np.mean(pareto) == pytest.approx(1.5, rel=0.02)
    mixed = Mixture(((0.25, Constant(1.0)), (0.75, Constant(3.0)))).sample(rng, (1000, 3))
    assert mixed.shape == (1000, 3) and np.mean(mixed == 1.0) == pytest.approx(0.25, abs=0.02)
    measured = Empirical((1.0, 2.0, 4.0)).sample(rng, 9000)
    assert set(np.unique(measured)) == {1.0, 2.0, 4.0}


# -- Monte Carlo -------------------------------------------------------------------------


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = simulate(plain_cluster(3, 1, 1), DISK, 50_000, seed=11)
    b = simulate(plain_cluster(3, 1, 1), DISK, 50_000, seed=11)
    c = simulate(plain_cluster(3, 1, 1), DISK, 50_000, seed=12)
    assert np.array_equal(a.windows, b.windows) and np.array_equal(a.read_latency, b.read_latency)
    assert not np.array_equal(a.windows, c.windows)


def test_overlapping_quorums_are_always_consistent_and_partial_ones_not():
    for r, w in ((2, 2), (1, 3), (3, 1)):
        assert (
            simulate(plain_cluster(3, r, w), DISK, 20_000, seed=1).consistency_at(0).estimate == 1
        )
    partial = simulate(plain_cluster(3, 1, 1), DISK, 20_000, seed=1)
    assert partial.consistency_at(0).high < 0.5


def test_at_commit_with_instant_reads_visibility_is_exact_k_staleness():
    """A = R = 0 and W, S continuous: the write commits when the w-th fastest W lands, so
    exactly the w acknowledged replicas hold it; a read sent at commit reaches replicas
    at once and keeps the r fastest S, a uniform r-set independent of the write set. So
    P(consistent at t = 0) is exactly 1 - C(n-w, r) / C(n, r), the closed form."""
    zero = Constant(0.0)
    legs = WarsLatency(Exponential(1.0), zero, zero, Exponential(1.0))
    for n, r, w in ((5, 2, 2), (3, 1, 1), (6, 2, 3)):
        found = simulate(plain_cluster(n, r, w), legs, 200_000, seed=3).consistency_at(0.0)
        assert found.low <= float(1 - miss_probability(n, r, w)) <= found.high


def test_tied_responses_do_not_let_a_read_keep_more_than_it_waits_for():
    """Every read response takes exactly 1 ms: all n tie. A read at r=1 still keeps one
    response (a uniformly random one), so at commit it sees the write with exactly the
    closed-form probability, not always; and its latency is the untied 1 ms."""
    zero = Constant(0.0)
    legs = WarsLatency(Exponential(1.0), zero, zero, Constant(1.0))
    result = simulate(plain_cluster(3, 1, 1), legs, 100_000, seed=5)
    found = result.consistency_at(0.0)
    assert found.low <= 1 / 3 <= found.high
    assert set(np.unique(result.read_latency)) == {1.0}


def test_monte_carlo_matches_an_exact_two_replica_curve():
    """n = 2, r = w = 1, W exponential (rate 1), A = R = 0, S exponential: the write commits
    at the faster W; the read keeps the replica with the faster S, either one with
    probability 1/2, and is stale only if that is the slower writer and t is below the
    gap between the two W, which is exponential with rate 1. So
    P(consistent at t) = 1/2 + 1/2 (1 - e^-t)."""
    zero = Constant(0.0)
    legs = WarsLatency(Exponential(1.0), zero, zero, Exponential(5.0))
    result = simulate(plain_cluster(2, 1, 1), legs, 400_000, seed=9)
    for t in (0.0, 0.5, 2.0):
        expected = 0.5 + 0.5 * (1 - np.exp(-t))
        found = result.consistency_at(t)
        assert found.low <= expected <= found.high


def test_downed_replicas_fail_operations_instead_of_serving_stale_reads():
    result = simulate(plain_cluster(3, 2, 2), DISK, 100_000, seed=4, faults=Faults(down=0.2))
    # P(fewer than 2 of 3 alive) = 0.2^3 + 3 * 0.2^2 * 0.8 = 0.104.
    assert result.write_failures / result.trials == pytest.approx(0.104, abs=0.005)
    assert result.consistency_at(0).estimate == 1  # r + w > n still overlaps among the live


def test_lost_writes_never_arrive_without_anti_entropy():
    lossy = simulate(plain_cluster(3, 1, 1), SSD, 100_000, seed=4, faults=Faults(drop=0.3))
    assert lossy.t_at(0.999).estimate == float("inf")  # the curve stays below 1 forever
    plateau = lossy.consistency_at(1e9).estimate
    assert 0.7 < plateau < 0.95
    repaired = simulate(
        plain_cluster(3, 1, 1), SSD, 100_000, seed=4, faults=Faults(drop=0.3, anti_entropy_ms=50.0)
    )
    assert repaired.consistency_at(60.0).estimate == 1
    assert repaired.consistency_at(5.0).estimate < 1.0


def test_datacenter_delay_makes_remote_reads_stale_for_longer():
    cluster = Cluster(
        6,
        (0, 0, 0, 1, 1, 1),
        ("dc1", "dc2"),
        threshold_rule(6, 1, "ONE"),
        threshold_rule(6, 1, "ONE"),
        1,
        0,
    )
    near = simulate(cluster, SSD, 50_000, seed=2)
    far = simulate(cluster, SSD, 50_000, seed=2, faults=Faults(dc_delay_ms=40.0))
    assert far.t_at(0.99).estimate > near.t_at(0.99).estimate + 20


def test_progress_can_stop_a_run_and_says_so():
    calls = []

    def stop_after_first(done, total):
        calls.append(done)
        return "a limit reached"

    result = simulate(plain_cluster(3, 1, 1), SSD, 2_000_000, seed=1, progress=stop_after_first)
    assert not result.complete and result.stopped_by == "a limit reached"
    assert result.trials == calls[0] < 2_000_000


def test_intervals():
    assert wilson(0, 100).low == 0.0 and wilson(100, 100).high == 1.0
    interval = wilson(50, 100)
    assert interval.low < 0.5 < interval.high
    values = np.arange(1000, dtype=float)
    q = quantile(values, 0.9)
    assert q.estimate == 899.0 and q.low < 899.0 < q.high
    assert quantile(values, 0.9999).high == float("inf")
