"""Upload progress: a rich bar on a terminal's stderr, silence elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from audience_cli.context import AppContext


class Advance(Protocol):
    def __call__(self, members: int) -> None: ...


@contextmanager
def upload_progress(
    app: AppContext, total: int, label: str, *, requests: int = 2
) -> Iterator[Advance]:
    """A bar only when it helps: a terminal, not --quiet, more than one request."""
    if not app.terminal.stderr or app.options.quiet or total <= 0 or requests < 2:
        yield lambda members: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from audience_cli.text import printable

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=app.err,
        transient=True,
    ) as bar:
        task = bar.add_task(printable(label), total=total)
        yield lambda members: bar.advance(task, members)
