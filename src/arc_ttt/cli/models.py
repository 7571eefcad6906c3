"""``arc-ttt export|optimize|infer|compare-models``: ONNX export with validation, ONNX Runtime
variants, and greedy inference from the shell with either engine.

Each command prints its validation or latency report; ``--json`` prints it as JSON instead. A
bad path or flag is a usage error (exit 2); a model that fails validation exits 1.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from arc_ttt.cli import inference as cli_inference
from arc_ttt.cli.model_args import (
    VALIDATION_SEED,
    emit,
    existing_dir,
    existing_file,
    module_for_export,
)
from arc_ttt.domain.codec import Encoded, encode_task

COMMANDS = ("export", "optimize", "infer", "compare-models")
VALIDATION_PROMPTS = 20


def add_parser(sub: Any) -> None:
    """Register the ONNX commands on the CLI's subparsers."""
    e = sub.add_parser(
        "export",
        help="export the built-in model (LoRA adapter merged) to ONNX and validate it",
        description=(
            "Export a built-in decoder to one ONNX graph with a KV cache (dynamic batch, sequence "
            "and past axes), then check it against torch: ONNX checker, signature, logits within "
            "1e-4 on 20 prompts, identical greedy answers."
        ),
        epilog="example: arc-ttt export --model runs/tiny --out tiny.onnx --bundle tiny-bundle",
    )
    e.add_argument("--model", default="default", metavar="PATH", help="default | builtin | folder")
    e.add_argument("--adapter", metavar="DIR", help="a peft LoRA adapter folder to merge first")
    e.add_argument("--out", required=True, metavar="FILE", help="the .onnx file to write")
    e.add_argument("--opset", type=int, metavar="N", help="ONNX opset (default 18; 18..21)")
    e.add_argument("--bundle", metavar="DIR", help="also write a deployable folder here")
    e.add_argument(
        "--no-validate", action="store_true", help="skip the comparison with torch (not advised)"
    )
    e.add_argument("--json", action="store_true", help="print the report as JSON on stdout")

    o = sub.add_parser(
        "optimize",
        help="ONNX Runtime graph optimization, int8 quantization or fp16 of an export",
        description=(
            "Write an optimized (default), int8 (dynamic quantization) or fp16 variant of an "
            "arc-ttt export, report sizes, and compare it with the source export."
        ),
        epilog="example: arc-ttt optimize tiny.onnx --quantize int8 --out tiny-int8.onnx",
    )
    o.add_argument("model", metavar="MODEL.onnx")
    which = o.add_mutually_exclusive_group()
    which.add_argument("--quantize", choices=["int8"], help="dynamic int8 quantization")
    which.add_argument("--fp16", action="store_true", help="float16 weights (for GPUs)")
    o.add_argument("--out", metavar="FILE", help="default: MODEL-<variant>.onnx beside it")
    o.add_argument("--json", action="store_true", help="print the report as JSON on stdout")

    i = sub.add_parser(
        "infer",
        help="greedy answers for a dataset's test inputs from an ONNX model",
        description=(
            "Predict every test input of the chosen tasks with ONNX Runtime (greedy, KV cache); "
            "print right/wrong where solutions are known, and latency statistics."
        ),
        epilog="example: arc-ttt infer tiny-int8.onnx --dataset arc-agi-1/training --limit 5",
    )
    i.add_argument("model", metavar="MODEL.onnx")
    _add_tasks(i)
    i.add_argument("--stream", action="store_true", help="print each output row as decoded")
    i.add_argument("--providers", metavar="LIST", help="auto | cuda,cpu | cpu (default auto)")
    i.add_argument("--threads", type=int, metavar="N", help="ONNX Runtime intra-op threads")
    i.add_argument("--profile", metavar="DIR", help="write an ONNX Runtime profile trace here")
    i.add_argument("--json", action="store_true", help="print the results as JSON on stdout")

    c = sub.add_parser(
        "compare-models",
        help="accuracy, latency, throughput, memory and size of models side by side",
        description=(
            "Run the same greedy predictions with each model (an .onnx file through ONNX "
            "Runtime; a model folder, default or builtin through torch) and print them side by "
            "side."
        ),
        epilog="example: arc-ttt compare-models runs/tiny tiny.onnx tiny-int8.onnx --limit 20",
    )
    c.add_argument(
        "models",
        nargs="+",
        metavar="MODEL",
        help=".onnx files, model folders, 'default' (the embedded model) or 'builtin' "
        "(untrained), as export takes them",
    )
    _add_tasks(c, default_dataset="synthetic")
    c.add_argument("--threads", type=int, metavar="N", help="threads for every engine")
    c.add_argument("--json", action="store_true", help="print the table as JSON on stdout")


def _add_tasks(p: argparse.ArgumentParser, default_dataset: str | None = None) -> None:
    p.add_argument(
        "--dataset",
        required=default_dataset is None,
        default=default_dataset,
        metavar="D",
        help="bundled name, task folder or JSON file"
        + ("; 'synthetic': 20 generated tasks" if default_dataset else ""),
    )
    p.add_argument("--solutions", metavar="FILE", help="Kaggle solutions file")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--tasks", metavar="ID,ID", help="only these task ids")
    which.add_argument("--limit", type=int, metavar="N", help="only the first N tasks (by id)")
    p.add_argument(
        "--max-new-tokens", type=int, default=None, metavar="N", help="answer budget per input"
    )


def run(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    """Run one of ``COMMANDS``."""
    commands = {
        "export": _export,
        "optimize": _optimize,
        "infer": cli_inference.infer,
        "compare-models": cli_inference.compare,
    }
    return commands[args.command](args, container, usage_error)


# --- export -------------------------------------------------------------------------------


def _export(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:

    out = Path(args.out)
    if out.suffix != ".onnx":
        raise usage_error(f"--out: {args.out!r} must end in .onnx")
    if not out.resolve().parent.is_dir():
        raise usage_error(f"--out: folder {str(out.parent)!r} does not exist")
    lowest, default, highest = container.opsets()
    opset = default if args.opset is None else args.opset
    if not lowest <= opset <= highest:
        raise usage_error(f"--opset: {opset} is outside the supported {lowest}..{highest}")
    adapter = existing_dir(args.adapter, "--adapter", usage_error) if args.adapter else None
    module, source = module_for_export(args.model, adapter, container, usage_error)
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


def _optimize(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:

    source = existing_file(args.model, "MODEL.onnx", usage_error)
    variant = "int8" if args.quantize == "int8" else "fp16" if args.fp16 else "optimized"
    target = Path(args.out) if args.out else source.with_name(f"{source.stem}-{variant}.onnx")
    if target.resolve() == source.resolve():
        raise usage_error("--out: must differ from MODEL.onnx")
    sizes = container.optimize_model(source, target, variant)
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
