"""A run: one notebook of `notebooks/` executed with parameters, and the name its page takes.

The run matrix lists runs, the cache keeps them by name, authored analysis is found by name,
and each executes in a kernel of its own; so the run itself depends on nothing but `paths`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from amudarya.build import paths


@dataclass(frozen=True)
class Run:
    thread: str
    parameters: dict = field(default_factory=dict)
    # Seconds a cell may run (None: timeouts.DEFAULT); not part of what the run computes.
    timeout: float | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        parts = [self.thread]
        for key in sorted(self.parameters):
            value = self.parameters[key]
            text = "+".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key}-{text}")
        return paths.short_name("__".join(parts))

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.parameters.items()))
        return f"{self.thread}({args})"


def notebook_path(root: Path, thread: str) -> Path:
    return root / "notebooks" / f"{thread}.ipynb"


def threads(root: Path) -> list[str]:
    """Notebooks that can be run: every notebook in notebooks/ with a parameters cell."""
    return sorted(p.stem for p in (root / "notebooks").glob("*.ipynb"))
