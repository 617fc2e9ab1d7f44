"""QR codes: valid SVG and PNG whose modules are the QR code of the payload."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image

from egov.core.qr import QUIET_ZONE, make, qr_data_uri, qr_png, qr_svg
from egov.core.testing import require_program, run_program

SVG_NS = "{http://www.w3.org/2000/svg}"
PAYLOADS = [
    "https://egov.example.vn/tra-cuu?ma=H12.34-210105-0001&pin=4821",
    "Hồ sơ H12.34-210105-0001 — Nguyễn Thị Hằng, xã Đỗ Sơn",
    "1",
]


def reference_matrix(data: str) -> list[list[int]]:
    """The modules segno itself computes for the payload (full QR, error level M or better)."""
    return [list(row) for row in segno.make(data, error="m", micro=False, boost_error=True).matrix]


def png_modules(png: bytes, scale: int, size: int) -> list[list[int]]:
    """Read the dark/light module pattern back from the PNG by sampling each module's centre."""
    image = Image.open(io.BytesIO(png)).convert("L")
    offset = QUIET_ZONE * scale + scale // 2
    return [
        [
            1 if image.getpixel((offset + c * scale, offset + r * scale)) < 128 else 0
            for c in range(size)
        ]
        for r in range(size)
    ]


def svg_modules(d: str, width: int) -> list[list[int]]:
    """Rebuild the module pattern from segno's path: ``M``/``m`` move, ``h`` draws one row run."""
    grid = [[0] * width for _ in range(width)]
    x = y = 0.0
    for cmd, args in re.findall(r"([Mmh])([-\d. ]+)", d):
        nums = [float(n) for n in args.split()]
        if cmd == "M":
            x, y = nums
        elif cmd == "m":
            x, y = x + nums[0], y + nums[1]
        else:
            for col in range(int(x), int(x + nums[0])):
                grid[int(y)][col] = 1
            x += nums[0]
    inner = slice(QUIET_ZONE, width - QUIET_ZONE)
    return [row[inner] for row in grid[inner]]


@pytest.mark.parametrize("data", PAYLOADS)
def test_png_has_the_modules_of_the_payload(data):
    png = qr_png(data, scale=5)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    expected = reference_matrix(data)
    size = len(expected)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == ((size + 2 * QUIET_ZONE) * 5,) * 2
    assert png_modules(png, 5, size) == expected


@pytest.mark.parametrize("data", PAYLOADS)
def test_svg_is_a_valid_standalone_and_inline_svg(data):
    svg = qr_svg(data, scale=3, title="Mã QR tra cứu hồ sơ")
    assert svg.startswith("<svg") and "<?xml" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    size = make(data).symbol_size(scale=3, border=QUIET_ZONE)
    assert (int(root.get("width")), int(root.get("height"))) == size
    assert root.find(f"{SVG_NS}title").text == "Mã QR tra cứu hồ sơ"
    dark = [p for p in root.iter(f"{SVG_NS}path") if p.get("stroke") == "#000"]
    assert len(dark) == 1
    assert svg_modules(dark[0].get("d"), size[0] // 3) == reference_matrix(data)


def test_never_a_micro_qr_and_at_least_level_m():
    qr = make("1")
    assert not qr.is_micro
    assert qr.designator.split("-")[1] in {"M", "Q", "H"}
    assert qr.designator == segno.make("1", error="m", micro=False).designator


def test_data_uris():
    data = PAYLOADS[0]
    svg_uri = qr_data_uri(data)
    assert svg_uri.startswith("data:image/svg+xml")
    png_uri = qr_data_uri(data, kind="png", scale=5)
    prefix = "data:image/png;base64,"
    assert png_uri.startswith(prefix)
    png = base64.b64decode(png_uri[len(prefix) :])
    assert png_modules(png, 5, len(reference_matrix(data))) == reference_matrix(data)
    with pytest.raises(ValueError):
        qr_data_uri(data, kind="gif")


def test_an_empty_payload_is_a_programming_error():
    with pytest.raises(ValueError):
        qr_svg("")


@pytest.mark.parametrize("data", PAYLOADS)
def test_a_reader_decodes_the_png(tmp_path, data):
    require_program("zbarimg", "zbar-tools")
    path = tmp_path / "qr.png"
    path.write_bytes(qr_png(data, scale=6))
    out = run_program("zbarimg", "zbar-tools", "--quiet", "--raw", "-Sbinary", str(path))
    assert out.rstrip("\n") == data
