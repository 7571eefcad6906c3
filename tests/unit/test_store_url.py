"""Store URLs: a path, ``file://PATH`` or ``s3://BUCKET/PREFIX``; a bad one names itself."""

from __future__ import annotations

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.s3_store import S3CheckpointStore
from arc_ttt.adapters.store_url import open_store
from arc_ttt.domain.errors import InvalidStoreUrlError


@pytest.fixture
def aws_env(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def test_paths_and_file_urls_open_a_filesystem_store(tmp_path, monkeypatch):
    plain = open_store(str(tmp_path / "a"))
    assert isinstance(plain, FilesystemCheckpointStore) and plain.root == (tmp_path / "a").resolve()
    assert open_store(f"file://{tmp_path / 'b'}").root == (tmp_path / "b").resolve()
    assert open_store(f"file://localhost{tmp_path / 'c'}").root == (tmp_path / "c").resolve()
    assert open_store(f"file://{tmp_path}/with%20space").root == (tmp_path / "with space").resolve()
    monkeypatch.chdir(tmp_path)
    assert open_store("relative/store").root == (tmp_path / "relative" / "store").resolve()


def test_s3_urls_take_bucket_prefix_and_endpoint(aws_env, monkeypatch):
    s3 = open_store("s3://bucket/some/prefix/", endpoint_url="http://127.0.0.1:9")
    assert isinstance(s3, S3CheckpointStore) and s3.prefix == "some/prefix/"
    assert open_store("s3://bucket").prefix == ""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert "127.0.0.1:9" in open_store("s3://my.bucket-1/p").bucket.where


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ftp://host/x", "unknown scheme 'ftp'"),
        ("s3://", "no bucket"),
        ("s3:///prefix", "no bucket"),
        ("s3://b/p?x=1", "no \\?query"),
        ("s3://Bad_Bucket/p", "bad bucket name 'Bad_Bucket'"),
        ("s3://ab/p", "bad bucket name"),
        ("s3://user@bucket/p", "bad bucket name"),
        ("s3://bucket/a/../b", "bad prefix 'a/../b'"),
        ("s3://bucket/runs/.hidden", "bad prefix"),
        ("file://otherhost/x", "local path, not host 'otherhost'"),
        ("file://", "no path"),
    ],
)
def test_bad_urls_name_the_url_and_the_problem(url, reason, aws_env):
    with pytest.raises(InvalidStoreUrlError, match=reason) as caught:
        open_store(url)
    assert str(caught.value).startswith(f"store URL {url!r}: ")
    assert "\n" not in str(caught.value)


def test_bad_endpoint_is_refused_before_boto3_sees_it(aws_env):
    with pytest.raises(InvalidStoreUrlError, match="endpoint 'localhost:9000' is not an http"):
        open_store("s3://bucket/p", endpoint_url="localhost:9000")


def test_folders_that_cannot_be_stores(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidStoreUrlError, match="is a file, not a store folder"):
        open_store(str(tmp_path / "file"))
    with pytest.raises(InvalidStoreUrlError, match="no such folder"):
        open_store(str(tmp_path / "missing"), create=False)
    assert not (tmp_path / "missing").exists()
