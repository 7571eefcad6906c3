"""The checkpoint store contract, run against memory, a folder, and S3 over HTTP (moto)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from checkpoint_store import KEY, CheckpointStoreContract, Damage, damaged, payload

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.s3_store import S3CheckpointStore
from arc_ttt.domain.checkpoint_manifest import MANIFEST_NAME
from arc_ttt.domain.errors import StoreUnavailableError
from arc_ttt.ports.checkpoint_store import CheckpointStore
from moto_s3 import moto_server

BUCKET = "arc-ttt-checkpoints"


class TestInMemoryCheckpointStore(CheckpointStoreContract):
    @pytest.fixture
    def store(self) -> Iterator[CheckpointStore]:
        yield InMemoryCheckpointStore()

    def corrupt(
        self, store: CheckpointStore, key: str, version: int, name: str, how: Damage
    ) -> None:
        assert isinstance(store, InMemoryCheckpointStore)
        data = store.get_raw(key, version, name)
        assert data is not None
        store.put_raw(key, version, name, damaged(data, how))


class TestFilesystemCheckpointStore(CheckpointStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[CheckpointStore]:
        yield FilesystemCheckpointStore(tmp_path / "store")

    def corrupt(
        self, store: CheckpointStore, key: str, version: int, name: str, how: Damage
    ) -> None:
        assert isinstance(store, FilesystemCheckpointStore)
        folder = store.version_path(key, version)
        path = folder / name if name == MANIFEST_NAME else folder / "files" / name
        data = damaged(path.read_bytes(), how)
        if data is None:
            path.unlink()
        else:
            path.write_bytes(data)

    def stray(self, store: CheckpointStore) -> list[str]:
        assert isinstance(store, FilesystemCheckpointStore)
        outside = store.root.parent
        return sorted(str(p) for p in outside.rglob("*") if not p.is_relative_to(store.root))

    def test_a_symlink_out_of_the_root_is_refused(self, tmp_path: Path) -> None:
        store = FilesystemCheckpointStore(tmp_path / "store")
        (tmp_path / "elsewhere").mkdir()
        (store.root / "runs").symlink_to(tmp_path / "elsewhere")
        with pytest.raises(Exception, match="outside the store's root"):
            store.save("runs/x", payload(0))
        assert list((tmp_path / "elsewhere").iterdir()) == []

    def test_sweep_removes_only_old_leftovers_of_killed_saves(self, tmp_path: Path) -> None:
        store = FilesystemCheckpointStore(tmp_path / "store")
        store.save(KEY, payload(1))
        store.save(KEY, payload(2))
        (store.version_path(KEY, 2) / "manifest.json").unlink()  # killed before the commit
        staging = store.root / ".tmp" / "killed"
        (staging / "files").mkdir(parents=True)
        (staging / "files" / "weights.bin").write_bytes(b"partial")
        assert store.sweep(older_than_s=3600) == []  # too fresh: maybe a save in progress
        removed = store.sweep(older_than_s=-1)
        assert removed == sorted([staging, store.version_path(KEY, 2) / "files"])
        assert not staging.exists()
        assert store.verify(KEY, 1).ok
        assert store.save(KEY, payload(3)).version == 3

    def test_a_root_that_is_a_file_is_unavailable(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_bytes(b"")
        with pytest.raises(StoreUnavailableError):
            FilesystemCheckpointStore(tmp_path / "file")

    def test_a_broken_staging_area_is_unavailable_and_commits_nothing(self, tmp_path: Path) -> None:
        store = FilesystemCheckpointStore(tmp_path / "store")
        (store.root / ".tmp").rmdir()
        (store.root / ".tmp").write_bytes(b"not a folder")  # as a full or read-only disk would
        with pytest.raises(StoreUnavailableError, match=r"saving checkpoint .*\.tmp"):
            store.save(KEY, payload(0))
        assert store.keys() == []


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server for the whole session (``moto_s3.moto_server``: fake credentials, and
    create-only puts decided atomically as AWS, MinIO and R2 do)."""
    with moto_server(BUCKET) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def boto_session(s3_endpoint: str) -> boto3.session.Session:
    """One session for all stores: building a client from a fresh one reloads botocore's models."""
    return boto3.session.Session()


