"""OCR pre-fill of scanned incoming documents (egov.documents.ocr).

Real documents in the layout of Nghị định 30/2020 are rendered with WeasyPrint, rasterised by
poppler at 300 dpi, skewed and specked like a scan, and read back by the real Tesseract with its
Vietnamese model; the pre-filled fields must equal what was printed. OCR may get a tone mark
wrong ("chuyến" for "chuyển"), so free text is compared folded (no diacritics, lower case).
"""

from __future__ import annotations

import io
import random
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from egov.core.pdf import render_pdf
from egov.core.testing import require_program
from egov.core.text import fold
from egov.documents import doctypes
from egov.documents.ocr import (
    OcrConfig,
    OcrError,
    Prefill,
    layout_from_tsv,
    ocr_text,
    prefill,
    remove_rules,
    skew_angle,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

CONG_VAN = {
    "template": "ocr_tests/cong_van.html",
    "issuer_parent": "UBND HUYỆN THANH BA",
    "issuer_name": "PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "doc_number": "12/TNMT-ĐĐ",
    "place_date": "Thanh Ba, ngày 05 tháng 3 năm 2026",
    "subject": "V/v tăng cường quản lý đất đai trên địa bàn xã Đỗ Sơn",
    "recipient": "Ủy ban nhân dân xã Đỗ Sơn",
    "paragraphs": [
        "Thực hiện chỉ đạo của Ủy ban nhân dân huyện về công tác quản lý đất đai năm 2026, "
        "Phòng Tài nguyên và Môi trường đề nghị Ủy ban nhân dân xã Đỗ Sơn rà soát các trường "
        "hợp sử dụng đất sai mục đích trên địa bàn.",
        "Kết quả rà soát gửi về Phòng Tài nguyên và Môi trường trước ngày 20 tháng 3 năm 2026 "
        "để tổng hợp, báo cáo Ủy ban nhân dân huyện.",
    ],
    "authority": "KT. TRƯỞNG PHÒNG",
    "position": "PHÓ TRƯỞNG PHÒNG",
    "signer": "Nguyễn Văn Hùng",
    # expected
    "number": "12",
    "symbol": "TNMT-ĐĐ",
    "date": date(2026, 3, 5),
    "doc_type": "cong_van",
}

QUYET_DINH = {
    "template": "ocr_tests/quyet_dinh.html",
    "issuer_parent": "",
    "issuer_name": "ỦY BAN NHÂN DÂN XÃ ĐỖ SƠN",
    "doc_number": "05/QĐ-UBND",
    "place_date": "Đỗ Sơn, ngày 09 tháng 02 năm 2026",
    "type_name": "QUYẾT ĐỊNH",
    "subject": "Về việc thành lập Tổ công tác chuyển đổi số xã Đỗ Sơn năm 2026",
    "authority_line": "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ĐỖ SƠN",
    "bases": [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác "
        "văn thư;",
        "Theo đề nghị của Công chức Văn phòng - Thống kê.",
    ],
    "articles": [
        "Thành lập Tổ công tác chuyển đổi số xã Đỗ Sơn năm 2026 gồm các ông, bà có tên trong "
        "danh sách kèm theo.",
        "Tổ công tác có nhiệm vụ tham mưu cho Ủy ban nhân dân xã triển khai các nhiệm vụ chuyển "
        "đổi số.",
        "Quyết định này có hiệu lực kể từ ngày ký.",
    ],
    "authority": "TM. ỦY BAN NHÂN DÂN",
    "position": "CHỦ TỊCH",
    "signer": "Trần Thị Mai Anh",
    # expected
    "number": "05",
    "symbol": "QĐ-UBND",
    "date": date(2026, 2, 9),
    "doc_type": "quyet_dinh",
}

DOCUMENTS = {"cong_van": CONG_VAN, "quyet_dinh": QUYET_DINH}


def render(document: dict) -> bytes:
    templates = [{**django_settings.TEMPLATES[0], "DIRS": [TEMPLATES_DIR]}]
    with override_settings(TEMPLATES=templates):
        return render_pdf(document["template"], document)


def rasterise(pdf: bytes, tmp_path: Path, dpi: int = 300) -> list[Image.Image]:
    """The pages of a PDF as poppler draws them: what a flatbed scanner would see."""
    pdftoppm = require_program("pdftoppm", "poppler-utils")
    (tmp_path / "in.pdf").write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-gray", "-png", tmp_path / "in.pdf", tmp_path / "page"],
        check=True,
        timeout=60,
    )
    return [Image.open(path).convert("L") for path in sorted(tmp_path.glob("page-*.png"))]


