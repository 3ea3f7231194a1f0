"""Reproduce the figures of Bailis et al., "Probabilistically Bounded Staleness for
Practical Partial Quorums", PVLDB 5(8), 2012.

Section, table and figure numbers follow the camera-ready LaTeX source
(writeup/ernst.tex in github.com/pbailis/pbs-vldb-historical-paper-material, the
commit before "Cleaning up"): Section 3.1 k-staleness, 2.1 probabilistic quorums,
5.3 write latency distribution effects (Figure 4), 5.5 fits (Table 3) and the WAN
scenario,
5.6 observed t-visibility (Figure 6), 5.7 quorum sizing (Figure 7), 5.8 latency
vs. t-visibility (Table 4).

Tolerances. The paper's t-visibility numbers are Monte Carlo estimates themselves:
Table 4's caption says its t values come from 50,000 reads and writes. So a published
probability is compared within 3 standard errors of a 50,000-trial estimate plus its
printed rounding plus our own 95% interval; a published t at 99.9% is checked by
asking whether our P(consistent at that t) is within the same band of 99.9% (the
paper's t is where its own noisy estimate first crossed 99.9%, so it sits on the low
side of ours: read off a noisy curve, the first crossing comes early). Latency
percentiles (1M trials in the paper) are compared within 4%.

What does not reproduce as published: Table 3 gives YMMR's write Pareto shape as
alpha = 3.35, but the authors' simulator (nrw_solver/src/Simulator.java, same
repository) draws alpha = 3.5, and the paper's YMMR figures (89.3% at t = 0, Table 4's
L_w) match 3.5, not 3.35. The YMMR preset keeps the published 3.35; the YMMR tests
use 3.5 and say so, and one test pins the published fit's own number.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from leaderless.model.pbs.kstaleness import k_staleness, miss_probability
from leaderless.model.pbs.latency import PRODUCTION_FITS, Exponential, Mixture, Pareto, WarsLatency
from leaderless.model.pbs.quorums import Cluster, plain_cluster, threshold_rule
from leaderless.model.pbs.wars import Faults, quantile, simulate

PAPER_TRIALS = 50_000
TRIALS = 400_000
SEED = 2012

YMMR = PRODUCTION_FITS["YMMR"]
YMMR_SIMULATED = WarsLatency(
    Mixture(((0.939, Pareto(3.0, 3.5)), (0.061, Exponential(0.0028)))),
    YMMR.ack,
    YMMR.read,
    YMMR.response,
    "YMMR (alpha 3.5)",
)
FITS = {
    "LNKD-SSD": PRODUCTION_FITS["LNKD-SSD"],
    "LNKD-DISK": PRODUCTION_FITS["LNKD-DISK"],
    "YMMR": YMMR_SIMULATED,
}


def paper_band(p: float, rounding: float = 0.0) -> float:
    """How far a 50,000-trial estimate of p plausibly strays: 3 standard errors, plus
    the rounding of the printed number."""
    return 3 * math.sqrt(p * (1 - p) / PAPER_TRIALS) + rounding


_cache: dict = {}


def wan(r: int, w: int) -> Cluster:
    """Section 5.5's WAN scenario: each of the N=3 replicas in its own datacenter, reads
    and writes coordinated from a random one, remote messages 75 ms slower each way,
    LNKD-DISK delays on top."""
    return Cluster(
        3,
        (0, 1, 2),
        ("dc1", "dc2", "dc3"),
        threshold_rule(3, r, f"r={r}"),
        threshold_rule(3, w, f"w={w}"),
    )


def run(fit: str, n: int, r: int, w: int, legs: WarsLatency | None = None):
    key = (fit, n, r, w)
    if key not in _cache:
        if fit == "WAN":
            _cache[key] = simulate(
                wan(r, w),
                PRODUCTION_FITS["LNKD-DISK"],
                TRIALS,
                seed=SEED,
                faults=Faults(dc_delay_ms=75.0),
            )
        else:
            _cache[key] = simulate(plain_cluster(n, r, w), legs or FITS[fit], TRIALS, seed=SEED)
    return _cache[key]


def assert_probability(result, t: float, published: float, rounding: float) -> None:
    ours = result.consistency_at(t)
    slack = paper_band(published, rounding) + (ours.high - ours.low) / 2
    assert abs(ours.estimate - published) <= slack, (ours, published, slack)


# -- Section 3.1 and 2.1: exact, so equal to the printed digits -------------------------


def test_k_staleness_examples_of_section_3_1():
    """Section 3.1: N=3, R=W=1 returns a version within 2 versions with 0.5-bar, within 3
    with 0.703-bar, 5 with > 0.868, 10 with > 0.98; R=1, W=2: k=1 0.6-bar, k=2 0.8-bar,
    k=5 > 0.995."""
    assert k_staleness(3, 1, 1, 2) == Fraction(5, 9)
    assert k_staleness(3, 1, 1, 3) == Fraction(19, 27)  # 0.703703...
    assert k_staleness(3, 1, 1, 5) > Fraction(868, 1000)
    assert k_staleness(3, 1, 1, 10) > Fraction(98, 100)
    assert k_staleness(3, 1, 2, 1) == Fraction(2, 3)
    assert k_staleness(3, 1, 2, 2) == Fraction(8, 9)
    assert k_staleness(3, 1, 2, 5) > Fraction(995, 1000)
    assert k_staleness(3, 2, 1, 5) == k_staleness(3, 1, 2, 5)  # "or, equivalently"


def test_probabilistic_quorum_example_of_section_2_1():
    """Section 2.1, Equation 1: N=100, R=W=30 gives p_s = 1.88 x 10^-6; N=3, R=W=1, 0.6-bar."""
    assert f"{float(miss_probability(100, 30, 30)):.2e}" == "1.88e-06"
    assert miss_probability(3, 1, 1) == Fraction(2, 3)


# -- Section 5.6, Figure 6: t-visibility of the production fits -------------------------


def test_lnkd_ssd_observed_t_visibility():
    """Section 5.6: LNKD-SSD, N=3, R=W=1: 97.4% consistent right after commit, over
    99.999% after five milliseconds."""
    result = run("LNKD-SSD", 3, 1, 1)
    assert_probability(result, 0.0, 0.974, 0.0005)
    assert result.t_at(0.99999).estimate < 5.0


def test_lnkd_operation_latencies_of_section_5_6():
    """Section 5.6, N=3, R=W=1: LNKD-SSD operations have median .489 ms and 99.9th
    percentile .657 ms; LNKD-DISK writes have median 1.50 ms. (The same paragraph gives
    LNKD-DISK's write 99.9th percentile as 10.47 ms where Table 4 prints 10.99 ms for the
    same configuration; Table 4's value is pinned in test_table_4.)"""
    ssd, disk = run("LNKD-SSD", 3, 1, 1), run("LNKD-DISK", 3, 1, 1)
    assert quantile(ssd.read_latency, 0.5).estimate == pytest.approx(0.489, rel=0.01)
    assert quantile(ssd.write_latency, 0.5).estimate == pytest.approx(0.489, rel=0.01)
    assert quantile(ssd.write_latency, 0.999).estimate == pytest.approx(0.657, rel=0.04)
    assert quantile(disk.write_latency, 0.5).estimate == pytest.approx(1.50, rel=0.01)


def test_lnkd_disk_observed_t_visibility():
    """Section 5.6: LNKD-DISK, N=3, R=W=1: 43.9% right after commit, 92.5% ten ms later."""
    result = run("LNKD-DISK", 3, 1, 1)
    assert_probability(result, 0.0, 0.439, 0.0005)
    assert_probability(result, 10.0, 0.925, 0.0005)


def test_wan_observed_t_visibility():
    """Section 5.6: WAN, N=3, R=W=1: 33% chance of consistency immediately after commit."""
    assert_probability(run("WAN", 3, 1, 1), 0.0, 0.33, 0.005)


def test_ymmr_observed_t_visibility():
    """Section 5.6: YMMR, N=3, R=W=1: 89.3% right after commit (with alpha = 3.5)."""
    assert_probability(run("YMMR", 3, 1, 1), 0.0, 0.893, 0.0005)


def test_ymmr_as_published_in_table_3_is_lower():
    """The published YMMR fit (alpha = 3.35) gives about 88.7% at t = 0, outside the band
    around the paper's 89.3%: the discrepancy the module docstring reports."""
    result = run("YMMR-3.35", 3, 1, 1, YMMR)
    ours = result.consistency_at(0.0)
    assert 0.884 < ours.estimate < 0.890
    assert abs(ours.estimate - 0.893) > paper_band(0.893, 0.0005)


# -- Section 5.7, Figure 7: varying N ----------------------------------------------------


@pytest.mark.parametrize(("n", "at_zero", "t_999"), [(2, 0.575, 45.3), (10, 0.211, 53.7)])
def test_lnkd_disk_quorum_sizing(n, at_zero, t_999):
    """Section 5.7: LNKD-DISK, R=W=1: 57.5% consistent right after commit with N=2, 21.1%
    with N=10; 99.9% reached at 45.3 ms (N=2) to 53.7 ms (N=10)."""
    result = run("LNKD-DISK", n, 1, 1)
    assert_probability(result, 0.0, at_zero, 0.0005)
    assert_probability(result, t_999, 0.999, 0.0)


# -- Section 5.3, Figure 4: exponential W ------------------------------------------------


@pytest.mark.parametrize(("rate", "at_zero", "t_999"), [(4.0, 0.94, 1.0), (0.1, 0.41, 65.0)])
def test_exponential_write_latency_effects(rate, at_zero, t_999):
    """Section 5.3: A=R=S exponential with mean 1 ms, N=3, R=W=1. W with lambda=4: 94%
    consistent right after the write and 99.9% after 1 ms; lambda=0.1: 41% right after
    and 99.9% only after 65 ms. The figure's trial count is not stated; 50,000 (the
    count the paper states for its t values) is assumed."""
    one = Exponential(1.0)
    result = run(f"exp-{rate}", 3, 1, 1, WarsLatency(Exponential(rate), one, one, one))
    assert_probability(result, 0.0, at_zero, 0.005)
    assert_probability(result, t_999, 0.999, 0.0)


# -- Section 5.8, Table 4: latency vs. t-visibility, N=3 ---------------------------------

# (fit, R, W): (L_r, L_w, t), as printed: 99.9th percentile read and write latency (ms)
# and the t (ms) of a 99.9% probability of consistent reads.
TABLE_4 = {
    ("LNKD-SSD", 1, 1): (0.66, 0.66, 1.85),
    ("LNKD-SSD", 1, 2): (0.66, 1.63, 1.79),
    ("LNKD-SSD", 2, 1): (1.63, 0.65, 0.0),
    ("LNKD-SSD", 2, 2): (1.62, 1.64, 0.0),
    ("LNKD-SSD", 3, 1): (4.14, 0.65, 0.0),
    ("LNKD-SSD", 1, 3): (0.65, 4.09, 0.0),
    ("LNKD-DISK", 1, 1): (0.66, 10.99, 45.5),
    ("LNKD-DISK", 1, 2): (0.65, 20.97, 43.3),
    ("LNKD-DISK", 2, 1): (1.63, 10.9, 13.6),
    ("LNKD-DISK", 2, 2): (1.64, 20.96, 0.0),
    ("LNKD-DISK", 3, 1): (4.12, 10.89, 0.0),
    ("LNKD-DISK", 1, 3): (0.65, 112.65, 0.0),
    ("YMMR", 1, 1): (5.58, 10.83, 1364.0),
    ("YMMR", 1, 2): (5.61, 427.12, 1352.0),
    ("YMMR", 2, 1): (32.6, 10.73, 202.0),
    ("YMMR", 2, 2): (33.18, 428.11, 0.0),
    ("YMMR", 3, 1): (219.27, 10.79, 0.0),
    ("YMMR", 1, 3): (5.63, 1870.86, 0.0),
    ("WAN", 1, 1): (3.4, 55.12, 113.0),
    ("WAN", 1, 2): (3.4, 167.64, 0.0),
    ("WAN", 2, 1): (151.3, 56.36, 30.2),
    ("WAN", 2, 2): (151.31, 167.72, 0.0),
    ("WAN", 3, 1): (153.86, 55.19, 0.0),
    ("WAN", 1, 3): (3.44, 241.55, 0.0),
}


@pytest.mark.parametrize(("fit", "r", "w"), list(TABLE_4))
def test_table_4(fit, r, w):
    """Table 4 (Section 5.8): L_r and L_w within 4%; t: our P(consistent) at the printed
    t is within the 50,000-trial band of 99.9%, and exactly 1 at t = 0 for R + W > N
    (a read quorum then always meets a replica that acknowledged the write). LNKD-SSD
    R=2, W=1 and WAN R=1, W=2 print t = 0: our P(consistent at 0) is at least 99.9%."""
    read_ms, write_ms, t = TABLE_4[(fit, r, w)]
    result = run(fit, 3, r, w)
    assert quantile(result.read_latency, 0.999).estimate == pytest.approx(read_ms, rel=0.04)
    assert quantile(result.write_latency, 0.999).estimate == pytest.approx(write_ms, rel=0.04)
    if r + w > 3:
        assert result.consistency_at(0.0).estimate == 1.0
    elif t == 0.0:
        assert result.consistency_at(0.0).low >= 0.999
    else:
        assert_probability(result, t, 0.999, 0.0)
