"""PBS t-visibility by Monte Carlo of the WARS model, vectorized with numpy.

One trial (Bailis et al., VLDB 2012, Sections 4.1 and 5.1): the write coordinator sends
the write to every replica (delay W), each replica acknowledges (delay A), and the write
commits at w_t, when the acknowledgements meet the write rule. A read starts t ms after
commit, reaches each replica after R and comes back after S; it completes when the
responses meet the read rule and returns the newest value among the responses it has
then. A response is fresh when its read request arrived no earlier than the write:
w_t + t + R >= W. So each trial has one number, its staleness window
D = min over responding replicas of (W - R - w_t): the read is consistent for every
t >= D. The t-visibility curve P(consistent at t) is the distribution function of D,
one sample per trial serving every t at once.

Beyond the paper (each off by default, so the paper's figures are reproduced as is):
  - a replica is down with probability `down` for the whole trial: it neither takes the
    write nor answers the read; a write (read) that cannot meet its rule fails and the
    trial is counted as a write (read) failure, not as a stale read;
  - each write message is lost with probability `drop`: that replica neither stores nor
    acknowledges the write, until anti-entropy, if `anti_entropy_ms` is given, copies it
    there at a uniformly random moment within one interval after the write first landed
    on some replica (a periodic exchange with unknown phase);
  - datacenters: a message between a coordinator and a replica in another datacenter
    takes `dc_delay_ms` more, each way (the paper's WAN scenario).

Every trial's randomness comes from one numpy Generator seeded by `seed`, chunk by
chunk in a fixed order, so a seed fixes every number in the result.

    >>> from leaderless.model.pbs.latency import PRODUCTION_FITS
    >>> from leaderless.model.pbs.quorums import plain_cluster
    >>> result = simulate(plain_cluster(3, 1, 1), PRODUCTION_FITS["LNKD-SSD"], 20_000, seed=1)
    >>> 0.95 < result.consistency_at(0.0).estimate < 0.99
    True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from leaderless.model.pbs.latency import WarsLatency
from leaderless.model.pbs.quorums import Cluster, Rule

# 95% two-sided normal quantile for every interval reported.
Z95 = 1.959963984540054

INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class Faults:
    """Faults the paper leaves out; all zero/None reproduces plain WARS."""

    down: float = 0.0  # each replica down for the whole trial with this probability
    drop: float = 0.0  # each write message lost with this probability
    anti_entropy_ms: float | None = None  # a replica that lost the write gets it within this
    dc_delay_ms: float = 0.0  # extra one-way delay between datacenters

    def __post_init__(self) -> None:
        for name in ("down", "drop"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise ValueError(f"{name} probability must be in [0, 1) (got {value})")
        if self.anti_entropy_ms is not None and not (
            math.isfinite(self.anti_entropy_ms) and self.anti_entropy_ms > 0
        ):
            raise ValueError(f"anti-entropy interval must be > 0 ms (got {self.anti_entropy_ms})")
        if not (math.isfinite(self.dc_delay_ms) and self.dc_delay_ms >= 0):
            raise ValueError(f"datacenter delay must be >= 0 ms (got {self.dc_delay_ms})")

    def to_json(self) -> dict:
        return {
            "down": self.down,
            "drop": self.drop,
            "anti_entropy_ms": self.anti_entropy_ms,
            "dc_delay_ms": self.dc_delay_ms,
        }


@dataclass(frozen=True, slots=True)
class Estimate:
    """A sampled number and its 95% confidence interval."""

    estimate: float
    low: float
    high: float

    def to_json(self) -> dict:
        return {key: _finite_or_none(getattr(self, key)) for key in ("estimate", "low", "high")}


def _finite_or_none(value: float) -> float | None:
    # JSON has no infinity: "never reached" is null.
    return value if math.isfinite(value) else None


def wilson(successes: int, trials: int) -> Estimate:
    """The Wilson score interval: sound near 0 and 1, where PBS probabilities live."""
    if trials == 0:
        return Estimate(math.nan, 0.0, 1.0)
    p = successes / trials
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = Z95 * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Estimate(p, low, high)


def quantile(sorted_values: np.ndarray, p: float) -> Estimate:
    """The p-quantile of sorted samples with a distribution-free 95% interval: the order
    statistics whose ranks bound a Binomial(m, p) count (normal approximation)."""
    m = len(sorted_values)
    if m == 0:
        return Estimate(math.nan, math.nan, math.nan)
    spread = Z95 * math.sqrt(m * p * (1 - p))
    rank = min(m - 1, max(0, math.ceil(m * p) - 1))
    low_rank = max(0, math.floor(m * p - spread) - 1)
    high_rank = math.ceil(m * p + spread)
    high = float(sorted_values[high_rank]) if high_rank < m else math.inf
    return Estimate(float(sorted_values[rank]), float(sorted_values[low_rank]), high)


@dataclass
class WarsResult:
    """What a simulation found; arrays are sorted, one entry per trial whose write
    committed and whose read completed."""

    trials: int  # trials run
    requested: int  # trials asked for
    seed: int
    windows: np.ndarray  # staleness window D per trial (ms); inf: never consistent
    read_latency: np.ndarray  # read completion time after the read starts (ms)
    write_latency: np.ndarray  # commit time after the write starts (ms)
    write_failures: int  # trials whose write could not meet its rule
    read_failures: int  # trials whose read could not meet its rule
    stopped_by: str | None = None
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.stopped_by is None

    @property
    def reads(self) -> int:
        return len(self.windows)

    def consistency_at(self, t: float) -> Estimate:
        """P(a read starting t ms after commit returns the write or a newer one)."""
        fresh = int(np.searchsorted(self.windows, t, side="right"))
        return wilson(fresh, self.reads)

    def t_at(self, p: float) -> Estimate:
        """The least t with P(consistent at t) >= p; inf when never (lost writes), nan
        when no read completed."""
        found = quantile(self.windows, p)
        if math.isnan(found.estimate):
            return found
        return Estimate(*(max(0.0, value) for value in (found.estimate, found.low, found.high)))

    def curve(self, ts: np.ndarray) -> np.ndarray:
        """P(consistent at t) for every t in `ts` (point estimates)."""
        if self.reads == 0:
            return np.full(len(ts), math.nan)
        return np.searchsorted(self.windows, ts, side="right") / self.reads


def _completion(times: np.ndarray, rule: Rule) -> np.ndarray:
    """When each row's arrivals first meet the rule (inf: never)."""
    done = np.zeros(times.shape[0])
    for need in rule.needs:
        everyone = need.members == tuple(range(times.shape[1]))
        sub = times if everyone else times[:, need.members]
        k = need.threshold
        if k == 0:
            continue
        if need.unit and k == 1:
            at = sub.min(axis=1)
        elif need.unit and k == len(need.members):
            at = sub.max(axis=1)
        elif need.unit:
            at = np.partition(sub, k - 1, axis=1)[:, k - 1]
        else:
            order = np.argsort(sub, axis=1)
            votes = np.cumsum(np.asarray(need.weights)[order], axis=1)
            first = np.argmax(votes >= k, axis=1)[:, None]
            at = np.take_along_axis(np.take_along_axis(sub, order, axis=1), first, axis=1)[:, 0]
        done = np.maximum(done, at)
    return done