def scanned(page: Image.Image, *, angle: float = 0.4, seed: int = 30) -> Image.Image:
    """A page as it comes out of an office scanner: slightly askew, with specks."""
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    rnd = random.Random(seed)
    pixels = page.load()
    for _ in range(page.width * page.height // 800):
        pixels[rnd.randrange(page.width), rnd.randrange(page.height)] = rnd.choice((0, 96, 160))
    return page


def png_bytes(image: Image.Image, dpi: int = 300) -> bytes:
    out = io.BytesIO()
    # a copy: Pillow keeps the options of a save on the image and reuses them in the next one
    image.copy().save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def image_pdf(pages: list[Image.Image], dpi: int = 300) -> bytes:
    """A PDF made of page images only, no text layer: a scanner's PDF."""
    out = io.BytesIO()
    pages = [page.copy() for page in pages]
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()


def assert_prefilled(found: Prefill, document: dict) -> None:
    assert found.number is not None and found.number.value == document["number"]
    assert found.symbol is not None and found.symbol.value == document["symbol"]
    assert found.number_symbol == document["doc_number"]
    assert found.date is not None and found.date.value == document["date"]
    assert found.issuer is not None
    assert fold(found.issuer.value) == fold(document["issuer_name"])
    if document["issuer_parent"]:
        assert found.issuer_parent is not None
        assert fold(found.issuer_parent.value) == fold(document["issuer_parent"])
    else:
        assert found.issuer_parent is None
    assert found.doc_type is not None and found.doc_type.value == document["doc_type"]
    assert found.subject is not None
    assert fold(found.subject.value) == fold(document["subject"])
    assert found.signer is not None and fold(found.signer.value) == fold(document["signer"])
    assert found.signer_position is not None
    assert fold(found.signer_position.value) == fold(document["position"])
    for name in Prefill.FIELDS:
        guess = getattr(found, name)
        if guess is not None:
            assert 0 < guess.confidence < 1


@pytest.fixture(scope="module")
def tesseract() -> str:
    path = require_program("tesseract", "tesseract-ocr")
    langs = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30)
    if "vie" not in langs.stdout.split():
        pytest.skip(
            "Tesseract's Vietnamese model is not installed: apt-get install tesseract-ocr-vie"
        )
    return path


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {name: render(document) for name, document in DOCUMENTS.items()}


@pytest.fixture(scope="module")
def scans(pdfs, tmp_path_factory) -> dict[str, Image.Image]:
    return {
        name: scanned(rasterise(pdf, tmp_path_factory.mktemp(name))[0])
        for name, pdf in pdfs.items()
    }


