"""Three-valued proof results as plain, immutable data.

Every proof in `proofs/` returns one of three things, never prints:

- `Proved`: every obligation came back `unsat` (its negation has no model);
- `Refuted`: a witness that breaks the claim, already checked in plain Python (a
  witness that fails that check raises `Inconsistent`: a bug, not a verdict);
- `Unknown`: Z3 could not decide (a timeout, or an obligation it failed to discharge).

A timeout is never reported as proved. Example:

    >>> from leaderless.proofs.quorum import prove_overlap
    >>> prove_overlap(5, 2, 3).verdict
    'refuted'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROVED = "proved"
REFUTED = "refuted"
UNKNOWN = "unknown"


class InvalidInput(ValueError):
    """A parameter or a topology the proofs cannot take; the message is one line to show."""


class Inconsistent(AssertionError):
    """Z3's answer failed its plain-Python re-check: a bug in an encoding, never a verdict
    (the CLI reports it as an internal error, exit 4)."""


@dataclass(frozen=True, slots=True)
class Obligation:
    """One Z3 check: `name` is stable, `z3_result` is `unsat`, `sat` or `unknown`."""

    name: str  # stable id, e.g. "overlap/step"
    statement: str  # what an `unsat` answer establishes, in words
    z3_result: str  # "unsat", "sat" or "unknown"
    seconds: float  # wall time of the check alone, without building the formula
    reason: str = ""  # Z3's reason_unknown() when the result is "unknown"

    def to_json(self, times: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "statement": self.statement,
            "z3": self.z3_result,
        }
        if times:
            data["seconds"] = round(self.seconds, 6)
        if self.reason:
            data["reason"] = self.reason
        return data


def _obligations_json(obligations: tuple[Obligation, ...], times: bool) -> list[dict[str, Any]]:
    return [obligation.to_json(times) for obligation in obligations]


@dataclass(frozen=True, slots=True)
class Proved:
    """The claim holds: every obligation in `obligations` was discharged (`unsat`)."""

    claim: str  # the statement proved, in words
    obligations: tuple[Obligation, ...]
    explanation: str = ""  # what the user can rely on, in their terms
    verdict: str = field(default=PROVED, init=False)

    def to_json(self, times: bool = True) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "claim": self.claim,
            "explanation": self.explanation,
            "obligations": _obligations_json(self.obligations, times),
        }


@dataclass(frozen=True, slots=True)
class Refuted:
    """The claim fails: `witness` (plain data) breaks it and was re-checked without Z3."""

    claim: str
    witness: dict[str, Any]  # JSON-ready: lists, ints, strings
    explanation: str
    obligations: tuple[Obligation, ...]
    verdict: str = field(default=REFUTED, init=False)

    def to_json(self, times: bool = True) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "claim": self.claim,
            "explanation": self.explanation,
            "witness": self.witness,
            "obligations": _obligations_json(self.obligations, times),
        }


@dataclass(frozen=True, slots=True)
class Unknown:
    """Undecided: `reason` says why (e.g. a Z3 timeout); the claim may still hold or fail."""

    claim: str
    reason: str
    obligations: tuple[Obligation, ...]
    verdict: str = field(default=UNKNOWN, init=False)

    def to_json(self, times: bool = True) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "claim": self.claim,
            "reason": self.reason,
            "obligations": _obligations_json(self.obligations, times),
        }


Result = Proved | Refuted | Unknown