def _coordinators(rng: np.random.Generator, fixed: int | None, dcs: int, size: int) -> np.ndarray:
    if fixed is not None:
        return np.full(size, fixed)
    return rng.integers(0, dcs, size)


def _chunk(
    rng: np.random.Generator, size: int, cluster: Cluster, legs: WarsLatency, faults: Faults
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    n = cluster.n
    W = legs.write.sample(rng, (size, n))
    A = legs.ack.sample(rng, (size, n))
    R = legs.read.sample(rng, (size, n))
    S = legs.response.sample(rng, (size, n))
    if faults.dc_delay_ms and len(cluster.dc_names) > 1:
        dc_of = np.asarray(cluster.dc_of)
        ndc = len(cluster.dc_names)
        remote_w = dc_of[None, :] != _coordinators(rng, cluster.write_dc, ndc, size)[:, None]
        remote_r = dc_of[None, :] != _coordinators(rng, cluster.read_dc, ndc, size)[:, None]
        W += faults.dc_delay_ms * remote_w
        A += faults.dc_delay_ms * remote_w
        R += faults.dc_delay_ms * remote_r
        S += faults.dc_delay_ms * remote_r
    down = rng.random((size, n)) < faults.down if faults.down else None
    lost = rng.random((size, n)) < faults.drop if faults.drop else None
    missed = down if lost is None else (lost if down is None else lost | down)
    acks = W + A
    responses = R + S
    if missed is not None:
        acks[missed] = np.inf
    if down is not None:
        responses[down] = np.inf
    committed = _completion(acks, cluster.write)
    # With discrete latencies (constants, measured values) responses tie, and a read
    # would keep every tied response rather than the ones it waits for: a random
    # tiebreak far below any latency orders them; latencies come from the untied times.
    tied = legs.read.discrete or legs.response.discrete
    arrival_order = responses + TIEBREAK_MS * rng.random((size, n)) if tied else responses
    answered = _completion(arrival_order, cluster.read)
    if lost is not None:
        assert missed is not None  # lost, or lost | down
        arrivals = np.where(missed, np.inf, W)
        if faults.anti_entropy_ms is not None:
            landed = arrivals.min(axis=1, keepdims=True)
            repaired = landed + faults.anti_entropy_ms * rng.random((size, n))
            arrivals = np.where(lost, repaired, arrivals)
        W = arrivals
    ok = np.isfinite(committed) & np.isfinite(answered)
    write_failures = int(np.count_nonzero(~np.isfinite(committed)))
    read_failures = int(np.count_nonzero(np.isfinite(committed) & ~np.isfinite(answered)))
    W, R, responses, arrival_order = W[ok], R[ok], responses[ok], arrival_order[ok]
    committed, answered = committed[ok], answered[ok]
    responders = arrival_order <= answered[:, None]
    if tied:
        answered = np.where(responders, responses, -np.inf).max(axis=1)
    with np.errstate(invalid="ignore"):
        gap = W - R - committed[:, None]
    windows = np.where(responders, gap, np.inf).min(axis=1)
    return windows, answered, committed, write_failures, read_failures


# A picosecond, in ms: far below any latency worth modelling, far above float spacing.
TIEBREAK_MS = 1e-9

# Cells (trials x replicas) per chunk: big enough to amortize numpy's per-call cost,
# small enough to keep a chunk's arrays in a few tens of MB.
CHUNK_CELLS = 1 << 19


def simulate(
    cluster: Cluster,
    legs: WarsLatency,
    trials: int,
    seed: int = 0,
    faults: Faults = Faults(),
    progress: Callable[[int, int], str | None] | None = None,
) -> WarsResult:
    """Run `trials` WARS trials. `progress(done, trials)` is called after each chunk; if
    it returns a reason (a limit reached, in words) the run stops there and the result
    keeps that reason as `stopped_by`, as it does after Ctrl-C."""
    if trials < 1:
        raise ValueError(f"trials must be >= 1 (got {trials})")
    rng = np.random.default_rng(seed)
    chunk = max(1, CHUNK_CELLS // cluster.n)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    write_failures = read_failures = done = 0
    stopped_by = None
    started = time.perf_counter()
    try:
        while done < trials:
            size = min(chunk, trials - done)
            windows, reads, writes, wf, rf = _chunk(rng, size, cluster, legs, faults)
            parts.append((windows, reads, writes))
            write_failures += wf
            read_failures += rf
            done += size
            reason = progress(done, trials) if progress is not None else None
            if reason is not None and done < trials:
                stopped_by = reason
                break
    except KeyboardInterrupt:
        stopped_by = INTERRUPTED
    columns = (
        [np.sort(np.concatenate(column)) for column in zip(*parts, strict=True)]
        if parts
        else [np.empty(0)] * 3
    )
    windows, reads, writes = columns
    return WarsResult(
        done,
        trials,
        seed,
        windows,
        reads,
        writes,
        write_failures,
        read_failures,
        stopped_by,
        time.perf_counter() - started,
    )
