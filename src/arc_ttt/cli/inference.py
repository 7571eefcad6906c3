"""``arc-ttt infer`` (greedy answers with either engine, latency report) and
``arc-ttt compare-models`` (several models on the same tasks)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.cli.invocation import global_options, run
from arc_ttt.cli.model_args import (
    emit,
    existing_file,
    model_task_options,
    module_for_export,
    tasks_for,
)
from arc_ttt.cli.options import examples, json_option
from arc_ttt.cli.tables import print_table
from arc_ttt.domain.codec import encode_task
from arc_ttt.domain.task import Task


@click.command(
    "infer",
    short_help="greedy answers for a dataset's test inputs from an ONNX model",
    help=(
        "Predict every test input of the chosen tasks with ONNX Runtime (greedy, KV cache); "
        "print right/wrong where solutions are known, and latency statistics."
    ),
    epilog=examples("example: arc-ttt infer tiny-int8.onnx --dataset arc-agi-1/training --limit 5"),
)
@click.argument("model", metavar="MODEL.onnx")
@model_task_options()
@click.option("--stream", is_flag=True, help="print each output row as decoded")
@click.option("--providers", metavar="LIST", help="auto | cuda,cpu | cpu (default auto)")
@click.option("--threads", type=int, metavar="N", help="ONNX Runtime intra-op threads")
@click.option("--profile", metavar="DIR", help="write an ONNX Runtime profile trace here")
@json_option("print the results as JSON on stdout")
@global_options
@click.pass_context
def infer_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, infer, params)


@click.command(
    "compare-models",
    short_help="accuracy, latency, throughput, memory and size of models side by side",
    help=(
        "Run the same greedy predictions with each MODEL and print them side by side. A MODEL "
        "is an .onnx file (run through ONNX Runtime), a model folder, 'default' (the embedded "
        "model) or 'builtin' (untrained), as export takes them (run through torch)."
    ),
    epilog=examples(
        "example: arc-ttt compare-models runs/tiny tiny.onnx tiny-int8.onnx --limit 20"
    ),
)
@click.argument("models", nargs=-1, required=True, metavar="MODEL...")
@model_task_options(default_dataset="synthetic")
@click.option("--threads", type=int, metavar="N", help="threads for every engine")
@json_option("print the table as JSON on stdout")
@global_options
@click.pass_context
def compare_models_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, compare, params)


def infer(args: SimpleNamespace, container: Any) -> int:
    model = existing_file(args.model, "MODEL.onnx")
    if args.threads is not None and args.threads < 1:
        raise click.UsageError("--threads: must be at least 1")
    providers = args.providers or container.settings().inference.providers
    try:
        container.check_providers(providers)
    except ValueError as e:
        raise click.UsageError(f"--providers: {e}") from e
    profile = None
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        profile = str(Path(args.profile) / "ort_profile")
    tasks = tasks_for(args, container)
    engine = container.onnx_engine(
        model, providers=providers, threads=args.threads, profile=profile
    )
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
    emit(args, record, lines)
    return 0


def engine_profile(engine: Any) -> str | None:
    """End ONNX Runtime profiling on the engine's session; the trace file's path."""
    session = getattr(engine.model, "session", None)
    return str(session.end_profiling()) if session is not None else None


def _predict_tasks(
    engine: Any, tasks: Sequence[Task], args: SimpleNamespace
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


def compare(args: SimpleNamespace, container: Any) -> int:
    paths = []
    for m in args.models:
        p = Path(m)
        if m in ("default", "builtin"):
            paths.append(p)  # as export takes them: the embedded model, or an untrained one
            continue
        if not p.exists():
            raise click.UsageError(f"MODEL: {m!r} does not exist")
        if p.is_file() and p.suffix != ".onnx":
            raise click.UsageError(f"MODEL: {m!r} is neither an .onnx file nor a model folder")
        paths.append(p)
    tasks = tasks_for(args, container)
    probe = container.memory()
    table = []
    for path in paths:
        before = probe.current_bytes()
        with container.resource_sampler(interval=0.05) as sampler:
            if str(path) in ("default", "builtin"):
                module, _ = module_for_export(str(path), None, container)
                engine = container.torch_engine(module, name=str(path))
                size = sum(t.numel() * t.element_size() for t in module.state_dict().values())
            elif path.is_file():
                engine = container.onnx_engine(path, threads=args.threads, name=path.name)
                size = path.stat().st_size
            else:
                engine = container.torch_engine(container.saved_decoder(path), name=path.name)
                size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
            try:
                engine.warmup()
                rows = list(
                    _predict_tasks(
                        engine,
                        tasks,
                        SimpleNamespace(**{**vars(args), "stream": False, "json": True}),
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
    if args.json:
        emit(args, {"models": table}, [])
        return 0
    print_table(
        ("model", "engine", "right", "p50 ms", "p95 ms", "tok/s", "peak MB", "size MB"),
        [
            (
                Path(r["model"]).name,
                r["engine"],
                f"{r['right']}/{r['inputs']}",
                f"{r['p50_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                f"{r['tokens_per_second']:,.0f}",
                f"{r['peak_rss_growth_bytes'] / 1e6:.1f}",
                f"{r['size_bytes'] / 1e6:.2f}",
            )
            for r in table
        ],
        right=(2, 3, 4, 5, 6, 7),
    )
    return 0
