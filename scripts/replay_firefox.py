"""A replay page in Firefox: Debian's ``firefox-esr``, headless, driven through WebDriver BiDi, the remote
protocol Firefox has built in (no geckodriver; Playwright drives only its own build of Firefox).

    python scripts/replay_firefox.py PAGE.html [--screenshot OUT.png] [T ...]

Opens PAGE, waits for ``window.replay.ready``, moves the clock to each run time T (s) with
``replay.seek(T)`` and prints ``replay.state()`` and the camera caption there, saves a screenshot of the
last, and reports every JavaScript error or console error and every request to anything but the page itself.
Exit code 0 when there were none, 1 otherwise. ``apt-get install firefox-esr`` first.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIREFOX = "firefox-esr"
PREFS = """
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("app.update.enabled", false);
user_pref("services.settings.server", "data:,");
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
"""
"""Keep the browser itself off the network (updates, telemetry, remote settings): not the page's doing."""


class WebSocket:
    """The client side of RFC 6455, enough for BiDi: text frames, masked when sent, in one piece."""

    def __init__(self, url: str, timeout_s: float = 30.0):
        host, port, path = re.fullmatch(r"ws://([^:/]+):(\d+)(/.*)", url).groups()
        self.sock = socket.create_connection((host, int(port)), timeout=timeout_s)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += self.sock.recv(4096)
        head, self.buffer = reply.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(f"no WebSocket at {url}: {head.decode(errors='replace')[:200]}")

    def send(self, text: str) -> None:
        data, mask = text.encode(), os.urandom(4)
        size = len(data)
        head = bytes([0x81]) + (
            bytes([0x80 | size])
            if size < 126
            else bytes([0x80 | 126]) + size.to_bytes(2, "big")
            if size < 65536
            else bytes([0x80 | 127]) + size.to_bytes(8, "big")
        )
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("the browser closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            size = second & 0x7F
            if size == 126:
                size = int.from_bytes(self._read(2), "big")
            elif size == 127:
                size = int.from_bytes(self._read(8), "big")
            payload = self._read(size)
            if first & 0x0F == 0x9:  # ping: answer and go on
                continue
            message += payload
            if first & 0x80:
                return message.decode()


class Firefox:
    """A headless firefox-esr with a fresh profile, and a BiDi session on it."""

    def __init__(self, width: int = 1600, height: int = 900):
        if shutil.which(FIREFOX) is None:
            raise SystemExit(
                f"{FIREFOX} is not installed (apt-get install -y --no-install-recommends firefox-esr)"
            )
        self.profile = Path(tempfile.mkdtemp(prefix="replay-firefox-"))
        (self.profile / "user.js").write_text(PREFS, encoding="utf-8")
        args = [FIREFOX, "--headless", "--no-remote", "--profile", str(self.profile)]
        self.process = subprocess.Popen(
            [*args, "--remote-debugging-port", "0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.socket = WebSocket(self._bidi_url() + "/session")
        self.next_id = 0
        self.events: list[dict] = []
        self.command("session.new", capabilities={})
        self.command("session.subscribe", events=["log.entryAdded", "network.beforeRequestSent"])
        self.context = self.command("browsingContext.getTree")["contexts"][0]["context"]
        self.command(
            "browsingContext.setViewport", context=self.context, viewport={"width": width, "height": height}
        )

    def _bidi_url(self, timeout_s: float = 30.0) -> str:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            ready, _, _ = select.select([self.process.stderr], [], [], 0.5)
            line = self.process.stderr.readline() if ready else ""
            found = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                break
        raise SystemExit(f"{FIREFOX} did not open its WebDriver BiDi port")

    def command(self, method: str, **params) -> dict:
        """Send one BiDi command and wait for its answer; events that arrive meanwhile are kept."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.receive())
            if message.get("type") == "event":
                self.events.append(message)
            elif message.get("id") == self.next_id:
                if message.get("type") == "error":
                    raise RuntimeError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message["result"]

    def evaluate(self, expression: str):
        """The value of ``expression`` in the page (a JSON string is the way to return objects)."""
        result = self.command(
            "script.evaluate", expression=expression, target={"context": self.context}, awaitPromise=True
        )
        if result["type"] == "exception":
            raise RuntimeError(f"{expression}: {result['exceptionDetails']['text']}")
        return result["result"].get("value")

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):  # ConnectionError is an OSError
            self.command("session.end")
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def problems(events: list[dict], page: str) -> list[str]:
    """Console errors, uncaught exceptions and requests for anything but ``page`` and the images and fonts
    inlined in it (``data:`` URLs, which Firefox reports as requests), from BiDi events."""
    found = []
    for event in events:
        params = event["params"]
        if event["method"] == "log.entryAdded" and params.get("level") == "error":
            found.append(f"{params.get('type')} error: {params.get('text')}")
        elif event["method"] == "network.beforeRequestSent":
            url = params["request"]["url"]
            if url != page and not url.startswith("data:"):  # data: URLs are the page's own bytes
                found.append(f"request: {url[:200]}")
    return found


def check_page(path: Path, times: list[float], screenshot: Path | None) -> list[str]:
    """Open ``path`` in Firefox, seek to each of ``times``, print the state there; the problems seen."""
    page = path.resolve().as_uri()
    firefox = Firefox()
    try:
        firefox.command("browsingContext.navigate", context=firefox.context, url=page, wait="complete")
        end = time.monotonic() + 20
        while not firefox.evaluate("Boolean(window.replay && window.replay.ready)"):
            if time.monotonic() > end:
                raise SystemExit(f"{path}: window.replay was not ready after 20 s in Firefox")
            time.sleep(0.1)
        agent = firefox.evaluate("navigator.userAgent")
        print(f"ready after {firefox.evaluate('replay.readyAt'):.0f} ms in {agent}")
        for t in times:
            state = json.loads(firefox.evaluate(f"replay.seek({t}); JSON.stringify(replay.state())"))
            caption = firefox.evaluate("document.querySelector('.camera-caption').textContent")
            boats = ", ".join(f"{b['id']} {b['state']} ({b['x']:.0f}, {b['y']:.0f})" for b in state["boats"])
            print(f"t = {state['t']:g} s: open incidents {state['open_incidents']}, boats {boats}")
            print(f"  camera: {caption}")
        if screenshot is not None:
            time.sleep(0.3)  # the last redraw painted
            png = firefox.command("browsingContext.captureScreenshot", context=firefox.context)["data"]
            screenshot.write_bytes(base64.b64decode(png))
        time.sleep(0.2)
        firefox.evaluate("0")  # collect events still on their way
        return problems(firefox.events, page)
    finally:
        firefox.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("times", type=float, nargs="*", default=[0.0])
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    found = check_page(args.page, args.times, args.screenshot)
    for problem in found:
        print(problem, file=sys.stderr)
    print("no errors, no requests" if not found else f"{len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
