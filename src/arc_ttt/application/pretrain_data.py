"""Which tasks a pretraining run learns from: the chosen sources, each minus every task that also
appears (same content, or a shared demonstration pair or test input) in ARC-AGI-1 or ARC-AGI-2
evaluation, and minus copies of tasks already kept (ARC-AGI-2 training repeats most of
ARC-AGI-1's). A fraction of each source's tasks is held out whole for validation; a training task
that shares a demonstration pair or test input with a validation task is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from arc_ttt.domain.errors import UnknownDatasetError
from arc_ttt.domain.pretrain_corpus import split_validation
from arc_ttt.domain.synthetic import generate_tasks
from arc_ttt.domain.task import Task, TaskCollection
from arc_ttt.ports.task_source import TaskCatalog

# Source name -> bundled dataset (None: generated).
SOURCES: dict[str, str | None] = {
    "arc1-train": "arc-agi-1/training",
    "arc2-train": "arc-agi-2/training",
    "synthetic": None,
}
HELD_OUT = ("arc-agi-1/evaluation", "arc-agi-2/evaluation")
EXCLUSION_RULE = (
    "a task is left out when its content hash (grids, ignoring id and demonstration order) "
    "equals, or one of its demonstration pairs or test inputs matches, a task of "
    + " or ".join(HELD_OUT)
    + "; so are copies of a task already kept (from an earlier source, or of a validation task)"
)


@dataclass(frozen=True, slots=True)
class DataPlan:
    """Which tasks to pretrain on: ``sources`` (names in ``SOURCES``), ``synthetic_tasks`` from
    the rule families (sides ``synthetic_sides``), ``val_fraction`` of each source held out."""

    sources: tuple[str, ...] = ("arc1-train", "arc2-train", "synthetic")
    synthetic_tasks: int = 1000
    synthetic_sides: tuple[int, int] = (3, 10)
    val_fraction: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = [s for s in self.sources if s not in SOURCES]
        if unknown or not self.sources:
            raise UnknownDatasetError(
                f"unknown pretraining source(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
                f"use {', '.join(SOURCES)} (evaluation sets are never pretraining data)"
            )
        twice = sorted({s for s in self.sources if self.sources.count(s) > 1})
        if twice:
            raise UnknownDatasetError(f"pretraining source(s) listed twice: {', '.join(twice)}")
        if self.synthetic_tasks < 0:
            raise ValueError(f"synthetic_tasks must be >= 0, got {self.synthetic_tasks}")


@dataclass(frozen=True, slots=True)
class SourceCount:
    """One source's tasks: loaded, left out as evaluation copies (``excluded``), left out as
    copies of tasks already kept (``duplicates``: from an earlier source, or of a validation
    task), and kept for training and validation."""

    source: str
    dataset: str
    loaded: int
    excluded: int
    duplicates: int
    train: int
    validation: int


@dataclass(frozen=True)
class PretrainData:
    """The tasks to train on and to validate on (disjoint), and the count per source."""

    train: tuple[Task, ...]
    validation: tuple[Task, ...]
    sources: tuple[SourceCount, ...]
    held_out: tuple[str, ...] = HELD_OUT

    @property
    def excluded(self) -> int:
        return sum(s.excluded for s in self.sources)


def gather_data(catalog: TaskCatalog, plan: DataPlan) -> PretrainData:
    """Load, clean and split the sources of ``plan`` (see the module's rule)."""
    held = [t for name in HELD_OUT for t in catalog.open(name).load()]
    kept: list[Task] = []
    train: list[Task] = []
    validation: list[Task] = []
    counts = []
    for source in plan.sources:
        dataset = SOURCES[source]
        if dataset is None:
            low, high = plan.synthetic_sides
            tasks = generate_tasks(plan.synthetic_tasks, plan.seed, min_side=low, max_side=high)
            loaded = TaskCollection(source, tuple(tasks))
            dataset = (
                f"generated: {plan.synthetic_tasks} tasks, seed {plan.seed}, sides {low}..{high}"
            )
        else:
            loaded = catalog.open(dataset).load()
        clean = loaded.excluding(held)
        unique = clean.excluding(kept)
        part_train, part_val = split_validation(
            unique.tasks, plan.val_fraction, f"{plan.seed}:{source}"
        )
        # A training task that shares a grid pair with a validation task would leak into it.
        part_train = TaskCollection(source, part_train).excluding(part_val).tasks
        kept.extend(unique.tasks)
        train.extend(part_train)
        validation.extend(part_val)
        counts.append(
            SourceCount(
                source,
                dataset,
                loaded=len(loaded),
                excluded=len(loaded) - len(clean),
                duplicates=len(clean) - len(part_train) - len(part_val),
                train=len(part_train),
                validation=len(part_val),
            )
        )
    return PretrainData(tuple(train), tuple(validation), tuple(counts))
