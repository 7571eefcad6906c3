"""One S3 bucket through boto3: get, put, create-only put, list, delete; botocore errors become
``StoreUnavailableError``. Works with AWS and any endpoint URL (MinIO, R2, moto)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from arc_ttt.domain.errors import StoreUnavailableError

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Bucket:
    """``bucket`` at ``endpoint_url`` (AWS when omitted; path-style addressing is then the default
    elsewhere, as MinIO and local servers need). Credentials come from boto3's usual chain, or
    from ``session`` (a boto3 Session: a profile, or models loaded once for many stores).

    botocore retries 5xx, throttling and timeouts ``max_attempts`` times with exponential backoff
    (standard mode). ``create`` adds its own retries around the create-only put, see there.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        addressing_style: Literal["auto", "path", "virtual"] | None = None,
        max_attempts: int = 5,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        backoff_s: float = 0.1,
        session: boto3.session.Session | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        self.name = bucket
        self.where = f"s3://{bucket}" + (f" at {endpoint_url}" if endpoint_url else "")
        self._attempts = max_attempts
        self._backoff_s = backoff_s
        config = Config(
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            s3={"addressing_style": addressing_style or ("path" if endpoint_url else "auto")},
        )
        # A client (unlike a session) is thread-safe: one serves every thread of the store.
        self.client: Any = (session or boto3.session.Session()).client(
            "s3", endpoint_url=endpoint_url, region_name=region_name, config=config
        )

    def get(self, name: str) -> bytes | None:
        """The object's bytes, or ``None`` when there is no such object."""
        try:
            reply = self.client.get_object(Bucket=self.name, Key=name)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        body: bytes = reply["Body"].read()
        return body

    def put(self, name: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=name, Body=body)

    def create(self, name: str, body: bytes) -> bool:
        """Create ``name`` only if it does not exist (``If-None-Match: *``).

        True when ``body`` is now stored there by this call, False when another writer had
        created it. A 412 after a lost reply (the first try did land) is told apart by reading
        the object back; a 409 (a concurrent create in flight), 5xx or a dropped connection is
        retried with exponential backoff and jitter.
        """
        for attempt in range(self._attempts):
            last = attempt == self._attempts - 1
            try:
                self.client.put_object(Bucket=self.name, Key=name, Body=body, IfNoneMatch="*")
                return True
            except ClientError as e:
                status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if status == 412:
                    return self.get(name) == body
                if (status != 409 and status < 500) or last:
                    raise
            except (BotoConnectionError, HTTPClientError):
                if last:
                    raise
            time.sleep(self._backoff_s * 2**attempt * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def names(self, prefix: str) -> Iterator[str]:
        """Every object name under ``prefix``."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                yield obj["Key"]

    def folders(self, prefix: str) -> Iterator[str]:
        """The names of the "folders" right under ``prefix`` (``prefix`` ending in ``/``)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix, Delimiter="/"
        )
        for page in pages:
            for common in page.get("CommonPrefixes", []):
                yield common["Prefix"][len(prefix) :].rstrip("/")

    def delete(self, names: list[str]) -> None:
        for start in range(0, len(names), 1000):  # DeleteObjects takes at most 1000 names
            batch = [{"Key": n} for n in names[start : start + 1000]]
            reply = self.client.delete_objects(
                Bucket=self.name, Delete={"Objects": batch, "Quiet": True}
            )
            if reply.get("Errors"):
                raise StoreUnavailableError(f"{self.where}: delete failed: {reply['Errors'][0]}")

    @contextmanager
    def translated(self, what: str) -> Iterator[None]:
        """Turn botocore's errors into ``StoreUnavailableError`` naming the bucket and endpoint."""
        try:
            yield
        except ClientError as e:
            error = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
            raise StoreUnavailableError(
                f"{what}: {self.where}: {error.get('Code', '?')} (HTTP {status}): "
                f"{error.get('Message', e)}"
            ) from e
        except BotoCoreError as e:  # no connection, timeouts, no credentials
            raise StoreUnavailableError(f"{what}: {self.where}: {e}") from e
