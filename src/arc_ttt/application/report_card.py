"""One task's card in the run report, as data for the ``task_card`` template macro
(``templates/macros.html.j2``): demonstrations, test inputs, attempts marked right or wrong.

Plain values only; the template escapes every string (autoescape), so nothing here builds HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from arc_ttt.domain.grid import Grid
from arc_ttt.domain.past_run import PastTask
from arc_ttt.domain.task import Task


def task_card(
    task_id: str,
    n: int,
    result: PastTask | None,
    task: Task | None,
    unavailable: str,
) -> dict[str, Any]:
    """Task ``n``'s card; ``unavailable`` says why demonstrations are missing when ``task`` is."""
    demos = None
    if task is not None:
        demos = [
            (_figure(ex.input, f"demo {i} input"), _figure(ex.output, f"demo {i} output"))
            for i, ex in enumerate(task.train, start=1)
        ]
    changed = None
    if task is not None and result is not None and len(task.test_inputs) != len(result.attempts):
        changed = (
            f"The dataset's task has {len(task.test_inputs)} test input(s) but the run "
            f"answered {len(result.attempts)}: the dataset changed since the run."
        )
    return {
        "n": n,
        "task_id": task_id,
        "status": _status(result),
        "score": "no result" if result is None else score_text(result.score),
        "timing": None if result is None else _timing(result),
        "degradations": [] if result is None else list(result.degradations),
        "demos": demos,
        "unavailable": unavailable,
        "changed": changed,
        "tests": list(_tests(result, task)),
    }


def _tests(result: PastTask | None, task: Task | None) -> Iterable[dict[str, Any]]:
    inputs = task.test_inputs if task is not None else ()
    expected = task.test_outputs if task is not None and task.test_outputs is not None else ()
    attempts = result.attempts if result is not None else ()
    for i in range(max(len(inputs), len(attempts))):
        figures = []
        if i < len(inputs):
            figures.append(_figure(inputs[i], "input"))
        want = expected[i] if i < len(expected) else None
        if want is not None:
            figures.append(_figure(want, "expected output"))
        recorded = None
        if result is not None and result.correct is not None and i < len(result.correct):
            recorded = result.correct[i]
        proofs = result.provenance[i] if result is not None and i < len(result.provenance) else ()
        verdict = None
        if i < len(attempts):
            for k, grid in enumerate(attempts[i], start=1):
                proof = proofs[k - 1] if k - 1 < len(proofs) else ()
                figures.append(
                    _figure(grid, f"attempt {k}", _mark(grid, want, recorded), _proof_text(proof))
                )
            verdict = _verdict(attempts[i], want, recorded)
        yield {"number": i + 1, "figures": figures, "verdict": verdict}


def _mark(grid: Grid, want: Grid | None, recorded: bool | None) -> str | None:
    if want is not None:
        return "right" if grid == want else "wrong"
    if recorded is False:
        return "wrong"  # neither attempt was right
    return None  # right or wrong cannot be told apart without the expected output


def _verdict(pair: tuple[Grid, Grid], want: Grid | None, recorded: bool | None) -> dict[str, str]:
    """The line under a test input's attempts: its CSS class and text."""
    if want is not None:
        hit = want in pair
        text = "solved" if hit else "not solved"
        if recorded is not None and recorded != hit:
            text += (
                " by the dataset's expected output, but the run recorded it "
                f"{'solved' if recorded else 'not solved'}: the dataset changed since the run"
            )
        return {"cls": f"mark-{'right' if hit else 'wrong'}", "text": text}
    if recorded is None:
        return {"cls": "muted", "text": "Expected output unknown: attempts not scored."}
    if recorded:
        return {
            "cls": "mark-right",
            "text": "solved (the expected output is unavailable, so which attempt was right "
            "is not shown)",
        }
    return {"cls": "mark-wrong", "text": "not solved"}


def _timing(t: PastTask) -> str:
    bits = [f"{seconds_text(t.seconds)} in all", f"{seconds_text(t.train_seconds)} training"]
    bits.append(f"{t.train_steps} steps, {t.tokens_trained:,} tokens")
    if t.stopped_because:
        bits.append(f"stopped: {t.stopped_because}")
    if t.from_cache:
        bits.append("from cache")
    if t.invalid_generations:
        bits.append(f"{t.invalid_generations} invalid generations")
    if t.peak_memory_bytes:
        bits.append(f"peak {bytes_text(t.peak_memory_bytes)}")
    return " · ".join(bits)


def _figure(grid: Grid, caption: str, mark: str | None = None, proof: str = "") -> dict[str, Any]:
    return {
        "caption": caption,
        "mark": mark,
        "label": f"{caption}: {mark}" if mark else caption,
        "height": grid.height,
        "width": grid.width,
        "rows": grid.to_lists(),
        "proof": proof,
    }


def _proof_text(proposers: Iterable[Mapping[str, Any]]) -> str:
    """Who proposed an attempt: ``search: crop | rot90 (exact)``, ``neural: 3 of 4 views``..."""
    parts = []
    for p in proposers:
        source = str(p.get("source", "?"))
        if "program" in p and p.get("program") is not None:
            kind = f" ({p['kind']})" if p.get("kind") else ""
            parts.append(f"{source}: {p['program']}{kind}")
        elif "views" in p:
            parts.append(f"{source}: {p.get('votes', '?')} of {p['views']} views")
        elif source == "file":
            parts.append(f"file {p.get('file', '')}, rank {p.get('rank', '?')}")
        else:
            parts.append(source)
    return "; ".join(parts)


def _status(result: PastTask | None) -> str:
    if result is None:
        return "missing"
    if result.score is None:
        return "unscored"
    return "solved" if result.score == 1.0 else "unsolved"


def score_text(score: float | None) -> str:
    """``score 0.50``, or ``score unknown`` when the solutions were not known."""
    return "score unknown" if score is None else f"score {score:.2f}"


def seconds_text(s: float) -> str:
    """Seconds with 2 decimals below 10 s (cached tasks take milliseconds), else 1."""
    return f"{s:.1f} s" if s >= 10 else f"{s:.2f} s"


def bytes_text(n: int) -> str:
    """Bytes in MiB, or GiB from 1 GiB up."""
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"
