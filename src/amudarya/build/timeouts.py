"""A run that hangs or whose kernel dies: stopped, and said in words.

Every run has an execution timeout (per cell, papermill's `execution_timeout`): by default
DEFAULT seconds, `--timeout SECONDS` on `amudarya build` and `amudarya run`, or `timeout:` on a
run in notebooks/runs.yml (which wins over the command line's default for that run). When a cell
runs longer, or its kernel dies (out of memory, a crash in a library), the run stops with a
message naming the run, the notebook and the cell; the notebook as far as it got is kept in
_build/failed/ like any failed run's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from amudarya.data.errors import Problem

DEFAULT = 600.0

# Kinds of problem (Problem.kind); data/README.md explains each.
TIMED_OUT = "run timed out"
KERNEL_DIED = "kernel died"
BAD_TIMEOUT = "bad timeout"
KINDS = (TIMED_OUT, KERNEL_DIED, BAD_TIMEOUT)


def problem(where: str, field: str, value: object) -> Problem | None:
    """A timeout must be a positive number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return None
    return Problem(
        where,
        f"{BAD_TIMEOUT}: a timeout is a number of seconds greater than 0",
        field=field,
        value=value,
        expected=f"seconds, such as {DEFAULT:.0f} (the default)",
        kind=BAD_TIMEOUT,
    )


def seconds(value: float | None) -> float:
    return DEFAULT if value is None else float(value)


@dataclass
class Stopped:
    """What the failure message needs of a cell that did not finish (shaped like papermill's
    PapermillExecutionError: its source, its index in the executed notebook, the error)."""

    source: str
    cell_index: int
    ename: str
    evalue: str


def is_stop(exc: BaseException) -> bool:
    """A cell that ran past its timeout, or a kernel that died under it."""
    # nbclient brings jupyter_client (a third of a second), needed only once a run failed.
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    return isinstance(exc, (CellTimeoutError, DeadKernelError))


ENGINE = "amudarya"


def register_engine() -> str:
    """Papermill's engine, keeping hold of the notebook when a run stops: papermill writes an
    executed notebook only when the run ends (or after every cell, which costs every run time),
    and a timeout or a dead kernel ends it by an exception that carries no notebook."""
    from papermill.engines import NBClientEngine, papermill_engines  # slow to import; only to execute

    class KeepingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except Exception as exc:
                exc.amudarya_notebook = nb_man.nb
                raise

    papermill_engines.register(ENGINE, KeepingEngine)
    return ENGINE


def keep(exc: BaseException, failed: Path, timeout: float) -> Stopped:
    """Write the notebook as far as it ran to `failed`, and say which cell was running: the
    last one papermill started."""
    from nbclient.exceptions import CellTimeoutError  # as in is_stop

    source, index = "", 0
    nb = getattr(exc, "amudarya_notebook", None)
    if nb is not None:
        nbformat.write(nb, failed)
        started = [
            i
            for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and cell.get("metadata", {}).get("papermill", {}).get("start_time")
        ]
        if started:
            index = started[-1]
            source = nb.cells[index].source
    if isinstance(exc, CellTimeoutError):
        return Stopped(
            source,
            index,
            TIMED_OUT,
            f"the cell ran longer than the timeout of {timeout:g} seconds and was stopped"
            " (a longer one: --timeout SECONDS, or timeout: in notebooks/runs.yml)",
        )
    return Stopped(
        source,
        index,
        KERNEL_DIED,
        "the kernel running the notebook died (out of memory, or a crash in a library it called)",
    )
