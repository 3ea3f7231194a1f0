"""The small protocol a model offers the checker; the checker knows nothing else of it.

Like Stateright's `Model` trait: initial states, the enabled steps of a state in a
deterministic order (a step is a label and the state it leads to), and invariants.
Properties are addressed by their index in `properties`; `violations` takes and
returns bitmasks over those indices, so the checker can stop asking about a property
once it has its shortest counterexample. `representative`, when symmetry reduction
is used, maps a state to a hashable key that is equal for two states exactly when
they are in the same symmetry class (Stateright's `representative`, without having
to build the representative state).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

State = Hashable
Label = Hashable
S = TypeVar("S", bound=Hashable)
L = TypeVar("L", bound=Hashable)


class PropertyInfo(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def meaning(self) -> str: ...


class Model(Protocol[S, L]):
    """A model with states of type S and step labels of type L."""

    @property
    def properties(self) -> Sequence[PropertyInfo]: ...

    @property
    def applicable(self) -> int: ...  # bitmask of the properties that can apply

    def initial_states(self) -> Sequence[S]: ...

    def successors(self, state: S) -> Iterable[tuple[L, S]]: ...  # iterated once, may be lazy

    def violations(self, state: S, wanted: int) -> int: ...

    def canonical_key(self, state: S) -> Hashable: ...

    def explain(self, property_index: int, state: S) -> str | None: ...

    def state_view(self, state: S) -> dict[str, Any]: ...

    def action_view(self, label: L) -> dict[str, Any]: ...

    def describe_action(self, label: L, before: S) -> str: ...

    # What a diagram draws for a step besides its actor and words: {"fate": what became
    # of the message the action names, "marks": [{"at", "kind", "text"}], "loses": {"why",
    # "op"}: why messages it removed on the side were lost}, each only when it applies.
    def action_effects(self, label: L) -> dict[str, Any]: ...

    def config_view(self) -> dict[str, Any]: ...

    # The lifelines of a trace ({"id", "role", "index", "label"} each) and the fixed facts
    # of each operation ({"name", "client", "type"}): trace headers that renderers read
    # instead of parsing names.
    def participants(self) -> list[dict[str, Any]]: ...

    def operations(self) -> list[dict[str, Any]]: ...

    # The properties among `wanted` whose situation `state` is in: what a state shows
    # wherever the property can break, named in words by its `situation` attribute.
    # One never reached in a complete search makes that "holds" vacuous. Optional: the
    # explorer asks a model without it nothing and reports reached=None.
    def reached(self, state: S, wanted: int) -> int: ...


class CompiledModel(Protocol):
    """A model's states as rows of a 2-D numpy array, expanded and checked a batch at a
    time by compiled code (`leaderless.model.kernel`), for the explorer's hot loop.

    It must agree with the model it compiles: the successors of a row are, in order,
    the packed states `Model.successors` yields for the unpacked state, and the
    fingerprint of a row is the `hash()` the explorer takes of that Python state (of
    the state, or under symmetry of its `canonical_key`; as an unsigned 64-bit word),
    so that a search may start on Python states, go on with rows, and rebuild its
    traces with the Python model.
    """

    @property
    def width(self) -> int: ...  # fields per row

    def pack(self, states: Sequence[Any]) -> Any: ...  # (k, width) array of the states

    # The successors of every row, in row order and within a row in the model's order:
    # their rows (m, width), the index of each one's parent among `rows` (int64, m),
    # and their fingerprints (uint64, m).
    def expand(self, rows: Any) -> tuple[Any, Any, Any]: ...

    # Per row, as int64 bitmasks over the properties: those among `wanted` it violates,
    # and those among `unreached` whose situation it is in (as Model.violations and
    # Model.reached).
    def check(self, rows: Any, wanted: int, unreached: int) -> tuple[Any, Any]: ...
