"""``arc-ttt checkpoints`` use cases and store URLs, on the in-memory and filesystem stores."""

from __future__ import annotations

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.s3_store import S3CheckpointStore
from arc_ttt.adapters.store_url import open_store
from arc_ttt.application import checkpoints as use
from arc_ttt.domain.checkpoint_policy import RetentionPolicy
from arc_ttt.domain.errors import CheckpointNotFoundError, InvalidStoreUrlError


@pytest.fixture
def store():
    s = InMemoryCheckpointStore()
    for loss in (0.9, 0.2, 0.5, 0.7):
        s.save("run", {"w": str(loss).encode()}, {"loss": loss})
    s.save("other", {"x": b"1"})
    return s


def test_list_and_show(store):
    assert [(i.key, i.version) for i in use.list_checkpoints(store)] == [
        ("other", 1),
        ("run", 1),
        ("run", 2),
        ("run", 3),
        ("run", 4),
    ]
    newest = use.show_checkpoint(store, "run", None)
    assert newest.version == 4
    record = use.info_record(newest, files=True)
    assert record["files"][0]["name"] == "w" and len(record["files"][0]["sha256"]) == 64
    with pytest.raises(CheckpointNotFoundError, match="has no version 9 \\(it has 1, 2, 3, 4\\)"):
        use.show_checkpoint(store, "run", 9)
    with pytest.raises(CheckpointNotFoundError, match="no checkpoint under key 'nope'"):
        use.show_checkpoint(store, "nope", None)


def test_prune_keeps_last_and_best_and_dry_run_deletes_nothing(store):
    policy = RetentionPolicy(keep_last=1, keep_best=1, metric="loss", mode="min")
    [dry] = use.prune_checkpoints(store, policy, "run", dry_run=True)
    assert (dry.kept, dry.deleted) == ([2, 4], [1, 3])
    assert len(store.versions("run")) == 4
    [done] = use.prune_checkpoints(store, policy, "run")
    assert [i.version for i in store.versions("run")] == [2, 4] == done.kept


def test_verify_reports_every_version(store):
    reports = use.verify_checkpoints(store)
    assert len(reports) == 5 and all(r.ok for r in reports)
    assert [r.version for r in use.verify_checkpoints(store, "run", 3)] == [3]


def test_store_urls(tmp_path, monkeypatch):
    assert isinstance(open_store(str(tmp_path / "a")), FilesystemCheckpointStore)
    assert isinstance(open_store(f"file://{tmp_path / 'b'}"), FilesystemCheckpointStore)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    s3 = open_store("s3://bucket/some/prefix", endpoint_url="http://127.0.0.1:9")
    assert isinstance(s3, S3CheckpointStore) and s3.prefix == "some/prefix/"
    (tmp_path / "file").write_text("x")
    for url, reason in [
        ("", "empty"),
        ("ftp://host/x", "unknown scheme 'ftp'"),
        ("s3://", "no bucket"),
        ("s3://b/p?x=1", "no \\?query"),
        ("file://otherhost/x", "local path"),
        (str(tmp_path / "file"), "is a file"),
    ]:
        with pytest.raises(InvalidStoreUrlError, match=reason):
            open_store(url)
    with pytest.raises(InvalidStoreUrlError, match="no such folder"):
        open_store(str(tmp_path / "missing"), create=False)
