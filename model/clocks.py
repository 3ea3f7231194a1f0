"""Clock modes for the search: where a write's timestamp comes from.

MODEL.md's clock (`PerWriteClock`, the default) lets every write pick any timestamp
within `drift` of real time, independently of every other write, so search results
compare with the explorer's. `ClientClocks` gives each client one physical clock
that misbehaves the way real ones do: a fixed offset from real time, a skew rate
(it runs fast or slow), and backward steps (an NTP correction setting it back).

Real time is MODEL.md's `now`, the number of invocations so far, so a skew rate is
per invocation. Both modes only choose timestamps: the model's semantics are the
same, and any run under `ClientClocks` is a run of MODEL.md with `drift` equal to
the largest clock error it used (`clock_error`), which is how its traces replay.

>>> clocks = ClientClocks(max_offset=2, max_skew=50, ntp_steps=1, max_step=3)
>>> clocks.reading(ClientClock(offset=2, skew=50, back=0), now=4)
8
>>> clocks.reading(ClientClock(offset=2, skew=50, back=3), now=4)
5
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from leaderless.model.config import check_int

MAX_SKEW = 99  # percent: a clock running at rate <= 0 would stand still or run backwards


@dataclass(frozen=True, slots=True)
class PerWriteClock:
    """MODEL.md's clock: each write's timestamp is any integer within `drift` of `now`."""

    drift: int = 0  # the largest error of any one timestamp

    def __post_init__(self) -> None:
        check_int("drift", self.drift, 0)

    def lowest_reading(self, op_count: int) -> int:
        return 1 - self.drift

    def retime(
        self, invoked: int, ts: int, first_invoked: int, keep_error: bool = False
    ) -> int | None:
        """The timestamp a write that read `ts` at `first_invoked` carries when a
        shortened run invokes it at `invoked`: `ts` while the window allows it, else
        (or when asked to `keep_error`) the same error from real time, which keeps the
        order of writes that all moved alike."""
        if not keep_error and abs(ts - invoked) <= self.drift:
            return ts
        return ts + invoked - first_invoked

    def describe(self) -> str:
        return f"clock=write (each write's timestamp within {self.drift} of real time)"


@dataclass(frozen=True, slots=True)
class ClientClock:
    """One client's clock in a run: drawn once, then stepped back by NTP corrections."""

    offset: int  # ticks ahead of real time (negative: behind)
    skew: int  # percent gained per tick of real time (negative: the clock runs slow)
    back: int  # ticks the NTP corrections so far have set it back


@dataclass(frozen=True, slots=True)
class ClientClocks:
    """One clock per client, with an offset, a skew rate and backward NTP steps."""

    max_offset: int = 0  # each client's offset is drawn from -max_offset..max_offset
    max_skew: int = 0  # each client's skew is drawn from -max_skew..max_skew percent
    ntp_steps: int = 0  # backward steps the clocks may take, in total over all clients
    max_step: int = 1  # ticks one backward step may set a clock back, 1..max_step

    def __post_init__(self) -> None:
        check_int("max_offset", self.max_offset, 0)
        check_int("max_skew", self.max_skew, 0, MAX_SKEW)
        check_int("ntp_steps", self.ntp_steps, 0)
        check_int("max_step", self.max_step, 1)

    @staticmethod
    def reading(clock: ClientClock, now: int) -> int:
        """The timestamp a write invoked at real time `now` gets from `clock`."""
        return now + clock.offset + (now * clock.skew) // 100 - clock.back

    def lowest_reading(self, op_count: int) -> int:
        """A floor under every reading in a run of `op_count` invocations."""
        slowest = min(now + (now * -self.max_skew) // 100 for now in range(1, op_count + 1))
        return slowest - self.max_offset - self.ntp_steps * self.max_step

    def retime(
        self, invoked: int, ts: int, first_invoked: int, keep_error: bool = False
    ) -> int | None:
        # A reading depends on the client's clock, so a shortened run may keep a write
        # only at the real time that clock was read.
        return ts if invoked == first_invoked else None

    def describe(self) -> str:
        return (
            f"clock=client (offset within {self.max_offset}, skew within "
            f"{self.max_skew}%, {self.ntp_steps} NTP steps back of up to "
            f"{self.max_step})"
        )


Clock = PerWriteClock | ClientClocks


def clock_error(writes: Iterable[tuple[int, int]]) -> int:
    """The smallest MODEL.md drift that allows these (invoked, timestamp) pairs."""
    return max((abs(ts - invoked) for invoked, ts in writes), default=0)
