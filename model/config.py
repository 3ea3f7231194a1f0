"""The scope of one model: replicas, quorums, client scripts and the fault budget.

`OPTIONS` declares each option of MODEL.md's configuration table once (its Config
field, command-line flag, gate-file key, type, range, default and help), and `NEEDS`
the values of one option that only work with a value of another. `Config` validates
itself from them, and every front end is generated from them: the CLI's options, the
gate file's keys and its JSON Schema. A `Config` is validated when it is built, so
every other module may trust it. Errors name the option, the value given and the
range allowed; `ConfigError.worded` says them in a front end's own words.

>>> Config(n=3, w=2, r=2, clients=("w", "rr")).quorums_overlap
True
>>> try:
...     Config(anti_entropy=True, resolution="arrival")
... except ConfigError as error:
...     print(error)
anti_entropy: True needs resolution='lww' (repair merges by timestamp); set anti_entropy=False or set resolution='lww'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any

from leaderless.model.levels import LEVELS, READ_LEVELS

READ_REPAIR_MODES = ("off", "async", "blocking")
RESOLUTIONS = ("lww", "arrival", "siblings")
# The largest scope whose single state and single step the tools still build in well
# under a second (and the Z3 overlap check beside `check` with it); larger is refused.
MAX_REPLICAS = 1000
MAX_OPS = 1000  # operations of all clients together
# A split chooses a side for each replica and client: 2^(participants - 1) - 1 ways.
MAX_SPLIT_PARTICIPANTS = 16

# Option.kind: what values an option takes.
INT = "int"  # an integer in low..high
BOOL = "bool"  # off / on
CHOICE = "choice"  # one of `choices`
CLIENTS = "clients"  # one script of 'w', 'd' and 'r' per client, 1..MAX_OPS operations in all
OPTIONAL_INT = "optional int"  # none (off), or an integer >= low
OPTIONAL_CHOICE = "optional choice"  # none, or one of `choices`
DATACENTERS = "datacenters"  # none, or (name, replicas) pairs: dc1=3,dc2=2
NAMES = "names"  # none, or one name per client: dc1,dc2
# The options of MODEL.md's extensions: at their default they leave the base model as it
# is, and `Config.describe` leaves them out, so a base run reads as it always did.
EXTENSIONS = (
    "gc_grace",
    "purge_repaired",
    "datacenters",
    "client_dcs",
    "write_level",
    "read_level",
    "max_partitions",
    "hinted_handoff",
    "stand_ins",
)
HINTED_HANDOFF_MODES = ("off", "sloppy", "strict")


@dataclass(frozen=True, slots=True)
class Option:
    """One option of MODEL.md's configuration table, as every front end knows it."""

    field: str  # the Config field
    flag: str  # the command-line option; argparse's dest is its words joined by '_'
    key: str  # the gate file key
    kind: str  # INT, BOOL, CHOICE, CLIENTS, OPTIONAL_INT, OPTIONAL_CHOICE, DATACENTERS, NAMES
    help: str  # one line: --help, the JSON Schema's description
    low: int = 0  # INT: the least value
    high: int | str | None = None  # INT: the largest value, the option bounding it, or None
    choices: tuple[str, ...] = ()  # CHOICE: the values allowed

    @property
    def default(self) -> Any:
        """Config's default for the option."""
        return _DEFAULTS[self.field]

    @property
    def dest(self) -> str:
        """The attribute argparse stores the flag's value in."""
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def allowed(self) -> str:
        """The range, in words every front end shares: 1..n, >= 0, off/on, lww/arrival."""
        if self.kind == INT:
            return f"{self.low}..{self.high}" if self.high is not None else f">= {self.low}"
        if self.kind == OPTIONAL_INT:
            return f"none or >= {self.low}"
        if self.kind == CLIENTS:
            return f"1..{MAX_OPS} operations in all"
        if self.kind == OPTIONAL_CHOICE:
            return "none or " + "/".join(self.choices)
        if self.kind == DATACENTERS:
            return "none or NAME=REPLICAS,..., e.g. dc1=3,dc2=2"
        if self.kind == NAMES:
            return "none or one datacenter per client, e.g. dc1,dc2"
        return "/".join(self.choices) if self.kind == CHOICE else "off/on"

    def shown(self, value: Any) -> str:
        """The value as the command line writes it and reports show it (`w,rr`, `on`, `lww`)."""
        if self.kind == BOOL:
            return "on" if value else "off"
        if value is None:
            return "none"
        if self.kind in (CLIENTS, NAMES):
            return ",".join(value)
        if self.kind == DATACENTERS:
            return ",".join(f"{name}={replicas}" for name, replicas in value)
        return str(value)

    def check(self, value: Any, config: Config) -> None:
        """Raise ConfigError unless `value` is allowed in `config` (whose options before
        this one in OPTIONS are already checked)."""
        if self.kind == INT:
            high = getattr(config, self.high) if isinstance(self.high, str) else self.high
            check_int(self.field, value, self.low, high)
        elif self.kind == BOOL:
            if not isinstance(value, bool):
                raise ConfigError(f"{self.field}: {value!r} is not a boolean")
        elif self.kind == CHOICE or (self.kind == OPTIONAL_CHOICE and value is not None):
            if value not in self.choices:
                raise UnknownChoice(self, value)
        elif self.kind == OPTIONAL_INT:
            if value is not None:
                check_int(self.field, value, self.low)
        elif self.kind == DATACENTERS:
            if value is not None:
                _check_datacenters(value)
        elif self.kind == NAMES:
            if value is not None and (
                isinstance(value, str) or not all(isinstance(name, str) for name in value)
            ):
                raise ConfigError(f"{self.field}: {value!r} is not a list of datacenter names")
        elif self.kind == OPTIONAL_CHOICE:
            pass
        elif isinstance(value, str):
            raise ConfigError(f"{self.field}: {value!r} is a string; pass a tuple of scripts")
        else:
            _check_scripts(tuple(value), shown=",".join(map(str, value)))


