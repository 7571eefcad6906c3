"""What a solve run keeps per task so it can resume or re-select without redoing work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from arc_ttt.domain.model_io import ModelRef


@runtime_checkable
class SolveCache(Protocol):
    """Per-task records under keys the solver derives from the task and its configuration.

    ``candidates`` returns the newest intact record saved under ``key`` (None when there is none,
    or none intact); ``keep_candidates`` saves one; ``keep_adapter`` saves an adapted model's
    files; ``adapter`` returns the newest intact files kept under ``key`` (None when none).
    Records are JSON; adapter files are bytes (safetensors and JSON). Raises ``ArcTTTError``
    subclasses only.
    """

    def candidates(self, key: str) -> Mapping[str, Any] | None: ...

    def keep_candidates(self, key: str, record: Mapping[str, Any]) -> None: ...

    def keep_adapter(
        self, key: str, files: Mapping[str, bytes], metadata: Mapping[str, Any]
    ) -> None: ...

    def adapter(self, key: str) -> Mapping[str, bytes] | None: ...


@runtime_checkable
class AdapterExporter(Protocol):
    """Gives an adapted model's own files: a LoRA adapter in peft's format
    (``adapter_config.json`` + ``adapter_model.safetensors``), or a fully trained model folder."""

    def adapter_files(self, model: ModelRef) -> dict[str, bytes]: ...


@runtime_checkable
class AdapterImporter(Protocol):
    """Takes back an adapted model from the files ``AdapterExporter.adapter_files`` gave for a
    model of the same base: ``load_adapter`` serves it under ``name`` (replacing an earlier model
    of that name) until ``release``. Raises ``ArcTTTError`` subclasses only (files of another
    base or shape: ``ModelLoadError``)."""

    def load_adapter(self, base: ModelRef, name: str, files: Mapping[str, bytes]) -> ModelRef: ...
