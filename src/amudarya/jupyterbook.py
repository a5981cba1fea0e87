"""Jupyter Book in a process of its own, started while the notebooks still run.

Loading Sphinx, myst-nb, the theme and Jupyter Book's extensions takes about half a second
before Sphinx reads a page. A process started at the beginning of a build does that on a
free core while the kernels work, then waits; `build()` tells it to go, `cancel()` to leave.
It runs the `jupyter-book build` command itself, so options and messages are Jupyter Book's.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import RunError

GO = "build\n"


class JupyterBook:
    """`jupyter-book build` of root/book into `work`, in a process started by start() (or by
    build(), if nobody started it earlier)."""

    def __init__(self, root: Path, work: Path):
        self.root = root
        self.work = work
        self.process: subprocess.Popen | None = None
        self.building = False

    def start(self) -> None:
        args = [
            "build", str(self.root / "book"),
            "--config", str(self.root / "_config.yml"),
            "--toc", str(self.root / "book" / "_toc.yml"),
            "--path-output", str(self.work),
            "-W", "-n", "--keep-going",
        ]
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=self.root,
        )

    def build(self) -> None:
        if self.process is None:
            self.start()
        self.building = True
        output, _ = self.process.communicate(GO)
        if self.process.returncode != 0:
            lines = [l for l in output.splitlines() if "WARNING" in l or "ERROR" in l]
            detail = "\n".join(lines[-20:]) or output[-3000:]
            raise RunError(f"Jupyter Book failed; the last good book in _build/html is untouched.\n{detail}")

    def cancel(self) -> None:
        """Stop a process that is still running: one that was never told to build, or a build
        interrupted half way, whose work folder then cannot be trusted by the next build."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
            if self.building:
                shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> JupyterBook:
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()


def _preload() -> None:
    from jupyter_book.config import get_default_sphinx_config

    names = get_default_sphinx_config()["extensions"] + [
        "sphinx.builders.html", "sphinx_book_theme", "sphinx_jupyterbook_latex", "sphinx_multitoc_numbering",
    ]
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # only a head start: the build itself reports what is really missing


def main(argv: list[str]) -> int:
    from jupyter_book.cli.main import main as jupyter_book

    _preload()
    if sys.stdin.readline() != GO:
        return 0
    # Jupyter Book's command ends the process with its own exit status.
    jupyter_book(argv, prog_name="jupyter-book")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
