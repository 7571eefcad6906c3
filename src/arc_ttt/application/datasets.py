"""Use case: what datasets there are and how many tasks each holds."""

from __future__ import annotations

from dataclasses import dataclass

from arc_ttt.ports.task_source import TaskCatalog


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    name: str
    tasks: int
    test_inputs: int
    with_solutions: int
    problems: int


def list_datasets(catalog: TaskCatalog) -> list[DatasetSummary]:
    """One summary per bundled dataset, in the catalog's order."""
    summaries = []
    for name in catalog.bundled_names():
        collection = catalog.open(name).load()
        summaries.append(
            DatasetSummary(
                name=name,
                tasks=len(collection),
                test_inputs=sum(len(t.test_inputs) for t in collection),
                with_solutions=sum(1 for t in collection if t.has_solutions),
                problems=len(collection.problems),
            )
        )
    return summaries
