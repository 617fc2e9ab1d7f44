"""Sign PDFs (PAdES) and validate the signatures of PDFs, with pyHanko.

:func:`sign_pdf` adds one PAdES signature (baseline B-B; B-T when a timestamp authority is
given or configured; B-LT when revocation data is to be embedded and can be fetched) as an
incremental update, so earlier signatures stay valid. The visible
appearance follows Nghị định 30/2020 (STANDARDS.md §1.8): the caller gives the box, which comes
from the document template; :func:`seal_box` and :func:`attachment_box` compute the standard
positions of the seal (over the left third of the signer's image) and of the agency signature
on attachments (top right of page 1, text only, 10 pt).

:func:`validate_pdf` lists every signature of a PDF with a verdict (valid / invalid /
untrusted), its revocation status (from the revocation data embedded in the file, and from the
network when asked) and reasons in Vietnamese; the report serialises to JSON with
``as_dict()``.

Nothing is returned half-signed: every refusal raises :class:`SigningError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import functools
import io
import logging
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import pem as asn1_pem
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from .backends import KeyBackend, SigningError

log = logging.getLogger(__name__)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_PATH = (
    Path(__file__).resolve().parent.parent / "core" / "static" / "core" / "fonts"
) / "LiberationSerif-Regular.ttf"
MM = 72 / 25.4

Box = tuple[float, float, float, float]
#: room for the CMS signature (hex doubles it in the file): enough for RSA 4096 and a chain of
#: four certificates, or RSA 2048, two certificates and a timestamp token with two more; a
#: signature that does not fit is signed again with pyHanko's measured size
RESERVED_BYTES = 16384
#: seconds to wait for a timestamp authority, a CRL or an OCSP responder
NETWORK_TIMEOUT = 10

__all__ = [
    "NOT_CHECKED",
    "REVOCATION_GOOD",
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


def _text_style(stamp_text: str, box: Box):
    """A text appearance in Liberation Serif 10 pt, black (Times-compatible, full Vietnamese),
    right-aligned in ``box``.

    The text is drawn into an image of the box at 288 dpi. pyHanko's OpenType text layout
    (uharfbuzz) spaces the glyphs of the bundled TrueType font wrongly when poppler renders
    them, so it is not used."""
    from pyhanko import stamp

    return stamp.StaticStampStyle(
        background=_pdf_image(_text_image(stamp_text, box)), border_width=0
    )


def _text_image(
    text: str, box: Box, *, size: float = 10, italic: bool = False, align: str = "right"
):
    from PIL import Image, ImageDraw, ImageFont

    scale = 4  # pixels per point
    width, height = int((box[2] - box[0]) * scale), int((box[3] - box[1]) * scale)
    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    font_path = FONT_PATH.with_name("LiberationSerif-Italic.ttf") if italic else FONT_PATH
    font = ImageFont.truetype(str(font_path), int(size * scale))
    draw = ImageDraw.Draw(img)
    lines = text.splitlines() or [""]
    line_height = size * 1.2 * scale
    # one line: centred vertically on its baseline box; several: from the top
    y = (height - line_height) / 2 if len(lines) == 1 else 2 * scale
    for line in lines:
        w = draw.textlength(line, font=font)
        x = width - w - 2 * scale if align == "right" else 0
        draw.text((x, y), line, font=font, fill=(0, 0, 0, 255))
        y += line_height
    return img


class _TimeStampResp(asn1_core.Sequence):
    """``TimeStampResp`` with an optional token (RFC 3161 §2.4.2); asn1crypto's
    ``tsp.TimeStampResp`` makes it mandatory and so cannot read the rejection a TSA sends."""

    _fields = [
        ("status", asn1_tsp.PKIStatusInfo),
        ("time_stamp_token", asn1_cms.ContentInfo, {"optional": True}),
    ]


@functools.cache
def _ssl_context():
    """One TLS context for every HTTP client of this module: aiohttp sessions made by
    pyHanko each load the CA bundle again (~20 ms a request)."""
    import ssl

    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _client_session():
    import aiohttp

    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_ssl_context()))


@functools.cache
def _timestamper_class():
    from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

    class EgovTimeStamper(HTTPTimeStamper):
        """pyHanko's RFC 3161 HTTP client, which also reads a TSA's refusal (status
        rejection without a token) and reports its status string and failure info."""

        @contextlib.asynccontextmanager
        async def _acquire_session(self):
            # a session per request, as pyHanko does, but with the shared TLS context
            session = _client_session()
            try:
                yield session
            finally:
                await session.close()

        async def async_request_tsa_response(self, req):
            resp = await super().async_request_tsa_response(req)
            try:
                status = _TimeStampResp.load(resp.dump())["status"]
                granted = status["status"].native in ("granted", "granted_with_mods")
            except Exception as exc:
                raise TimestampRequestError(f"malformed TimeStampResp ({exc})") from exc
            if not granted:
                text = "; ".join(status["status_string"].native or [])
                fail = ", ".join(sorted(status["fail_info"].native or []))
                raise TimestampRequestError(
                    f"status {status['status'].native}"
                    + (f", failInfo {fail}" if fail else "")
                    + (f": {text}" if text else "")
                )
            return resp

    return EgovTimeStamper


_timestampers: dict[str, Any] = {}
_timestampers_lock = threading.Lock()
#: timestamp authorities whose tokens did not fit in RESERVED_BYTES
_measured_tsas: set = set()


def timestamper_for(url: str):
    """The RFC 3161 client for ``url``, one per URL and process: it keeps the size of a token
    and the TSA's certificates after the first request."""
    with _timestampers_lock:
        ts = _timestampers.get(url)
        if ts is None:
            ts = _timestampers[url] = _timestamper_class()(url, timeout=NETWORK_TIMEOUT)
        return ts


