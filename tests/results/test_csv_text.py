"""Vectorised CSV text is byte for byte what pandas' to_csv writes (the output contract: tables pandas reads
without arguments, the same files as before for the same scenario and seed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.results.csv_text import Fixed, Floats, Integers, Labels, header, rows_text

NAMES = ("usv-1", "a,b", 'say "hi"', "docked", "é", "two\nlines")


def _awkward(rng: np.random.Generator, n: int, decimals: int) -> np.ndarray:
    """Rounded floats over twenty decades, with NaN, ±0, ±inf and values that switch repr to exponents."""
    values = rng.uniform(-1, 1, n) * 10.0 ** rng.integers(-9, 17, n)
    for share, value in ((0.05, np.nan), (0.05, 0.0), (0.02, -0.0), (0.005, np.inf), (0.005, -np.inf)):
        values[rng.random(n) < share] = value
    return np.round(values, decimals)


@pytest.mark.parametrize("seed", [0, 1])
def test_rows_are_what_pandas_writes(seed):
    rng = np.random.default_rng(seed)
    n = 20_000
    fixed = {f"d{d}": _awkward(rng, n, d) for d in (0, 1, 2, 3, 6)}
    fixed["d6"][rng.random(n) < 0.9] = 0.001  # mostly one value (written once, then copied)
    raw = rng.uniform(-1e3, 1e3, n) * 10.0 ** rng.integers(-9, 20, n)
    raw[rng.random(n) < 0.05] = np.nan
    raw[rng.random(n) < 0.02] = 0.0
    raw[rng.random(n) < 0.02] = -0.0
    raw[rng.random(n) < 0.3] = 615.7639320225002  # a boat at its dock: the same position again and again
    unrounded = rng.uniform(0, 100, n)  # written as "rounded to 3 decimals", but they are not: repr instead
    integers = rng.integers(-(10**15), 10**15, n)
    codes = rng.integers(-1, len(NAMES), n)
    flags = rng.random(n) < 0.5
    table = pd.DataFrame(
        {
            **fixed,
            "unrounded": unrounded,
            "raw": raw,
            "integer": integers,
            "label": np.array([*NAMES, None], dtype=object)[codes],
            "flag": flags,
        }
    )
    columns = [
        *(Fixed(values, int(name[1:])) for name, values in fixed.items()),
        Fixed(unrounded, 3),
        Floats(raw),
        Integers(integers),
        Labels(codes, NAMES),
        Labels(flags.astype(np.int64), ("False", "True")),
    ]
    expected = table.to_csv(index=False, na_rep="").encode("utf-8")
    written = header(list(table.columns)) + rows_text(columns)
    assert written == expected


def test_the_cases_that_are_easy_to_get_wrong():
    values = np.array([0.0, -0.0, 100.0, 0.1, 1e-4, 9.99e-5, 123456789012.345, 1e15, 2.5, np.nan])
    expected = pd.DataFrame({"v": values}).to_csv(index=False, na_rep="").encode()
    assert header(["v"]) + rows_text([Fixed(values, 3)]) == expected
    assert rows_text([Fixed(values, 3)]).split(b"\n")[:6] == [
        b"0.0",
        b"-0.0",
        b"100.0",
        b"0.1",
        b"0.0001",
        b"9.99e-05",
    ]


def test_an_empty_table_is_its_header():
    assert rows_text([Fixed(np.zeros(0), 2), Labels(np.zeros(0, np.int64), ("a",))]) == b""
    assert header(["t", "x"]) == pd.DataFrame(columns=["t", "x"]).to_csv(index=False).encode()
