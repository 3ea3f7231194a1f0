"""Random tiny scopes, the fast model against the independent reference of MODEL.md.

The fixed list in test_reference_agreement.py was chosen by hand; here Hypothesis
picks the options together, so combinations nobody thought of are compared too:
distinct-state counts (no symmetry), every verdict and every shortest-trace length.
The second test draws the extension's options too (deletes, purging, datacenters,
consistency levels, network partitions).
"""

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from leaderless.checker.explorer import explore
from leaderless.model import Config, ReplicationModel
from reference_model import PROPERTY_IDS, RefConfig
from reference_model import explore as reference_explore

# 600 random scopes agreed when this test was written (about 4 minutes); CI runs 100.
EXAMPLES = int(os.environ.get("LEADERLESS_REFERENCE_EXAMPLES", "100"))
LEVELS = ("ONE", "TWO", "THREE", "QUORUM", "LOCAL_ONE", "LOCAL_QUORUM", "EACH_QUORUM", "ALL", "ANY")


@st.composite
def tiny_configs(draw) -> dict:
    n = draw(st.integers(1, 3))
    scripts = draw(
        st.lists(st.text("wr", min_size=1, max_size=2), min_size=1, max_size=2).filter(
            lambda s: sum(map(len, s)) <= (3 if n < 3 else 2)
        )
    )
    lww = draw(st.booleans()) or n == 1
    faults = draw(st.integers(0, 1))  # at most one fault kind, to keep scopes small
    config = {
        "n": n,
        "w": draw(st.integers(1, n)),
        "r": draw(st.integers(1, n)),
        "clients": tuple(scripts),
        "drift": draw(st.integers(0, 1)) if lww else 0,
        "max_drops": draw(st.integers(0, 1)) if faults else 0,
        "max_crashes": draw(st.integers(0, 1)) if faults else 0,
        "timeouts": draw(st.booleans()),
        "resolution": "lww" if lww else "arrival",
    }
    if lww:
        config["anti_entropy"] = draw(st.booleans())
        config["read_repair"] = draw(st.sampled_from(["off", "async", "blocking"]))
    return config


@st.composite
def tiny_extension_configs(draw) -> dict:
    """A tiny base scope with the extension's options drawn on top of it."""
    config = draw(tiny_configs())
    n = config["n"]
    if config["resolution"] == "lww" and draw(st.booleans()):
        # Turn one op into a delete, keeping the scope as small as the base one.
        scripts = list(config["clients"])
        c = draw(st.integers(0, len(scripts) - 1))
        k = draw(st.integers(0, len(scripts[c]) - 1))
        scripts[c] = scripts[c][:k] + "d" + scripts[c][k + 1 :]
        config["clients"] = tuple(scripts)
        config["gc_grace"] = draw(st.sampled_from([None, 0, 1]))
        if config["gc_grace"] is not None:
            config["purge_repaired"] = draw(st.booleans())
    if n >= 2 and draw(st.booleans()):
        first = draw(st.integers(1, n - 1))
        config["datacenters"] = (("dc1", first), ("dc2", n - first))
        config["client_dcs"] = tuple(
            draw(st.sampled_from(["dc1", "dc2"])) for _ in config["clients"]
        )
    usable = [lv for lv in LEVELS if (lv, n) not in (("TWO", 1), ("THREE", 1), ("THREE", 2))]
    config["write_level"] = draw(st.sampled_from([None, *usable]))
    config["read_level"] = draw(st.sampled_from([None, *(lv for lv in usable if lv != "ANY")]))
    if not (config["max_drops"] or config["max_crashes"] or config["drift"]):
        # Partitions as the one fault kind, as the base scope keeps to one, and without
        # drift: each split multiplies the states by up to 2^(n + clients - 1) sides.
        config["max_partitions"] = draw(st.integers(0, 1 if n == 3 else 2))
    return config


def assert_agree(config: dict) -> None:
    reference = reference_explore(RefConfig(**config))
    ours = explore(ReplicationModel(Config(**config)), symmetry=False)
    assert ours.states == reference.states
    for verdict in ours.verdicts:
        expected = (reference.verdicts[verdict.property_id], reference.lengths[verdict.property_id])
        assert (verdict.status, len(verdict.trace) if verdict.trace else None) == expected
    assert {v.property_id for v in ours.verdicts} == set(PROPERTY_IDS)


@settings(max_examples=EXAMPLES, deadline=None)
@given(tiny_configs())
def test_random_tiny_scopes_agree_with_the_reference(config):
    assert_agree(config)


@settings(max_examples=EXAMPLES, deadline=None)
@given(tiny_extension_configs())
def test_random_extension_scopes_agree_with_the_reference(config):
    assert_agree(config)
