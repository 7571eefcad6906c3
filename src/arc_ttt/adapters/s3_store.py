"""Checkpoints in an S3 bucket through boto3: AWS, MinIO, R2, or any endpoint URL.

Objects under ``<prefix>/<key>/v000007/``:

    claim               created first with a create-only put: whoever creates it owns version 7
    files/<name>        the checkpoint's files
    manifest.json       the commit record, created last, also create-only

S3 has no rename and no lock, so the create-only put (``If-None-Match: *``) does both jobs: two
writers that pick the same number cannot both create its claim, and the loser lists again and
takes the next one. The endpoint must honour ``If-None-Match`` on PutObject (AWS since 2024,
MinIO, R2 and moto 5 do); one that ignores it lets concurrent writers overwrite each other.
A claim without a manifest (a killed save) is invisible; ``delete`` keeps the claim so version
numbers are never reused. Nothing is written outside ``<prefix>/``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from arc_ttt.adapters.s3_bucket import S3Bucket
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

_MANIFEST_OBJECT = re.compile(r"(.+)/v\d{6,}/" + re.escape(MANIFEST_NAME))
_CLAIM_TRIES = 100  # each lost race moves on to a higher number; this only bounds contention


class S3CheckpointStore:
    """A ``CheckpointStore`` in ``bucket`` under ``prefix`` (a key-like path, or empty).

    ``connection`` goes to ``S3Bucket``: ``endpoint_url``, ``region_name``, ``addressing_style``,
    ``max_attempts``, ``connect_timeout``, ``read_timeout``, ``backoff_s``, ``session``.
    Raises ``StoreUnavailableError`` when the endpoint or bucket cannot be used.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        clock: Callable[[], datetime] | None = None,
        **connection: Any,
    ) -> None:
        prefix = prefix.strip("/")
        if prefix:
            validate_key(prefix)
        self.bucket = S3Bucket(bucket, **connection)
        self.prefix = prefix + "/" if prefix else ""
        self._clock = clock or (lambda: datetime.now(UTC))

    def save(
        self, key: str, files: Mapping[str, bytes], metadata: Mapping[str, JsonValue] | None = None
    ) -> CheckpointInfo:
        validate_key(key)
        entries = describe_files(files)
        meta = normalize_metadata(metadata)
        with self.bucket.translated(f"saving checkpoint {key!r}"):
            version = self._claim(key)
            for entry in entries:
                self.bucket.put(self.object_name(key, version, entry.name), files[entry.name])
            info = CheckpointInfo(key, version, self._clock(), meta, entries)
            if not self.bucket.create(self.manifest_name(key, version), encode_manifest(info)):
                raise CheckpointError(
                    f"checkpoint {key!r} version {version}: another writer committed it; does "
                    f"{self.bucket.where} honour If-None-Match?"
                )
        return info

    def load(self, key: str, version: int | None = None) -> Checkpoint:
        validate_key(key)
        with self.bucket.translated(f"loading checkpoint {key!r}"):
            if version is None:
                version = self._latest(key)
            manifest = self.bucket.get(self.manifest_name(key, version))
            if manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            info = decode_manifest(manifest, key, version)
            try:
                return read_checkpoint(
                    info, lambda name: self.bucket.get(self.object_name(key, version, name))
                )
            except CheckpointCorruptedError:
                if self.bucket.get(self.manifest_name(key, version)) is None:
                    raise CheckpointNotFoundError(
                        f"checkpoint {key!r} version {version}: deleted while loading"
                    ) from None
                raise

    def load_latest_valid(self, key: str) -> tuple[Checkpoint, list[SkippedVersion]]:
        validate_key(key)
        with self.bucket.translated(f"listing checkpoint {key!r}"):
            newest_first = sorted(self._allocated(key), reverse=True)
        return newest_intact(key, newest_first, lambda v: self.load(key, v))

    def versions(self, key: str) -> list[CheckpointInfo]:
        validate_key(key)
        infos = []
        with self.bucket.translated(f"listing checkpoint {key!r}"):
            for version in sorted(self._allocated(key)):
                data = self.bucket.get(self.manifest_name(key, version))
                if data is None:
                    continue
                try:
                    infos.append(decode_manifest(data, key, version))
                except CheckpointCorruptedError:
                    continue  # listed by verify / load_latest_valid, not in the history
        return infos

    def keys(self) -> list[str]:
        found = set()
        with self.bucket.translated("listing checkpoints"):
            for name in self.bucket.names(self.prefix):
                match = _MANIFEST_OBJECT.fullmatch(name[len(self.prefix) :])
                if match is None:
                    continue
                try:
                    found.add(validate_key(match.group(1)))
                except InvalidCheckpointKeyError:
                    continue  # a checkpoint file that happens to be named like a manifest
        return sorted(found)

    def delete(self, key: str, version: int) -> None:
        validate_key(key)
        with self.bucket.translated(f"deleting checkpoint {key!r} version {version}"):
            manifest = self.manifest_name(key, version)
            parts = list(self.bucket.names(self._version(key, version) + "files/"))
            if self.bucket.get(manifest) is None and not parts:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            # Manifest first: the version disappears at once, whatever happens to the rest.
            self.bucket.delete([manifest])
            self.bucket.delete(parts)

    def verify(self, key: str, version: int) -> VerificationReport:
        validate_key(key)
        with self.bucket.translated(f"verifying checkpoint {key!r} version {version}"):
            manifest = self.bucket.get(self.manifest_name(key, version))
            if manifest is None:
                raise CheckpointNotFoundError(f"checkpoint {key!r} version {version}: not found")
            return verify_checkpoint(
                key, version, manifest, lambda n: self.bucket.get(self.object_name(key, version, n))
            )

    def object_name(self, key: str, version: int, name: str) -> str:
        """The object holding file ``name`` of a version."""
        return self._version(key, version) + "files/" + name

    def manifest_name(self, key: str, version: int) -> str:
        """The object holding a version's manifest."""
        return self._version(key, version) + MANIFEST_NAME

    def claim_name(self, key: str, version: int) -> str:
        """The object whose creation gave a writer the version number."""
        return self._version(key, version) + "claim"

    def _version(self, key: str, version: int) -> str:
        return f"{self.prefix}{key}/{version_dir(version)}/"

    def _allocated(self, key: str) -> list[int]:
        """Every version number claimed under the key: committed, deleted or interrupted."""
        folders = self.bucket.folders(f"{self.prefix}{key}/")
        return [v for v in map(parse_version_dir, folders) if v is not None]

    def _latest(self, key: str) -> int:
        for version in sorted(self._allocated(key), reverse=True):
            if self.bucket.get(self.manifest_name(key, version)) is not None:
                return version
        raise CheckpointNotFoundError(f"checkpoint {key!r}: no version saved")

    def _claim(self, key: str) -> int:
        token = uuid.uuid4().hex.encode()  # tells our claim from another writer's on a retry
        for _ in range(_CLAIM_TRIES):
            version = max(self._allocated(key), default=0) + 1
            if self.bucket.create(self.claim_name(key, version), token):
                return version
        raise StoreUnavailableError(
            f"{self.bucket.where}: no free version for {key!r} after {_CLAIM_TRIES} tries"
        )