def _bucket(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


class TestS3CheckpointStore(CheckpointStoreContract):
    @pytest.fixture
    def store(self, s3_endpoint: str, boto_session: Any) -> Iterator[CheckpointStore]:
        # A fresh prefix per test: tests share the bucket, never each other's objects.
        yield S3CheckpointStore(
            BUCKET,
            f"tests/{uuid.uuid4().hex}/store",
            endpoint_url=s3_endpoint,
            region_name="us-east-1",
            session=boto_session,
        )

    def corrupt(
        self, store: CheckpointStore, key: str, version: int, name: str, how: Damage
    ) -> None:
        assert isinstance(store, S3CheckpointStore)
        s3 = store.bucket.client  # the same endpoint and credentials, without the adapter's checks
        if name == MANIFEST_NAME:
            obj = store.manifest_name(key, version)
        else:
            obj = store.object_name(key, version, name)
        data = damaged(s3.get_object(Bucket=BUCKET, Key=obj)["Body"].read(), how)
        if data is None:
            s3.delete_object(Bucket=BUCKET, Key=obj)
        else:
            s3.put_object(Bucket=BUCKET, Key=obj, Body=data)

    def stray(self, store: CheckpointStore) -> list[str]:
        assert isinstance(store, S3CheckpointStore)
        # Look next to the prefix (other tests own other prefixes) and at the bucket's top.
        beside = store.prefix.removesuffix("store/")
        names = list(store.bucket.names(""))
        return sorted(
            n
            for n in names
            if (n.startswith(beside) or not n.startswith("tests/"))
            and not n.startswith(store.prefix)
        )

    def test_a_missing_bucket_is_unavailable(self, s3_endpoint: str) -> None:
        store = S3CheckpointStore(
            "no-such-bucket", endpoint_url=s3_endpoint, region_name="us-east-1"
        )
        with pytest.raises(StoreUnavailableError, match="NoSuchBucket"):
            store.save(KEY, payload(0))
        with pytest.raises(StoreUnavailableError, match="NoSuchBucket"):
            store.load(KEY)

    def test_an_unreachable_endpoint_is_unavailable(self) -> None:
        store = S3CheckpointStore(
            BUCKET,
            endpoint_url="http://127.0.0.1:9",  # the discard port: nothing listens
            region_name="us-east-1",
            max_attempts=2,
            connect_timeout=0.5,
            backoff_s=0.01,
        )
        with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1:9"):
            store.save(KEY, payload(0))
        with pytest.raises(StoreUnavailableError):
            store.keys()

    def test_a_version_claimed_by_another_writer_is_skipped(self, store: CheckpointStore) -> None:
        assert isinstance(store, S3CheckpointStore)
        store.save(KEY, payload(1))
        # Another writer claimed version 2 and died before writing anything else.
        store.bucket.client.put_object(Bucket=BUCKET, Key=store.claim_name(KEY, 2), Body=b"other")
        assert store.save(KEY, payload(3)).version == 3
        assert [v.version for v in store.versions(KEY)] == [1, 3]

    def test_a_create_whose_reply_was_lost_still_commits(self, store: CheckpointStore) -> None:
        """The manifest reaches S3 but the reply is a 500: botocore's retry then meets a 412 on
        an object holding exactly our bytes, which is success, not a conflict."""
        assert isinstance(store, S3CheckpointStore)
        manifest = store.manifest_name(KEY, 1)
        lost: list[str] = []

        def write_then_fail(request: Any, **_: Any) -> AWSResponse | None:
            if lost or not request.url.endswith(quote(manifest)):
                return None
            body = request.body if isinstance(request.body, bytes) else request.body.read()
            _bucket(store.bucket.client.meta.endpoint_url).put_object(
                Bucket=BUCKET, Key=manifest, Body=body
            )
            lost.append(manifest)
            return AWSResponse(request.url, 500, {}, _EmptyBody())

        events = store.bucket.client.meta.events
        events.register_first("before-send.s3.PutObject", write_then_fail)
        try:
            info = store.save(KEY, payload(5), {"i": 5})
        finally:
            events.unregister("before-send.s3.PutObject", write_then_fail)
        assert lost == [manifest]
        assert dict(store.load(KEY, info.version).files) == payload(5)


class _EmptyBody:
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield b""
