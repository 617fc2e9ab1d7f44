"""Sign PDFs (PAdES) and validate the signatures of PDFs, with pyHanko.

:func:`sign_pdf` adds one PAdES signature (baseline B-B; B-T when a timestamp authority is
given or configured) as an incremental update, so earlier signatures stay valid. The visible
appearance follows Nghị định 30/2020 (STANDARDS.md §1.8): the caller gives the box, which comes
from the document template; :func:`seal_box` and :func:`attachment_box` compute the standard
positions of the seal (over the left third of the signer's image) and of the agency signature
on attachments (top right of page 1, text only, 10 pt).

:func:`validate_pdf` lists every signature of a PDF with a verdict (valid / invalid /
untrusted) and reasons in Vietnamese; the report serialises to JSON with ``as_dict()``.

Nothing is returned half-signed: every refusal raises :class:`SigningError`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from .backends import KeyBackend, SigningError

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_PATH = (
    Path(__file__).resolve().parent.parent / "core" / "static" / "core" / "fonts"
) / "LiberationSerif-Regular.ttf"
MM = 72 / 25.4

Box = tuple[float, float, float, float]
#: room for the CMS signature (hex doubles it in the file): enough for RSA 4096 and a chain of
#: four certificates; signatures with a timestamp are sized by pyHanko
RESERVED_BYTES = 16384

__all__ = [
    "SigningError",
    "SignatureInfo",
    "ValidationReport",
    "attachment_box",
    "attachment_stamp_text",
    "seal_box",
    "sign_pdf",
    "validate_pdf",
]


# --- Positions (NĐ 30/2020, STANDARDS.md §1.8) ------------------------------------------------


def seal_box(person_box: Box, seal_size_mm: float = 36.0) -> Box:
    """The box of the agency seal: real size (``seal_size_mm``, 36 mm for a common round
    seal), centred vertically on the signer's image and covering its left third."""
    x1, y1, x2, y2 = person_box
    size = seal_size_mm * MM
    cx = x1 + (x2 - x1) / 3  # the seal's right part covers the left third
    cy = (y1 + y2) / 2
    return (cx - size, cy - size / 2, cx, cy + size / 2)


def attachment_box(page_width: float, page_height: float) -> Box:
    """Top right of the first page, inside the margins (right 20 mm, top 20 mm)."""
    right = page_width - 20 * MM
    top = page_height - 8 * MM
    return (right - 75 * MM, top - 14 * MM, right, top)


def attachment_stamp_text(number_symbol: str, when: dt.datetime | None = None) -> str:
    """The text of the agency signature on an attachment: number and symbol, then the signing
    time in ISO 8601, Vietnam time (lower-case, as the decree asks)."""
    when = (when or dt.datetime.now(dt.UTC)).astimezone(VN_TZ).replace(microsecond=0)
    return f"{number_symbol}\n{when.isoformat()}"


# --- Checks on the input --------------------------------------------------------------------


def _max_bytes() -> int:
    return getattr(settings, "EGOV_SIGNING_MAX_MB", 50) * 1024 * 1024


