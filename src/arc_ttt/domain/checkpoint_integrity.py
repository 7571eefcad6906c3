"""Reading a checkpoint back: every file against its manifest entry, and falling back past bad ones.

Stores supply the raw bytes (``None`` for a missing file); the checks live here so every store
detects the same problems with the same words.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from arc_ttt.domain.checkpoint import (
    Checkpoint,
    CheckpointInfo,
    FileEntry,
    FileProblem,
    SkippedVersion,
    VerificationReport,
)
from arc_ttt.domain.checkpoint_manifest import decode_manifest
from arc_ttt.domain.errors import CheckpointCorruptedError, CheckpointNotFoundError

FileReader = Callable[[str], bytes | None]


def file_problem(entry: FileEntry, data: bytes | None) -> str | None:
    """What is wrong with ``data`` as the content of ``entry``, or ``None`` when it matches."""
    if data is None:
        return "missing"
    if len(data) != entry.size:
        what = "truncated" if len(data) < entry.size else "too long"
        return f"{what}: {len(data)} bytes, manifest says {entry.size}"
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        return "content changed: sha256 differs from the manifest"
    return None


def read_checkpoint(info: CheckpointInfo, read: FileReader) -> Checkpoint:
    """The checkpoint ``info`` describes, with each file from ``read``.

    Raises ``CheckpointCorruptedError`` at the first file that is missing or differs.
    """
    files: dict[str, bytes] = {}
    for entry in info.files:
        data = read(entry.name)
        problem = file_problem(entry, data)
        if problem is not None:
            raise CheckpointCorruptedError(info.key, info.version, entry.name, problem)
        assert data is not None  # file_problem reports a missing file
        files[entry.name] = data
    return Checkpoint(info, files)


def verify_checkpoint(
    key: str, version: int, manifest: bytes, read: FileReader
) -> VerificationReport:
    """Check the manifest and every file (not only the first bad one) of one version."""
    try:
        info = decode_manifest(manifest, key, version)
    except CheckpointCorruptedError as e:
        return VerificationReport(key, version, (FileProblem(e.file, e.reason),), 0)
    problems = []
    for entry in info.files:
        problem = file_problem(entry, read(entry.name))
        if problem is not None:
            problems.append(FileProblem(entry.name, problem))
    return VerificationReport(key, version, tuple(problems), len(info.files))


def newest_intact(
    key: str, newest_first: Iterable[int], load: Callable[[int], Checkpoint]
) -> tuple[Checkpoint, list[SkippedVersion]]:
    """Load versions newest first until one is intact; report the corrupted ones passed over.

    A version that vanished meanwhile (deleted by another process) is passed over silently.
    Raises ``CheckpointNotFoundError`` when no version is intact, naming what was skipped.
    """
    skipped: list[SkippedVersion] = []
    for version in newest_first:
        try:
            return load(version), skipped
        except CheckpointCorruptedError as e:
            skipped.append(SkippedVersion(version, e.file, e.reason))
        except CheckpointNotFoundError:
            continue
    detail = "; ".join(f"version {s.version}: {s.file}: {s.reason}" for s in skipped)
    raise CheckpointNotFoundError(
        f"checkpoint {key!r}: no intact version" + (f" (skipped {detail})" if skipped else "")
    )
