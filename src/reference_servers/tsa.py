"""Reference RFC 3161 time-stamping authority — FOR DEVELOPMENT AND TESTS ONLY.

This is NOT a production TSA: its clock is the machine's clock, its key sits in a demo PKCS#12
file, it keeps no audit log and it answers anyone. It stands in for the timestamp authority of
a licensed CA, which cannot be reached from a developer's machine or a CI runner, and speaks
the real protocol over HTTP (RFC 3161 §3.4), so egov's real timestamp client (pyHanko's
``HTTPTimeStamper``, used by ``egov.signing.services.sign_pdf``) is exercised end to end:

- ``POST /`` with ``Content-Type: application/timestamp-query`` and a DER ``TimeStampReq``
  answers ``200`` with ``Content-Type: application/timestamp-reply`` and a DER
  ``TimeStampResp``. The request is really parsed and checked:

  - version 1, a message imprint whose length fits its hash algorithm (SHA-256, SHA-384 or
    SHA-512; SHA-1 and unknown algorithms are refused with ``badAlg``);
  - a requested policy must be this TSA's policy (else ``unacceptedPolicy``); extensions are
    not supported (``unacceptedExtension``); a body that is not a DER ``TimeStampReq``
    gets ``badDataFormat``.

  A granted response carries a timestamp token: CMS ``SignedData`` over a ``TSTInfo`` with
  this TSA's policy, the request's message imprint and nonce, a unique serial number, the
  time (UTC, accuracy 1 s) and the TSA name, signed by the TSA key with the request's hash
  algorithm and the ESS ``signing-certificate-v2`` attribute (RFC 5816); the TSA certificate
  and its chain are included when the request asks for them (``certReq``). A refused request
  gets ``PKIStatus`` ``rejection`` with a ``failInfo`` and a status string, and no token.
- ``GET /`` — a short text page; ``GET /tsa.crt`` — the TSA certificate (DER).

The TSA certificate comes from the demo PKI (``egov.signing.pki.ensure_tsa_certificate``:
issued by the demo root CA, EKU timeStamping, critical). Test knob: ``fail_next`` makes the
next requests answer ``rejection`` / ``systemFailure``.

Run it::

    python -m reference_servers.tsa --port 9021 [--pki-dir var/pki --password egov-demo]
           [--crl-base-url http://127.0.0.1:9022]

then set ``EGOV_SIGNING_TSA_URL=http://127.0.0.1:9021/`` (docs/signing.md). In tests::

    tsa, url = start_tsa(issued)        # port 0: a free loopback port
    ...
    tsa.stop()
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import logging
import secrets
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from reference_servers._service import LoopbackHTTPService

if TYPE_CHECKING:  # pragma: no cover
    from egov.signing.pki import Issued

log = logging.getLogger("reference_servers.tsa")

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
#: the policy of this reference TSA: a UUID-derived OID (ITU-T X.667, arc 2.25), meaning
#: "egov reference TSA, tests only"
POLICY_OID = "2.25.42119180697761828728509952945613804276"
#: hash algorithms accepted in the message imprint, with their digest sizes
HASHES = {"sha256": 32, "sha384": 48, "sha512": 64}
_CRYPTO_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class TimeStampResp(core.Sequence):
    """``TimeStampResp`` with an optional ``timeStampToken`` (RFC 3161 §2.4.2: absent unless
    the status is granted); asn1crypto's ``tsp.TimeStampResp`` wrongly makes it mandatory, so
    it can neither write nor read a rejection."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class Rejection(Exception):
    """A request refused with ``PKIStatus`` rejection and this ``failInfo`` bit."""

    def __init__(self, fail_info: str, text: str):
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


def rejection(fail_info: str, text: str, status: str = "rejection") -> bytes:
    """A DER ``TimeStampResp`` refusing a request."""
    info = tsp.PKIStatusInfo(
        {
            "status": tsp.PKIStatus(status),
            "status_string": tsp.PKIFreeText([text]),
            "fail_info": tsp.PKIFailureInfo({fail_info}),
        }
    )
    return TimeStampResp({"status": info}).dump()


