"""Config validation: every error names the field, the value and the allowed range, and
each front end words it its own way (CLI flags, gate file keys and TOML values)."""

import pytest

from leaderless.checker.commands.gate_file import GATE_FILE_WORDS
from leaderless.checker.commands.options import CLI_WORDS
from leaderless.model import Config, ConfigError, parse_clients
from leaderless.model.config import OPTION


def test_defaults_are_valid():
    config = Config()
    assert (config.n, config.w, config.r, config.clients) == (3, 2, 2, ("w", "rr"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"w": 4}, "w: 4 is out of range; allowed 1..3"),
        ({"r": 0}, "r: 0 is out of range; allowed 1..3"),
        ({"n": 0, "w": 1, "r": 1}, "n: 0 is out of range; allowed 1..1000"),
        ({"w": 0}, "w: 0 is out of range; allowed 1..3"),
        ({"r": 4}, "r: 4 is out of range; allowed 1..3"),
        (
            {"n": 99999999999999999999999},
            ("n: 99999999999999999999999 is out of range; allowed 1..1000"),
        ),
        (
            {"clients": ("w" * 600, "r" * 401)},
            ("clients: 1001 operations in all is out of range; allowed 1..1000"),
        ),
        (
            {"read_repair": "blocking", "resolution": "arrival"},
            "read_repair: 'blocking' needs resolution='lww' (repair merges by timestamp); "
            "set read_repair='off' or set resolution='lww'",
        ),
        ({"clients": ("w", 5)}, "clients: client 1 in 'w,5' is not a script"),
        ({"drift": -1}, "drift: -1 is out of range; allowed >= 0"),
        ({"max_drops": -2}, "max_drops: -2 is out of range; allowed >= 0"),
        ({"max_crashes": 4}, "max_crashes: 4 is out of range; allowed 0..3"),
        ({"read_repair": "eager"}, "read_repair: 'eager' is unknown; allowed 'off', 'async'"),
        ({"resolution": "vector"}, "resolution: 'vector' is unknown"),
        (
            {"anti_entropy": True, "resolution": "arrival"},
            "anti_entropy: True needs resolution='lww' (repair merges by timestamp); "
            "set anti_entropy=False or set resolution='lww'",
        ),
        ({"read_repair": "async", "resolution": "arrival"}, "read_repair: 'async' needs"),
        ({"timeouts": "yes"}, "timeouts: 'yes' is not a boolean"),
        ({"clients": "w,r"}, "clients: 'w,r' is a string; pass a tuple of scripts"),
        ({"clients": ("w", "x")}, "clients: client 1 script 'x' has 'x'"),
        ({"clients": ()}, "clients: '' has no client"),
        ({"n": 2.5}, "n: 2.5 is not an integer"),
    ],
)
def test_bad_values_are_named(kwargs, message):
    with pytest.raises(ConfigError) as error:
        Config(**kwargs)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_crashes": 4}, "max_crashes"),
        ({"max_drops": -1}, "max_drops"),
        ({"clients": ("x",)}, "clients"),
        ({"n": 10**23}, "n"),
        ({"anti_entropy": True, "resolution": "arrival"}, "anti_entropy"),
        ({"read_repair": "async", "resolution": "arrival"}, "read_repair"),
    ],
)
def test_errors_carry_the_field_so_each_front_end_can_use_its_own_names(kwargs, field):
    with pytest.raises(ConfigError) as error:
        Config(**kwargs)
    assert error.value.field == field
    assert str(error.value).startswith(field + ": ")
    assert error.value.worded({field: "--the-flag"}).startswith("--the-flag: ")
    assert error.value.worded(CLI_WORDS).startswith(OPTION[field].flag + ": ")
    assert error.value.worded(GATE_FILE_WORDS).startswith(OPTION[field].key + ": ")


@pytest.mark.parametrize(
    ("kwargs", "command_line", "gate_file"),
    [
        (
            {"anti_entropy": True, "resolution": "arrival"},
            "--anti-entropy: on needs --resolution lww (repair merges by timestamp); "
            "drop --anti-entropy or use --resolution lww",
            'anti_entropy: true needs resolution = "lww" (repair merges by timestamp); '
            'set anti_entropy = false or set resolution = "lww"',
        ),
        (
            {"read_repair": "async", "resolution": "arrival"},
            "--read-repair: async needs --resolution lww (repair merges by timestamp); "
            "use --read-repair off or use --resolution lww",
            'read_repair: "async" needs resolution = "lww" (repair merges by timestamp); '
            'set read_repair = "off" or set resolution = "lww"',
        ),
        (
            {"resolution": "vector"},
            "--resolution: vector is unknown; allowed lww, arrival, siblings",
            'resolution: "vector" is unknown; allowed "lww", "arrival", "siblings"',
        ),
        (
            {"clients": ("w", "x")},
            "--clients: client 1 script 'x' has 'x'; scripts use only 'w' (write), 'd' (delete) and 'r' (read)",
            'clients: client 1 script "x" has "x"; scripts use only "w" (write), "d" (delete) and "r" (read)',
        ),
        (
            {"clients": ("w", "")},
            "--clients: client 1 in 'w,' has no operation; each script needs >= 1 op",
            'clients: client 1 in "w," has no operation; each script needs >= 1 op',
        ),
        (
            {"max_crashes": 4},
            "--crashes: 4 is out of range; allowed 0..3",
            "crashes: 4 is out of range; allowed 0..3",
        ),
        (
            {"max_drops": -1},
            "--drops: -1 is out of range; allowed >= 0",
            "drops: -1 is out of range; allowed >= 0",
        ),
    ],
)
def test_each_front_end_words_the_options_and_their_values_its_own_way(
    kwargs, command_line, gate_file
):
    with pytest.raises(ConfigError) as error:
        Config(**kwargs)
    assert error.value.worded(CLI_WORDS) == command_line
    assert error.value.worded(GATE_FILE_WORDS) == gate_file


def test_describe_is_in_the_command_line_words():
    assert Config().describe() == (
        "n=3 w=2 r=2 clients=w,rr drift=0 drops=0 crashes=0 timeouts=off "
        "anti-entropy=off read-repair=off resolution=lww"
    )
    assert Config(
        n=4,
        w=3,
        r=1,
        clients=("wr", "r"),
        drift=2,
        max_drops=1,
        max_crashes=2,
        timeouts=True,
        anti_entropy=True,
        read_repair="blocking",
    ).describe() == (
        "n=4 w=3 r=1 clients=wr,r drift=2 drops=1 crashes=2 timeouts=on "
        "anti-entropy=on read-repair=blocking resolution=lww"
    )


def test_an_error_about_no_single_field_has_none():
    with pytest.raises(ConfigError) as error:
        Config.from_json({"quorum": 2})
    assert error.value.field is None
    assert error.value.worded({"n": "--n"}) == str(error.value)


def test_parse_clients():
    assert parse_clients("w,rr") == ("w", "rr")
    assert parse_clients(" wr , r ") == ("wr", "r")
    with pytest.raises(ConfigError, match="client 1 .* has no operation"):
        parse_clients("w,,r")
    with pytest.raises(ConfigError, match="only 'w'"):
        parse_clients("wx")


def test_json_round_trip_and_unknown_fields():
    config = Config(n=4, w=3, r=2, clients=("wr", "r"), drift=2, timeouts=True)
    assert Config.from_json(config.to_json()) == config
    with pytest.raises(ConfigError, match="unknown field 'quorum'"):
        Config.from_json({"quorum": 2})
