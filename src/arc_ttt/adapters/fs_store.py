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

import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

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
    StoreUnavailableError,
)

FILES = "files"


class FilesystemCheckpointStore:
    """A ``CheckpointStore`` in the folder ``root`` (created if missing)."""

    def __init__(self, root: Path | str, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        with _translated(f"checkpoint root {root}"):
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
        with _translated(f"saving checkpoint {key!r} in {self._root}"):
            staging = self._stage(files)
            try:
                with self._exclusive():
                    version = max(self._allocated(key_dir), default=0) + 1
                    _makedirs_durable(key_dir, self._root)
                    target = key_dir / version_dir(version)
                    os.rename(staging, target)
                    _fsync_dir(key_dir)
                    _fsync_dir(self._tmp)
            finally:
                shutil.rmtree(staging, ignore_errors=True)  # a no-op once renamed
            info = CheckpointInfo(key, version, self._clock(), meta, entries)
            _write_durable(target / MANIFEST_NAME, encode_manifest(info))
        return info

    def load(self, key: str, version: int | None = None) -> Checkpoint:
        key_dir = self._key_dir(key)
        with _translated(f"loading checkpoint {key!r} from {self._root}"):
            if version is None:
                version = self._latest(key, key_dir)
            target = key_dir / version_dir(version)
            manifest = _read(target / MANIFEST_NAME)
            if manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            info = decode_manifest(manifest, key, version)
            try:
                return read_checkpoint(info, lambda name: _read(target / FILES / name))
            except CheckpointCorruptedError:
                if not (target / MANIFEST_NAME).exists():  # deleted while we read
                    raise CheckpointNotFoundError(
                        f"checkpoint {key!r} version {version}: deleted while loading"
                    ) from None
                raise

    def load_latest_valid(self, key: str) -> tuple[Checkpoint, list[SkippedVersion]]:
        key_dir = self._key_dir(key)
        newest_first = sorted(self._allocated(key_dir), reverse=True)
        return newest_intact(key, newest_first, lambda v: self.load(key, v))

    def versions(self, key: str) -> list[CheckpointInfo]:
        key_dir = self._key_dir(key)
        infos = []
        with _translated(f"listing checkpoint {key!r} in {self._root}"):
            for version in sorted(self._allocated(key_dir)):
                data = _read(key_dir / version_dir(version) / MANIFEST_NAME)
                if data is None:
                    continue
                try:
                    infos.append(decode_manifest(data, key, version))
                except CheckpointCorruptedError:
                    continue  # listed by verify / load_latest_valid, not in the history
        return infos

    def keys(self) -> list[str]:
        found = []
        with _translated(f"listing checkpoints in {self._root}"):
            for folder, dirs, _ in os.walk(self._root):
                here = Path(folder)
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                versions = [d for d in dirs if parse_version_dir(d) is not None]
                if here != self._root and any(
                    (here / v / MANIFEST_NAME).exists() for v in versions
                ):
                    found.append(here.relative_to(self._root).as_posix())
                dirs[:] = [d for d in dirs if parse_version_dir(d) is None]
        return sorted(found)

    def delete(self, key: str, version: int) -> None:
        target = self._key_dir(key) / version_dir(version)
        with _translated(f"deleting checkpoint {key!r} version {version}"):
            if not (target / MANIFEST_NAME).exists() and not (target / FILES).exists():
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            # Manifest first: the version disappears at once, whatever happens to the rest.
            (target / MANIFEST_NAME).unlink(missing_ok=True)
            _fsync_dir(target)
            shutil.rmtree(target / FILES, ignore_errors=True)
            (target / (MANIFEST_NAME + ".tmp")).unlink(missing_ok=True)

    def verify(self, key: str, version: int) -> VerificationReport:
        target = self._key_dir(key) / version_dir(version)
        with _translated(f"verifying checkpoint {key!r} version {version}"):
            manifest = _read(target / MANIFEST_NAME)
            if manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            return verify_checkpoint(key, version, manifest, lambda n: _read(target / FILES / n))

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

    def _stage(self, files: Mapping[str, bytes]) -> Path:
        staging = self._tmp / uuid.uuid4().hex
        (staging / FILES).mkdir(parents=True)
        try:
            for name, data in files.items():
                path = staging / FILES / name
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
            for folder, _, _ in os.walk(staging, topdown=False):
                _fsync_dir(Path(folder))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return staging

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        # flock locks belong to the open file description, so threads of one process that each
        # open the file exclude each other too; the kernel drops the lock if the process dies.
        fd = os.open(self._root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _write_durable(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a reader sees all of it or no file."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _makedirs_durable(path: Path, root: Path) -> None:
    """Create ``path`` and its missing parents below ``root``, making each new entry durable."""
    missing = []
    while path != root and not path.is_dir():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
        _fsync_dir(folder.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _translated(what: str) -> Iterator[None]:
    try:
        yield
    except OSError as e:
        where = f" ({e.filename})" if e.filename else ""
        raise StoreUnavailableError(f"{what}: {e.strerror or e}{where}") from e
