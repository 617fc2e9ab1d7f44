"""Reference CA repository (CRL distribution point) — FOR DEVELOPMENT AND TESTS ONLY.

It stands in for the public repository of a licensed certification authority, which egov's
revocation checks (``egov.signing.services.validate_pdf(fetch_revocation=True)``) and B-LT
signing (``sign_pdf(embed_revocation=True)``) fetch CRLs from, and which cannot be reached
from a developer's machine or a CI runner. It serves the demo root CA's CRL over HTTP exactly
as a CA's distribution point does (RFC 5280 §4.2.1.13, RFC 2585 §3), so pyHanko's real
fetchers are exercised end to end:

- ``GET /demo-root-ca.crl`` — the CA's complete CRL, DER, ``application/pkix-crl``, signed by
  the demo root CA (``egov.signing.pki.make_crl``): every revoked serial with its revocation
  time and reason, ``thisUpdate`` now, ``nextUpdate`` in 7 days, an increasing CRL number.
  It is made again when the list of revoked serials changes, or after an hour;
- ``GET /demo-root-ca.crt`` — the CA certificate, DER, ``application/pkix-cert``;
- ``GET /`` — a short text page.

No OCSP responder: revocation goes through the CRL only (the demo certificates carry a CRL
distribution point, no OCSP address).

Certificates point here when they are issued with ``crl_base_url`` = this server's URL
(``EGOV_SIGNING_CRL_BASE_URL`` for ``manage.py make_demo_pki``). Revoked serials come from
:meth:`CARepository.revoke` (tests) or, from the command line, a text file re-read when it
changes, one certificate a line: ``<serial in hex> [reason] [ISO 8601 time]``, e.g.
``5f3a…e1 key_compromise 2025-03-01T08:00:00+07:00`` (reasons: the names of
``cryptography.x509.ReasonFlags``; ``#`` starts a comment).

Run it::

    python -m reference_servers.ca_repository --port 9022 [--pki-dir var/pki
           --password egov-demo --revoked var/pki/revoked.txt]

then ``EGOV_SIGNING_CRL_BASE_URL=http://127.0.0.1:9022`` before ``make_demo_pki`` (existing
certificate files are kept: delete them to issue new ones with the distribution point). In
tests::

    repo, base_url = start_ca_repository(ca)     # port 0: a free loopback port
    person = pki.issue(ca, "…", crl_base_url=base_url)
    repo.revoke(person.cert.serial_number, "key_compromise")
    repo.stop()
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from reference_servers._service import LoopbackHTTPService

if TYPE_CHECKING:  # pragma: no cover
    from egov.signing.pki import Issued, Revoked

log = logging.getLogger("reference_servers.ca_repository")

CRL_TYPE = "application/pkix-crl"
CERT_TYPE = "application/pkix-cert"


def read_revoked_file(path: Path) -> list[Revoked]:
    """Parse a revoked-serials file (see the module docstring)."""
    from egov.signing.pki import Revoked

    entries = []
    for number, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        try:
            serial = int(parts[0].replace(":", ""), 16)
            reason = x509.ReasonFlags[parts[1]] if len(parts) > 1 else x509.ReasonFlags.unspecified
            when = dt.datetime.fromisoformat(parts[2]) if len(parts) > 2 else None
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path}:{number}: cannot read {raw!r} ({exc})") from None
        if when is None:
            when = dt.datetime.fromtimestamp(Path(path).stat().st_mtime, dt.UTC)
        elif when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        entries.append(Revoked(serial, when, reason))
    return entries


class CARepository(LoopbackHTTPService):
    """The demo CA's CRL distribution point on a threaded HTTP server (``port=0``: free port).

    ``ca`` is the CA's key and certificate (``egov.signing.pki.ensure_root_ca``);
    ``revoked_file`` an optional file of revoked serials, re-read when it changes.
    """

    crl_file = "demo-root-ca.crl"
    cert_file = "demo-root-ca.crt"
    #: a CRL is made again after this many seconds even when nothing changed
    refresh_seconds = 3600

    handler_attribute = "repository"
    service_name = "ca-repository"

    def __init__(
        self,
        ca: Issued,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        revoked_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.ca = ca
        self.host, self.port = host, port
        self.revoked_file = Path(revoked_file) if revoked_file else None
        #: number of CRL downloads served (tests check when the network was used)
        self.crl_requests = 0
        self._revoked: dict[int, Revoked] = {}
        self._file_mtime: int | None = None
        self._file_entries: list[Revoked] = []
        self._crl: bytes | None = None
        self._crl_made = 0.0
        self._crl_number = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The base URL: certificates issued with ``crl_base_url=url`` point here."""
        return f"http://{self.host}:{self.port}"

    @property
    def crl_url(self) -> str:
        return f"{self.url}/{self.crl_file}"

    # --- revocation ---------------------------------------------------------------------------

    def revoke(
        self,
        serial_number: int,
        reason: str | x509.ReasonFlags = x509.ReasonFlags.unspecified,
        when: dt.datetime | None = None,
    ) -> Revoked:
        """Revoke a certificate (by serial number); the next CRL lists it."""
        from egov.signing.pki import Revoked

        if isinstance(reason, str):
            reason = x509.ReasonFlags[reason]
        entry = Revoked(serial_number, when or dt.datetime.now(dt.UTC), reason)
        with self._lock:
            self._revoked[serial_number] = entry
            self._crl = None
        return entry

    def unrevoke(self, serial_number: int) -> None:
        with self._lock:
            self._revoked.pop(serial_number, None)
            self._crl = None

    def revoked(self) -> list[Revoked]:
        """Everything revoked now: the file's entries, then those of :meth:`revoke`."""
        with self._lock:
            self._reload_file()
            merged = {e.serial_number: e for e in self._file_entries}
            merged.update(self._revoked)
            return list(merged.values())

    def _reload_file(self) -> None:
        if self.revoked_file is None:
            return
        try:
            mtime = self.revoked_file.stat().st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime != self._file_mtime:
            self._file_entries = read_revoked_file(self.revoked_file) if mtime else []
            self._file_mtime = mtime
            self._crl = None

    def crl(self) -> bytes:
        """The current CRL (DER), made again when the revoked list changed or it is old."""
        from egov.signing.pki import make_crl

        entries = self.revoked()
        with self._lock:
            if self._crl is None or time.monotonic() - self._crl_made > self.refresh_seconds:
                self._crl_number += 1
                self._crl = make_crl(self.ca, entries, number=self._crl_number)
                self._crl_made = time.monotonic()
            return self._crl


