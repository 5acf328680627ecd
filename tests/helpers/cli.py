"""Shared checks for tests that drive the command line in-process."""

from __future__ import annotations

import pytest

from sim.cli.main import main


def call_main(argv: list[str]) -> int:
    """``sim.cli.main.main(argv)``; a crash fails the test case instead of erroring the test."""
    try:
        return main(argv)
    except (Exception, SystemExit) as error:
        pytest.fail(f"main({argv}) raised {type(error).__name__}: {error}")


def assert_one_error_line(capsys: pytest.CaptureFixture[str], rc: int, expected: tuple[str, ...]) -> str:
    """Exit code 2, nothing on stdout, one ``error: ...`` line containing every ``expected`` fragment."""
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert rc == 2, f"exit code {rc}, stdout {out!r}, stderr {err!r}"
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    line = lines[0]
    assert line.startswith("error: ")
    assert line.removeprefix("error: ").strip()
    for fragment in expected:
        assert fragment.lower() in line.lower(), f"{fragment!r} not in {line!r}"
    return line