@dataclass(frozen=True, slots=True)
class Needs:
    """A value of one option that works only with one value of another."""

    field: str  # the option
    unless: Any  # its value that needs nothing (any other needs `other` = `value`)
    other: str  # the option it needs ...
    value: Any  # ... at this value
    why: str  # a few words, for the error
    also: tuple = ()  # other values of `other` that serve as well (not suggested in errors)


OPTIONS: tuple[Option, ...] = (
    Option("n", "--n", "n", INT, "replicas, ids 0..n-1", 1, MAX_REPLICAS),
    Option("w", "--w", "w", INT, "write quorum: acks a write needs", 1, "n"),
    Option("r", "--r", "r", INT, "read quorum: responses a read needs", 1, "n"),
    Option(
        "clients",
        "--clients",
        "clients",
        CLIENTS,
        "one script per client, a string of w (write), d (delete) and r (read), run in order",
    ),
    Option(
        "drift",
        "--drift",
        "drift",
        INT,
        "clock error bound: a write's timestamp is any integer within DRIFT of real time",
    ),
    Option("max_drops", "--drops", "drops", INT, "messages the network may lose, in total"),
    Option(
        "max_crashes",
        "--crashes",
        "crashes",
        INT,
        "replicas that may crash (crash-stop), in total",
        0,
        "n",
    ),
    Option(
        "timeouts",
        "--timeouts",
        "timeouts",
        BOOL,
        "a client may give up on a pending operation at any moment",
    ),
    Option(
        "anti_entropy",
        "--anti-entropy",
        "anti_entropy",
        BOOL,
        "background replica-to-replica repair",
    ),
    Option(
        "read_repair",
        "--read-repair",
        "read_repair",
        CHOICE,
        "what a read does to stale responders",
        choices=READ_REPAIR_MODES,
    ),
    Option(
        "resolution",
        "--resolution",
        "resolution",
        CHOICE,
        "lww: last write wins by timestamp; arrival: last arrival wins, no timestamps; "
        "siblings: replicas keep concurrent writes, a write supersedes what its client read",
        choices=RESOLUTIONS,
    ),
    Option(
        "gc_grace",
        "--gc-grace",
        "gc_grace",
        OPTIONAL_INT,
        "a replica may purge a tombstone once real time reaches its timestamp plus GC_GRACE",
    ),
    Option(
        "purge_repaired",
        "--purge-repaired",
        "purge_repaired",
        BOOL,
        "purge a tombstone only once no older value is left anywhere it could come back from",
    ),
    Option(
        "datacenters",
        "--datacenters",
        "datacenters",
        DATACENTERS,
        "replicas per datacenter; replica ids go datacenter by datacenter, n is their sum",
    ),
    Option(
        "client_dcs",
        "--client-dcs",
        "client_dcs",
        NAMES,
        "each client's coordinator datacenter (none: every client in the first one)",
    ),
    Option(
        "write_level",
        "--write-level",
        "write_level",
        OPTIONAL_CHOICE,
        "consistency level of writes and deletes, instead of --w",
        choices=LEVELS,
    ),
    Option(
        "read_level",
        "--read-level",
        "read_level",
        OPTIONAL_CHOICE,
        "consistency level of reads, instead of --r",
        choices=READ_LEVELS,
    ),
    Option(
        "max_partitions",
        "--partitions",
        "partitions",
        INT,
        "times the network may split in two (clients and replicas), in total",
    ),
    Option(
        "hinted_handoff",
        "--hinted-handoff",
        "hinted_handoff",
        CHOICE,
        "sloppy: a stand-in's ack for a write counts toward w (Dynamo, Riak); strict: it does not",
        choices=HINTED_HANDOFF_MODES,
    ),
    Option(
        "stand_ins",
        "--stand-ins",
        "stand_ins",
        INT,
        "stand-in nodes outside the preference list that keep hints for replicas",
    ),
)
OPTION = {option.field: option for option in OPTIONS}
NEEDS: tuple[Needs, ...] = (
    Needs("anti_entropy", False, "resolution", "lww", "repair merges by timestamp", ("siblings",)),
    Needs("read_repair", "off", "resolution", "lww", "repair merges by timestamp"),
)


