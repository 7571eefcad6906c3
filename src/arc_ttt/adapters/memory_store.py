"""Checkpoints in a dict: for tests and notebooks. Thread-safe; gone when the process ends.

It keeps the same manifest bytes as the real stores and checks them on load, so a test that
damages a stored file (``put_raw``) sees exactly the errors the filesystem and S3 stores raise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from arc_ttt.domain.checkpoint import (
    Checkpoint,
    CheckpointInfo,
    JsonValue,
    SkippedVersion,
    VerificationReport,
    validate_key,
)
from arc_ttt.domain.checkpoint_integrity import newest_intact, read_checkpoint, verify_checkpoint
from arc_ttt.domain.checkpoint_manifest import (
    MANIFEST_NAME,
    decode_manifest,
    describe_files,
    encode_manifest,
    normalize_metadata,
)
from arc_ttt.domain.errors import CheckpointCorruptedError, CheckpointNotFoundError


@dataclass
class _Stored:
    manifest: bytes | None
    files: dict[str, bytes] = field(default_factory=dict)


class InMemoryCheckpointStore:
    """A ``CheckpointStore`` in memory."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._stored: dict[str, dict[int, _Stored]] = {}
        self._last: dict[str, int] = {}  # highest version ever given, so deletes never free one

    def save(
        self, key: str, files: Mapping[str, bytes], metadata: Mapping[str, JsonValue] | None = None
    ) -> CheckpointInfo:
        validate_key(key)
        entries = describe_files(files)
        meta = normalize_metadata(metadata)
        copies = {e.name: bytes(files[e.name]) for e in entries}
        with self._lock:
            version = self._last.get(key, 0) + 1
            self._last[key] = version
            info = CheckpointInfo(key, version, self._clock(), meta, entries)
            self._stored.setdefault(key, {})[version] = _Stored(encode_manifest(info), copies)
        return info

    def load(self, key: str, version: int | None = None) -> Checkpoint:
        stored, version = self._get(key, version)
        assert stored.manifest is not None
        info = decode_manifest(stored.manifest, key, version)
        return read_checkpoint(info, stored.files.get)

    def load_latest_valid(self, key: str) -> tuple[Checkpoint, list[SkippedVersion]]:
        return newest_intact(key, reversed(self._committed(key)), lambda v: self.load(key, v))

    def versions(self, key: str) -> list[CheckpointInfo]:
        # Like the filesystem and S3 stores: only a damaged manifest hides a version; damaged
        # files are for load / verify to find.
        infos = []
        for version in self._committed(key):
            with self._lock:
                stored = self._stored.get(key, {}).get(version)
            if stored is None or stored.manifest is None:
                continue  # deleted meanwhile
            try:
                infos.append(decode_manifest(stored.manifest, key, version))
            except CheckpointCorruptedError:
                continue
        return infos

    def keys(self) -> list[str]:
        with self._lock:
            return sorted(
                k
                for k, vs in self._stored.items()
                if any(s.manifest is not None for s in vs.values())
            )

    def delete(self, key: str, version: int) -> None:
        validate_key(key)
        with self._lock:
            if self._stored.get(key, {}).pop(version, None) is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")

    def verify(self, key: str, version: int) -> VerificationReport:
        stored, version = self._get(key, version)
        assert stored.manifest is not None
        return verify_checkpoint(key, version, stored.manifest, stored.files.get)

    def put_raw(self, key: str, version: int, name: str, data: bytes | None) -> None:
        """Replace (``None``: remove) one stored file or the manifest, to simulate damage."""
        with self._lock:
            stored = self._stored[key][version]
            if name == MANIFEST_NAME:
                stored.manifest = data
            elif data is None:
                stored.files.pop(name, None)
            else:
                stored.files[name] = data

    def get_raw(self, key: str, version: int, name: str) -> bytes | None:
        """The stored bytes of one file or of the manifest, unchecked."""
        with self._lock:
            stored = self._stored[key][version]
            return stored.manifest if name == MANIFEST_NAME else stored.files.get(name)

    def _committed(self, key: str) -> list[int]:
        validate_key(key)
        with self._lock:
            return sorted(v for v, s in self._stored.get(key, {}).items() if s.manifest is not None)

    def _get(self, key: str, version: int | None) -> tuple[_Stored, int]:
        """A snapshot of one committed version (the newest when ``version`` is None)."""
        validate_key(key)
        with self._lock:
            versions = self._stored.get(key, {})
            if version is None:
                committed = [v for v, s in versions.items() if s.manifest is not None]
                if not committed:
                    raise CheckpointNotFoundError(f"checkpoint {key!r}: no version saved")
                version = max(committed)
            stored = versions.get(version)
            if stored is None or stored.manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            return _Stored(stored.manifest, dict(stored.files)), version
