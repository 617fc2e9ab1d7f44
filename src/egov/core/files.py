"""Uploaded files: type detection by content, size and PDF structure checks, storage.

Every upload goes through :func:`check_upload` (or :class:`CheckedFileField` in a form) and is
kept with :func:`store_upload`, which writes through Django's storage API
(``storages["default"]``), so the local media folder and S3-compatible object storage are one
setting apart. The type of a file is decided from its bytes only, never from the name or the
content type the browser sent: a scanner's PDF renamed ``.png``, or a ``.pdf`` that is really a
zip, is caught here. The stored name is random and dated; the user's file name is kept only as
cleaned metadata (``original_name``).

PDFs are parsed with pypdf in strict mode. A file whose tail is intact (``startxref`` …
``%%EOF``) but whose cross-reference offsets are slightly wrong, as some scanners write them,
is re-read leniently: pypdf rebuilds the table and the file is accepted if every page then
resolves. A truncated file (no tail) or an encrypted one is refused with its own error code.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import storages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
_PDF_TAIL = 2048  # startxref and %%EOF must sit in the last bytes of a complete PDF

# kind → (label shown to people, file extension, MIME type)
KINDS: dict[str, tuple[str, str, str]] = {
    "pdf": ("PDF", "pdf", "application/pdf"),
    "png": ("PNG", "png", "image/png"),
    "jpeg": ("JPEG", "jpg", "image/jpeg"),
    "tiff": ("TIFF", "tif", "image/tiff"),
    "docx": (
        "Word (DOCX)",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "Excel (XLSX)",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": (
        "PowerPoint (PPTX)",
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "odt": ("OpenDocument (ODT)", "odt", "application/vnd.oasis.opendocument.text"),
    "ods": ("OpenDocument (ODS)", "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "xml": ("XML", "xml", "application/xml"),
    "zip": ("ZIP", "zip", "application/zip"),
    "html": ("HTML", "html", "text/html"),
}
_ALIASES = {"jpg": "jpeg", "tif": "tiff"}
DEFAULT_ALLOWED = ("pdf", "png", "jpeg", "tiff")
IMAGE_KINDS = frozenset({"png", "jpeg", "tiff"})

_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_OOXML_PARTS = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)


@dataclass(frozen=True)
class CheckedUpload:
    """What :func:`check_upload` found out about a file."""

    kind: str
    size: int
    sha256: str
    page_count: int | None = None

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][2]

    @property
    def extension(self) -> str:
        return KINDS[self.kind][1]


@dataclass(frozen=True)
class StoredFile:
    """A file kept in the default storage. ``name`` is the storage name to save on a model."""

    name: str
    size: int
    sha256: str
    kind: str
    original_name: str
    page_count: int | None = None

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][2]


# --- detection ------------------------------------------------------------------------------


def detect_kind(head: bytes, stream: IO[bytes] | None = None) -> str | None:
    """The kind of a file from its first bytes (``head``, at least 1 KiB when the file is that
    long). Zip containers need ``stream`` (seekable) to look at their members; without it they
    are reported as plain ``"zip"``. Returns ``None`` when the content is not recognised."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_kind(stream) if stream is not None else "zip"
    # Readers accept a PDF header anywhere in the first KiB; we only allow white space before
    # it, so that a polyglot (e.g. a zip holding a PDF) is never taken for a PDF.
    if head.lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
        return "pdf"
    return _markup_kind(head)


