"""Upload and read progress: a rich bar on a terminal's stderr, silence elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.progress import Progress

    from audience_cli.cli.context import AppContext
    from audience_cli.core.members import PageRead


class Advance(Protocol):
    def __call__(self, members: int) -> None: ...


def _shows(app: AppContext) -> bool:
    return app.terminal.stderr and not app.options.quiet


def _bar(app: AppContext) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=app.err,
        transient=True,
    )


@contextmanager
def upload_progress(
    app: AppContext, total: int, label: str, *, requests: int = 2
) -> Iterator[Advance]:
    """A bar only when it helps: a terminal, not --quiet, more than one request."""
    if not _shows(app) or total <= 0 or requests < 2:
        yield lambda members: None
        return
    from audience_cli.text import printable

    with _bar(app) as bar:
        task = bar.add_task(printable(label), total=total)
        yield lambda members: bar.advance(task, members)


@contextmanager
def read_progress(app: AppContext, label: str, *, shown: bool = True) -> Iterator[PageRead]:
    """A bar for reading every page of members. Its total comes with page 1, and it
    shows only when there is more to wait for than that page (a terminal, not --quiet;
    `shown=False` when stdout is the same terminal and is being written meanwhile)."""
    if not shown or not _shows(app):
        yield lambda members, total: None
        return
    from audience_cli.text import printable

    with _bar(app) as bar:
        task = bar.add_task(printable(label), total=None, visible=False)

        def advance(members: int, total: int) -> None:
            if not bar.tasks[0].visible and total > members:
                bar.update(task, total=total, visible=True)
            bar.advance(task, members)

        yield advance
