"""A checkpoint store named on the command line: a path, ``file://PATH`` or ``s3://BUCKET/PREFIX``."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from arc_ttt.domain.errors import InvalidStoreUrlError
from arc_ttt.ports.checkpoint_store import CheckpointStore


def open_store(
    url: str, *, endpoint_url: str | None = None, create: bool = True
) -> CheckpointStore:
    """The store ``url`` names. S3 takes ``endpoint_url`` (or ``AWS_ENDPOINT_URL``) and the usual
    AWS credential chain; ``create=False`` refuses a local folder that does not exist yet.
    Raises ``InvalidStoreUrlError`` naming the URL and what is wrong."""
    if not url or not url.strip():
        raise InvalidStoreUrlError(url, "empty store URL")
    if "://" not in url:
        return _filesystem(url, url, create)
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise InvalidStoreUrlError(
                url, f"file URLs name a local path, not host {parts.netloc!r}"
            )
        if not parts.path:
            raise InvalidStoreUrlError(url, "no path after file://")
        return _filesystem(url, parts.path, create)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise InvalidStoreUrlError(url, "no bucket: use s3://BUCKET[/PREFIX]")
        if parts.query or parts.fragment:
            raise InvalidStoreUrlError(url, "s3 URLs take no ?query or #fragment")
        from arc_ttt.adapters.s3_store import S3CheckpointStore  # noqa: PLC0415 - boto3 is heavy

        endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        return S3CheckpointStore(parts.netloc, parts.path.strip("/"), endpoint_url=endpoint)
    raise InvalidStoreUrlError(
        url, f"unknown scheme {parts.scheme!r}; use a path, file:// or s3://"
    )


def _filesystem(url: str, path: str, create: bool) -> CheckpointStore:
    from arc_ttt.adapters.fs_store import FilesystemCheckpointStore  # noqa: PLC0415

    folder = Path(path).expanduser()
    if not create and not folder.exists():
        raise InvalidStoreUrlError(url, f"no store at {folder} (no such folder)")
    if folder.exists() and not folder.is_dir():
        raise InvalidStoreUrlError(url, f"{folder} is a file, not a store folder")
    return FilesystemCheckpointStore(folder)
