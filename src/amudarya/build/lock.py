"""One build per project folder, and a published book that is always whole.

Two builds in one folder would share `_build/.work`, the cache's staging folders and the swap
of `_build/html`; one of them would publish a book the other was still writing. A build holds
an exclusive `fcntl` lock on `_build/build.lock` from start to end. A second build waits for it,
saying so once, and then starts on what the first left (usually nothing is left to do). The
kernel lets go of the lock when the process ends, however it ends, so a crashed build never
blocks the next.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import sys
from pathlib import Path

LOCK_FILE = Path("_build") / "build.lock"


@contextlib.contextmanager
def build_lock(root: Path, say=None):
    """Hold the build lock of `root` for the duration of the block, waiting for it if another
    build holds it (`say` is told once, with the other build's process id)."""
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    path = root / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not truncated on open: the holder's process id stays readable while we wait.
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            say(
                f"waiting: another build of {root} is running (process {holder}); "
                "this one starts when it ends (Ctrl-C to give up)"
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------
# Publishing

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE): at no instant is
    either name missing. False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def recover(build: Path) -> None:
    """Undo what a build that died while publishing left: a book moved aside but not replaced
    comes back, and half-copied new books are removed."""
    target, old = build / "html", build / ".html-old"
    if not target.exists() and (old / "index.html").is_file():
        os.replace(old, target)
    for leftover in [old, *build.glob(".html-new*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def publish(built: Path, build: Path) -> Path:
    """Replace `build`/html with a copy of `built`. The copy is made beside it first; then the
    two folders are exchanged in one step, so a reader (or a build that dies at any moment)
    sees the whole old book or the whole new one."""
    target = build / "html"
    recover(build)
    fresh = build / f".html-new-{os.getpid()}"
    shutil.copytree(built, fresh)
    if target.exists() and _exchange(fresh, target):
        shutil.rmtree(fresh, ignore_errors=True)  # now the old book
        return target
    if target.exists():
        os.replace(target, build / ".html-old")
    os.replace(fresh, target)
    shutil.rmtree(build / ".html-old", ignore_errors=True)
    return target
