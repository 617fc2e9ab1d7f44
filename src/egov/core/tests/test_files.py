"""Uploads: type by content, size, PDF structure, storage through the storage API."""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from egov.core.files import (
    CheckedFileField,
    check_upload,
    clean_original_name,
    detect_kind,
    pdf_page_count,
    sha256_of_stored,
    store_upload,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


# --- sample files, made for real -------------------------------------------------------------


def make_pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_encrypted_pdf(user_password: str = "mat-khau", owner_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.encrypt(user_password, owner_password=owner_password, algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_png(width: int = 4, height: int = 3) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def make_zip(members: dict[str, bytes], *, stored: bool = False) -> bytes:
    buf = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buf, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def upload(
    content: bytes, name: str = "tep.pdf", content_type: str = "application/pdf"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def error_code(exc_info) -> str:
    return exc_info.value.code


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (make_pdf(1), "pdf"),
        (b"\n\r\n" + make_pdf(1), "pdf"),
        (make_png(), "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpeg"),
        (b"II*\x00\x08\x00\x00\x00", "tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "tiff"),
        (
            make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
            "docx",
        ),
        (make_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}), "xlsx"),
        (
            make_zip(
                {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
                stored=True,
            ),
            "odt",
        ),
        (make_zip({"a.txt": b"hello"}), "zip"),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<edXMLEnvelope/>', "xml"),
        ("\ufeff<?xml version='1.0'?><a/>".encode(), "xml"),
        ("<?xml version='1.0'?><a/>".encode("utf-16"), "xml"),
        (b"  <edXML:edXMLEnvelope xmlns:edXML='http://x'/>", "xml"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'/>", "html"),
        (b"GIF89a....", None),
        (b"plain text", None),
    ],
)
def test_kind_is_detected_from_the_content(content, kind):
    assert detect_kind(content[:2048], io.BytesIO(content)) == kind


def test_a_png_named_pdf_is_refused_as_a_pdf_and_accepted_as_a_png():
    fake = upload(make_png(), name="quyet-dinh.pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        check_upload(fake, allowed=("pdf",))
    assert error_code(exc) == "file_type_not_allowed"
    assert "PNG" in exc.value.messages[0]

    checked = check_upload(fake)  # default: pdf, png, jpeg, tiff
    assert checked.kind == "png" and checked.content_type == "image/png"


def test_a_zip_holding_a_pdf_is_not_taken_for_a_pdf():
    polyglot = make_zip({"giay-to.pdf": make_pdf(1)}, stored=True)
    assert b"%PDF-" in polyglot[:1024]  # a reader scanning the first KiB would see a PDF header
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(polyglot, name="giay-to.pdf"), allowed=("pdf",))
    assert error_code(exc) == "file_type_not_allowed"


def test_a_docx_disguised_as_pdf_is_refused():
    docx = make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(docx, name="don.pdf"), allowed=("pdf",))
    assert error_code(exc) == "file_type_not_allowed"
    assert "DOCX" in exc.value.messages[0]
    assert check_upload(upload(docx, name="don.pdf"), allowed=("pdf", "docx")).kind == "docx"


def test_unknown_content_is_refused():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(b"GIF89a" + b"\x00" * 50, name="anh.png"))
    assert error_code(exc) == "file_type_not_allowed"
    assert "không xác định" in exc.value.messages[0]


# --- size -------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(b"", name="rong.pdf"))
    assert error_code(exc) == "file_empty"


def test_the_size_limit_comes_from_the_setting(settings):
    settings.EGOV_MAX_UPLOAD_MB = 1
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(1))))
    writer.add_attachment("phu-luc.bin", os.urandom(1024 * 1024))  # random: does not compress
    buf = io.BytesIO()
    writer.write(buf)
    big = buf.getvalue()
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(big))
    assert error_code(exc) == "file_too_large"
    assert exc.value.messages == ["Tệp quá lớn (1,1 MB); dung lượng tối đa là 1 MB."]

    settings.EGOV_MAX_UPLOAD_MB = 2
    assert check_upload(upload(big)).size == len(big)


def test_the_size_limit_is_checked_on_the_bytes_not_only_the_declared_size():
    pdf = make_pdf(1)
    fake = upload(pdf)
    fake.size = 10  # a client lying about the size
    with pytest.raises(ValidationError) as exc:
        check_upload(fake, max_bytes=len(pdf) - 1)
    assert error_code(exc) == "file_too_large"


# --- PDF structure ----------------------------------------------------------------------------


def test_a_good_pdf_passes_with_its_page_count():
    checked = check_upload(upload(make_pdf(3)))
    assert (checked.kind, checked.page_count) == ("pdf", 3)
    assert pdf_page_count(make_pdf(2)) == 2


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1])
def test_a_truncated_pdf_is_malformed(keep):
    pdf = make_pdf(2)
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(pdf[: int(len(pdf) * keep)]))
    assert error_code(exc) == "pdf_malformed"
    assert "cắt cụt" in exc.value.messages[0]


def test_a_pdf_header_with_garbage_is_malformed():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(b"%PDF-1.7\n" + b"rubbish " * 100 + b"\n%%EOF\n"))
    assert error_code(exc) == "pdf_malformed"


def test_a_pdf_with_wrong_xref_offsets_but_a_complete_tail_is_repaired():
    pdf = make_pdf(1)
    at = pdf.index(b"3 0 obj")
    shifted = pdf[:at] + b"% a scanner's comment shifts every offset\n" + pdf[at:]
    with pytest.raises(Exception, match="xref"):
        PdfReader(io.BytesIO(shifted), strict=True)
    assert check_upload(upload(shifted)).page_count == 1