def _open_reader(pdf_bytes: bytes):
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not isinstance(pdf_bytes, bytes | bytearray) or not pdf_bytes.lstrip()[:5] == b"%PDF-":
        raise SigningError("Tệp không phải là PDF hợp lệ.")
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        if reader.encrypted:
            raise SigningError(
                "Tệp PDF đã được mã hóa (đặt mật khẩu); hãy gỡ mã hóa trước khi ký số."
            )
        _ = reader.root["/Pages"]
        if len(list(_iter_pages(reader))) == 0:
            raise SigningError("Tệp PDF không có trang nào.")
    except SigningError:
        raise
    except (PdfError, KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise SigningError(f"Tệp PDF bị hỏng hoặc không đúng định dạng ({exc}).") from None
    return reader


def _iter_pages(reader):
    root = reader.root["/Pages"]
    count = int(root.get("/Count", 0))
    return range(count)


def _check_signable(pdf_bytes: bytes):
    if len(pdf_bytes) > _max_bytes():
        raise SigningError(
            f"Tệp PDF quá lớn để ký số ({len(pdf_bytes) // (1024 * 1024)} MB; "
            f"tối đa {_max_bytes() // (1024 * 1024)} MB)."
        )
    reader = _open_reader(pdf_bytes)
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation import read_certification_data

    try:
        info = read_certification_data(reader)
    except Exception:
        info = None
    if info is not None and info.permission == MDPPerm.NO_CHANGES:
        raise SigningError("Tệp PDF đã được chứng thực không cho phép thay đổi; không thể ký thêm.")
    return reader


# --- Signing --------------------------------------------------------------------------------


def _pdf_image(image):
    from PIL import Image
    from pyhanko.pdf_utils.images import PdfImage

    if isinstance(image, bytes | bytearray):
        image = Image.open(io.BytesIO(image))
    elif isinstance(image, str | Path):
        image = Image.open(image)
    return PdfImage(image)


def _has_opentype() -> bool:
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def _text_style(stamp_text: str, box: Box | None = None):
    """A text appearance in Liberation Serif 10 pt, black (Times-compatible, full Vietnamese).

    With pyHanko's OpenType support (uharfbuzz) the text is real PDF text; without it the
    text is drawn into an image of the box size at 288 dpi (same look, not selectable)."""
    from pyhanko import stamp

    if _has_opentype() or box is None:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
        from pyhanko.pdf_utils.text import TextBoxStyle

        return stamp.TextStampStyle(
            stamp_text=_escape(stamp_text),
            border_width=0,
            text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(FONT_PATH)), font_size=10),
            timestamp_format="%Y-%m-%dT%H:%M:%S%z",
        )
    return stamp.StaticStampStyle(
        background=_pdf_image(_text_image(stamp_text, box)), border_width=0
    )


def _text_image(text: str, box: Box):
    from PIL import Image, ImageDraw, ImageFont

    scale = 4  # pixels per point
    width, height = int((box[2] - box[0]) * scale), int((box[3] - box[1]) * scale)
    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    font = ImageFont.truetype(str(FONT_PATH), 10 * scale)
    draw = ImageDraw.Draw(img)
    y = 2 * scale
    for line in text.splitlines():
        w = draw.textlength(line, font=font)
        draw.text((width - w - 2 * scale, y), line, font=font, fill=(0, 0, 0, 255))
        y += 12 * scale
    return img


def _default_timestamper(timestamp_url: str | None):
    url = timestamp_url if timestamp_url is not None else settings.EGOV_SIGNING_TSA_URL
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=10)


def sign_pdf(
    pdf_bytes: bytes,
    signer_backend: KeyBackend,
    *,
    kind: str = "person",
    field_name: str | None = None,
    reason: str = "",
    location: str = "",
    box: Box | None = None,
    page: int = 0,
    stamp_text: str | None = None,
    image: Any = None,
    timestamp_url: str | None = None,
    timestamper: Any = None,
) -> bytes:
    """Sign ``pdf_bytes`` and return the signed PDF.

    - ``kind``: "person" (the signer with authority) or "agency" (the agency's signature).
    - ``box`` (x1, y1, x2, y2 in PDF points, origin bottom left) from the document template;
      no box and no ``stamp_text`` gives an invisible signature.
    - ``image``: PNG (bytes, path or PIL image) shown in the box: the signer's blue signature
      image, or the red seal for the agency.
    - ``stamp_text``: text shown in the box (agency signature on attachments, see
      :func:`attachment_stamp_text`); without ``box`` it goes top right of page 1.
    - ``timestamp_url`` (default ``settings.EGOV_SIGNING_TSA_URL``) or a pyHanko
      ``timestamper``: adds an RFC 3161 timestamp (PAdES B-T).
    """
    if kind not in ("person", "agency"):
        raise ValueError(f"kind must be 'person' or 'agency', got {kind!r}")
    reader = _check_signable(pdf_bytes)

    from pyhanko import stamp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    existing = {name for name, _v, _r in fields.enumerate_sig_fields(reader)}
    if field_name is None:
        n = 1
        while f"{kind}-{n}" in existing:
            n += 1
        field_name = f"{kind}-{n}"
    elif field_name in existing:
        raise SigningError(f"Trường chữ ký “{field_name}” đã có trong tệp.")

    if stamp_text is not None and box is None:
        media = _page_mediabox(reader, page)
        box = attachment_box(media[2] - media[0], media[3] - media[1])

    style = None
    if box is not None:
        if stamp_text is not None:
            style = _text_style(stamp_text, box)
        elif image is not None:
            style = stamp.StaticStampStyle(background=_pdf_image(image), border_width=0)
        else:
            when = dt.datetime.now(dt.UTC).astimezone(VN_TZ).replace(microsecond=0)
            style = _text_style(f"{backend_subject_cn(signer_backend)}\n{when.isoformat()}", box)

    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    new_field = fields.SigFieldSpec(
        sig_field_name=field_name,
        on_page=page,
        box=tuple(round(v) for v in box) if box is not None else None,
    )
    ts = timestamper if timestamper is not None else _default_timestamper(timestamp_url)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        pdf_signer = signers.PdfSigner(
            meta,
            signer_backend.get_signer(),
            timestamper=ts,
            stamp_style=style,
            new_field_spec=new_field,
        )
        # Without a timestamp the CMS size is known well enough: reserving room avoids a
        # dry-run signature (half the signing time). With a timestamp pyHanko estimates.
        reserved = None if ts is not None else RESERVED_BYTES
        out = pdf_signer.sign_pdf(writer, bytes_reserved=reserved)
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(f"Không ký được tệp PDF: {exc}") from exc
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("%", "%%")


