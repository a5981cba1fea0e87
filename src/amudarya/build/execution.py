"""Executing one run: papermill runs the notebook in a kernel of its own, and the result is
post-processed for the book; a failure names the run and the cell a person opens.

The kernel is told through its environment where the project is (`AMUDARYA_ROOT`), where the
executed notebook and its downloads go (`AMUDARYA_OUTPUT`) and, when the build asks, where to
record each data file it reads (`depfile.ENV`). A run that fails keeps its executed notebook
under `_build/failed/`; one that succeeds is written whole or not at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import nbformat

from amudarya.build import analysis, timeouts
from amudarya.build.paths import FAILED
from amudarya.build.postprocess import postprocess
from amudarya.build.run import Run, notebook_path
from amudarya.data import depfile
from amudarya.data.errors import RunError

SOCKETS_PREFIX = "amudarya-kernels-"

# Kinds of problem (Problem.kind, or the start of a RunError); data/README.md explains each.
RUN_FAILED = "notebook failed"
KINDS = (RUN_FAILED,)


def sockets_folder() -> Path:
    """Where this process's kernels put their socket files: one folder per process, so that a
    build can sweep the folders of processes that died without cleaning up."""
    return Path(tempfile.gettempdir()) / f"{SOCKETS_PREFIX}{os.getpid()}"


def _socket_file_kernel_manager():
    """A kernel manager that talks to its kernel over Unix socket files of its own.

    Over TCP, each kernel's ports are picked by binding port 0 and letting go; kernels started
    at the same moment by parallel workers can pick the same port, and one dies ('Address
    already in use'). Socket files named after a fresh id cannot collide.
    """
    from jupyter_client import AsyncKernelManager  # slow to import, like papermill
    from traitlets import default

    class SocketFileKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # In a folder of this process, which a later build removes if this one dies.
            folder = sockets_folder()
            folder.mkdir(exist_ok=True)
            return str(folder / uuid.uuid4().hex[:16])

    return SocketFileKernelManager


def _source_cell_number(root: Path, run: Run, exc) -> int:
    """The failing cell's number (from 1) in the notebook a person opens, notebooks/<thread>.ipynb.
    The executed notebook has cells the source has not (injected parameters, papermill's error
    banners), so the cell is found by its source."""
    try:
        cells = nbformat.read(notebook_path(root, run.thread), as_version=4).cells
    except (OSError, ValueError):
        return exc.cell_index + 1
    for number, cell in enumerate(cells, start=1):
        if cell.cell_type == "code" and cell.source == exc.source:
            return number
    return exc.cell_index + 1


def _failure_message(root: Path, run: Run, exc, kept: Path) -> str:
    first = next((line.strip() for line in (exc.source or "").splitlines() if line.strip()), "")
    if len(first) > 100:
        first = first[:99] + "…"
    try:
        shown = kept.relative_to(root)
    except ValueError:
        shown = kept
    return (
        f"{RUN_FAILED}: the run {run.describe()} stopped in cell {_source_cell_number(root, run, exc)} of "
        f"notebooks/{run.thread}.ipynb, the cell starting `{first}`:\n"
        f"  {exc.ename}: {exc.evalue}\n"
        f"  The executed notebook, with the full traceback, is kept for inspection at {shown}"
    )


@contextmanager
def _kernel_environment(root: Path, output: Path, reads: Path | None):
    """The environment the kernel inherits: where the data are, where the notebook's downloads
    go, and where to record what it reads; the process's own is put back afterwards."""
    saved = {k: os.environ.get(k) for k in ("AMUDARYA_ROOT", "AMUDARYA_OUTPUT", depfile.ENV)}
    os.environ["AMUDARYA_ROOT"] = str(root)
    os.environ["AMUDARYA_OUTPUT"] = str(output)
    os.environ.pop(depfile.ENV, None)
    if reads is not None:
        os.environ[depfile.ENV] = str(reads)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _papermill(root: Path, run: Run, partial: Path) -> None:
    import papermill  # slow to import; only executing a run needs it

    papermill.execute_notebook(
        analysis.merged(root, run),  # the notebook, with the run's authored analysis if it has one
        str(partial),
        parameters=run.parameters,
        cwd=str(root),
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        # Every output is in hand when the last cell is done; a polite shutdown of the
        # kernel only adds about a second to each run.
        shutdown_kernel="immediate",
        # On a busy machine a cell's last outputs can reach us seconds after its reply;
        # papermill's 4 s wait for them then fails a run that succeeded.
        iopub_timeout=120,
        # The kernel's own log (a KeyboardInterrupt note when it is stopped) is noise on the
        # console, not news about the run.
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        kernel_manager_class=_socket_file_kernel_manager(),
        execution_timeout=timeouts.seconds(run.timeout),
        engine_name=timeouts.register_engine(),
    )


def _failed(root: Path, run: Run, exc: Exception, partial: Path, in_cell: bool) -> RunError:
    """The RunError for a run that failed, with its executed notebook kept under _build/failed/.
    `in_cell`: a cell raised, and papermill wrote the notebook; else the run was stopped."""
    failed = root / FAILED / f"{run.name}.ipynb"
    failed.parent.mkdir(parents=True, exist_ok=True)
    if in_cell:
        shutil.move(str(partial), failed)
    else:
        exc = timeouts.keep(exc, failed, timeouts.seconds(run.timeout))
    return RunError(_failure_message(root, run, exc, failed))


def execute(root: Path, run: Run, output: Path, reads: Path | None = None) -> Path:
    """Execute one run with papermill into `output` (post-processed); raise RunError naming the
    run and the failing cell, keeping the failed notebook under _build/failed/. With `reads`,
    the kernel records there every data file it read (`depfile`)."""
    from papermill.exceptions import PapermillExecutionError  # slow to import, as in _papermill

    output.parent.mkdir(parents=True, exist_ok=True)
    # Written next to the target and renamed, so a crash never leaves half a notebook.
    partial = output.with_name(f".{output.stem}.partial.ipynb")
    try:
        with _kernel_environment(root, output, reads):
            _papermill(root, run, partial)
    except Exception as exc:
        in_cell = isinstance(exc, PapermillExecutionError)
        if not (in_cell or timeouts.is_stop(exc)):
            raise
        raise _failed(root, run, exc, partial, in_cell) from None
    finally:
        # The kernel is gone (shut down or killed); its socket files may not be.
        shutil.rmtree(sockets_folder(), ignore_errors=True)
    nb = nbformat.read(partial, as_version=4)
    try:
        postprocess(nb)
    except RunError as exc:
        raise RunError(f"{run.describe()}: {exc}") from None
    nbformat.write(nb, partial)
    os.replace(partial, output)
    # An earlier failure of this run is no longer news.
    (root / FAILED / f"{run.name}.ipynb").unlink(missing_ok=True)
    return output
