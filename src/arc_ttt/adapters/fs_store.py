"""Checkpoints in a folder, safe against kills and concurrent writers (POSIX: needs ``fcntl``).

Layout under ``root``::

    .lock                               flock'ed while a version number is taken
    .tmp/<random>/files/...             a save in progress (or one killed mid-way: never read)
    <key>/v000007/files/<name>          the checkpoint's files
    <key>/v000007/manifest.json         the commit record, written last

A save writes and fsyncs its files in ``.tmp``, takes the lock, picks the next version, renames
the folder to ``<key>/v0000NN`` (atomic), releases the lock, then writes the manifest through a
temporary file, fsync and rename. A version folder without a manifest is invisible; a killed
save leaves at most such a folder or a ``.tmp`` entry, and never a half-visible checkpoint.
``delete`` removes the manifest first and keeps the empty version folder so the number is
never given out again.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from arc_ttt.adapters.durable_files import (
    exclusive,
    fsync_dir,
    makedirs,
    newest_change,
    read_or_none,
    translated,
    write_atomic,
    write_tree,
)
from arc_ttt.domain.checkpoint import (
    Checkpoint,
    CheckpointInfo,
    JsonValue,
    SkippedVersion,
    VerificationReport,
    parse_version_dir,
    validate_key,
    version_dir,
)
from arc_ttt.domain.checkpoint_integrity import newest_intact, read_checkpoint, verify_checkpoint
from arc_ttt.domain.checkpoint_manifest import (
    MANIFEST_NAME,
    decode_manifest,
    describe_files,
    encode_manifest,
    normalize_metadata,
)
from arc_ttt.domain.errors import (
    CheckpointCorruptedError,
    CheckpointNotFoundError,
    InvalidCheckpointKeyError,
)

FILES = "files"


class FilesystemCheckpointStore:
    """A ``CheckpointStore`` in the folder ``root`` (created if missing)."""

    def __init__(self, root: Path | str, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        with translated(f"checkpoint root {root}"):
            Path(root).mkdir(parents=True, exist_ok=True)
            self._root = Path(root).resolve(strict=True)
            (self._root / ".tmp").mkdir(exist_ok=True)
        self._tmp = self._root / ".tmp"

    @property
    def root(self) -> Path:
        return self._root

    def save(
        self, key: str, files: Mapping[str, bytes], metadata: Mapping[str, JsonValue] | None = None
    ) -> CheckpointInfo:
        key_dir = self._key_dir(key)
        entries = describe_files(files)
        meta = normalize_metadata(metadata)
        staging = self._tmp / uuid.uuid4().hex
        with translated(f"saving checkpoint {key!r} in {self._root}"):
            try:
                write_tree(staging / FILES, files)
                with exclusive(self._root / ".lock"):
                    version = max(self._allocated(key_dir), default=0) + 1
                    makedirs(key_dir, self._root)
                    target = key_dir / version_dir(version)
                    os.rename(staging, target)
                    fsync_dir(key_dir)
                    fsync_dir(self._tmp)
            finally:
                shutil.rmtree(staging, ignore_errors=True)  # a no-op once renamed
            info = CheckpointInfo(key, version, self._clock(), meta, entries)
            try:
                write_atomic(target / MANIFEST_NAME, encode_manifest(info))
            except OSError:  # e.g. a full disk: the version was never visible; free its space
                shutil.rmtree(target, ignore_errors=True)
                raise
        return info

    def load(self, key: str, version: int | None = None) -> Checkpoint:
        key_dir = self._key_dir(key)
        with translated(f"loading checkpoint {key!r} from {self._root}"):
            if version is None:
                version = self._latest(key, key_dir)
            target = key_dir / version_dir(version)
            manifest = read_or_none(target / MANIFEST_NAME)
            if manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            info = decode_manifest(manifest, key, version)
            try:
                return read_checkpoint(info, lambda name: read_or_none(target / FILES / name))
            except CheckpointCorruptedError:
                if not (target / MANIFEST_NAME).exists():  # deleted while we read
                    raise CheckpointNotFoundError(
                        f"checkpoint {key!r} version {version}: deleted while loading"
                    ) from None
                raise

    def load_latest_valid(self, key: str) -> tuple[Checkpoint, list[SkippedVersion]]:
        key_dir = self._key_dir(key)
        with translated(f"listing checkpoint {key!r} in {self._root}"):
            newest_first = sorted(self._allocated(key_dir), reverse=True)
        return newest_intact(key, newest_first, lambda v: self.load(key, v))

    def versions(self, key: str) -> list[CheckpointInfo]:
        key_dir = self._key_dir(key)
        infos = []
        with translated(f"listing checkpoint {key!r} in {self._root}"):
            for version in sorted(self._allocated(key_dir)):
                data = read_or_none(key_dir / version_dir(version) / MANIFEST_NAME)
                if data is None:
                    continue
                try:
                    infos.append(decode_manifest(data, key, version))
                except CheckpointCorruptedError:
                    continue  # listed by verify / load_latest_valid, not in the history
        return infos

    def keys(self) -> list[str]:
        with translated(f"listing checkpoints in {self._root}"):
            keys = {d.parent for d in self._version_dirs() if (d / MANIFEST_NAME).exists()}
        return sorted(k.relative_to(self._root).as_posix() for k in keys)

    def delete(self, key: str, version: int) -> None:
        target = self._key_dir(key) / version_dir(version)
        with translated(f"deleting checkpoint {key!r} version {version}"):
            if not (target / MANIFEST_NAME).exists() and not (target / FILES).exists():
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            # Manifest first: the version disappears at once, whatever happens to the rest.
            (target / MANIFEST_NAME).unlink(missing_ok=True)
            fsync_dir(target)
            shutil.rmtree(target / FILES, ignore_errors=True)
            (target / (MANIFEST_NAME + ".tmp")).unlink(missing_ok=True)

    def verify(self, key: str, version: int) -> VerificationReport:
        target = self._key_dir(key) / version_dir(version)
        with translated(f"verifying checkpoint {key!r} version {version}"):
            manifest = read_or_none(target / MANIFEST_NAME)
            if manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            return verify_checkpoint(
                key, version, manifest, lambda n: read_or_none(target / FILES / n)
            )

    def sweep(self, older_than_s: float = 3600.0) -> list[Path]:
        """Remove what killed saves left behind (staging folders, files of versions that never
        got a manifest) once it is ``older_than_s`` seconds old; returns what was removed.

        The age guard spares saves still in progress in other processes. Committed versions are
        never touched, and emptied version folders stay so their numbers are not reused.
        """
        cutoff = time.time() - older_than_s
        removed = []
        with translated(f"sweeping {self._root}"):
            candidates = list(self._tmp.iterdir())
            for folder in self._version_dirs():
                if not (folder / MANIFEST_NAME).exists():
                    candidates += [folder / FILES, folder / (MANIFEST_NAME + ".tmp")]
            for path in candidates:
                if not os.path.lexists(path) or newest_change(path) >= cutoff:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
        return sorted(removed)

    def version_path(self, key: str, version: int) -> Path:
        """The folder of one version (for tools and tests that inspect the layout)."""
        return self._key_dir(key) / version_dir(version)

    def _key_dir(self, key: str) -> Path:
        validate_key(key)
        path = (self._root / key).resolve()
        # The name rules keep keys inside; this also catches a symlink planted under the root.
        if not path.is_relative_to(self._root):
            raise InvalidCheckpointKeyError(key, f"resolves outside the store's root {self._root}")
        return path

    def _allocated(self, key_dir: Path) -> list[int]:
        """Every version number given out under the key: committed, deleted or interrupted."""
        try:
            names = os.listdir(key_dir)
        except (FileNotFoundError, NotADirectoryError):
            return []
        return [v for v in map(parse_version_dir, names) if v is not None]

    def _latest(self, key: str, key_dir: Path) -> int:
        for version in sorted(self._allocated(key_dir), reverse=True):
            if (key_dir / version_dir(version) / MANIFEST_NAME).exists():
                return version
        raise CheckpointNotFoundError(f"checkpoint {key!r}: no version saved")

    def _version_dirs(self) -> Iterator[Path]:
        """Every version folder under the root, committed or not (never descending into one)."""
        for folder, dirs, _ in os.walk(self._root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]  # .tmp: the store's own
            for d in dirs:
                if parse_version_dir(d) is not None and folder != str(self._root):
                    yield Path(folder) / d
            dirs[:] = [d for d in dirs if parse_version_dir(d) is None]
