"""Use cases behind ``arc-ttt checkpoints``: list, show, verify and prune a checkpoint store."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arc_ttt.domain.checkpoint import (
    CheckpointInfo,
    JsonValue,
    VerificationReport,
    validate_key,
)
from arc_ttt.domain.checkpoint_policy import RetentionPolicy
from arc_ttt.domain.errors import CheckpointCorruptedError, CheckpointNotFoundError
from arc_ttt.ports.checkpoint_store import CheckpointStore


def info_record(info: CheckpointInfo, *, files: bool = False) -> dict[str, Any]:
    """A version as JSON-ready data; with ``files``, each file's size and sha256."""
    record: dict[str, Any] = {
        "key": info.key,
        "version": info.version,
        "created": info.created.isoformat(),
        "size": info.size,
        "files": len(info.files),
        "metadata": dict(info.metadata),
    }
    if files:
        record["files"] = [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in info.files]
    return record


def metadata_summary(metadata: Mapping[str, JsonValue], width: int = 80) -> str:
    """``k=v, ...`` on one line, keys sorted; nested values as JSON; cut to ``width`` chars."""
    parts = []
    for k, v in sorted(metadata.items()):
        text = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
        parts.append(f"{k}={text}")
    line = ", ".join(parts)
    return line if len(line) <= width else line[: width - 3] + "..."


def list_checkpoints(store: CheckpointStore, key: str | None = None) -> list[CheckpointInfo]:
    """Every committed version of ``key`` (or of every key), keys sorted, oldest version first.
    Raises ``CheckpointNotFoundError`` for a ``key`` with no version."""
    return [info for k in _keys(store, key) for info in store.versions(k)]


def show_checkpoint(store: CheckpointStore, key: str, version: int | None) -> CheckpointInfo:
    """One version's manifest (the newest when ``version`` is None). Raises
    ``CheckpointNotFoundError`` when there is none, ``CheckpointCorruptedError`` when its
    manifest cannot be read."""
    history = store.versions(key)
    if version is None:
        if history:
            return history[-1]
        _keys(store, key)  # no readable version: not found, or every manifest damaged
        raise CheckpointNotFoundError(f"key {key!r} has no version with a readable manifest")
    for info in history:
        if info.version == version:
            return info
    report = _verify_or_none(store, key, version)  # left out of versions(): damaged manifest?
    if report is not None and report.problems:
        p = report.problems[0]
        raise CheckpointCorruptedError(key, version, p.file, p.reason)
    known = ", ".join(str(i.version) for i in history) or "none readable"
    raise CheckpointNotFoundError(f"key {key!r} has no version {version} (it has {known})")


def verify_checkpoints(
    store: CheckpointStore, key: str | None = None, version: int | None = None
) -> list[VerificationReport]:
    """Check every file of one version, of every version of ``key``, or of the whole store.

    ``versions()`` leaves out versions whose manifest is damaged, so the numbers it skips are
    verified too: such a version is reported, not silently passed over.
    """
    if key is not None and version is not None:
        return [store.verify(key, version)]
    reports = []
    for k in _keys(store, key):
        listed = {i.version for i in store.versions(k)}
        for v in sorted(listed | _unlisted(store, k, listed)):
            report = _verify_or_none(store, k, v)
            if report is not None:
                reports.append(report)
    return reports


@dataclass(frozen=True)
class PruneResult:
    key: str
    kept: list[int]
    deleted: list[int]  # would be deleted, under dry_run
    damaged: list[int]  # failed verification, so never what the policy keeps


def prune_checkpoints(
    store: CheckpointStore,
    policy: RetentionPolicy,
    key: str | None = None,
    *,
    dry_run: bool = False,
) -> list[PruneResult]:
    """Apply ``policy`` to ``key`` (or to every key). Damaged versions are found by verifying
    first, so they are never what is kept; the newest valid version always stays, and when no
    version is valid nothing is deleted."""
    results = []
    for k in _keys(store, key):
        history = store.versions(k)
        damaged = [i.version for i in history if not store.verify(k, i.version).ok]
        doomed = policy.to_delete(history, damaged)
        if not dry_run:
            for version in doomed:
                try:
                    store.delete(k, version)
                except CheckpointNotFoundError:
                    continue  # deleted meanwhile by someone else: gone either way
        kept = [i.version for i in history if i.version not in doomed]
        results.append(PruneResult(k, kept, doomed, damaged))
    return results


def _keys(store: CheckpointStore, key: str | None) -> list[str]:
    if key is None:
        return store.keys()
    validate_key(key)  # a bad name is an InvalidCheckpointKeyError, not "not found"
    known = store.keys()
    if key not in known:
        raise CheckpointNotFoundError(f"no checkpoint under key {key!r}")
    return [key]


def _unlisted(store: CheckpointStore, key: str, listed: set[int]) -> set[int]:
    """Version numbers ``versions()`` may have left out for a damaged manifest: the gaps below
    the newest listed one, and the newer ones "load the latest valid" skips."""
    try:
        _, skipped = store.load_latest_valid(key)
        top = max(listed | {s.version for s in skipped}, default=0)
    except CheckpointNotFoundError:
        # Nothing intact: walk up past the listed ones until a number has no version at all.
        top = max(listed, default=0)
        while _verify_or_none(store, key, top + 1) is not None:
            top += 1
    return set(range(1, top + 1)) - listed


def _verify_or_none(store: CheckpointStore, key: str, version: int) -> VerificationReport | None:
    try:
        return store.verify(key, version)
    except CheckpointNotFoundError:
        return None  # deleted, or a save that never committed
