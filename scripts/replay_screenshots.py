"""Screenshots of replay pages for docs/ (headless Debian chromium through Playwright).

    python scripts/replay_screenshots.py PAGE.html OUT_PREFIX [+LAYER ...] T [T ...]

writes OUT_PREFIX_1.png, OUT_PREFIX_2.png, ... of PAGE at run times T (s) at 1600 x 900 px; ``+radio``
(or another layer name of the page's Layers box) switches that layer on or off first.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def main(page_path: str, prefix: str, times: list[float], layers: list[str]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto(Path(page_path).resolve().as_uri())
        page.wait_for_function("window.replay && window.replay.ready")
        for layer in layers:
            page.evaluate(f"document.querySelector('[data-layer={layer}]').click()")
        for number, t in enumerate(times, start=1):
            page.evaluate(f"replay.seek({t})")
            page.wait_for_timeout(150)
            page.screenshot(path=f"{prefix}_{number}.png" if len(times) > 1 else f"{prefix}.png")
        browser.close()


if __name__ == "__main__":
    rest = sys.argv[3:]
    times = [float(t) for t in rest if t[0] != "+"]
    main(sys.argv[1], sys.argv[2], times, [a[1:] for a in rest if a[0] == "+"])
