"""What the model commands share: checked paths, the tasks to run on, text or JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from arc_ttt.cli.task_choice import chosen_tasks
from arc_ttt.domain.task import Task

VALIDATION_SEED = 4242  # synthetic tasks for validation; no test or pretraining uses this seed


def tasks_for(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> list[Task]:
    if args.limit is not None and args.limit < 1:
        raise usage_error("--limit: must be at least 1")
    if args.max_new_tokens is not None and args.max_new_tokens < 1:
        raise usage_error("--max-new-tokens: must be at least 1")
    if args.dataset == "synthetic":
        from arc_ttt.domain.synthetic import generate_tasks  # noqa: PLC0415

        tasks = generate_tasks(args.limit or 20, seed=VALIDATION_SEED + 1)
        return tasks if not args.tasks else [t for t in tasks if t.id in args.tasks.split(",")]
    return list(chosen_tasks(args, container))


def existing_file(path: str, what: str, usage_error: type[Exception]) -> Path:
    p = Path(path)
    if not p.exists():
        raise usage_error(f"{what}: {path!r} does not exist")
    if not p.is_file():
        raise usage_error(f"{what}: {path!r} is not a file")
    return p


def existing_dir(path: str, what: str, usage_error: type[Exception]) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise usage_error(f"{what}: {path!r} does not exist")
    if not p.is_dir():
        raise usage_error(f"{what}: {path!r} is not a folder")
    return p


def emit(args: argparse.Namespace, record: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(record, indent=2, default=str))
    else:
        for line in lines:
            print(line)


def module_for_export(
    model: str, adapter: Path | None, container: Any, usage_error: type[Exception]
) -> tuple[Any, str | None]:
    """The torch module behind ``--model`` (default, builtin or a folder) and ``--adapter``."""
    folder = container.embedded_model_folder() if model == "default" else None
    if model in ("default", "builtin") and folder is None:
        if adapter is not None:
            raise usage_error("--adapter needs a saved base model: --model FOLDER")
        if model == "default":
            print(
                "arc-ttt: warning: no default model is embedded; exporting an untrained one",
                file=sys.stderr,
            )
        return container.untrained_decoder(), None
    if folder is None:
        folder = existing_dir(model, "--model", usage_error)
    return container.load_for_export(folder, adapter)
