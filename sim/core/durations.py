"""Durations as people read them: ``90 s``, ``2 min``, ``6 h``, ``1.5 d``.

Every printed duration (run summaries, figure titles, default folder names) goes through
:func:`format_duration`, so one run's length reads the same everywhere.
"""

from __future__ import annotations

UNITS = (("d", 86400.0), ("h", 3600.0), ("min", 60.0))
"""Units larger than a second, largest first, with their length in seconds."""


def format_duration(seconds: float, compact: bool = False) -> str:
    """``seconds`` (s) in the largest unit of which it is at least one, to 3 significant digits.

    ``120`` -> ``"2 min"``, ``21600`` -> ``"6 h"``, ``129600`` -> ``"1.5 d"``, ``45`` -> ``"45 s"``;
    ``compact`` leaves out the space (``"2min"``), for file and folder names.
    """
    value, unit = seconds, "s"
    for name, length in UNITS:
        if abs(seconds) >= length:
            value, unit = seconds / length, name
            break
    text = f"{value:.3g}"
    if "e" in text:  # 3 significant digits of a large count of days: print it whole
        text = f"{value:.0f}"
    return f"{text}{'' if compact else ' '}{unit}"
