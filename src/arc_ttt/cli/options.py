"""Options several commands share, as click decorators: the dataset, the tasks, the solver's
flags and the output mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
SOURCE_NAMES = ("search", "neural", "file")
DATASET_HELP = "bundled name, task folder or JSON file"


def examples(*lines: str) -> str:
    """A help epilog of command lines that click prints as written, one per line (``\\b`` stops
    its rewrapping), so a shown command can be copied whole."""
    return "\b\n" + "\n".join(lines)


def _stack(f: F, *decorators: Callable[[F], F]) -> F:
    """Apply ``decorators`` so that ``--help`` lists them in the order given."""
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def dataset_options(help_text: str = DATASET_HELP) -> Callable[[F], F]:
    """``--dataset D`` and ``--solutions FILE``."""

    def decorate(f: F) -> F:
        return _stack(
            f,
            click.option("--dataset", metavar="D", help=help_text),
            click.option(
                "--solutions", metavar="FILE", help="Kaggle solutions file for a challenges file"
            ),
        )

    return decorate


def task_options(f: F) -> F:
    """``--tasks ID,ID`` or ``--limit N`` (one of them; ``exclusive`` checks)."""
    return _stack(
        f,
        click.option("--tasks", metavar="ID,ID", help="only these task ids (comma-separated)"),
        click.option("--limit", type=int, metavar="N", help="only the first N tasks (by id)"),
    )


def json_option(help_text: str = "print JSON on stdout") -> Callable[[F], F]:
    return click.option("--json", is_flag=True, help=help_text)


def output_options(f: F) -> F:
    """``--json`` and ``-q/--quiet``."""
    return _stack(
        f,
        json_option("print the run's metrics as JSON on stdout"),
        click.option("-q", "--quiet", is_flag=True, help="print only errors and the final result"),
    )


def _source_list(
    ctx: click.Context, param: click.Parameter, text: str | None
) -> tuple[str, ...] | None:
    """``--sources search,neural``: names from ``SOURCE_NAMES``, each once."""
    if text is None:
        return None
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    bad = [n for n in names if n not in SOURCE_NAMES]
    if not names or bad:
        raise click.BadParameter(
            f"{text!r}: a comma-separated list of {', '.join(SOURCE_NAMES)}", ctx, param
        )
    if len(set(names)) != len(names):
        raise click.BadParameter(f"{text!r}: name each source once", ctx, param)
    return names


def solver_options(f: F) -> F:
    """``--sources --candidates --cache-store --model --format --ttt --method --steps --views
    --strategy --engine`` (all of ``solve.SOLVER_FLAGS``)."""
    return _stack(
        f,
        click.option(
            "--sources",
            callback=_source_list,
            metavar="S,S",
            help="candidate sources in the order they run: search, neural, file (default "
            "search,neural: program search first, test-time training only for tasks without an "
            "exact-fit program)",
        ),
        click.option(
            "--candidates",
            metavar="FILE",
            help="another solver's candidates (submission.json or arc_ttt.candidates/1, see "
            "docs/search.md); adds the file source",
        ),
        click.option(
            "--cache-store",
            metavar="URL",
            help="where each task's candidates and adapters are kept so a stopped run resumes: "
            "a folder, file://PATH or s3://BUCKET/PREFIX (S3 endpoint from AWS_ENDPOINT_URL; "
            "default RUN/cache)",
        ),
        click.option("--model", metavar="PATH", help="default | builtin | a local model folder"),
        click.option(
            "--format",
            type=click.Choice(["auto", "arc_ttt", "architects", "marc", "nvarc"]),
            help="prompt format of a --model folder (auto: its arc_ttt_format.json, else told "
            "from its tokenizer; docs/models.md)",
        ),
        click.option(
            "--ttt",
            type=click.Choice(["per-task", "shared", "none"]),
            help="test-time training: per task, one model shared by all tasks, or none",
        ),
        click.option(
            "--method",
            type=click.Choice(["auto", "lora", "full"]),
            help="LoRA adapters or full fine-tuning (auto: full for the built-in model, else LoRA)",
        ),
        click.option(
            "--steps", type=int, metavar="N", help="optimizer steps of test-time training per task"
        ),
        click.option("--views", type=int, metavar="K", help="augmented views per test input"),
        click.option("--strategy", type=click.Choice(["greedy", "dfs"]), help="decoding strategy"),
        click.option(
            "--engine",
            type=click.Choice(["torch", "onnx"]),
            help="decode with torch or ONNX Runtime (built-in model; training stays torch)",
        ),
    )
