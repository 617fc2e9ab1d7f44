"""Who signs with which key: the configured :class:`SignerKey` of a leader or an agency, the
images shown in their signatures, where the signature goes on a document, and signing a
document by the person with authority and then by the agency (Nghị định 30/2020, Phụ lục I).
"""

from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from egov.core.text import fold

from .backends import (
    KeyBackend,
    RemoteBackend,
    SigningError,
    pkcs11_backend,
    pkcs12_backend,
)
from .models import SignerKey
from .services import MM, Box, seal_box, sign_pdf

FONT_DIR = Path(__file__).resolve().parent.parent / "core" / "static" / "core" / "fonts"
SIGNATURE_BLUE = (18, 52, 160, 255)
SEAL_RED = (210, 24, 32, 255)


# --- keys -------------------------------------------------------------------------------------


def _secret(key: SignerKey) -> str:
    if key.secret_env:
        value = os.environ.get(key.secret_env)
        if value is None:
            raise SigningError(
                f"Chưa có mật khẩu/mã PIN của khóa ký số: biến môi trường {key.secret_env} "
                "chưa được đặt trên máy chủ."
            )
        return value
    if key.backend == SignerKey.Backend.PKCS12:
        return settings.EGOV_SIGNING_PKCS12_PASSWORD
    raise SigningError("Khóa ký số chưa cấu hình biến môi trường chứa mã PIN.")


def backend_for(key: SignerKey) -> KeyBackend:
    """The (cached) key backend of a configured key."""
    if key.backend == SignerKey.Backend.PKCS12:
        path = Path(key.pkcs12_path)
        if not path.is_absolute():
            path = Path(settings.EGOV_SIGNING_PKI_DIR) / path
        return pkcs12_backend(path, _secret(key))
    if key.backend == SignerKey.Backend.PKCS11:
        return pkcs11_backend(
            key.module_path,
            key.token_label,
            _secret(key),
            key_label=key.key_label or None,
            cert_label=key.cert_label or None,
            cert_file=key.cert_file or None,
        )
    if key.backend == SignerKey.Backend.REMOTE:
        try:
            provider_class = import_string(key.remote_provider)
        except ImportError:
            raise SigningError(
                f"Không tìm thấy dịch vụ ký số từ xa “{key.remote_provider}”."
            ) from None
        return RemoteBackend(provider_class())
    raise SigningError(f"Nơi giữ khóa không hợp lệ: {key.backend}")


def person_key(user, agency=None) -> SignerKey | None:
    """The active personal key of ``user`` (for ``agency`` when given, else any)."""
    keys = SignerKey.objects.filter(kind=SignerKey.Kind.PERSON, user=user, is_active=True)
    if agency is not None:
        chosen = keys.filter(agency=agency).order_by("-id").first()
        if chosen is not None:
            return chosen
    return keys.order_by("-id").first()


def agency_key(agency) -> SignerKey | None:
    """The active key of ``agency``, or of the nearest higher agency that has one (a unit
    without its own seal uses its government's)."""
    current = agency
    while current is not None:
        key = (
            SignerKey.objects.filter(kind=SignerKey.Kind.AGENCY, agency=current, is_active=True)
            .order_by("-id")
            .first()
        )
        if key is not None:
            return key
        current = current.parent
    return None


def key_image(key: SignerKey) -> bytes | None:
    """The PNG shown in the key's signatures (signature or seal), or None."""
    if not key.image_path:
        return None
    path = Path(key.image_path)
    if not path.is_absolute():
        path = Path(settings.EGOV_SIGNING_PKI_DIR) / path
    try:
        return path.read_bytes()
    except OSError:
        return None


# --- demo images ------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _font(name: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_DIR / name), size)


