"""PAdES B-T against the reference RFC 3161 timestamp server, over a real socket."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
import time

import pytest
import requests
from asn1crypto import algos, tsp
from cryptography import x509

from egov.signing import pki
from egov.signing.backends import SigningError
from egov.signing.services import sign_pdf, validate_pdf
from reference_servers.tsa import POLICY_OID, TimeStampResp

from .conftest import PASSWORD, dead_url
from .test_signing import pdfsig


def _tst_info(signed_pdf: bytes):
    """The signature's value and the TSTInfo of its signature timestamp token."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import find_unique_cms_attribute

    [sig] = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures
    token = find_unique_cms_attribute(
        sig.signer_info["unsigned_attrs"], "signature_time_stamp_token"
    )
    tst_info = token["content"]["encap_content_info"]["content"].parsed
    return sig.signer_info["signature"].native, tst_info, token


def test_bt_signature_timestamped_by_reference_tsa(
    sample_pdf, person_backend, pki_dir, tsa, tmp_path
):
    before = tsa.requests
    signed = sign_pdf(sample_pdf, person_backend, timestamp_url=tsa.url)
    assert tsa.requests > before

    # the token really timestamps this signature's value (CAdES signature-time-stamp)
    signature_value, tst_info, token = _tst_info(signed)
    assert tst_info["policy"].native == POLICY_OID
    imprint = tst_info["message_imprint"]
    assert imprint["hash_algorithm"]["algorithm"].native == "sha256"
    assert imprint["hashed_message"].native == hashlib.sha256(signature_value).digest()
    gen_time = tst_info["gen_time"].native
    assert abs((dt.datetime.now(dt.UTC) - gen_time).total_seconds()) < 60
    certs = [c.chosen for c in token["content"]["certificates"]]
    assert tsa.cert.dump() in [c.dump() for c in certs]

    report = validate_pdf(signed, trust_roots=[pki_dir["ca"].cert])
    assert report.status == "valid", report.as_dict()
    [sig] = report.signatures
    assert sig.timestamp_time is not None and sig.timestamp_time.endswith("+07:00")
    assert sig.timestamp_time == gen_time.astimezone(dt.timezone(dt.timedelta(hours=7))).isoformat()

    out = pdfsig(signed, tmp_path)
    assert "Signature is Valid." in out, out
    assert "Total document signed" in out, out


def test_bb_signature_has_no_timestamp(sample_pdf, person_backend, pki_dir):
    report = validate_pdf(sign_pdf(sample_pdf, person_backend), trust_roots=[pki_dir["ca"].cert])
    assert report.signatures[0].timestamp_time is None


def test_tsa_url_from_settings(sample_pdf, person_backend, pki_dir, tsa, settings):
    settings.EGOV_SIGNING_TSA_URL = tsa.url
    signed = sign_pdf(sample_pdf, person_backend)
    assert validate_pdf(signed, trust_roots=[pki_dir["ca"].cert]).signatures[0].timestamp_time


def test_person_then_agency_both_timestamped(
    sample_pdf, person_backend, agency_backend, pki_dir, tsa, tmp_path
):
    once = sign_pdf(sample_pdf, person_backend, timestamp_url=tsa.url)
    twice = sign_pdf(once, agency_backend, kind="agency", timestamp_url=tsa.url)
    report = validate_pdf(twice, trust_roots=[pki_dir["ca"].cert])
    assert report.status == "valid", report.as_dict()
    assert all(s.timestamp_time for s in report.signatures)
    assert pdfsig(twice, tmp_path).count("Signature is Valid.") == 2


def test_token_larger_than_reserved_room_is_measured(
    sample_pdf, person_backend, pki_dir, tsa, monkeypatch
):
    from egov.signing import services

    monkeypatch.setattr(services, "RESERVED_BYTES", 3000)  # a CMS with a token is ~7 KB
    monkeypatch.setattr(services, "_measured_tsas", set())
    signed = sign_pdf(sample_pdf, person_backend, timestamp_url=tsa.url)
    assert services._measured_tsas == {tsa.url}
    report = validate_pdf(signed, trust_roots=[pki_dir["ca"].cert])
    assert report.status == "valid" and report.signatures[0].timestamp_time


def test_tsa_down_refuses_with_vietnamese_error(sample_pdf, person_backend):
    url = dead_url()
    with pytest.raises(SigningError) as info:
        sign_pdf(sample_pdf, person_backend, timestamp_url=url)
    message = str(info.value)
    assert "dấu thời gian" in message and url in message
    assert "không kết nối được" in message and "chưa được ký" in message


def test_tsa_that_does_not_answer_times_out(sample_pdf, person_backend, monkeypatch):
    import socket

    from egov.signing import services

    monkeypatch.setattr(services, "NETWORK_TIMEOUT", 1)
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        started = time.monotonic()
        with pytest.raises(SigningError, match="không trả lời trong 1 giây"):
            sign_pdf(sample_pdf, person_backend, timestamp_url=url)
        assert time.monotonic() - started < 10


