"""Charts drawn as SVG on a second core while the report is still being built.

Drawing is the slowest part of writing a report (the text layout of every Japanese label, once for the PNG and
once again for the SVG), and it runs on one core. Inside ``drawing_aside()`` (``report.execution`` enters it when
it starts building a report), a worker process is started at once (``python -m grantkit.plot.drawing``), so that
it has imported matplotlib by the time the first chart is finished; ``draw_aside(fig)`` hands it a finished
figure (pickled, with this process's ``rcParams``) to draw as SVG, and ``svg_of`` takes those bytes when the files
are written, while this process draws the PNGs. The worker draws the same figure with the same settings, so the
bytes are the ones this process would draw (a test compares them for every chart of the bundled reports).

Without a second core, when the worker has not begun a chart by the time it is needed, or when anything about
the worker fails, the chart is drawn here, as without it: the result never depends on the worker, only the time.
The worker is a plain child process that reads jobs from its standard input, not ``multiprocessing`` (which
would run the user's script again in the child to find ``__main__``).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import IO

from matplotlib.figure import Figure

from ..io.row_blocks import cores
from .style import setup_japanese, svg_bytes

# Settings that belong to this process's display, not to a drawing (a notebook's inline backend).
_LOCAL_SETTINGS = ("backend", "backend_fallback", "interactive")
# A chart takes well under a second to draw; a worker that has not answered in this time is given up on.
WAIT_SECONDS = 120.0
OFF_VARIABLE = "GRANTKIT_NO_WORKER"
_LENGTH = struct.Struct("<Q")


class _Worker:
    """One child process and the thread that hands it the jobs in turn and takes back their results."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])  # grantkit's folder, as imported here
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grantkit.plot.drawing"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self.jobs: queue.SimpleQueue[tuple[Future, bytes] | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._courier, name="grantkit-drawing", daemon=True)
        self.thread.start()

    def submit(self, payload: bytes) -> Future:
        job: Future = Future()
        self.jobs.put((job, payload))
        return job

    def _courier(self) -> None:
        broken = False
        while (item := self.jobs.get()) is not None:
            job, payload = item
            if not job.set_running_or_notify_cancel():
                continue  # drawn by the main process instead
            try:
                if broken:
                    raise OSError("the drawing worker stopped")
                _send(self.process.stdin, payload)
                ok, result = pickle.loads(_receive(self.process.stdout))
            except Exception as exc:  # noqa: BLE001 - any failure: the main process draws the chart itself
                broken = True
                job.set_exception(exc)
                continue
            if ok:
                job.set_result(result)
            else:
                job.set_exception(RuntimeError(result))

    def stop(self) -> None:
        """Cancel what was not begun and end the process (it holds nothing that needs closing)."""
        with contextlib.suppress(queue.Empty):
            while True:
                item = self.jobs.get_nowait()
                if item is not None:
                    item[0].cancel()
        self.jobs.put(None)
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self.thread.join(WAIT_SECONDS)
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()


_workers: list[_Worker] = []


@contextlib.contextmanager
def drawing_aside() -> Iterator[bool]:
    """Inside the block, ``draw_aside`` hands finished figures to a worker process started now; yields whether
    there is one (not with one CPU, nor when the environment variable ``GRANTKIT_NO_WORKER`` is set to
    anything but "" or "0", nor when a process cannot be started). The worker is stopped when the block ends.

    >>> with drawing_aside() as aside:
    ...     isinstance(aside, bool)
    True
    """
    worker = None
    if cores() >= 2 and os.environ.get(OFF_VARIABLE, "") in ("", "0"):
        with contextlib.suppress(OSError, ValueError):
            worker = _Worker()
    if worker is None:
        yield False
        return
    _workers.append(worker)
    try:
        yield True
    finally:
        _workers.remove(worker)
        worker.stop()


def draw_aside(fig: Figure) -> Future | None:
    """The SVG of a finished figure, being drawn by the worker of ``drawing_aside`` (``None`` outside it, or
    when the figure cannot be handed over). The figure must not change afterwards."""
    if not _workers:
        return None
    import matplotlib as mpl

    settings = {k: v for k, v in mpl.rcParams.items() if k not in _LOCAL_SETTINGS}
    try:
        payload = pickle.dumps((settings, pickle.dumps(fig)))
    except Exception:  # noqa: BLE001 - a figure that does not pickle is drawn here
        return None
    return _workers[-1].submit(payload)


def svg_of(fig: Figure, job: Future | None) -> bytes:
    """The figure's SVG bytes: the worker's (waiting for it when it is drawing it), else drawn here (the worker
    has not begun it yet, failed, or there is none)."""
    if job is not None and (job.done() or not job.cancel()):
        with contextlib.suppress(Exception):
            return job.result(timeout=WAIT_SECONDS)
    return svg_bytes(fig)


def _send(pipe: IO[bytes] | None, payload: bytes) -> None:
    assert pipe is not None
    pipe.write(_LENGTH.pack(len(payload)) + payload)
    pipe.flush()


def _receive(pipe: IO[bytes] | None) -> bytes:
    assert pipe is not None
    head = pipe.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the drawing worker ended")
    (size,) = _LENGTH.unpack(head)
    payload = pipe.read(size)
    if len(payload) < size:
        raise EOFError("the drawing worker ended")
    return payload


def _serve(jobs: IO[bytes], results: IO[bytes]) -> None:
    """The worker: for each job, (True, the SVG bytes) or (False, what went wrong), until its input ends."""
    import matplotlib as mpl

    setup_japanese()
    while True:
        try:
            payload = _receive(jobs)
        except EOFError:
            return
        try:
            settings, figure = pickle.loads(payload)
            with mpl.rc_context(settings):
                answer = (True, svg_bytes(pickle.loads(figure)))
        except Exception as exc:  # noqa: BLE001 - said to the main process, which then draws the chart itself
            answer = (False, f"{type(exc).__name__}: {exc}")
        _send(results, pickle.dumps(answer))


if __name__ == "__main__":
    answers = os.fdopen(os.dup(1), "wb")  # the results only: anything else printed goes where stderr goes
    os.dup2(2, 1)
    _serve(sys.stdin.buffer, answers)
    os._exit(0)  # nothing to tear down: leave at once
