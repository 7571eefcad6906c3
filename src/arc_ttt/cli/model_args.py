"""What the model commands share: checked paths, the tasks to run on, text or JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import click

from arc_ttt.cli.invocation import exclusive
from arc_ttt.cli.options import DATASET_HELP, task_options
from arc_ttt.cli.task_choice import chosen_tasks
from arc_ttt.domain.task import Task

VALIDATION_SEED = 4242  # synthetic tasks for validation; no test or pretraining uses this seed
F = TypeVar("F", bound=Callable[..., Any])


def model_task_options(default_dataset: str | None = None) -> Callable[[F], F]:
    """``--dataset`` (required unless it has a default), ``--solutions``, ``--tasks`` or
    ``--limit``, ``--max-new-tokens``: the tasks ``infer`` and ``compare-models`` predict."""

    def decorate(f: F) -> F:
        f = click.option(
            "--max-new-tokens", type=int, default=None, metavar="N", help="answer budget per input"
        )(f)
        f = task_options(f)
        f = click.option("--solutions", metavar="FILE", help="Kaggle solutions file")(f)
        if default_dataset is None:  # (click 8.4 ignores required=True beside default=None)
            return click.option("--dataset", required=True, metavar="D", help=DATASET_HELP)(f)
        return click.option(
            "--dataset",
            default=default_dataset,
            metavar="D",
            help=f"{DATASET_HELP}; '{default_dataset}': 20 generated tasks",
        )(f)

    return decorate


def tasks_for(args: SimpleNamespace, container: Any) -> list[Task]:
    exclusive(args, "tasks", "limit")
    if args.limit is not None and args.limit < 1:
        raise click.UsageError("--limit: must be at least 1")
    if args.max_new_tokens is not None and args.max_new_tokens < 1:
        raise click.UsageError("--max-new-tokens: must be at least 1")
    if args.dataset == "synthetic":
        from arc_ttt.domain.synthetic import generate_tasks  # noqa: PLC0415

        tasks = generate_tasks(args.limit or 20, seed=VALIDATION_SEED + 1)
        return tasks if not args.tasks else [t for t in tasks if t.id in args.tasks.split(",")]
    return list(chosen_tasks(args, container))


def existing_file(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise click.UsageError(f"{what}: {path!r} does not exist")
    if not p.is_file():
        raise click.UsageError(f"{what}: {path!r} is not a file")
    return p


def existing_dir(path: str, what: str) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise click.UsageError(f"{what}: {path!r} does not exist")
    if not p.is_dir():
        raise click.UsageError(f"{what}: {path!r} is not a folder")
    return p


def emit(args: SimpleNamespace, record: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(record, indent=2, default=str))
    else:
        for line in lines:
            print(line)


def module_for_export(model: str, adapter: Path | None, container: Any) -> tuple[Any, str | None]:
    """The torch module behind ``--model`` (default, builtin or a folder) and ``--adapter``."""
    folder = container.embedded_model_folder() if model == "default" else None
    if model in ("default", "builtin") and folder is None:
        if adapter is not None:
            raise click.UsageError("--adapter needs a saved base model: --model FOLDER")
        if model == "default":
            print(
                "arc-ttt: warning: no default model is embedded; exporting an untrained one",
                file=sys.stderr,
            )
        return container.untrained_decoder(), None
    if folder is None:
        folder = existing_dir(model, "--model")
    return container.load_for_export(folder, adapter)
