"""The browsers the replay tests drive: Debian's chromium through Playwright (no browser download), and
Debian's firefox-esr through ``scripts/replay_firefox.py`` (WebDriver BiDi, built into Firefox)."""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/lib/chromium/chromium") if Path(p).exists()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
FIREFOX = shutil.which("firefox-esr")


def open_page(browser, path: Path):
    """``path`` open in a new page of ``browser`` (Playwright) once ``window.replay`` is ready, and the list
    its console errors, page errors and requests for anything but the page itself go to."""
    page = browser.new_page(viewport={"width": 1400, "height": 860})
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: problems.append(f"request: {r.url}") if r.url != path.as_uri() else None)
    page.goto(path.as_uri())
    page.wait_for_function("window.replay && window.replay.ready", timeout=15000)
    return page, problems
