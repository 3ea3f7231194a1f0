"""Every catalogue entry is evaluated through what it reads: none can hold unexamined."""

import dataclasses

import pytest

from leaderless.checker.explorer import HOLDS, VIOLATED, explore
from leaderless.model import CATALOGUE, Config, Property, ReplicationModel
from leaderless.model.properties import HISTORY, QUIESCENT, READS, STATE

CONFIG = Config(n=2, w=1, r=1, clients=("w", "r"))


def _always(reads: str) -> Property:
    return Property(
        f"always-{reads.replace(' ', '-')}",
        "fires everywhere",
        lambda c: True,
        reads,
        lambda catalogue, x: f"fires on any {reads}",
        "anything",
        lambda catalogue, x: True,
    )


@pytest.mark.parametrize("reads", READS)
def test_an_entry_that_always_fires_is_violated_in_the_initial_state(reads):
    model = ReplicationModel(CONFIG, properties=(*CATALOGUE, _always(reads)))
    verdict = explore(model).verdict(_always(reads).id)
    assert verdict.status == VIOLATED
    assert len(verdict.trace) == 0  # the initial state breaks it: a trace of no steps
    assert verdict.reason == f"fires on any {reads}"


def test_each_kind_sees_what_it_reads():
    seen = {HISTORY: set(), STATE: set(), QUIESCENT: set()}
    situations = {HISTORY: set(), STATE: set(), QUIESCENT: set()}

    def spy(reads):
        def check(catalogue, x):
            seen[reads].add(x)

        def reached(catalogue, x):
            situations[reads].add(x)
            return False

        name = f"spy-{reads.replace(' ', '-')}"
        return Property(name, "records", lambda c: True, reads, check, "never", reached)

    model = ReplicationModel(CONFIG, properties=tuple(spy(reads) for reads in READS))
    result = explore(model, symmetry=False)
    assert all(v.status == HOLDS and v.reached is False for v in result.verdicts)
    # Histories: a strict subset of state components; states: every state; quiescent:
    # only states with nothing in flight, and there are some beyond the initial one.
    assert len(seen[STATE]) == result.states
    assert all(len(h) == 2 for h in seen[HISTORY]) and 1 < len(seen[HISTORY]) < result.states
    assert 1 < len(seen[QUIESCENT]) < result.states
    assert all(state[3] == () for state in seen[QUIESCENT])  # NET is empty
    # A situation never reached is asked of everything its property reads, no more.
    assert situations == seen


def test_an_entry_that_does_not_apply_is_never_evaluated():
    def boom(catalogue, x):
        raise AssertionError("evaluated although it does not apply")

    never = Property("never", "does not apply", lambda c: False, STATE, boom, "", boom)
    model = ReplicationModel(CONFIG, properties=(*CATALOGUE, never))
    assert explore(model).verdict("never").status == "n/a"


def test_an_entry_must_say_what_it_reads():
    odd = Property(
        "odd", "reads nothing known", lambda c: True, "the future", lambda c, x: None, "", bool
    )
    with pytest.raises(ValueError, match="property odd: reads 'the future'; allowed history"):
        ReplicationModel(CONFIG, properties=(odd,))


def test_every_built_in_entry_reads_a_known_kind():
    assert {p.reads for p in CATALOGUE} <= set(READS)


def test_every_built_in_entry_is_evaluated_through_its_own_kind():
    # Each entry in turn made to fire everywhere: it must be reported violated (in the
    # initial state, which is quiescent too), so no entry is skipped by the checker.
    config = Config(n=2, w=1, r=1, clients=("wrr", "wd"), timeouts=True)
    for index, prop in enumerate(CATALOGUE):
        firing = dataclasses.replace(prop, check=lambda catalogue, x: "fires")
        catalogue = (*CATALOGUE[:index], firing, *CATALOGUE[index + 1 :])
        model = ReplicationModel(config, properties=catalogue)
        assert model.applicable >> index & 1, prop.id
        verdict = explore(model, max_states=1).verdict(prop.id)
        assert (verdict.status, len(verdict.trace), verdict.reason) == (VIOLATED, 0, "fires")


def _asking(reads: str, answer: bool) -> tuple[Property, list]:
    asked: list = []

    def reached(catalogue, x):
        asked.append(x)
        return answer

    return Property("p", "holds", lambda c: True, reads, lambda c, x: None, "it", reached), asked


@pytest.mark.parametrize("reads", [STATE, QUIESCENT])
def test_a_situation_reached_in_the_initial_state_is_asked_no_more(reads):
    prop, asked = _asking(reads, True)
    verdict = explore(ReplicationModel(CONFIG, properties=(prop,))).verdict("p")
    assert (verdict.status, verdict.reached, verdict.situation) == (HOLDS, True, "it")
    assert len(asked) == 1  # the initial state (quiescent too) is in it; nothing else asked


@pytest.mark.parametrize("answer", [False, True])
def test_a_history_situation_is_asked_once_per_history(answer):
    prop, asked = _asking(HISTORY, answer)
    result = explore(ReplicationModel(CONFIG, properties=(prop,)), symmetry=False)
    assert result.verdict("p").reached is answer
    assert len(asked) == len(set(asked)) < result.states


def test_every_built_in_situation_is_evaluated_through_its_own_kind():
    # Each entry's situation in turn made to hold nowhere, then everywhere: the
    # verdict follows, so no situation is skipped or read through another kind.
    config = Config(n=2, w=1, r=1, clients=("wrr", "wd"), timeouts=True)
    for index, prop in enumerate(CATALOGUE):
        for everywhere in (False, True):
            changed = dataclasses.replace(
                prop, check=lambda catalogue, x: None, reached=lambda c, x, e=everywhere: e
            )
            catalogue = (*CATALOGUE[:index], changed, *CATALOGUE[index + 1 :])
            verdict = explore(ReplicationModel(config, properties=catalogue), max_states=1)
            assert verdict.verdict(prop.id).reached is everywhere, prop.id
