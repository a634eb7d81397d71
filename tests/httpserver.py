"""A real HTTP server on 127.0.0.1 for tests: routes are registered per test.

A route is either a fixed `Reply` or a list of replies served in turn (the last one repeats),
or a callable taking the request and returning a Reply. Conditional GET is built in:
a Reply with `etag`/`last_modified` answers 304 when the request's validators match.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable


@dataclass
class Reply:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    etag: str | None = None
    last_modified: str | None = None
    chunk_delay: float = 0.0  # seconds between 1 KiB chunks (slow bodies)
    content_length: bool = True  # False: no Content-Length, body streamed until close


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when the server read it (time.monotonic)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        server: TestServer = self.server.owner  # type: ignore[attr-defined]
        req = Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
        server.requests.append(req)
        reply = server.reply_for(req)
        if reply is None:
            self._send(Reply(b"not found", status=404, content_type="text/plain"))
            return
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status == 200 and (
            (reply.etag and req.headers.get("if-none-match") == reply.etag)
            or (reply.last_modified and req.headers.get("if-modified-since") == reply.last_modified)
        ):
            self._send(Reply(b"", status=304, headers={"ETag": reply.etag or ""}))
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        try:
            self.send_response(reply.status)
            if reply.status != 304:
                self.send_header("Content-Type", reply.content_type)
            if reply.etag:
                self.send_header("ETag", reply.etag)
            if reply.last_modified:
                self.send_header("Last-Modified", reply.last_modified)
            for k, v in reply.headers.items():
                if v:
                    self.send_header(k, v)
            if reply.content_length or reply.status == 304:
                self.send_header("Content-Length", str(len(body) if reply.status != 304 else 0))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if reply.status == 304:
                return
            if reply.chunk_delay:
                for i in range(0, len(body), 1024):
                    self.wfile.write(body[i : i + 1024])
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class TestServer:
    """Threaded HTTP server on a free port of 127.0.0.1."""

    __test__ = False

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.requests: list[Request] = []
        self._counters: dict[str, int] = {}
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, reply: Reply | list[Reply] | Callable[[Request], Reply]) -> str:
        """Register a route and return its absolute URL."""
        with self._lock:
            self.routes[path] = reply
            self._counters[path] = 0
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def reply_for(self, req: Request) -> Reply | None:
        with self._lock:
            route = self.routes.get(req.path)
        if callable(route):  # outside the lock: a route may take its time (tests counting requests in flight)
            return route(req)
        with self._lock:
            if route is None:
                return None
            if isinstance(route, list):
                i = self._counters[req.path]
                self._counters[req.path] = i + 1
                return route[min(i, len(route) - 1)]
            return route  # type: ignore[return-value]

    def reset(self) -> None:
        with self._lock:
            self.routes.clear()
            self._counters.clear()
            self.requests.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers; counts the connections."""

    __test__ = False

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._held: list = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            self._held.append(conn)

    def close(self) -> None:
        self._stop.set()
        self.thread.join()
        for conn in self._held:
            conn.close()
        self.sock.close()
