"""A checkpoint store named on the command line: a path, ``file://PATH`` or ``s3://BUCKET/PREFIX``."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from arc_ttt.domain.checkpoint import validate_key
from arc_ttt.domain.errors import InvalidCheckpointKeyError, InvalidStoreUrlError
from arc_ttt.ports.checkpoint_store import CheckpointStore

# S3's bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens, letter or digit at
# both ends. Checked here so a typo is a one-line error, not a botocore traceback.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


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
        return _filesystem(url, unquote(parts.path), create)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise InvalidStoreUrlError(url, "no bucket: use s3://BUCKET[/PREFIX]")
        if parts.query or parts.fragment:
            raise InvalidStoreUrlError(url, "s3 URLs take no ?query or #fragment")
        if not _BUCKET.fullmatch(parts.netloc) or ".." in parts.netloc:
            raise InvalidStoreUrlError(
                url,
                f"bad bucket name {parts.netloc!r} (3-63 lowercase letters, digits, '.' and '-')",
            )
        prefix = parts.path.strip("/")
        try:
            if prefix:
                validate_key(prefix)
        except InvalidCheckpointKeyError as e:
            raise InvalidStoreUrlError(url, f"bad prefix {prefix!r}: {e.reason}") from e
        from arc_ttt.adapters.s3_store import S3CheckpointStore  # noqa: PLC0415 - boto3 is heavy

        endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        if endpoint is not None:
            _check_endpoint(url, endpoint)
        return S3CheckpointStore(parts.netloc, prefix, endpoint_url=endpoint)
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


def _check_endpoint(url: str, endpoint: str) -> None:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidStoreUrlError(
            url, f"endpoint {endpoint!r} is not an http:// or https:// URL with a host"
        )
