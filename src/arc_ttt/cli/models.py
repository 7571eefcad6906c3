"""``arc-ttt export|optimize``: ONNX export with validation, and ONNX Runtime variants
(``inference``: infer and compare-models).

Each command prints its validation or latency report; ``--json`` prints it as JSON instead. A
bad path or flag is a usage error (exit 2); a model that fails validation exits 1.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.cli.invocation import exclusive, global_options, run
from arc_ttt.cli.model_args import (
    VALIDATION_SEED,
    emit,
    existing_dir,
    existing_file,
    module_for_export,
)
from arc_ttt.cli.options import examples, json_option
from arc_ttt.domain.codec import Encoded, encode_task

VALIDATION_PROMPTS = 20
CALIBRATION_SEED = VALIDATION_SEED + 2  # not the validation prompts, not pretraining's


@click.command(
    "export",
    short_help="export the built-in model (LoRA adapter merged) to ONNX and validate it",
    help=(
        "Export a built-in decoder to one ONNX graph with a KV cache (dynamic batch, sequence "
        "and past axes), then check it against torch: ONNX checker, signature, logits within "
        "1e-4 on 20 prompts, identical greedy answers."
    ),
    epilog=examples(
        "example: arc-ttt export --model runs/tiny --out tiny.onnx --bundle tiny-bundle"
    ),
)
@click.option("--model", default="default", metavar="PATH", help="default | builtin | folder")
@click.option("--adapter", metavar="DIR", help="a peft LoRA adapter folder to merge first")
@click.option("--out", required=True, metavar="FILE", help="the .onnx file to write")
@click.option("--opset", type=int, metavar="N", help="ONNX opset (default 18; 18..21)")
@click.option("--bundle", metavar="DIR", help="also write a deployable folder here")
@click.option("--no-validate", is_flag=True, help="skip the comparison with torch (not advised)")
@json_option("print the report as JSON on stdout")
@global_options
@click.pass_context
def export_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, export, params)


@click.command(
    "optimize",
    short_help="ONNX Runtime graph optimization, int8 quantization or fp16 of an export",
    help=(
        "Write an optimized (default), int8 (dynamic quantization), static int8 (calibrated "
        "activations, QDQ) or fp16 variant of an arc-ttt export, report sizes, and compare it "
        "with the source export."
    ),
    epilog=examples("example: arc-ttt optimize tiny.onnx --quantize int8 --out tiny-int8.onnx"),
)
@click.argument("model", metavar="MODEL.onnx")
@click.option(
    "--quantize",
    type=click.Choice(["int8", "static"]),
    help="int8: dynamic int8 quantization; static: int8 weights and activations, ranges "
    "calibrated on --calibration",
)
@click.option(
    "--calibration",
    metavar="D",
    default="synthetic",
    help="tasks whose prompts calibrate --quantize static: a dataset, or 'synthetic' (default; "
    "generated tasks of a seed kept for calibration)",
)
@click.option(
    "--calibration-limit",
    type=int,
    default=16,
    metavar="N",
    help="calibration prompts (default 16)",
)
@click.option("--fp16", is_flag=True, help="float16 weights (for GPUs)")
@click.option("--out", metavar="FILE", help="default: MODEL-<variant>.onnx beside it")
@json_option("print the report as JSON on stdout")
@global_options
@click.pass_context
def optimize_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, optimize, params)


# --- export -------------------------------------------------------------------------------


def export(args: SimpleNamespace, container: Any) -> int:
    out = Path(args.out)
    if out.suffix != ".onnx":
        raise click.UsageError(f"--out: {args.out!r} must end in .onnx")
    if not out.resolve().parent.is_dir():
        raise click.UsageError(f"--out: folder {str(out.parent)!r} does not exist")
    lowest, default, highest = container.opsets()
    opset = default if args.opset is None else args.opset
    if not lowest <= opset <= highest:
        raise click.UsageError(f"--opset: {opset} is outside the supported {lowest}..{highest}")
    adapter = existing_dir(args.adapter, "--adapter") if args.adapter else None
    module, source = module_for_export(args.model, adapter, container)
    report = container.export_decoder(module, out, source_sha256=source, opset=opset)
    record: dict[str, Any] = {
        "model": str(out.resolve()),
        "bytes": report.size_bytes,
        "opset": report.opset,
        "seconds": round(report.seconds, 2),
        "source_sha256": report.info.source_sha256,
    }
    lines = [
        f"exported {out} ({report.size_bytes / 1e6:.2f} MB, opset {opset}, {report.seconds:.1f}s)"
    ]
    ok = True
    if not args.no_validate:
        validation = container.validate_export(out, module, validation_prompts())
        ok = validation.ok
        record["validation"] = validation.to_json()
        lines += validation.lines()
    if args.bundle:
        bundle = write_bundle(Path(args.bundle), out, record, container)
        record["bundle"] = str(bundle.resolve())
        lines.append(f"bundle: {bundle}")
    emit(args, record, lines)
    return 0 if ok else 1


def calibration_prompts(args: SimpleNamespace, container: Any) -> list[Encoded]:
    """The prompts of ``--calibration`` (first test input of each task), ``--calibration-limit``
    of them; synthetic ones of their own seed, never the validation prompts'."""
    from arc_ttt.domain.synthetic import generate_tasks  # noqa: PLC0415

    if args.calibration_limit < 1:
        raise click.UsageError("--calibration-limit: must be at least 1")
    if args.calibration == "synthetic":
        tasks = generate_tasks(args.calibration_limit, seed=CALIBRATION_SEED)
    else:
        tasks = list(
            container.catalog().open(args.calibration).load().sample(args.calibration_limit)
        )
    return [encode_task(t)[0] for t in tasks]


