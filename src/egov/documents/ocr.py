"""OCR pre-fill of scanned incoming documents (văn bản đến).

A clerk registering a paper document scans it (PDF, PNG, JPEG or TIFF). :func:`ocr_text` reads
the text: the PDF's own text layer when it has one (``pdftotext -layout``), otherwise Tesseract
with the Vietnamese model on each page rasterised at 300 dpi. :func:`prefill` then finds the
metadata of the incoming register (Nghị định 30/2020, Phụ lục IV and VI: tác giả, số và ký hiệu,
ngày tháng, tên loại và trích yếu, người ký) in the layout of Phụ lục I: the issuer block top
left, "Số: 12/UBND-VX" under it, "Thanh Ba, ngày 05 tháng 3 năm 2026" top right, the type name in
capitals (a công văn has none; its trích yếu "V/v ..." sits under the number) and the signer
block bottom right. Every guess carries a confidence; the clerk confirms or corrects it.

Both paths produce *layout text*: one line per printed line, the columns kept apart by three or
more spaces at about their printed position, pages separated by form feeds. OCR output is laid
out from Tesseract's word boxes (TSV), so the left column (issuer, number, trích yếu) can be told
from the right one (national title, date, signer) the same way as in ``pdftotext -layout``.

Settings (read on each call, with these defaults): ``EGOV_OCR_TESSERACT`` ("tesseract"),
``EGOV_OCR_LANGUAGES`` ("vie"), ``EGOV_OCR_DPI`` (300), ``EGOV_OCR_MAX_PAGES`` (3),
``EGOV_OCR_TIMEOUT`` (120 s per program run), ``EGOV_OCR_PSM`` (3). See docs/ocr.md.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import statistics
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Generic, Literal, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError

from egov.core.text import fold, nfc
from egov.documents import doctypes
from egov.documents.doctypes import DocType

DEFAULT_TESSERACT = "tesseract"
# "vie" alone: adding "eng" makes Tesseract drop Vietnamese diacritics on names and symbols
# ("Tran Thi Mai Anh", "QD-UBND") on NĐ 30 documents.
DEFAULT_LANGUAGES = "vie"
DEFAULT_DPI = 300
DEFAULT_MAX_PAGES = 3
DEFAULT_TIMEOUT = 120
DEFAULT_PSM = 3

PDFTOPPM = "pdftoppm"
PDFTOTEXT = "pdftotext"
PDFINFO = "pdfinfo"

IMAGE_KINDS = {
    "png": "png",
    "image/png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "image/jpeg": "jpeg",
    "tif": "tiff",
    "tiff": "tiff",
    "image/tiff": "tiff",
}
PDF_KINDS = {"pdf", "application/pdf"}

# A PDF page whose text layer has fewer letters and digits than this is treated as a scan.
MIN_TEXT_LAYER_CHARS = 20

T = TypeVar("T")


class OcrError(RuntimeError):
    """The text of a scan could not be read (message in Vietnamese, for the clerk)."""


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OcrConfig:
    tesseract: str = DEFAULT_TESSERACT
    languages: str = DEFAULT_LANGUAGES
    dpi: int = DEFAULT_DPI
    max_pages: int = DEFAULT_MAX_PAGES
    timeout: float = DEFAULT_TIMEOUT
    psm: int = DEFAULT_PSM

    @classmethod
    def from_settings(cls) -> OcrConfig:
        return cls(
            tesseract=getattr(settings, "EGOV_OCR_TESSERACT", DEFAULT_TESSERACT),
            languages=getattr(settings, "EGOV_OCR_LANGUAGES", DEFAULT_LANGUAGES),
            dpi=int(getattr(settings, "EGOV_OCR_DPI", DEFAULT_DPI)),
            max_pages=int(getattr(settings, "EGOV_OCR_MAX_PAGES", DEFAULT_MAX_PAGES)),
            timeout=float(getattr(settings, "EGOV_OCR_TIMEOUT", DEFAULT_TIMEOUT)),
            psm=int(getattr(settings, "EGOV_OCR_PSM", DEFAULT_PSM)),
        )


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OcrPage:
    number: int  # 1-based page number in the document
    text: str  # layout text of the page
    source: Literal["text-layer", "ocr"]
    confidence: float | None = None  # Tesseract's mean word confidence, 0–1 (OCR pages only)
    seconds: float = 0.0


@dataclass(frozen=True)
class OcrResult:
    text: str  # the pages' text, separated by form feeds
    pages: tuple[OcrPage, ...]
    used_ocr: bool  # at least one page was read by Tesseract
    seconds: float
    page_count: int  # pages in the document (more than ``pages`` when only some were read)

    @property
    def method(self) -> Literal["text-layer", "ocr", "mixed"]:
        sources = {page.source for page in self.pages}
        if sources == {"text-layer"}:
            return "text-layer"
        return "ocr" if sources == {"ocr"} else "mixed"


# --- running programs ------------------------------------------------------------------------


def _run(args: Sequence[str], *, input: bytes | None, timeout: float, what: str) -> bytes:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # see _tesseract
    try:
        result = subprocess.run(
            list(args), input=input, capture_output=True, timeout=timeout, check=False, env=env
        )
    except FileNotFoundError as exc:
        if what == "tesseract":
            raise OcrError(
                f"Không tìm thấy chương trình nhận dạng chữ Tesseract ({args[0]}). "
                "Cài gói tesseract-ocr và tesseract-ocr-vie, hoặc sửa EGOV_OCR_TESSERACT."
            ) from exc
        raise OcrError(
            f"Không tìm thấy chương trình {args[0]} để đọc tệp PDF. Cài gói poppler-utils."
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrError(
            f"Nhận dạng chữ quá thời gian cho phép ({timeout:g} giây, {what}). "
            "Hãy quét lại với ít trang hơn hoặc tăng EGOV_OCR_TIMEOUT."
        ) from exc
    except PermissionError as exc:
        raise OcrError(f"Không chạy được chương trình {args[0]}: không có quyền thực thi.") from exc
    if result.returncode != 0:
        error = result.stderr.decode("utf-8", "replace").strip()
        if what == "tesseract" and (
            "Failed loading language" in error or "couldn't load any languages" in error
        ):
            raise OcrError(
                "Thiếu dữ liệu ngôn ngữ của Tesseract cho "
                f"“{args[args.index('-l') + 1] if '-l' in args else ''}”: cài gói "
                "tesseract-ocr-vie (tiếng Việt) hoặc sửa EGOV_OCR_LANGUAGES."
            )
        if what == "tesseract":
            raise OcrError(f"Tesseract không đọc được ảnh: {error[-300:]}")
        raise OcrError(f"Không đọc được tệp PDF ({what}): {error[-300:]}")
    return result.stdout


def _tesseract(image: bytes, dpi: int | None, config: OcrConfig) -> tuple[str, float | None]:
    """Layout text and mean word confidence of one page image."""
    # OMP_THREAD_LIMIT=1 (set in _run): Tesseract's OpenMP threads make one page about 3× slower
    # on a 2-core server (4.5 s instead of 1.2 s); pages run in parallel processes instead.
    args = [config.tesseract, "-", "-", "-l", config.languages, "--psm", str(config.psm)]
    if dpi:
        args += ["--dpi", str(dpi)]
    args.append("tsv")
    tsv = _run(args, input=image, timeout=config.timeout, what="tesseract")
    return layout_from_tsv(tsv.decode("utf-8", "replace"))


# --- images ----------------------------------------------------------------------------------


def _image_pages(
    data: bytes, max_pages: int
) -> tuple[list[tuple[int, tuple[bytes, int | None]]], int]:
    """The pages to read of an image file (a TIFF may have several), cleaned up, as
    (page number, (PGM, dpi)), and the number of pages."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    pages = []
    try:
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
        for number in _pages_to_read(count, max_pages):
            image.seek(number - 1)
            page = ImageOps.exif_transpose(image)  # a phone photo taken sideways
            pages.append((number, _prepare(page, _scan_dpi(image.info))))
    except (UnidentifiedImageError, OSError, EOFError, Image.DecompressionBombError) as exc:
        raise OcrError(f"Không đọc được tệp ảnh: {exc}") from exc
    return pages, count


