"""Collection and reporting for the pytest-benchmark suites in this folder.

    python -m pytest benchmarks/ -p no:cacheprovider

The project's ``python_files`` (pytest's default, ``test_*.py``) does not match ``bench_*.py``,
so the default ``python -m pytest`` (testpaths = tests) never runs these; this conftest makes
pytest collect them when it is pointed at ``benchmarks/``. Each suite records its figures with
the ``figures`` fixture; they are printed together at the end of the run (and written as JSON
with ``--figures-json FILE``). Results live in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

# Scripts with their own command line (see their docstrings and docs/benchmarks.md), not suites.
collect_ignore = [
    "bench_inference.py",
    "bench_memory_savings.py",
    "bench_monitor_overhead.py",
    "bench_ttt_throughput.py",
]

_FIGURES: dict[str, dict[str, Any]] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--figures-json",
        default=None,
        help="write the benchmark figures (the summary printed at the end) to this JSON file",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    # A file named on the command line is collected by pytest itself; don't collect it twice.
    if (
        file_path.suffix == ".py"
        and file_path.name.startswith("bench_")
        and file_path.name not in collect_ignore
        and not parent.session.isinitpath(file_path)
    ):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


class Figures:
    """Named figures of one benchmark, kept for the end-of-run summary and in ``extra_info``."""

    def __init__(self, name: str, benchmark: Any | None) -> None:
        self._row = _FIGURES.setdefault(name, {})
        self._benchmark = benchmark

    def __setitem__(self, what: str, value: Any) -> None:
        self._row[what] = value
        if self._benchmark is not None:
            self._benchmark.extra_info[what] = value


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    bench = request.getfixturevalue("benchmark") if "benchmark" in request.fixturenames else None
    return Figures(request.node.nodeid.removeprefix("benchmarks/"), bench)


@pytest.fixture(autouse=True)
def _torch_threads() -> None:
    # Figures are measured on 2 threads (the project's 2-core machine), whatever torch guesses;
    # suites that never import torch don't pay for importing it here.
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(2)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("arc_ttt benchmark figures")
    for name, row in _FIGURES.items():
        values = ", ".join(f"{k}={_fmt(v)}" for k, v in row.items())
        terminalreporter.write_line(f"{name}: {values}")
    out = config.getoption("--figures-json")
    if out:
        Path(out).write_text(json.dumps(_FIGURES, indent=2) + "\n")
        terminalreporter.write_line(f"figures written to {out}")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
