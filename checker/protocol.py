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

from collections.abc import Hashable, Sequence
from typing import Any, Protocol

State = Hashable
Label = Hashable


class PropertyInfo(Protocol):
    id: str
    meaning: str


class Model(Protocol):
    properties: Sequence[PropertyInfo]
    applicable: int  # bitmask of the properties that can apply to this model

    def initial_states(self) -> Sequence[State]: ...

    def successors(self, state: State) -> Sequence[tuple[Label, State]]: ...

    def violations(self, state: State, wanted: int) -> int: ...

    def canonical_key(self, state: State) -> Hashable: ...

    def explain(self, property_index: int, state: State) -> str | None: ...

    def state_view(self, state: State) -> dict[str, Any]: ...

    def action_view(self, label: Label) -> dict[str, Any]: ...

    def describe_action(self, label: Label, before: State) -> str: ...

    def config_view(self) -> dict[str, Any]: ...
