"""Checkpoints: versioned sets of named byte files plus JSON metadata, and the names they live at.

A *key* names a line of checkpoints (``runs/abc/task-007bbfb7``); each save under it gets the next
*version* (1, 2, ...; never reused, even after a delete). Keys and file names become paths and
object names, so they are validated before any store touches them: nothing may escape the root.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from arc_ttt.domain.errors import InvalidCheckpointKeyError

JsonValue: TypeAlias = (
    bool | int | float | str | Sequence["JsonValue"] | Mapping[str, "JsonValue"] | None
)

MAX_NAME_CHARS = 512
MAX_COMPONENT_BYTES = 255  # the usual file name limit (ext4, APFS, NTFS)
# Version folders are `v000001`, `v000002`, ...; a key component of that shape would be ambiguous.
VERSION_DIR = re.compile(r"v(\d{6,})")
# Cc: control characters; Cf: invisible format characters (bidi overrides, zero-width);
# Cs: lone surrogates, which cannot be encoded as UTF-8.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs"}


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a checkpoint as the manifest records it."""

    name: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class CheckpointInfo:
    """What the manifest says about one committed version: no file contents."""

    key: str
    version: int
    created: datetime
    metadata: Mapping[str, JsonValue]
    files: tuple[FileEntry, ...]

    @property
    def size(self) -> int:
        """Total bytes of the checkpoint's files."""
        return sum(f.size for f in self.files)

    @property
    def file_names(self) -> list[str]:
        return [f.name for f in self.files]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A loaded, verified checkpoint: every file's bytes match the manifest."""

    info: CheckpointInfo
    files: Mapping[str, bytes]

    @property
    def key(self) -> str:
        return self.info.key

    @property
    def version(self) -> int:
        return self.info.version

    @property
    def metadata(self) -> Mapping[str, JsonValue]:
        return self.info.metadata


@dataclass(frozen=True, slots=True)
class SkippedVersion:
    """A version that "load the latest valid" passed over, and why."""

    version: int
    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileProblem:
    """One integrity problem of one file (or of the manifest)."""

    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The result of checking every file of one version against its manifest."""

    key: str
    version: int
    problems: tuple[FileProblem, ...]
    files_checked: int

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative name like ``runs/abc/task-1``.

    Raises ``InvalidCheckpointKeyError`` for: a non-string, an empty key or component, an absolute
    path, ``.`` or ``..``, a backslash, a control or invisible character, an over-long name, a
    component starting with ``.`` (reserved for the store's own files) or shaped like a version
    folder (``v000001``).
    """
    for part in _components(key, "key"):
        if part.startswith("."):
            raise InvalidCheckpointKeyError(key, f"component {part!r} starts with '.' (reserved)")
        if VERSION_DIR.fullmatch(part):
            raise InvalidCheckpointKeyError(key, f"component {part!r} looks like a version folder")
    return key


def validate_file_names(names: Iterable[str]) -> list[str]:
    """Return the names sorted if each is a safe relative path and none is a folder of another.

    File names follow the key rules except that components may start with ``.``; ``a`` and
    ``a/b`` cannot both be files. Raises ``InvalidCheckpointKeyError`` (``what="file name"``).
    """
    folders: set[str] = set()
    result = []
    for name in names:
        parts = _components(name, "file name")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        result.append(name)
    result.sort()
    for name in result:
        if name in folders:
            raise InvalidCheckpointKeyError(
                name, "is both a file and a folder of other files", what="file name"
            )
    return result


def version_dir(version: int) -> str:
    """The folder (or object prefix) name of a version: ``v000042``."""
    return f"v{version:06d}"


def parse_version_dir(name: str) -> int | None:
    """The version a folder name stands for, or ``None`` when it is not a version folder."""
    match = VERSION_DIR.fullmatch(name)
    return int(match.group(1)) if match else None


def _components(value: object, what: str) -> list[str]:
    if not isinstance(value, str):
        raise InvalidCheckpointKeyError(repr(value), "not a string", what=what)
    if not value:
        raise InvalidCheckpointKeyError(value, "empty", what=what)
    if len(value) > MAX_NAME_CHARS:
        raise InvalidCheckpointKeyError(
            value[:40] + "...", f"longer than {MAX_NAME_CHARS} characters", what=what
        )
    if value.startswith("/"):
        raise InvalidCheckpointKeyError(value, "absolute path", what=what)
    if "\\" in value:
        raise InvalidCheckpointKeyError(value, "backslash (separate with '/')", what=what)
    for ch in value:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise InvalidCheckpointKeyError(value, f"control character U+{ord(ch):04X}", what=what)
    parts = value.split("/")
    for part in parts:
        if not part:
            raise InvalidCheckpointKeyError(
                value, "empty component (leading, trailing or doubled '/')", what=what
            )
        if part in (".", ".."):
            raise InvalidCheckpointKeyError(value, f"{part!r} component", what=what)
        if len(part.encode("utf-8")) > MAX_COMPONENT_BYTES:
            raise InvalidCheckpointKeyError(
                value, f"component longer than {MAX_COMPONENT_BYTES} bytes", what=what
            )
    return parts
