"""Config validation: every error names the field, the value and the allowed range."""

import pytest

from leaderless.model import Config, ConfigError, parse_clients


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
            "read_repair: blocking needs resolution lww",
        ),
        ({"clients": ("w", 5)}, "clients: client 1 in 'w,5' is not a script"),
        ({"drift": -1}, "drift: -1 is out of range; allowed >= 0"),
        ({"max_drops": -2}, "max_drops: -2 is out of range; allowed >= 0"),
        ({"max_crashes": 4}, "max_crashes: 4 is out of range; allowed 0..3"),
        ({"read_repair": "eager"}, "read_repair: 'eager' is unknown"),
        ({"resolution": "vector"}, "resolution: 'vector' is unknown"),
        ({"anti_entropy": True, "resolution": "arrival"}, "anti_entropy: on needs resolution lww"),
        (
            {"read_repair": "async", "resolution": "arrival"},
            "read_repair: async needs resolution lww",
        ),
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
    worded = error.value.worded({field: "--the-flag"})
    assert worded == "--the-flag: " + str(error.value).removeprefix(field + ": ")


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
