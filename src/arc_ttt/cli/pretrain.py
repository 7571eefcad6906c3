"""``arc-ttt pretrain``: train the built-in model from scratch on ARC training tasks and synthetic
ones (never on evaluation tasks), resumable, into a model folder that ``solve --model`` loads."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.application.pretrain_data import SOURCES
from arc_ttt.cli.invocation import global_options, run
from arc_ttt.cli.options import examples
from arc_ttt.cli.process_clock import command_age
from arc_ttt.cli.solve import settings_from_flags
from arc_ttt.ports.stop_signal import StopSignal

EXAMPLE = examples(
    "example (then the same command with --resume):",
    "  arc-ttt pretrain --out runs/pretrained --data arc1-train,arc2-train,synthetic "
    "--steps 20000 --checkpoint-store s3://bucket/pretrain",
)
STATE_KEY = "pretrain"

# flag (click parameter name) -> (settings section, field); builds settings and names a bad flag.
FLAGS: dict[str, tuple[str | None, str]] = {
    "data": ("pretrain", "data"),
    "synthetic_tasks": ("pretrain", "synthetic_tasks"),
    "steps": ("pretrain", "steps"),
    "minutes": ("pretrain", "minutes"),
    "d_model": ("model", "d_model"),
    "layers": ("model", "layers"),
    "heads": ("model", "heads"),
    "threads": ("model", "threads"),
    "precision": ("model", "precision"),
    "batch_size": ("pretrain", "batch_size"),
    "grad_accumulation": ("pretrain", "grad_accumulation"),
    "lr": ("pretrain", "learning_rate"),
    "warmup": ("pretrain", "warmup_steps"),
    "weight_decay": ("pretrain", "weight_decay"),
    "max_tokens": ("pretrain", "max_tokens"),
    "val_fraction": ("pretrain", "val_fraction"),
    "eval_every": ("pretrain", "eval_every"),
    "patience": ("pretrain", "patience"),
    "min_delta": ("pretrain", "min_delta"),
    "log_every": ("pretrain", "log_every"),
    "save_every": ("pretrain", "save_every"),
    "gradient_checkpointing": ("pretrain", "gradient_checkpointing"),
    "seed": (None, "seed"),
}


@click.command(
    "pretrain",
    short_help="pretrain the built-in model (resumable) into a model folder",
    help="Train the built-in decoder from scratch on ARC-AGI training tasks (minus every task "
    "that also appears in an evaluation set) and synthetic tasks, as augmented leave-one-out "
    "sequences; validate on held-out tasks; save resumable states.",
    epilog=EXAMPLE,
)
@click.option("--out", required=True, metavar="MODEL_DIR", help="model folder to write")
@click.option(
    "--data",
    metavar="LIST",
    help=f"comma-separated sources: {', '.join(SOURCES)} (default: all three)",
)
@click.option("--synthetic-tasks", type=int, metavar="N", help="generated tasks (1000)")
@click.option("--steps", type=int, metavar="N", help="optimizer steps; cosine ends here (20000)")
@click.option("--minutes", type=float, metavar="M", help="time cap; the state is saved")
@click.option("--d-model", type=int, metavar="D", help="model width (128)")
@click.option("--layers", type=int, metavar="L", help="decoder layers (4)")
@click.option("--heads", type=int, metavar="H", help="attention heads (4)")
@click.option("--threads", type=int, metavar="N", help="torch CPU threads")
@click.option(
    "--precision",
    type=click.Choice(["auto", "fp32", "bf16"]),
    help="auto: bf16 on a GPU that has it",
)
@click.option("--batch-size", type=int, metavar="N", help="sequences per micro-batch (16)")
@click.option("--grad-accumulation", type=int, metavar="K", help="micro-batches per step (1)")
@click.option("--lr", type=float, metavar="LR", help="peak learning rate (1e-3)")
@click.option("--warmup", type=int, metavar="N", help="linear warmup steps (200)")
@click.option("--weight-decay", type=float, metavar="W", help="AdamW weight decay (0.01)")
@click.option("--max-tokens", type=int, metavar="N", help="longer sequences are left out (8192)")
@click.option("--val-fraction", type=float, metavar="F", help="tasks held out per source (0.05)")
@click.option("--eval-every", type=int, metavar="N", help="steps between validations (500)")
@click.option(
    "--patience", type=int, metavar="N", help="validations without improvement (5; 0: never)"
)
@click.option("--min-delta", type=float, metavar="X", help="smallest gain that counts (0)")
@click.option("--log-every", type=int, metavar="N", help="steps between progress lines (10)")
@click.option(
    "--checkpoint-store",
    metavar="URL",
    help="folder, file://PATH or s3://BUCKET/PREFIX for training states "
    "(default: MODEL_DIR/checkpoints)",
)
@click.option("--endpoint-url", metavar="URL", help="S3 endpoint (or AWS_ENDPOINT_URL)")
@click.option("--save-every", type=int, metavar="N", help="steps between saved states (500)")
@click.option(
    "--resume",
    is_flag=True,
    help="continue the state in the checkpoint store (same flags as the first run)",
)
@click.option(
    "--gradient-checkpointing",
    is_flag=True,
    default=None,
    help="recompute activations in backward: less memory, more time",
)
@click.option("--seed", type=int, metavar="S", help="seed of data, split, weights, order (0)")
@click.option("--json", is_flag=True, help="print the manifest as JSON on stdout")
@click.option("-q", "--quiet", is_flag=True, help="no progress lines")
@global_options
@click.pass_context
def pretrain_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, pretrain, params)


def settings_from(args: SimpleNamespace) -> Any:
    """Settings from the flags (environment and defaults below them); a bad value raises
    a usage error naming its flag."""

    fixed = {}
    if args.data is not None:
        data = [s.strip() for s in args.data.split(",") if s.strip()]
        unknown = [s for s in data if s not in SOURCES]
        if unknown or not data:
            raise click.UsageError(
                f"--data: unknown source(s) {', '.join(map(repr, unknown)) or '(none)'}; use "
                f"{', '.join(SOURCES)} (evaluation sets are never pretraining data)"
            )
        if len(set(data)) != len(data):
            raise click.UsageError(f"--data: a source is listed twice in {args.data!r}")
        fixed[FLAGS["data"]] = ("data", data)
    flags = {flag: where for flag, where in FLAGS.items() if flag != "data"}
    return settings_from_flags(args, flags, fixed=fixed)


def pretrain(args: SimpleNamespace, container: Any) -> int:
    """Run ``arc-ttt pretrain`` with the process's ``container``; usage problems raise a usage
    error (exit 2)."""
    from arc_ttt.application.pretrain import Pretraining, PretrainRequest  # noqa: PLC0415
    from arc_ttt.application.pretrain_data import gather_data  # noqa: PLC0415
    from arc_ttt.container import pretrain_options, pretrain_plan, use_settings  # noqa: PLC0415
    from arc_ttt.domain.checkpoint_policy import SaveSchedule  # noqa: PLC0415
    from arc_ttt.domain.errors import (  # noqa: PLC0415
        CheckpointMismatchError,
        InvalidStoreUrlError,
        ModelConfigError,
    )
    from arc_ttt.domain.pretraining import PretrainDataError, PretrainStateError  # noqa: PLC0415
    from arc_ttt.ports.pretrainer import StateCheckpoints  # noqa: PLC0415

    stop = container.stop_requested()  # SIGINT/SIGTERM during the run
    settings = settings_from(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise click.UsageError(f"--out: {args.out!r} exists and is not a folder")
    store_url = args.checkpoint_store or str(out / "checkpoints")
    try:
        store = container.open_store(store_url, endpoint_url=args.endpoint_url)
    except InvalidStoreUrlError as e:
        raise click.UsageError(f"--checkpoint-store: {e}") from e
    use_settings(container, settings)
    try:
        pretrainer = container.pretrainer()
    except ModelConfigError as e:
        raise click.UsageError(f"--d-model/--layers/--heads: {e}") from e
    data = gather_data(container.catalog(), pretrain_plan(settings))
    options, corpus = pretrain_options(settings)
    main = pretrainer.is_main_process  # under accelerate launch, only the main process speaks
    say = None if args.quiet or not main else _stderr
    if say is not None:
        model = pretrainer.describe()
        processes = model.get("processes", 1)
        where = f"{model['device']}" + (f" x {processes} processes" if processes != 1 else "")
        say(
            f"pretraining {model['d_model']}x{model['n_layers']} ({model['parameters']:,} "
            f"parameters, {where}) on {len(data.train)} tasks, validating on "
            f"{len(data.validation)}; {data.excluded} tasks left out as evaluation copies; "
            f"states in {store_url}"
        )
    use_case = Pretraining(
        pretrainer,
        container.training_log(out),
        say=say,
        observe=container.pretrain_observer(),
        stop_requested=stop,
    )
    request = PretrainRequest(
        options,
        corpus,
        resume=args.resume,
        provenance=container.provenance(),
        spent_seconds=command_age(),  # --minutes counts from the process's start
    )
    checkpoints = StateCheckpoints(
        store, STATE_KEY, SaveSchedule(every_steps=settings.pretrain.save_every)
    )
    try:
        with stop.installed():
            manifest = use_case.run(data, request, checkpoints, out)
    except PretrainStateError as e:
        hint = "drop --resume" if args.resume else "add --resume to continue it"
        raise click.UsageError(f"--checkpoint-store {store_url}: {e} ({hint})") from e
    except PretrainDataError as e:
        raise click.UsageError(f"--data/--max-tokens/--val-fraction: {e}") from e
    except CheckpointMismatchError as e:
        raise click.UsageError(f"--resume: {e}") from e
    if not main:
        return 128 + stop.number if stop.number else 0
    return _report(manifest, out, args, stop)


def _report(manifest: dict[str, Any], out: Path, args: SimpleNamespace, stop: StopSignal) -> int:
    result = manifest["result"]
    if args.json:
        print(json.dumps({"model_dir": str(out), **manifest}, indent=2))
    else:
        val = result["val_loss_best"]
        print(
            f"pretrained {result['steps']} steps ({result['stopped_because']}) in "
            f"{result['seconds']:.0f}s, {result['tokens_per_second'] or 0:,} tokens/s: train loss "
            f"{_num(result['train_loss_first'])} -> {_num(result['train_loss_last'])}"
            + ("" if val is None else f", best validation {val:.4f} (step {result['model_step']})")
        )
        print(f"model: {out} (manifest.json, metrics.jsonl)")
    if result["stopped_because"] in ("time", "interrupted"):
        print(
            f"arc-ttt: stopped by {'the time cap' if stop.number == 0 else stop.name} at step "
            f"{result['steps']}; continue with the same command and --resume",
            file=sys.stderr,
        )
    return 128 + stop.number if stop.number else 0


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