def _page_mediabox(reader, page: int) -> list[float]:
    pages = reader.root["/Pages"]

    def walk(node):
        if node.get("/Type") == "/Page" or "/Kids" not in node:
            yield node
            return
        for kid in node["/Kids"]:
            yield from walk(kid.get_object())

    for i, p in enumerate(walk(pages)):
        if i == page:
            node = p
            while "/MediaBox" not in node and "/Parent" in node:
                node = node["/Parent"].get_object()
            return [float(v) for v in node.get("/MediaBox", [0, 0, 595.28, 841.89])]
    raise SigningError(f"Tệp PDF không có trang {page + 1}.")


def backend_subject_cn(backend: KeyBackend) -> str:
    attrs = backend.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else ""


# --- Validation -----------------------------------------------------------------------------

VALID, INVALID, UNTRUSTED = "valid", "invalid", "untrusted"
NOT_CHECKED = "không kiểm tra được"


@dataclass
class SignatureInfo:
    field_name: str
    signer_name: str
    signer_organization: str
    issuer: str
    serial_number: str
    signing_time: str | None
    timestamp_time: str | None
    intact: bool
    signature_valid: bool
    covers_whole_file: bool
    coverage: str
    modification_level: str
    chain_trusted: bool
    revocation: str
    status: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    signatures: list[SignatureInfo]
    status: str
    reasons: list[str] = field(default_factory=list)
    checked_at: str = ""

    @property
    def valid(self) -> bool:
        return self.status == VALID

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _name_attr(name: x509.Name, oid) -> str:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