class Words:
    """How a front end names the options and writes their values. This one speaks
    Config's own words, as Python keyword arguments (`max_crashes`, `resolution='lww'`);
    the command line and the gate file each have their own."""

    def name(self, option: Option) -> str:
        return option.field

    def value(self, option: Option, value: Any) -> str:
        return repr(value)

    def setting(self, option: Option, value: Any) -> str:
        """The option set to the value, as the user would write it."""
        return f"{option.field}={value!r}"

    def change(self, option: Option, value: Any) -> str:
        """What to do to give the option that value."""
        return f"set {self.setting(option, value)}"

    def quote(self, text: str) -> str:
        """Text the user wrote, quoted."""
        return repr(text)


class _Renamed(Words):
    """Config's words with some options renamed."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def name(self, option: Option) -> str:
        return self.names.get(option.field, option.field)


CONFIG_WORDS = Words()


class ConfigError(ValueError):
    """A configuration outside the model's ranges; the message is one line for the user.

    `field` is the Config field at fault, the first word of the message (None when no
    single field is), and `worded(words)` is the message in a front end's words: CLI
    flags on the command line, TOML keys and values in a gate file.

    >>> error = ConfigError("max_crashes: 4 is out of range; allowed 0..3")
    >>> error.field, error.worded({"max_crashes": "--crashes"})
    ('max_crashes', '--crashes: 4 is out of range; allowed 0..3')
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        head, colon, self._rest = message.partition(": ")
        self.field = head if colon and head in OPTION else None

    def worded(self, words: Words | Mapping[str, str]) -> str:
        """The message in `words` (a mapping renames the options, nothing more)."""
        if isinstance(words, Mapping):
            words = _Renamed(words)
        if self.field is None:
            return str(self)
        return f"{words.name(OPTION[self.field])}: {self._said(words)}"

    def _said(self, words: Words) -> str:
        """The message after the option's name."""
        return self._rest


class Quoted(ConfigError):
    """An error that quotes what the user wrote, as each front end quotes text: the
    command line as Python does ('w,x'), a gate file as TOML does ("w,x")."""

    def __init__(self, field: str, template: str, **values: Any) -> None:
        self.template, self.values = template, values
        super().__init__(f"{field}: {self._said(CONFIG_WORDS)}")

    def _said(self, words: Words) -> str:
        return self.template.format(
            **{k: words.quote(v) if isinstance(v, str) else v for k, v in self.values.items()}
        )


class UnknownChoice(ConfigError):
    """A value that is not one of an option's choices."""

    def __init__(self, option: Option, value: Any) -> None:
        self.option, self.value = option, value
        super().__init__(f"{option.field}: {self._said(CONFIG_WORDS)}")

    def _said(self, words: Words) -> str:
        allowed = ", ".join(words.value(self.option, choice) for choice in self.option.choices)
        return f"{words.value(self.option, self.value)} is unknown; allowed {allowed}"


class Conflict(ConfigError):
    """Two options at values that do not work together, as a `Needs` rule says."""

    def __init__(self, needs: Needs, value: Any) -> None:
        self.needs, self.value = needs, value
        super().__init__(f"{needs.field}: {self._said(CONFIG_WORDS)}")

    def _said(self, words: Words) -> str:
        option, other = OPTION[self.needs.field], OPTION[self.needs.other]
        return (
            f"{words.value(option, self.value)} needs "
            f"{words.setting(other, self.needs.value)} ({self.needs.why}); "
            f"{words.change(option, self.needs.unless)} or "
            f"{words.change(other, self.needs.value)}"
        )


