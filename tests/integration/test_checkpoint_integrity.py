"""Every single-byte change and every truncation of a saved checkpoint is caught on load.

Exhaustive over a small checkpoint on disk: each byte of each file and of the manifest, flipped
in each of its bits and inverted whole; each file cut to each shorter length, and grown by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.domain.errors import CheckpointCorruptedError, CheckpointNotFoundError

KEY = "runs/integrity/task-1"
FILES = {"weights.safetensors": bytes(range(48)), "config/adapter.json": b'{"r": 8, "alpha": 16}'}
METADATA = {"step": 40, "loss": 0.25, "note": "ünïcode"}
MASKS = [1 << bit for bit in range(8)] + [0xFF]


@pytest.fixture
def saved(tmp_path: Path) -> tuple[FilesystemCheckpointStore, list[Path]]:
    store = FilesystemCheckpointStore(tmp_path / "store")
    store.save(KEY, FILES, METADATA)
    folder = store.version_path(KEY, 1)
    return store, [folder / "manifest.json", *(folder / "files" / n for n in FILES)]


def variants(data: bytes) -> Iterator[bytes]:
    for pos in range(len(data)):
        for mask in MASKS:
            yield data[:pos] + bytes([data[pos] ^ mask]) + data[pos + 1 :]
    for length in range(len(data)):
        yield data[:length]
    yield data + b"\0"


def assert_detected(store: FilesystemCheckpointStore, *, everywhere: bool = False) -> None:
    """``load`` refuses; with ``everywhere``, so do ``verify`` and ``load_latest_valid`` (they
    share ``load``'s checks, so checking them on a sample keeps the test quick)."""
    with pytest.raises(CheckpointCorruptedError):
        store.load(KEY, 1)
    if everywhere:
        assert not store.verify(KEY, 1).ok
        with pytest.raises(CheckpointNotFoundError, match="no intact version"):
            store.load_latest_valid(KEY)


def test_every_byte_change_and_truncation_is_detected(
    saved: tuple[FilesystemCheckpointStore, list[Path]],
) -> None:
    store, paths = saved
    checked = 0
    for path in paths:
        original = path.read_bytes()
        for damaged in variants(original):
            path.write_bytes(damaged)
            assert_detected(store, everywhere=checked % 20 == 0)
            checked += 1
        path.write_bytes(original)
    assert dict(store.load(KEY, 1).files) == FILES  # restored: the checks were not vacuous
    assert checked == sum(10 * p.stat().st_size + 1 for p in paths)


def test_each_missing_file_is_detected(
    saved: tuple[FilesystemCheckpointStore, list[Path]],
) -> None:
    store, paths = saved
    for path in paths[1:]:
        original = path.read_bytes()
        path.unlink()
        assert_detected(store, everywhere=True)
        path.write_bytes(original)
    assert store.verify(KEY, 1).ok
