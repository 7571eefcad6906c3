"""Questions to a person at a terminal, asked through rich; without one (a pipe, a script, CI)
nothing ever asks.

A missing ``--dataset`` is asked for with the bundled names listed; ``checkpoints prune`` asks
before deleting. Questions and answers go through stderr/stdin so stdout keeps only results.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace

import click
from rich.console import Console
from rich.prompt import Confirm, Prompt
from rich.text import Text

# Commands whose --dataset may be asked for.
DATASET_COMMANDS = ("solve", "show", "score", "evaluate", "explain")


def interactive() -> bool:
    """A person is at the keyboard: both stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def fill_dataset(args: SimpleNamespace, bundled: Callable[[], Sequence[str]]) -> None:
    """Ask for a missing ``--dataset`` on a terminal; elsewhere ``show``/``score`` fail as usage
    errors (``solve`` reports its own, which also names ``--out``); so does ``evaluate``."""
    if args.command not in DATASET_COMMANDS or getattr(args, "dataset", "") is not None:
        return
    if args.command == "solve" and (args.resume is not None or args.out is None):
        return  # --resume brings its dataset; without --out solve fails before any question
    if not interactive():
        if args.command == "solve":
            return
        raise click.UsageError("Missing option '--dataset'.")
    args.dataset = ask_dataset(bundled())


def ask_dataset(bundled: Sequence[str]) -> str:
    """A bundled name (by number or name) or an existing task folder / JSON file."""
    console = _console()
    console.print("Which dataset? (--dataset)", highlight=False)
    for i, name in enumerate(bundled, start=1):
        console.print(f"  {i}. {name}", highlight=False, markup=False)
    console.print("  or a task folder / JSON file", highlight=False)
    while True:
        question = Text(f"dataset [1-{len(bundled)}, name or path]")
        try:
            answer = Prompt.ask(question, console=console, default="", show_default=False)
        except EOFError:  # Ctrl-D
            answer = ""
        if answer == "":
            raise click.UsageError("--dataset: none chosen")
        answer = answer.strip()
        if answer.isdigit() and 1 <= int(answer) <= len(bundled):
            return bundled[int(answer) - 1]
        if answer in bundled or Path(answer).expanduser().exists():
            return answer
        console.print(
            f"{answer!r} is neither a number from the list, a bundled name nor an existing path",
            markup=False,
            highlight=False,
        )


def confirm(question: str) -> bool:
    """Yes only when the person says so; Enter or end of input is no."""
    try:
        return Confirm.ask(Text(question), console=_console(), default=False)
    except EOFError:
        return False


def _console() -> Console:
    return Console(file=sys.stderr)