def _default_timestamper(timestamp_url: str | None):
    url = timestamp_url if timestamp_url is not None else settings.EGOV_SIGNING_TSA_URL
    if not url:
        return None
    return timestamper_for(url)


def _causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _tsa_problem(error: Exception) -> str:
    """What went wrong with a timestamp request, in Vietnamese."""
    causes = list(_causes(error))[1:]
    if any(isinstance(c, TimeoutError) for c in causes):
        return f"máy chủ không trả lời trong {NETWORK_TIMEOUT} giây"
    status = next((getattr(c, "status", None) for c in causes if hasattr(c, "status")), None)
    if isinstance(status, int):
        return f"máy chủ trả lời lỗi HTTP {status}"
    connection = next((c for c in causes if isinstance(c, OSError)), None)
    if connection is not None:
        return f"không kết nối được tới máy chủ ({connection.strerror or connection})"
    return str(error)


def _signing_failure(exc: Exception, ts) -> SigningError:
    """A Vietnamese :class:`SigningError` for a failure inside pyHanko."""
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko_certvalidator.errors import RevokedError

    causes = list(_causes(exc))
    for cause in causes:
        if isinstance(cause, RevokedError):
            return SigningError(
                "Chứng thư số của người ký đã bị thu hồi lúc "
                f"{_iso_vn(cause.revocation_dt)} ({_reason_vn(cause.reason)}); "
                "không thể ký số. Tài liệu chưa được ký."
            )
    for cause in causes:
        if isinstance(cause, TimestampRequestError):
            url = getattr(ts, "url", "")
            return SigningError(
                f"Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA) {url}: "
                f"{_tsa_problem(cause)}. Tài liệu chưa được ký."
            )
    for cause in causes:
        if "signer's certificate could not be validated" in str(cause):
            return SigningError(
                "Không nhúng được dữ liệu kiểm tra thu hồi (PAdES B-LT): chứng thư số của người "
                "ký không dẫn tới chứng thư gốc trong danh sách tin cậy. Tài liệu chưa được ký."
            )
    return SigningError(f"Không ký được tệp PDF: {exc}")