class _Handler(BaseHTTPRequestHandler):
    repository: CARepository
    server_version = "egov-reference-ca-repository/1.0"

    def log_message(self, format: str, *args) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        repo = self.repository
        path = self.path.split("?", 1)[0]
        if path == f"/{repo.crl_file}":
            try:
                body = repo.crl()
            except ValueError as exc:  # a bad line in the revoked file
                log.error("cannot make the CRL: %s", exc)
                self._send(500, f"{exc}\n".encode(), "text/plain; charset=utf-8")
                return
            with repo._lock:
                repo.crl_requests += 1
            self._send(200, body, CRL_TYPE)
        elif path == f"/{repo.cert_file}":
            self._send(200, repo.ca.cert.public_bytes(serialization.Encoding.DER), CERT_TYPE)
        elif path == "/":
            text = (
                "egov reference CA repository (development and tests only): the demo root "
                f"CA's CRL at /{repo.crl_file}, its certificate at /{repo.cert_file}.\n"
            )
            self._send(200, text.encode(), "text/plain; charset=utf-8")
        else:
            self._send(404, b"not found\n", "text/plain")

    do_HEAD = do_GET


CARepository.handler_class = _Handler


def start_ca_repository(
    ca: Issued, host: str = "127.0.0.1", port: int = 0, *, revoked_file: Path | None = None
) -> tuple[CARepository, str]:
    """Start a reference CA repository in a thread of this process; return it and its base
    URL (the ``crl_base_url`` of the certificates it serves)."""
    repo = CARepository(ca, host, port, revoked_file=revoked_file).start()
    return repo, repo.url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m reference_servers.ca_repository",
        description="Reference CA repository (CRL distribution point of the demo root CA) for "
        "egov development and tests. Not a production CA.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9022)
    parser.add_argument(
        "--pki-dir", default="var/pki", help="demo PKI folder (EGOV_SIGNING_PKI_DIR)"
    )
    parser.add_argument("--password", default="egov-demo", help="PKCS#12 password of the demo PKI")
    parser.add_argument(
        "--revoked",
        default=None,
        help="file of revoked serials, one a line: <hex serial> [reason] [ISO time]",
    )
    args = parser.parse_args(argv)
    from egov.signing import pki

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    ca = pki.ensure_root_ca(Path(args.pki_dir), args.password)
    repo = CARepository(
        ca, args.host, args.port, revoked_file=Path(args.revoked) if args.revoked else None
    ).start()
    print(f"Reference CA repository (development only) at {repo.url}")
    print(f"  CRL:  {repo.crl_url}")
    print(f"  use:  EGOV_SIGNING_CRL_BASE_URL={repo.url}  (then manage.py make_demo_pki)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        repo.stop()


if __name__ == "__main__":
    main()
