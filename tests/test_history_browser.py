"""The history timeline in a real browser: headless Chromium draws a bar per operation,
the witness's bars marked, with no console errors. Skips where Chromium is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from headless import headless_chromium, unavailable
from leaderless.checker.cli import main

pytestmark = pytest.mark.browser
ETCD = Path(__file__).parent / "data" / "porcupine" / "jepsen" / "etcd_064.log"


def test_timeline_renders(tmp_path, capsys):
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"no headless browser: {reason}")
    page = tmp_path / "timeline.html"
    assert main(["history", str(ETCD), "--quiet", "--html", str(page)]) == 1
    capsys.readouterr()
    with headless_chromium() as driver:
        driver.get(page.as_uri())
        bars = driver.find_elements("css selector", "g.bar rect")
        marked = driver.find_elements("css selector", "g.bar.witness rect")
        assert len(bars) == 85 and len(marked) == 3
        assert all(bar.size["width"] > 0 and bar.size["height"] > 0 for bar in marked)
        cut = driver.find_element("css selector", "line.cut")  # may lie off the scrolled view
        assert driver.execute_script("return arguments[0].getBBox().height", cut) > 100
        assert [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"] == []
