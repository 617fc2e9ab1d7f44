"""The life cycle shared by the reference servers: a ``ThreadingHTTPServer`` on a loopback
port (0 = any free port) served from a daemon thread, startable in-process for tests."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar, Self

log = logging.getLogger("reference_servers")


class LoopbackHTTPService:
    """Subclasses set ``handler_class`` (its instances reach the service through the
    attribute named ``handler_attribute``) and ``service_name``; they have ``host`` and
    ``port`` and call ``super().__init__()``."""

    handler_class: ClassVar[type[BaseHTTPRequestHandler]]
    handler_attribute: ClassVar[str]
    service_name: ClassVar[str]
    host: str
    port: int

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def listening_at(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        handler = type("Handler", (self.handler_class,), {self.handler_attribute: self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(0.05,),
            name=f"{self.service_name}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.info("reference %s listening on %s", self.service_name, self.listening_at)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