@pytest.mark.parametrize(("user", "owner"), [("mat-khau", None), ("", "chu-so-huu")])
def test_an_encrypted_pdf_has_its_own_error(user, owner):
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(make_encrypted_pdf(user, owner)))
    assert error_code(exc) == "pdf_encrypted"
    assert "mật khẩu" in exc.value.messages[0]


def test_a_pdf_without_pages_is_refused():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(make_pdf(0)))
    assert error_code(exc) == "pdf_no_pages"


def test_pdf_page_count_refuses_what_is_not_a_pdf():
    with pytest.raises(ValidationError) as exc:
        pdf_page_count(make_png())
    assert error_code(exc) == "pdf_malformed"


def test_a_truncated_png_is_malformed():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(make_png(64, 64)[:60], name="anh.png", content_type="image/png"))
    assert error_code(exc) == "file_malformed"


@hsettings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.binary(max_size=600),
    st.sampled_from([b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04"]),
)
def test_any_bytes_give_a_result_or_a_validation_error(body, prefix):
    try:
        check_upload(
            prefix + body,
            allowed=("pdf", "png", "jpeg", "tiff", "docx", "xlsx", "odt", "xml", "zip"),
        )
    except ValidationError as exc:
        assert exc.code in {
            "file_empty",
            "file_type_not_allowed",
            "file_malformed",
            "pdf_malformed",
            "pdf_encrypted",
            "pdf_no_pages",
        }


# --- storage ----------------------------------------------------------------------------------


@time_machine.travel(datetime(2021, 1, 5, 23, 30, tzinfo=VN), tick=False)
def test_a_good_pdf_is_stored_under_a_dated_random_name_and_reads_back(settings, tmp_path):
    content = make_pdf(2)
    name = unicodedata.normalize(
        "NFD", "../../Đơn đề nghị cấp phép.pdf"
    )  # decomposed, as macOS sends
    stored = store_upload(upload(content, name=name), folder="dossiers/scans")

    assert re.fullmatch(r"dossiers/scans/2021/01/05/[0-9a-f]{32}\.pdf", stored.name)
    assert stored.original_name == unicodedata.normalize("NFC", "Đơn đề nghị cấp phép.pdf")
    assert (stored.kind, stored.size, stored.page_count) == ("pdf", len(content), 2)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()

    with default_storage.open(stored.name, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == stored.sha256
    assert sha256_of_stored(stored.name) == stored.sha256
    assert (settings.MEDIA_ROOT / stored.name).is_file()
    assert str(settings.MEDIA_ROOT).startswith(str(tmp_path))


def test_the_stored_extension_is_the_detected_one_not_the_users():
    stored = store_upload(upload(make_png(), name="scan.pdf"), folder="scans")
    assert stored.name.endswith(".png") and stored.kind == "png"
    assert stored.original_name == "scan.pdf"


def test_a_file_on_disk_is_checked_and_stored_too():
    content = make_pdf(1)
    tmp = TemporaryUploadedFile("bien-ban.pdf", "application/pdf", len(content), None)
    tmp.write(content)
    tmp.seek(0)
    stored = store_upload(tmp, folder="documents")  # FileSystemStorage moves the temporary file
    tmp.close()  # as Django does at the end of a request
    assert sha256_of_stored(stored.name) == hashlib.sha256(content).hexdigest()


def test_nothing_is_stored_when_the_check_fails():
    with pytest.raises(ValidationError):
        store_upload(upload(make_encrypted_pdf()), folder="scans")
    assert not default_storage.exists("scans")


@pytest.mark.parametrize("folder", ["../etc", "/abs", "Scans", "a//b", "a/../b", "", "hồ-sơ"])
def test_the_folder_is_chosen_by_code_and_checked(folder):
    with pytest.raises(ValueError):
        store_upload(upload(make_pdf(1)), folder=folder)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\an\\Tờ khai.pdf", "Tờ khai.pdf"),
        ('a\x00b<>:"|?*.pdf', "ab.pdf"),
        ("  ..  ", "tep"),
        (None, "tep"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_original_names_are_cleaned(raw, clean):
    assert clean_original_name(raw) == clean


# --- form field -------------------------------------------------------------------------------


class ScanForm(forms.Form):
    scan = CheckedFileField(label="Bản quét", allowed=("pdf",))


def test_the_form_field_accepts_a_good_pdf_and_keeps_the_check():
    form = ScanForm(data={}, files={"scan": upload(make_pdf(1))})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["scan"].egov_check.page_count == 1
    stored = store_upload(form.cleaned_data["scan"], folder="scans")
    assert stored.page_count == 1
    assert 'accept=".pdf,application/pdf"' in str(form["scan"])


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (make_png(), "file_type_not_allowed"),
        (b"", "file_empty"),
        (make_encrypted_pdf(), "pdf_encrypted"),
        (make_pdf(2)[:300], "pdf_malformed"),
    ],
)
def test_the_form_field_reports_the_specific_error(content, code):
    form = ScanForm(data={}, files={"scan": upload(content)})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["scan"]] == [code]


def test_the_form_field_is_still_required():
    form = ScanForm(data={}, files={})
    assert not form.is_valid()
    assert form.errors.as_data()["scan"][0].code == "required"