# --- the whole chain on scans ----------------------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
def test_scanned_image_is_prefilled(tesseract, scans, name):
    result = ocr_text(png_bytes(scans[name]), "png")

    assert result.used_ocr and result.method == "ocr"
    assert result.page_count == 1 and [p.number for p in result.pages] == [1]
    assert result.pages[0].source == "ocr" and result.pages[0].confidence > 0.8
    assert result.seconds > 0
    assert_prefilled(prefill(result.text), DOCUMENTS[name])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_scanned_pdf_without_text_layer_is_prefilled(tesseract, scans, tmp_path, name):
    pdf = image_pdf([scans[name]])
    (tmp_path / "scan.pdf").write_bytes(pdf)
    pdftotext = require_program("pdftotext", "poppler-utils")
    layer = subprocess.run([pdftotext, tmp_path / "scan.pdf", "-"], capture_output=True, check=True)
    assert layer.stdout.strip() == b""  # really a scan: nothing to read without OCR

    result = ocr_text(pdf, "application/pdf")

    assert result.method == "ocr" and result.used_ocr
    assert_prefilled(prefill(result.text), DOCUMENTS[name])


def test_long_scan_reads_first_pages_and_the_last(tesseract, tmp_path):
    """The signer block is on the last page: with EGOV_OCR_MAX_PAGES=1 a three-page scan is
    read on pages 1 and 3."""
    document = {**QUYET_DINH, "articles": QUYET_DINH["articles"] * 14}
    pages = rasterise(render(document), tmp_path, dpi=200)
    assert len(pages) == 3
    pdf = image_pdf([scanned(page, seed=i) for i, page in enumerate(pages)], dpi=200)

    result = ocr_text(pdf, "pdf", max_pages=1)

    assert [page.number for page in result.pages] == [1, 3]
    assert result.page_count == 3
    assert result.text.count("\f") == 1
    assert_prefilled(prefill(result.text), document)


def test_tiff_pages_and_jpeg(tesseract, scans):
    tiff = io.BytesIO()
    first, second = scans["quyet_dinh"].copy(), scans["cong_van"].copy()
    blank = Image.new("L", first.size, 255)
    first.save(tiff, "TIFF", dpi=(300, 300), save_all=True, append_images=[blank, second])
    result = ocr_text(tiff.getvalue(), "image/tiff", max_pages=1)
    assert [page.number for page in result.pages] == [1, 3]
    assert result.page_count == 3
    found = prefill(result.text)
    assert found.number_symbol == QUYET_DINH["doc_number"]  # header from the first page
    assert found.signer.value == CONG_VAN["signer"]  # signer from the last

    jpeg = io.BytesIO()
    scans["cong_van"].copy().save(jpeg, "JPEG", quality=80, dpi=(300, 300))
    found = prefill(ocr_text(jpeg.getvalue(), "jpg").text)
    assert found.number_symbol == CONG_VAN["doc_number"]


def test_low_resolution_scan_is_upscaled(tesseract, pdfs, tmp_path):
    """A 150 dpi scan is enlarged to 300 dpi before OCR: the number is still read."""
    page = rasterise(pdfs["quyet_dinh"], tmp_path, dpi=150)[0]
    found = prefill(ocr_text(png_bytes(page, dpi=150), "png").text)
    assert found.number_symbol == QUYET_DINH["doc_number"]
    assert found.date is not None and found.date.value == QUYET_DINH["date"]


def test_skewed_scan_is_straightened(tesseract, pdfs, tmp_path):
    """A page fed 2.5° askew: straightened before OCR, so the columns stay apart and the words
    of the issuer block are not run together."""
    page = scanned(rasterise(pdfs["quyet_dinh"], tmp_path)[0], angle=2.5)
    assert_prefilled(prefill(ocr_text(png_bytes(page), "png").text), QUYET_DINH)


# --- PDFs with a text layer ------------------------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
def test_text_layer_is_used_without_ocr(pdfs, settings, name):
    require_program("pdftotext", "poppler-utils")
    # a text PDF never needs Tesseract
    settings.EGOV_OCR_TESSERACT = "/nonexistent/tesseract"

    result = ocr_text(pdfs[name], "pdf")

    assert result.method == "text-layer" and not result.used_ocr
    assert result.pages[0].source == "text-layer" and result.pages[0].confidence is None
    found = prefill(result.text)
    assert_prefilled(found, DOCUMENTS[name])
    # no OCR noise: the values are exactly what was printed
    document = DOCUMENTS[name]
    assert found.issuer.value == document["issuer_name"]
    assert found.subject.value == document["subject"]
    assert found.signer.value == document["signer"]
    assert found.number.confidence >= 0.9 and found.date.confidence >= 0.9