def parse_clients(text: str) -> tuple[str, ...]:
    """Parse a client list such as ``"w,rr"`` into one script per client."""
    scripts = tuple(part.strip() for part in text.split(","))
    _check_scripts(scripts, shown=text)
    return scripts


def _check_scripts(scripts: tuple[str, ...], shown: str) -> None:
    if not scripts or scripts == ("",):
        raise Quoted(
            "clients",
            "{shown} has no client; give one script per client, e.g. {example}",
            shown=shown,
            example="w,rr",
        )
    for index, script in enumerate(scripts):
        if not isinstance(script, str):
            raise Quoted(
                "clients",
                "client {index} in {shown} is not a script of {w} and {r}",
                index=index,
                shown=shown,
                w="w",
                r="r",
            )
        if not script:
            raise Quoted(
                "clients",
                "client {index} in {shown} has no operation; each script needs >= 1 op",
                index=index,
                shown=shown,
            )
        bad = sorted(set(script) - {"w", "d", "r"})
        if bad:
            raise Quoted(
                "clients",
                "client {index} script {script} has {bad}; scripts use only {w} (write), "
                "{d} (delete) and {r} (read)",
                index=index,
                script=script,
                bad=bad[0],
                w="w",
                d="d",
                r="r",
            )
    ops = sum(len(script) for script in scripts)
    if ops > MAX_OPS:
        raise ConfigError(
            f"clients: {ops} operations in all is out of range; allowed "
            f"1..{MAX_OPS} (the largest scope the tools handle)"
        )


def _check_datacenters(value: Any) -> None:
    if isinstance(value, str) or not isinstance(value, tuple | list) or not value:
        raise ConfigError(
            f"datacenters: {value!r} is not a list of datacenters; give e.g. dc1=3,dc2=2"
        )
    names = set()
    for entry in value:
        if not (isinstance(entry, tuple | list) and len(entry) == 2 and isinstance(entry[0], str)):
            raise ConfigError(f"datacenters: {entry!r} is not a datacenter and its replicas")
        name, replicas = entry
        if not name or any(c.isspace() or c in "=,{}[]" for c in name):
            raise ConfigError(f"datacenters: {name!r} is not a datacenter name")
        if name in names:
            raise ConfigError(f"datacenters: {name} is named twice")
        names.add(name)
        check_int("datacenters", replicas, 1, MAX_REPLICAS)


def parse_datacenters(text: str) -> tuple[tuple[str, int], ...]:
    """Parse ``"dc1=3,dc2=2"`` into (name, replicas) pairs, in order."""
    pairs = []
    for part in text.split(","):
        name, equals, count = part.partition("=")
        if not equals or not count.strip().isdigit():
            raise ConfigError(
                f"datacenters: {part.strip()!r} is not NAME=REPLICAS; give e.g. dc1=3,dc2=2"
            )
        pairs.append((name.strip(), int(count)))
    value = tuple(pairs)
    _check_datacenters(value)
    return value


def parse_names(text: str) -> tuple[str, ...]:
    """Parse ``"dc1,dc2"`` into names."""
    return tuple(part.strip() for part in text.split(","))


def check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    """Raise ConfigError unless `value` is an integer in low..high (no upper bound if None)."""
    allowed = f"{low}..{high}" if high is not None else f">= {low}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name}: {value!r} is not an integer; allowed {allowed}")
    if value < low or (high is not None and value > high):
        raise ConfigError(f"{name}: {value} is out of range; allowed {allowed}")


