"""PDF rendering: real PDFs checked with poppler (pdffonts, pdftotext, pdftoppm) and pypdf."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from egov.core.files import check_upload
from egov.core.pdf import FONT_DIR, PdfRenderError, make_url_fetcher, render_pdf, resolve_local_url
from egov.core.qr import QUIET_ZONE, make, qr_data_uri
from egov.core.testing import require_program, run_program

QR_PAYLOAD = "https://egov.example.vn/tra-cuu?ma=H12.34-210105-0001&pin=4821"
MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)

EXPECTED_TEXT = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "UBND HUYỆN THANH BA",
    "VĂN PHÒNG HĐND VÀ UBND",
    "Số: 01/TB-VP",
    "Thanh Ba, ngày 05 tháng 01 năm 2021",
    "THÔNG BÁO",
    "Về việc thử nghiệm in văn bản tiếng Việt",
    "Tiếng Việt có sáu thanh: ngang, huyền, sắc, hỏi, ngã, nặng.",
    "a à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ e è é ẻ ẽ ẹ ê ề ế ể ễ ệ i ì í ỉ ĩ ị o ò ó ỏ õ ọ ô ồ ố ổ ỗ ộ "
    "ơ ờ ớ ở ỡ ợ u ù ú ủ ũ ụ ư ừ ứ ử ữ ự y ỳ ý ỷ ỹ ỵ đ",
    "A À Á Ả Ã Ạ Ă Ằ Ắ Ẳ Ẵ Ặ Â Ầ Ấ Ẩ Ẫ Ậ E È É Ẻ Ẽ Ẹ Ê Ề Ế Ể Ễ Ệ I Ì Í Ỉ Ĩ Ị O Ò Ó Ỏ Õ Ọ Ô Ồ Ố Ổ Ỗ Ộ "
    "Ơ Ờ Ớ Ở Ỡ Ợ U Ù Ú Ủ Ũ Ụ Ư Ừ Ứ Ử Ữ Ự Y Ỳ Ý Ỷ Ỹ Ỵ Đ",
    "Người dân nộp hồ sơ tại Bộ phận tiếp nhận và trả kết quả; cán bộ một cửa kiểm tra, hướng dẫn và hẹn ngày trả kết quả.",
    "Nơi nhận:",
    "TL. CHỦ TỊCH",
    "Nguyễn Thị Hằng",
    "Quét mã để tra cứu",
]


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    path.write_bytes(render_pdf("core/pdf_sample.html", {"qr_uri": qr_data_uri(QR_PAYLOAD)}))
    return path


@pytest.fixture
def templates(settings):
    """Extra templates for one test, in memory, next to the app templates."""
    sources: dict[str, str] = {}
    settings.TEMPLATES = [
        {
            **django_settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **django_settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", sources),
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    return sources


def nfc_words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# --- the sample document ----------------------------------------------------------------------


def test_sample_is_one_a4_page_in_vietnamese(sample_pdf):
    reader = PdfReader(sample_pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4[0], abs=0.5)
    assert float(box.height) == pytest.approx(A4[1], abs=0.5)
    assert reader.metadata.title == "Thông báo mẫu"
    assert reader.trailer["/Root"]["/Lang"] == "vi"


def test_a_rendered_pdf_passes_the_upload_checks(sample_pdf):
    checked = check_upload(sample_pdf.read_bytes(), allowed=("pdf",))
    assert (checked.kind, checked.page_count) == ("pdf", 1)


def test_only_the_bundled_liberation_serif_is_used_and_embedded(sample_pdf):
    out = run_program("pdffonts", "poppler-utils", str(sample_pdf))
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows, out
    names = {row[0].split("+", 1)[-1] for row in rows}
    assert names == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }, out
    for row in rows:
        emb, sub, uni = row[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), out


def test_the_embedded_font_programs_are_liberation_serif(sample_pdf):
    reader = PdfReader(sample_pdf)
    families = set()
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_data()))
        families.add(program["name"].getDebugName(1))
    assert families == {"Liberation Serif"}


def test_the_vietnamese_text_comes_back_exactly(sample_pdf):
    # -raw keeps the content-stream order and the spaces between one-letter words, which the
    # default layout mode merges ("a à á" → "aàá").
    text = nfc_words(
        run_program("pdftotext", "poppler-utils", "-raw", "-enc", "UTF-8", str(sample_pdf), "-")
    )
    for expected in EXPECTED_TEXT:
        assert nfc_words(expected) in text, expected


def test_text_stays_inside_the_margins_of_nd30(sample_pdf):
    """Phụ lục I: top 20–25 mm, bottom 20–25 mm, left 30–35 mm, right 15–20 mm."""
    html = run_program("pdftotext", "poppler-utils", "-bbox", str(sample_pdf), "-")
    boxes = [
        tuple(map(float, m))
        for m in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', html
        )
    ]
    assert len(boxes) > 50
    tol = 0.5
    assert min(b[0] for b in boxes) >= 30 * MM - tol
    assert min(b[1] for b in boxes) >= 20 * MM - tol
    assert max(b[2] for b in boxes) <= A4[0] - 15 * MM + tol
    assert max(b[3] for b in boxes) <= A4[1] - 20 * MM + tol
    # The body text starts at the left margin (not indented by anything else).
    assert min(b[0] for b in boxes) == pytest.approx(30 * MM, abs=1)


def test_the_qr_code_on_the_page_is_the_payloads(sample_pdf, tmp_path):
    """Rasterise the page and read the modules back where the QR code is drawn."""
    dpi = 300
    run_program(
        "pdftoppm",
        "poppler-utils",
        "-r",
        str(dpi),
        "-gray",
        "-png",
        "-singlefile",
        str(sample_pdf),
        str(tmp_path / "page"),
    )
    page = Image.open(tmp_path / "page.png").convert("L")
    px_per_mm = dpi / 25.4
    # The QR box sits at the bottom left of the text area (pdf_sample.html).
    left, right = int(30 * px_per_mm), int(75 * px_per_mm)
    top_limit = int(page.height * 0.6)

    def dark(x: int, y: int) -> bool:
        return page.getpixel((x, y)) < 128

    top = next(
        y for y in range(top_limit, page.height) if any(dark(x, y) for x in range(left, right))
    )
    row = top + 2
    xs = [x for x in range(left, right) if dark(x, row)]
    x0, x1 = xs[0], xs[-1] + 1  # the top row crosses both upper finder patterns: the symbol's width
    expected = [list(r) for r in make(QR_PAYLOAD).matrix]
    n = len(expected)
    module = (x1 - x0) / n
    assert module * n == pytest.approx(
        30 * px_per_mm * n / (n + 2 * QUIET_ZONE), rel=0.03
    )  # 30 mm image
    seen = [
        [
            1 if dark(int(x0 + (c + 0.5) * module), int(top + (r + 0.5) * module)) else 0
            for c in range(n)
        ]
        for r in range(n)
    ]
    assert seen == expected

    if shutil.which("zbarimg"):  # a real reader too, where zbar-tools is installed
        crop = page.crop(
            (
                int(x0 - 6 * module),
                int(top - 6 * module),
                int(x1 + 6 * module),
                int(top + (n + 6) * module),
            )
        )
        crop.save(tmp_path / "qr.png")
        assert (
            run_program(
                "zbarimg", "zbar-tools", "--quiet", "--raw", str(tmp_path / "qr.png")
            ).strip()
            == QR_PAYLOAD
        )


# --- layout rules of the base template -------------------------------------------------------


def test_pages_are_numbered_at_the_top_from_page_two(templates, tmp_path):
    templates["long.html"] = (
        '{% extends "core/pdf_base.html" %}{% block content %}'
        "{% for i in rows %}<p>Đoạn văn số {{ i }}: nội dung kiểm tra việc đánh số trang.</p>{% endfor %}"
        "{% endblock %}"
    )
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_pdf("long.html", {"rows": range(120)}))
    pages = len(PdfReader(pdf).pages)
    assert pages >= 3
    first = run_program(
        "pdftotext", "poppler-utils", "-raw", "-f", "1", "-l", "1", str(pdf), "-"
    ).split("\n")
    assert first[0] != "1"
    for number in range(2, pages + 1):
        html = run_program(
            "pdftotext",
            "poppler-utils",
            "-bbox",
            "-f",
            str(number),
            "-l",
            str(number),
            str(pdf),
            "-",
        )
        word = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(\S+)</word>',
            html,
        )
        x_min, y_min, x_max, text = float(word[1]), float(word[2]), float(word[3]), word[4]
        assert text == str(number)
        assert y_min < 20 * MM  # in the top margin
        centre_of_text_area = 30 * MM + (A4[0] - 45 * MM) / 2
        assert (x_min + x_max) / 2 == pytest.approx(centre_of_text_area, abs=2)


# --- no network, no stray files ---------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(
    "html",
    [
        '<img src="http://cdn.example.com/logo.png">',
        '<img src="https://cdn.example.com/logo.png">',
        "<style>@import url(https://fonts.example.com/css);</style>",
        '<img src="ftp://example.com/x.png">',
        '<img src="//cdn.example.com/logo.png">',
    ],
)
def test_network_urls_stop_the_rendering(templates, no_network, html):
    templates["net.html"] = (
        '{% extends "core/pdf_base.html" %}{% block content %}' + html + "{% endblock %}"
    )
    with pytest.raises(PdfRenderError, match="only file: and data: URLs|another host"):
        render_pdf("net.html", {})


@pytest.mark.parametrize(
    "html",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/hostname">',
        '<img src="{% load static %}{% static "../../settings.py" %}">',
        '<img src="{% load static %}{% static "core/khong-co.png" %}">',
    ],
)
def test_local_files_outside_static_and_media_are_refused(templates, html):
    templates["leak.html"] = (
        '{% extends "core/pdf_base.html" %}{% block content %}' + html + "{% endblock %}"
    )
    with pytest.raises(PdfRenderError):
        render_pdf("leak.html", {})


def test_static_and_media_files_are_served(settings):
    font = resolve_local_url("file:///static/core/fonts/LiberationSerif-Bold.ttf", [])
    assert font == (FONT_DIR / "LiberationSerif-Bold.ttf").resolve()
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True)
    (media / "con-dau.png").write_bytes(b"\x89PNG")
    fetcher = make_url_fetcher()
    response = fetcher.fetch((media / "con-dau.png").as_uri())
    assert response.read() == b"\x89PNG"


def test_base_url_must_be_local():
    with pytest.raises(ValueError, match="file: URL"):
        render_pdf("core/pdf_sample.html", {}, base_url="https://egov.example.vn/")


def test_weasyprint_is_not_imported_at_start_up():
    code = (
        "import sys, django; django.setup();"
        "import egov.core.pdf, egov.core.qr, egov.core.files;"
        "print('weasyprint' in sys.modules)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "egov.settings",
        "PYTHONPATH": str(Path(__file__).parents[3]),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "False"


def test_require_program_names_the_package():
    with pytest.raises(pytest.skip.Exception, match="apt-get install khong-co-goi"):
        require_program("khong-co-chuong-trinh-nay", "khong-co-goi")