# --- errors ----------------------------------------------------------------------------------


def test_missing_tesseract_is_a_clear_error(settings):
    settings.EGOV_OCR_TESSERACT = "/nonexistent/tesseract"
    with pytest.raises(OcrError, match="Tesseract") as error:
        ocr_text(png_bytes(Image.new("L", (200, 100), 255)), "png")
    assert "tesseract-ocr" in str(error.value)


def test_missing_language_model_is_a_clear_error(tesseract, settings):
    settings.EGOV_OCR_LANGUAGES = "xyz"
    with pytest.raises(OcrError, match="tesseract-ocr-vie"):
        ocr_text(png_bytes(Image.new("L", (200, 100), 255)), "png")


def test_timeout_is_a_clear_error(tesseract, scans):
    with pytest.raises(OcrError, match="quá thời gian"):
        ocr_text(png_bytes(scans["cong_van"]), "png", config=OcrConfig(timeout=0.01))


def test_unreadable_files_are_refused():
    with pytest.raises(OcrError, match="chỉ nhận PDF"):
        ocr_text(b"hello", "docx")
    with pytest.raises(OcrError, match="không phải là PDF"):
        ocr_text(b"hello", "pdf")
    with pytest.raises(OcrError, match="ảnh"):
        ocr_text(b"not an image", "png")


def test_broken_pdf_is_refused():
    require_program("pdfinfo", "poppler-utils")
    with pytest.raises(OcrError, match="PDF"):
        ocr_text(b"%PDF-1.7\n garbage", "pdf")


# --- image clean-up --------------------------------------------------------------------------


def test_rules_are_removed_but_text_and_boxes_stay():
    image = Image.new("L", (1200, 400), 255)
    draw = ImageDraw.Draw(image)
    draw.line([(100, 100), (500, 103)], fill=0, width=2)  # a slightly askew rule
    draw.rectangle([(700, 50), (900, 300)], fill=0)  # a filled box: not a rule
    draw.rectangle([(100, 200), (120, 260)], fill=0)  # a letter stem

    cleaned = remove_rules(image)

    assert cleaned.crop((100, 95, 500, 110)).getextrema()[0] > 0x9F
    assert cleaned.crop((710, 60, 890, 290)).getextrema()[1] == 0
    assert cleaned.crop((100, 200, 120, 260)).getextrema()[1] == 0


def test_transparent_image_is_read_on_white_paper():
    from egov.documents.ocr import _prepare

    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle([(10, 10), (30, 60)], fill=(0, 0, 0, 255))
    pgm, dpi = _prepare(image, None)
    page = Image.open(io.BytesIO(pgm))
    assert page.getpixel((200, 200)) == 255 and page.getpixel((20, 30)) == 0
    assert dpi is None  # unknown: Tesseract estimates it
    assert skew_angle(Image.new("L", (1000, 1400), 255)) == 0.0  # nothing to straighten


def test_skew_angle(scans):
    page = scans["cong_van"]  # scanned 0.4° counter-clockwise
    assert skew_angle(page) == pytest.approx(-0.4, abs=0.15)
    tilted = page.rotate(-3, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert skew_angle(tilted) == pytest.approx(2.6, abs=0.15)


def tsv(*words: tuple[int, int, int, int, int, float, str]) -> str:
    """Tesseract TSV rows for words given as (line, left, top, width, height, conf, text)."""
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        f"5\t1\t1\t1\t{line}\t{i}\t{left}\t{top}\t{width}\t{height}\t{conf}\t{text}"
        for i, (line, left, top, width, height, conf, text) in enumerate(words, start=1)
    ]
    return "\n".join([header, *rows])


