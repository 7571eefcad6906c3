"""A run's report as one static HTML page: summary, an index, and one card per task.

Pure: takes a ``PastRun`` and the tasks found in its dataset, returns the page as a string.
The page needs no network (inline CSS, grids as HTML tables in the ARC palette); everything
read from files is HTML-escaped. Two lines of inline script record the number of task cards
and any script error on ``<body>`` (``data-cards``, ``data-js-errors``) for browser tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arc_ttt.application.report_card import (
    bytes_text,
    escape,
    score_text,
    seconds_text,
    task_card,
)
from arc_ttt.domain.past_run import PastRun, PastTask
from arc_ttt.domain.picture import GRID_LINE, PALETTE, RIGHT, WRONG
from arc_ttt.domain.task import Task

# (settings section, field, label): what a reader needs to tell two runs apart.
HIGHLIGHTS = (
    ("model", "path", "model"),
    ("ttt", "mode", "TTT"),
    ("ttt", "method", "method"),
    ("ttt", "steps", "steps per task"),
    ("ttt", "learning_rate", "learning rate"),
    ("decode", "strategy", "decoding"),
    ("decode", "views", "views"),
    ("budget", "total_seconds", "time limit (s)"),
    (None, "seed", "seed"),
)

_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;background:#fafafa}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin:0 0 .4rem}h3{font-size:.95rem;margin:.6rem 0 .3rem}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.15rem 1rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
table.index{border-collapse:collapse}table.index td,table.index th{padding:.1rem .6rem;
text-align:left;border-bottom:1px solid #ddd}
.task-card{background:#fff;border:1px solid #ccc;border-radius:6px;padding:.8rem;margin:1rem 0}
.row{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
figure{margin:0;padding:3px;border:3px solid transparent}figcaption{font-size:.8rem}
figure.right{border-color:@RIGHT@}figure.wrong{border-color:@WRONG@}
.pair{display:flex;align-items:center;gap:.3rem}.arrow{font-size:1.2rem}
table.grid{border-collapse:collapse}table.grid td{width:12px;height:12px;padding:0;
border:1px solid @LINE@}
.mark-right{color:#1a7f2a;font-weight:600}.mark-wrong{color:#c0392b;font-weight:600}
.note{color:#8a5a00}.muted{color:#666}
.provenance{font-size:.75rem;color:#444;max-width:18em;margin:.2rem 0 0}
body:has(#only-unsolved:checked) .task-card[data-status=solved]{display:none}
"""


def report_html(
    run: PastRun,
    tasks: Mapping[str, Task],
    *,
    dataset_note: str | None = None,
) -> str:
    """The HTML page of ``run``.

    ``tasks`` maps task ids to the dataset's tasks (demonstrations, test inputs and, when known,
    expected outputs); a task absent from it is drawn from its attempts alone.
    ``dataset_note`` says why the dataset could not be loaded, when it could not.
    """
    css = _CSS.replace("@RIGHT@", RIGHT).replace("@WRONG@", WRONG).replace("@LINE@", GRID_LINE)
    css += "".join(f".c{i}{{background:{color}}}" for i, color in enumerate(PALETTE))
    unavailable = dataset_note or f"task not found in dataset {run.dataset}"
    results = {t.task_id: t for t in run.tasks}
    cards = [
        task_card(task_id, n, results.get(task_id), tasks.get(task_id), unavailable)
        for n, task_id in enumerate(run.planned)
    ]
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>arc-ttt report: {escape(run.folder)}</title>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        # Before anything else runs: keep every script error where a test can read it.
        "<script>window.addEventListener('error',function(e){var b=document.documentElement;"
        "b.dataset.jsErrors=(b.dataset.jsErrors||'')+(e.message||'error')+';'});</script>"
        f"<style>{css}</style></head>\n<body>\n"
        f"<h1>arc-ttt run <code>{escape(run.folder)}</code></h1>\n"
        f"{_summary(run, dataset_note)}\n{_index(run, results)}\n<main>\n"
        + "\n".join(cards)
        + "\n</main>\n<script>document.body.dataset.cards=String("
        "document.querySelectorAll('section.task-card').length);"
        "document.body.dataset.jsErrors=document.documentElement.dataset.jsErrors||'';</script>"
        "\n</body></html>\n"
    )


def _summary(run: PastRun, dataset_note: str | None) -> str:
    score = "unknown (solutions not known)" if run.score is None else f"{run.score:.4f}"
    median, p90 = run.median_task_seconds, run.p90_task_seconds
    facts: list[tuple[str, str]] = [
        ("dataset", run.dataset + (f" (solutions: {run.solutions})" if run.solutions else "")),
        ("tasks", f"{len(run.tasks)} with results of {len(run.planned)} planned"),
        ("score", score),
        ("solved", f"{run.solved} / {len(run.tasks)}"),
        ("total time", seconds_text(run.seconds)),
        ("median per task", "-" if median is None else seconds_text(median)),
        ("p90 per task", "-" if p90 is None else seconds_text(p90)),
    ]
    peak = run.metrics.get("peak_memory_bytes")
    if peak:
        facts.append(("peak memory (host)", bytes_text(int(peak))))
    gpu = max((t.peak_gpu_bytes for t in run.tasks if t.peak_gpu_bytes), default=None)
    if gpu:
        facts.append(("peak memory (GPU)", bytes_text(gpu)))
    degraded = sum(1 for t in run.tasks if t.degradations)
    if degraded:
        facts.append(("degraded tasks", str(degraded)))
    if run.missing:
        facts.append(("not done", f"{len(run.missing)} task(s): the run was stopped"))
    for section, name, label in HIGHLIGHTS:
        value = _setting(run.settings, section, name)
        if value is not None:
            facts.append((label, str(value)))
    env = run.environment
    packages = env.get("packages")
    if not isinstance(packages, Mapping):
        packages = {}
    if env:
        facts.append(
            (
                "environment",
                f"arc-ttt {packages.get('arc-ttt')}, torch {packages.get('torch')}, "
                f"Python {env.get('python')}, {env.get('platform')}",
            )
        )
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    note = f"<p class=note id=dataset-note>{escape(dataset_note)}</p>" if dataset_note else ""
    return f"<section class=summary><h2>Summary</h2><dl class=facts>{rows}</dl>{note}</section>"


def _index(run: PastRun, results: Mapping[str, PastTask]) -> str:
    rows = []
    for n, task_id in enumerate(run.planned):
        t = results.get(task_id)
        score = "no result" if t is None else score_text(t.score)
        seconds = "" if t is None else seconds_text(t.seconds)
        notes = "" if t is None else ", ".join(t.degradations)
        rows.append(
            f'<tr><td><a href="#task-{n}">{escape(task_id)}</a></td><td>{escape(score)}</td>'
            f"<td>{seconds}</td><td>{escape(notes)}</td></tr>"
        )
    return (
        "<section class=tasks-index><h2>Tasks</h2>"
        "<label><input type=checkbox id=only-unsolved> show only tasks not fully solved</label>"
        "<table class=index><tr><th>task</th><th>score</th><th>seconds</th><th>degradations</th>"
        f"</tr>{''.join(rows)}</table></section>"
    )


def _setting(settings: Mapping[str, Any], section: str | None, name: str) -> Any:
    where = settings if section is None else settings.get(section)
    return where.get(name) if isinstance(where, Mapping) else None
