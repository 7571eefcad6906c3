"""The manifest: a version's commit record, written last, checked first.

A version exists once its manifest exists. The manifest is JSON (sorted keys, 2-space indent)::

    {
      "checksum": "<sha256 of this file's bytes with this value replaced by 64 zeros>",
      "created": "2025-01-31T12:00:00.000000+00:00",
      "files": {"adapter/model.safetensors": {"sha256": "<hex>", "size": 1234}},
      "format": 1,
      "key": "runs/abc/task-007bbfb7",
      "metadata": {"step": 20, "loss": 0.31},
      "version": 7
    }

The self-checksum covers the exact bytes, so any flipped byte of the manifest is caught, and
the per-file sha256 and size catch any flipped, truncated or missing file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from arc_ttt.domain.checkpoint import (
    CheckpointInfo,
    FileEntry,
    JsonValue,
    validate_file_names,
    validate_key,
)
from arc_ttt.domain.errors import (
    CheckpointCorruptedError,
    InvalidCheckpointDataError,
    InvalidCheckpointKeyError,
)

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
_FIELDS = {"checksum", "created", "files", "format", "key", "metadata", "version"}
# sort_keys + indent=2 put the checksum first, at a fixed offset: no parsing needed to find it.
_PREFIX = b'{\n  "checksum": "'
_ZEROS = b"0" * 64
_HEX64 = re.compile(r"[0-9a-f]{64}")


def describe_files(files: Mapping[str, bytes]) -> tuple[FileEntry, ...]:
    """The manifest entries (sorted by name) for ``files``; validates names and content types."""
    names = validate_file_names(files)
    entries = []
    for name in names:
        data = files[name]
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InvalidCheckpointDataError(
                f"file {name!r}: content is {type(data).__name__}, not bytes"
            )
        entries.append(FileEntry(name, hashlib.sha256(data).hexdigest(), memoryview(data).nbytes))
    return tuple(entries)


def normalize_metadata(metadata: Mapping[str, JsonValue] | None) -> dict[str, JsonValue]:
    """``metadata`` as it will read back (tuples become lists); refuses what JSON cannot hold."""
    if metadata is None:
        return {}
    try:
        normalized: dict[str, JsonValue] = json.loads(json.dumps(dict(metadata)))
    except (TypeError, ValueError) as e:
        raise InvalidCheckpointDataError(f"metadata is not JSON: {e}") from e
    return normalized


def encode_manifest(info: CheckpointInfo) -> bytes:
    """The manifest bytes for ``info`` (which ``decode_manifest`` turns back into ``info``)."""
    body = {
        "checksum": _ZEROS.decode(),
        "created": info.created.isoformat(timespec="microseconds"),
        "files": {f.name: {"sha256": f.sha256, "size": f.size} for f in info.files},
        "format": MANIFEST_FORMAT,
        "key": info.key,
        "metadata": info.metadata,
        "version": info.version,
    }
    data = json.dumps(body, indent=2, sort_keys=True).encode("ascii") + b"\n"
    digest = hashlib.sha256(data).hexdigest().encode("ascii")
    return _PREFIX + digest + data[len(_PREFIX) + 64 :]


def decode_manifest(data: bytes, key: str, version: int) -> CheckpointInfo:
    """Check and parse the manifest found at ``key``/``version``.

    Raises ``CheckpointCorruptedError`` (file ``manifest.json``) when the bytes are not exactly
    what a writer produced, or describe another key or version.
    """

    def corrupt(reason: str) -> CheckpointCorruptedError:
        return CheckpointCorruptedError(key, version, MANIFEST_NAME, reason)

    start, end = len(_PREFIX), len(_PREFIX) + 64
    if not data.startswith(_PREFIX) or len(data) < end:
        raise corrupt("not a checkpoint manifest (bad header or truncated)")
    stored = data[start:end]
    if hashlib.sha256(data[:start] + _ZEROS + data[end:]).hexdigest().encode() != stored:
        raise corrupt("checksum mismatch (the manifest was changed or truncated)")
    try:
        obj = json.loads(data.decode("ascii"))
        return _parse(obj, key, version)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        # Only reachable for a manifest this code did not write (the checksum matched).
        raise corrupt(f"malformed: {e}") from e


def _parse(obj: Any, key: str, version: int) -> CheckpointInfo:
    if not isinstance(obj, dict) or set(obj) != _FIELDS:
        raise ValueError(f"fields must be {sorted(_FIELDS)}")
    if obj["format"] != MANIFEST_FORMAT:
        raise ValueError(f"format {obj['format']!r}; this arc_ttt reads {MANIFEST_FORMAT}")
    if obj["key"] != key or obj["version"] != version:
        raise ValueError(f"describes {obj['key']!r} version {obj['version']!r}")
    if not isinstance(obj["metadata"], dict) or not isinstance(obj["files"], dict):
        raise ValueError("metadata and files must be objects")
    created = datetime.fromisoformat(obj["created"])
    try:
        validate_key(key)
        names = validate_file_names(obj["files"])
    except InvalidCheckpointKeyError as e:
        raise ValueError(str(e)) from e
    entries = []
    for name in names:
        spec = obj["files"][name]
        sha, size = spec["sha256"], spec["size"]
        if not isinstance(sha, str) or not _HEX64.fullmatch(sha):
            raise ValueError(f"file {name!r}: bad sha256")
        if type(size) is not int or size < 0:
            raise ValueError(f"file {name!r}: bad size")
        entries.append(FileEntry(name, sha, size))
    return CheckpointInfo(key, version, created, obj["metadata"], tuple(entries))
