"""Mutation testing of model/: which small semantic changes does the test suite notice?

Each mutant is one change to the model's source: a comparison flipped or moved by one
(`<` to `<=` or `>=`), a conjunct or disjunct of a condition dropped, a `not` or `~`
dropped, an integer constant moved by one, `+`/`-` and `max`/`min` swapped, the first
two arguments of a call to the module's own function swapped, or an update, a call
statement, an early `return` or a `continue` skipped. Mutants of model/actions.py and
model/properties.py are generated with `ast` from the files' current text (nothing is
tied to line numbers); model/state.py, system.py and symmetry.py get a hand-written
list. A mutant is *killed* when the tests fail with it.

Nothing is changed in place: the working tree (tracked and untracked files that git
does not ignore) is copied to a temporary directory per job, and each mutant is
written there, tested and undone. The tests run with `-x` and the test files below
(the ones that exercise the model, fastest killers first); `--full` reruns each
survivor against the whole suite.

    python bench/mutate.py --list                 # the mutants, nothing run
    python bench/mutate.py --jobs 2               # every mutant, two in parallel
    python bench/mutate.py --only properties.py:monotonic_reads
    python bench/mutate.py --tests tests/test_facts.py --full

Exit code: 0 when every mutant is killed or listed in EQUIVALENT below, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ("model/actions.py", "model/properties.py")

# Run in this order with -x, so most mutants die in the first seconds.
FAST_TESTS = (
    "tests/test_model_pins.py",
    "tests/test_property_edges.py",
    "tests/test_actions.py",
    "tests/test_reference_agreement.py",
    "tests/test_symmetry.py",
    "tests/test_state_counts.py",
    "tests/test_fingerprints.py",
    "tests/test_config_edges.py",
    "tests/test_search.py",  # the search calls the actions and predicates its own way
    "tests/test_vacuity.py",  # situations: necessary for a violation, and no broader
)

# Hand-written mutants of the modules the generator does not cover: (file, the text
# to change, its replacement).
HAND_WRITTEN = (
    (
        "model/state.py",
        "for c, script in enumerate(config.clients) for k in range(len(script))",
        (
            "for k in range(max(map(len, config.clients))) for c, script in enumerate(config.clients)"
            " if k < len(script)"
        ),
    ),
    (
        "model/state.py",
        "(ts - self.min_timestamp + 1) * self.op_count + op + 1",
        "(ts - self.min_timestamp + 1) * self.op_count + op",
    ),
    (
        "model/state.py",
        "return Message(kind, op, rest % self.n, rest // self.n)",
        "return Message(kind, op, rest % self.n, rest // self.n + 1)",
    ),
    (
        "model/system.py",
        "self.canonical_key = self._symmetry.canonical_key",
        "self.canonical_key = lambda state: state",
    ),
    (
        "model/system.py",
        "self.applicable = self.catalogue.applicable",
        "self.applicable = (1 << len(self.properties)) - 1",
    ),
    (
        "model/system.py",
        "return self.catalogue.explain(1 << property_index, state)",
        "return self.catalogue.explain(1 << property_index - 1, state)",
    ),
    (
        "model/symmetry.py",
        "signatures = [[version, up >> i & 1] for i, version in enumerate(store)]",
        "signatures = [[version] for i, version in enumerate(store)]",
    ),
    ("model/symmetry.py", "append[i](-2 - 3 * op)", "append[i](-2)"),
    ("model/symmetry.py", "append[i](-4 - 3 * op)", "append[i](-4)"),
    (
        "model/symmetry.py",
        "append[i](-3 * (1 + op + op_count * version))",
        "append[i](-3 * (1 + op))",
    ),
    ("model/symmetry.py", "        signatures.sort()\n", "        signatures.reverse()\n"),
    (
        "model/symmetry.py",
        "return (tuple(map(tuple, signatures)), now, drops, crashes, hist)",
        "return (tuple(map(tuple, signatures)), now, drops, hist)",
    ),
)

# Mutants that change no behaviour the model can show, by id (see --list), each with
# the reason. A listed mutant that the tests kill is reported: the reason was wrong.
_SHORTCUT = "a shortcut: the action called next checks its own guard (test_actions.py)"
EQUIVALENT: dict[str, str] = {
    "properties.py:Catalogue._history: return self._last_entry -> pass": "the cache "
    "behind it holds the same entry: the shortcut saves a hash, it decides nothing",
    "actions.py:Transitions.deliver_write_request: status == PENDING and "
    "self.scope.is_write[m.op] -> status == PENDING": "a read sends write requests only as repairs, once it has decided, never while "
    "pending",
    "actions.py:Transitions.deliver_write_ack: status == PENDING and self.scope.is_write[op] "
    "-> self.scope.is_write[op]": "a write's acks leave the network when it completes or times out",
    "actions.py:Transitions.deliver_write_ack: status == PENDING and self.scope.is_write[op] "
    "-> status == PENDING": "a pending read has no acks in flight: acks of a read answer its repairs",
    "actions.py:Transitions.deliver_write_ack: status == PENDING and self.scope.is_write[op] "
    "-> status == PENDING or self.scope.is_write[op]": "the two mutants above together",
    'actions.py:Transitions.deliver_read_response: return [(("DeliverReadResponse", code, '
    "None), (state[STORE], state[UP], state[NOW], net... -> pass": "the branch is unreachable: a read's responses leave the network when it decides",
    "actions.py:Transitions.deliver_read_response: (state[STORE], state[UP], state[NOW], net) "
    "+ rest -> (state[STORE], state[UP], state[NOW], net) - rest": "in the same unreachable branch",
    'actions.py:Transitions.deliver_read_response: stale and repair != "off" -> '
    "repair != 'off'": "with no stale responder the repair sends nothing",
    "actions.py:Transitions.successors: state[DROPS] < self.max_drops -> "
    "state[DROPS] <= self.max_drops": _SHORTCUT,
    "actions.py:Transitions.successors: (record[H_STATUS] == PENDING or "
    "record[H_STATUS] == REPAIRING) and (nxt := self.timeout... -> (nxt := "
    "self.timeout(state, op)) is not None": _SHORTCUT,
    "actions.py:Transitions.successors: state[CRASHES] < self.max_crashes -> "
    "state[CRASHES] <= self.max_crashes": _SHORTCUT,
    "actions.py:Transitions.successors: up >> replica & 1 and (nxt := "
    "self.crash(state, replica)) is not None -> (nxt := self.crash(state, replica)) "
    "is not None": _SHORTCUT,
    "actions.py:Transitions.successors: 1 -> 0 #2": "a replica paired with itself has nothing to merge, which anti_entropy_exchange checks",
    "actions.py:Transitions.successors: store[i] != store[j] and up >> i & 1 and up "
    ">> j & 1 and (nxt := self.anti_entropy_exch... -> up >> i & 1 and up >> j & 1 "
    "and ((nxt := self.anti_entropy_exchange(state, i, j)) is not None)": _SHORTCUT,
    "actions.py:Transitions.successors: store[i] != store[j] and up >> i & 1 and up "
    ">> j & 1 and (nxt := self.anti_entropy_exch... -> store[i] != store[j] and up "
    ">> j & 1 and ((nxt := self.anti_entropy_exchange(state, i, j)) is not None)": _SHORTCUT,
    "actions.py:Transitions.successors: store[i] != store[j] and up >> i & 1 and up "
    ">> j & 1 and (nxt := self.anti_entropy_exch... -> store[i] != store[j] and up "
    ">> i & 1 and ((nxt := self.anti_entropy_exchange(state, i, j)) is not None)": _SHORTCUT,
    "properties.py:_precedes: a[H_COMPLETED] != 0 and b[H_INVOKED] != 0 and a[H_COMPLETED] "
    "< b[H_INVOKED] -> a[H_COMPLETED] != 0 and a[H_COMPLETED] < b[H_INVOKED]": "b not invoked has invoked 0, and a completed at a time >= 1 is not below 0",
    "properties.py:_precedes: 0 -> 1 #2": "b invoked at 1 would need a completed before 1, which the first conjunct rules out",
    "properties.py:_precedes: 0 -> -1 #2": "same as dropping the conjunct: no time is -1",
    "properties.py:Catalogue.lww_order: hist[a][H_VERSION] > hist[b][H_VERSION] -> "
    "hist[a][H_VERSION] >= hist[b][H_VERSION]": "lww versions carry the writer op, so two writes never have equal versions, and "
    "lww-order applies under lww only",
    "properties.py:Catalogue.write_atomicity: return None -> pass": "a shortcut: with no failed write the loop finds nothing either",
    "properties.py:Catalogue.convergence: max -> min": "under anti-entropy every live replica is given the same value; which one is moot",
    "properties.py:Catalogue.availability: return None -> pass": "a shortcut: with no op active the loop over active ops finds nothing either",
    "properties.py:Catalogue.availability: status == PENDING and self.scope.is_write[op] -> "
    "self.scope.is_write[op]": "active ops are pending or repairing, and only reads repair",
    "properties.py:Catalogue.availability: m_op == op and (kind == WACK or kind == WREQ) -> "
    "m_op == op": "a repairing read's requests and responses left the network when it decided",
    "properties.py:Catalogue.violations: wanted & self._quiescent_bits and not active and not "
    "state[NET] -> not active and (not state[NET])": "a shortcut: each quiescent property is tested against `wanted` again inside",
    "properties.py:Catalogue.violations: wanted & bit and check(self, state) is not None -> "
    "check(self, state) is not None #2": "the quiescent group has one property (convergence), which the group's test covers",
    "properties.py:Catalogue.reached: wanted & self._quiescent_bits and not active and not "
    "state[NET] -> not active and (not state[NET])": "a shortcut: each quiescent situation is tested against `wanted` again inside",
    "properties.py:Catalogue.reached: wanted & bit and situation(self, state) -> "
    "situation(self, state) #2": "the quiescent group has one property (convergence), which the group's test covers",
    "properties.py:_linearizable: is_write[op] and status in (PENDING, FAIL) -> "
    "status in (PENDING, FAIL)": "an optional pending or failed read never changes the value, so placing it never "
    "helps a linearization",
    "properties.py:_linearizable: is_write[op] and status in (PENDING, FAIL) -> is_write[op]": "an idle write as an optional member: no read returns its value, so placing it "
    "never helps",
    "properties.py:_linearizable: is_write[op] and status in (PENDING, FAIL) -> is_write[op] "
    "or status in (PENDING, FAIL)": "the two mutants above together",
    "properties.py:_linearizable: is_write[e] or hist[e][H_RESULT] == NIL -> "
    "hist[e][H_RESULT] == NIL": "`returns` of a write is never read (writes are placed by the is_write branch)",
    "properties.py:_linearizable.extend: return False -> pass": "the dead-end memo only saves work: the search tries the same state again",
    "properties.py:_linearizable.extend: dead_ends.add((placed, value)) -> pass": "the dead-end memo only saves work",
}


@dataclass(frozen=True)
class Mutant:
    file: str
    id: str
    text: str  # the whole mutated file


# Replacement operators, per comparison: a boundary shift and the negation.
_COMPARE = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
_ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add}
_SWAPPED_CALLS = {"max": "min", "min": "max"}


class _Sites(ast.NodeVisitor):
    """Walks a module and yields (qualified name, node, replacement source) per mutant."""

    def __init__(self, tree: ast.Module) -> None:
        self.scope: list[str] = []
        self.assigned: list[set[str]] = [set()]
        self.found: list[tuple[str, ast.AST, str]] = []
        self.own_functions = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }

    def add(self, node: ast.AST, replacement: str) -> None:
        self.found.append((".".join(self.scope) or "<module>", node, replacement))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.scope.append(node.name)
        self.assigned.append({a.arg for a in node.args.args + node.args.kwonlyargs})
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        for statement in body:
            self.visit(statement)
        for default in node.args.defaults:
            self.visit(default)
        self.assigned.pop()
        self.scope.pop()

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            for other in _COMPARE.get(type(op), ()):
                ops = list(node.ops)
                ops[index] = other()
                self.add(node, ast.unparse(ast.Compare(node.left, ops, node.comparators)))
        self._constants([node.left, *node.comparators])
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        for index in range(len(node.values)):
            rest = node.values[:index] + node.values[index + 1 :]
            self.add(node, ast.unparse(rest[0] if len(rest) == 1 else ast.BoolOp(node.op, rest)))
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self.add(node, ast.unparse(ast.BoolOp(other, node.values)))
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not | ast.Invert):
            self.add(node, ast.unparse(node.operand))
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if type(node.op) in _ARITHMETIC:
            self.add(
                node, ast.unparse(ast.BinOp(node.left, _ARITHMETIC[type(node.op)](), node.right))
            )
        self._constants([node.left, node.right])
        self.generic_visit(node)

    def _constants(self, operands: list[ast.expr]) -> None:
        for operand in operands:
            if isinstance(operand, ast.Constant) and type(operand.value) is int:
                for value in (operand.value + 1, operand.value - 1):
                    self.add(operand, repr(value))

    def visit_Call(self, node: ast.Call) -> None:
        name = (
            node.func.id
            if isinstance(node.func, ast.Name)
            else (node.func.attr if isinstance(node.func, ast.Attribute) else None)
        )
        if isinstance(node.func, ast.Name) and name in _SWAPPED_CALLS:
            self.add(node.func, _SWAPPED_CALLS[name])
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if name in self.own_functions and len(positional) >= 2 and len(node.args) >= 2:
            args = [node.args[1], node.args[0], *node.args[2:]]
            self.add(node, ast.unparse(ast.Call(node.func, args, node.keywords)))
        self.generic_visit(node)

    # Skipped statements: updates of what is already bound, calls for their effect,
    # early returns from a branch, and `continue`.
    def visit_Assign(self, node: ast.Assign) -> None:
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if self.scope and names and all(n in self.assigned[-1] for n in names):
            self.add(node, "pass")
        self.assigned[-1].update(names)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if self.scope:
            self.add(node, "pass")
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if self.scope and isinstance(node.value, ast.Call):
            self.add(node, "pass")
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        for statement in node.body:
            if isinstance(statement, ast.Return | ast.Continue):
                self.add(statement, "pass")
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        if isinstance(node.target, ast.Name):
            self.assigned[-1].add(node.target.id)
        elif isinstance(node.target, ast.Tuple):
            self.assigned[-1].update(e.id for e in node.target.elts if isinstance(e, ast.Name))
        self.generic_visit(node)


def _offset(lines: list[str], line: int, column: int) -> int:
    """The character offset of (1-based line, UTF-8 byte column) in the text."""
    before = sum(len(text) for text in lines[: line - 1])
    return before + len(lines[line - 1].encode()[:column].decode())


def generated_mutants(file: str, text: str) -> Iterator[Mutant]:
    sites = _Sites(tree := ast.parse(text))
    sites.visit(tree)
    lines = text.splitlines(keepends=True)
    seen: dict[str, int] = {}
    for where, node, replacement in sites.found:
        start = _offset(lines, node.lineno, node.col_offset)
        end = _offset(lines, node.end_lineno, node.end_col_offset)
        original = text[start:end]
        is_statement = isinstance(node, ast.stmt)
        new = replacement if is_statement or replacement.isidentifier() else f"({replacement})"
        mutated = text[:start] + new + text[end:]
        if ast.dump(ast.parse(mutated)) == ast.dump(tree):
            continue
        shown = _one_line(original)
        if len(shown) > 90:
            shown = shown[:87] + "..."
        base = f"{Path(file).name}:{where}: {shown} -> {' '.join(replacement.split())}"
        seen[base] = seen.get(base, 0) + 1
        yield Mutant(file, base if seen[base] == 1 else f"{base} #{seen[base]}", mutated)


def _one_line(source: str) -> str:
    """Source text on one line, as it would read unwrapped, so that a mutant's id does
    not change when the formatter wraps a line (brackets and trailing commas it adds)."""
    text = " ".join(source.split())
    text = re.sub(r",\s*([)\]}])", r"\1", text)
    return re.sub(r"([(\[{]) | ([)\]}])", lambda m: m[1] or m[2], text)


def all_mutants(root: Path) -> tuple[list[Mutant], list[str]]:
    """Every mutant of the current sources, and the hand-written ones whose text is gone."""
    mutants: list[Mutant] = []
    for file in GENERATED:
        mutants.extend(generated_mutants(file, (root / file).read_text()))
    stale = []
    for file, old, new in HAND_WRITTEN:
        text = (root / file).read_text()
        if text.count(old) != 1:
            stale.append(f"{file}: {old!r} is not in the file exactly once")
            continue
        mutated = text.replace(old, new)
        shown_old, shown_new = (" ".join(s.split()) for s in (old, new))
        mutants.append(Mutant(file, f"{Path(file).name}: {shown_old} -> {shown_new}", mutated))
    return mutants, stale


def copy_tree(destination: Path) -> None:
    """The working tree as git sees it (tracked and untracked, not ignored files)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in sorted(set(listed.stdout.decode().split("\0")) - {""}):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    status: str  # killed / survived / timeout / error
    by: str  # the first failing test, or why it counts as an error
    seconds: float


