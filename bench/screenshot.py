"""Render a real counterexample's HTML report in headless Chromium and save a screenshot.

Run once to refresh the README's picture (needs Debian's chromium and chromium-driver,
and selenium):

    python bench/screenshot.py docs/report.png
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from leaderless.checker.explorer import explore
from leaderless.checker.html import write_html
from leaderless.checker.render import exploration_data
from leaderless.model import Config, ReplicationModel, parse_clients

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from headless import headless_chromium  # after the path: tests/ is not a package

# The README's example: a write acknowledged by two replicas, then a read that meets
# the third one, which the write has not reached.
CONFIG = Config(
    n=3, w=2, r=1, clients=parse_clients("w,r"), timeouts=True, max_drops=1, max_crashes=1
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", type=Path, help="where to save the screenshot")
    parser.add_argument("--property", default="stale-read", help="the trace to show")
    parser.add_argument("--width", type=int, default=1900)
    args = parser.parse_args()
    model = ReplicationModel(CONFIG)
    report = exploration_data(model, explore(model))
    report["properties"] = [
        p for p in report["properties"] if p["trace"] is None or p["id"] == args.property
    ]
    with tempfile.TemporaryDirectory() as directory:
        page = Path(directory) / "report.html"
        write_html(page, report)
        with headless_chromium(width=args.width, height=1600) as driver:
            driver.get(page.as_uri())
            section = driver.find_element("id", f"trace-{args.property}")
            driver.execute_script("arguments[0].scrollIntoView()", section)
            args.png.parent.mkdir(parents=True, exist_ok=True)
            section.screenshot(str(args.png))
    print(f"saved {args.png}")


if __name__ == "__main__":
    main()
