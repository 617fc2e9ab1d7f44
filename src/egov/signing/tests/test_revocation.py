"""Revocation checking and PAdES B-LT with the reference CA repository (CRL over a real
socket) and the reference timestamp server."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from egov.signing import pki
from egov.signing.backends import SigningError
from egov.signing.services import NOT_CHECKED, REVOCATION_GOOD, sign_pdf, validate_pdf
from reference_servers.ca_repository import CARepository, read_revoked_file

from .conftest import dead_url, issue_backend
from .test_signing import pdfsig

VN = dt.timezone(dt.timedelta(hours=7))


def roots(pki_dir):
    return [pki_dir["ca"].cert]


def _dss(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    return DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(pdf)))


def _dss_crls(pdf: bytes) -> list[x509.CertificateRevocationList]:
    return [x509.load_der_x509_crl(ref.get_object().data) for ref in _dss(pdf).crls]


# --- certificates and the CRL ---------------------------------------------------------------


def test_certificates_carry_distribution_point_only_when_configured(
    pki_dir, ca_repository, tmp_path
):
    issued, _b = issue_backend(pki_dir, tmp_path, "Lê Thị Cúc", crl_base_url=ca_repository.url)
    cdp = issued.cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert [n.value for n in cdp[0].full_name] == [ca_repository.crl_url]
    assert ca_repository.crl_url == f"{ca_repository.url}/{pki.CRL_FILE}"
    with pytest.raises(x509.ExtensionNotFound):
        pki_dir["person"].cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)


def test_crl_served_signed_and_regenerated_on_revocation(pki_dir, tmp_path):
    ca = pki_dir["ca"]
    with CARepository(ca) as repo:
        resp = requests.get(repo.crl_url, timeout=10)
        assert resp.headers["Content-Type"] == "application/pkix-crl"
        crl = x509.load_der_x509_crl(resp.content)
        assert crl.issuer == ca.cert.subject
        assert crl.is_signature_valid(ca.cert.public_key())
        assert len(crl) == 0
        assert crl.next_update_utc > dt.datetime.now(dt.UTC)
        number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number

        when = dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.UTC)
        repo.revoke(0x1234ABCD, "key_compromise", when)
        crl = x509.load_der_x509_crl(requests.get(repo.crl_url, timeout=10).content)
        entry = crl.get_revoked_certificate_by_serial_number(0x1234ABCD)
        assert entry is not None and entry.revocation_date_utc == when
        assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
            x509.ReasonFlags.key_compromise
        )
        assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number > number
        assert repo.crl_requests == 2

        cert = requests.get(f"{repo.url}/{repo.cert_file}", timeout=10)
        assert x509.load_der_x509_certificate(cert.content) == ca.cert
        assert requests.get(f"{repo.url}/nothing", timeout=10).status_code == 404


def test_revoked_file_is_read_and_reread(pki_dir, tmp_path):
    path = tmp_path / "revoked.txt"
    path.write_text("# serial reason time\nab:cd key_compromise 2025-03-01T08:00:00+07:00\n")
    [entry] = read_revoked_file(path)
    assert entry.serial_number == 0xABCD
    assert entry.reason == x509.ReasonFlags.key_compromise
    assert entry.revoked_at == dt.datetime(2025, 3, 1, 1, 0, tzinfo=dt.UTC)
    with CARepository(pki_dir["ca"], revoked_file=path) as repo:
        crl = x509.load_der_x509_crl(requests.get(repo.crl_url, timeout=10).content)
        assert crl.get_revoked_certificate_by_serial_number(0xABCD) is not None
        path.write_text("ef01\n")
        import os

        os.utime(path, ns=(1, 1))  # a different mtime, whatever the clock's resolution
        crl = x509.load_der_x509_crl(requests.get(repo.crl_url, timeout=10).content)
        assert crl.get_revoked_certificate_by_serial_number(0xABCD) is None
        assert crl.get_revoked_certificate_by_serial_number(0xEF01) is not None
    path.write_text("zz-not-hex\n")
    with pytest.raises(ValueError, match="revoked.txt:1"):
        read_revoked_file(path)


# --- validation -----------------------------------------------------------------------------


def test_revocation_not_checked_without_fetching(sample_pdf, pki_dir, ca_repository, tmp_path):
    _issued, backend = issue_backend(
        pki_dir, tmp_path, "Phạm Văn Dũng", crl_base_url=ca_repository.url
    )
    signed = sign_pdf(sample_pdf, backend)
    before = ca_repository.crl_requests
    report = validate_pdf(signed, trust_roots=roots(pki_dir))
    assert report.status == "valid"
    assert report.signatures[0].revocation == NOT_CHECKED
    assert ca_repository.crl_requests == before  # no network by default


def test_good_when_fetched(sample_pdf, pki_dir, ca_repository, tmp_path, settings):
    _issued, backend = issue_backend(
        pki_dir, tmp_path, "Hoàng Văn Em", crl_base_url=ca_repository.url
    )
    signed = sign_pdf(sample_pdf, backend)
    before = ca_repository.crl_requests
    report = validate_pdf(signed, trust_roots=roots(pki_dir), fetch_revocation=True)
    assert report.status == "valid", report.as_dict()
    assert report.signatures[0].revocation == REVOCATION_GOOD == "tốt (chưa bị thu hồi)"
    assert ca_repository.crl_requests > before

    settings.EGOV_SIGNING_FETCH_REVOCATION = True  # the default comes from the setting
    before = ca_repository.crl_requests
    assert validate_pdf(signed, trust_roots=roots(pki_dir)).signatures[0].revocation == (
        REVOCATION_GOOD
    )
    assert ca_repository.crl_requests > before


def test_revoked_certificate_reported_with_reason(sample_pdf, pki_dir, ca_repository, tmp_path):
    issued, backend = issue_backend(
        pki_dir, tmp_path, "Đỗ Thị Giang", crl_base_url=ca_repository.url
    )
    signed = sign_pdf(sample_pdf, backend)
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    ca_repository.revoke(issued.cert.serial_number, "key_compromise", when)
    report = validate_pdf(signed, trust_roots=roots(pki_dir), fetch_revocation=True)
    [sig] = report.signatures
    assert report.status == sig.status == "invalid", report.as_dict()
    assert sig.revocation == f"đã bị thu hồi lúc {when.astimezone(VN).isoformat()}"
    assert any("đã bị thu hồi" in r and "lộ khóa bí mật" in r for r in sig.reasons), sig.reasons
    assert sig.intact and sig.signature_valid
    # offline there is nothing to say
    assert validate_pdf(signed, trust_roots=roots(pki_dir)).status == "valid"


def test_unreachable_revocation_is_soft_fail(sample_pdf, pki_dir, tmp_path):
    base = dead_url("").rstrip("/")
    _issued, backend = issue_backend(pki_dir, tmp_path, "Ngô Văn Hải", crl_base_url=base)
    signed = sign_pdf(sample_pdf, backend)
    report = validate_pdf(signed, trust_roots=roots(pki_dir), fetch_revocation=True)
    [sig] = report.signatures
    assert report.status == "valid" and sig.chain_trusted, report.as_dict()
    assert sig.revocation == NOT_CHECKED
    assert any("thu hồi" in r for r in sig.reasons)


def test_certificate_without_distribution_point_not_checked(sample_pdf, person_backend, pki_dir):
    report = validate_pdf(
        sign_pdf(sample_pdf, person_backend), trust_roots=roots(pki_dir), fetch_revocation=True
    )
    assert report.status == "valid"
    assert report.signatures[0].revocation == NOT_CHECKED


# --- B-LT -----------------------------------------------------------------------------------


def test_b_lt_embeds_crl_and_validates_offline(sample_pdf, pki_dir, tsa, tmp_path):
    ca = pki_dir["ca"]
    with CARepository(ca) as repo:
        issued, backend = issue_backend(pki_dir, tmp_path, "Vũ Thị Lan", crl_base_url=repo.url)
        signed = sign_pdf(
            sample_pdf,
            backend,
            timestamp_url=tsa.url,
            embed_revocation=True,
            trust_roots=roots(pki_dir),
        )
        assert repo.crl_requests >= 1
        # the timestamp server's certificate points at the session's CA repository, whose
        # CRL is also embedded (same CA); the signer's was fetched from this one
    crls = _dss_crls(signed)
    assert crls
    for crl in crls:
        assert crl.issuer == ca.cert.subject and crl.is_signature_valid(ca.cert.public_key())
        assert crl.get_revoked_certificate_by_serial_number(issued.cert.serial_number) is None
    dss_certs = {c.dump() for c in _dss(signed).load_certs()}
    assert issued.cert.public_bytes(serialization.Encoding.DER) in dss_certs

    # the repository is down now: the embedded CRL is enough, without network
    report = validate_pdf(signed, trust_roots=roots(pki_dir), fetch_revocation=False)
    [sig] = report.signatures
    assert report.status == "valid", report.as_dict()
    assert sig.revocation == REVOCATION_GOOD
    assert sig.timestamp_time is not None
    assert sig.modification_level == "LTA_UPDATES" and not sig.covers_whole_file

    out = pdfsig(signed, tmp_path)
    assert "Signature is Valid." in out, out


def test_b_lt_by_setting(sample_pdf, pki_dir, ca_repository, tmp_path, settings):
    _issued, backend = issue_backend(
        pki_dir, tmp_path, "Trịnh Văn Minh", crl_base_url=ca_repository.url
    )
    settings.EGOV_SIGNING_EMBED_REVOCATION = True
    signed = sign_pdf(sample_pdf, backend, trust_roots=roots(pki_dir))
    assert _dss_crls(signed)
    assert validate_pdf(signed, trust_roots=roots(pki_dir)).signatures[0].revocation == (
        REVOCATION_GOOD
    )


def test_b_lt_then_revoked_offline_good_online_revoked(
    sample_pdf, pki_dir, ca_repository, tmp_path
):
    issued, backend = issue_backend(
        pki_dir, tmp_path, "Bùi Văn Nam", crl_base_url=ca_repository.url
    )
    signed = sign_pdf(sample_pdf, backend, embed_revocation=True, trust_roots=roots(pki_dir))
    ca_repository.revoke(issued.cert.serial_number, "affiliation_changed")
    offline = validate_pdf(signed, trust_roots=roots(pki_dir))
    assert offline.signatures[0].revocation == REVOCATION_GOOD  # what the file says
    online = validate_pdf(signed, trust_roots=roots(pki_dir), fetch_revocation=True)
    assert online.status == "invalid"
    assert online.signatures[0].revocation.startswith("đã bị thu hồi lúc")
    assert any("thay đổi thông tin" in r for r in online.signatures[0].reasons)


def test_b_lt_old_embedded_crl_checked_at_timestamp_time(sample_pdf, pki_dir, tsa, tmp_path):
    import time_machine

    with CARepository(pki_dir["ca"]) as repo:
        _issued, backend = issue_backend(pki_dir, tmp_path, "Lý Thị Oanh", crl_base_url=repo.url)
        signed = sign_pdf(
            sample_pdf,
            backend,
            timestamp_url=tsa.url,
            embed_revocation=True,
            trust_roots=roots(pki_dir),
        )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)  # the 7-day CRL is stale then
    with time_machine.travel(later, tick=False):
        report = validate_pdf(signed, trust_roots=roots(pki_dir))
    [sig] = report.signatures
    assert report.status == "valid", report.as_dict()
    assert sig.revocation.startswith("tốt (chưa bị thu hồi) tại thời điểm ký"), sig.revocation


def test_b_lt_refuses_revoked_signer(sample_pdf, pki_dir, ca_repository, tmp_path):
    issued, backend = issue_backend(
        pki_dir, tmp_path, "Mai Văn Phúc", crl_base_url=ca_repository.url
    )
    ca_repository.revoke(issued.cert.serial_number, "key_compromise")
    with pytest.raises(SigningError, match="đã bị thu hồi.*lộ khóa bí mật"):
        sign_pdf(sample_pdf, backend, embed_revocation=True, trust_roots=roots(pki_dir))


def test_b_lt_refuses_untrusted_chain(sample_pdf, pki_dir, ca_repository, tmp_path):
    _issued, backend = issue_backend(
        pki_dir, tmp_path, "Tạ Văn Quang", crl_base_url=ca_repository.url
    )
    other = pki.make_root_ca("Other CA")
    with pytest.raises(SigningError, match="tin cậy"):
        sign_pdf(sample_pdf, backend, embed_revocation=True, trust_roots=[other.cert])


def test_b_lt_with_unreachable_revocation_still_signs(sample_pdf, pki_dir, tmp_path):
    base = dead_url("").rstrip("/")
    _issued, backend = issue_backend(pki_dir, tmp_path, "Chu Văn Sơn", crl_base_url=base)
    signed = sign_pdf(sample_pdf, backend, embed_revocation=True, trust_roots=roots(pki_dir))
    assert _dss_crls(signed) == []
    report = validate_pdf(signed, trust_roots=roots(pki_dir))
    assert report.status == "valid"
    assert report.signatures[0].revocation == NOT_CHECKED


def test_make_demo_pki_uses_crl_base_url(tmp_path, settings, db):
    from django.core.management import call_command

    settings.EGOV_SIGNING_PKI_DIR = tmp_path
    settings.EGOV_SIGNING_CRL_BASE_URL = "http://127.0.0.1:9022"
    call_command("make_demo_pki", "--no-trust")
    tsa = pki.load_pkcs12(tmp_path / pki.TSA_FILE, settings.EGOV_SIGNING_PKCS12_PASSWORD)
    cdp = tsa.cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert cdp[0].full_name[0].value == "http://127.0.0.1:9022/demo-root-ca.crl"
    eku = tsa.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
