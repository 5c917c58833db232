"""A cache of parsed input files: a loader's result stored as Parquet (tables) and JSON (everything else).

A file is parsed once; later loads of the same bytes read the stored tables instead. An entry is found by a key
made of the file's sha256 and name, the loader and its options, the grantkit version and a digest of grantkit's
code and of every layout file in ``grantkit/io/layouts/`` — any change to one of them means a fresh read. An entry
is a folder written in a temporary sibling and renamed into place (atomic); a damaged or partial entry (unreadable
manifest or table, a manifest that fails its own sha256, failing Parquet page checksum, a dtype that does not come
back) is removed, the file is read afresh and the entry rewritten. A failure to write the cache never fails the load.

Where: ``GRANTKIT_CACHE_DIR`` when set, else the user's cache folder (platformdirs: ``~/.cache/grantkit`` on Linux,
``~/Library/Caches/grantkit`` on macOS, ``%LOCALAPPDATA%\\grantkit\\Cache`` on Windows). ``GRANTKIT_NO_CACHE=1`` (or
``grantkit report --no-cache``) turns it off; ``clear_cache()`` or deleting the folder clears it; entries unused for
``KEEP_DAYS`` are removed when another is written.

The result is stored generically by its dataclass fields: a DataFrame field as a Parquet file, str / int / float /
bool / None, lists, tuples, dicts and nested dataclasses (LoadReport, Problem) as JSON tagged with their type, so
fields added to a result later are cached without changes here. A value of another type means no caching. A column
that repeats one block of values (a long table's per-entity and per-leaf columns) is also kept in the manifest as
that block and rebuilt from it by broadcasting; text comes back as pandas "str" over Python strings, each distinct
value one object (``provenance.text_array``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from ..provenance import text_array, text_values
from ..repeats import broadcast_block
from .files import sha256

ENV_DIR = "GRANTKIT_CACHE_DIR"
ENV_OFF = "GRANTKIT_NO_CACHE"
FORMAT = 2
KEEP_DAYS = 60
_MANIFEST = "manifest.json"
_PACKAGE = Path(__file__).resolve().parents[1]
T = TypeVar("T")


class _Unsupported(Exception):
    """A value the cache cannot store faithfully: the result is returned uncached."""


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The cache folder: ``GRANTKIT_CACHE_DIR`` when set, else the user's cache folder for grantkit.

    >>> str(cache_dir({"GRANTKIT_CACHE_DIR": "/tmp/gk-cache"}))
    '/tmp/gk-cache'
    """
    environ = os.environ if environ is None else environ
    if environ.get(ENV_DIR):
        return Path(environ[ENV_DIR]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("grantkit", appauthor=False))


def cache_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """False when ``GRANTKIT_NO_CACHE`` is set to anything but "" or "0".

    >>> cache_enabled({"GRANTKIT_NO_CACHE": "1"}), cache_enabled({"GRANTKIT_NO_CACHE": "0"}), cache_enabled({})
    (False, True, True)
    """
    environ = os.environ if environ is None else environ
    return environ.get(ENV_OFF, "").strip() in ("", "0")


