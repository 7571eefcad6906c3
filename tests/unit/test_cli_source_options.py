"""``arc-ttt solve --sources search`` in process (no model is loaded), and the report showing the
program behind each attempt."""

import json

import pytest

from arc_ttt import cli
from upscale_tasks import write_upscale_tasks


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources")
    dataset = write_upscale_tasks(root / "tasks", 2)
    out = root / "run"
    argv = ["solve", "--dataset", str(dataset), "--out", str(out), "--sources", "search", "-q"]
    assert cli.main(argv) == 0
    return out


def test_search_alone_solves_and_records_its_program(run):
    lines = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert [x["score"] for x in lines] == [1.0, 1.0]
    assert all(x["provenance"][0][0][0]["program"].startswith("scale_up(2)") for x in lines)


def test_the_report_shows_the_program_behind_each_attempt(run):
    assert cli.main(["report", str(run)]) == 0
    page = (run / "report.html").read_text()
    assert page.count("<p class=provenance>search: scale_up(2)") == 2