def _signing_context(trust_roots):
    """The validation context pyHanko uses to collect revocation data for B-LT: the trust
    store, fetching allowed (soft-fail: unreachable data is left out)."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=_load_roots(trust_roots),
        allow_fetching=True,
        revocation_mode="soft-fail",
        fetcher_backend=_fetcher_backend(),
    )


def _fetcher_backend():
    """pyHanko's aiohttp fetchers (CRL, OCSP, certificates) with egov's timeout and TLS
    context, closed with the validation context."""
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend, LazySession
    from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

    class _Session(LazySession):
        def get_session(self):
            if self._session is None:
                self._session = _client_session()
            return self._session

    return OwnedFetcherBackend(
        AIOHttpFetcherBackend(_Session(), per_request_timeout=NETWORK_TIMEOUT)
    )


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
    embed_revocation: bool | None = None,
    trust_roots=None,
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
      ``timestamper``: adds an RFC 3161 timestamp (PAdES B-T). A TSA that cannot be reached
      or refuses the request gives a :class:`SigningError`.
    - ``embed_revocation`` (default ``settings.EGOV_SIGNING_EMBED_REVOCATION``): fetch the
      revocation data (CRL/OCSP) of the signer's chain and of the TSA, and embed it with the
      certificates in the document security store (``/DSS``, an incremental update after the
      signature): PAdES B-LT with a timestamp. The chain must reach ``trust_roots`` (default:
      the active :class:`~egov.signing.models.TrustedRoot` rows); data that cannot be fetched
      is left out (soft-fail, logged); a revoked signer's certificate is refused.
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
    if embed_revocation is None:
        embed_revocation = getattr(settings, "EGOV_SIGNING_EMBED_REVOCATION", False)
    vc = None
    if embed_revocation:
        vc = _signing_context(trust_roots)
        meta = dataclasses.replace(meta, embed_validation_info=True, validation_context=vc)

    def sign(reserved: int | None):
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        pdf_signer = signers.PdfSigner(
            meta,
            signer_backend.get_signer(),
            timestamper=ts,
            stamp_style=style,
            new_field_spec=new_field,
        )
        return pdf_signer.sign_pdf(writer, bytes_reserved=reserved)

    # Reserving room for the CMS signature avoids a dry-run signature to measure it (with a
    # timestamp, a dry run costs a third of the signing time). A TSA whose tokens do not fit
    # is remembered and measured by pyHanko from then on.
    ts_key = getattr(ts, "url", None) or id(ts)
    reserved = None if ts is not None and ts_key in _measured_tsas else RESERVED_BYTES
    try:
        try:
            out = sign(reserved)
        except Exception as exc:
            if reserved is None or "larger than expected" not in str(exc):
                raise
            log.info("CMS signature larger than %s bytes; measuring from now on", reserved)
            if ts is not None:
                _measured_tsas.add(ts_key)
            out = sign(None)
    except SigningError:
        raise
    except Exception as exc:
        raise _signing_failure(exc, ts) from exc
    if vc is not None and not (vc.crls or vc.ocsps):
        log.warning(
            "embed_revocation: no CRL or OCSP response could be fetched for %s; "
            "the signature has no embedded revocation data",
            backend_subject_cn(signer_backend),
        )
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
#: revocation status of a signature (``SignatureInfo.revocation``); a revoked certificate
#: reads "đã bị thu hồi lúc <time>"
NOT_CHECKED = "không kiểm tra được"
REVOCATION_GOOD = "tốt (chưa bị thu hồi)"
REVOCATION_GOOD_AT_SIGNING = "tốt (chưa bị thu hồi) tại thời điểm ký, theo dữ liệu nhúng trong tệp"
REVOKED_PREFIX = "đã bị thu hồi lúc"

#: RFC 5280 CRLReason, in Vietnamese
REASONS_VN = {
    "unspecified": "không nêu lý do",
    "key_compromise": "lộ khóa bí mật",
    "ca_compromise": "lộ khóa của tổ chức chứng thực",
    "affiliation_changed": "thay đổi thông tin hoặc đơn vị công tác",
    "superseded": "đã được thay thế bằng chứng thư khác",
    "cessation_of_operation": "ngừng sử dụng",
    "certificate_hold": "tạm dừng hiệu lực",
    "remove_from_crl": "gỡ khỏi danh sách thu hồi",
    "privilege_withdrawn": "bị rút quyền",
    "aa_compromise": "lộ khóa của tổ chức cấp thuộc tính",
}


def _reason_vn(reason) -> str:
    name = getattr(reason, "native", reason)
    name = getattr(name, "name", name) or "unspecified"
    return f"lý do: {REASONS_VN.get(str(name), str(name))}"


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


def validate_pdf(
    pdf_bytes: bytes, *, trust_roots=None, fetch_revocation: bool | None = None
) -> ValidationReport:
    """Validate every signature of ``pdf_bytes``.

    ``trust_roots``: certificates (PEM strings/bytes, DER, cryptography or asn1crypto objects);
    default the active :class:`~egov.signing.models.TrustedRoot` rows.

    Revocation (``SignatureInfo.revocation``) is checked from the data embedded in the file
    (``/DSS``, no network) and, when ``fetch_revocation`` is true (default
    ``settings.EGOV_SIGNING_FETCH_REVOCATION``), from the CRL distribution points and OCSP
    responders named in the certificates. A revoked certificate makes the signature
    ``invalid``; revocation data that cannot be had leaves "không kiểm tra được" and does not
    change the verdict (soft-fail).
    """
    now = _iso_vn(dt.datetime.now(dt.UTC))
    if fetch_revocation is None:
        fetch_revocation = getattr(settings, "EGOV_SIGNING_FETCH_REVOCATION", False)
    try:
        reader = _open_reader(pdf_bytes)
    except SigningError as exc:
        return ValidationReport([], INVALID, [str(exc)], now)
    roots = _load_roots(trust_roots)
    sigs = reader.embedded_signatures
    if not sigs:
        return ValidationReport([], INVALID, ["Tệp không có chữ ký số nào."], now)
    embedded = _embedded_revinfo(reader)
    infos = [_validate_one(sig, roots, bool(fetch_revocation), embedded) for sig in sigs]
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


@dataclass(frozen=True)
class _EmbeddedRevinfo:
    """Certificates, CRLs and OCSP responses of the document security store (``/DSS``)."""

    certs: tuple = ()
    crls: tuple = ()
    ocsps: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.crls or self.ocsps)


def _embedded_revinfo(reader) -> _EmbeddedRevinfo:
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
        certs = tuple(dss.load_certs())
        crls = tuple(
            asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
            for ref in dss.crls
        )
        ocsps = tuple(
            asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
            for ref in dss.ocsps
        )
    except NoDSSFoundError:
        return _EmbeddedRevinfo()
    except Exception as exc:  # a damaged DSS is ignored: revocation stays unchecked
        log.warning("unreadable /DSS: %s", exc)
        return _EmbeddedRevinfo()
    return _EmbeddedRevinfo(certs, crls, ocsps)


def _validation_context(roots, fetch: bool, embedded: _EmbeddedRevinfo, moment=None):
    """Trust is decided without revocation (``NO_REVOCATION``); revocation is checked
    afterwards by :func:`_revocation`, so that missing data never makes a signature
    untrusted."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.policy_decl import NO_REVOCATION, CertRevTrustPolicy

    kwargs: dict[str, Any] = {}
    if fetch and moment is None:
        kwargs["fetcher_backend"] = _fetcher_backend()
    if moment is not None:
        kwargs["moment"] = moment
    return ValidationContext(
        trust_roots=roots,
        other_certs=list(embedded.certs),
        crls=list(embedded.crls),
        ocsps=list(embedded.ocsps),
        allow_fetching=fetch and moment is None,
        revinfo_policy=CertRevTrustPolicy(NO_REVOCATION),
        **kwargs,
    )


