"""Checkpoints in an S3 bucket through boto3: AWS, MinIO, R2, or any endpoint URL.

Objects under ``<prefix>/<key>/v000007/``:

    claim               created first with a create-only put: whoever creates it owns version 7
    files/<name>        the checkpoint's files
    manifest.json       the commit record, created last, also create-only

S3 has no rename and no lock, so the create-only put (``If-None-Match: *``) does both jobs: two
writers that pick the same number cannot both create its claim, and the loser lists again and
takes the next one. The endpoint must honour ``If-None-Match`` on PutObject (AWS since 2024,
MinIO, R2, moto >= 5.0.x do); one that ignores it lets concurrent writers overwrite each other.
A claim without a manifest (a killed save) is invisible; ``delete`` keeps the claim so version
numbers are never reused. Nothing is written outside ``<prefix>/``.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from arc_ttt.domain.checkpoint import (
    Checkpoint,
    CheckpointInfo,
    JsonValue,
    SkippedVersion,
    VerificationReport,
    parse_version_dir,
    validate_key,
    version_dir,
)
from arc_ttt.domain.checkpoint_integrity import newest_intact, read_checkpoint, verify_checkpoint
from arc_ttt.domain.checkpoint_manifest import (
    MANIFEST_NAME,
    decode_manifest,
    describe_files,
    encode_manifest,
    normalize_metadata,
)
from arc_ttt.domain.errors import (
    CheckpointCorruptedError,
    CheckpointError,
    CheckpointNotFoundError,
    InvalidCheckpointKeyError,
    StoreUnavailableError,
)

_MISSING = {"NoSuchKey", "404", "NotFound"}
_MANIFEST_OBJECT = re.compile(r"(.+)/v\d{6,}/" + re.escape(MANIFEST_NAME))
_CLAIM_TRIES = 100  # each lost race moves on to a higher number, so this only bounds contention


class S3CheckpointStore:
    """A ``CheckpointStore`` in ``bucket`` under ``prefix``.

    ``endpoint_url`` selects a non-AWS endpoint (path-style addressing is then the default, which
    MinIO and local servers need). Credentials come from boto3's usual chain. botocore retries
    5xx, throttling and timeouts ``max_attempts`` times with exponential backoff; the create-only
    puts add their own retries, because a retried create may meet the object it made itself.
    Raises ``StoreUnavailableError`` when the endpoint or bucket cannot be used.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        addressing_style: Literal["auto", "path", "virtual"] | None = None,
        max_attempts: int = 5,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        backoff_s: float = 0.1,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if prefix.strip("/"):
            validate_key(prefix.strip("/"))
        self._bucket = bucket
        self._base = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._attempts = max_attempts
        self._backoff_s = backoff_s
        self._clock = clock or (lambda: datetime.now(UTC))
        style = addressing_style or ("path" if endpoint_url else "auto")
        config = Config(
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            s3={"addressing_style": style},
        )
        # A client (unlike a session) is thread-safe, so one per store serves every thread.
        self._s3 = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region_name, config=config
        )
        self._where = f"s3://{bucket}/{self._base}" + (
            f" at {endpoint_url}" if endpoint_url else ""
        )

    def save(
        self, key: str, files: Mapping[str, bytes], metadata: Mapping[str, JsonValue] | None = None
    ) -> CheckpointInfo:
        validate_key(key)
        entries = describe_files(files)
        meta = normalize_metadata(metadata)
        with self._translated(f"saving checkpoint {key!r}"):
            version = self._claim(key)
            for entry in entries:
                self._put(self._file(key, version, entry.name), files[entry.name])
            info = CheckpointInfo(key, version, self._clock(), meta, entries)
            if not self._create(self._object(key, version, MANIFEST_NAME), encode_manifest(info)):
                raise CheckpointError(
                    f"checkpoint {key!r} version {version}: another writer committed it; does "
                    f"{self._where} honour If-None-Match?"
                )
        return info

    def load(self, key: str, version: int | None = None) -> Checkpoint:
        validate_key(key)
        with self._translated(f"loading checkpoint {key!r}"):
            if version is None:
                version = self._latest(key)
            manifest = self._get(self._object(key, version, MANIFEST_NAME))
            if manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            info = decode_manifest(manifest, key, version)
            try:
                return read_checkpoint(info, lambda name: self._get(self._file(key, version, name)))
            except CheckpointCorruptedError:
                if self._get(self._object(key, version, MANIFEST_NAME)) is None:
                    raise CheckpointNotFoundError(
                        f"checkpoint {key!r} version {version}: deleted while loading"
                    ) from None
                raise

    def load_latest_valid(self, key: str) -> tuple[Checkpoint, list[SkippedVersion]]:
        validate_key(key)
        with self._translated(f"listing checkpoint {key!r}"):
            newest_first = sorted(self._allocated(key), reverse=True)
        return newest_intact(key, newest_first, lambda v: self.load(key, v))

    def versions(self, key: str) -> list[CheckpointInfo]:
        validate_key(key)
        infos = []
        with self._translated(f"listing checkpoint {key!r}"):
            for version in sorted(self._allocated(key)):
                data = self._get(self._object(key, version, MANIFEST_NAME))
                if data is None:
                    continue
                try:
                    infos.append(decode_manifest(data, key, version))
                except CheckpointCorruptedError:
                    continue  # listed by verify / load_latest_valid, not in the history
        return infos

    def keys(self) -> list[str]:
        found = set()
        with self._translated("listing checkpoints"):
            for name in self._list_names(self._base):
                match = _MANIFEST_OBJECT.fullmatch(name[len(self._base) :])
                if match is None:
                    continue
                try:
                    found.add(validate_key(match.group(1)))
                except InvalidCheckpointKeyError:
                    continue  # a checkpoint file that happens to be named like a manifest
        return sorted(found)

    def delete(self, key: str, version: int) -> None:
        validate_key(key)
        with self._translated(f"deleting checkpoint {key!r} version {version}"):
            manifest = self._object(key, version, MANIFEST_NAME)
            parts = list(self._list_names(self._object(key, version, "files/")))
            if self._get(manifest) is None and not parts:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            # Manifest first: the version disappears at once, whatever happens to the rest.
            self._s3.delete_object(Bucket=self._bucket, Key=manifest)
            for start in range(0, len(parts), 1000):  # DeleteObjects takes at most 1000 keys
                batch = [{"Key": name} for name in parts[start : start + 1000]]
                reply = self._s3.delete_objects(
                    Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True}
                )
                if reply.get("Errors"):
                    raise StoreUnavailableError(
                        f"{self._where}: delete failed: {reply['Errors'][0]}"
                    )

    def verify(self, key: str, version: int) -> VerificationReport:
        validate_key(key)
        with self._translated(f"verifying checkpoint {key!r} version {version}"):
            manifest = self._get(self._object(key, version, MANIFEST_NAME))
            if manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            return verify_checkpoint(
                key, version, manifest, lambda name: self._get(self._file(key, version, name))
            )

    def object_name(self, key: str, version: int, name: str) -> str:
        """The S3 object of one file (or of ``manifest.json``), for tools and tests."""
        validate_key(key)
        if name == MANIFEST_NAME:
            return self._object(key, version, name)
        return self._file(key, version, name)

    # -- object names -------------------------------------------------------------------------

    def _object(self, key: str, version: int, name: str) -> str:
        return f"{self._base}{key}/{version_dir(version)}/{name}"

    def _file(self, key: str, version: int, name: str) -> str:
        return self._object(key, version, f"files/{name}")

    # -- versions -----------------------------------------------------------------------------

    def _allocated(self, key: str) -> list[int]:
        """Every version number claimed under the key: committed, deleted or interrupted."""
        prefix = f"{self._base}{key}/"
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix, Delimiter="/"
        )
        versions = []
        for page in pages:
            for common in page.get("CommonPrefixes", []):
                version = parse_version_dir(common["Prefix"][len(prefix) :].rstrip("/"))
                if version is not None:
                    versions.append(version)
        return versions

    def _latest(self, key: str) -> int:
        for version in sorted(self._allocated(key), reverse=True):
            if self._get(self._object(key, version, MANIFEST_NAME)) is not None:
                return version
        raise CheckpointNotFoundError(f"checkpoint {key!r}: no version saved")

    def _claim(self, key: str) -> int:
        token = uuid.uuid4().hex.encode()
        for _ in range(_CLAIM_TRIES):
            version = max(self._allocated(key), default=0) + 1
            if self._create(self._object(key, version, "claim"), token):
                return version
        raise StoreUnavailableError(
            f"{self._where}: no free version for {key!r} after {_CLAIM_TRIES} tries"
        )

    # -- objects ------------------------------------------------------------------------------

    def _create(self, name: str, body: bytes) -> bool:
        """Create ``name`` only if it does not exist; True if ``body`` is now stored there by us."""
        for attempt in range(self._attempts):
            try:
                self._s3.put_object(Bucket=self._bucket, Key=name, Body=body, IfNoneMatch="*")
                return True
            except ClientError as e:
                status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if status == 412:
                    # Taken, perhaps by our own earlier attempt whose reply was lost: compare.
                    return self._get(name) == body
                # 409: a concurrent conditional write to the same name is still in flight.
                if (status != 409 and status < 500) or attempt == self._attempts - 1:
                    raise
            except (BotoConnectionError, HTTPClientError):
                if attempt == self._attempts - 1:
                    raise
            time.sleep(self._backoff_s * 2**attempt * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    def _put(self, name: str, body: bytes) -> None:
        self._s3.put_object(Bucket=self._bucket, Key=name, Body=body)

    def _get(self, name: str) -> bytes | None:
        try:
            reply: Any = self._s3.get_object(Bucket=self._bucket, Key=name)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        body: bytes = reply["Body"].read()
        return body

    def _list_names(self, prefix: str) -> Iterator[str]:
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                yield obj["Key"]

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        try:
            yield
        except ClientError as e:
            error = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
            raise StoreUnavailableError(
                f"{what}: {self._where}: {error.get('Code', '?')} (HTTP {status}): "
                f"{error.get('Message', e)}"
            ) from e
        except BotoCoreError as e:  # no connection, timeouts, no credentials
            raise StoreUnavailableError(f"{what}: {self._where}: {e}") from e