def clear_cache() -> int:
    """Delete every entry of the cache folder; return how many were deleted.

    >>> clear_cache() >= 0
    True
    """
    root = cache_dir()
    entries = [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    for p in entries:
        shutil.rmtree(p, ignore_errors=True)
    return len(entries)


@contextlib.contextmanager
def run_cache(disabled: bool = False) -> Iterator[Path | None]:
    """For one command run: when the cache is off (``disabled`` or ``GRANTKIT_NO_CACHE``), a temporary cache
    folder shared by this process and the kernels it starts (they inherit the environment) and deleted at the
    end, so each file is still parsed once per run and nothing is kept. Yields that folder, or None when the
    user's cache is on.

    >>> with run_cache(disabled=True) as folder:
    ...     folder.is_dir()
    True
    >>> folder.exists()
    False
    """
    if not disabled and cache_enabled():
        yield None
        return
    saved = {k: os.environ.get(k) for k in (ENV_DIR, ENV_OFF)}
    folder = Path(tempfile.mkdtemp(prefix="grantkit-run-cache-"))
    os.environ[ENV_DIR] = str(folder)
    os.environ.pop(ENV_OFF, None)
    try:
        yield folder
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(folder, ignore_errors=True)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over the grantkit version, every layout file in ``io/layouts/`` and grantkit's Python sources.

    >>> len(code_digest())
    64
    """
    from .. import __version__

    h = hashlib.sha256(f"grantkit {__version__} cache {FORMAT}".encode())
    layouts = sorted((_PACKAGE / "io" / "layouts").iterdir())
    sources = sorted(_PACKAGE.rglob("*.py"))
    for p in [*layouts, *sources]:
        if p.is_file():
            h.update(p.relative_to(_PACKAGE).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def cached(read: Callable[[], T], path: str | Path, loader: str, options: dict[str, Any], *, use: bool = True) -> T:
    """``read()`` through the cache: the stored result for these bytes, loader and options, else ``read()``
    stored for next time. ``loader`` names the reader (e.g. "load_mhlw"); ``options`` are its arguments that
    change the result (JSON-serialisable). With ``use=False`` or the cache off, just ``read()``.

    >>> from grantkit import example_path
    >>> from grantkit.io.csv import read_scores_csv
    >>> path = example_path("yamaguchi_scores.csv")
    >>> first = cached(lambda: read_scores_csv(path), path, "example", {})
    >>> again = cached(lambda: read_scores_csv(path), path, "example", {})  # from the stored tables
    >>> again.table.equals(first.table), again.report == first.report
    (True, True)
    """
    if not (use and cache_enabled()):
        return read()
    path = Path(path)
    try:
        digest = sha256(path)
    except OSError:
        return read()  # the reader says what is wrong with the file
    key = hashlib.sha256(
        json.dumps([loader, options, path.name, digest, code_digest()], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    entry = cache_dir() / key
    if entry.is_dir():
        try:
            result = _load(entry)
            with contextlib.suppress(OSError):
                os.utime(entry)  # last used: entries unused for KEEP_DAYS are removed
            return result
        except Exception:  # noqa: BLE001 - anything wrong with an entry means: not trusted, read afresh
            shutil.rmtree(entry, ignore_errors=True)
    result = read()
    with contextlib.suppress(OSError, _Unsupported, ValueError, TypeError, ImportError):
        _store(entry, result)
    return result


def _store(entry: Path, result: object) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name[:16]}.", dir=entry.parent))
    try:
        frames: list[pd.DataFrame] = []
        manifest = {"format": FORMAT, "result": _encode(result, frames)}
        manifest["frames"] = [_write_frame(df, tmp / f"{i}.parquet") for i, df in enumerate(frames)]
        manifest["digest"] = _digest(manifest)
        (tmp / _MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        try:
            tmp.rename(entry)
        except OSError:  # written meanwhile by another process: theirs is as good
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(entry.parent)


def _prune(root: Path) -> None:
    """Remove entries unused for ``KEEP_DAYS`` (e.g. of an older grantkit) and temporary folders left by a crash."""
    now = datetime.now().timestamp()
    for p in root.iterdir():
        with contextlib.suppress(OSError):
            age = now - p.stat().st_mtime
            if p.is_dir() and age > (86_400 if p.name.startswith(".") else KEEP_DAYS * 86_400):
                shutil.rmtree(p, ignore_errors=True)


def _load(entry: Path) -> Any:
    manifest = json.loads((entry / _MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError("another cache format")
    if manifest.pop("digest", None) != _digest(manifest):  # the manifest carries table cells too: checked whole
        raise ValueError("a damaged manifest")
    infos = manifest["frames"]
    import pyarrow.parquet  # noqa: F401  (here: an import in the thread would wait for the lock held below)

    # the Parquet files are read in a thread (pyarrow leaves Python's lock) while the repeated columns are
    # broadcast here (text: Python objects need the lock; the rest of the work with pandas takes it at every step)
    with ThreadPoolExecutor(1) as pool:
        stored = [pool.submit(_read_stored, entry / f"{i}.parquet", info) for i, info in enumerate(infos)]
        built = [_broadcast_columns(info) for info in infos]
        frames = [_frame(info, table.result(), columns) for info, table, columns in zip(infos, stored, built)]
    return _decode(manifest["result"], frames)


def _digest(manifest: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _write_frame(df: pd.DataFrame, path: Path) -> dict[str, Any]:
    """One table as Parquet, one row group, every column dictionary-encoded (scores repeat a few values too): text
    columns (pandas "str") encoded from their few distinct string objects. The manifest notes which text columns
    repeat a block of values (``np.tile``) or each value over a run (``np.repeat``), as a loader's long tables do,
    with that block (text and numbers, numbers compared bit for bit): such a column is rebuilt from the manifest by
    broadcasting, without decoding it from the file (the file still holds every column, for any other reader)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not all(isinstance(c, str) for c in df.columns) or df.columns.has_duplicates:
        raise _Unsupported("column names")
    text = [c for c in df.columns if _is_text(df[c].dtype)]
    table = pa.Table.from_pandas(df.drop(columns=text), preserve_index=None)
    encoded, codes = {}, {}
    for c in text:
        encoded[c], codes[c] = _dictionary(np.asarray(df[c].array, dtype=object))
        table = table.append_column(c, encoded[c])
    pq.write_table(table, path, compression="lz4", write_page_checksum=True, row_group_size=max(len(df), 1))
    numbers = [c for c in df.columns if isinstance(df[c].dtype, np.dtype) and df[c].dtype.kind in "biuf"]
    bits = {c: df[c].to_numpy().view(f"u{df[c].dtype.itemsize}") for c in numbers}  # bit for bit: NaN, -0.0
    shapes = _shapes(codes | bits)
    for c, (kind, k) in shapes.items():
        if c in codes:
            block = codes[c][::k] if kind == "repeat" else codes[c][:k]
            values = encoded[c].dictionary.to_pylist()
            shapes[c].append([None if i < 0 else values[i] for i in block.tolist()])
        else:
            column = df[c].to_numpy()
            shapes[c].append((column[::k] if kind == "repeat" else column[:k]).tolist())
    return {
        "columns": list(df.columns),
        "dtypes": [str(t) for t in df.dtypes],
        "text": text,
        "shapes": shapes,
        "index": str(df.index.dtype),
        "rows": len(df),
        "bytes": path.stat().st_size,
    }


def _shapes(codes: dict[str, Any]) -> dict[str, list[Any]]:
    """For each column of codes that is one: ["repeat", run] (each value repeated ``run`` times in turn) or
    ["tile", period] (the first ``period`` values over and over, a period that some column repeats over)."""
    import numpy as np

    shapes: dict[str, list[Any]] = {}
    rows = len(next(iter(codes.values()), []))
    for c, x in codes.items():
        change = np.flatnonzero(x[1:] != x[:-1])
        run = int(change[0]) + 1 if len(change) else len(x)
        if run > 1 and _repeats(x, run):
            shapes[c] = ["repeat", run]
    periods = sorted({k for _, k in shapes.values() if k < rows})
    for c, x in codes.items():
        period = next((p for p in periods if c not in shapes and _tiles(x, p)), None)
        if period is not None:
            shapes[c] = ["tile", period]
    return shapes


def _repeats(codes: Any, run: int) -> bool:
    return len(codes) % run == 0 and bool((codes.reshape(-1, run) == codes[::run, None]).all())


def _tiles(codes: Any, period: int) -> bool:
    return len(codes) % period == 0 and bool((codes.reshape(-1, period) == codes[None, :period]).all())


def _read_stored(path: Path, info: dict[str, Any]) -> Any:
    """The columns of a stored table that the manifest does not rebuild, as one pyarrow table."""
    import pyarrow.parquet as pq

    if path.stat().st_size != info["bytes"]:
        raise ValueError("truncated table")
    shapes = info.get("shapes", {})
    stored = [c for c in info["columns"] if c not in shapes]
    # one chunk per column (read_table would cut them into batches that to_pandas then joins)
    return pq.ParquetFile(path, read_dictionary=info["text"], page_checksum_verification=True).read(
        columns=stored, use_pandas_metadata=True
    )


def _broadcast_columns(info: dict[str, Any]) -> dict[str, Any]:
    """The columns the manifest rebuilds from their repeated block."""
    shapes = info.get("shapes", {})
    dtypes = dict(zip(info["columns"], info["dtypes"]))
    columns = {}
    for c in shapes:
        cells = _broadcast(*shapes[c], info["rows"], object if c in info["text"] else dtypes[c])
        columns[c] = text_array(cells) if c in info["text"] else cells
    return columns


def _read_frame(path: Path, info: dict[str, Any]) -> pd.DataFrame:
    """One stored table, as it was stored (``_load`` does the same with the reading and the broadcasting at once)."""
    return _frame(info, _read_stored(path, info), _broadcast_columns(info))


def _frame(info: dict[str, Any], table: Any, columns: dict[str, Any]) -> pd.DataFrame:
    """A stored table from its Parquet columns (``table``) and its rebuilt ``columns``, as it was stored."""
    shapes = info.get("shapes", {})
    text = [c for c in info["text"] if c not in shapes]
    # a copy: the arrays pyarrow lends are read-only, and a table from the cache takes writes as a fresh one does
    rest = table.drop_columns(text).to_pandas(split_blocks=True).copy()
    if table.num_columns == 0:
        rest = pd.DataFrame(index=pd.RangeIndex(info["rows"]))
    columns = columns | {c: _text_column(table.column(c)) for c in text}
    # one frame from the columns as they are (no concatenation, no reordering copy of the text columns)
    df = pd.DataFrame(
        {c: columns[c] if c in columns else rest[c] for c in info["columns"]}, index=rest.index, copy=False
    )
    for column, want in zip(df.columns, info["dtypes"]):
        if want == "object" and str(df[column].dtype) != "object":
            df[column] = df[column].astype(object)
    if [str(t) for t in df.dtypes] != info["dtypes"] or len(df) != info["rows"] or str(df.index.dtype) != info["index"]:
        raise ValueError("a table did not come back as stored")
    return df


def _text_column(column: Any) -> Any:
    """pandas "str" from a dictionary column read back: its distinct values checked once, the cells taken by code
    (-1 = missing)."""
    import numpy as np
    from pandas.core.array_algos.take import take_nd

    column = column.unify_dictionaries().combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    values = text_values(column.dictionary.to_pylist())
    indices = column.indices.fill_null(-1) if column.null_count else column.indices
    return text_array(take_nd(values, indices.to_numpy().astype(np.intp, copy=False)))


def _broadcast(kind: str, k: int, block: list[Any], rows: int, dtype: Any) -> Any:
    """``rows`` cells of ``dtype``: ``block`` over and over ("tile", ``k`` values) or each of its values ``k`` times in
    turn ("repeat"); text (dtype object) is checked once per value of the block (``text_values``)."""
    import numpy as np

    values = text_values(block)[:-1] if dtype is object else np.array(block, dtype=dtype)
    fits = {"tile": k > 0 and len(values) == k and rows % k == 0, "repeat": k > 0 and len(values) * k == rows}
    if not fits.get(kind, False):
        raise ValueError("a repeated block does not fit the table")
    cells = np.empty(rows, dtype=values.dtype)
    broadcast_block(cells, kind, k, values)
    return cells


def _is_text(dtype: object) -> bool:
    return isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA


def _dictionary(values: Any) -> tuple[Any, Any]:
    """A pyarrow dictionary array of an object array of str (NaN for missing), and its codes as numpy (-1 for
    missing), found by object identity first: a loader's text columns repeat the same few string objects millions
    of times, so hashing every cell's text (pyarrow's conversion, pandas.factorize) costs several times more than
    comparing their addresses."""
    import ctypes

    import numpy as np
    import pyarrow as pa

    values = np.ascontiguousarray(values, dtype=object)
    if not len(values):
        empty = np.zeros(0, dtype=np.int32)
        return pa.DictionaryArray.from_arrays(pa.array(empty), pa.array([], type=pa.string())), empty
    # the addresses of the objects, read from the array's buffer (never dereferenced): equal address, same object
    address = np.frombuffer((ctypes.c_void_p * len(values)).from_address(values.ctypes.data), dtype=np.uintp)
    codes, found = pd.factorize(address)
    first = np.empty(len(found), dtype=np.intp)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # the last write wins: each code's first row
    index: dict[str, int] = {}
    remap = np.empty(len(first), dtype=np.int32)
    for k, v in enumerate(values[first]):
        if isinstance(v, str):
            remap[k] = index.setdefault(v, len(index))
        elif isinstance(v, float) and math.isnan(v):
            remap[k] = -1
        else:
            raise _Unsupported("a text column holds other values")
    cells = remap[codes]
    array = pa.DictionaryArray.from_arrays(pa.array(cells, mask=cells < 0), pa.array(list(index), type=pa.string()))
    return array, cells


def _encode(value: Any, frames: list[pd.DataFrame]) -> Any:
    """JSON for ``value``: plain scalars as themselves, everything else as a one-key object naming its type."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if type(value) is int else {"int": int(value)}
    if isinstance(value, float):
        return {"float": repr(value)} if type(value) is float else {"float": repr(float(value))}
    if isinstance(value, pd.DataFrame):
        frames.append(value)
        return {"frame": len(frames) - 1}
    if isinstance(value, list):
        return [_encode(v, frames) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return {"tuple": [_encode(v, frames) for v in value]}
    if isinstance(value, dict) and type(value) is dict:
        return {"dict": [[_encode(k, frames), _encode(v, frames)] for k, v in value.items()]}
    if isinstance(value, Path):
        return {"path": str(value)}
    for kind in (datetime, date, time):
        if type(value) is kind:
            return {kind.__name__: value.isoformat()}
    if type(value) is timedelta:
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith("grantkit."):
            raise _Unsupported(cls.__name__)
        return {
            "dataclass": [
                f"{cls.__module__}:{cls.__qualname__}",
                {f.name: _encode(getattr(value, f.name), frames) for f in dataclasses.fields(value)},
            ]
        }
    import numpy as np

    if isinstance(value, np.generic) and isinstance(value.item(), (bool, int, float)):
        return {"numpy": [str(value.dtype), _encode(value.item(), frames)]}
    raise _Unsupported(type(value).__name__)


def _decode(data: Any, frames: list[pd.DataFrame]) -> Any:
    if not isinstance(data, (dict, list)):
        return data
    if isinstance(data, list):
        return [_decode(v, frames) for v in data]
    ((tag, body),) = data.items()
    if tag == "frame":
        return frames[body]
    if tag == "int":
        return int(body)
    if tag == "float":
        return float(body)
    if tag == "tuple":
        return tuple(_decode(v, frames) for v in body)
    if tag == "dict":
        return {_decode(k, frames): _decode(v, frames) for k, v in body}
    if tag == "path":
        return Path(body)
    if tag in ("datetime", "date", "time"):
        return {"datetime": datetime, "date": date, "time": time}[tag].fromisoformat(body)
    if tag == "timedelta":
        return timedelta(*body)
    if tag == "numpy":
        import numpy as np

        return np.dtype(body[0]).type(_decode(body[1], frames))
    if tag == "dataclass":
        return _dataclass(body, frames)
    raise ValueError(f"unknown tag {tag!r}")


def _dataclass(data: list[Any], frames: list[pd.DataFrame]) -> Any:
    qualified, encoded = data
    module, _, name = qualified.partition(":")
    if not module.startswith("grantkit."):
        raise ValueError("not a grantkit type")
    cls: Any = importlib.import_module(module)
    for part in name.split("."):
        cls = getattr(cls, part)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {k: _decode(v, frames) for k, v in encoded.items()}
    if set(values) != set(fields):
        raise ValueError(f"{name} has other fields now")
    obj = cls(**{k: v for k, v in values.items() if fields[k].init})
    for k, v in values.items():
        if not fields[k].init:
            object.__setattr__(obj, k, v)
    return obj