@dataclass(frozen=True, slots=True)
class Config:
    """One scope of the model, as MODEL.md's configuration table defines it (OPTIONS
    says what each field means and allows)."""

    n: int = 3
    w: int = 2
    r: int = 2
    clients: tuple[str, ...] = field(default=("w", "rr"))
    drift: int = 0
    max_drops: int = 0
    max_crashes: int = 0
    timeouts: bool = False
    anti_entropy: bool = False
    read_repair: str = "off"
    resolution: str = "lww"
    gc_grace: int | None = None
    purge_repaired: bool = False
    datacenters: tuple[tuple[str, int], ...] | None = None
    client_dcs: tuple[str, ...] | None = None
    write_level: str | None = None
    read_level: str | None = None
    max_partitions: int = 0
    hinted_handoff: str = "off"
    stand_ins: int = 0

    def __post_init__(self) -> None:
        for name in ("datacenters", "client_dcs"):
            value = getattr(self, name)
            if isinstance(value, list):  # as JSON and TOML give them; stored as tuples
                items = tuple(tuple(v) if isinstance(v, list) else v for v in value)
                object.__setattr__(self, name, items)
        for option in OPTIONS:
            option.check(getattr(self, option.field), self)
        for needs in NEEDS:
            value = getattr(self, needs.field)
            if value != needs.unless and getattr(self, needs.other) not in (
                needs.value,
                *needs.also,
            ):
                raise Conflict(needs, value)
        self._check_extensions()

    def _check_extensions(self) -> None:
        if self.has_deletes and self.resolution != "lww":
            raise ConfigError(
                f"clients: a delete needs resolution lww (a tombstone wins by its "
                f"timestamp), not {self.resolution}"
            )
        if self.resolution == "siblings" and self.gc_grace is not None:
            raise ConfigError(
                "gc_grace: siblings keep no tombstones to purge; leave gc_grace out with "
                "resolution siblings"
            )
        if self.purge_repaired and self.gc_grace is None:
            raise ConfigError(
                "purge_repaired: on needs a grace period for tombstones (without one "
                "nothing is purged)"
            )
        if (self.hinted_handoff != "off") != (self.stand_ins > 0):
            raise ConfigError(
                f"stand_ins: {self.stand_ins} with hinted_handoff {self.hinted_handoff}; "
                "hinted handoff needs stand-ins (>= 1) and stand-ins need hinted handoff"
            )
        if self.stand_ins and (self.datacenters is not None or self.write_level or self.read_level):
            raise ConfigError(
                "hinted_handoff: not modelled together with datacenters or consistency levels yet"
            )
        participants = self.n + len(self.clients) + self.stand_ins
        if self.max_partitions and participants > MAX_SPLIT_PARTICIPANTS:
            raise ConfigError(
                f"max_partitions: a split puts each of {participants} replicas, clients "
                f"and stand-ins on a side, more ways than can be explored; allowed with at "
                f"most {MAX_SPLIT_PARTICIPANTS} in all"
            )
        names = [name for name, _ in self.dcs]
        total = sum(replicas for _, replicas in self.dcs)
        if total != self.n:
            raise ConfigError(
                f"n: {self.n} differs from the {total} replicas of datacenters "
                f"{','.join(f'{name}={count}' for name, count in self.dcs)}; leave n out or "
                f"make it {total}"
            )
        if self.client_dcs is not None:
            if len(self.client_dcs) != len(self.clients):
                raise ConfigError(
                    f"client_dcs: {len(self.client_dcs)} coordinator datacenters given for "
                    f"{len(self.clients)} clients; give one per client"
                )
            for name in self.client_dcs:
                if name not in names:
                    raise ConfigError(
                        f"client_dcs: {name!r} is no datacenter; known: {', '.join(names)}"
                    )
        for field_name in ("write_level", "read_level"):
            level = getattr(self, field_name)
            needed = {"TWO": 2, "THREE": 3}.get(level or "", 0)
            if needed > self.n:
                raise ConfigError(
                    f"{field_name}: {level} needs {needed} replicas; there are {self.n}"
                )

    @property
    def has_deletes(self) -> bool:
        return any("d" in script for script in self.clients)

    @property
    def dcs(self) -> tuple[tuple[str, int], ...]:
        """The datacenters, (name, replicas) each: one named dc1 unless configured."""
        return self.datacenters if self.datacenters is not None else (("dc1", self.n),)

    def client_dc(self, client: int) -> int:
        """The index (in `dcs`) of a client's coordinator datacenter."""
        if self.client_dcs is None:
            return 0
        return [name for name, _ in self.dcs].index(self.client_dcs[client])

    @property
    def quorums_overlap(self) -> bool:
        """Whether every read quorum meets every write quorum (r + w > n)."""
        return self.r + self.w > self.n

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["clients"] = list(self.clients)
        if self.datacenters is not None:
            data["datacenters"] = [list(pair) for pair in self.datacenters]
        if self.client_dcs is not None:
            data["client_dcs"] = list(self.client_dcs)
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
        """The configuration in the CLI's own words, e.g. for a report header:
        n=3 w=2 r=2 clients=w,rr drift=0 drops=0 ... resolution=lww."""
        # A level replaces its count, so the count it replaces is left out too.
        replaced = {"w"} if self.write_level is not None else set()
        replaced |= {"r"} if self.read_level is not None else set()
        return " ".join(
            f"{option.flag.removeprefix('--')}={option.shown(getattr(self, option.field))}"
            for option in OPTIONS
            if option.field not in replaced
            and (option.field not in EXTENSIONS or getattr(self, option.field) != option.default)
        )


_DEFAULTS: dict[str, Any] = {
    spec.name: spec.default for spec in fields(Config) if spec.default is not MISSING
}
