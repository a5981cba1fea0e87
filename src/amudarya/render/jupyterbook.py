"""Jupyter Book in a process of its own, started while the notebooks still run.

Before Sphinx reads a page it spends a second or two importing itself, myst-nb and the theme
and setting up the application (configuration, extensions, theme, the saved environment).
None of that depends on the executed notebooks, so a process started at the beginning of a
build does it on a free core while the kernels work, then waits; `build()` tells it to go,
`cancel()` to leave. Sphinx finds which pages changed only when it builds.

It does what `jupyter-book build book --config _config.yml --toc book/_toc.yml
--path-output <work> -W -n --keep-going` does for HTML, with Jupyter Book's own
configuration code, split at the point where the notebooks are needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from amudarya.data.errors import RunError

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
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(self.root), str(self.work)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.root,
        )

    def build(self) -> None:
        if self.process is None:
            self.start()
        self.building = True
        output, _ = self.process.communicate(GO)
        if self.process.returncode != 0:
            lines = [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]
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


def main(root: Path, work: Path) -> int:
    # Sphinx and Jupyter Book are imported in the book's own process, the point of this module.
    from jupyter_book.config import get_final_config
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    source = root / "book"
    config, _ = get_final_config(
        user_yaml=root / "_config.yml",
        cli_config={
            "external_toc_path": (source / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            "nitpicky": True,
        },
        sourcedir=source,
        use_external_toc=True,
    )
    # As jupyter_book.sphinx.build_sphinx does for the HTML builder.
    with patch_docutils(None), docutils_namespace():
        app = Sphinx(
            srcdir=source,
            confdir=None,
            outdir=work / "_build" / "html",
            doctreedir=work / "_build" / ".doctrees",
            buildername="html",
            confoverrides=config,
            status=sys.stdout,
            warning=sys.stderr,
            freshenv=False,
            warningiserror=True,
            tags=None,
            verbosity=0,
            parallel=1,
            keep_going=True,
        )
        if app.config["use_multitoc_numbering"] and "numbered: true" in yaml.dump(
            app.config.external_site_map.as_json()
        ):
            app.setup_extension("sphinx_multitoc_numbering")
        if sys.stdin.readline() != GO:
            return 0
        app.build(False, [])
        return app.statuscode


if __name__ == "__main__":
    status = main(Path(sys.argv[1]), Path(sys.argv[2]))
    # Everything is written; tidying up Sphinx's objects on the way out took a third of a
    # second here, with the build waiting for this process to end.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
