"""Ports: the interfaces the application needs, spoken in domain types only."""

from arc_ttt.ports.candidate_source import CandidateSource
from arc_ttt.ports.checkpoint_store import CheckpointStore
from arc_ttt.ports.model import Generator, Scorer, Trainer
from arc_ttt.ports.progress import MemoryProbe, Progress
from arc_ttt.ports.task_source import TaskCatalog, TaskSource

__all__ = [
    "CandidateSource",
    "CheckpointStore",
    "Generator",
    "MemoryProbe",
    "Progress",
    "Scorer",
    "TaskCatalog",
    "TaskSource",
    "Trainer",
]
