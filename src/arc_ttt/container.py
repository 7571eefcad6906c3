"""The only place that knows which adapter serves which port.

Tests override providers: ``with container.catalog.override(InMemoryCatalog(...)): ...``.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from arc_ttt.adapters.catalog import DatasetCatalog
from arc_ttt.application.datasets import list_datasets
from arc_ttt.application.score import score_file
from arc_ttt.application.show import find_task
from arc_ttt.settings import Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)
    catalog = providers.Singleton(DatasetCatalog)

    datasets = providers.Callable(list_datasets, catalog=catalog)
    find_task = providers.Callable(find_task, catalog=catalog)
    score = providers.Callable(score_file, catalog=catalog)


def build_container(settings: Settings | None = None) -> Container:
    """A container for ``settings`` (read from the environment when omitted)."""
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container