@dataclass(frozen=True)
class _Revocation:
    state: str  # "good", "good_at_signing", "revoked", "unknown"
    when: dt.datetime | None = None
    reason: Any = None
    ca: bool = False
    detail: str = ""

    @property
    def text(self) -> str:
        if self.state == "good":
            return REVOCATION_GOOD
        if self.state == "good_at_signing":
            return REVOCATION_GOOD_AT_SIGNING
        if self.state == "revoked":
            return f"{REVOKED_PREFIX} {_iso_vn(self.when)}"
        return NOT_CHECKED


async def _cert_revocation(cert, path, vc) -> _Revocation:
    from pyhanko_certvalidator.errors import RevokedError
    from pyhanko_certvalidator.revinfo.validate_crl import verify_crl
    from pyhanko_certvalidator.revinfo.validate_ocsp import verify_ocsp_response

    problems = []
    for check in (verify_ocsp_response, verify_crl):
        try:
            await check(cert, path, vc)
        except RevokedError as exc:
            return _Revocation("revoked", exc.revocation_dt, exc.reason)
        except Exception as exc:
            problems.append(str(exc))
        else:
            return _Revocation("good")
    return _Revocation("unknown", detail="; ".join(p for p in problems if p))


async def _revocation(path, vc) -> _Revocation:
    """Revocation of the signer's certificate, then of the CAs under the trust anchor."""
    leaf = path.leaf
    result = await _cert_revocation(leaf, path, vc)
    if result.state != "good":
        return result
    for cert in path.iter_certs(include_root=False):
        if cert is leaf:
            continue
        sub = await _cert_revocation(cert, path.truncate_to_issuer_and_append(cert), vc)
        if sub.state == "revoked":
            return dataclasses.replace(sub, ca=True)
        if sub.state != "good":
            return sub
    return result


