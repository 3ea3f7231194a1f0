"""The partitioned search of `leaderless.checker.parallel` on a Ray cluster.

`RayWorkers` is a transport for `explore_in_parallel`: each `LevelWorker` lives in a
Ray actor (one CPU each, spread over the cluster's machines), and the coordinator (the
process running `leaderless`) sorts and numbers each level exactly as with forked
workers, so states, transitions, depth, verdicts and traces are the same as on one
machine.

What travels, and how:
- the model and each worker's first share of states, pickled (with cloudpickle, as
  Ray pickles everything) when the actors start; every machine therefore needs the
  same leaderless installed (the same Python version too, see fingerprints below);
- the visited table: a worker on another machine cannot map the coordinator's file, so
  each level the coordinator puts the table's shards in Ray's object store once; the
  workers of one machine read one copy there without copying it (Ray hands numpy
  arrays out of shared memory), and a machine fetches it once per level: 8 bytes a slot
  per machine per level (the README weighs it against the expansion);
- per level, each worker's new fingerprints and order keys to the coordinator, which
  answers with its winners: the same messages as with forked workers.

Fingerprints are `hash()` of tuples of ints. CPython hashes ints and tuples the same
way in every 64-bit process of versions 3.8 and later whatever PYTHONHASHSEED (only
str, bytes and datetime hashes are salted), so workers on other machines agree with the
coordinator. That is checked, not assumed: when a search starts, each worker
fingerprints the first states of its share, and if any differs from the coordinator's
(a model whose states held strings, a 32-bit machine) the search stops as inconclusive,
saying so.

Limits: time and Ctrl-C are the coordinator's, as with forked workers (the actors still
working are killed and what was found is kept). --max-memory adds the memory of the workers on the
coordinator's machine only: a process cannot read another machine's /proc; Ray's own
memory monitor guards the others. A worker or a machine lost mid-search stops it as
inconclusive, naming the cause.
"""

from __future__ import annotations

import logging
import math
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from leaderless.checker.explorer import default_workers
from leaderless.checker.parallel import LevelWorker, SearchStopped
from leaderless.checker.visited import FingerprintTable

_MASK = (1 << 60) - 1  # the explorer's fingerprint bits
_POLL_SECONDS = 0.05  # how often the coordinator looks at limits while workers work
_SAMPLE = 64  # states per worker whose fingerprints are compared when it starts
_START_SECONDS = 120.0  # how long workers may take to start (an autoscaler adds machines)
_CONNECT_SECONDS = 5.0  # how long to try reaching a cluster's address before giving up
_RAY_CLIENT_PORT = 10001
_GCS_PORT = 6379


class ClusterUnavailable(Exception):
    """The cluster cannot be used (not installed, not reachable); the message says why
    in one line, in the user's words."""


def _fingerprint(worker: LevelWorker, state: Any) -> int:
    key = worker.canonical_key
    return hash(key(state) if key else state) & _MASK


class _Host:
    """Inside a Ray actor: one `LevelWorker` at a time, called by method name. Answers
    as the forked workers' pipe does: ("ok", answer), or what stopped the call."""

    def __init__(self) -> None:
        self.worker: LevelWorker | None = None

    def load(self, worker: LevelWorker, sample: list[int]) -> tuple[bool, str, int]:
        """Take `worker`; say whether it fingerprints its first states as `sample` (the
        coordinator's fingerprints), and where it runs: this machine and this pid."""
        import ray

        self.worker = worker
        same = [_fingerprint(worker, state) for state in worker.states[: len(sample)]] == sample
        return same, ray.get_runtime_context().get_node_id(), os.getpid()

    def unload(self) -> None:
        self.worker = None

    def serve(self, method: str, *args: Any) -> tuple[str, Any]:
        try:
            return "ok", getattr(self.worker, method)(*args)
        except KeyboardInterrupt:  # raised by the model itself
            return "interrupted", None
        except MemoryError:
            return "memory", None
        except Exception as error:  # the coordinator turns it into an internal error
            return "error", f"{type(error).__name__}: {error}"


@dataclass
class _Idle:
    """Actors between two searches, each holding `cpus` of a CPU."""

    cpus: float = 0.0
    actors: list[Any] = field(default_factory=list)


