"""The signature-checking page and API: any PDF, a kept report, a badge and a detail panel."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.accounts.tests.factories import CitizenFactory, MembershipFactory, UserFactory
from egov.core.audit import AuditEvent
from egov.signing.models import SignatureReport, TrustedRoot
from egov.signing.services import sign_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = UserFactory(username="vanthu.test", full_name="Lê Văn Thư")
    MembershipFactory(user=user, role="clerk")
    client.force_login(user)
    return user


@pytest.fixture
def signed(sample_pdf, person_backend, agency_backend):
    pdf = sign_pdf(sample_pdf, person_backend, kind="person")
    return sign_pdf(pdf, agency_backend, kind="agency")


def upload(data: bytes, name="van-ban.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_valid_signatures_badge_and_panel(client, officer, signed, pki_dir):
    TrustedRoot.objects.create(name="root", pem=pki_dir["ca"].cert_pem().decode())
    response = client.post("/signing/verify/", {"file": upload(signed)})
    assert response.status_code == 302
    report = SignatureReport.objects.get()
    assert report.status == "valid" and report.signature_count == 2
    assert report.checked_by == officer and report.original_name == "van-ban.pdf"
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="valid"' in page
    assert page.count('data-testid="signature-row"') == 2
    assert "Nguyễn Thị Hằng" in page and "UBND huyện Thanh Ba" in page
    assert AuditEvent.objects.filter(action="signing.validated").count() == 1
    # listed among my checks
    assert "van-ban.pdf" in client.get("/signing/verify/").content.decode()


def test_untrusted_chain_shows_the_reason(client, officer, signed):
    response = client.post("/signing/verify/", {"file": upload(signed)}, follow=True)
    page = response.content.decode()
    assert 'data-status="untrusted"' in page
    assert "không thuộc tổ chức chứng thực tin cậy" in page


def test_tampered_file_is_invalid(client, officer, signed, pki_dir):
    TrustedRoot.objects.create(name="root", pem=pki_dir["ca"].cert_pem().decode())
    tampered = bytearray(signed)
    tampered[signed.index(b"/Type /Page") + 1] ^= 0x01  # inside the signed byte range
    tampered = bytes(tampered)
    client.post("/signing/verify/", {"file": upload(tampered)})
    report = SignatureReport.objects.get()
    assert report.status == "invalid"
    page = client.get(f"/signing/reports/{report.pk}/").content.decode()
    assert 'data-status="invalid"' in page and "đã bị thay đổi sau khi ký" in page


def test_unsigned_pdf_and_non_pdf(client, officer, sample_pdf):
    client.post("/signing/verify/", {"file": upload(sample_pdf)}, follow=True)
    assert SignatureReport.objects.get().status == "invalid"
    assert SignatureReport.objects.get().signature_count == 0
    response = client.post(
        "/signing/verify/", {"file": SimpleUploadedFile("a.pdf", b"hello", "application/pdf")}
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert SignatureReport.objects.count() == 1  # nothing kept for a refused upload


def test_other_officers_reports_are_private(client, officer, signed):
    client.post("/signing/verify/", {"file": upload(signed)})
    report = SignatureReport.objects.get()
    other = UserFactory(username="khac")
    MembershipFactory(user=other, role="clerk")
    client.force_login(other)
    assert client.get(f"/signing/reports/{report.pk}/").status_code == 403


def test_citizens_cannot_use_the_officer_page(client):
    client.force_login(CitizenFactory())
    assert client.get("/signing/verify/").status_code == 403


def test_api_validates_and_keeps_the_report(client, officer, signed, pki_dir):
    TrustedRoot.objects.create(name="root", pem=pki_dir["ca"].cert_pem().decode())
    response = client.post("/api/signature-reports/", {"file": upload(signed)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "valid" and body["signature_count"] == 2
    assert body["signatures"][0]["signer_name"] == "Nguyễn Thị Hằng"
    assert body["signatures"][0]["chain_trusted"] is True
    again = client.get(f"/api/signature-reports/{body['id']}/")
    assert again.status_code == 200 and again.json()["sha256"] == body["sha256"]
    bad = client.post(
        "/api/signature-reports/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 broken")}
    )
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["file"]