def _zip_kind(stream: IO[bytes]) -> str:
    """OOXML and ODF files are zip archives; the members say which one. Only names and the tiny
    ``mimetype`` member are read, never the compressed content (zip bombs stay closed)."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    kind = _ODF_MIMETYPES.get(archive.read("mimetype").strip())
                    if kind:
                        return kind
            if "[Content_Types].xml" in names:
                for part, kind in _OOXML_PARTS:
                    if part in names:
                        return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError):
        return "zip"  # a broken archive is at best a zip; only allowed where "zip" is
    return "zip"


def _markup_kind(head: bytes) -> str | None:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip().lower()
    if text.startswith(("<!doctype html", "<html")):
        return "html"
    if text.startswith("<?xml"):
        # An XHTML page declares itself XML too; it is still a web page, not data.
        return "html" if "<html" in text[:1024] else "xml"
    if re.match(r"<[a-z_][\w.\-]*(:[\w.\-]+)?[\s/>]", text):
        return "xml"
    return None


# --- checks ---------------------------------------------------------------------------------


def _normalise_allowed(allowed: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(_ALIASES.get(a.lower(), a.lower()) for a in allowed)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown file kinds: {unknown}")
    return kinds


def default_max_bytes() -> int:
    return int(settings.EGOV_MAX_UPLOAD_MB) * 1024 * 1024


def _megabytes(n: int, *, up: bool = False) -> str:
    """Vietnamese decimal comma; sizes are rounded up so that a refused file never shows the
    same number as the limit."""
    tenths = n * 10 / (1024 * 1024)
    tenths = math.ceil(tenths) if up else round(tenths)
    whole, frac = divmod(tenths, 10)
    return f"{whole},{frac}" if frac else f"{whole}"


def _as_stream(uploaded_file: Any) -> IO[bytes]:
    if isinstance(uploaded_file, bytes | bytearray):
        return io.BytesIO(uploaded_file)
    if hasattr(uploaded_file, "open") and getattr(uploaded_file, "closed", False):
        uploaded_file.open("rb")
    return uploaded_file


def check_upload(
    uploaded_file: Any,
    *,
    allowed: Iterable[str] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
) -> CheckedUpload:
    """Check an uploaded file (a Django ``File``/``UploadedFile``, any seekable binary stream,
    or ``bytes``) and return its detected kind, size, SHA-256 and, for PDFs, its page count.

    Raises :class:`ValidationError` with one of the codes ``file_empty``, ``file_too_large``,
    ``file_type_not_allowed``, ``file_malformed``, ``pdf_malformed``, ``pdf_encrypted``,
    ``pdf_no_pages``. The stream is left at position 0.
    """
    kinds = _normalise_allowed(allowed)
    limit = default_max_bytes() if max_bytes is None else max_bytes
    stream = _as_stream(uploaded_file)

    declared = getattr(uploaded_file, "size", None)
    if isinstance(declared, int) and declared > limit:
        _raise_too_large(declared, limit)

    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := stream.read(CHUNK):
        if len(head) < 2048:
            head += chunk[: 2048 - len(head)]
        size += len(chunk)
        if size > limit:
            stream.seek(0)
            _raise_too_large(size, limit)
        digest.update(chunk)
    if size == 0:
        raise ValidationError(_("Tệp rỗng (0 byte): hãy chọn lại tệp."), code="file_empty")

    try:
        kind = detect_kind(head, stream)
    finally:
        stream.seek(0)
    if kind not in kinds:
        raise ValidationError(
            _("Loại tệp không được chấp nhận: nội dung tệp là %(kind)s; chỉ nhận %(allowed)s."),
            code="file_type_not_allowed",
            params={
                "kind": KINDS[kind][0] if kind else _("không xác định"),
                "allowed": ", ".join(KINDS[k][0] for k in kinds),
            },
        )

    page_count = None
    try:
        if kind == "pdf":
            page_count = _check_pdf(stream)
        elif kind in IMAGE_KINDS:
            _check_image(stream)
    finally:
        stream.seek(0)
    return CheckedUpload(kind=kind, size=size, sha256=digest.hexdigest(), page_count=page_count)


def _raise_too_large(size: int, limit: int) -> None:
    raise ValidationError(
        _("Tệp quá lớn (%(size)s MB); dung lượng tối đa là %(limit)s MB."),
        code="file_too_large",
        params={"size": _megabytes(size, up=True), "limit": _megabytes(limit)},
    )


def _pdf_malformed(detail: str) -> ValidationError:
    return ValidationError(
        _(
            "Tệp PDF bị hỏng hoặc không đầy đủ (%(detail)s). Hãy xuất hoặc quét lại tệp rồi tải lên."
        ),
        code="pdf_malformed",
        params={"detail": detail},
    )


def _has_pdf_tail(stream: IO[bytes]) -> bool:
    stream.seek(0, io.SEEK_END)
    end = stream.tell()
    stream.seek(max(0, end - _PDF_TAIL))
    tail = stream.read()
    return b"%%EOF" in tail and b"startxref" in tail


def _check_pdf(stream: IO[bytes]) -> int:
    """Structure of a PDF: parses, trailer and cross-reference table readable, not encrypted,
    at least one page, every page object resolvable. Returns the page count."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    def read(strict: bool) -> int:
        stream.seek(0)
        reader = PdfReader(stream, strict=strict)
        if reader.is_encrypted:
            raise FileNotDecryptedError("encrypted")
        if "/Root" not in reader.trailer:
            raise PdfReadError("trailer has no /Root")
        pages = reader.pages
        for page in pages:
            page.mediabox  # noqa: B018 - resolves the page object and its inherited attributes
        return len(pages)

    try:
        try:
            count = read(strict=True)
        except FileNotDecryptedError:
            raise
        except PdfReadError as strict_error:
            if not _has_pdf_tail(stream):
                raise
            # Complete file with a sloppy xref table: let pypdf rebuild it.
            log.info("pdf_lenient_reparse", extra={"reason": str(strict_error)})
            count = read(strict=False)
    except FileNotDecryptedError as exc:
        raise ValidationError(
            _("Tệp PDF được đặt mật khẩu hoặc mã hóa. Hãy gỡ mật khẩu rồi tải lại."),
            code="pdf_encrypted",
        ) from exc
    except PdfReadError as exc:
        raise _pdf_malformed(_explain_pdf_error(exc)) from exc
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
    ) as exc:
        # pypdf lets some low-level errors through on badly broken files.
        raise _pdf_malformed(str(_("cấu trúc không hợp lệ"))) from exc
    if count < 1:
        raise ValidationError(_("Tệp PDF không có trang nào."), code="pdf_no_pages")
    return count


