"""The tasks a command runs on: ``--dataset`` (and ``--solutions``) opened, what was refused
warned about, then ``--tasks ID,ID`` or the first ``--limit N``."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any


def chosen_tasks(args: SimpleNamespace, container: Any) -> Any:
    """The ``TaskCollection`` the flags choose; an unknown ``--tasks`` id raises
    ``UnknownTaskError`` naming it (and why it was refused, when it was)."""
    collection = container.catalog().open(args.dataset, args.solutions).load()
    for problem in collection.problems:
        print(f"arc-ttt: warning: skipped {problem}", file=sys.stderr)
    if args.tasks:
        return collection.select([t.strip() for t in args.tasks.split(",") if t.strip()])
    if args.limit:
        return collection.sample(args.limit)
    return collection
