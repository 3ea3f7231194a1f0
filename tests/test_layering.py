"""The checker's generic machinery (checker/*.py) knows nothing of replication: it never
imports `leaderless.model`. Only checker/commands/ puts the model and the checker together."""

import ast
import subprocess
import sys
from pathlib import Path

from leaderless import checker

# Found through the package, not the working directory, so the test reads the same
# files wherever pytest starts (a relative Path("checker") from tests/ matched nothing
# and the test passed without reading a file).
CHECKER = Path(checker.__file__).resolve().parent
MODULES = sorted(path for path in CHECKER.glob("*.py") if path.name != "__main__.py")


def test_the_modules_under_test_are_found():
    assert {"explorer.py", "trace.py", "protocol.py", "cli.py"} <= {p.name for p in MODULES}


def _imported_names(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            names.append(node.module or "")
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_no_checker_module_names_the_model_in_an_import():
    for path in MODULES:
        for name in _imported_names(path):
            assert name.split(".")[:2] != ["leaderless", "model"], f"{path.name} imports {name}"


def test_importing_every_checker_module_loads_no_model_module():
    # Catches what the source check cannot see: an import made by something imported.
    names = [f"leaderless.checker.{path.stem}" for path in MODULES]
    probe = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] == ['leaderless', 'model']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=CHECKER.parent,
        check=True,
    )
    assert done.stdout.strip() == "[]"
