"""Ports: the interfaces the application needs, spoken in domain types only."""

from arc_ttt.ports.task_source import TaskCatalog, TaskSource

__all__ = ["TaskCatalog", "TaskSource"]