def parse_request(der: bytes) -> tsp.TimeStampReq:
    """Parse and check a DER ``TimeStampReq``; raise :class:`Rejection` when it is refused."""
    try:
        req = tsp.TimeStampReq.load(der, strict=True)
        req.native  # noqa: B018 - parse every field now, so that bad DER is refused here
    except Exception as exc:
        raise Rejection("bad_data_format", f"not a DER TimeStampReq: {exc}") from None
    if req["version"].native != "v1":
        raise Rejection("bad_data_format", f"unsupported version {req['version'].native}")
    imprint = req["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in HASHES:
        raise Rejection(
            "bad_alg", f"hash algorithm {algorithm} not accepted (use {', '.join(HASHES)})"
        )
    if imprint["hash_algorithm"]["parameters"].native not in (None,):
        raise Rejection("bad_data_format", "hash algorithm parameters must be absent or NULL")
    if len(imprint["hashed_message"].native) != HASHES[algorithm]:
        raise Rejection(
            "bad_data_format",
            f"message imprint is {len(imprint['hashed_message'].native)} bytes, "
            f"{algorithm} gives {HASHES[algorithm]}",
        )
    policy = req["req_policy"].native
    if policy is not None and policy != POLICY_OID:
        raise Rejection("unaccepted_policy", f"policy {policy} not supported (use {POLICY_OID})")
    if req["extensions"].native:
        raise Rejection("unaccepted_extensions", "extensions are not supported")
    return req


class ReferenceTSA(LoopbackHTTPService):
    """An RFC 3161 timestamp server on a threaded HTTP server (``port=0``: a free port).

    ``issued`` is the TSA's key and certificate (with its chain), an
    ``egov.signing.pki.Issued`` from :func:`egov.signing.pki.ensure_tsa_certificate`.
    """

    handler_attribute = "tsa"
    service_name = "tsa"

    def __init__(self, issued: Issued, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__()
        self.host, self.port = host, port
        self.key = issued.key
        self.cert = asn1_x509.Certificate.load(issued.cert.public_bytes(serialization.Encoding.DER))
        self.chain = [
            asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
            for c in issued.chain
        ]
        #: the next ``fail_next`` requests are answered rejection / systemFailure (tests)
        self.fail_next = 0
        self.requests = 0
        self._serials = itertools.count(secrets.randbits(48) << 16)
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    # --- protocol -----------------------------------------------------------------------------

    def respond(self, der: bytes, now: dt.datetime | None = None) -> bytes:
        """The DER ``TimeStampResp`` for a DER ``TimeStampReq``."""
        with self._lock:
            self.requests += 1
            failing = self.fail_next > 0
            if failing:
                self.fail_next -= 1
        if failing:
            return rejection("system_failure", "the reference TSA was told to fail (test)")
        try:
            req = parse_request(der)
        except Rejection as exc:
            log.info("timestamp request refused: %s", exc.text)
            return rejection(exc.fail_info, exc.text)
        token = self.token(req, now or dt.datetime.now(dt.UTC))
        granted = tsp.PKIStatusInfo({"status": tsp.PKIStatus("granted")})
        return tsp.TimeStampResp({"status": granted, "time_stamp_token": token}).dump()

    def token(self, req: tsp.TimeStampReq, now: dt.datetime) -> cms.ContentInfo:
        """The timestamp token (CMS SignedData over TSTInfo) answering ``req``."""
        from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

        algorithm = req["message_imprint"]["hash_algorithm"]["algorithm"].native
        info = {
            "version": "v1",
            "policy": POLICY_OID,
            "message_imprint": req["message_imprint"],
            "serial_number": next(self._serials),
            "gen_time": now.astimezone(dt.UTC).replace(microsecond=0),
            "accuracy": tsp.Accuracy({"seconds": 1}),
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self.cert.subject),
        }
        if req["nonce"].native is not None:
            info["nonce"] = req["nonce"]
        tst_info = tsp.TSTInfo(info).dump()
        digest = hashes.Hash(_CRYPTO_HASHES[algorithm]())
        digest.update(tst_info)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": info["gen_time"]})),
                simple_cms_attribute(
                    "signing_certificate_v2", as_signing_certificate_v2(self.cert, "sha256")
                ),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        hash_cls = _CRYPTO_HASHES[algorithm]
        if isinstance(self.key, rsa.RSAPrivateKey):
            signature = self.key.sign(signed_attrs.dump(), padding.PKCS1v15(), hash_cls())
            sig_algo = "rsassa_pkcs1v15"
        elif isinstance(self.key, ec.EllipticCurvePrivateKey):
            signature = self.key.sign(signed_attrs.dump(), ec.ECDSA(hash_cls()))
            sig_algo = "ecdsa"
        else:  # pragma: no cover - the demo PKI makes RSA keys
            raise TypeError(f"unsupported TSA key {type(self.key).__name__}")
        digest_algo = algos.DigestAlgorithm({"algorithm": algorithm})
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value=cms.IssuerAndSerialNumber(
                        {"issuer": self.cert.issuer, "serial_number": self.cert.serial_number}
                    ),
                ),
                "digest_algorithm": digest_algo,
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": sig_algo}),
                "signature": signature,
            }
        )
        signed_data = {
            "version": "v3",
            "digest_algorithms": cms.DigestAlgorithms([digest_algo]),
            "encap_content_info": cms.EncapsulatedContentInfo(
                {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_info)}
            ),
            "signer_infos": cms.SignerInfos([signer_info]),
        }
        if req["cert_req"].native:
            signed_data["certificates"] = cms.CertificateSet(
                [
                    cms.CertificateChoices(name="certificate", value=c)
                    for c in [self.cert, *self.chain]
                ]
            )
        return cms.ContentInfo(
            {"content_type": "signed_data", "content": cms.SignedData(signed_data)}
        )


