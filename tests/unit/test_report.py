"""The run report page: what a reader sees for each task, and that nothing from files runs as HTML."""

from __future__ import annotations

from html.parser import HTMLParser

from arc_ttt.application.report import report_html
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.past_run import PastRun, PastTask
from arc_ttt.domain.task import Example, Task

HOSTILE = "<script>alert('x')</script>\"&<img src=x onerror=alert(1)>"
SETTINGS = {
    "dataset": "arc-agi-1/training",
    "solutions": None,
    "seed": 7,
    "model": {"path": "builtin"},
    "ttt": {"mode": "per-task", "method": "full", "steps": 12},
    "decode": {"strategy": "dfs", "views": 4},
}
RIGHT = Grid([[1, 2], [3, 4]])
WRONG = Grid([[0]])
OTHER = Grid([[5, 5]])


class Page(HTMLParser):
    """The parts of the page the tests read: cards, figures, scripts, text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.cards: list[dict[str, str | None]] = []
        self.figures: list[dict[str, str | None]] = []  # with the card's task id
        self.scripts = 0
        self.elements: list[str] = []
        self.text: list[str] = []
        self.cells: list[str | None] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.elements.append(tag)
        if tag == "section" and a.get("class") == "task-card":
            self.cards.append(a)
        if tag == "figure":
            self.figures.append({**a, "task": self.cards[-1]["data-task-id"]})
        if tag == "script":
            self.scripts += 1
        if tag == "td" and (a.get("class") or "").startswith("c"):
            self.cells.append(a.get("class"))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def card_text(self) -> str:
        return " ".join(self.text)

    def marks(self, task_id: str) -> list[str | None]:
        return [f.get("class") for f in self.figures if f["task"] == task_id]

    def labels(self, task_id: str) -> list[str | None]:
        return [f.get("data-label") for f in self.figures if f["task"] == task_id]


def result(task_id: str, attempts, correct, **kw) -> PastTask:
    return PastTask(task_id, tuple(attempts), correct, seconds=kw.pop("seconds", 1.5), **kw)


def run(tasks, *, planned=None, settings=None, metrics=None, folder="runs/a") -> PastRun:
    settings = {**SETTINGS, **(settings or {})}
    settings["tasks"] = planned if planned is not None else [t.task_id for t in tasks]
    return PastRun(folder, settings, metrics or {"seconds": 12.5}, tuple(tasks))


def task(task_id: str, outputs: tuple[Grid, ...] | None = (RIGHT,), n_test: int = 1) -> Task:
    demos = (Example(Grid([[1]]), Grid([[2]])), Example(Grid([[3, 3]]), Grid([[4, 4]])))
    return Task(task_id, demos, tuple(Grid([[6]]) for _ in range(n_test)), outputs)


def test_one_card_per_planned_task_with_its_demonstrations_and_attempts():
    r = run([result("a1", [(RIGHT, WRONG)], (True,)), result("b2", [(WRONG, OTHER)], (False,))])
    page = Page(report_html(r, {"a1": task("a1"), "b2": task("b2")}))
    assert [c["data-task-id"] for c in page.cards] == ["a1", "b2"]
    assert [c["data-status"] for c in page.cards] == ["solved", "unsolved"]
    assert page.labels("a1") == [
        "demo 1 input",
        "demo 1 output",
        "demo 2 input",
        "demo 2 output",
        "input",
        "expected output",
        "attempt 1: right",
        "attempt 2: wrong",
    ]
    assert page.marks("b2")[-2:] == ["wrong", "wrong"]


def test_grids_are_drawn_cell_by_cell_in_the_arc_palette():
    r = run([result("a1", [(RIGHT, WRONG)], (True,))])
    html = report_html(r, {})
    page = Page(html)
    # Without the dataset only the two attempts are drawn: RIGHT's 4 cells then WRONG's 1.
    assert page.cells == ["c1", "c2", "c3", "c4", "c0"]
    assert ".c1{background:#0074D9}" in html and ".c9{background:#870C25}" in html


def test_summary_shows_the_run_totals_settings_and_peak_memory():
    tasks = [result("a1", [(RIGHT, WRONG)], (True,)), result("b2", [(WRONG, OTHER)], (False,))]
    r = run(tasks, metrics={"seconds": 42.25, "peak_memory_bytes": 3 * 2**30})
    text = Page(report_html(r, {})).card_text()
    for fact in (
        "arc-agi-1/training",
        "0.5000",
        "1 / 2",
        "42.2 s",
        "3.00 GiB",
        "builtin",
        "dfs",
        "steps per task",
    ):
        assert fact in text, fact


def test_a_hostile_task_id_and_degradation_are_shown_as_text_never_as_markup():
    bad = result(HOSTILE, [(RIGHT, WRONG)], (True,), degradations=(HOSTILE,))
    r = run([bad], folder=HOSTILE, settings={"dataset": HOSTILE})
    html = report_html(r, {}, dataset_note=HOSTILE)
    page = Page(html)
    assert page.scripts == 2  # the page's own two, none from the data
    assert "img" not in page.elements
    assert [c["data-task-id"] for c in page.cards] == [HOSTILE]  # the attribute round-trips
    assert page.card_text().count(HOSTILE) >= 4  # title, heading, index, card, degradation
    assert "<script>alert" not in html


def test_without_expected_outputs_attempts_are_shown_unmarked():
    r = run([result("k1", [(RIGHT, WRONG), (OTHER, WRONG)], None)])
    page = Page(report_html(r, {"k1": task("k1", outputs=None, n_test=2)}))
    assert page.cards[0]["data-status"] == "unscored"
    assert page.marks("k1")[-4:] == [None, None, None, None]
    assert page.labels("k1")[-3:] == ["input", "attempt 1", "attempt 2"]
    assert "Expected output unknown" in page.card_text()
    assert "score unknown" in page.card_text()


def test_without_the_dataset_the_recorded_verdict_is_still_shown():
    r = run([result("a1", [(RIGHT, WRONG)], (True,)), result("b2", [(WRONG, OTHER)], (False,))])
    page = Page(report_html(r, {}, dataset_note="dataset 'gone' could not be loaded"))
    text = page.card_text()
    assert text.count("Demonstrations unavailable (dataset 'gone' could not be loaded)") == 2
    assert page.marks("a1") == [None, None]  # solved, but which attempt is not known
    assert "which attempt was right is not shown" in text
    assert page.marks("b2") == ["wrong", "wrong"]


def test_a_task_missing_from_the_dataset_says_so():
    r = run([result("a1", [(RIGHT, WRONG)], (True,))])
    text = Page(report_html(r, {"zz": task("zz")})).card_text()
    assert "task not found in dataset arc-agi-1/training" in text


def test_tasks_the_run_did_not_reach_get_a_card_that_says_so():
    r = run(
        [result("a1", [(RIGHT, WRONG)], (True,))],
        planned=["a1", "b2"],
        metrics={"seconds": 3.0, "interrupted": True},
    )
    page = Page(report_html(r, {"a1": task("a1"), "b2": task("b2")}))
    assert [c["data-status"] for c in page.cards] == ["solved", "missing"]
    text = page.card_text()
    assert "No result: the run stopped before this task." in text
    assert "1 task(s): the run was stopped" in text
    assert page.labels("b2")[-2:] == ["input", "expected output"]


def test_timing_and_degradations_are_on_the_card():
    slow = result(
        "a1",
        [(RIGHT, WRONG)],
        (True,),
        seconds=31.25,
        train_seconds=20.0,
        train_steps=48,
        tokens_trained=12345,
        stopped_because="time",
        degradations=("views 8 -> 4 (time)", "batch halved after OOM"),
    )
    text = Page(report_html(run([slow]), {})).card_text()
    for fact in ("31.2 s in all", "20.0 s training", "48 steps, 12,345 tokens", "stopped: time"):
        assert fact in text, fact
    assert "views 8 -> 4 (time)" in text and "batch halved after OOM" in text


def test_a_dataset_that_changed_since_the_run_is_pointed_out():
    r = run([result("a1", [(RIGHT, WRONG)], (True,))])
    changed = task("a1", outputs=(OTHER,), n_test=1)
    text = Page(report_html(r, {"a1": changed})).card_text()
    assert "the run recorded it solved: the dataset changed since the run" in text
    two_tests = task("a1", outputs=(RIGHT, RIGHT), n_test=2)
    text = Page(report_html(r, {"a1": two_tests})).card_text()
    assert "has 2 test input(s) but the run answered 1" in text