def test_layout_keeps_columns_and_drops_double_reads():
    text, confidence = layout_from_tsv(
        tsv(
            (1, 400, 100, 200, 45, 96, "PHÒNG"),
            (1, 1400, 100, 200, 45, 95, "Thanh"),
            (1, 1620, 100, 80, 45, 95, "Ba,"),
            (2, 450, 160, 230, 46, 96, "TRƯỜNG"),
            (3, 520, 163, 118, 93, 85, "ƯƠN"),  # the same letters read again, over them
            (4, 400, 400, 30, 30, 20, "`"),  # a speck
        )
    )
    # columns at their place, counted from the leftmost word in median letter widths (39 px)
    assert text.splitlines() == ["PHÒNG" + " " * 21 + "Thanh Ba,", " TRƯỜNG"]
    assert confidence == pytest.approx(0.955)  # of the words kept


# --- prefill on text -------------------------------------------------------------------------

CLEAN = """\
UBND HUYỆN THANH BA          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
PHÒNG VĂN HÓA VÀ THÔNG TIN          Độc lập - Tự do - Hạnh phúc
Số: 12/UBND-VX               Thanh Ba, ngày 05 tháng 3 năm 2026
V/v tổ chức Ngày hội văn hóa
các dân tộc năm 2026

Kính gửi: Ủy ban nhân dân các xã
Nội dung công văn.
Nơi nhận:                    KT. TRƯỞNG PHÒNG
- Như trên;                  PHÓ TRƯỞNG PHÒNG
- Lưu: VT.
                             Lê Thị Thu Hà
"""


def test_prefill_clean_cong_van():
    found = prefill(CLEAN)
    assert found.issuer.value == "PHÒNG VĂN HÓA VÀ THÔNG TIN"
    assert found.issuer_parent.value == "UBND HUYỆN THANH BA"
    assert (found.number.value, found.symbol.value) == ("12", "UBND-VX")
    assert found.date.value == date(2026, 3, 5)
    assert found.doc_type.value == "cong_van" and found.type_name == "Công văn"
    assert found.subject.value == "V/v tổ chức Ngày hội văn hóa các dân tộc năm 2026"
    assert found.signer.value == "Lê Thị Thu Hà"
    assert found.signer_position.value == "PHÓ TRƯỞNG PHÒNG"
    assert found.number.confidence >= 0.9 and found.date.confidence >= 0.9
    # the fields of the registration form (IncomingDocument)
    assert found.initial() == {
        "issuer_name": "PHÒNG VĂN HÓA VÀ THÔNG TIN",
        "code_number": "12",
        "code_notation": "UBND-VX",
        "issued_date": date(2026, 3, 5),
        "doc_type": "cong_van",
        "type_name": "Công văn",
        "subject": "V/v tổ chức Ngày hội văn hóa các dân tộc năm 2026",
        "signer_name": "Lê Thị Thu Hà",
        "signer_position": "PHÓ TRƯỞNG PHÒNG",
    }
    assert "code_number" not in found.initial(min_confidence=0.99)


@pytest.mark.parametrize(
    ("line", "number", "symbol"),
    [
        ("Số: 05/QĐ-UBND", "05", "QĐ-UBND"),
        ("S6: 05/QĐ-UBND", "05", "QĐ-UBND"),
        ("Sô : 05 / QĐ - UBND", "05", "QĐ-UBND"),
        ("Số: O5/QĐ-UBND", "05", "QĐ-UBND"),
        ("So: l2/UBND-VX", "12", "UBND-VX"),
        ("Số: 05/QD-UBND", "05", "QĐ-UBND"),  # Đ read as D: the abbreviation of Phụ lục III
        ("Số: 05/QĐÐ-UBND", "05", "QĐ-UBND"),  # one letter read twice
        ("Số: 03/TTr-UBND", "03", "TTr-UBND"),  # mixed case kept
        ("Số: 03/TTR-UBND", "03", "TTr-UBND"),
        ("Số: 07/QyĐ-UBND", "07", "QyĐ-UBND"),
        ("Số: 15/2025/QĐ-UBND", "15/2025", "QĐ-UBND"),  # legal normative document
        ("Số 12/UBND-VX", "12", "UBND-VX"),  # colon lost
    ],
)
def test_prefill_number_tolerates_ocr_noise(line, number, symbol):
    found = prefill(f"UBND HUYỆN THANH BA\n{line}\n")
    assert (found.number.value, found.symbol.value) == (number, symbol)
    clean = prefill(f"UBND HUYỆN THANH BA\nSố: {number}/{symbol}\n")
    assert found.number.confidence <= clean.number.confidence


