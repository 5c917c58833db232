"""Columns of Python strings that repeat a few objects millions of times (a national table's entity, indicator
and year columns): coded, compared and stacked a run or a block at a time, by the objects' identity.

A loader builds such a column from one string object per distinct value (``provenance.text_values``), so equal
addresses mean the same object: comparing addresses, then the few distinct objects by value, costs a fraction of
hashing every cell's text. Every function here gives the result of the plain elementwise pandas operation (the
tests compare them); only the time differs.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .provenance import text_array


def value_codes(column: pd.Series) -> np.ndarray:
    """One integer per cell, equal where the values are equal, −1 where the value is missing.

    A text column holding Python strings (pandas ``str`` with Python storage, or object) is coded by the strings'
    identity first: a loader's columns repeat a few string objects a million times, so comparing their addresses
    and then the few distinct objects by value costs a fraction of hashing every cell's text.

    Parameters
    ----------
    column : any Series; only read.

    Returns
    -------
    An int64 array with one code per cell (codes need not be consecutive).

    >>> value_codes(pd.Series(["b", "a", None, "b"], dtype="str")).tolist()
    [0, 1, -1, 0]
    """
    values = column.array
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub" and len(column):
        numbers = column.to_numpy().astype(np.int64, copy=False)
        low = int(numbers.min())
        if int(numbers.max()) - low <= 4 * len(numbers):  # a few years or codes: their offsets are the codes
            return numbers - low
    objects = _objects(column)
    if objects is None:
        return pd.factorize(values)[0].astype(np.int64, copy=False)
    cells, address = objects
    # a tidy table repeats a block of objects over and over (the indicators of each entity): code one block, tile it
    period = _period(address)
    if period:
        return np.tile(_object_codes(cells[:period], address[:period], np.arange(period)), len(cells) // period)
    # … or an object in runs (a year, a grant, an entity): code the runs, then spread them
    heads = np.flatnonzero(np.r_[True, address[1:] != address[:-1]])
    runs = len(heads) * 4 <= len(cells)
    by_value = _object_codes(cells, address, heads if runs else np.arange(len(cells)))
    return np.repeat(by_value, np.diff(np.r_[heads, len(cells)])) if runs else by_value


def _objects(column: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """A column of Python objects (pandas ``str`` with Python storage, or object) as its cells and their objects'
    addresses, read from the array's buffer and never dereferenced (equal address, same object); None for any
    other column or an empty one."""
    cells = getattr(column.array, "_ndarray", None) if isinstance(column.dtype, pd.StringDtype) else None
    if cells is None and pd.api.types.is_object_dtype(column.dtype):
        cells = column.to_numpy()
    if cells is None or cells.dtype != object or not len(cells):
        return None
    cells = np.ascontiguousarray(cells)
    return cells, np.frombuffer((ctypes.c_void_p * len(cells)).from_address(cells.ctypes.data), dtype=np.uintp)


def equal_cells(column: pd.Series, value: object) -> np.ndarray:
    """``column == value`` as a NumPy bool array (missing → False). A column of Python strings that repeats one
    object over runs of rows (an entity, a grant, a year's block) is compared once per run.

    Parameters
    ----------
    column : any Series; only read.
    value : the value looked for.

    Returns
    -------
    A bool array, one per cell.

    >>> equal_cells(pd.Series(["推進", "推進", None, "支援"], dtype="str"), "推進").tolist()
    [True, True, False, False]
    """
    objects = _objects(column)
    if objects is None:
        return column.to_numpy(dtype=object) == value
    cells, address = objects
    period = _period(address)
    if period:  # a block repeated over and over (a year's indicators for each entity): compare one block
        return np.tile(cells[:period] == value, len(cells) // period)
    changes = address[1:] != address[:-1]
    if np.count_nonzero(changes) * 4 > len(cells):
        return cells == value
    heads = np.flatnonzero(np.r_[True, changes])
    return np.repeat(cells[heads] == value, np.diff(np.r_[heads, len(cells)]))  # as the whole compared, per run


def _period(address: np.ndarray) -> int:
    """The length of the block that ``address`` repeats whole over and over (≥ 2 blocks, every cell compared), else 0.

    >>> _period(np.array([5, 6, 7, 5, 6, 7])), _period(np.array([5, 6, 5, 6, 5])), _period(np.array([5, 5, 5]))
    (3, 0, 1)
    """
    again = np.flatnonzero(address[1 : len(address) // 2 + 1] == address[0])
    for k in again[:8] + 1:  # the first few candidates: a block holding its first object twice is rare
        k = int(k)
        probe = min(len(address) - k, 4 * k + 64)  # a cheap look at the next blocks before comparing every cell
        if (
            len(address) % k == 0
            and np.array_equal(address[k : k + probe], address[:probe])
            and np.array_equal(address[k:], address[:-k])
        ):
            return k
    return 0


def _object_codes(cells: np.ndarray, address: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Codes equal by value for the cells at ``starts`` (one per object address, then the objects by value)."""
    by_object, objects = pd.factorize(address[starts])
    one_of_each = np.empty(len(objects), dtype=np.intp)
    one_of_each[by_object] = starts  # a row holding each object (any one will do)
    return pd.factorize(pd.array(cells[one_of_each], dtype=object))[0].astype(np.int64)[by_object]


def repeated_block(column: pd.Series) -> tuple[str, int, np.ndarray] | None:
    """How a column of Python objects repeats a block of its own cells: ``("tile", k, block)`` when it is the
    first ``k`` cells over and over, ``("repeat", k, block)`` when each cell of ``block`` fills ``k`` rows in turn
    (a constant column is ``("repeat", len, [value])``); None for any other column (every cell its own run, too), or
    one not of Python objects.
    Decided by the objects' identity on every cell, so ``broadcast_block`` of it gives back the very same objects.

    >>> kind, k, block = repeated_block(pd.Series(["甲", "甲", "乙", "乙"], dtype="str"))
    >>> kind, k, block.tolist()
    ('repeat', 2, ['甲', '乙'])
    >>> repeated_block(pd.Series(["甲", "乙", "乙"], dtype="str")) is None
    True
    """
    objects = _objects(column)
    if objects is None:
        return None
    cells, address = objects
    period = _period(address)
    if period > 1:
        return "tile", period, cells[:period]
    change = np.flatnonzero(address[1:] != address[:-1])
    run = int(change[0]) + 1 if len(change) else len(cells)
    if run > 1 and len(cells) % run == 0 and bool((address.reshape(-1, run) == address[::run, None]).all()):
        return "repeat", run, cells[::run]
    return None


def broadcast_block(out: np.ndarray, kind: str, k: int, block: np.ndarray) -> None:
    """Fill ``out`` with ``block`` over and over (``"tile"``) or each of its values ``k`` times in turn
    (``"repeat"``), as ``repeated_block`` describes a column; ``len(out)`` must be a multiple of ``k``.

    >>> out = np.empty(4, dtype=object)
    >>> broadcast_block(out, "tile", 2, np.array(["a", "b"], dtype=object)); out.tolist()
    ['a', 'b', 'a', 'b']
    """
    out.reshape(-1, k)[...] = block[:, None] if kind == "repeat" else block[None, :]


def stack_tables(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)`` for tables of the same columns and dtypes (a tidy table per year),
    with each text column of Python strings written from its repeated block (``repeated_block``) where the table
    has one, instead of copying every cell of it: the result holds the same objects in every cell. Tables whose
    columns or dtypes differ are concatenated by pandas.

    >>> a = pd.DataFrame({"fiscal_year": [2024] * 4, "entity": pd.array(["甲", "甲", "乙", "乙"], dtype="str")})
    >>> b = a.assign(fiscal_year=2025)
    >>> stack_tables([a, b]).equals(pd.concat([a, b], ignore_index=True))
    True
    """
    frames = list(frames)
    first = frames[0] if frames else None
    if (
        first is None
        or first.columns.has_duplicates
        or any(not f.columns.equals(first.columns) or not f.dtypes.equals(first.dtypes) for f in frames[1:])
    ):
        return pd.concat(frames, ignore_index=True)
    strings = pd.StringDtype(na_value=np.nan)  # the text columns' dtype as text_array makes it
    text = [
        c
        for c in first.columns
        if strings.storage == "python"  # else text_array would give another storage than the tables' own
        and isinstance(first[c].dtype, pd.StringDtype)
        and (first[c].dtype.storage, first[c].dtype.na_value is np.nan) == ("python", True)
        and _objects(first[c]) is not None
    ]
    rest = pd.concat([f.drop(columns=text) for f in frames], ignore_index=True)
    columns = {c: _stacked_text(frames, c, len(rest)) for c in text}
    out = pd.DataFrame({c: columns[c] if c in columns else rest[c] for c in first.columns}, copy=False)
    out.columns, out.attrs = first.columns, rest.attrs  # the column labels as pandas keeps them
    return out


def _stacked_text(frames: list[pd.DataFrame], column: str, rows: int) -> pd.api.extensions.ExtensionArray:
    cells = np.empty(rows, dtype=object)
    at = 0
    for frame in frames:
        part, shape = cells[at : at + len(frame)], repeated_block(frame[column])
        if shape is None:
            part[...] = frame[column].array._ndarray if len(frame) else []
        else:
            broadcast_block(part, *shape)
        at += len(frame)
    return text_array(cells)