def test_tsa_rejection_reported(sample_pdf, person_backend, tsa):
    from egov.signing.services import timestamper_for

    timestamper_for(tsa.url)  # make sure the token size is known: the refusal hits the real one
    sign_pdf(sample_pdf, person_backend, timestamp_url=tsa.url)
    tsa.fail_next = 1
    try:
        with pytest.raises(SigningError, match="rejection.*system_failure"):
            sign_pdf(sample_pdf, person_backend, timestamp_url=tsa.url)
    finally:
        tsa.fail_next = 0


# --- the reference server speaks RFC 3161 ---------------------------------------------------


def _post(url: str, body: bytes, content_type: str = "application/timestamp-query"):
    return requests.post(url, data=body, headers={"Content-Type": content_type}, timeout=10)


def _request(digest: bytes, algorithm: str = "sha256", **extra) -> bytes:
    req = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
            "hashed_message": digest,
        },
        **extra,
    }
    return tsp.TimeStampReq(req).dump()


def _status(resp: requests.Response):
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/timestamp-reply"
    parsed = TimeStampResp.load(resp.content)
    return parsed["status"], parsed["time_stamp_token"]


def test_granted_response_echoes_nonce_and_imprint(tsa):
    digest = hashlib.sha512(b"egov").digest()
    status, token = _status(
        _post(tsa.url, _request(digest, "sha512", nonce=123456789, cert_req=True))
    )
    assert status["status"].native == "granted"
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 123456789
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha512"
    signer_info = token["content"]["signer_infos"][0]
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha512"
    assert len(token["content"]["certificates"]) >= 1

    # two requests, two serial numbers; no certificates unless asked for
    _s, other = _status(_post(tsa.url, _request(digest, "sha512")))
    other_info = other["content"]["encap_content_info"]["content"].parsed
    assert other_info["serial_number"].native != info["serial_number"].native
    assert other_info["nonce"].native is None
    assert not other["content"]["certificates"]


def test_token_signature_verifies_with_tsa_certificate(tsa):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    digest = hashlib.sha256(b"x").digest()
    _status_, token = _status(_post(tsa.url, _request(digest, cert_req=True)))
    signer_info = token["content"]["signer_infos"][0]
    cert = x509.load_der_x509_certificate(tsa.cert.dump())
    cert.public_key().verify(
        signer_info["signature"].native,
        signer_info["signed_attrs"].untag().dump(),  # signed as a SET OF, not [0]
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    attrs = {a["type"].native: a["values"][0] for a in signer_info["signed_attrs"]}
    tst_der = token["content"]["encap_content_info"]["content"].contents
    assert attrs["message_digest"].native == hashlib.sha256(tst_der).digest()
    ess = attrs["signing_certificate_v2"]["certs"][0]
    assert ess["cert_hash"].native == hashlib.sha256(tsa.cert.dump()).digest()


@pytest.mark.parametrize(
    ("body", "fail_info"),
    [
        (b"certainly not DER", "bad_data_format"),
        (_request(hashlib.sha1(b"x").digest(), "sha1"), "bad_alg"),
        (_request(hashlib.md5(b"x").digest(), "md5"), "bad_alg"),
        (_request(b"too short"), "bad_data_format"),
        (_request(hashlib.sha256(b"x").digest(), req_policy="1.2.3.4"), "unaccepted_policy"),
        (_request(hashlib.sha256(b"x").digest()) + b"\x00", "bad_data_format"),
    ],
)
def test_malformed_requests_rejected(tsa, body, fail_info):
    status, token = _status(_post(tsa.url, body))
    assert status["status"].native == "rejection"
    assert status["fail_info"].native == {fail_info}
    assert status["status_string"].native
    assert token.native is None


def test_request_policy_of_the_tsa_accepted(tsa):
    status, _token = _status(
        _post(tsa.url, _request(hashlib.sha256(b"x").digest(), req_policy=POLICY_OID))
    )
    assert status["status"].native == "granted"


def test_wrong_content_type_and_certificate_download(tsa):
    assert _post(tsa.url, _request(hashlib.sha256(b"x").digest()), "text/plain").status_code == 415
    resp = requests.get(tsa.url + "tsa.crt", timeout=10)
    assert resp.headers["Content-Type"] == "application/pkix-cert"
    cert = x509.load_der_x509_certificate(resp.content)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]
    assert "reference" in requests.get(tsa.url, timeout=10).text


def test_tsa_certificate_profile_and_idempotent(pki_dir):
    first = pki.ensure_tsa_certificate(pki_dir["dir"], PASSWORD, pki_dir["ca"])
    again = pki.ensure_tsa_certificate(pki_dir["dir"], PASSWORD)
    assert first.cert == again.cert
    cert = first.cert
    assert cert.issuer == pki_dir["ca"].cert.subject
    assert "DEMO" in cert.subject.rfc4514_string()
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and not ku.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical


def test_command_line_server(tmp_path):
    """``python -m reference_servers.tsa --port N`` serves timestamps."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reference_servers.tsa",
            "--port",
            str(port),
            "--pki-dir",
            str(tmp_path),
            "--password",
            PASSWORD,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = _post(url, _request(hashlib.sha256(b"cli").digest(), cert_req=True))
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "the TSA did not start"
                time.sleep(0.2)
        status, token = _status(resp)
        assert status["status"].native == "granted"
        assert (tmp_path / pki.TSA_FILE).exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
