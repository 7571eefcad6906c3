"""Where checkpoints are kept: versioned, verified, never overwritten."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from arc_ttt.domain.checkpoint import (
    Checkpoint,
    CheckpointInfo,
    JsonValue,
    SkippedVersion,
    VerificationReport,
)


@runtime_checkable
class CheckpointStore(Protocol):
    """Versioned checkpoints (named byte files + JSON metadata) under validated keys.

    Keys and file names are checked by ``validate_key`` / ``validate_file_names``; a bad one raises
    ``InvalidCheckpointKeyError`` before anything is written, and nothing is ever written outside
    the store's root or prefix. Metadata that JSON cannot hold raises ``InvalidCheckpointDataError``.
    The store deals in bytes and JSON only: nothing on any path unpickles.

    - ``save`` stores a new version and returns its info. Versions of a key increase strictly and
      are never reused, even after ``delete``, also when several threads or processes save to one
      store at once. A save is all or nothing: an interrupted save is never visible.
    - ``load`` returns the given version (``None``: the newest committed one) after checking
      every file against the manifest. Raises ``CheckpointNotFoundError`` when there is none and
      ``CheckpointCorruptedError`` (naming key, version, file and problem) when a file is
      missing, truncated or changed, or the manifest itself is damaged.
    - ``load_latest_valid`` returns the newest intact version and the newer ones it skipped as
      corrupted, newest first. Raises ``CheckpointNotFoundError`` when none is intact.
    - ``versions`` lists the committed versions, oldest first, with metadata, creation time and
      file sizes (a version whose manifest is damaged is left out); ``[]`` for an unknown key.
    - ``keys`` lists the keys that have at least one committed version, sorted.
    - ``delete`` removes one version (raises ``CheckpointNotFoundError`` if it is not there).
    - ``verify`` checks one version and reports every problem instead of raising; raises
      ``CheckpointNotFoundError`` only when the version does not exist.

    Every method raises ``StoreUnavailableError`` when the storage cannot be reached or written.
    """

    def save(
        self, key: str, files: Mapping[str, bytes], metadata: Mapping[str, JsonValue] | None = None
    ) -> CheckpointInfo: ...

    def load(self, key: str, version: int | None = None) -> Checkpoint: ...

    def load_latest_valid(self, key: str) -> tuple[Checkpoint, list[SkippedVersion]]: ...

    def versions(self, key: str) -> list[CheckpointInfo]: ...

    def keys(self) -> list[str]: ...

    def delete(self, key: str, version: int) -> None: ...

    def verify(self, key: str, version: int) -> VerificationReport: ...
