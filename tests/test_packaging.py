"""The install layout: every package under model/, checker/ and proofs/ is listed in
pyproject.toml (a missing one would be left out of a non-editable install), and the
three install under the one namespace `leaderless`."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]


def test_every_package_folder_is_listed():
    found = {
        "leaderless." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("model", "checker", "proofs")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert set(SETUPTOOLS["packages"]) == found


def test_the_folders_map_into_the_namespace():
    assert SETUPTOOLS["package-dir"] == {
        f"leaderless.{top}": top for top in ("model", "checker", "proofs")
    }
