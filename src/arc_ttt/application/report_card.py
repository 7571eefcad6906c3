"""One task's card in the run report: demonstrations, test inputs, attempts marked right or wrong.

Pure HTML building; every string from a run folder goes through ``escape``.
"""

from __future__ import annotations

import html
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
) -> str:
    """Task ``n``'s card; ``unavailable`` says why demonstrations are missing when ``task`` is."""
    status = _status(result)
    parts = [
        f'<section class="task-card" id="task-{n}" data-task-id="{escape(task_id)}" '
        f'data-status="{status}">',
        f"<h2>{escape(task_id)} <span class=muted>"
        f"{'no result' if result is None else score_text(result.score)}</span></h2>",
    ]
    if result is None:
        parts.append("<p class=note>No result: the run stopped before this task.</p>")
    else:
        parts.append(_timing(result))
    if task is None:
        parts.append(f"<p class=note>Demonstrations unavailable ({escape(unavailable)}).</p>")
    else:
        parts.append("<h3>Demonstrations</h3><div class=row>")
        for i, ex in enumerate(task.train, start=1):
            parts.append(
                f"<div class=pair>{_figure(ex.input, f'demo {i} input')}<span class=arrow>"
                f"&rarr;</span>{_figure(ex.output, f'demo {i} output')}</div>"
            )
        parts.append("</div>")
    parts.extend(_tests(result, task))
    parts.append("</section>")
    return "".join(parts)


def _tests(result: PastTask | None, task: Task | None) -> Iterable[str]:
    inputs = task.test_inputs if task is not None else ()
    expected = task.test_outputs if task is not None and task.test_outputs is not None else ()
    attempts = result.attempts if result is not None else ()
    if task is not None and result is not None and len(inputs) != len(attempts):
        yield (
            f"<p class=note>The dataset's task has {len(inputs)} test input(s) but the run "
            f"answered {len(attempts)}: the dataset changed since the run.</p>"
        )
    for i in range(max(len(inputs), len(attempts))):
        yield f"<h3>Test input {i + 1}</h3><div class=row>"
        if i < len(inputs):
            yield _figure(inputs[i], "input")
        want = expected[i] if i < len(expected) else None
        if want is not None:
            yield _figure(want, "expected output")
        recorded = None
        if result is not None and result.correct is not None and i < len(result.correct):
            recorded = result.correct[i]
        proofs = result.provenance[i] if result is not None and i < len(result.provenance) else ()
        if i < len(attempts):
            for k, grid in enumerate(attempts[i], start=1):
                mark = _mark(grid, want, recorded)
                proof = proofs[k - 1] if k - 1 < len(proofs) else ()
                yield _figure(grid, f"attempt {k}", mark, _proof_text(proof))
        yield "</div>"
        if i < len(attempts):
            yield _verdict(attempts[i], want, recorded)


def _mark(grid: Grid, want: Grid | None, recorded: bool | None) -> str | None:
    if want is not None:
        return "right" if grid == want else "wrong"
    if recorded is False:
        return "wrong"  # neither attempt was right
    return None  # right or wrong cannot be told apart without the expected output


def _verdict(pair: tuple[Grid, Grid], want: Grid | None, recorded: bool | None) -> str:
    if want is not None:
        hit = want in pair
        text = "solved" if hit else "not solved"
        if recorded is not None and recorded != hit:
            text += (
                " by the dataset's expected output, but the run recorded it "
                f"{'solved' if recorded else 'not solved'}: the dataset changed since the run"
            )
        return f"<p class=mark-{'right' if hit else 'wrong'}>{escape(text)}</p>"
    if recorded is None:
        return "<p class=muted>Expected output unknown: attempts not scored.</p>"
    if recorded:
        return (
            "<p class=mark-right>solved (the expected output is unavailable, so which "
            "attempt was right is not shown)</p>"
        )
    return "<p class=mark-wrong>not solved</p>"


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
    out = f"<p class=timing>{escape(' · '.join(bits))}</p>"
    if t.degradations:
        items = "".join(f"<li>{escape(d)}</li>" for d in t.degradations)
        out += f"<div class=degradations><b>Degradations</b><ul>{items}</ul></div>"
    return out


def _figure(grid: Grid, caption: str, mark: str | None = None, proof: str = "") -> str:
    cls = f" class={mark}" if mark else ""
    label = f"{caption}: {mark}" if mark else caption
    mark_html = f" <span class=mark-{mark}>{mark}</span>" if mark else ""
    rows = "".join("<tr>" + "".join(f"<td class=c{int(v)}>" for v in row) for row in grid.cells)
    proof_html = f"<p class=provenance>{escape(proof)}</p>" if proof else ""
    return (
        f'<figure{cls} data-label="{escape(label)}"><figcaption>{escape(caption)}{mark_html} '
        f"<span class=muted>{grid.height}&times;{grid.width}</span></figcaption>"
        f"<table class=grid>{rows}</table>{proof_html}</figure>"
    )


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


def escape(value: object) -> str:
    """``value`` as text that is safe in HTML content and in quoted attributes."""
    return html.escape(str(value), quote=True)