class RayWorkers:
    """K `LevelWorker`s in Ray actors, spread over the cluster this process is connected
    to (`connect`): the `Workers` transport of `explore_in_parallel`.

    Actors outlive a search in `idle` (starting one costs a second or two, once per
    process of the cluster, not once per search of a `matrix` or a `gate`); those
    still working when the search stops (a limit, Ctrl-C) are killed instead."""

    def __init__(self, size: int, idle: _Idle) -> None:
        import ray

        self.size = size
        self._ray = ray
        self._idle = idle
        self._actors: list[Any] = []
        self._busy: set[int] = set()
        self._pids: list[int] = []

    def start(self, make: Callable[[int], LevelWorker]) -> None:
        ray = self._ray
        # One CPU each, unless more workers were asked for than the cluster has CPUs:
        # then each CPU takes the same number of them (a worker asking for more than
        # what is left on any machine would not start).
        cpus = 1 / math.ceil(self.size / ray.cluster_resources().get("CPU", 1))
        if cpus != self._idle.cpus:  # idle actors holding other shares would crowd out new ones
            for actor in self._idle.actors:
                ray.kill(actor)
            self._idle.actors.clear()
            self._idle.cpus = cpus
        host = ray.remote(_Host).options(num_cpus=cpus, scheduling_strategy="SPREAD")
        loading = []
        for index in range(self.size):
            actor = self._idle.actors.pop() if self._idle.actors else host.remote()
            self._actors.append(actor)
            worker = make(index)
            sample = [_fingerprint(worker, state) for state in worker.states[:_SAMPLE]]
            loading.append(actor.load.remote(worker, sample))
        self._busy = set(range(self.size))
        started, _ = ray.wait(loading, num_returns=len(loading), timeout=_START_SECONDS)
        if len(started) < len(loading):
            raise SearchStopped(
                f"the Ray cluster did not start {self.size} workers within "
                f"{_START_SECONDS:g} s (are its CPUs taken by other jobs?)"
            )
        places = self._answers(loading)
        self._busy = set()
        if not all(same for same, _, _ in places):
            raise SearchStopped(
                "a cluster worker fingerprints states differently from this process "
                "(another Python version or word size on another machine?)"
            )
        here = ray.get_runtime_context().get_node_id()
        self._pids = [pid for _, node, pid in places if node == here]

    @property
    def pids(self) -> list[int]:
        """The workers on this machine (the memory limit adds theirs)."""
        return self._pids

    def call(
        self,
        requests: Sequence[tuple[str, tuple[Any, ...]] | None],
        waiting: Callable[[], None],
    ) -> list[Any]:
        pending = {}
        table = None
        for index, (actor, request) in enumerate(zip(self._actors, requests)):
            if request is None:
                continue
            method, args = request
            if method == "expand":
                # A top-level argument, so that Ray hands the worker the arrays themselves.
                table = table or self._ray.put(FingerprintTable.attach(args[0]))
                args = (table,)
            pending[actor.serve.remote(method, *args)] = index
        self._busy = set(pending.values())
        answers: list[Any] = [None] * len(requests)
        while pending:
            done, _ = self._ray.wait(list(pending), num_returns=len(pending), timeout=_POLL_SECONDS)
            for ref, (status, answer) in zip(done, self._answers(done)):
                index = pending.pop(ref)
                self._busy.discard(index)
                if status == "interrupted":
                    raise KeyboardInterrupt
                if status == "memory":
                    raise MemoryError
                if status == "error":
                    raise RuntimeError(f"in a cluster worker: {answer}")
                answers[index] = answer
            waiting()
        return answers

    def _answers(self, refs: list[Any]) -> list[Any]:
        try:
            return self._ray.get(refs)
        except self._ray.exceptions.RayActorError as lost:
            raise SearchStopped(f"a cluster worker was lost ({_first_line(lost)})") from None
        except self._ray.exceptions.ObjectLostError as lost:
            raise SearchStopped(f"the cluster lost data ({_first_line(lost)})") from None

    def close(self) -> None:
        for index, actor in enumerate(self._actors):
            if index in self._busy:
                self._ray.kill(actor)
            else:
                actor.unload.remote()
                self._idle.actors.append(actor)
        self._actors.clear()
        self._busy.clear()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class Cluster:
    """A connected Ray cluster (`connect`): its CPUs, and the transport to pass
    `explore`, whose actors serve every search until `close`, which disconnects (and
    stops a cluster started here)."""

    def __init__(self, address: str, cpus: int) -> None:
        self.address = address
        self.cpus = cpus
        self._idle = _Idle()

    def transport(self, size: int) -> RayWorkers:
        return RayWorkers(size, self._idle)

    def close(self) -> None:
        import ray

        self._idle.actors.clear()
        ray.shutdown()


def parse_address(text: str) -> str:
    """The --cluster value, checked: `local`, `local:K`, `auto`, `ray://HOST:PORT` or
    `HOST:PORT`. Raises ValueError with what is wrong."""
    if text == "local" or text == "auto":
        return text
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"{text}: local:K needs a positive number of processes K")
        return text
    host, port = _host_port(text)
    if not host or port is None:
        raise ValueError(f"{text}: expected local, local:K, auto, ray://HOST:PORT or HOST:PORT")
    return text


def _host_port(address: str) -> tuple[str, int | None]:
    bare = address.removeprefix("ray://")
    host, _, port = bare.rpartition(":")
    if not host:
        return bare, _RAY_CLIENT_PORT if address.startswith("ray://") else _GCS_PORT
    return host.strip("[]"), int(port) if port.isdigit() and 0 < int(port) < 65536 else None


def connect(address: str) -> Cluster:
    """Connect to the Ray cluster at `address` (`parse_address`'s forms; `local:K`
    starts one on this machine with K worker processes, `local` with one per core).
    Raises ClusterUnavailable, in one line, when it cannot."""
    try:
        import ray
    except ImportError:
        raise ClusterUnavailable("--cluster needs Ray: pip install 'leaderless[cluster]'") from None
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "logging_level": logging.ERROR,
    }
    if address.startswith("local"):
        _, _, count = address.partition(":")
        # "local": a new cluster, even where one already runs here (Ray would join it).
        options.update(address="local", num_cpus=int(count) if count else default_workers())
    else:
        if address != "auto":
            _reachable(address)
        options["address"] = address
    try:
        ray.init(**options)
    except (ConnectionError, RuntimeError, ValueError) as refused:
        raise ClusterUnavailable(
            f"--cluster {address}: no Ray cluster there ({_first_line(refused)})"
        ) from None
    cpus = int(ray.cluster_resources().get("CPU", 0))
    if cpus < 1:
        ray.shutdown()
        raise ClusterUnavailable(f"--cluster {address}: the Ray cluster has no CPU")
    return Cluster(address, cpus)


def _reachable(address: str) -> None:
    """Fail fast on an address nothing answers at (Ray itself retries for minutes)."""
    host, port = _host_port(address)
    assert port is not None  # parse_address checked it
    try:
        socket.create_connection((host, port), timeout=_CONNECT_SECONDS).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ClusterUnavailable(
            f"--cluster {address}: cannot reach {host}:{port} ({reason})"
        ) from None