async def _check_signature(sig, roots, fetch: bool, embedded: _EmbeddedRevinfo):
    """pyHanko's verdict, then the revocation status: fetched from the network first (when
    ``fetch``: the most current data), else from the data embedded in the file, checked now,
    else checked at the time of the signature's timestamp (long-term validation: embedded
    data that is too old now was fresh then)."""
    from pyhanko.sign.validation import async_validate_pdf_signature

    online = _EmbeddedRevinfo(certs=embedded.certs)  # the network, not the embedded data
    vc = _validation_context(roots, fetch, online if fetch else embedded)
    try:
        status = await async_validate_pdf_signature(sig, vc)
        path = status.validation_path
        revocation = _Revocation("unknown")
        if path is not None:
            revocation = await _revocation(path, vc)
            if revocation.state == "unknown" and fetch and embedded:
                offline = _validation_context(roots, False, embedded)
                revocation = await _revocation(path, offline)
    finally:
        await vc.aclose()
    ts = status.timestamp_validity
    if revocation.state == "unknown" and path is not None and embedded and ts and ts.trusted:
        try:
            at_signing = _validation_context(roots, False, embedded, moment=ts.timestamp)
            past = await _revocation(path, at_signing)
            if past.state == "good":
                revocation = _Revocation("good_at_signing")
            elif past.state == "revoked":
                revocation = past
        except Exception as exc:  # best effort: the status stays "không kiểm tra được"
            log.debug("point-in-time revocation check failed: %s", exc)
    return status, revocation


def _validate_one(sig, roots, fetch: bool, embedded: _EmbeddedRevinfo):
    from pyhanko.sign.validation.status import SignatureCoverageLevel as Coverage

    reasons: list[str] = []
    cert_asn1 = sig.signer_cert
    cert = x509.load_der_x509_certificate(cert_asn1.dump())
    try:
        status, revocation = asyncio.run(_check_signature(sig, roots, fetch, embedded))
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
    revoked = revocation.state == "revoked"
    if revoked:
        whose = (
            "Chứng thư số của tổ chức chứng thực cấp cho người ký"
            if revocation.ca
            else "Chứng thư số của người ký"
        )
        reasons.append(
            f"{whose} đã bị thu hồi lúc {_iso_vn(revocation.when)} "
            f"({_reason_vn(revocation.reason)})."
        )
    elif not status.trusted:
        reasons.append(
            "Chứng thư số không thuộc tổ chức chứng thực tin cậy (chuỗi chứng thư không dẫn tới "
            f"chứng thư gốc trong danh sách tin cậy; nơi cấp: {cert.issuer.rfc4514_string()})."
        )
    elif fetch and revocation.state == "unknown":
        reasons.append(
            "Không kiểm tra được tình trạng thu hồi của chứng thư số (không lấy được CRL/OCSP "
            "từ tổ chức chứng thực); kết quả không tính đến việc thu hồi."
        )
    if not getattr(status, "docmdp_ok", True):
        reasons.append("Thay đổi sau khi ký vi phạm quyền chứng thực của tài liệu.")

    bad_mod = (not whole) and mod_name not in ("NONE", "LTA_UPDATES", "FORM_FILLING")
    if (
        not status.intact
        or not status.valid
        or bad_mod
        or revoked
        or not getattr(status, "docmdp_ok", True)
    ):
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
        revocation=revocation.text,
        status=verdict,
        reasons=reasons,
    )


