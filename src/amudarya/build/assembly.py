"""The book's pages from the cache, then the book: built by Sphinx into a work folder and
published over `_build/html` in one step, only when the whole build succeeded.

`book/_generated/` is made equal to the matrix's runs as stored in the cache, rewriting only
what changed, so Sphinx re-reads only those pages. The book is not built at all when nothing
it is made of changed since the book now published (`cache.book_key`).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from amudarya.build import cache, lock
from amudarya.build.matrix import Matrix
from amudarya.build.paths import BUILD, GENERATED
from amudarya.build.run import Run
from amudarya.data.errors import RunError
from amudarya.render import bounds

# Kinds of problem (the start of a RunError); data/README.md explains each.
BOOK_FAILED = "Jupyter Book failed"
KINDS = (BOOK_FAILED,)


def assemble(root: Path, matrix: Matrix, entries: dict[str, Path], executed: list[Run], log) -> None:
    """book/_generated/ as the matrix says, from the cache entries, rewriting only what changed."""
    store = cache.Store(root)
    generated = root / GENERATED
    generated.mkdir(parents=True, exist_ok=True)
    for run in matrix.runs:
        started = time.perf_counter()
        store.restore(entries[run.name], run.name, generated)
        store.prune(run.name, entries[run.name])
        if run not in executed:
            log(f"{run.name}: cached in {time.perf_counter() - started:.1f} s")
    wanted = {f"{run.name}.ipynb" for run in matrix.runs}
    for stale in generated.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
            shutil.rmtree(generated / "downloads" / stale.stem, ignore_errors=True)


def _publish(root: Path, built: Path) -> Path:
    """Replace _build/html with `built` in one step (lock.publish), without files no page uses."""
    bounds.sweep_orphans(built)
    return lock.publish(built, root / BUILD)


def book(root: Path, site, log) -> Path:
    """Build and publish the book, unless the one in _build/html was made from the same content."""
    target = root / BUILD / "html"
    stamp = cache.book_stamp(root)
    key = cache.book_key(root)
    if (target / "index.html").is_file() and stamp.is_file() and stamp.read_text() == key:
        log(f"book: unchanged, Sphinx skipped: {target / 'index.html'}")
        return target
    started = time.perf_counter()
    try:
        site.build()
    except RunError:
        # Sphinx re-reads only changed pages and would not repeat this build's warnings;
        # starting the next build from scratch keeps -W honest.
        shutil.rmtree(site.work, ignore_errors=True)
        raise
    # Forgotten before the swap: a stamp must never describe a book that is not there.
    stamp.unlink(missing_ok=True)
    target = _publish(root, site.work / "_build" / "html")
    stamp.write_text(key)
    log(f"book: built in {time.perf_counter() - started:.1f} s: {target / 'index.html'}")
    return target
