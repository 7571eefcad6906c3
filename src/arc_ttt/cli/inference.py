"""``arc-ttt infer`` (greedy answers with either engine, latency report) and
``arc-ttt compare-models`` (several models on the same tasks)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from arc_ttt.cli.model_args import emit, existing_file, module_for_export, tasks_for
from arc_ttt.domain.codec import encode_task
from arc_ttt.domain.task import Task

# --- infer ---------------------------------------------------------------------------------


def infer(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    model = existing_file(args.model, "MODEL.onnx", usage_error)
    if args.threads is not None and args.threads < 1:
        raise usage_error("--threads: must be at least 1")
    providers = args.providers or container.settings().inference.providers
    try:
        container.check_providers(providers)
    except ValueError as e:
        raise usage_error(f"--providers: {e}") from e
    profile = None
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        profile = str(Path(args.profile) / "ort_profile")
    tasks = tasks_for(args, container, usage_error)
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


def compare(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
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
    tasks = tasks_for(args, container, usage_error)
    probe = container.memory()
    table = []
    for path in paths:
        before = probe.current_bytes()
        with container.resource_sampler(interval=0.05) as sampler:
            if str(path) in ("default", "builtin"):
                module, _ = module_for_export(str(path), None, container, usage_error)
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
    emit(args, {"models": table}, lines)
    return 0


# --- shared --------------------------------------------------------------------------------
