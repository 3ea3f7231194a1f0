"""Config validation: every error names the field, the value and the allowed range."""

import pytest

from model import Config, ConfigError, parse_clients


def test_defaults_are_valid():
    config = Config()
    assert (config.n, config.w, config.r, config.clients) == (3, 2, 2, ("w", "rr"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"w": 4}, "w: 4 is out of range; allowed 1..3"),
        ({"r": 0}, "r: 0 is out of range; allowed 1..3"),
        ({"n": 0, "w": 1, "r": 1}, "n: 0 is out of range; allowed >= 1"),
        ({"drift": -1}, "drift: -1 is out of range; allowed >= 0"),
        ({"max_drops": -2}, "max_drops: -2 is out of range; allowed >= 0"),
        ({"max_crashes": 4}, "max_crashes: 4 is out of range; allowed 0..3"),
        ({"read_repair": "eager"}, "read_repair: 'eager' is unknown"),
        ({"resolution": "vector"}, "resolution: 'vector' is unknown"),
        ({"anti_entropy": True, "resolution": "arrival"}, "anti_entropy: on needs resolution lww"),
        ({"read_repair": "async", "resolution": "arrival"}, "read_repair: async needs resolution lww"),
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