def _scan_dpi(info: dict) -> int | None:
    dpi = info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
    return value if value and 50 <= value <= 1200 else None  # else: let Tesseract estimate


def _prepare(image, dpi: int | None, *, upscale: bool = True) -> tuple[bytes, int | None]:
    """Grey scale PGM, upscaled to 300 dpi when the scan says it is coarser (Tesseract reads
    small print badly below ~250 dpi), straightened, long rules removed."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # transparent background (a PNG exported from a PDF viewer): white paper, not black
        image = image.convert("RGBA")
        paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, image)
    gray = image.convert("L")
    if upscale and dpi is not None and dpi < 250:
        factor = DEFAULT_DPI / dpi
        size = (round(gray.width * factor), round(gray.height * factor))
        gray = gray.resize(size, Image.Resampling.LANCZOS)
        dpi = DEFAULT_DPI
    angle = skew_angle(gray)
    if abs(angle) >= 0.5:  # below that Tesseract copes, and resampling only blurs
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    gray = remove_rules(gray)
    out = io.BytesIO()
    gray.save(out, "PPM")  # uncompressed PGM: encoding a 300 dpi page as PNG takes ~0.3 s
    return out.getvalue(), dpi


def skew_angle(gray, *, limit: float = 5.0) -> float:
    """The angle (degrees, counter-clockwise) that straightens a page scanned askew: the one
    at which the ink's row profile is sharpest (text lines and gaps cleanly apart), searched on
    a quarter-size copy, first by 0.5° then by 0.1°. Tesseract reads a skewed page, but joins
    words ("XÃĐỖ") and mixes up the columns more often."""
    from PIL import Image

    small = gray.reduce(4) if min(gray.size) >= 800 else gray
    ink = small.point(lambda v: 255 if v < 160 else 0)

    def sharpness(angle: float) -> float:
        rotated = ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
        profile = rotated.resize((1, rotated.height), Image.Resampling.BOX).tobytes()
        return sum((a - b) ** 2 for a, b in zip(profile, profile[1:], strict=False))

    straight = sharpness(0.0)
    coarse = max((x / 2 for x in range(int(-limit * 2), int(limit * 2) + 1)), key=sharpness)
    best = max((coarse + x / 10 for x in range(-4, 5)), key=sharpness)
    # a blank page or a lone stamp has no lines to straighten
    return best if sharpness(best) > straight * 1.02 else 0.0


# A run of dark pixels that may be broken by one or two lighter ones (scanner noise, JPEG).
_DARK_RUN = re.compile(rb"[\x00-\x9f](?:[\x00-\x9f]|[\xa0-\xff]{1,2}(?=[\x00-\x9f]))*")


def remove_rules(gray):
    """Whiten long thin horizontal lines (the rule under the issuer name and the motto, table
    borders): when they touch the letters above, Tesseract reads the line twice ("TRƯỜN" and
    "TRƯƠNG" for "TRƯỜNG"). ``gray`` is a Pillow "L" image; a cleaned copy is returned."""
    from PIL import Image, ImageChops

    width, height = gray.size
    min_run = max(width // 16, 40)  # 13 mm on A4: longer than any stroke of a letter
    max_thickness = max(width // 150, 12)  # 1.4 mm on A4, skew and smearing included
    # Darken each pixel with the two above and the two below: a rule on a page scanned up to
    # ~1.5° askew then still makes long horizontal runs, and the runs of the rows of the band
    # cover every pixel of the rule. (Letters have no dark horizontal run that long: the gaps
    # between them are wider than the two pixels a run may skip.)
    smeared = gray
    for shift in (1, 2, -1, -2):
        smeared = ImageChops.darker(smeared, ImageChops.offset(gray, 0, shift))
    smeared = smeared.tobytes()
    runs = [
        [
            (m.start() - y * width, m.end() - y * width)
            for m in _DARK_RUN.finditer(smeared, y * width, (y + 1) * width)
            if m.end() - m.start() >= min_run
        ]
        for y in range(height)
    ]
    # Stack the runs of consecutive rows that overlap into bands: one band per rule, per box.
    bands: list[list[tuple[int, int, int]]] = []  # (row, start, end)
    open_bands: list[list[tuple[int, int, int]]] = []
    for y, row_runs in enumerate(runs):
        still_open = []
        for a, b in row_runs:
            touching = [
                band
                for band in open_bands
                if any(r == y - 1 and a < e and s < b for r, s, e in band)
            ]
            if touching:
                band = touching[0]
                for other in touching[1:]:  # the run joins two bands
                    band.extend(other)
                    other.clear()
            else:
                band = []
                bands.append(band)
            band.append((y, a, b))
            if all(band is not kept for kept in still_open):
                still_open.append(band)
        open_bands = [band for band in still_open if band]
    pixels = bytearray(gray.tobytes())
    for band in bands:
        rows = {r for r, _, _ in band}
        # a taller dark area (a photo, a black border, a filled box) is left alone
        if not band or max(rows) - min(rows) + 1 > max_thickness:
            continue
        for row, a, b in band:
            # 3 pixels more at each end: the rounded, anti-aliased ends of the rule
            a, b = max(a - 3, 0), min(b + 3, width)
            pixels[row * width + a : row * width + b] = b"\xff" * (b - a)
    return Image.frombytes("L", (width, height), bytes(pixels))


def _meaningful(word: str) -> bool:
    """A word with a letter or a digit: not a speck read as "ˆ", "`" or "~" (modifier letters
    count as letters for ``str.isalpha``)."""
    return any(unicodedata.category(ch) in ("Lu", "Ll", "Lt", "Lo", "Nd") for ch in word)


# --- layout text from Tesseract's word boxes -------------------------------------------------


@dataclass
class _Word:
    left: int
    top: int
    width: int
    height: int
    conf: float
    text: str

    @property
    def right(self) -> int:
        return self.left + self.width


@dataclass
class _Row:
    words: list[_Word] = field(default_factory=list)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.top + w.height for w in self.words)

    @property
    def center(self) -> float:
        return (self.top + self.bottom) / 2


def _drop_double_reads(lines: dict[tuple[str, ...], list[_Word]]) -> None:
    """Tesseract sometimes reads the tone marks and lower half of a line of capitals a second
    time as a line of its own ("TRƯỜNG", then "ƯƠN" in a box over it). Printed words do not
    overlap: a word lying for more than 40 % on a surer word is dropped."""
    words = sorted((w for line in lines.values() for w in line), key=lambda w: -w.conf)
    band = 64  # kept words by horizontal bands of the page, to compare only neighbours
    kept: dict[int, list[_Word]] = {}
    dropped: set[int] = set()
    for word in words:
        area = max(word.width * word.height, 1)
        bands = range(word.top // band, (word.top + word.height) // band + 1)
        neighbours = {id(o): o for b in bands for o in kept.get(b, ())}.values()
        for other in neighbours:
            dx = min(word.right, other.right) - max(word.left, other.left)
            dy = min(word.top + word.height, other.top + other.height) - max(word.top, other.top)
            if dx > 0 and dy > 0 and dx * dy > 0.4 * area:
                dropped.add(id(word))
                break
        else:
            for b in bands:
                kept.setdefault(b, []).append(word)
    for key, line in lines.items():
        lines[key] = [w for w in line if id(w) not in dropped]


def layout_from_tsv(tsv: str) -> tuple[str, float | None]:
    """Layout text (columns kept apart, about where they were printed) and the mean word
    confidence (0–1) from ``tesseract ... tsv`` output."""
    lines: dict[tuple[str, str, str, str], list[_Word]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = nfc(cols[11]).strip()
        try:
            conf = float(cols[10])
            left, top, width, height = (int(v) for v in cols[6:10])
        except ValueError:
            continue
        # specks and the ends of rules read as "`", ":" or "~" with a low confidence
        if not text or conf < 0 or (conf < 50 and not _meaningful(text)):
            continue
        lines.setdefault(tuple(cols[1:5]), []).append(_Word(left, top, width, height, conf, text))
    _drop_double_reads(lines)
    lines = {key: line for key, line in lines.items() if line}
    words = [w for line in lines.values() for w in line]
    if not words:
        return "", None
    confidence = round(statistics.fmean(w.conf for w in words) / 100, 3)
    height = statistics.median(w.height for w in words)
    long_words = [w for w in words if len(w.text) >= 3] or words
    char_width = max(statistics.median(w.width / len(w.text) for w in long_words), 1.0)

    # A page scanned askew: Tesseract reads the skewed lines, but their words' boxes climb or
    # fall across the page, and the columns of one printed line would land on different rows.
    # Straighten the boxes by the median slope between neighbouring words of a line (bottoms:
    # descenders and tone marks vary, the median ignores them).
    slopes = [
        (b.top + b.height - a.top - a.height) / (b.left - a.left)
        for line in lines.values()
        for a, b in zip(
            sorted(line, key=lambda w: w.left), sorted(line, key=lambda w: w.left)[1:], strict=False
        )
        if b.left - a.left > 2 * char_width
    ]
    slope = statistics.median(slopes) if len(slopes) >= 5 else 0.0
    if abs(slope) > 0.002:  # above ~0.1°
        for word in words:
            word.top = round(word.top - slope * word.left)

    # Tesseract puts the columns of one printed line in different blocks: join its lines whose
    # middles are at the same height and that do not overlap.
    rows: list[_Row] = []
    for line in sorted(lines.values(), key=lambda ws: min(w.top + w.height / 2 for w in ws)):
        line.sort(key=lambda w: w.left)
        candidate = _Row(line)
        for existing in reversed(rows[-3:]):
            if abs(existing.center - candidate.center) < height * 0.5 and not any(
                w.left < x.right and x.left < w.right for w in line for x in existing.words
            ):
                existing.words = sorted(existing.words + line, key=lambda w: w.left)
                break
        else:
            rows.append(candidate)
    rows.sort(key=lambda r: r.center)

    x0 = min(w.left for w in words)
    pitches = [b.center - a.center for a, b in zip(rows, rows[1:], strict=False)]
    pitch = statistics.median(pitches) if pitches else height
    out: list[str] = []
    previous: _Row | None = None
    for row in rows:
        if previous is not None and row.center - previous.center > pitch * 1.35:
            out.append("")
        text = ""
        last: _Word | None = None
        for word in row.words:
            column = round((word.left - x0) / char_width)
            if last is None:
                text = " " * column
            elif word.left - last.right <= 2.5 * char_width:
                text += " "
            else:
                text += " " * max(column - len(text), 3)
            text += word.text
            last = word
        out.append(text.rstrip())
        previous = row
    return "\n".join(out), confidence


# --- PDF -------------------------------------------------------------------------------------


def _pdf_page_count(path: Path, config: OcrConfig) -> int:
    info = _run([PDFINFO, str(path)], input=None, timeout=config.timeout, what="pdfinfo")
    match = re.search(rb"^Pages:\s+(\d+)", info, re.MULTILINE)
    if not match:
        raise OcrError("Không đọc được số trang của tệp PDF.")
    return int(match.group(1))


def _pdf_text_layer(path: Path, first: int, last: int, config: OcrConfig) -> list[str]:
    out = _run(
        [PDFTOTEXT, "-layout", "-enc", "UTF-8", "-f", str(first), "-l", str(last), str(path), "-"],
        input=None,
        timeout=config.timeout,
        what="pdftotext",
    )
    pages = out.decode("utf-8", "replace").split("\f")
    return [nfc(page) for page in pages[: last - first + 1]]


def _pdf_page_image(path: Path, number: int, folder: Path, config: OcrConfig) -> bytes:
    target = folder / f"page-{number}"
    _run(
        [
            PDFTOPPM,
            "-r",
            str(config.dpi),
            "-gray",
            "-f",
            str(number),
            "-l",
            str(number),
            "-singlefile",
            str(path),
            str(target),
        ],
        input=None,
        timeout=config.timeout,
        what="pdftoppm",
    )
    return target.with_suffix(".pgm").read_bytes()  # uncompressed: PNG takes 3 s per page


def _pages_to_read(count: int, max_pages: int) -> list[int]:
    """The first ``max_pages`` pages, and the last one: the signer block is at the end."""
    numbers = list(range(1, min(count, max_pages) + 1))
    if count > numbers[-1]:
        numbers.append(count)
    return numbers


def _has_text(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= MIN_TEXT_LAYER_CHARS


# --- the public API: reading the text --------------------------------------------------------


def ocr_text(
    data: bytes, kind: str, *, max_pages: int | None = None, config: OcrConfig | None = None
) -> OcrResult:
    """The text of a scanned document, page by page.

    ``kind`` is "pdf" or an image kind ("png", "jpeg"/"jpg", "tiff"/"tif", or the MIME type).
    A PDF page with a text layer is read with ``pdftotext -layout``; a page without one is
    rasterised at ``EGOV_OCR_DPI`` and read by Tesseract. Only the first ``max_pages`` pages
    (``EGOV_OCR_MAX_PAGES``) and the last page are read. Raises :class:`OcrError` (Vietnamese
    message) when the file cannot be read, Tesseract or its Vietnamese model is missing, or a
    program runs longer than ``EGOV_OCR_TIMEOUT`` seconds.
    """
    config = config or OcrConfig.from_settings()
    limit = max(config.max_pages if max_pages is None else max_pages, 1)
    kind = (kind or "").strip().lower().lstrip(".")
    started = time.perf_counter()
    if kind in PDF_KINDS:
        pages, count = _read_pdf(data, limit, config)
    elif kind in IMAGE_KINDS:
        pages, count = _read_images(data, limit, config)
    else:
        raise OcrError(
            f"Không nhận dạng được tệp loại “{kind}”: chỉ nhận PDF, PNG, JPEG hoặc TIFF."
        )
    return OcrResult(
        text="\f".join(page.text for page in pages),
        pages=tuple(pages),
        used_ocr=any(page.source == "ocr" for page in pages),
        seconds=round(time.perf_counter() - started, 3),
        page_count=count,
    )


def _ocr_pages(jobs: list[tuple[int, object]], work, config: OcrConfig) -> list[OcrPage]:
    """Run ``work(job) -> (pgm, dpi)`` then Tesseract on each page, one process per CPU."""

    def one(job: tuple[int, object]) -> OcrPage:
        number, payload = job
        started = time.perf_counter()
        image, dpi = work(payload)
        text, confidence = _tesseract(image, dpi, config)
        return OcrPage(number, text, "ocr", confidence, round(time.perf_counter() - started, 3))

    if len(jobs) <= 1:
        return [one(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
        return list(pool.map(one, jobs))


def _read_images(data: bytes, limit: int, config: OcrConfig) -> tuple[list[OcrPage], int]:
    pages, count = _image_pages(data, limit)
    return _ocr_pages(pages, lambda page: page, config), count


def _read_pdf(data: bytes, limit: int, config: OcrConfig) -> tuple[list[OcrPage], int]:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise OcrError("Tệp không phải là PDF.")
    with tempfile.TemporaryDirectory(prefix="egov-ocr-") as tmp:
        folder = Path(tmp)
        path = folder / "scan.pdf"
        path.write_bytes(data)
        count = _pdf_page_count(path, config)
        if count < 1:
            raise OcrError("Tệp PDF không có trang nào.")
        numbers = _pages_to_read(count, limit)
        head = [n for n in numbers if n <= limit]
        layer = dict(zip(head, _pdf_text_layer(path, 1, head[-1], config), strict=False))
        if numbers[-1] not in layer:
            layer[numbers[-1]] = _pdf_text_layer(path, numbers[-1], numbers[-1], config)[0]
        pages = {
            n: OcrPage(n, layer[n].rstrip(), "text-layer")
            for n in numbers
            if _has_text(layer.get(n, ""))
        }
        scans = [n for n in numbers if n not in pages]
        if scans:

            def rasterise(number: int) -> tuple[bytes, int | None]:
                from PIL import Image

                pgm = _pdf_page_image(path, number, folder, config)
                with Image.open(io.BytesIO(pgm)) as image:
                    return _prepare(image, config.dpi, upscale=False)

            for page in _ocr_pages([(n, n) for n in scans], rasterise, config):
                pages[page.number] = page
    return [pages[n] for n in numbers], count


# --- pre-fill: the metadata of Nghị định 30/2020 from the text -------------------------------

CONG_VAN = "cong_van"  # the code of a công văn in egov.documents.doctypes


@dataclass(frozen=True)
class _TypeTable:
    """The types of Nghị định 30/2020 (Điều 7, Phụ lục III) from :mod:`egov.documents.doctypes`,
    with the configured abbreviations, indexed for reading scans."""

    by_abbr: dict[str, DocType]  # "QĐ" → quyết định (administrative and copies)
    by_folded_abbr: dict[str, list[str]]  # "qd" → ["QĐ"]; "da" → ["ĐA", "DA"]
    by_folded_name: dict[str, DocType]  # "quyet dinh" → quyết định
    legal_by_abbr: dict[str, DocType]  # "QĐ" → quyết định (quy phạm pháp luật)

    @classmethod
    def load(cls) -> _TypeTable:
        by_abbr: dict[str, DocType] = {}
        by_folded_name: dict[str, DocType] = {}
        legal: dict[str, DocType] = {}
        for doc_type in doctypes.all_types():
            if doc_type.legal_normative:
                if doc_type.abbreviation:
                    legal.setdefault(doc_type.abbreviation, doc_type)
                continue
            if doc_type.abbreviation:
                by_abbr.setdefault(doc_type.abbreviation, doc_type)
            by_folded_name.setdefault(fold(doc_type.name), doc_type)
        by_folded_abbr: dict[str, list[str]] = {}
        for abbr in by_abbr:
            by_folded_abbr.setdefault(fold(abbr), []).append(abbr)
        return cls(by_abbr, by_folded_abbr, by_folded_name, legal)


# First words of the name of a body in the issuer block: a line starting otherwise continues the
# line above ("ỦY BAN NHÂN DÂN" / "HUYỆN THANH BA", "PHÒNG TÀI NGUYÊN VÀ MÔI" / "TRƯỜNG").
_BODY_HEADS = tuple(
    fold(head) + " "
    for head in (
        "UBND",
        "ỦY BAN",
        "UỶ BAN",
        "HĐND",
        "HỘI ĐỒNG",
        "VĂN PHÒNG",
        "PHÒNG",
        "SỞ",
        "BỘ",
        "BAN",
        "TRUNG TÂM",
        "TỔNG CỤC",
        "CỤC",
        "CHI CỤC",
        "TRƯỜNG",
        "CÔNG AN",
        "ĐẢNG ỦY",
        "ĐẢNG UỶ",
        "HUYỆN ỦY",
        "TỈNH ỦY",
        "MẶT TRẬN",
        "ĐOÀN",
        "HỘI",
        "BỆNH VIỆN",
        "TRẠM",
        "KHO BẠC",
        "CHI NHÁNH",
        "THANH TRA",
        "TÒA ÁN",
        "VIỆN",
        "ĐỘI",
        "BẢO HIỂM",
        "CHÍNH PHỦ",
        "THỦ TƯỚNG",
        "CÔNG TY",
        "TẬP ĐOÀN",
        "BƯU ĐIỆN",
        "LIÊN ĐOÀN",
        "BAN CHỈ HUY",
        "BỘ CHỈ HUY",
    )
)


@dataclass(frozen=True)
class Guess(Generic[T]):
    """A value read from the scan, how sure the reading is (0–1) and the text it came from."""

    value: T
    confidence: float
    source: str = ""


@dataclass(frozen=True)
class Prefill:
    """The metadata of an incoming document found in its text (Phụ lục VI, II: OrganName,
    CodeNumber, CodeNotation, IssuedDate, TypeName, Subject, SignerInfo). A field is None when
    it was not found."""

    issuer: Guess[str] | None = None  # cơ quan ban hành: the lowest body of the issuer block
    issuer_parent: Guess[str] | None = None  # cơ quan chủ quản: the line(s) above it
    number: Guess[str] | None = None  # số: "12"
    symbol: Guess[str] | None = None  # ký hiệu: "UBND-VX"
    date: Guess[date] | None = None
    doc_type: Guess[str] | None = None  # loại: a code of egov.documents.doctypes, "quyet_dinh"
    subject: Guess[str] | None = None  # trích yếu: "V/v ..." or the line(s) under the type name
    signer: Guess[str] | None = None  # người ký: "Nguyễn Văn Hùng"
    signer_position: Guess[str] | None = None  # chức vụ: "PHÓ TRƯỞNG PHÒNG"

    FIELDS = (
        "issuer",
        "issuer_parent",
        "number",
        "symbol",
        "date",
        "doc_type",
        "subject",
        "signer",
        "signer_position",
    )
    # the fields of IncomingDocument (Phụ lục VI names in the comments there) they fill
    FORM_FIELDS = {
        "issuer": "issuer_name",
        "number": "code_number",
        "symbol": "code_notation",
        "date": "issued_date",
        "doc_type": "doc_type",
        "subject": "subject",
        "signer": "signer_name",
        "signer_position": "signer_position",
    }

    @property
    def number_symbol(self) -> str | None:
        """Number and symbol as written after "Số:": "12/UBND-VX"."""
        if self.number is None or self.symbol is None:
            return None
        return f"{self.number.value}/{self.symbol.value}"

    @property
    def type_name(self) -> str | None:
        """The name of the type (TypeName): "Quyết định"."""
        if self.doc_type is None:
            return None
        try:
            return doctypes.get(self.doc_type.value).name
        except ValidationError:
            return None

    def initial(self, min_confidence: float = 0.0) -> dict[str, object]:
        """Initial values for the registration form of an incoming document, by the field names
        of ``IncomingDocument``, leaving out the guesses less sure than ``min_confidence``."""
        values: dict[str, object] = {}
        for name, form_field in self.FORM_FIELDS.items():
            guess = getattr(self, name)
            if guess is not None and guess.confidence >= min_confidence:
                values[form_field] = guess.value
        if "doc_type" in values and self.type_name:
            values["type_name"] = self.type_name
        return values


@dataclass
class _Segment:
    """A run of text on one line, apart from the next by three or more spaces (a column)."""

    line: int
    column: int
    text: str
    folded: str  # same length as text: one folded character per character

    @property
    def caps(self) -> bool:
        letters = [ch for ch in self.text if ch.isalpha()]
        return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def _fold_chars(text: str) -> str:
    """:func:`egov.core.text.fold` character by character, so that a match in the folded text
    is at the same place in the original: "Số: 05/QĐ" → "so: 05/qd"."""
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
            continue
        folded = fold(ch)
        out.append(folded if len(folded) == 1 else ch.lower()[:1] or "?")
    return "".join(out)


_SEGMENT = re.compile(r"\S+(?: {1,2}\S+)*")


class _Page:
    def __init__(self, text: str):
        self.lines = nfc(text).replace("\t", "    ").split("\n")
        self.segments: list[list[_Segment]] = []
        for index, line in enumerate(self.lines):
            self.segments.append(
                [
                    _Segment(index, m.start(), m.group(), _fold_chars(m.group()))
                    for m in _SEGMENT.finditer(line)
                ]
            )
        width = max((len(line.rstrip()) for line in self.lines), default=0)
        # Layout text (pdftotext -layout, OCR): the left column ends before ~42 % of the widest
        # line. Plain text (one column): everything is "left".
        self.split = width * 0.42 if width >= 60 else None

    def left(self, segment: _Segment) -> bool:
        return self.split is None or segment.column < self.split

    def all(self) -> Iterable[_Segment]:
        for line in self.segments:
            yield from line


def _clamp(value: float) -> float:
    return round(max(0.05, min(value, 0.99)), 2)


# national title and motto, OCR tolerant, in folded text
_NATIONAL = re.compile(r"c[o0]ng\s*h[o0]a\s*x|chu\s*ngh|d[o0]c\s*l[a4]p\s*[-–—]?\s*t|hanh\s*ph")
_NUMBER = re.compile(
    r"(?:^|(?<=[\s(]))s\s?(?P<o>[o0-9])\s*(?P<colon>[:;.,]\s*|\s+)"
    r"(?P<num>[0-9oil|!]{1,6}(?:\s*/\s*[0-9oil|!]{4}(?=\s*/))?)\s*/\s*"
    r"(?P<sym>[a-z0-9]+(?:\s*[-–—_]\s*[a-z0-9]+)*)"
)
_DIGITS = str.maketrans({"o": "0", "O": "0", "i": "1", "I": "1", "l": "1", "|": "1", "!": "1"})
_DATE = re.compile(
    r"n[gq][a-z]{1,2}\s*[:.,]?\s*(?P<d>[0-9oil|]{1,2})\s*[,.]?\s*"
    r"th[a-z]{2,3}\s*[:.,]?\s*(?P<m>[0-9oil|]{1,2})\s*[,.]?\s*"
    r"n[a-z]{1,2}\s*[:.,]?\s*(?P<y>[0-9oil|]{4})(?![0-9])"
)
# "V/v" (về việc), also read as "V/V", "V / v", "Vv", "V.v" or "V/" (the second v lost)
_VV = re.compile(r"^v\s*(?:[/|l1i\\.]\s*v?|v)(?=[\s.:,]|$)\s*[.:,]?")
_BODY_START = re.compile(
    r"^(kinh gui|can cu|thuc hien|theo de nghi|dieu \d|noi nhan|so:|v\s*/\s*v\b)"
)


def prefill(text: str) -> Prefill:
    """Read the metadata of a document laid out per Nghị định 30/2020, Phụ lục I, from its text
    (:func:`ocr_text`'s, pages separated by form feeds; plain text works too). The header fields
    come from the first page, the signer from the last."""
    pages = [page for page in (text or "").split("\f") if page.strip()] or [""]
    first, last = _Page(pages[0]), _Page(pages[-1])
    types = _TypeTable.load()
    number, symbol, number_segment = _find_number(first, types)
    issuer, parent = _find_issuer(first, number_segment)
    doc_type, title_segment = _find_type(first, number, symbol, types)
    subject = _find_subject(first, title_segment)
    if doc_type is None and subject is not None and _VV.match(fold(subject.value)):
        # no type name and no type abbreviation in the symbol, a "V/v" trích yếu: a công văn
        doc_type = Guess(CONG_VAN, 0.85 if symbol is not None else 0.7, subject.source)
    signer, position = _find_signer(last)
    return Prefill(
        issuer=issuer,
        issuer_parent=parent,
        number=number,
        symbol=symbol,
        date=_find_date(first),
        doc_type=doc_type,
        subject=subject,
        signer=signer,
        signer_position=position,
    )


def _find_number(
    page: _Page, types: _TypeTable
) -> tuple[Guess[str] | None, Guess[str] | None, _Segment | None]:
    """Number and symbol from "Số: 12/UBND-VX" (Phụ lục I, II.3), tolerating OCR noise: "S6:",
    "Sô :", "12 / UBND - VX", "O5"."""
    best = None
    for segment in page.all():
        for match in _NUMBER.finditer(segment.folded):
            start = match.start()
            clean_s = segment.text[start] == "S"
            with_colon = match.group("colon").strip() != ""
            # "số 30/2020/NĐ-CP" in a sentence is a citation, not this document's number
            if not with_colon and not clean_s:
                continue
            rank = (with_colon, clean_s, page.left(segment))
            if best is None or rank > best[0]:
                best = (rank, segment, match)
        if best is not None and best[0] == (True, True, True):
            break
    if best is None:
        return None, None, None
    (with_colon, clean_s, left), segment, match = best
    penalty = 0.0
    raw_prefix = segment.text[match.start() : match.start("num")]
    if not re.match(r"Số\s*:\s*$", raw_prefix):
        penalty += 0.1
    if not with_colon:
        penalty += 0.15
    if not left:
        penalty += 0.1
    raw_number = segment.text[match.start("num") : match.end("num")]
    number = re.sub(r"\s+", "", raw_number).translate(_DIGITS)
    if number != re.sub(r"\s+", "", raw_number):
        penalty += 0.15
    if not re.fullmatch(r"\d{1,6}(/\d{4})?", number):
        return None, None, None
    raw_symbol = segment.text[match.start("sym") : match.end("sym")]
    symbol, symbol_penalty = _clean_symbol(raw_symbol, types)
    penalty += symbol_penalty
    source = segment.text[match.start() : match.end()]
    confidence = _clamp(0.95 - penalty)
    return Guess(number, confidence, source), Guess(symbol, confidence, source), segment


def _clean_symbol(raw: str, types: _TypeTable) -> tuple[str, float]:
    """The symbol without spaces, its type abbreviation spelt as in Phụ lục III, and how much
    had to be corrected: "QD - UBND" → ("QĐ-UBND", 0.15)."""
    penalty = 0.0
    compact = re.sub(r"\s+", "", raw).replace("Ð", "Đ").replace("ð", "đ")
    compact = re.sub(r"[–—_]", "-", compact)
    if compact != raw:
        penalty += 0.05
    groups = compact.split("-")
    cleaned = []
    for index, group in enumerate(groups):
        if index == 0 and group in types.by_abbr:
            cleaned.append(group)
            continue
        if index == 0:
            # "QD" → "QĐ" ("DA" stays: Dự án and Đề án); "QĐĐ" (one letter read twice) → "QĐ"
            deduplicated = re.sub(r"(.)\1+", r"\1", group)
            candidates = types.by_folded_abbr.get(fold(group), []) or (
                [deduplicated] if deduplicated in types.by_abbr else []
            )
            if len(candidates) == 1:
                cleaned.append(candidates[0])
                penalty += 0.1
                continue
        upper = group.upper()
        if upper != group:
            penalty += 0.05
        cleaned.append(upper)
    return "-".join(cleaned), penalty


def _find_issuer(
    page: _Page, number_segment: _Segment | None
) -> tuple[Guess[str] | None, Guess[str] | None]:
    """The issuer block top left (Phụ lục I, II.2): the body above its parent; a name wrapped on
    two lines is joined."""
    end = number_segment.line if number_segment is not None else min(len(page.lines), 8)
    lines: list[str] = []
    for segments in page.segments[:end]:
        for segment in segments:
            if not page.left(segment):
                continue
            national = _NATIONAL.search(segment.folded)
            text = segment.text[: national.start()] if national else segment.text
            # specks next to the name: "ĐỖ ˆ"
            words = [w.strip(_SPECKS.replace(".", "")) for w in text.split() if _meaningful(w)]
            text = " ".join(words).rstrip(".")
            if _Segment(0, 0, text, "").caps and len(text) >= 2:
                lines.append(text)
    if not lines:
        return None, None
    bodies: list[list[str]] = []
    for line in lines:
        folded = fold(line) + " "
        starts_body = folded.startswith(_BODY_HEADS) and " " in line.strip()
        continues = bodies and (not starts_body or fold(bodies[-1][-1]).endswith((" va", ",")))
        if continues:
            bodies[-1].append(line)
        else:
            bodies.append([line])

    def guess(body: list[str]) -> Guess[str]:
        name = " ".join(body)
        known = (fold(name) + " ").startswith(_BODY_HEADS)
        return Guess(name, 0.9 if known else 0.6, "\n".join(body))

    issuer = guess(bodies[-1])
    parent = guess(bodies[-2]) if len(bodies) >= 2 else None
    if len(bodies) > 2:  # more than two bodies: unusual, maybe noise was read as a line
        issuer = Guess(issuer.value, _clamp(issuer.confidence - 0.2), issuer.source)
    return issuer, parent


def _find_date(page: _Page) -> Guess[date] | None:
    """The date of "Thanh Ba, ngày 05 tháng 3 năm 2026" (Phụ lục I, II.4): the first after a place
    name, else the first date of the page (less sure)."""
    candidates = []
    for segment in page.all():
        for match in _DATE.finditer(segment.folded):
            parts = [segment.text[match.start(g) : match.end(g)] for g in ("d", "m", "y")]
            digits = [p.translate(_DIGITS) for p in parts]
            try:
                value = date(int(digits[2]), int(digits[1]), int(digits[0]))
            except ValueError:
                continue
            before = segment.folded[: match.start()]
            after_place = bool(re.search(r"[a-z]\s*,\s*$", before))
            confidence = 0.95 if after_place else 0.6
            if digits != parts:
                confidence -= 0.15
            if not re.match(r"ngày \d", segment.text[match.start() :]):
                confidence -= 0.05
            candidates.append((after_place, -len(candidates), value, confidence, segment))
    if not candidates:
        return None
    after_place, _, value, confidence, segment = max(candidates, key=lambda c: c[:2])
    return Guess(value, _clamp(confidence), segment.text)


def _find_type(
    page: _Page, number: Guess[str] | None, symbol: Guess[str] | None, types: _TypeTable
) -> tuple[Guess[str] | None, _Segment | None]:
    """The type name in capitals (Phụ lục I, II.5), checked against the symbol's abbreviation;
    without it, the abbreviation alone. A number with a year ("15/2025/QĐ-UBND") is that of a
    legal normative document (văn bản quy phạm pháp luật)."""
    abbr = symbol.value.split("-")[0] if symbol is not None else ""
    from_symbol = types.by_abbr.get(abbr)
    title = None
    for segment in page.all():
        if not segment.caps or segment.text.rstrip().endswith(":"):
            continue
        folded = re.sub(r"[^a-z ]", "", fold(segment.text)).strip()
        if folded in types.by_folded_name:
            title = (types.by_folded_name[folded], 0.95, segment)
            break
        close = difflib.get_close_matches(folded, list(types.by_folded_name), n=1, cutoff=0.85)
        if close and len(folded) >= 6:
            title = (types.by_folded_name[close[0]], 0.75, segment)
            break
    if title is not None:
        found, confidence, segment = title
        if from_symbol is not None and from_symbol.code == found.code:
            confidence = 0.98
        elif from_symbol is not None:
            confidence -= 0.3  # the title and the symbol disagree: the clerk must look
        source = segment.text
    elif from_symbol is not None:
        found, confidence, source, segment = from_symbol, 0.75, symbol.source, None
    else:
        return None, None
    if number is not None and "/" in number.value and found.abbreviation in types.legal_by_abbr:
        found = types.legal_by_abbr[found.abbreviation]
    return Guess(found.code, _clamp(confidence), source), segment


def _find_subject(page: _Page, title: _Segment | None) -> Guess[str] | None:
    """The trích yếu: "V/v ..." under the number of a công văn, or the line(s) under the type
    name (Phụ lục I, II.5)."""
    if title is None:
        for segment in page.all():
            match = _VV.match(segment.folded)
            if match and page.left(segment):
                parts, complete = _following(page, segment, [segment.text], left_only=True)
                body = " ".join([segment.text[match.end() :], *parts[1:]])
                head = segment.text[: match.end()]
                return _subject_guess("V/v " + body.strip(), parts, complete, head)
        return None
    start = title.line + 1
    # skip the blank lines under the title
    while start < len(page.segments) and not page.segments[start]:
        start += 1
    if start >= len(page.segments):
        return None
    first = page.segments[start][0]
    if first.caps or _BODY_START.match(first.folded):
        return None
    parts, complete = _following(page, first, [first.text], left_only=False)
    return _subject_guess(" ".join(parts), parts, complete, "")


def _following(
    page: _Page, segment: _Segment, parts: list[str], *, left_only: bool
) -> tuple[list[str], bool]:
    """The lines continuing a trích yếu, up to a blank line, capitals, or the body."""
    for index in range(segment.line + 1, segment.line + 4):
        if index >= len(page.segments):
            return parts, True
        candidates = [s for s in page.segments[index] if not left_only or page.left(s)]
        if not candidates:
            return parts, True
        nxt = candidates[0]
        if (
            nxt.caps
            or _BODY_START.match(nxt.folded)
            or _DATE.search(nxt.folded)
            or not any(ch.isalpha() for ch in nxt.text)
        ):
            return parts, True
        parts.append(nxt.text)
    return parts, False  # four lines and still going: may have run into the body


def _subject_guess(value: str, parts: list[str], complete: bool, head: str) -> Guess[str] | None:
    # specks read as a word of their own ("|") or glued to the first one ('"Về')
    words = [w for w in value.split() if _meaningful(w)]
    if words:
        words[0] = words[0].lstrip(_SPECKS)
    value = " ".join(words)
    if len(value) < 6:
        return None
    confidence = 0.9 if complete else 0.6
    if head and re.sub(r"[\s.:,]", "", fold(head)) != "v/v":
        confidence -= 0.1
    return Guess(value, _clamp(confidence), "\n".join(parts))


# specks read next to a word: "'Trần Thị Mai Anh"
_SPECKS = "'`‘’\"“”.,:;~_|^ˆ*"


def _name_like(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 6 and all(
        w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words
    )


def _find_signer(page: _Page) -> tuple[Guess[str] | None, Guess[str] | None]:
    """The name at the bottom of the signer block (Phụ lục I, II.7): the last name-like line of
    the document ("Nguyễn Văn Hùng"), and the position in capitals above it."""
    lines = page.segments
    for index in range(len(lines) - 1, max(len(lines) - 40, -1), -1):
        names = [
            _Segment(s.line, s.column, s.text.strip(_SPECKS), "")
            for s in lines[index]
            if _name_like(s.text.strip(_SPECKS))
        ]
        if not names:
            continue
        # the signer block is on the right; a name in the left column is a recipient
        name = next((s for s in reversed(names) if not page.left(s)), None)
        if name is None and page.split is not None:
            continue
        name = name or names[-1]
        position = None
        for above in range(index - 1, max(index - 12, -1), -1):
            caps = [
                s
                for s in lines[above]
                if s.caps
                and (page.split is None or not page.left(s) or s.column >= name.column - 15)
            ]
            if caps:
                position = Guess(caps[-1].text, 0.8, caps[-1].text)
                break
        confidence = 0.85 if position is not None else 0.6
        return Guess(name.text, confidence, name.text), position
    return None, None
