"""A small HTTP proxy for tests that sits between boto3 and a moto S3 server and injects faults
into chosen requests: an HTTP 500 (InternalError), a 503 (ServiceUnavailable), a 503 SlowDown,
or a connection reset after part of the request body has been read.

Every other request is passed through unchanged (a chunked request body is forwarded whole, with
a Content-Length). ``requests`` records what arrived, so a test can count the retries.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

Fault = Literal["500", "503", "slowdown", "reset"]
ERRORS = {
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "503": (503, "ServiceUnavailable", "Service is unable to handle request."),
    "slowdown": (503, "SlowDown", "Please reduce your request rate."),
}


@dataclass
class Rule:
    """Inject ``fault`` into the next ``times`` requests that ``matches`` (method, path)."""

    fault: Fault
    matches: Callable[[str, str], bool]
    times: int = 1


@dataclass
class FaultPlan:
    rules: list[Rule] = field(default_factory=list)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, outcome
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault, matches: Callable[[str, str], bool], times: int = 1) -> None:
        with self.lock:
            self.rules.append(Rule(fault, matches, times))

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()
            self.requests.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if a rule still wants one; records the request."""
        with self.lock:
            for rule in self.rules:
                if rule.times > 0 and rule.matches(method, path):
                    rule.times -= 1
                    self.requests.append((method, path, rule.fault))
                    return rule.fault
            self.requests.append((method, path, "passed"))
            return None

    def outcomes(self, method: str, contains: str) -> list[str]:
        """What happened to each ``method`` request whose path contains ``contains``."""
        with self.lock:
            return [o for m, p, o in self.requests if m == method and contains in p]


def _handler(upstream: str, plan: FaultPlan) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _body(self, limit: int | None = None) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
                    if limit is not None and len(data) >= limit:
                        return data
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length if limit is None else min(limit, length))

        def _fault(self, fault: Fault) -> None:
            if fault == "reset":  # read part of the upload, then drop the connection with a RST
                self._body(limit=16)
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True
                return
            self._body()
            status, code, message = ERRORS[fault]
            xml = (
                f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                f"<Message>{message}</Message><RequestId>fault</RequestId></Error>"
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(xml)))
            self.end_headers()
            self.wfile.write(xml)

        def _forward(self) -> None:
            fault = plan.take(self.command, self.path)
            if fault is not None:
                self._fault(fault)
                return
            body = self._body()
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in ("transfer-encoding", "content-length", "connection")
            }
            if body or self.command in ("PUT", "POST"):
                headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                self.send_response(reply.status, reply.reason)
                for k, v in reply.getheaders():
                    if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                conn.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward  # noqa: N815

    return Handler


@contextmanager
def fault_proxy(upstream: str) -> Iterator[tuple[str, FaultPlan]]:
    """A proxy in front of ``upstream`` (``http://host:port``) on a free localhost port; yields
    its endpoint URL and the plan of faults to inject."""
    plan = FaultPlan()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream, plan))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", plan
    finally:
        server.shutdown()
        server.server_close()