def _explain_pdf_error(exc: Exception) -> str:
    text = str(exc).lower()
    if "eof marker" in text or "stream has ended" in text or "startxref" in text:
        return str(_("tệp bị cắt cụt, thiếu phần cuối"))
    if "xref" in text or "trailer" in text:
        return str(_("bảng tham chiếu chéo (xref) hoặc trailer không đọc được"))
    return str(_("cấu trúc không hợp lệ"))


def _check_image(stream: IO[bytes]) -> None:
    """Images are opened with Pillow (a WeasyPrint dependency) to catch truncated or fake files
    and decompression bombs. Skipped if Pillow is missing."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow ships with WeasyPrint
        return
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            image.verify()
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            _("Ảnh có kích thước điểm ảnh quá lớn."), code="file_malformed"
        ) from exc
    except Exception as exc:
        raise ValidationError(
            _("Tệp ảnh bị hỏng hoặc không đầy đủ."), code="file_malformed"
        ) from exc


def pdf_page_count(data: bytes | IO[bytes]) -> int:
    """Number of pages of a PDF, after the same structure checks as an upload (size not checked).
    Raises :class:`ValidationError` (``pdf_malformed``, ``pdf_encrypted``, ``pdf_no_pages``)."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    stream.seek(0)
    if detect_kind(stream.read(2048)) != "pdf":
        raise _pdf_malformed(str(_("không có phần đầu %PDF")))
    try:
        return _check_pdf(stream)
    finally:
        stream.seek(0)


# --- storage --------------------------------------------------------------------------------

_FOLDER_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-]*)*$")
_FORBIDDEN_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def clean_original_name(name: str | None, max_length: int = 200) -> str:
    """The user's file name, safe to show and to put in a Content-Disposition header: the last
    path component, NFC, no control or reserved characters, at most ``max_length`` characters
    (the extension is kept). Never used as a storage path."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _FORBIDDEN_NAME_CHARS.sub("", name)
    name = " ".join(name.split()).strip(" .")
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_length - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:max_length].rstrip(" .")
    return name or "tep"


def store_upload(
    uploaded_file: Any,
    *,
    folder: str,
    allowed: Iterable[str] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
    checked: CheckedUpload | None = None,
) -> StoredFile:
    """Check a file, then save it in the default storage as
    ``<folder>/<yyyy>/<mm>/<dd>/<random>.<ext>`` (the extension of the detected kind, the date
    in Vietnam time). ``folder`` is chosen by the code (e.g. ``"dossiers/scans"``), lower-case
    ASCII only. Pass ``checked`` when the file already went through :func:`check_upload` (a
    :class:`CheckedFileField` puts it on ``file.egov_check``)."""
    if not _FOLDER_RE.match(folder):
        raise ValueError(f"invalid storage folder {folder!r}: lower-case a-z, 0-9, _ - and /")
    if checked is None:
        checked = getattr(uploaded_file, "egov_check", None) or check_upload(
            uploaded_file, allowed=allowed, max_bytes=max_bytes
        )
    original = clean_original_name(getattr(uploaded_file, "name", None))
    day = timezone.localdate()
    target = f"{folder}/{day:%Y/%m/%d}/{uuid.uuid4().hex}.{checked.extension}"

    content = uploaded_file
    if isinstance(content, bytes | bytearray):
        content = File(io.BytesIO(content))
    elif not isinstance(content, File):
        content = File(content)
    content.seek(0)
    name = storages["default"].save(target, content)
    return StoredFile(
        name=name,
        size=checked.size,
        sha256=checked.sha256,
        kind=checked.kind,
        original_name=original,
        page_count=checked.page_count,
    )


def sha256_of_stored(name: str) -> str:
    """SHA-256 of a stored file, read back through the storage API (for integrity checks)."""
    digest = hashlib.sha256()
    with storages["default"].open(name, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- forms ----------------------------------------------------------------------------------


class CheckedFileField(forms.FileField):
    """A file field that runs :func:`check_upload`. The result is put on the cleaned file as
    ``egov_check`` so that :func:`store_upload` does not read the file twice."""

    def __init__(
        self, *, allowed: Iterable[str] = DEFAULT_ALLOWED, max_bytes: int | None = None, **kwargs
    ):
        self.allowed = _normalise_allowed(allowed)
        self.max_bytes = max_bytes
        kwargs.setdefault("allow_empty_file", True)  # check_upload reports it with its own code
        super().__init__(**kwargs)
        accept = []
        for kind in self.allowed:
            accept += [f".{KINDS[kind][1]}", KINDS[kind][2]]
            if kind == "jpeg":
                accept.append(".jpeg")
            if kind == "tiff":
                accept.append(".tiff")
        self.widget.attrs.setdefault("accept", ",".join(accept))

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is data and hasattr(value, "read"):
            value.egov_check = check_upload(value, allowed=self.allowed, max_bytes=self.max_bytes)
        return value
