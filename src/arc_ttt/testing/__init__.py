"""Test doubles for arc_ttt's ports, for users who embed arc_ttt and test their own code
against it, and for arc_ttt's own tests. None of them touches torch, a disk or the network.

- ``ScriptedModel`` (``Trainer``, ``Generator``, ``Scorer``, ``AdapterExporter``): a fake model
  whose answers follow a rule you give it, with realistic costs; ``FakeClock`` advances only
  when told.
- ``ScriptedPretrainer`` (``Pretrainer``): a pretraining run with scripted losses and real,
  resumable states in any checkpoint store.
- ``RecordingProgress`` (``Progress``): records every call.
- ``FixedMemory`` (``MemoryProbe``): reports the bytes you set.
- ``CannedCandidateSource`` (``CandidateSource``): proposes the grids you hand it.

Each passes the same contract suite as the real adapters (``tests/contract/``). The in-memory
checkpoint store is a real adapter (``arc_ttt.adapters.memory_store``).
"""

from arc_ttt.testing.canned_candidates import CannedCandidateSource
from arc_ttt.testing.fixed_memory import FixedMemory
from arc_ttt.testing.recording_progress import RecordingProgress
from arc_ttt.testing.scripted_model import FakeClock, ScriptedModel
from arc_ttt.testing.scripted_pretrainer import ScriptedPretrainer

__all__ = [
    "CannedCandidateSource",
    "FakeClock",
    "FixedMemory",
    "RecordingProgress",
    "ScriptedModel",
    "ScriptedPretrainer",
]
