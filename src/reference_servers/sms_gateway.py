"""Reference SMS gateway — FOR DEVELOPMENT AND TESTS ONLY.

It stands in for a brandname SMS service (the operators' and aggregators' HTTP APIs), which
cannot be reached from a developer's machine or a CI runner, and speaks the same small HTTP
protocol as egov's client, ``egov.notifications.providers.http_sms.HttpSmsGateway``:

- ``POST /sms`` with ``Authorization: Bearer <token>`` and the JSON body
  ``{"to": "0912345678", "text": "…", "sender": "EGOV"}``. Answers ``202`` with
  ``{"id": "<message id>", "status": "accepted"}``; ``401`` for a missing or wrong token;
  ``400`` for a body that is not JSON, lacks a field, has a number that is not a Vietnamese
  mobile number (0 + 9 digits, or +84…), or a text longer than 1,000 characters
  (``{"error": "…"}``). Nothing leaves the machine: messages are kept in memory.
- ``GET /sms`` (same token) lists the accepted messages, newest last — handy in development.

Test knobs: ``fail_next(status, times=1)`` answers the next requests with that HTTP status
(e.g. 500 to show the client retrying), ``delay`` (seconds) slows every answer to provoke
client time-outs. ``messages`` holds what was accepted, ``requests`` every request seen.

Run it::

    python -m reference_servers.sms_gateway --port 9020 --token dev-sms-token

then set ``EGOV_NOTIFY_SMS_PROVIDER=http``, ``EGOV_NOTIFY_SMS_URL=http://127.0.0.1:9020/sms``,
``EGOV_NOTIFY_SMS_TOKEN=dev-sms-token`` (see docs/notifications.md). In tests::

    gateway = ReferenceSmsGateway(token="t").start()   # port 0: a free port
    ... settings.EGOV_NOTIFY_SMS_URL = gateway.url ...
    gateway.stop()
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from reference_servers._service import LoopbackHTTPService

log = logging.getLogger("reference_servers.sms_gateway")

PHONE = re.compile(r"^(0\d{9}|\+84\d{9})$")
MAX_TEXT = 1000


@dataclass(frozen=True)
class Sms:
    id: str
    to: str
    text: str
    sender: str
    received_at: float


class ReferenceSmsGateway(LoopbackHTTPService):
    """An in-memory SMS gateway served by a threaded HTTP server; ``port=0`` picks a free port."""

    handler_attribute = "gateway"
    service_name = "sms-gateway"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, token: str = "") -> None:
        super().__init__()
        self.host, self.port = host, port
        self.token = token
        self.delay = 0.0
        self.messages: list[Sms] = []
        self.requests: list[dict] = []
        self._failures: deque[int] = deque()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/sms"

    # --- test knobs ---------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def _next_failure(self) -> int | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    # --- protocol -----------------------------------------------------------------------------

    def authorised(self, header: str) -> bool:
        if not self.token:
            return True
        scheme, _, value = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), self.token)

    def accept(self, body: bytes) -> tuple[int, dict]:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, {"error": "body is not JSON"}
        if not isinstance(data, dict):
            return 400, {"error": "body must be a JSON object"}
        to, text, sender = data.get("to"), data.get("text"), data.get("sender", "")
        if not isinstance(to, str) or not PHONE.match(to.replace(" ", "")):
            return 400, {"error": "to: not a Vietnamese mobile number"}
        if not isinstance(text, str) or not text.strip():
            return 400, {"error": "text: required"}
        if len(text) > MAX_TEXT:
            return 400, {"error": f"text: longer than {MAX_TEXT} characters"}
        sms = Sms(uuid.uuid4().hex, to.replace(" ", ""), text, str(sender or ""), time.time())
        with self._lock:
            self.messages.append(sms)
        log.info("SMS %s accepted for %s (%d characters)", sms.id, sms.to, len(text))
        return 202, {"id": sms.id, "status": "accepted"}


class _Handler(BaseHTTPRequestHandler):
    gateway: ReferenceSmsGateway
    server_version = "egov-reference-sms-gateway"

    def log_message(self, format: str, *args) -> None:  # keep test output quiet
        log.debug("%s " + format, self.address_string(), *args)

    def _answer(self, status: int, payload: dict | list) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _path_ok(self) -> bool:
        if self.path.split("?", 1)[0].rstrip("/") != "/sms":
            self._answer(404, {"error": "not found"})
            return False
        if not self.gateway.authorised(self.headers.get("Authorization", "")):
            self._answer(401, {"error": "missing or wrong bearer token"})
            return False
        return True

    def do_POST(self) -> None:
        gateway = self.gateway
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with gateway._lock:
            gateway.requests.append({"path": self.path, "body": body.decode("utf-8", "replace")})
        if gateway.delay:
            time.sleep(gateway.delay)
        if not self._path_ok():
            return
        failure = gateway._next_failure()
        if failure is not None:
            self._answer(failure, {"error": f"simulated failure {failure}"})
            return
        status, payload = gateway.accept(body)
        self._answer(status, payload)

    def do_GET(self) -> None:
        if not self._path_ok():
            return
        with self.gateway._lock:
            items = [sms.__dict__ for sms in self.gateway.messages]
        self._answer(200, items)


ReferenceSmsGateway.handler_class = _Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m reference_servers.sms_gateway",
        description="Reference SMS gateway for egov development and tests (messages stay in memory). Not for production.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9020)
    parser.add_argument("--token", default="dev-sms-token", help="bearer token clients must send")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    gateway = ReferenceSmsGateway(args.host, args.port, token=args.token).start()
    print(f"Reference SMS gateway (development only) at {gateway.url}")
    print(
        f"  token: {args.token}   list messages: curl -H 'Authorization: Bearer {args.token}' {gateway.url}"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        gateway.stop()


if __name__ == "__main__":
    main()
