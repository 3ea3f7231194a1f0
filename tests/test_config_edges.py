"""The edges of the configuration ranges: the last value allowed is accepted, the first
one beyond is refused, from Python and on the command line (exit 2, one line)."""

import subprocess
import sys

import pytest

from leaderless.model import Config, ConfigError


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": 1, "w": 1, "r": 1, "max_crashes": 1},
        {"n": 3, "w": 3, "r": 3, "max_crashes": 3},
        {"n": 3, "w": 1, "r": 1, "max_crashes": 0},
        {"n": 3, "read_repair": "blocking", "resolution": "lww"},
        {"n": 3, "read_repair": "off", "resolution": "arrival"},
    ],
)
def test_the_bounds_themselves_are_allowed(kwargs):
    assert Config(**kwargs).n == kwargs["n"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n": 3, "w": 0}, "w"),
        ({"n": 3, "w": 4}, "w"),
        ({"n": 3, "r": 0}, "r"),
        ({"n": 3, "r": 4}, "r"),
        ({"n": 1, "w": 1, "r": 2}, "r"),
        ({"read_repair": "blocking", "resolution": "arrival"}, "read_repair"),
    ],
)
def test_one_past_a_bound_is_refused_with_the_field_named(kwargs, field):
    with pytest.raises(ConfigError) as error:
        Config(**kwargs)
    assert str(error.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        (["--w", "0"], "--w"),
        (["--n", "3", "--r", "4"], "--r"),
        (["--read-repair", "blocking", "--resolution", "arrival"], "--read-repair"),
    ],
)
def test_the_command_line_refuses_them_in_one_line_with_exit_2(options, flag):
    done = subprocess.run(
        [sys.executable, "-m", "leaderless.checker", "check", *options, "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"error: {flag}: ")
