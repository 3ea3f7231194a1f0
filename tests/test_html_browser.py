"""The HTML report in a real browser: headless Chromium opens a report of real
counterexamples, with no console errors, an arrow per message, and working controls.

Skips, saying what to install, where Chromium, chromedriver or selenium is missing;
`.ci/run` installs them, so CI runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from headless import headless_chromium, unavailable
from leaderless.checker.explorer import explore
from leaderless.checker.html import write_html
from leaderless.checker.render import exploration_data
from leaderless.model import Config, ReplicationModel, parse_clients

pytestmark = pytest.mark.browser

# Drops, a crash and timeouts: every kind of arrow end and mark appears in its traces.
FAULTS = Config(
    n=3, w=2, r=1, clients=parse_clients("w,r"), timeouts=True, max_drops=1, max_crashes=1
)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    model = ReplicationModel(FAULTS)
    return exploration_data(model, explore(model))


@pytest.fixture(scope="module")
def browser(report: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One Chromium for the module, already on the report (starting it takes seconds)."""
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"no headless browser: {reason}")
    page = tmp_path_factory.mktemp("report") / "report.html"
    write_html(page, report)
    with headless_chromium(width=1800, height=1400) as driver:
        driver.get(page.as_uri())
        yield driver


def traces(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [p["trace"] for p in report["properties"] if p["trace"] is not None]


def current(driver: Any, section: str) -> int:
    rows = driver.find_elements("css selector", f"#{section} svg .row.current")
    assert len(rows) == 1
    return int(rows[0].get_attribute("data-step"))


def visible_state(driver: Any, section: str) -> int:
    shown = [
        s for s in driver.find_elements("css selector", f"#{section} .state") if s.is_displayed()
    ]
    assert len(shown) == 1
    return int(shown[0].get_attribute("data-step"))


def test_no_console_errors(browser: Any) -> None:
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_an_arrow_per_message(browser: Any, report: dict[str, Any]) -> None:
    assert len(traces(report)) == 6
    for trace in traces(report):
        messages = {m["name"] for state in trace["states"] for m in state["net"]}
        arrows = browser.find_elements("css selector", f"#trace-{trace['property']} svg g.arrow")
        assert len(arrows) == len(messages), trace["property"]
        assert {a.get_attribute("data-message") for a in arrows} == messages


def test_opens_on_the_violating_step(browser: Any, report: dict[str, Any]) -> None:
    for trace in traces(report):
        section = f"trace-{trace['property']}"
        assert current(browser, section) == trace["length"]
        assert visible_state(browser, section) == trace["length"]
        row = browser.find_element("css selector", f"#{section} svg .row.current")
        assert "violating" in row.get_attribute("class")
        reason = browser.find_element("css selector", f"#{section} .reason").text
        assert trace["reason"] in reason


def test_prev_and_next_move_the_highlight(
    browser: Any, report: dict[str, Any], tmp_path: Path
) -> None:
    section = "trace-stale-read"
    last = next(t["length"] for t in traces(report) if t["property"] == "stale-read")

    def click(button: str) -> None:
        browser.find_element("css selector", f"#{section} .{button}").click()

    click("next")  # already on the last step: stays there
    assert current(browser, section) == last
    click("prev")
    click("prev")
    assert (current(browser, section), visible_state(browser, section)) == (last - 2, last - 2)
    click("next")
    assert (current(browser, section), visible_state(browser, section)) == (last - 1, last - 1)
    where = browser.find_element("css selector", f"#{section} .where").text
    assert where == f"step {last - 1} of {last}"
    # Arrows sent or delivered at the shown step are the highlighted ones.
    active = browser.find_elements("css selector", f"#{section} svg g.arrow.active")
    assert active and all(
        str(last - 1) in (a.get_attribute("data-sent"), a.get_attribute("data-ended"))
        for a in active
    )
    click("first")
    assert current(browser, section) == 0
    shot = tmp_path / "report.png"
    browser.find_element("id", section).screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    click("violation")
    assert current(browser, section) == last
