"""Columns of numbers and labels as CSV text, byte for byte as ``pandas.DataFrame.to_csv(index=False,
na_rep="")`` writes them, but vectorised: millions of rows a second instead of a few hundred thousand.

pandas formats a float column with ``numpy.ndarray.astype(str)`` (the shortest text that reads back as
the same float, Python's ``repr``), an integer column with ``str``, booleans as ``True``/``False`` and
strings through the :mod:`csv` module (quoted only where they must be); empty cells are ``""``.
Here each column is turned into a matrix of bytes, one row per table row and zero bytes as padding,
the matrices are laid side by side with the commas and the line ends, and the zero bytes are dropped.

A float rounded to ``d`` decimals (``numpy.round``) is the double nearest to k / 10**d for an integer
k, and its shortest text is k / 10**d written out with its trailing zeros dropped (at least one
decimal kept), as long as k has at most 15 digits (any decimal of 15 significant digits reads back as
a distinct double, IEEE 754 ``DBL_DIG``) and the value is at least 1e-4 (below, ``repr`` switches to
exponent notation). Such values are written from their digits; the others (and values that are not
rounded to ``d`` decimals after all) go through ``repr``, as pandas would.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

_LIMIT = 10**15
"""Largest k (exclusive) written from its digits: 15 significant digits."""
_SMALLEST = 1e-4
"""Smallest non-zero magnitude that ``repr`` writes without an exponent."""
_COMMA, _NEWLINE, _MINUS, _POINT, _ZERO, _QUOTE = (ord(c) for c in ',\n-.0"')


@dataclass(frozen=True)
class Fixed:
    """A float column rounded to ``decimals`` decimals (NaN: empty)."""

    values: np.ndarray
    decimals: int


@dataclass(frozen=True)
class Floats:
    """A float column written as ``repr`` writes each value (NaN: empty)."""

    values: np.ndarray


@dataclass(frozen=True)
class Integers:
    """An integer column."""

    values: np.ndarray


@dataclass(frozen=True)
class Labels:
    """A column of strings as indices into ``names`` (-1: empty); booleans are ``("False", "True")``."""

    codes: np.ndarray
    names: Sequence[str]


Column = Fixed | Floats | Integers | Labels


def header(names: Sequence[str]) -> bytes:
    """The header line of a table with these column names."""
    return _csv_line(list(names)).encode("utf-8")


def rows_text(columns: Sequence[Column]) -> bytes:
    """The CSV lines (no header) of equally long ``columns``, each ending in a newline."""
    n = len(_length(columns[0]))
    if n == 0:
        return b""
    parts = []
    for i, column in enumerate(columns):
        if i:
            parts.append(np.full((n, 1), _COMMA, np.uint8))
        parts.append(_bytes(column))
    if len(columns) == 1:  # the csv module writes a lone empty field as "", not as an empty line
        parts.append(np.where(~parts[0].any(axis=1), _QUOTE, 0).astype(np.uint8)[:, None].repeat(2, axis=1))
    parts.append(np.full((n, 1), _NEWLINE, np.uint8))
    return np.concatenate(parts, axis=1).tobytes().translate(None, b"\0")  # the padding dropped


def _length(column: Column) -> np.ndarray:
    return column.codes if isinstance(column, Labels) else column.values


def _bytes(column: Column) -> np.ndarray:
    """One column as an (n, width) matrix of bytes, zero where nothing is written."""
    if isinstance(column, Labels):
        return _label_bytes(np.asarray(column.codes, np.int64), column.names)
    if isinstance(column, Integers):
        values = np.asarray(column.values, np.int64)
        return _number_bytes(np.abs(values), 0, values < 0, np.zeros(len(values), bool))
    values = np.asarray(column.values, float)
    codes, distinct = pd.factorize(values.view(np.int64))  # bit patterns: -0.0 is not 0.0
    distinct = np.asarray(distinct).view(np.float64)
    if isinstance(column, Floats):  # repr is slow: each distinct value once
        return _repr_bytes(distinct)[codes]
    if len(distinct) < len(values) // 4:  # mostly repeats (a constant delay, a docked boat)
        return _fixed_bytes(distinct, column.decimals)[codes]
    return _fixed_bytes(values, column.decimals)


def _fixed_bytes(values: np.ndarray, decimals: int) -> np.ndarray:
    """Floats rounded to ``decimals``: from their digits where that gives ``repr``'s text, else ``repr``."""
    decimals = max(decimals, 1)  # a whole number is written with one decimal (5.0)
    scale = 10.0**decimals
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        scaled = np.rint(magnitude * scale)
        exact = (
            np.isfinite(values)
            & (scaled < _LIMIT)
            & ((magnitude >= _SMALLEST) | (magnitude == 0.0))
            & (scaled / scale == magnitude)
        )
    k = np.where(exact, scaled, 0.0).astype(np.int64)
    matrix = _number_bytes(k, decimals, np.signbit(values) & exact, ~exact)
    other = ~exact & ~np.isnan(values)
    if other.any():
        matrix = _overlay(matrix, other, _repr_bytes(values[other]))
    return matrix