def signature_png(full_name: str) -> bytes:
    """A demo handwritten-looking signature in blue ink (transparent PNG, 450x180 px)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    given = full_name.split()[-1] if full_name.split() else full_name
    font = _font("LiberationSerif-BoldItalic.ttf", 110)
    draw.text((300, 112), given, font=font, fill=SIGNATURE_BLUE, anchor="mm")
    # a flourish under the name
    points = [(90 + t * 4.4, 170 + 18 * math.sin(t / 14.0)) for t in range(0, 100)]
    draw.line(points, fill=SIGNATURE_BLUE, width=6, joint="curve")
    img = img.resize((450, 180), Image.LANCZOS)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def seal_png(agency_name: str, superior: str = "") -> bytes:
    """A demo round seal in red: the agency name around the ring, a star in the centre
    (transparent PNG, 400x400 px; drawn at 36 mm). Marked DEMO."""
    from PIL import Image, ImageDraw

    size = 720
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size / 2
    draw.ellipse((8, 8, size - 8, size - 8), outline=SEAL_RED, width=16)
    draw.ellipse((150, 150, size - 150, size - 150), outline=SEAL_RED, width=6)
    # five-pointed star
    star = []
    for i in range(10):
        r = 120 if i % 2 == 0 else 48
        a = -math.pi / 2 + i * math.pi / 5
        star.append((c + r * math.cos(a), c - 10 + r * math.sin(a)))
    draw.polygon(star, fill=SEAL_RED)
    small = _font("LiberationSerif-Bold.ttf", 34)
    draw.text((c, c + 150), "DEMO", font=small, fill=SEAL_RED, anchor="mm")
    ring = (superior + " * " if superior else "") + agency_name
    _ring_text(img, ring.upper(), c, 268)
    img = img.resize((400, 400), Image.LANCZOS)  # ~280 dpi at 36 mm: sharp, and small files
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def _ring_text(img, text: str, c: float, radius: float) -> None:
    from PIL import Image, ImageDraw

    size = 50 if len(text) <= 40 else max(28, int(50 * 40 / len(text)))
    font = _font("LiberationSerif-Bold.ttf", size)
    widths = [font.getlength(ch) for ch in text]
    total = sum(widths)
    span = min(1.85 * math.pi, total / radius)
    scale = span / (total / radius)
    angle = -math.pi / 2 - span / 2  # centred at the top
    for ch, w in zip(text, widths, strict=True):
        step = w / radius * scale
        mid = angle + step / 2
        tile = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((size, size), ch, font=font, fill=SEAL_RED, anchor="mm")
        tile = tile.rotate(-math.degrees(mid) - 90, resample=Image.BICUBIC)
        x = c + radius * math.cos(mid) - size
        y = c + radius * math.sin(mid) - size
        img.alpha_composite(tile, (int(x), int(y)))
        angle += step


# --- where the signature goes ---------------------------------------------------------------


@dataclass
class _Run:
    text: str
    x: float
    y: float
    size: float


def _text_runs(pdf_bytes: bytes, page_index: int) -> list[_Run]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    page = reader.pages[page_index]
    runs: list[_Run] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        # device position = tm x cm; size scaled by the matrices
        a, b, c_, d, e, f = tm
        A, B, C, D, E, F = cm
        x = e * A + f * C + E
        y = e * B + f * D + F
        scale = math.hypot(a * A + b * C, a * B + b * D) or 1.0
        runs.append(_Run(text.strip(), x, y, (font_size or 10) * scale))

    page.extract_text(visitor_text=visit)
    return runs


POSITION_RE = re.compile(
    r"^((kt|tm|q|tl|tuq)\.?\s+)?(pho\s+)?"
    r"(chu tich|giam doc|truong phong|truong ban|chanh van phong|thu truong|bi thu|"
    r"tong giam doc|cuc truong|vu truong|hieu truong|truong)\b"
)


def _width(run: _Run) -> float:
    return len(run.text) * run.size * 0.5


def find_signature_box(pdf_bytes: bytes, signer_name: str) -> tuple[int, Box] | None:
    """The box for the signer's image, read from the document itself: an empty signature
    field named ``person…`` laid out by the template; else the space between the position line
    (CHỦ TỊCH, KT. GIÁM ĐỐC …) and the signer's printed name below it (NĐ 30/2020: the image
    sits centred between them). Looks at the last page first. None when the document has no
    signature block."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            is_person = str(annot.get("/T", "")).startswith("person")
            if annot.get("/FT") == "/Sig" and is_person and "/V" not in annot:
                x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
                return index, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    wanted = fold(signer_name)
    for index in reversed(range(len(reader.pages))):
        runs = _text_runs(pdf_bytes, index)
        positions = [r for r in runs if POSITION_RE.match(fold(r.text))]
        names = [r for r in runs if wanted and fold(r.text) == wanted]
        if not positions:
            continue
        position = min(positions, key=lambda r: r.y)  # the last one: the signer's own title
        centre = position.x + _width(position) / 2
        top = position.y - position.size * 0.35
        below = [
            r
            for r in (names or runs)
            if r.y < position.y - position.size and abs(r.x + _width(r) / 2 - centre) < 60 * MM
        ]
        bottom = top - 28 * MM
        if below:
            name = max(below, key=lambda r: r.y)  # the first line under the title
            bottom = max(bottom, name.y + name.size * 1.05)
        if top - bottom < 12 * MM:
            bottom = top - 28 * MM
        height = top - bottom
        width = min(60 * MM, height * 2.5)
        return index, (centre - width / 2, bottom, centre + width / 2, top)
    return None


# --- signing by the person with authority and the agency --------------------------------------


@dataclass
class AuthoritySignature:
    pdf: bytes
    person: str
    agency: str
    visible: bool