@pytest.mark.parametrize("head", ["V/v", "V/V", "V / v", "V/", "Vv", "V.v"])
def test_prefill_trich_yeu_of_a_cong_van(head):
    text = "UBND XÃ ĐỖ SƠN\nSố: 12/UBND-VP\n{} tổ chức hội nghị\n\nKính gửi: Các thôn"
    found = prefill(text.format(head))
    assert found.subject.value == "V/v tổ chức hội nghị"
    assert found.doc_type.value == "cong_van"
    assert found.subject.confidence <= prefill(text.format("V/v")).subject.confidence


def test_prefill_subject_without_specks():
    found = prefill('QUYẾT ĐỊNH\n| "Về việc thành lập Tổ công tác ,\n\nCăn cứ')
    assert found.subject.value == "Về việc thành lập Tổ công tác"


def test_prefill_ignores_citations_in_the_body():
    found = prefill("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ;\n")
    assert found.number is None and found.symbol is None
    # a date in a sentence is only a weak guess; the header date is after a place name
    assert found.date.value == date(2020, 3, 5) and found.date.confidence < 0.7


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Thanh Ba, ngày 05 tháng 3 năm 2026", date(2026, 3, 5)),
        ("Thanh Ba, ngảy O5 thảng 3 nãm 2O26", date(2026, 3, 5)),
        ("Thanh Ba,ngày 5 tháng 01 năm 2026", date(2026, 1, 5)),
        ("Đỗ Sơn, ngày 31 tháng 12 năm 2025", date(2025, 12, 31)),
        ("Thanh Ba, ngày 31 tháng 02 năm 2026", None),  # no such day
        ("Thanh Ba, tháng 3 năm 2026", None),
    ],
)
def test_prefill_date(line, expected):
    found = prefill(f"UBND XÃ ĐỖ SƠN\n{line}\n")
    assert (found.date.value if found.date else None) == expected


def test_prefill_noisy_date_is_less_sure():
    clean = prefill("Thanh Ba, ngày 05 tháng 3 năm 2026")
    noisy = prefill("Thanh Ba, ngảy O5 thảng 3 nãm 2O26")
    assert noisy.date.confidence < clean.date.confidence


def test_prefill_missing_parts_are_none():
    found = prefill("Một trang không có gì của văn bản hành chính.\n")
    for name in Prefill.FIELDS:
        assert getattr(found, name) is None, name
    assert found.number_symbol is None
    assert found.initial() == {}
    assert prefill("").issuer is None


def test_prefill_issuer_block():
    found = prefill("ỦY BAN NHÂN DÂN\nXÃ ĐỖ SƠN\nSố: 05/QĐ-UBND\n")
    assert found.issuer.value == "ỦY BAN NHÂN DÂN XÃ ĐỖ SƠN" and found.issuer_parent is None

    found = prefill("UBND TỈNH PHÚ THỌ\nSỞ NỘI VỤ\nSố: 120/SNV-VP\n")
    assert found.issuer.value == "SỞ NỘI VỤ"
    assert found.issuer_parent.value == "UBND TỈNH PHÚ THỌ"

    # the national title read on the same line, and a speck
    found = prefill(
        "UBND XÃ ĐỖ SƠN ˆ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nSố: 05/QĐ-UBND\n"
    )
    assert found.issuer.value == "UBND XÃ ĐỖ SƠN"