# --- Form fields filled after signing (number and date of issue) ------------------------------


def prepare_form_fields(pdf_bytes: bytes) -> bytes:
    """Make the text fields of an unsigned PDF (rendered from a template with ``<input>``
    placeholders) ready to be filled after signing: read-only for people, no appearance until
    filled (``/NeedAppearances false``), so the document shows them blank.

    Filling them later (:func:`fill_form_fields`) is a form-filling change that keeps earlier
    signatures valid (PAdES, pyHanko's FORM_FILLING level): the leader signs the document and
    the clerk then fills the number and date of issue and applies the agency signature."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import BooleanObject, NameObject, NumberObject

    reader = PdfReader(io.BytesIO(pdf_bytes))
    if reader.trailer["/Root"].get("/AcroForm") is None:
        return pdf_bytes
    writer = PdfWriter(clone_from=reader)
    form = writer._root_object["/AcroForm"]
    if any(f.get_object().get("/FT") == "/Sig" for f in form.get("/Fields", [])):
        raise SigningError("Tệp đã có trường chữ ký: không chuẩn bị lại các trường được.")
    form[NameObject("/NeedAppearances")] = BooleanObject(False)
    for ref in form.get("/Fields", []):
        field = ref.get_object()
        field[NameObject("/Ff")] = NumberObject(int(field.get("/Ff", 0)) | 1)  # ReadOnly
        if "/AP" in field:
            del field["/AP"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def form_field_names(pdf_bytes: bytes) -> list[str]:
    reader = _open_reader(pdf_bytes)
    form = reader.root.get("/AcroForm")
    if form is None:
        return []
    return [str(ref.get_object().get("/T", "")) for ref in form.get("/Fields", [])]


def fill_form_fields(
    pdf_bytes: bytes,
    values: dict[str, str],
    *,
    font_size: int = 13,
    italic: tuple[str, ...] = (),
) -> bytes:
    """Fill text fields by an incremental update (signatures made before stay valid): the
    value and an appearance in Liberation Serif ``font_size`` pt (italic for the fields named
    in ``italic``), left-aligned in the field's box. Raises SigningError when a field is
    missing."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.images import pil_image
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.writer import init_xobject_dictionary

    _check_signable(pdf_bytes)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    form = writer.root.get("/AcroForm")
    fields = {}
    if form is not None:
        for ref in form.get("/Fields", []):
            field = ref.get_object()
            fields[str(field.get("/T", ""))] = (ref, field)
    missing = [name for name in values if name not in fields]
    if missing:
        raise SigningError(f"Văn bản không có ô để điền: {', '.join(missing)}.")
    for name, value in values.items():
        ref, field = fields[name]
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        width, height = abs(x2 - x1), abs(y2 - y1)
        w, h = round(width), round(height)
        image = _text_image(
            value,
            (0.0, 0.0, float(w), float(h)),
            size=font_size,
            italic=name in italic,
            align="left",
        )
        resources = generic.DictionaryObject(
            {
                generic.NameObject("/XObject"): generic.DictionaryObject(
                    {generic.NameObject("/Im0"): pil_image(image, writer)}
                )
            }
        )
        # a stream must be an indirect object
        appearance = writer.add_object(
            init_xobject_dictionary(f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode(), w, h, resources)
        )
        field["/V"] = generic.TextStringObject(value)
        field["/AP"] = generic.DictionaryObject({generic.NameObject("/N"): appearance})
        writer.update_container(field)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