def sign_with_authority(
    pdf_bytes: bytes, *, user, agency, reason: str = "", location: str = ""
) -> AuthoritySignature:
    """Sign a document issued by ``agency`` and approved by ``user``: first the person with
    authority (blue signature image between the position and the name), then the agency
    (red seal at real size over the left third of the signature). Raises SigningError when a
    key is missing or fails; nothing is returned half-signed."""
    pkey = person_key(user, agency)
    if pkey is None:
        raise SigningError(
            f"{user.get_full_name() or user.get_username()} chưa có khóa ký số "
            "(quản trị viên cấu hình trong mục Khóa ký số)."
        )
    akey = agency_key(agency)
    if akey is None:
        raise SigningError(f"{agency.name} chưa có khóa ký số của cơ quan.")
    full_name = user.get_full_name() or user.get_username()
    place = find_signature_box(pdf_bytes, full_name)
    person_image = key_image(pkey)
    seal_image = key_image(akey)
    if place is not None and person_image is not None:
        page, box = place
        signed = sign_pdf(
            pdf_bytes,
            backend_for(pkey),
            kind="person",
            reason=reason,
            location=location,
            box=box,
            page=page,
            image=person_image,
        )
        if seal_image is not None:
            signed = sign_pdf(
                signed,
                backend_for(akey),
                kind="agency",
                reason=reason,
                location=location,
                box=seal_box(box),
                page=page,
                image=seal_image,
            )
        else:
            signed = sign_pdf(signed, backend_for(akey), kind="agency", reason=reason)
        return AuthoritySignature(signed, full_name, agency.name, True)
    signed = sign_pdf(pdf_bytes, backend_for(pkey), kind="person", reason=reason)
    signed = sign_pdf(signed, backend_for(akey), kind="agency", reason=reason)
    return AuthoritySignature(signed, full_name, agency.name, False)


# --- demo keys --------------------------------------------------------------------------------


def ensure_demo_keys(folder: Path | str, ca) -> int:
    """Certificates, images and :class:`SignerKey` rows for every agency and active leader
    (demo only; idempotent). Returns the number of keys configured."""
    from egov.accounts.models import Membership, Role
    from egov.organizations.models import Agency

    from . import pki

    folder = Path(folder)
    password = settings.EGOV_SIGNING_PKCS12_PASSWORD
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    count = 0
    for agency in Agency.objects.select_related("parent").order_by("pk"):
        issued = pki.ensure_certificate(folder, password, ca, agency.name, kind="agency")
        image = images / f"seal-{pki.slug(agency.name)}.png"
        if not image.exists():
            superior = agency.parent.name if agency.parent_id else ""
            image.write_bytes(seal_png(agency.name, superior))
        _demo_key(SignerKey.Kind.AGENCY, None, agency, issued.path, image, folder)
        count += 1
    leaders = Membership.objects.filter(role=Role.LEADER, is_active=True).select_related(
        "user", "agency"
    )
    for m in leaders:
        full_name = m.user.get_full_name() or m.user.username
        issued = pki.ensure_certificate(
            folder, password, ca, full_name, organization=m.agency.name, kind="person"
        )
        image = images / f"signature-{pki.slug(full_name)}.png"
        if not image.exists():
            image.write_bytes(signature_png(full_name))
        _demo_key(SignerKey.Kind.PERSON, m.user, m.agency, issued.path, image, folder)
        count += 1
    return count


def _demo_key(kind, user, agency, p12: Path, image: Path, folder: Path) -> None:
    def rel(p: Path) -> str:
        try:
            return str(Path(p).resolve().relative_to(folder.resolve()))
        except ValueError:
            return str(p)

    SignerKey.objects.update_or_create(
        kind=kind,
        user=user,
        agency=agency,
        is_demo=True,
        defaults={
            "backend": SignerKey.Backend.PKCS12,
            "pkcs12_path": rel(p12),
            "image_path": rel(image),
            "is_active": True,
        },
    )


def signed_person_box(pdf_bytes: bytes) -> tuple[int, Box] | None:
    """The page and box of the first visible, signed ``person…`` signature of the file."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") != "/Sig" or "/V" not in annot:
                continue
            if not str(annot.get("/T", "")).startswith("person"):
                continue
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            if abs(x2 - x1) > 1 and abs(y2 - y1) > 1:
                return index, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    return None


def sign_as_agency(pdf_bytes: bytes, agency, *, reason: str = "", location: str = "") -> bytes:
    """The agency's signature (applied by the clerk at issue): the red seal at real size over
    the left third of the leader's signature image when the document has one, else invisible.
    Raises SigningError when the agency has no key."""
    key = agency_key(agency)
    if key is None:
        raise SigningError(f"{agency.name} chưa có khóa ký số của cơ quan.")
    image = key_image(key)
    place = signed_person_box(pdf_bytes)
    if place is not None and image is not None:
        page, box = place
        return sign_pdf(
            pdf_bytes,
            backend_for(key),
            kind="agency",
            reason=reason,
            location=location,
            box=seal_box(box),
            page=page,
            image=image,
        )
    return sign_pdf(pdf_bytes, backend_for(key), kind="agency", reason=reason, location=location)
