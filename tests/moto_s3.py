"""moto's S3 server over HTTP on a free localhost port, with fake credentials, for tests that
talk to S3 as a user's program does (boto3 in this process, or the installed ``arc-ttt``)."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto.s3.responses import S3Response
from moto.server import ThreadedMotoServer

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@contextmanager
def moto_server(*buckets: str) -> Iterator[str]:
    """Start the server with ``buckets`` made, the credentials in the environment; yields the
    endpoint URL (``http://127.0.0.1:PORT``).

    moto (5.2) honours ``If-None-Match: *`` on PutObject but checks and writes without a lock, so
    two simultaneous creates could both succeed, where AWS, MinIO and R2 decide atomically; its
    PutObject handler is serialised here to give the semantics the store relies on."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(S3Response, "put_object", _serialized(S3Response.put_object))
        for name, value in CREDENTIALS.items():
            mp.setenv(name, value)
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        mp.delenv("AWS_PROFILE", raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
            for bucket in buckets:
                client.create_bucket(Bucket=bucket)
            yield endpoint
        finally:
            server.stop()


def _serialized(method: Callable[..., Any]) -> Callable[..., Any]:
    lock = threading.Lock()

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    return wrapper
