"""Where runs execute: in the build process, or on a Dask distributed cluster.

One run alone (or `--jobs 1`) executes in the build process: starting workers would cost more
than it saves. More runs go to Dask's distributed scheduler: a `LocalCluster` of one
single-threaded worker process per job (papermill hands a kernel its environment through
os.environ, so a process executes one run at a time), or the scheduler at the address given to
`amudarya build --scheduler`, whose workers may sit on other machines. A worker executes a run
into a folder of its own and sends back the files and the record of what the run read
(`depfile`), which the build stores in its content-addressed cache; so a worker needs the
project at the same path (a shared or identical checkout) but writes nothing into it.

Stopping a build (SIGINT, Ctrl-C, or SIGTERM) stops every process it started (workers,
kernels, Sphinx), keeps the runs that had finished, leaves no half-written entry, and prints
one line. What a crashed build left (half-written entries, kernels' socket folders) is swept
by the next build.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from amudarya.build import cache, execution
from amudarya.data import depfile
from amudarya.data.errors import RunError

RUN_PREFIX = "amudarya-run-"


@dataclass
class Result:
    """An executed run: its files (relative to the run's folder), what it read, and seconds."""

    files: dict[str, bytes]
    reads: dict[str, str]
    seconds: float


def execute_packed(root: str, run) -> Result:
    """Execute `run` into a folder of its own and return what it made; the task a worker runs."""
    started = time.perf_counter()
    # Named after this process, so that a build can sweep the folders of workers that died.
    with tempfile.TemporaryDirectory(prefix=f"{RUN_PREFIX}{os.getpid()}-") as tmp:
        folder = Path(tmp)
        record = folder / ".reads"
        record.touch()
        execution.execute(Path(root), run, folder / f"{run.name}.ipynb", reads=record)
        reads = depfile.read(record)
        if reads is None:
            raise RunError(f"{run.describe()}: the record of what the run read is unreadable")
        record.unlink()
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    return Result(files, reads, time.perf_counter() - started)


def _cluster(scheduler: str | None, workers: int):
    """A client of the cluster at `scheduler`, or of a new LocalCluster of `workers` processes."""
    # dask.distributed is slow to import; one run alone executes without it.
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler, timeout="20s"), None
    # Workers inherit an ignored SIGINT: a Ctrl-C reaches the whole process group, and the
    # build, not each worker, decides what stopping means (and prints one line, not tracebacks).
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # The scheduler serves its health routes over HTTP even with no
            # dashboard, on port 8787 unless told otherwise: a second build on
            # the machine then printed a warning that the port was taken.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            # A failed run is reported by the build, with its cell: the
            # worker's own log of it would repeat it as a raw traceback.
            silence_logs=logging.CRITICAL,
            worker_dashboard_address=None,
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return Client(cluster), cluster


def run_all(root: Path, runs: list, jobs: int, scheduler: str | None, done) -> None:
    """Execute `runs`, starting them in the order given, calling done(run, Result or the
    exception it raised) as each finishes, so a finished run is stored even if the build is
    stopped before the others end."""
    if scheduler is None and (jobs == 1 or len(runs) == 1):
        for run in runs:
            try:
                outcome = execute_packed(str(root), run)
            except Exception as exc:  # one broken run must not hide the others' results
                outcome = exc
            done(run, outcome)
        return
    from dask.distributed import as_completed

    client, cluster = _cluster(scheduler, min(jobs, len(runs)))
    try:
        # Tasks submitted within a few milliseconds of each other share a priority, and Dask
        # then starts them in no set order: each is given its place explicitly.
        futures = {
            client.submit(
                execute_packed,
                str(root),
                run,
                key=f"{run.name}-{uuid.uuid4().hex}",
                pure=False,
                priority=len(runs) - place,
            ): run
            for place, run in enumerate(runs)
        }
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as exc:
                outcome = exc
            done(futures[future], outcome)
    finally:
        _close(client, cluster)


def _close(client, cluster) -> None:
    # Workers stopped mid-run are expected here, not news.
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    try:
        client.close(timeout=10)
        if cluster is not None:
            cluster.close(timeout=10)
    except Exception:
        pass  # what did not close is stopped by stoppable()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _started_since(before: set[int]):
    """Processes started under this one since `before` was taken (not those under a process
    that was already running then: a test session's browser, say)."""
    me = os.getpid()
    found = []
    for proc in psutil.Process(me).children(recursive=True):
        try:
            chain = {p.pid for p in proc.parents()}
        except psutil.Error:
            continue
        if proc.pid not in before and not (chain & before):
            found.append(proc)
    return found


def _stop(procs) -> None:
    for proc in procs:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(procs, timeout=3)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=3)


def sweep(root: Path) -> None:
    """Remove what builds that died left behind: half-written cache entries, and the socket
    folders of kernels and the run folders of workers whose process is gone."""
    cache.Store(root).sweep()
    temp = Path(tempfile.gettempdir())
    for prefix in (execution.SOCKETS_PREFIX, RUN_PREFIX):
        for folder in temp.glob(f"{prefix}*"):
            if not cache._alive(folder.name[len(prefix) :].split("-")[0]):
                shutil.rmtree(folder, ignore_errors=True)


class Stopped(BaseException):
    """The build was asked to stop (SIGINT or SIGTERM)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def stoppable(root: Path, finished):
    """Run the build so that SIGINT or SIGTERM stops it cleanly: every process it started is
    stopped, half-written entries and socket folders are removed, and one line says what is
    kept (`finished()` counts the runs stored so far). Exits with 128 + the signal's number."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    handlers = {}
    # Taken when the signal arrives, while the tree is whole: a kernel whose worker is closed
    # on the way out is no longer under this process when the clean-up runs.
    seen = []

    def stop(signum, frame):
        seen.extend(_started_since(before))
        raise Stopped(signum)

    if _main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            handlers[signum] = signal.signal(signum, stop)
    try:
        yield
    except (Stopped, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
        # Further signals must not interrupt the clean-up itself.
        for sig in handlers:
            signal.signal(sig, signal.SIG_IGN)
        procs = list({p.pid: p for p in [*seen, *_started_since(before)]}.values())
        _stop(procs)
        # After the processes: a kernel that was still running would write its sockets again.
        sweep(root)
        shutil.rmtree(execution.sockets_folder(), ignore_errors=True)
        print(
            f"amudarya build: stopped by {signal.Signals(signum).name}; finished runs kept in the cache: "
            f"{finished()}; processes it started, now stopped: {len(procs)}",
            file=sys.stderr,
            flush=True,
        )
        sys.stdout.flush()
        # Not SystemExit: a build stopped while a run executed printed this line and then never
        # ended, in two of three full test runs, held up on the way out of the interpreter (most
        # likely by ZeroMQ's context, which waits for messages queued to the kernel just
        # stopped). Everything there was to undo is undone above; the OS releases the lock.
        os._exit(128 + signum)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
