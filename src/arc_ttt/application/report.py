"""A run's report as one static HTML page: summary, an index, and one card per task.

Takes a ``PastRun`` and the tasks found in its dataset, and fills ``templates/report.html.j2``
(Jinja2, autoescape on: everything read from files is escaped). The page needs no network
(inline CSS, grids as HTML tables in the ARC palette). Two lines of inline script record the
number of task cards and any script error on ``<body>`` (``data-cards``, ``data-js-errors``)
for browser tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from arc_ttt.application.html import render
from arc_ttt.application.report_card import bytes_text, score_text, seconds_text, task_card
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
    return render(
        "report.html.j2",
        folder=run.folder,
        css=Markup(css),
        facts=_facts(run),
        dataset_note=dataset_note,
        index=_index(run, results),
        cards=[
            task_card(task_id, n, results.get(task_id), tasks.get(task_id), unavailable)
            for n, task_id in enumerate(run.planned)
        ],
    )


def _facts(run: PastRun) -> list[tuple[str, str]]:
    """The summary's (label, value) lines."""
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
    return facts


def _index(run: PastRun, results: Mapping[str, PastTask]) -> list[dict[str, Any]]:
    rows = []
    for n, task_id in enumerate(run.planned):
        t = results.get(task_id)
        rows.append(
            {
                "n": n,
                "task_id": task_id,
                "score": "no result" if t is None else score_text(t.score),
                "seconds": "" if t is None else seconds_text(t.seconds),
                "notes": "" if t is None else ", ".join(t.degradations),
            }
        )
    return rows


def _setting(settings: Mapping[str, Any], section: str | None, name: str) -> Any:
    where = settings if section is None else settings.get(section)
    return where.get(name) if isinstance(where, Mapping) else None
