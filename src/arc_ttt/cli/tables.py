"""Tables on stdout through rich: aligned columns, no frame; a bold header and a rule under it
on a terminal only.

Off a terminal (a pipe, a file, CI) the width is not capped, so no cell is cut or wrapped and
each row stays one line that ``grep`` and ``awk`` read; ``NO_COLOR`` and pipes get no colors.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Console
from rich.table import Table

UNBOUNDED = 10_000  # columns of a console that is not a terminal: nothing wraps


def print_table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, right: Sequence[int] = ()
) -> None:
    """One row per item under ``headers``; the columns at indexes ``right`` align right."""
    terminal = sys.stdout.isatty()
    table = Table(
        box=box.SIMPLE_HEAD if terminal else None,  # a pipe gets plain rows, no rule
        show_edge=False,
        pad_edge=False,
        header_style="bold",
    )
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if i in right else "left", no_wrap=True)
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    console = Console(
        file=sys.stdout,
        width=None if terminal else UNBOUNDED,
        highlight=False,
        soft_wrap=not terminal,
    )
    console.print(table)
