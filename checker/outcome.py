"""Every outcome a subcommand reports, as one enum, and the one map from outcomes to exit codes.

Each kind of run has its own words (an exploration's holds / violated, a proof's
proved / refuted, a search's none found, a gate's pass / fail, a latency
requirement's met / unmet), but they fall into three classes, and the exit code says
which: 0 every required outcome is a success, 1 one is a failure, 3 otherwise (a
limit, a timeout, Ctrl-C, a property that does not apply or is not encoded, a search
that found nothing). A failure beats an undecided outcome: a violation found before
a limit stopped the run is still a violation.

The members' values are the words the JSON reports already use, so an `Outcome` is
the string it stands for (`Outcome.HOLDS == "holds"`), and `model/` and `proofs/`,
which do not import the checker, keep their own string constants with those values.

>>> exit_code(["holds", Outcome.PROVED])
0
>>> exit_code([Outcome.INCONCLUSIVE, "violated"])
1
>>> exit_code(["holds", "none found"])
3
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

EXIT_HOLDS = 0
EXIT_VIOLATED = 1
EXIT_INCONCLUSIVE = 3


class Outcome(StrEnum):
    """One outcome, spelled as the reports spell it."""

    HOLDS = "holds"  # an exploration covered every reachable state and found no violation
    VIOLATED = "violated"  # a run breaks the property (with its trace)
    INCONCLUSIVE = "inconclusive"  # a limit or Ctrl-C stopped the run before it decided
    NOT_APPLICABLE = "n/a"  # the property cannot apply to this configuration
    PROVED = "proved"  # Z3 discharged every obligation, base cases included
    REFUTED = "refuted"  # Z3 found a witness, re-checked in plain Python
    UNKNOWN = "unknown"  # Z3 gave up (a timeout, or an obligation it could not decide)
    NOT_INDUCTIVE = "not inductive"  # k-induction found a counterexample to induction
    NONE_FOUND = "none found"  # a random search found no violation: not a proof
    NONE_WITHIN = "none within K"  # bounded model checking found none up to its depth
    NOT_ENCODED = "not encoded"  # the property has no Z3 encoding, so it was not checked
    PASS = "pass"  # a gate expectation is met
    FAIL = "fail"  # a gate expectation is not met
    MET = "met"  # a latency requirement (pbs) is met
    UNMET = "unmet"  # a latency requirement is not met
    UNDECIDED = "undecided"  # the sampled latencies cannot settle a requirement

    @property
    def exit_code(self) -> int:
        """This outcome's exit code if it were the only one required."""
        if self in SUCCESSES:
            return EXIT_HOLDS
        if self in FAILURES:
            return EXIT_VIOLATED
        return EXIT_INCONCLUSIVE


SUCCESSES = frozenset({Outcome.HOLDS, Outcome.PROVED, Outcome.PASS, Outcome.MET})
FAILURES = frozenset({Outcome.VIOLATED, Outcome.REFUTED, Outcome.FAIL, Outcome.UNMET})


def exit_code(required: Iterable[str]) -> int:
    """The exit code of a run whose required outcomes are `required` (members or their
    spellings): 1 if any fails, else 3 if any is undecided, else 0 (also for none).

    A spelling that is no outcome raises ValueError: a new word must join the enum,
    and with it a class, before a command can report it."""
    codes = {Outcome(value).exit_code for value in required}
    if EXIT_VIOLATED in codes:
        return EXIT_VIOLATED
    if EXIT_INCONCLUSIVE in codes:
        return EXIT_INCONCLUSIVE
    return EXIT_HOLDS
