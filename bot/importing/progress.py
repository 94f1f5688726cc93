"""A progress bar for long imports, drawn with rich on stderr (nothing when stderr is not a terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

ProgressCallback = Callable[[int, int | None], None]


def _ignore(rows_done: int, rows_total: int | None) -> None:
    """Report nothing (stderr is not a terminal)."""


@contextmanager
def rich_progress(description: str = "Importing") -> Iterator[ProgressCallback]:
    """Yield a callback ``(rows_done, rows_total)`` that moves a progress bar."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield _ignore
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=None)

        def update(rows_done: int, rows_total: int | None) -> None:
            bar.update(task, completed=rows_done, total=rows_total)

        yield update
