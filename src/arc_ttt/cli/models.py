"""``arc-ttt export|optimize|infer|compare-models``: ONNX export with validation, ONNX Runtime
variants, and greedy inference from the shell with either engine.

Each command prints its validation or latency report; ``--json`` prints it as JSON instead. A
bad path or flag is a usage error (exit 2); a model that fails validation exits 1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from arc_ttt.domain.codec import Encoded, encode_task
from arc_ttt.domain.task import Task

COMMANDS = ("export", "optimize", "infer", "compare-models")
VALIDATION_PROMPTS = 20
VALIDATION_SEED = 4242  # synthetic tasks for validation; no test or pretraining uses this seed


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
        "infer": _infer,
        "compare-models": _compare,
    }
    return commands[args.command](args, container, usage_error)


# --- export -------------------------------------------------------------------------------


def _export(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    from arc_ttt.adapters.onnx.export import export_decoder  # noqa: PLC0415
    from arc_ttt.adapters.onnx.graph import DEFAULT_OPSET, MAX_OPSET, MIN_OPSET  # noqa: PLC0415
    from arc_ttt.adapters.onnx.validate import validate_export  # noqa: PLC0415

    out = Path(args.out)
    if out.suffix != ".onnx":
        raise usage_error(f"--out: {args.out!r} must end in .onnx")
    if not out.resolve().parent.is_dir():
        raise usage_error(f"--out: folder {str(out.parent)!r} does not exist")
    opset = DEFAULT_OPSET if args.opset is None else args.opset
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise usage_error(f"--opset: {opset} is outside the supported {MIN_OPSET}..{MAX_OPSET}")
    adapter = _existing_dir(args.adapter, "--adapter", usage_error) if args.adapter else None
    module, source = _module_for_export(args.model, adapter, container, usage_error)
    report = export_decoder(module, out, source_sha256=source, opset=opset)
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
        validation = validate_export(out, module, validation_prompts())
        ok = validation.ok
        record["validation"] = validation.to_json()
        lines += validation.lines()
    if args.bundle:
        bundle = write_bundle(Path(args.bundle), out, record, container)
        record["bundle"] = str(bundle.resolve())
        lines.append(f"bundle: {bundle}")
    _emit(args, record, lines)
    return 0 if ok else 1


def _module_for_export(
    model: str, adapter: Path | None, container: Any, usage_error: type[Exception]
) -> tuple[Any, str | None]:
    from arc_ttt.adapters.embedded_model import embedded_model_folder  # noqa: PLC0415
    from arc_ttt.adapters.onnx.export import load_for_export  # noqa: PLC0415
    from arc_ttt.adapters.torch.arc_decoder import ArcDecoder  # noqa: PLC0415
    from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig  # noqa: PLC0415

    folder = embedded_model_folder() if model == "default" else None
    if model in ("default", "builtin") and folder is None:
        if adapter is not None:
            raise usage_error("--adapter needs a saved base model: --model FOLDER")
        if model == "default":
            print(
                "arc-ttt: warning: no default model is embedded; exporting an untrained one",
                file=sys.stderr,
            )
        m = container.settings().model
        config = ArcDecoderConfig(d_model=m.d_model, n_layers=m.layers, n_heads=m.heads)
        return ArcDecoder.seeded(config, container.settings().seed), None
    if folder is None:
        folder = _existing_dir(model, "--model", usage_error)
    return load_for_export(folder, adapter)


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
    from arc_ttt.adapters.onnx.optimize import optimize  # noqa: PLC0415
    from arc_ttt.adapters.onnx.session import open_session  # noqa: PLC0415
    from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel  # noqa: PLC0415
    from arc_ttt.adapters.onnx.validate import validate_against  # noqa: PLC0415

    source = _existing_file(args.model, "MODEL.onnx", usage_error)
    variant = "int8" if args.quantize == "int8" else "fp16" if args.fp16 else "optimized"
    target = Path(args.out) if args.out else source.with_name(f"{source.stem}-{variant}.onnx")
    if target.resolve() == source.resolve():
        raise usage_error("--out: must differ from MODEL.onnx")
    sizes = optimize(source, target, variant)  # type: ignore[arg-type]
    session, info = open_session(source)
    reference = OnnxSymbolModel(session, info)
    tolerance = 1e-4 if variant == "optimized" else None
    validation = validate_against(
        target, reference, "fp32 onnx", validation_prompts(), tolerance=tolerance
    )
    record = {
        "source": str(source),
        "model": str(target),
        "variant": variant,
        "bytes_before": sizes.bytes_before,
        "bytes_after": sizes.bytes_after,
        "ratio": round(sizes.ratio, 4),
        "validation": validation.to_json(),
    }
    _emit(args, record, [sizes.line(), *validation.lines()])
    return 0 if validation.ok else 1


# --- infer ---------------------------------------------------------------------------------


def _infer(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    from arc_ttt.adapters.onnx.engine import onnx_engine  # noqa: PLC0415
    from arc_ttt.adapters.onnx.session import SessionOptions, choose_providers  # noqa: PLC0415

    model = _existing_file(args.model, "MODEL.onnx", usage_error)
    if args.threads is not None and args.threads < 1:
        raise usage_error("--threads: must be at least 1")
    providers = args.providers or container.settings().inference.providers
    try:
        choose_providers(providers)
    except ValueError as e:
        raise usage_error(f"--providers: {e}") from e
    profile = None
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        profile = str(Path(args.profile) / "ort_profile")
    options = SessionOptions(providers, args.threads, None, profile)
    tasks = _tasks(args, container, usage_error)
    engine = onnx_engine(model, options)
    try:
        engine.warmup()
        rows = list(_predict_tasks(engine, tasks, args))
        stats = engine.stats()
        trace = engine_profile(engine) if profile else None
    finally:
        engine.close()
    known = [r for r in rows if r["correct"] is not None]
    record: dict[str, Any] = {
        "model": str(model),
        "engine": engine.name,
        "inputs": len(rows),
        "correct": sum(1 for r in known if r["correct"]),
        "with_solutions": len(known),
        "latency": asdict(stats),
        "results": rows,
    }
    if trace:
        record["profile"] = trace
    lines = [
        f"{r['task']}[{r['test']}]: "
        + ("right" if r["correct"] else "wrong" if r["correct"] is not None else "?")
        + f"  {r['seconds'] * 1000:.0f} ms, {r['tokens']} tokens"
        for r in rows
    ]
    lines.append(
        f"{record['correct']}/{len(known)} right; latency p50 {stats.p50 * 1000:.1f} ms, "
        f"p95 {stats.p95 * 1000:.1f} ms, p99 {stats.p99 * 1000:.1f} ms; "
        f"{stats.tokens_per_second:,.0f} tokens/s"
    )
    if trace:
        lines.append(f"profile: {trace}")
    _emit(args, record, lines)
    return 0


def engine_profile(engine: Any) -> str | None:
    """End ONNX Runtime profiling on the engine's session; the trace file's path."""
    session = getattr(engine.model, "session", None)
    return str(session.end_profiling()) if session is not None else None


def _predict_tasks(
    engine: Any, tasks: Sequence[Task], args: argparse.Namespace
) -> Iterator[dict[str, Any]]:
    for task in tasks:
        for index in range(len(task.test_inputs)):
            prompt, _ = encode_task(task, index)
            expected = task.test_outputs[index] if task.test_outputs is not None else None
            start = time.perf_counter()
            if args.stream and not args.json:
                print(f"{task.id}[{index}]:", flush=True)
                rows = []
                for row in engine.stream(prompt, max_new_tokens=args.max_new_tokens):
                    print("  " + "".join(str(c) for c in row), flush=True)
                    rows.append(list(row))
                grid = rows or None
                tokens = sum(len(r) + 1 for r in rows)
            else:
                prediction = engine.predict([prompt], max_new_tokens=args.max_new_tokens)[0]
                found = prediction.grid
                grid = found.to_lists() if found is not None else None
                tokens = len(prediction.tokens)
            seconds = time.perf_counter() - start
            correct = None if expected is None else grid == expected.to_lists()
            yield {
                "task": task.id,
                "test": index,
                "grid": grid,
                "correct": correct,
                "tokens": tokens,
                "seconds": seconds,
            }


# --- compare-models ------------------------------------------------------------------------


def _compare(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    from arc_ttt.adapters.memory_probe import ProcessMemoryProbe  # noqa: PLC0415
    from arc_ttt.adapters.onnx.engine import onnx_engine  # noqa: PLC0415
    from arc_ttt.adapters.onnx.session import SessionOptions  # noqa: PLC0415
    from arc_ttt.adapters.resource_monitor import BackgroundSampler, SystemMonitor  # noqa: PLC0415
    from arc_ttt.adapters.torch.arc_decoder import ArcDecoder  # noqa: PLC0415
    from arc_ttt.adapters.torch.engine import torch_engine  # noqa: PLC0415

    paths = []
    for m in args.models:
        p = Path(m)
        if m in ("default", "builtin"):
            paths.append(p)  # as export takes them: the embedded model, or an untrained one
            continue
        if not p.exists():
            raise usage_error(f"MODEL: {m!r} does not exist")
        if p.is_file() and p.suffix != ".onnx":
            raise usage_error(f"MODEL: {m!r} is neither an .onnx file nor a model folder")
        paths.append(p)
    tasks = _tasks(args, container, usage_error)
    probe = ProcessMemoryProbe()
    table = []
    for path in paths:
        before = probe.current_bytes()
        with BackgroundSampler(SystemMonitor(), interval=0.05) as sampler:
            if str(path) in ("default", "builtin"):
                module, _ = _module_for_export(str(path), None, container, usage_error)
                engine = torch_engine(module, name=str(path))
                size = sum(t.numel() * t.element_size() for t in module.state_dict().values())
            elif path.is_file():
                engine = onnx_engine(path, SessionOptions("cpu", args.threads), name=path.name)
                size = path.stat().st_size
            else:
                engine = torch_engine(ArcDecoder.load(path), name=path.name)
                size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
            try:
                engine.warmup()
                rows = list(
                    _predict_tasks(
                        engine,
                        tasks,
                        argparse.Namespace(**{**vars(args), "stream": False, "json": True}),
                    )
                )
                stats = engine.stats()
            finally:
                engine.close()
        known = [r for r in rows if r["correct"] is not None]
        table.append(
            {
                "model": str(path),
                "engine": "onnxruntime" if path.is_file() else "torch",
                "right": sum(1 for r in known if r["correct"]),
                "inputs": len(known),
                "p50_ms": stats.p50 * 1000,
                "p95_ms": stats.p95 * 1000,
                "tokens_per_second": stats.tokens_per_second,
                "peak_rss_growth_bytes": max(0, sampler.peaks.rss_bytes - before),
                "size_bytes": size,
            }
        )
    lines = [
        f"{'model':<28}{'engine':<13}{'right':>8}{'p50 ms':>9}{'p95 ms':>9}{'tok/s':>9}"
        f"{'peak MB':>9}{'size MB':>9}"
    ]
    for r in table:
        lines.append(
            f"{Path(r['model']).name[:27]:<28}{r['engine']:<13}{r['right']:>4}/{r['inputs']:<3}"
            f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['tokens_per_second']:>9,.0f}"
            f"{r['peak_rss_growth_bytes'] / 1e6:>9.1f}{r['size_bytes'] / 1e6:>9.2f}"
        )
    _emit(args, {"models": table}, lines)
    return 0


# --- shared --------------------------------------------------------------------------------


def _tasks(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> list[Task]:
    if args.limit is not None and args.limit < 1:
        raise usage_error("--limit: must be at least 1")
    if args.max_new_tokens is not None and args.max_new_tokens < 1:
        raise usage_error("--max-new-tokens: must be at least 1")
    if args.dataset == "synthetic":
        from arc_ttt.domain.synthetic import generate_tasks  # noqa: PLC0415

        tasks = generate_tasks(args.limit or 20, seed=VALIDATION_SEED + 1)
        return tasks if not args.tasks else [t for t in tasks if t.id in args.tasks.split(",")]
    collection = container.catalog().open(args.dataset, args.solutions).load()
    for problem in collection.problems:
        print(f"arc-ttt: warning: skipped {problem}", file=sys.stderr)
    if args.tasks:
        collection = collection.select([t.strip() for t in args.tasks.split(",") if t.strip()])
    elif args.limit:
        collection = collection.sample(args.limit)
    return list(collection)


def _existing_file(path: str, what: str, usage_error: type[Exception]) -> Path:
    p = Path(path)
    if not p.exists():
        raise usage_error(f"{what}: {path!r} does not exist")
    if not p.is_file():
        raise usage_error(f"{what}: {path!r} is not a file")
    return p


def _existing_dir(path: str, what: str, usage_error: type[Exception]) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise usage_error(f"{what}: {path!r} does not exist")
    if not p.is_dir():
        raise usage_error(f"{what}: {path!r} is not a folder")
    return p


def _emit(args: argparse.Namespace, record: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(record, indent=2, default=str))
    else:
        for line in lines:
            print(line)
