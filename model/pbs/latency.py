"""Latency distributions for the four WARS legs, in milliseconds.

WARS (Bailis et al., VLDB 2012, Section 4.1) draws one delay per replica and leg:
W, the write request reaching the replica; A, its acknowledgement returning; R, the
read request reaching the replica; S, its response returning. A distribution here is a
frozen record that samples with a numpy Generator and prints back as the spec that
builds it, so a report names exactly what was simulated.

Spec syntax (one leg): ``exp:RATE`` (exponential, rate per ms, mean 1/RATE),
``pareto:XM:ALPHA``, ``lognormal:MU:SIGMA`` (of the natural log of ms), ``const:MS``,
and mixtures ``0.9122*pareto:0.235:10+0.0878*exp:1.66`` whose weights sum to 1.

    >>> str(parse_distribution("0.9122*pareto:0.235:10+0.0878*exp:1.66"))
    '0.9122*pareto:0.235:10+0.0878*exp:1.66'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class LatencyError(ValueError):
    """A latency spec or parameter out of range; the message is one line for the user."""


class Distribution(Protocol):
    @property
    def discrete(self) -> bool:
        """Whether two draws can be exactly equal with positive probability (ties)."""
        ...

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray: ...

    def to_json(self) -> dict: ...


def _number(value: float) -> str:
    # The shortest text that reads back as the same float, without a trailing ".0".
    text = repr(float(value))
    return text.removesuffix(".0")


@dataclass(frozen=True, slots=True)
class Exponential:
    """Exponential with rate `rate` per ms (mean 1/rate ms)."""

    rate: float

    discrete = False

    def __post_init__(self) -> None:
        _positive("exp rate", self.rate)

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return rng.exponential(1.0 / self.rate, size)

    def to_json(self) -> dict:
        return {"kind": "exponential", "rate": self.rate}

    def __str__(self) -> str:
        return f"exp:{_number(self.rate)}"


@dataclass(frozen=True, slots=True)
class Pareto:
    """Pareto with scale `xm` ms (the minimum) and shape `alpha`."""

    xm: float
    alpha: float

    discrete = False

    def __post_init__(self) -> None:
        _positive("pareto xm", self.xm)
        _positive("pareto alpha", self.alpha)

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        # Inverse CDF on (0, 1]: 1 - random() is never 0, so no infinite draw.
        return self.xm * (1.0 - rng.random(size)) ** (-1.0 / self.alpha)

    def to_json(self) -> dict:
        return {"kind": "pareto", "xm": self.xm, "alpha": self.alpha}

    def __str__(self) -> str:
        return f"pareto:{_number(self.xm)}:{_number(self.alpha)}"


@dataclass(frozen=True, slots=True)
class LogNormal:
    """exp(N(mu, sigma^2)) ms."""

    mu: float
    sigma: float

    discrete = False

    def __post_init__(self) -> None:
        if not math.isfinite(self.mu):
            raise LatencyError(f"lognormal mu must be a finite number (got {self.mu})")
        _positive("lognormal sigma", self.sigma)

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return rng.lognormal(self.mu, self.sigma, size)

    def to_json(self) -> dict:
        return {"kind": "lognormal", "mu": self.mu, "sigma": self.sigma}

    def __str__(self) -> str:
        return f"lognormal:{_number(self.mu)}:{_number(self.sigma)}"


@dataclass(frozen=True, slots=True)
class Constant:
    """Always `ms` milliseconds."""

    ms: float

    discrete = True

    def __post_init__(self) -> None:
        if not (math.isfinite(self.ms) and self.ms >= 0):
            raise LatencyError(f"const must be a latency >= 0 ms (got {self.ms})")

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return np.full(size, float(self.ms))

    def to_json(self) -> dict:
        return {"kind": "constant", "ms": self.ms}

    def __str__(self) -> str:
        return f"const:{_number(self.ms)}"


@dataclass(frozen=True, slots=True)
class Empirical:
    """Resampled uniformly from measured latencies (a bootstrap of the measurements)."""

    values: tuple[float, ...]
    source: str = "measured"  # where the values came from, for the report

    discrete = True

    def __post_init__(self) -> None:
        if not self.values:
            raise LatencyError(f"{self.source}: no latencies to resample")
        bad = next((v for v in self.values if not (math.isfinite(v) and v >= 0)), None)
        if bad is not None:
            raise LatencyError(f"{self.source}: a latency must be a number >= 0 ms (got {bad})")

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        values = np.asarray(self.values, dtype=float)
        return values[rng.integers(0, len(values), size)]

    def to_json(self) -> dict:
        return {"kind": "empirical", "source": self.source, "count": len(self.values)}

    def __str__(self) -> str:
        return f"empirical:{self.source}({len(self.values)} values)"


@dataclass(frozen=True, slots=True)
class Mixture:
    """With probability weight_i, a draw from component i."""

    components: tuple[tuple[float, Distribution], ...]

    @property
    def discrete(self) -> bool:
        return any(component.discrete for _, component in self.components)

    def __post_init__(self) -> None:
        weights = [weight for weight, _ in self.components]
        if len(weights) < 2 or any(not (0 < w <= 1) for w in weights):
            raise LatencyError("a mixture needs two or more components with weights in (0, 1]")
        if abs(sum(weights) - 1) > 1e-9:
            raise LatencyError(f"mixture weights must sum to 1 (they sum to {sum(weights):g})")

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        # One uniform picks the component; comparisons beat searchsorted by about 2x here,
        # and this is the hot loop of every WARS simulation with the paper's fits.
        pick = rng.random(size)
        out = np.empty(pick.shape)
        low = 0.0
        last = len(self.components) - 1
        for index, (weight, component) in enumerate(self.components):
            if index == 0:
                chosen = pick < weight
            elif index == last:
                chosen = pick >= low
            else:
                chosen = (pick >= low) & (pick < low + weight)
            low += weight
            out[chosen] = component.sample(rng, int(np.count_nonzero(chosen)))
        return out

    def to_json(self) -> dict:
        return {
            "kind": "mixture",
            "components": [{"weight": w, **c.to_json()} for w, c in self.components],
        }

    def __str__(self) -> str:
        return "+".join(f"{_number(w)}*{c}" for w, c in self.components)


def _positive(what: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise LatencyError(f"{what} must be a number > 0 (got {value})")


@dataclass(frozen=True, slots=True)
class WarsLatency:
    """One distribution per WARS leg (all in ms), and where the numbers come from."""

    write: Distribution  # W: write request, coordinator to replica
    ack: Distribution  # A: write acknowledgement, replica to coordinator
    read: Distribution  # R: read request, coordinator to replica
    response: Distribution  # S: read response, replica to coordinator
    name: str = "custom"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            **{leg: getattr(self, leg).to_json() for leg in LEGS},
            "spec": {leg: str(getattr(self, leg)) for leg in LEGS},
        }


LEGS = ("write", "ack", "read", "response")

_LNKD_SSD = Mixture(((0.9122, Pareto(0.235, 10.0)), (0.0878, Exponential(1.66))))
_YMMR_ARS = Mixture(((0.982, Pareto(1.5, 3.8)), (0.018, Exponential(0.0217))))

# The production fits of the paper's Table 3 ("Distribution fits for production latency
# distributions from LinkedIn (LNKD-*) and Yammer (YMMR)"), as published. The authors'
# own simulator used alpha = 3.5 for YMMR's W Pareto body; the paper prints 3.35, and
# 3.35 is what is here.
PRODUCTION_FITS: dict[str, WarsLatency] = {
    "LNKD-SSD": WarsLatency(_LNKD_SSD, _LNKD_SSD, _LNKD_SSD, _LNKD_SSD, "LNKD-SSD"),
    "LNKD-DISK": WarsLatency(
        Mixture(((0.38, Pareto(1.05, 1.51)), (0.62, Exponential(0.183)))),
        _LNKD_SSD,
        _LNKD_SSD,
        _LNKD_SSD,
        "LNKD-DISK",
    ),
    "YMMR": WarsLatency(
        Mixture(((0.939, Pareto(3.0, 3.35)), (0.061, Exponential(0.0028)))),
        _YMMR_ARS,
        _YMMR_ARS,
        _YMMR_ARS,
        "YMMR",
    ),
}


def _float(text: str, spec: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise LatencyError(f"{spec!r}: {text!r} is not a number") from None


_KINDS = {
    "exp": (Exponential, 1),
    "pareto": (Pareto, 2),
    "lognormal": (LogNormal, 2),
    "const": (Constant, 1),
}


def _parse_one(spec: str) -> Distribution:
    kind, *params = spec.strip().split(":")
    if kind not in _KINDS:
        raise LatencyError(
            f"{spec!r}: unknown distribution {kind!r}; use exp:RATE, "
            "pareto:XM:ALPHA, lognormal:MU:SIGMA, const:MS or a preset "
            f"({', '.join(PRODUCTION_FITS)})"
        )
    cls, arity = _KINDS[kind]
    if len(params) != arity:
        raise LatencyError(f"{spec!r}: {kind} takes {arity} parameter(s), got {len(params)}")
    return cls(*(_float(p, spec) for p in params))


def parse_distribution(spec: str) -> Distribution:
    """One leg's distribution from its spec (see the module docstring)."""
    parts = [part.strip() for part in spec.split("+")]
    if len(parts) == 1:
        return _parse_one(parts[0])
    components = []
    for part in parts:
        weight, star, rest = part.partition("*")
        if not star:
            raise LatencyError(f"{spec!r}: write each mixture component as WEIGHT*DIST")
        components.append((_float(weight, spec), _parse_one(rest)))
    return Mixture(tuple(components))


def parse_latency(spec: str) -> WarsLatency:
    """A preset name (all four legs) or one spec used for every leg."""
    if spec.upper() in PRODUCTION_FITS:
        return PRODUCTION_FITS[spec.upper()]
    leg = parse_distribution(spec)
    return WarsLatency(leg, leg, leg, leg, spec)