class _Handler(BaseHTTPRequestHandler):
    tsa: ReferenceTSA
    server_version = "egov-reference-tsa/1.0"

    def log_message(self, format: str, *args) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/":
            text = (
                "egov reference RFC 3161 time-stamping authority (development and tests only, "
                "not a production TSA).\nPOST application/timestamp-query to this URL.\n"
                f"Policy: {POLICY_OID}\nCertificate: /tsa.crt\n"
            )
            self._send(200, text.encode(), "text/plain; charset=utf-8")
        elif path == "/tsa.crt":
            self._send(200, self.tsa.cert.dump(), "application/pkix-cert")
        else:
            self._send(404, b"not found\n", "text/plain")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != "/":
            self._send(404, b"not found\n", "text/plain")
            return
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != QUERY_TYPE:
            self._send(415, f"expected {QUERY_TYPE}\n".encode(), "text/plain")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= 64 * 1024:
            self._send(
                400, b"a timestamp request needs a Content-Length up to 64 KB\n", "text/plain"
            )
            return
        body = self.rfile.read(length)
        self._send(200, self.tsa.respond(body), REPLY_TYPE)


ReferenceTSA.handler_class = _Handler


def start_tsa(issued: Issued, host: str = "127.0.0.1", port: int = 0) -> tuple[ReferenceTSA, str]:
    """Start a reference TSA in a thread of this process; return it and its URL."""
    tsa = ReferenceTSA(issued, host, port).start()
    return tsa, tsa.url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m reference_servers.tsa",
        description="Reference RFC 3161 timestamp server for egov development and tests, with a "
        "certificate of the demo PKI. Not a production TSA.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9021)
    parser.add_argument(
        "--pki-dir", default="var/pki", help="demo PKI folder (EGOV_SIGNING_PKI_DIR)"
    )
    parser.add_argument("--password", default="egov-demo", help="PKCS#12 password of the demo PKI")
    parser.add_argument(
        "--crl-base-url",
        default="",
        help="CRL base URL put into the TSA certificate when it is created",
    )
    args = parser.parse_args(argv)
    from egov.signing import pki

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    issued = pki.ensure_tsa_certificate(
        Path(args.pki_dir), args.password, crl_base_url=args.crl_base_url
    )
    tsa = ReferenceTSA(issued, args.host, args.port).start()
    print(f"Reference RFC 3161 timestamp server (development only) at {tsa.url}")
    print(f"  certificate: {issued.cert.subject.rfc4514_string()} ({issued.path})")
    print(f"  policy:      {POLICY_OID}")
    print(f"  use:         EGOV_SIGNING_TSA_URL={tsa.url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        tsa.stop()


if __name__ == "__main__":
    main()
