"""A solve report in Jupyter: ``_repr_html_`` shows the score and each task's verdicts."""

from __future__ import annotations

from html.parser import HTMLParser

from arc_ttt.application.solve import SolveReport, TaskResult
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.picture import PALETTE
from arc_ttt.domain.scoring import Attempts

HOSTILE = "<img src=x onerror=alert(1)>"


class Fragment(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: list[str | None] = []
        self.tests: dict[str | None, list[str]] = {}
        self.backgrounds: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "tr" and "data-task-id" in a:
            self.rows.append(a["data-task-id"])
        if tag == "span" and (a.get("class") or "").startswith("test "):
            self.tests.setdefault(self.rows[-1], []).append((a["class"] or "").split()[1])
        if tag == "td" and "background:" in (a.get("style") or ""):
            self.backgrounds.append((a["style"] or "").split("background:")[1].split(";")[0])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def task(task_id: str, correct, n_test: int = 1) -> TaskResult:
    attempts = tuple(Attempts(Grid([[1, 2]]), Grid([[3]])) for _ in range(n_test))
    return TaskResult(task_id, attempts, seconds=1.5, correct=correct)


def test_report_shows_score_and_each_test_input_right_or_wrong():
    report = SolveReport((task("aaa", (True,)), task("bbb", (True, False), n_test=2)), 12.0)
    page = Fragment(report._repr_html_())
    text = " ".join(page.text)
    assert "score 0.7500" in text and "1/2 tasks fully solved" in text
    assert page.rows == ["aaa", "bbb"]
    assert page.tests == {"aaa": ["right"], "bbb": ["right", "wrong"]}
    # Both attempts of each of the 3 test inputs, drawn cell by cell: 3 x (2 + 1) cells.
    assert page.backgrounds == [PALETTE[1], PALETTE[2], PALETTE[3]] * 3


def test_unknown_solutions_and_hostile_ids_are_shown_as_text():
    report = SolveReport((task(HOSTILE, None),), 1.0, interrupted=True, unsolved=("ccc",))
    page = Fragment(report._repr_html_())
    text = " ".join(page.text)
    assert "not known" in text and "1 task(s) not done" in text
    assert HOSTILE in text and "img" not in page.tags
    assert page.tests == {HOSTILE: ["not-known"]}