def _number_bytes(k: np.ndarray, decimals: int, negative: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """k / 10**decimals (k >= 0) as text: integer digits, then (with decimals) a point and the decimals
    without trailing zeros but at least one; a minus sign where ``negative``; nothing where ``blank``.

    Digits go three at a time through tables of the 1000 three-digit texts (integer division by a
    constant is the slow part; numpy does it well only by a scalar)."""
    whole, fraction = (k // 10**decimals, k % 10**decimals) if decimals else (k, None)
    text = [np.where(negative, _MINUS, 0).astype(np.uint8)[:, None]] if negative.any() else []
    groups = _groups(whole, [3] * max(1, -(-len(str(int(whole.max(initial=0)))) // 3)))
    higher = np.zeros(len(k), bool)  # a more significant group is not zero
    for j, group in enumerate(groups):
        shown = (group != 0) | (j == len(groups) - 1)
        text.append(_look_up(group + np.where(higher, 0, np.where(shown, _LEADING, _NOTHING))))
        higher |= group != 0
    if fraction is not None:
        text.append(np.full((len(k), 1), _POINT, np.uint8))
        groups = _groups(fraction, [3] * (decimals // 3) + ([decimals % 3] if decimals % 3 else []))
        lower = np.zeros(len(k), bool)  # a less significant group is not zero
        parts = []
        for j in range(len(groups) - 1, -1, -1):
            group, size = groups[j], 3 if j < decimals // 3 else decimals % 3
            shown = (group != 0) | (j == 0)
            scaled = group * 10 ** (3 - size)  # a short last group: its digits first, as in 3 digits
            parts.append(
                _look_up(scaled + np.where(lower, 0, np.where(shown, _TRAILING, _NOTHING)))[:, :size]
            )
            lower |= group != 0
        text.extend(reversed(parts))
    matrix = np.concatenate(text, axis=1)
    matrix[blank] = 0
    return matrix


def _groups(k: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    """``k`` cut into groups of digits of ``sizes`` (most significant first; the first takes the rest)."""
    groups = []
    for size in reversed(sizes[1:]):
        k, group = np.divmod(k, 10**size)
        groups.append(group)
    groups.append(k)
    return groups[::-1]


_LEADING, _NOTHING, _TRAILING = 1000, 2000, 3000
"""Where the blocks of :data:`_DIGITS` start."""


def _digit_table() -> np.ndarray:
    """Texts of 0 .. 999 as three bytes and a zero, in four blocks of 1000: every digit; without leading
    zeros (0 as "0"); nothing; without trailing zeros (0 as "0"); one 32-bit word each."""
    numbers = [str(i).zfill(3) for i in range(1000)]
    blocks = (
        numbers,
        [n.lstrip("0") or "0" for n in numbers],
        [""] * 1000,
        [n.rstrip("0") or "0" for n in numbers],
    )
    texts = "".join(t.ljust(4, "\0") for block in blocks for t in block)  # padding dropped later
    return np.frombuffer(texts.encode("ascii"), np.uint32)


_DIGITS = _digit_table()


def _look_up(index: np.ndarray) -> np.ndarray:
    """Rows of :data:`_DIGITS` at ``index`` as an (n, 3) byte matrix (one 32-bit gather each)."""
    return _DIGITS[index].view(np.uint8).reshape(-1, 4)[:, :3]


def _repr_bytes(values: np.ndarray) -> np.ndarray:
    """Floats as ``repr`` (numpy's ``astype(str)``, what pandas writes) writes them, NaN empty."""
    texts = list(map(repr, values.tolist()))
    for i in np.flatnonzero(np.isnan(values)):
        texts[i] = ""
    return _table(texts)


def _label_bytes(codes: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Labels through a table of their texts; the row after the last is the empty cell (code -1)."""
    table = _table([*(_csv_line([name])[:-1] if name else "" for name in names), ""])
    return table[np.where(codes < 0, len(names), codes)]


def _table(texts: Sequence[str]) -> np.ndarray:
    """Strings as rows of a byte matrix, zero-padded on the right."""
    encoded = np.array([t.encode("utf-8") for t in texts] or [b""], dtype=bytes)
    width = max(1, encoded.dtype.itemsize)
    return np.frombuffer(encoded.astype(f"S{width}").tobytes(), np.uint8).reshape(-1, width)


def _overlay(matrix: np.ndarray, rows: np.ndarray, replacement: np.ndarray) -> np.ndarray:
    """``matrix`` with ``rows`` replaced by ``replacement``'s rows (widened as needed)."""
    width = max(matrix.shape[1], replacement.shape[1])
    out = np.zeros((len(matrix), width), np.uint8)
    out[:, : matrix.shape[1]] = matrix
    out[rows] = 0
    out[rows, : replacement.shape[1]] = replacement
    return out


def _csv_line(fields: list[str]) -> str:
    """One line as the csv module writes it (the module pandas uses): quoted only where needed."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()
