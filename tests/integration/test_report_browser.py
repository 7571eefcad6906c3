"""The HTML report in a real browser: headless Chromium loads it from disk, offline.

The page records its task-card count and any script error on ``<body>`` (``data-cards``,
``data-js-errors``); ``--dump-dom`` shows what the browser built. Skipped only when no Chromium
binary is installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from arc_ttt import Grid, cli
from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.task import Example, Task
from arc_ttt.testing.scripted_model import ScriptedModel

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CHROMIUM = next((path for name in BROWSERS if (path := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason=f"no Chromium binary found (looked for {', '.join(BROWSERS)})"
)
HOSTILE = "<img src=x onerror=document.title='pwned'>"
WINDOW = (1000, 1400)


def upscale(g: Grid) -> Grid:
    return Grid.from_array(np.kron(g.cells, np.ones((2, 2), dtype=np.uint8)))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A report of 3 tasks: 2 solved by the rule, and one with a hostile id left unsolved."""
    root = tmp_path_factory.mktemp("browser")
    dataset = root / "tasks"
    dataset.mkdir()
    for i, task_id in enumerate(["t0", "t1", HOSTILE]):
        test = Grid([[0, i + 4, 5]]) if i < 2 else Grid([[1, 2], [3, 4]])
        grids = [Grid([[i + 1, 0], [0, i + 2]]), Grid([[i + 3]]), test]
        task = Task(
            task_id,
            tuple(Example(g, upscale(g)) for g in grids[:2]),
            (grids[2],),
            (upscale(grids[2]),),
        )
        (dataset / f"{task_id}.json").write_text(json.dumps(task_to_json(task)))
    # Right on the 1x3 test inputs (in any view), an echo of the input on the 2x2 one.
    model = ScriptedModel(lambda x: [(upscale(x) if x.cells.size == 3 else x, -0.5)])
    out = root / "run"
    # The model alone: the search would solve the upscale of the hostile task too.
    argv = ["solve", "--dataset", str(dataset), "--out", str(out), "--steps", "2", "-q"]
    argv += ["--sources", "neural"]
    assert cli.main(argv, overrides={"model": model}) == 0
    assert cli.main(["report", str(out)]) == 0
    return out / "report.html"


def chromium(page: Path, profile: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *flags,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class Dom(HTMLParser):
    """What the browser built: <body>'s attributes, task cards, the title, element names."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.body: dict[str, str | None] = {}
        self.html: dict[str, str | None] = {}
        self.card_ids: list[str | None] = []
        self.statuses: dict[str | None, str | None] = {}
        self.tags: set[str] = set()
        self.title = ""
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        self._in_title = tag == "title"
        if tag == "body":
            self.body = a
        if tag == "html":
            self.html = a
        if tag == "section" and a.get("class") == "task-card":
            self.card_ids.append(a.get("data-task-id"))
            self.statuses[a.get("data-task-id")] = a.get("data-status")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def dump(page: Path, tmp_path: Path) -> tuple[Dom, str]:
    result = chromium(page, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    return Dom(result.stdout), result.stderr


def test_the_browser_builds_one_card_per_task_without_script_errors(report, tmp_path):
    dom, log = dump(report, tmp_path)
    results = (report.parent / "results.jsonl").read_text().splitlines()
    assert dom.body.get("data-cards") == str(len(results)) == "3"
    assert dom.body.get("data-js-errors") == ""
    assert "Uncaught" not in log  # nothing reached the console either
    # The hostile id stayed text: no <img> element, the title untouched, the attribute intact.
    assert "img" not in dom.tags and "pwned" not in dom.title
    assert sorted(i or "" for i in dom.card_ids) == sorted(["t0", "t1", HOSTILE])
    assert dom.statuses == {"t0": "solved", "t1": "solved", HOSTILE: "unsolved"}


def test_a_script_error_in_the_page_would_be_caught(report, tmp_path):
    # The check above can fail: a page with a broken script reports it on <body>.
    broken = tmp_path / "broken.html"
    broken.write_text(
        report.read_text().replace("</main>", "<script>noSuchFunction();</script></main>")
    )
    dom, log = dump(broken, tmp_path)
    assert "noSuchFunction" in (dom.body.get("data-js-errors") or "")
    assert "Uncaught ReferenceError: noSuchFunction" in log


def test_a_screenshot_of_the_report_shows_content(report, tmp_path):
    shots = {}
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    for name, page in (("report", report), ("blank", blank)):
        shot = tmp_path / f"{name}.png"
        result = chromium(
            page,
            tmp_path / f"profile-{name}",
            f"--screenshot={shot}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            "--hide-scrollbars",
        )
        assert result.returncode == 0, result.stderr[-2000:]
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
        assert struct.unpack(">II", data[16:24]) == WINDOW
        shots[name] = len(data)
    # Grids, text and colors compress far worse than an empty white page.
    assert shots["report"] > 5 * shots["blank"], shots