def _iso_vn(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(VN_TZ).replace(microsecond=0).isoformat()


def _load_roots(trust_roots) -> list[asn1_x509.Certificate]:
    roots = []
    if trust_roots is None:
        from .models import TrustedRoot

        trust_roots = [r.pem for r in TrustedRoot.objects.filter(is_active=True)]
    for root in trust_roots:
        if isinstance(root, x509.Certificate):
            der = root.public_bytes(serialization.Encoding.DER)
        elif isinstance(root, asn1_x509.Certificate):
            roots.append(root)
            continue
        else:
            data = root.encode() if isinstance(root, str) else bytes(root)
            if asn1_pem.detect(data):
                _t, _h, der = asn1_pem.unarmor(data)
            else:
                der = data
        roots.append(asn1_x509.Certificate.load(der))
    return roots


def validate_pdf(pdf_bytes: bytes, *, trust_roots=None) -> ValidationReport:
    """Validate every signature of ``pdf_bytes``.

    ``trust_roots``: certificates (PEM strings/bytes, DER, cryptography or asn1crypto objects);
    default the active :class:`~egov.signing.models.TrustedRoot` rows. No network access:
    revocation is checked only from data embedded in the file.
    """
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    now = _iso_vn(dt.datetime.now(dt.UTC))
    try:
        reader = _open_reader(pdf_bytes)
    except SigningError as exc:
        return ValidationReport([], INVALID, [str(exc)], now)
    roots = _load_roots(trust_roots)
    sigs = reader.embedded_signatures
    if not sigs:
        return ValidationReport([], INVALID, ["Tệp không có chữ ký số nào."], now)
    infos = [
        _validate_one(sig, roots, validate_pdf_signature, ValidationContext, SignatureCoverageLevel)
        for sig in sigs
    ]
    statuses = {i.status for i in infos}
    overall = INVALID if INVALID in statuses else UNTRUSTED if UNTRUSTED in statuses else VALID
    reasons = []
    if overall == VALID:
        reasons.append(f"Tất cả {len(infos)} chữ ký số hợp lệ.")
    else:
        for info in infos:
            if info.status != VALID:
                reasons += [f"{info.field_name}: {r}" for r in info.reasons]
    return ValidationReport(infos, overall, reasons, now)


def _validate_one(sig, roots, validate_pdf_signature, ValidationContext, Coverage):
    reasons: list[str] = []
    cert_asn1 = sig.signer_cert
    cert = x509.load_der_x509_certificate(cert_asn1.dump())
    vc = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(sig, vc)
    except Exception as exc:
        return SignatureInfo(
            field_name=sig.field_name,
            signer_name=_name_attr(cert.subject, x509.NameOID.COMMON_NAME),
            signer_organization=_name_attr(cert.subject, x509.NameOID.ORGANIZATION_NAME),
            issuer=_name_attr(cert.issuer, x509.NameOID.COMMON_NAME)
            or cert.issuer.rfc4514_string(),
            serial_number=format(cert.serial_number, "x"),
            signing_time=None,
            timestamp_time=None,
            intact=False,
            signature_valid=False,
            covers_whole_file=False,
            coverage="unknown",
            modification_level="unknown",
            chain_trusted=False,
            revocation=NOT_CHECKED,
            status=INVALID,
            reasons=[f"Không kiểm tra được chữ ký: {exc}"],
        )
    whole = status.coverage == Coverage.ENTIRE_FILE
    mod = getattr(status, "modification_level", None)
    mod_name = mod.name if mod is not None else "unknown"
    ts_time = None
    if status.timestamp_validity is not None:
        ts_time = _iso_vn(status.timestamp_validity.timestamp)
    if not status.intact:
        reasons.append("Nội dung tài liệu đã bị thay đổi sau khi ký (mã băm không khớp).")
    elif not status.valid:
        reasons.append("Giá trị chữ ký số không đúng với chứng thư số.")
    if status.intact and not whole:
        if mod_name in ("NONE", "LTA_UPDATES"):
            reasons.append(
                "Chữ ký không bao trùm toàn bộ tệp (có cập nhật sau khi ký, chỉ là dữ liệu xác thực)."
            )
        elif mod_name == "FORM_FILLING":
            reasons.append(
                "Chữ ký không bao trùm toàn bộ tệp: sau khi ký có thêm chữ ký hoặc điền biểu mẫu."
            )
        else:
            reasons.append("Tài liệu đã bị sửa đổi sau khi ký: chữ ký không bao trùm toàn bộ tệp.")
    if not status.trusted:
        reasons.append(
            "Chứng thư số không thuộc tổ chức chứng thực tin cậy (chuỗi chứng thư không dẫn tới "
            f"chứng thư gốc trong danh sách tin cậy; nơi cấp: {cert.issuer.rfc4514_string()})."
        )
    if not getattr(status, "docmdp_ok", True):
        reasons.append("Thay đổi sau khi ký vi phạm quyền chứng thực của tài liệu.")

    bad_mod = (not whole) and mod_name not in ("NONE", "LTA_UPDATES", "FORM_FILLING")
    if not status.intact or not status.valid or bad_mod or not getattr(status, "docmdp_ok", True):
        verdict = INVALID
    elif not status.trusted:
        verdict = UNTRUSTED
    else:
        verdict = VALID
        reasons.append("Chữ ký số hợp lệ.")
    return SignatureInfo(
        field_name=sig.field_name,
        signer_name=_name_attr(cert.subject, x509.NameOID.COMMON_NAME),
        signer_organization=_name_attr(cert.subject, x509.NameOID.ORGANIZATION_NAME),
        issuer=_name_attr(cert.issuer, x509.NameOID.COMMON_NAME) or cert.issuer.rfc4514_string(),
        serial_number=format(cert.serial_number, "x"),
        signing_time=_iso_vn(status.signer_reported_dt),
        timestamp_time=ts_time,
        intact=bool(status.intact),
        signature_valid=bool(status.valid),
        covers_whole_file=whole,
        coverage=status.coverage.name if status.coverage is not None else "unknown",
        modification_level=mod_name,
        chain_trusted=bool(status.trusted),
        revocation=NOT_CHECKED,
        status=verdict,
        reasons=reasons,
    )