def test_prefill_type_and_subject_under_the_title():
    text = (
        "UBND XÃ ĐỖ SƠN\nSố: 15/KH-UBND\nĐỗ Sơn, ngày 02 tháng 01 năm 2026\n\nKẾ HOẠCH\n"
        "Triển khai công tác chuyển đổi số\nnăm 2026\n\nThực hiện Kế hoạch số 20/KH-UBND...\n"
    )
    found = prefill(text)
    assert found.doc_type.value == "ke_hoach" and found.doc_type.confidence >= 0.95
    assert found.subject.value == "Triển khai công tác chuyển đổi số năm 2026"


def test_prefill_type_from_symbol_or_title_alone():
    found = prefill("UBND XÃ ĐỖ SƠN\nSố: 15/TB-UBND\n")
    assert found.doc_type.value == "thong_bao" and found.doc_type.confidence < 0.9
    found = prefill("UBND XÃ ĐỖ SƠN\nSố: 15/BC-UBND\n\nTHÔNG BÁO\nVề lịch tiếp công dân\n")
    assert found.doc_type.value == "thong_bao" and found.doc_type.confidence < 0.9  # disagree
    found = prefill("UBND XÃ ĐỖ SƠN\n\nTỜ TRlNH\nVề việc xin kinh phí\n")  # "I" read as "l"
    assert found.doc_type.value == "to_trinh" and found.type_name == "Tờ trình"
    assert found.subject.value == "Về việc xin kinh phí"
    # a number with a year: a legal normative document (its own number series)
    found = prefill("UBND TỈNH PHÚ THỌ\nSố: 15/2025/QĐ-UBND\n\nQUYẾT ĐỊNH\nBan hành quy định\n")
    assert found.doc_type.value == "qppl_quyet_dinh"


def test_prefill_signer_is_the_last_name_in_the_signer_block():
    text = (
        "Nơi nhận:                                   TM. ỦY BAN NHÂN DÂN\n"
        "- Như Điều 3;                                   CHỦ TỊCH\n"
        "- Lưu: VT.\n"
        "- Ông Nguyễn Văn Bình\n"
        "                                             (Đã ký)\n"
        "                                             Trần Thị Mai Anh\n"
    )
    found = prefill("\f" + text)
    assert found.signer.value == "Trần Thị Mai Anh"
    assert found.signer_position.value == "CHỦ TỊCH"


# --- property: the number, symbol and date of any header -------------------------------------

ABBREVIATIONS = sorted(
    {t.abbreviation for t in doctypes.all_types() if t.abbreviation and not t.legal_normative}
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=9999),
    abbr=st.sampled_from(ABBREVIATIONS),
    issuer=st.sampled_from(["UBND", "VP", "TNMT", "VHTT", "HĐND", "SNV"]),
    issued=st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
    so=st.sampled_from(["Số:", "S6:", "Sô:", "Số :", "Só:"]),
    spaced=st.booleans(),
)
def test_prefill_recovers_any_number_symbol_and_date(number, abbr, issuer, issued, so, spaced):
    sep = " / " if spaced else "/"
    dash = " - " if spaced else "-"
    written = f"{number:02d}"
    text = (
        f"UBND HUYỆN THANH BA      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        f"{so} {written}{sep}{abbr}{dash}{issuer}      "
        f"Thanh Ba, ngày {issued.day:02d} tháng {issued.month} năm {issued.year}\n"
    )
    found = prefill(text)
    assert found.number.value == written
    assert found.symbol.value == f"{abbr}-{issuer}"
    assert found.date.value == issued
    assert found.doc_type.value == doctypes.by_abbreviation(abbr).code
