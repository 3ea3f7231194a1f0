"""The scope of one model: replicas, quorums, client scripts and the fault budget.

A `Config` is validated when it is built, so every other module may trust it.
Errors name the field, the value given and the range allowed.

>>> Config(n=3, w=2, r=2, clients=("w", "rr")).quorums_overlap
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

READ_REPAIR_MODES = ("off", "async", "blocking")
RESOLUTIONS = ("lww", "arrival")
# The largest scope whose single state and single step the tools still build in well
# under a second (and the Z3 overlap check beside `check` with it); larger is refused.
MAX_REPLICAS = 1000
MAX_OPS = 1000  # operations of all clients together


class ConfigError(ValueError):
    """A configuration outside the model's ranges; the message is one line for the user.

    `field` is the Config field at fault, the first word of the message (None when no
    single field is), so a front end can put its own name for it there: a CLI flag on
    the command line, a TOML key in a gate file.

    >>> error = ConfigError("max_crashes: 4 is out of range; allowed 0..3")
    >>> error.field, error.worded({"max_crashes": "--crashes"})
    ('max_crashes', '--crashes: 4 is out of range; allowed 0..3')
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        head, colon, self._rest = message.partition(": ")
        self.field = head if colon and head in Config.__dataclass_fields__ else None

    def worded(self, names: Mapping[str, str]) -> str:
        """The message with its field called `names[field]` (when it names one)."""
        if self.field is None or self.field not in names:
            return str(self)
        return f"{names[self.field]}: {self._rest}"


def parse_clients(text: str) -> tuple[str, ...]:
    """Parse a client list such as ``"w,rr"`` into one script per client."""
    scripts = tuple(part.strip() for part in text.split(","))
    _check_scripts(scripts, shown=text)
    return scripts


def _check_scripts(scripts: tuple[str, ...], shown: object) -> None:
    if not scripts or scripts == ("",):
        raise ConfigError(
            f"clients: {shown!r} has no client; give one script per client, e.g. 'w,rr'"
        )
    for index, script in enumerate(scripts):
        if not isinstance(script, str):
            raise ConfigError(
                f"clients: client {index} in {shown!r} is not a script of 'w' and 'r'"
            )
        if not script:
            raise ConfigError(
                f"clients: client {index} in {shown!r} has no operation; each script needs >= 1 op"
            )
        bad = sorted(set(script) - {"w", "r"})
        if bad:
            raise ConfigError(
                f"clients: client {index} script {script!r} has {bad[0]!r}; "
                "scripts use only 'w' (write) and 'r' (read)"
            )
    ops = sum(len(script) for script in scripts)
    if ops > MAX_OPS:
        raise ConfigError(
            f"clients: {ops} operations in all is out of range; allowed "
            f"1..{MAX_OPS} (the largest scope the tools handle)"
        )


def check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    """Raise ConfigError unless `value` is an integer in low..high (no upper bound if None)."""
    allowed = f"{low}..{high}" if high is not None else f">= {low}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name}: {value!r} is not an integer; allowed {allowed}")
    if value < low or (high is not None and value > high):
        raise ConfigError(f"{name}: {value} is out of range; allowed {allowed}")


@dataclass(frozen=True, slots=True)
class Config:
    """One scope of the model, as MODEL.md's configuration table defines it."""

    n: int = 3  # replicas, ids 0..n-1
    w: int = 2  # acks a write needs
    r: int = 2  # responses a read needs
    clients: tuple[str, ...] = field(default=("w", "rr"))  # one script of 'w'/'r' per client
    drift: int = 0  # a write's timestamp is any integer within drift of real time
    max_drops: int = 0  # messages the network may lose, in total
    max_crashes: int = 0  # replicas that may crash-stop, in total
    timeouts: bool = False  # a client may give up on a pending operation
    anti_entropy: bool = False  # background replica-to-replica repair
    read_repair: str = "off"  # off / async / blocking
    resolution: str = "lww"  # lww (timestamps) / arrival (last arrival wins)

    def __post_init__(self) -> None:
        check_int("n", self.n, 1, MAX_REPLICAS)
        check_int("w", self.w, 1, self.n)
        check_int("r", self.r, 1, self.n)
        if isinstance(self.clients, str):
            raise ConfigError(f"clients: {self.clients!r} is a string; pass a tuple of scripts")
        _check_scripts(tuple(self.clients), shown=",".join(map(str, self.clients)))
        check_int("drift", self.drift, 0, None)
        check_int("max_drops", self.max_drops, 0, None)
        check_int("max_crashes", self.max_crashes, 0, self.n)
        for flag in ("timeouts", "anti_entropy"):
            if not isinstance(getattr(self, flag), bool):
                raise ConfigError(f"{flag}: {getattr(self, flag)!r} is not a boolean")
        if self.read_repair not in READ_REPAIR_MODES:
            raise ConfigError(
                f"read_repair: {self.read_repair!r} is unknown; allowed {', '.join(READ_REPAIR_MODES)}"
            )
        if self.resolution not in RESOLUTIONS:
            raise ConfigError(
                f"resolution: {self.resolution!r} is unknown; allowed {', '.join(RESOLUTIONS)}"
            )
        if self.resolution != "lww" and self.anti_entropy:
            raise ConfigError(
                "anti_entropy: on needs resolution lww (repair merges by timestamp); "
                "drop --anti-entropy or use --resolution lww"
            )
        if self.resolution != "lww" and self.read_repair != "off":
            raise ConfigError(
                f"read_repair: {self.read_repair} needs resolution lww (repair merges by "
                "timestamp); use --read-repair off or --resolution lww"
            )

    @property
    def quorums_overlap(self) -> bool:
        """Whether every read quorum meets every write quorum (r + w > n)."""
        return self.r + self.w > self.n

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["clients"] = list(self.clients)
        return data

    @classmethod
    def from_json(cls, data: Any) -> Config:
        """Rebuild a configuration written by `to_json`; unknown keys are errors."""
        if not isinstance(data, dict):
            raise ConfigError(f"config: expected an object, got {type(data).__name__}")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"config: unknown field {unknown[0]!r}; known: {', '.join(sorted(known))}"
            )
        values = dict(data)
        if "clients" in values:
            clients = values["clients"]
            if isinstance(clients, str):
                values["clients"] = parse_clients(clients)
            elif isinstance(clients, list) and all(isinstance(c, str) for c in clients):
                values["clients"] = tuple(clients)
            else:
                raise ConfigError(f"clients: {clients!r} is not a list of scripts")
        return cls(**values)

    def describe(self) -> str:
        """The configuration in the CLI's own words, e.g. for a report header."""
        parts = [f"n={self.n} w={self.w} r={self.r}", f"clients={','.join(self.clients)}"]
        parts.append(f"drift={self.drift}")
        parts.append(f"drops={self.max_drops}")
        parts.append(f"crashes={self.max_crashes}")
        parts.append(f"timeouts={'on' if self.timeouts else 'off'}")
        parts.append(f"anti-entropy={'on' if self.anti_entropy else 'off'}")
        parts.append(f"read-repair={self.read_repair}")
        parts.append(f"resolution={self.resolution}")
        return " ".join(parts)
