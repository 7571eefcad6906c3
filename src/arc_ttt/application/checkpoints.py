"""Use cases behind ``arc-ttt checkpoints``: list, show, verify and prune a checkpoint store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arc_ttt.domain.checkpoint import CheckpointInfo, VerificationReport
from arc_ttt.domain.checkpoint_policy import RetentionPolicy
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


def list_checkpoints(store: CheckpointStore, key: str | None = None) -> list[CheckpointInfo]:
    """Every committed version of ``key`` (or of every key), keys sorted, oldest version first."""
    keys = [key] if key is not None else store.keys()
    return [info for k in keys for info in store.versions(k)]


def show_checkpoint(store: CheckpointStore, key: str, version: int | None) -> CheckpointInfo:
    """One version's manifest (the newest when ``version`` is None); CheckpointNotFoundError
    when there is none."""
    from arc_ttt.domain.errors import CheckpointNotFoundError  # noqa: PLC0415

    history = store.versions(key)
    if not history:
        raise CheckpointNotFoundError(f"no checkpoint under key {key!r}")
    if version is None:
        return history[-1]
    for info in history:
        if info.version == version:
            return info
    known = ", ".join(str(i.version) for i in history)
    raise CheckpointNotFoundError(f"key {key!r} has no version {version} (it has {known})")


def verify_checkpoints(
    store: CheckpointStore, key: str | None = None, version: int | None = None
) -> list[VerificationReport]:
    """Check every file of one version, of every version of ``key``, or of the whole store."""
    if key is not None and version is not None:
        return [store.verify(key, version)]
    return [store.verify(i.key, i.version) for i in list_checkpoints(store, key)]


@dataclass(frozen=True)
class PruneResult:
    key: str
    kept: list[int]
    deleted: list[int]  # would be deleted, under dry_run


def prune_checkpoints(
    store: CheckpointStore,
    policy: RetentionPolicy,
    key: str | None = None,
    *,
    dry_run: bool = False,
) -> list[PruneResult]:
    """Apply ``policy`` to ``key`` (or to every key). Damaged versions are found by verifying
    first, so they are never what is kept; the newest valid version always stays."""
    results = []
    for k in [key] if key is not None else store.keys():
        history = store.versions(k)
        corrupted = [i.version for i in history if not store.verify(k, i.version).ok]
        doomed = policy.to_delete(history, corrupted)
        if not dry_run:
            for version in doomed:
                store.delete(k, version)
        kept = [i.version for i in history if i.version not in doomed]
        results.append(PruneResult(k, kept, doomed))
    return results
