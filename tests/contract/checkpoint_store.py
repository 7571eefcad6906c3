"""The contract every ``CheckpointStore`` keeps: memory, filesystem and S3 alike.

Subclass ``CheckpointStoreContract`` once per adapter, override the ``store`` fixture, and
implement ``corrupt`` (damage one stored file or the manifest the way a crash or a bad disk
would) and ``stray`` (whatever the store left outside its root or prefix).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Literal

import pytest

from arc_ttt.domain.checkpoint_manifest import MANIFEST_NAME
from arc_ttt.domain.errors import (
    CheckpointCorruptedError,
    CheckpointNotFoundError,
    InvalidCheckpointDataError,
    InvalidCheckpointKeyError,
)
from arc_ttt.ports.checkpoint_store import CheckpointStore

Damage = Literal["flip", "truncate", "delete"]

KEY = "runs/abc/task-007bbfb7"
FILES = {
    "adapter/adapter_model.safetensors": bytes(range(256)) * 4,
    "adapter/adapter_config.json": b'{"r": 8}',
    "optimizer.bin": b"\x00\x01" * 300,
    "empty": b"",
    "ñame with spaces.txt": "é".encode(),
}
METADATA = {"step": 20, "loss": 0.3125, "tags": ["ttt", "lora"], "nested": {"a": None, "b": True}}

BAD_KEYS = [
    "",
    "/abs/path",
    "../escape",
    "runs/../../escape",
    "runs/..",
    "./runs",
    "runs/./x",
    "runs//x",
    "runs/",
    "runs\\x",
    "..\\escape",
    "runs/\x00x",
    "runs/a\nb",
    "runs/\x1b[31m",
    "runs/\u202eevil",  # right-to-left override: shows one name, is another
    ".hidden",
    "runs/v000001",  # would be read as a version folder
    "x" * 300,
    "a/" * 300 + "a",
]
BAD_FILE_NAMES = ["", "/etc/passwd", "../outside", "a/../../b", "a//b", "a\\b", "bell\x07", "a/"]


def payload(i: int) -> dict[str, bytes]:
    """Distinct content per save, so a mixed-up version shows."""
    seed = hashlib.sha256(str(i).encode()).digest()
    return {"weights.bin": seed * 64, "state/step.txt": str(i).encode()}


def damaged(data: bytes, how: Damage) -> bytes | None:
    """``data`` after a flipped byte (in the middle), a truncation (to half) or a deletion."""
    if how == "delete":
        return None
    if how == "truncate":
        return data[: len(data) // 2]
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


class CheckpointStoreContract:
    @pytest.fixture
    def store(self) -> Iterator[CheckpointStore]:
        raise NotImplementedError

    def corrupt(
        self, store: CheckpointStore, key: str, version: int, name: str, how: Damage
    ) -> None:
        """Damage file ``name`` (or ``manifest.json``) of a stored version in place."""
        raise NotImplementedError

    def stray(self, store: CheckpointStore) -> list[str]:
        """Paths or objects the store wrote outside its root or prefix (should be none)."""
        return []

    # -- saving and loading --------------------------------------------------------------------

    def test_is_a_checkpoint_store(self, store: CheckpointStore) -> None:
        assert isinstance(store, CheckpointStore)

    def test_round_trip_keeps_bytes_and_metadata(self, store: CheckpointStore) -> None:
        info = store.save(KEY, FILES, METADATA)
        loaded = store.load(KEY, info.version)
        assert dict(loaded.files) == FILES
        assert dict(loaded.metadata) == METADATA
        assert loaded.info == info
        assert info.key == KEY
        assert info.version == 1
        assert info.size == sum(len(b) for b in FILES.values())
        assert sorted(info.file_names) == sorted(FILES)

    def test_metadata_reads_back_as_json(self, store: CheckpointStore) -> None:
        info = store.save(KEY, {}, {"pair": (1, 2), "nothing": None})
        assert info.metadata == {"pair": [1, 2], "nothing": None}
        assert store.load(KEY).metadata == info.metadata
        assert store.load(KEY).files == {}

    def test_file_names_like_the_stores_own_are_just_files(self, store: CheckpointStore) -> None:
        files = {
            "manifest.json": b"not the manifest",
            "claim": b"c",
            "files/inner": b"i",
            "v000001/x": b"v",
            ".hidden": b"h",
        }
        store.save(KEY, files, {"n": 1})
        assert dict(store.load(KEY).files) == files
        assert store.verify(KEY, 1).ok
        assert store.keys() == [KEY]

    def test_versions_increase_and_latest_is_newest(self, store: CheckpointStore) -> None:
        saved = [store.save(KEY, payload(i), {"i": i}) for i in range(3)]
        assert [s.version for s in saved] == [1, 2, 3]
        assert dict(store.load(KEY).files) == payload(2)
        assert dict(store.load(KEY, 2).files) == payload(1)
        assert store.load(KEY, None).version == 3

    def test_history_lists_versions_oldest_first(self, store: CheckpointStore) -> None:
        for i in range(3):
            store.save(KEY, payload(i), {"i": i, "loss": 1.0 / (i + 1)})
        history = store.versions(KEY)
        assert [h.version for h in history] == [1, 2, 3]
        assert [h.metadata["i"] for h in history] == [0, 1, 2]
        assert all(isinstance(h.created, datetime) and h.created.tzinfo for h in history)
        assert [h.created for h in history] == sorted(h.created for h in history)
        assert all(h.size == sum(len(b) for b in payload(0).values()) for h in history)
        assert store.versions("runs/never-saved") == []

    def test_keys_are_independent_and_listed(self, store: CheckpointStore) -> None:
        store.save("runs/a", payload(1))
        store.save("runs/a/child", payload(2))
        store.save("other", payload(3))
        assert store.keys() == ["other", "runs/a", "runs/a/child"]
        assert dict(store.load("runs/a").files) == payload(1)
        assert dict(store.load("runs/a/child").files) == payload(2)
        assert [v.version for v in store.versions("runs/a")] == [1]

    def test_missing_key_or_version_is_not_found(self, store: CheckpointStore) -> None:
        with pytest.raises(CheckpointNotFoundError):
            store.load("runs/none")
        store.save(KEY, payload(0))
        with pytest.raises(CheckpointNotFoundError):
            store.load(KEY, 2)
        with pytest.raises(CheckpointNotFoundError):
            store.verify(KEY, 7)
        with pytest.raises(CheckpointNotFoundError):
            store.load_latest_valid("runs/none")

    # -- deleting ------------------------------------------------------------------------------

    def test_delete_removes_one_version_and_never_frees_its_number(
        self, store: CheckpointStore
    ) -> None:
        for i in range(3):
            store.save(KEY, payload(i))
        store.delete(KEY, 3)
        store.delete(KEY, 1)
        assert [v.version for v in store.versions(KEY)] == [2]
        assert store.load(KEY).version == 2
        with pytest.raises(CheckpointNotFoundError):
            store.load(KEY, 3)
        with pytest.raises(CheckpointNotFoundError):
            store.delete(KEY, 3)
        assert store.save(KEY, payload(9)).version == 4

    def test_deleting_every_version_removes_the_key(self, store: CheckpointStore) -> None:
        store.save(KEY, payload(0))
        store.delete(KEY, 1)
        assert store.keys() == []
        with pytest.raises(CheckpointNotFoundError):
            store.load(KEY)

    # -- names ---------------------------------------------------------------------------------

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_key_is_refused_everywhere_and_writes_nothing(
        self, store: CheckpointStore, key: str
    ) -> None:
        with pytest.raises(InvalidCheckpointKeyError):
            store.save(key, payload(0))
        for call in (store.load, store.versions, store.load_latest_valid):
            with pytest.raises(InvalidCheckpointKeyError):
                call(key)
        for call2 in (store.delete, store.verify):
            with pytest.raises(InvalidCheckpointKeyError):
                call2(key, 1)
        assert store.keys() == []
        assert self.stray(store) == []

    @pytest.mark.parametrize("name", BAD_FILE_NAMES)
    def test_bad_file_name_is_refused_and_writes_nothing(
        self, store: CheckpointStore, name: str
    ) -> None:
        with pytest.raises(InvalidCheckpointKeyError):
            store.save(KEY, {"good.bin": b"x", name: b"y"})
        assert store.keys() == []
        assert self.stray(store) == []

    def test_file_and_folder_of_the_same_name_are_refused(self, store: CheckpointStore) -> None:
        with pytest.raises(InvalidCheckpointKeyError, match="both a file and a folder"):
            store.save(KEY, {"a": b"1", "a/b": b"2"})
        assert store.keys() == []

    def test_content_that_is_not_bytes_or_json_is_refused(self, store: CheckpointStore) -> None:
        with pytest.raises(InvalidCheckpointDataError):
            store.save(KEY, {"x": "text, not bytes"})  # type: ignore[dict-item]
        with pytest.raises(InvalidCheckpointDataError):
            store.save(KEY, {"x": b""}, {"when": object()})  # type: ignore[dict-item]
        assert store.keys() == []

    # -- integrity -----------------------------------------------------------------------------

    @pytest.mark.parametrize("how", ["flip", "truncate", "delete"])
    @pytest.mark.parametrize("name", ["adapter/adapter_model.safetensors", "ñame with spaces.txt"])
    def test_damaged_file_is_detected(self, store: CheckpointStore, name: str, how: Damage) -> None:
        store.save(KEY, FILES, METADATA)
        self.corrupt(store, KEY, 1, name, how)
        with pytest.raises(CheckpointCorruptedError) as caught:
            store.load(KEY, 1)
        err = caught.value
        assert (err.key, err.version, err.file) == (KEY, 1, name)
        assert {"flip": "changed", "truncate": "truncated", "delete": "missing"}[how] in err.reason
        assert name in str(err)
        with pytest.raises(CheckpointCorruptedError):
            store.load(KEY)  # latest is that version: no silent fallback

    @pytest.mark.parametrize("how", ["flip", "truncate"])
    def test_damaged_manifest_is_detected(self, store: CheckpointStore, how: Damage) -> None:
        store.save(KEY, FILES, METADATA)
        self.corrupt(store, KEY, 1, MANIFEST_NAME, how)
        with pytest.raises(CheckpointCorruptedError) as caught:
            store.load(KEY, 1)
        assert caught.value.file == MANIFEST_NAME
        assert store.versions(KEY) == []  # the history shows only what can be trusted
        report = store.verify(KEY, 1)
        assert not report.ok
        assert report.problems[0].file == MANIFEST_NAME

    def test_version_without_manifest_is_invisible(self, store: CheckpointStore) -> None:
        store.save(KEY, payload(1))
        store.save(KEY, payload(2))
        self.corrupt(store, KEY, 2, MANIFEST_NAME, "delete")  # as if killed before the commit
        assert store.load(KEY).version == 1
        assert [v.version for v in store.versions(KEY)] == [1]
        checkpoint, skipped = store.load_latest_valid(KEY)
        assert (checkpoint.version, skipped) == (1, [])
        assert store.save(KEY, payload(3)).version == 3

    def test_verify_reports_every_problem(self, store: CheckpointStore) -> None:
        store.save(KEY, FILES, METADATA)
        report = store.verify(KEY, 1)
        assert report.ok
        assert (report.key, report.version, report.files_checked) == (KEY, 1, len(FILES))
        self.corrupt(store, KEY, 1, "optimizer.bin", "truncate")
        self.corrupt(store, KEY, 1, "adapter/adapter_config.json", "delete")
        report = store.verify(KEY, 1)
        assert not report.ok
        assert {p.file for p in report.problems} == {"optimizer.bin", "adapter/adapter_config.json"}

    def test_load_latest_valid_falls_back_and_reports_what_it_skipped(
        self, store: CheckpointStore
    ) -> None:
        for i in range(4):
            store.save(KEY, payload(i), {"i": i})
        self.corrupt(store, KEY, 4, "weights.bin", "flip")
        self.corrupt(store, KEY, 3, "state/step.txt", "delete")
        checkpoint, skipped = store.load_latest_valid(KEY)
        assert checkpoint.version == 2
        assert dict(checkpoint.files) == payload(1)
        assert [(s.version, s.file) for s in skipped] == [(4, "weights.bin"), (3, "state/step.txt")]
        assert "changed" in skipped[0].reason
        assert "missing" in skipped[1].reason

    def test_load_latest_valid_with_nothing_intact_names_what_it_skipped(
        self, store: CheckpointStore
    ) -> None:
        store.save(KEY, payload(0))
        self.corrupt(store, KEY, 1, "weights.bin", "truncate")
        with pytest.raises(CheckpointNotFoundError, match=r"version 1: weights\.bin"):
            store.load_latest_valid(KEY)

    # -- concurrency ---------------------------------------------------------------------------

    def test_concurrent_saves_from_threads_lose_nothing(self, store: CheckpointStore) -> None:
        threads, per_thread = 6, 4
        saved: dict[int, int] = {}  # version -> payload id
        lock = threading.Lock()
        errors: list[BaseException] = []

        def work(t: int) -> None:
            try:
                for j in range(per_thread):
                    i = t * per_thread + j
                    info = store.save(KEY, payload(i), {"i": i})
                    with lock:
                        saved[info.version] = i
            except BaseException as e:
                errors.append(e)

        workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert errors == []
        assert sorted(saved) == list(range(1, threads * per_thread + 1))
        for version, i in saved.items():
            loaded = store.load(KEY, version)
            assert dict(loaded.files) == payload(i)
            assert loaded.metadata == {"i": i}
