"""Screenshots of replay pages for docs/ (headless Debian chromium through Playwright).

    python scripts/replay_screenshots.py PAGE.html OUT_PREFIX T [T ...]

writes OUT_PREFIX_1.png, OUT_PREFIX_2.png, ... of PAGE at run times T (s) at 1600 x 900 px.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def main(page_path: str, prefix: str, times: list[float]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto(Path(page_path).resolve().as_uri())
        page.wait_for_function("window.replay && window.replay.ready")
        for number, t in enumerate(times, start=1):
            page.evaluate(f"replay.seek({t})")
            page.wait_for_timeout(150)
            page.screenshot(path=f"{prefix}_{number}.png" if len(times) > 1 else f"{prefix}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [float(t) for t in sys.argv[3:]])
