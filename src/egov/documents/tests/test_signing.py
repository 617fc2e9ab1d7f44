"""The leader signs at approval, the issued document carries the number and date printed by
the NĐ 30 template and both signatures (leader's image, then the agency seal)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages

from egov.documents import services
from egov.documents.models import OutgoingDocument, OutState
from egov.signing.services import validate_pdf

from .conftest import draft_data, vn

pytestmark = pytest.mark.django_db


def _to_leader(world):
    doc = services.create_draft(world.vx, draft_data(), by=world.vx_spec)
    services.send_for_review(doc, by=world.vx_spec)
    services.approve_review(doc, by=world.vx_head)
    return doc


def _read(f) -> bytes:
    with storages["default"].open(f.storage_name, "rb") as fh:
        return fh.read()


def _fields(pdf: bytes) -> dict[str, str | None]:
    import io

    from pypdf import PdfReader

    return {k: v.get("/V") for k, v in (PdfReader(io.BytesIO(pdf)).get_fields() or {}).items()}


def _signature_values(pdf: bytes) -> list[bytes]:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    return [s.pkcs7_content for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures]


def test_approve_sign_issue_with_keys(world, keys, tmp_path):
    doc = _to_leader(world)
    services.approve_and_sign(doc, by=world.leader)
    signed = doc.files.get(role="signed")
    approved_pdf = _read(signed)
    report = validate_pdf(approved_pdf)
    assert [s.status for s in report.signatures] == ["valid"]
    # the number and the date are empty fields the clerk fills at issue
    fields = _fields(approved_pdf)
    assert fields["so_ky_hieu"] in (None, "") and fields["ngay_ban_hanh"] in (None, "")
    assert "Số:" in signed.text and "QĐ-UBND" not in signed.text
    with services.simulated_clock(vn(2026, 3, 5, 8, 0)):
        doc = services.issue(doc, by=world.clerk)
    issued = doc.files.get(role="issued")
    issued_pdf = _read(issued)
    assert issued.signature_report is not None
    assert issued.signature_report.signature_count == 2
    assert issued.signature_report.status == "valid"
    fields = _fields(issued_pdf)
    assert fields["so_ky_hieu"] == "01/QĐ-UBND"
    assert fields["ngay_ban_hanh"] == "ngày 05 tháng 3 năm 2026"
    text = " ".join(issued.text.split())
    assert "TM. ỦY BAN NHÂN DÂN" in text and "Nguyễn Thị Hằng" in text
    report = validate_pdf(issued_pdf)
    names = [s.signer_name for s in report.signatures]
    assert names == ["Nguyễn Thị Hằng", "UBND huyện Thanh Ba"]
    # the leader's signature is the one made at approval: the clerk never used the leader's key
    assert _signature_values(issued_pdf)[0] == _signature_values(approved_pdf)[0]
    leader = report.signatures[0]
    assert leader.status == "valid" and leader.modification_level == "FORM_FILLING"
    # an independent validator agrees
    from egov.core.testing import run_program

    path = tmp_path / "issued.pdf"
    path.write_bytes(issued_pdf)
    out = run_program("pdfsig", "poppler-utils", str(path))
    assert out.count("Signature is Valid.") == 2, out
    assert "01/qd-ubnd" in doc.search_text


def test_signing_required_without_keys_changes_nothing(world, settings):
    settings.EGOV_DOCUMENTS_SIGNING = "required"
    doc = _to_leader(world)
    with pytest.raises(ValidationError) as exc:
        services.approve_and_sign(doc, by=world.leader)
    assert exc.value.code == "no_signing_key"
    doc = OutgoingDocument.objects.get(pk=doc.pk)
    assert doc.state == OutState.LEADER_REVIEW and not doc.files.exists()