def validation_prompts(n: int = VALIDATION_PROMPTS) -> list[Encoded]:
    """``n`` prompts from synthetic tasks of a seed kept for validation (sides 3..10)."""
    from arc_ttt.domain.synthetic import generate_tasks  # noqa: PLC0415

    return [encode_task(t)[0] for t in generate_tasks(n, seed=VALIDATION_SEED)]


BUNDLE_README = """# arc_ttt ONNX bundle

- `model.onnx`: the exported decoder (one graph, KV cache as inputs/outputs); its metadata holds
  the arc_ttt and codec versions, the model configuration and the source checkpoint's sha256.
- `export.json`: the export and validation report.
- `settings.json`: the settings it was exported under.

Run it (needs `pip install arc-ttt`, no torch GPU build needed):

    arc-ttt infer model.onnx --dataset arc-agi-1/evaluation --limit 5

Quantize it for CPU serving:

    arc-ttt optimize model.onnx --quantize int8 --out model-int8.onnx
"""


def write_bundle(folder: Path, model: Path, record: dict[str, Any], container: Any) -> Path:
    """A folder with the model, its report, the settings and a README with the command to run it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, folder / "model.onnx")
    (folder / "export.json").write_text(json.dumps(record, indent=2) + "\n")
    settings = container.settings().model_dump(mode="json")
    (folder / "settings.json").write_text(json.dumps(settings, indent=2) + "\n")
    (folder / "README.md").write_text(BUNDLE_README)
    return folder


# --- optimize ------------------------------------------------------------------------------


def optimize(args: SimpleNamespace, container: Any) -> int:
    exclusive(args, "quantize", "fp16")
    source = existing_file(args.model, "MODEL.onnx")
    variants = {"int8": "int8", "static": "int8-static"}
    variant = variants.get(args.quantize or "", "fp16" if args.fp16 else "optimized")
    target = Path(args.out) if args.out else source.with_name(f"{source.stem}-{variant}.onnx")
    if target.resolve() == source.resolve():
        raise click.UsageError("--out: must differ from MODEL.onnx")
    calibration = calibration_prompts(args, container) if variant == "int8-static" else []
    sizes = container.optimize_model(source, target, variant, calibration)
    tolerance = 1e-4 if variant == "optimized" else None
    validation = container.validate_optimized(target, source, validation_prompts(), tolerance)
    record = {
        "source": str(source),
        "model": str(target),
        "variant": variant,
        "bytes_before": sizes.bytes_before,
        "bytes_after": sizes.bytes_after,
        "ratio": round(sizes.ratio, 4),
        "validation": validation.to_json(),
    }
    emit(args, record, [sizes.line(), *validation.lines()])
    return 0 if validation.ok else 1
