from __future__ import annotations

import io
import json
import subprocess

import pytest
from PIL import Image

from egov.core.testing import require_program
from egov.signing import pki
from egov.signing.backends import (
    LocalKeyRemoteSigner,
    RemoteBackend,
    SigningError,
    pkcs12_backend,
)
from egov.signing.models import TrustedRoot
from egov.signing.services import (
    attachment_stamp_text,
    seal_box,
    sign_pdf,
    validate_pdf,
)

from .conftest import PASSWORD


def pdfsig(pdf: bytes, tmp_path) -> str:
    path = require_program("pdfsig", "poppler-utils")
    f = tmp_path / "doc.pdf"
    f.write_bytes(pdf)
    # pdfsig exits non-zero when a signature is not trusted (no NSS database); read stdout.
    result = subprocess.run([path, str(f)], capture_output=True, timeout=60, check=False)
    return result.stdout.decode()


def png(color=(0, 0, 255, 255), size=(200, 80)) -> bytes:
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    for x in range(20, size[0] - 20):
        img.putpixel((x, size[1] // 2), color)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def roots(pki_dir):
    return [pki_dir["ca"].cert]


def test_demo_pki_subjects_and_idempotent(pki_dir):
    person = pki_dir["person"].cert
    assert "DEMO" in person.subject.rfc4514_string()
    assert person.issuer.rfc4514_string() == pki_dir["ca"].cert.subject.rfc4514_string()
    from cryptography import x509

    ku = person.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment
    again = pki.ensure_root_ca(pki_dir["dir"], PASSWORD)
    assert again.cert == pki_dir["ca"].cert


def test_sign_invisible_valid_and_pdfsig(sample_pdf, person_backend, pki_dir, tmp_path):
    signed = sign_pdf(sample_pdf, person_backend, reason="Phê duyệt", location="Thanh Ba")
    report = validate_pdf(signed, trust_roots=roots(pki_dir))
    assert report.status == "valid", report.as_dict()
    [sig] = report.signatures
    assert sig.signer_name == "Nguyễn Thị Hằng"
    assert sig.signer_organization == "UBND huyện Thanh Ba"
    assert sig.intact and sig.covers_whole_file and sig.chain_trusted
    assert sig.issuer == pki.ROOT_CN
    assert sig.signing_time.endswith("+07:00")
    json.dumps(report.as_dict())
    out = pdfsig(signed, tmp_path)
    assert "Signature is Valid." in out, out
    assert "Total document signed" in out, out
    assert "ETSI.CAdES.detached" in out, out


@pytest.mark.django_db
def test_trust_store_from_model(sample_pdf, person_backend, pki_dir):
    signed = sign_pdf(sample_pdf, person_backend)
    assert validate_pdf(signed).status == "untrusted"
    TrustedRoot.objects.create(name="demo", pem=pki_dir["ca"].cert_pem().decode())
    assert validate_pdf(signed).status == "valid"
    TrustedRoot.objects.update(is_active=False)
    report = validate_pdf(signed)
    assert report.status == "untrusted"
    assert any("tin cậy" in r for r in report.signatures[0].reasons)


def test_person_then_agency_both_valid(
    sample_pdf, person_backend, agency_backend, pki_dir, tmp_path
):
    person_box = (330, 120, 480, 180)
    once = sign_pdf(sample_pdf, person_backend, box=person_box, image=png())
    twice = sign_pdf(
        once,
        agency_backend,
        kind="agency",
        box=seal_box(person_box),
        image=png((255, 0, 0, 255), (200, 200)),
    )
    report = validate_pdf(twice, trust_roots=roots(pki_dir))
    assert report.status == "valid", report.as_dict()
    assert [s.field_name for s in report.signatures] == ["person-1", "agency-1"]
    assert report.signatures[1].covers_whole_file
    assert report.signatures[1].signer_name == "UBND huyện Thanh Ba"
    out = pdfsig(twice, tmp_path)
    assert out.count("Signature is Valid.") == 2, out
    assert "Total document signed" in out


def test_attachment_stamp_text(sample_pdf, agency_backend, pki_dir, tmp_path):
    text = attachment_stamp_text("Số: 01/TB-VP")
    assert text.endswith("+07:00")
    signed = sign_pdf(sample_pdf, agency_backend, kind="agency", stamp_text=text)
    report = validate_pdf(signed, trust_roots=roots(pki_dir))
    assert report.status == "valid", report.as_dict()
    assert "Signature is Valid." in pdfsig(signed, tmp_path)


def test_remote_signer(sample_pdf, pki_dir, tmp_path):
    person = pki_dir["person"]
    remote = LocalKeyRemoteSigner(person.key, person.cert, person.chain)
    signed = sign_pdf(sample_pdf, RemoteBackend(remote))
    assert remote.calls == 1
    assert validate_pdf(signed, trust_roots=roots(pki_dir)).status == "valid"
    assert "Signature is Valid." in pdfsig(signed, tmp_path)


# --- tampering ------------------------------------------------------------------------------


def test_flipped_byte_is_invalid(sample_pdf, person_backend, pki_dir):
    signed = bytearray(sign_pdf(sample_pdf, person_backend))
    i = signed.index(b"/Type /Page") if b"/Type /Page" in signed else 200
    signed[i + 1] ^= 0x01
    report = validate_pdf(bytes(signed), trust_roots=roots(pki_dir))
    assert report.status == "invalid"
    assert not report.signatures[0].intact
    assert any("thay đổi" in r for r in report.signatures[0].reasons)


def test_incremental_update_after_signing(sample_pdf, person_backend, pki_dir):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = sign_pdf(sample_pdf, person_backend)
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref = w.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (SUA) Tj ET")
    contents = page["/Contents"]
    arr = generic.ArrayObject(
        contents if isinstance(contents, generic.ArrayObject) else [page.raw_get("/Contents")]
    )
    arr.append(w.add_object(stream))
    page["/Contents"] = arr
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    report = validate_pdf(out.getvalue(), trust_roots=roots(pki_dir))
    sig = report.signatures[0]
    assert report.status == "invalid", report.as_dict()
    assert sig.intact and not sig.covers_whole_file
    assert any("toàn bộ tệp" in r for r in sig.reasons)


def test_untrusted_ca(sample_pdf, pki_dir, tmp_path):
    other = pki.make_root_ca("Other CA")
    stranger = pki.issue(other, "Người Lạ", organization="Nơi khác")
    f = tmp_path / "s.p12"
    f.write_bytes(stranger.pkcs12_bytes(PASSWORD))
    signed = sign_pdf(sample_pdf, pkcs12_backend(f, PASSWORD))
    report = validate_pdf(signed, trust_roots=roots(pki_dir))
    sig = report.signatures[0]
    assert report.status == "untrusted"
    assert sig.intact and not sig.chain_trusted
    assert any("Other CA" in r for r in sig.reasons)


# --- bad input ------------------------------------------------------------------------------


def test_encrypted_pdf_refused(sample_pdf, person_backend):
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    w = copy_into_new_writer(PdfFileReader(io.BytesIO(sample_pdf)))
    w.encrypt = None
    w.security_handler = StandardSecurityHandler.build_from_pw("owner", "user")
    w._assign_security_handler(w.security_handler)
    out = io.BytesIO()
    w.write(out)
    with pytest.raises(SigningError, match="mã hóa"):
        sign_pdf(out.getvalue(), person_backend)


def test_garbage_refused(person_backend):
    with pytest.raises(SigningError, match="PDF"):
        sign_pdf(b"not a pdf at all", person_backend)
    with pytest.raises(SigningError, match="hỏng"):
        sign_pdf(b"%PDF-1.7\n garbage garbage \n%%EOF", person_backend)


def test_too_large_refused(sample_pdf, person_backend, settings):
    settings.EGOV_SIGNING_MAX_MB = 0
    with pytest.raises(SigningError, match="quá lớn"):
        sign_pdf(sample_pdf, person_backend)


def test_certified_no_changes_refused(sample_pdf, person_backend, agency_backend):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name="cert", certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES
    )
    w = IncrementalPdfFileWriter(io.BytesIO(sample_pdf))
    certified = signers.PdfSigner(meta, person_backend.get_signer()).sign_pdf(w).getvalue()
    with pytest.raises(SigningError, match="chứng thực"):
        sign_pdf(certified, agency_backend)


def test_wrong_password_and_missing_file(pki_dir, tmp_path):
    with pytest.raises(SigningError, match="Mật khẩu"):
        pkcs12_backend(pki_dir["person"].path, "wrong")
    with pytest.raises(SigningError, match="Không tìm thấy"):
        pkcs12_backend(tmp_path / "nope.p12", PASSWORD)


def test_backend_cached(pki_dir):
    a = pkcs12_backend(pki_dir["person"].path, PASSWORD)
    assert pkcs12_backend(pki_dir["person"].path, PASSWORD) is a