_RUNNING: set[subprocess.Popen] = set()  # killed with their children if we are stopped


def importable_copy(copy: Path) -> Path:
    """A folder that makes `leaderless.model` (and checker, proofs) the copy's folders:
    the editable install maps those names to this checkout, and a folder on PYTHONPATH
    comes before that mapping."""
    path = copy / "build" / "mutant-path"
    (path / "leaderless").mkdir(parents=True, exist_ok=True)
    for package in ("model", "checker", "proofs"):
        link = path / "leaderless" / package
        if not link.exists():
            link.symlink_to(copy / package, target_is_directory=True)
    return path


def run_tests(copy: Path, tests: list[str], timeout: float) -> tuple[int | None, str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join((str(importable_copy(copy)), str(copy))),
        "HYPOTHESIS_PROFILE": "ci",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        *tests,
    ]
    process = subprocess.Popen(
        command,
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    _RUNNING.add(process)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None, ""
    finally:
        _RUNNING.discard(process)
    return process.returncode, output


def test_mutant(mutant: Mutant, copies: queue.Queue, tests: list[str], timeout: float) -> Outcome:
    copy = copies.get()
    path = copy / mutant.file
    original = path.read_text()
    started = time.monotonic()
    try:
        path.write_text(mutant.text)
        code, output = run_tests(copy, tests, timeout)
    finally:
        path.write_text(original)
        copies.put(copy)
    seconds = time.monotonic() - started
    if code is None:
        return Outcome(mutant, "timeout", f"no verdict in {timeout:g} s", seconds)
    if code == 0:
        return Outcome(mutant, "survived", "", seconds)
    failed = re.search(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", output, re.MULTILINE)
    if code == 1 and failed:
        return Outcome(mutant, "killed", failed.group(1), seconds)
    last = output.strip().splitlines()[-1] if output.strip() else f"exit {code}"
    return Outcome(mutant, "killed", f"pytest exit {code}: {last}", seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument(
        "--only",
        metavar="TEXT",
        action="append",
        help="only mutants whose id contains TEXT (repeat for several)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once")
    parser.add_argument(
        "--tests",
        nargs="+",
        metavar="FILE",
        default=list(FAST_TESTS),
        help="test files to run per mutant (default: the model's fast set)",
    )
    parser.add_argument(
        "--full", action="store_true", help="rerun each survivor against the whole suite"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="S",
        help="seconds a mutant's tests may take; past it the mutant counts "
        "as killed by a timeout (default 300)",
    )
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    mutants, stale = all_mutants(ROOT)
    for problem in stale:
        print(f"stale hand-written mutant: {problem}", file=sys.stderr)
    ids = {m.id for m in mutants}
    for mutant_id in sorted(set(EQUIVALENT) - ids):
        print(f"listed as equivalent but no longer generated: {mutant_id}", file=sys.stderr)
    if args.only:
        mutants = [m for m in mutants if any(text in m.id for text in args.only)]
    if args.list:
        for mutant in mutants:
            mark = "  (equivalent)" if mutant.id in EQUIVALENT else ""
            print(mutant.id + mark)
        print(f"{len(mutants)} mutants", file=sys.stderr)
        return 0

    with tempfile.TemporaryDirectory(prefix="leaderless-mutants-") as scratch:
        copies: queue.Queue[Path] = queue.Queue()
        for job in range(args.jobs):
            copy = Path(scratch) / f"copy{job}"
            copy_tree(copy)
            copies.put(copy)
        print(
            f"{len(mutants)} mutants, {args.jobs} at a time; tests: {' '.join(args.tests)}",
            file=sys.stderr,
        )
        copy = copies.get()
        code, output = run_tests(copy, args.tests, args.timeout)
        copies.put(copy)
        if code != 0:
            print(
                "the tests fail without a mutant; fix them first:\n" + output[-3000:],
                file=sys.stderr,
            )
            return 2
        outcomes = []
        pool = ThreadPoolExecutor(args.jobs)
        try:
            futures = [
                pool.submit(test_mutant, m, copies, args.tests, args.timeout) for m in mutants
            ]
            for number, future in enumerate(futures, 1):
                outcome = future.result()
                outcomes.append(outcome)
                print(
                    f"[{number}/{len(mutants)}] {outcome.status:8} {outcome.seconds:5.1f}s "
                    f"{outcome.mutant.id}" + (f"  <- {outcome.by}" if outcome.by else ""),
                    file=sys.stderr,
                    flush=True,
                )
            if args.full:
                survivors = [o for o in outcomes if o.status == "survived"]
                rerun = [
                    pool.submit(test_mutant, o.mutant, copies, ["tests"], args.timeout)
                    for o in survivors
                ]
                again = {outcome.mutant.id: outcome for outcome in (f.result() for f in rerun)}
                outcomes = [again.get(o.mutant.id, o) for o in outcomes]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)  # a Ctrl-C starts no more runs
    return report(outcomes, stale)


def report(outcomes: list[Outcome], stale: list[str]) -> int:
    by_file: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_file.setdefault(outcome.mutant.file, []).append(outcome)
    print(
        f"\n{'file':24} {'mutants':>8} {'killed':>7} {'timeout':>8} {'equivalent':>11} "
        f"{'survived':>9}"
    )
    for file, group in by_file.items():
        count = {s: sum(o.status == s for o in group) for s in ("killed", "timeout")}
        equivalent = sum(o.status == "survived" and o.mutant.id in EQUIVALENT for o in group)
        survived = sum(o.status == "survived" and o.mutant.id not in EQUIVALENT for o in group)
        print(
            f"{file:24} {len(group):8} {count['killed']:7} {count['timeout']:8} "
            f"{equivalent:11} {survived:9}"
        )
    survivors = [o for o in outcomes if o.status == "survived" and o.mutant.id not in EQUIVALENT]
    wrongly_listed = [o for o in outcomes if o.status != "survived" and o.mutant.id in EQUIVALENT]
    if survivors:
        print("\nsurvivors (no test noticed the change):")
        for outcome in survivors:
            print(f"  {outcome.mutant.id}")
    if wrongly_listed:
        print("\nlisted as equivalent, yet killed (drop them from EQUIVALENT):")
        for outcome in wrongly_listed:
            print(f"  {outcome.mutant.id}  <- {outcome.by}")
    return 1 if survivors or wrongly_listed or stale else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: no report")
    finally:
        for running in list(_RUNNING):  # their own sessions: a Ctrl-C does not reach them
            os.killpg(running.pid, signal.SIGKILL)
