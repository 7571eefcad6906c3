"""Questions to a person at a terminal; without one (a pipe, a script, CI) nothing ever asks.

A missing ``--dataset`` is asked for with the bundled names listed; ``checkpoints prune`` asks
before deleting. Questions and answers go through stderr/stdin so stdout keeps only results.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

# Commands whose --dataset may be asked for, and how the usage error reads without a terminal.
DATASET_COMMANDS = ("solve", "show", "score", "evaluate", "explain")


def interactive() -> bool:
    """A person is at the keyboard: both stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def fill_dataset(
    args: argparse.Namespace, bundled: Callable[[], Sequence[str]], usage_error: type[Exception]
) -> None:
    """Ask for a missing ``--dataset`` on a terminal; elsewhere ``show``/``score`` fail as usage
    errors (``solve`` reports its own, which also names ``--out``); so does ``evaluate``."""
    if args.command not in DATASET_COMMANDS or getattr(args, "dataset", "") is not None:
        return
    if args.command == "solve" and (args.resume is not None or args.out is None):
        return  # --resume brings its dataset; without --out solve fails before any question
    if not interactive():
        if args.command == "solve":
            return
        raise usage_error(f"{args.command}: the following arguments are required: --dataset")
    args.dataset = ask_dataset(bundled(), usage_error)


def ask_dataset(bundled: Sequence[str], usage_error: type[Exception]) -> str:
    """A bundled name (by number or name) or an existing task folder / JSON file."""
    lines = [f"  {i}. {name}" for i, name in enumerate(bundled, start=1)]
    _say("Which dataset? (--dataset)\n" + "\n".join(lines) + "\n  or a task folder / JSON file")
    while True:
        answer = _ask(f"dataset [1-{len(bundled)}, name or path]: ")
        if answer is None or answer == "":
            raise usage_error("--dataset: none chosen")
        if answer.isdigit() and 1 <= int(answer) <= len(bundled):
            return bundled[int(answer) - 1]
        if answer in bundled or Path(answer).expanduser().exists():
            return answer
        _say(f"{answer!r} is neither a number from the list, a bundled name nor an existing path")


def confirm(question: str) -> bool:
    """Yes only for y/yes; Enter, end of input or anything else is no."""
    answer = _ask(f"{question} [y/N] ")
    return answer is not None and answer.lower() in ("y", "yes")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _ask(prompt: str) -> str | None:
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    return None if line == "" else line.strip()  # "" only at end of input (Ctrl-D)
