"""The one-stop forms 01–07 as real PDFs (and form 07 as Excel), checked with poppler.

Dossiers are built through the real services, in the past with ``services.simulated_clock``:
one received on 15/06/2025 (forms of TT 01/2018) and one in 2026 (TT 03/2025), each walked
through intake → hand-overs → supplement → resume → late step → apology → result → return.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from egov.accounts.tests.factories import PASSWORD, MembershipFactory
from egov.core.files import StoredFile
from egov.core.testing import require_program, run_program
from egov.dossiers import forms_pdf, services
from egov.dossiers.models import Dossier, State, Timing
from egov.organizations.tests.factories import AgencyFactory
from egov.procedures.services import get_or_create_field, save_version

pytestmark = [pytest.mark.django_db, pytest.mark.urls("egov.dossiers.tests.urls_for_forms")]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"

TITLE_04_2018 = "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
TITLE_04_2025 = "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"


def at(year, month, day, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


# --- the commune, its officers and a procedure -----------------------------------------------------


class World:
    def __init__(self):
        self.district = AgencyFactory(
            kind="district", name="UBND huyện Thanh Ba", short_name="Huyện Thanh Ba"
        )
        self.commune = AgencyFactory(
            kind="commune",
            name="UBND xã Đỗ Sơn",
            short_name="Xã Đỗ Sơn",
            parent=self.district,
        )
        self.onestop = AgencyFactory(
            kind="onestop",
            name="Bộ phận một cửa xã Đỗ Sơn",
            short_name="Một cửa xã Đỗ Sơn",
            abbreviation="BPMC",
            phone="0210 3885 123",
            parent=self.commune,
        )
        self.officer = MembershipFactory(
            agency=self.onestop, role="onestop", user__full_name="Trần Thị Thu Hà"
        ).user
        self.specialist = MembershipFactory(
            agency=self.commune, role="specialist", user__full_name="Lê Văn Đức"
        ).user
        self.leader = MembershipFactory(
            agency=self.commune, role="leader", user__full_name="Nguyễn Đình Khải"
        ).user
        # another commune of the district, with its own officer
        self.other = AgencyFactory(kind="commune", name="UBND xã Lương Lỗ", parent=self.district)
        self.stranger = MembershipFactory(agency=self.other, role="leader").user
        self.version = save_version(
            "1.001193",
            field=get_or_create_field("HT", "Hộ tịch"),
            effective_from=dt.date(2025, 1, 1),
            name="Thủ tục đăng ký khai sinh",
            level="commune",
            processing_time=Decimal("3"),
            time_unit="days",
            legal_basis="Luật Hộ tịch năm 2014; Nghị định số 123/2015/NĐ-CP",
            papers=[
                {"name": "Tờ khai đăng ký khai sinh", "kind": "original", "count": 1},
                {"name": "Giấy chứng sinh", "kind": "original", "count": 1},
                {
                    "name": "Giấy chứng nhận kết hôn của cha, mẹ",
                    "kind": "copy",
                    "count": 1,
                    "required": False,
                },
            ],
            fees=[{"kind": "charge", "name": "Lệ phí đăng ký khai sinh", "amount": 8000}],
            steps=[
                {
                    "name": "Tiếp nhận, chuyển hồ sơ",
                    "unit": "onestop",
                    "role": "onestop",
                    "duration": Decimal("0.5"),
                },
                {
                    "name": "Thẩm định hồ sơ",
                    "unit": "department",
                    "department_abbreviation": "TP",
                    "role": "specialist",
                    "duration": Decimal("1.5"),
                },
                {
                    "name": "Phê duyệt, ký kết quả",
                    "unit": "government",
                    "role": "leader",
                    "duration": Decimal("0.5"),
                },
                {
                    "name": "Trả kết quả",
                    "unit": "onestop",
                    "role": "onestop",
                    "duration": Decimal("0.5"),
                },
            ],
        )

    def intake(self, name: str, *, papers=(1, 2, 3), **kwargs) -> services.Intake:
        return services.Intake(
            procedure_version=self.version,
            applicant=services.Applicant(
                name=name,
                id_number="025190001234",
                phone="0912345678",
                address="Khu 3, xã Đỗ Sơn, huyện Thanh Ba, tỉnh Phú Thọ",
            ),
            papers_received=papers,
            **kwargs,
        )

    def walk(self, name: str, days: dict[str, dt.datetime]) -> Dossier:
        """Receive → hand over → supplement → resume → hand over → apology → result → return."""
        with services.simulated_clock(days["receive"]):
            d = services.receive(self.intake(name), self.onestop, by=self.officer)
        with services.simulated_clock(days["to_specialist"]):
            services.hand_over(d, by=self.officer, to_user=self.specialist)
        with services.simulated_clock(days["supplement"]):
            services.request_supplement(
                d,
                "Giấy chứng sinh bị mờ, không đọc được số hiệu",
                ["Giấy chứng sinh (bản chính, rõ nét)"],
                by=self.specialist,
            )
        with services.simulated_clock(days["resume"]):
            services.receive_supplement(d, by=self.officer)
        with services.simulated_clock(days["to_leader"]):
            services.hand_over(d, by=self.specialist, to_user=self.leader, note="Hồ sơ hợp lệ")
        with services.simulated_clock(days["apology"]):
            services.apologize_and_extend(
                d,
                days["new_due"],
                "Cần xác minh nơi sinh với Trạm y tế xã.",
                by=self.leader,
            )
        with services.simulated_clock(days["result"]):
            services.attach_result(d, result_file(), by=self.leader)
            services.hand_over(d, by=self.leader)
        with services.simulated_clock(days["return"]):
            services.return_result(d, by=self.officer, received_by="Phạm Thị Ngọc Ánh")
        d.refresh_from_db()
        return d


def result_file() -> StoredFile:
    return StoredFile(
        name="dossiers/results/2025/06/ket-qua.pdf",
        size=1024,
        sha256="0" * 64,
        kind="pdf",
        original_name="trich-luc-khai-sinh.pdf",
    )


DAYS_2025 = {
    "receive": at(2025, 6, 15, 9, 0),  # a Sunday, as the brief's example; counted from Monday
    "to_specialist": at(2025, 6, 16, 8, 0),
    "supplement": at(2025, 6, 16, 10, 0),
    "resume": at(2025, 6, 17, 9, 0),
    "to_leader": at(2025, 6, 17, 10, 0),
    "apology": at(2025, 6, 19, 14, 0),
    "new_due": at(2025, 6, 25, 16, 0),
    "result": at(2025, 6, 20, 9, 0),
    "return": at(2025, 6, 20, 10, 0),
}

DAYS_2026 = {
    "receive": at(2026, 2, 23, 8, 30),
    "to_specialist": at(2026, 2, 23, 9, 0),
    "supplement": at(2026, 2, 23, 10, 0),
    "resume": at(2026, 2, 24, 9, 0),
    "to_leader": at(2026, 2, 24, 10, 0),
    "apology": at(2026, 2, 26, 14, 0),
    "new_due": at(2026, 3, 4, 16, 0),
    "result": at(2026, 2, 27, 9, 0),
    "return": at(2026, 2, 27, 10, 0),
}


@pytest.fixture
def world():
    return World()


@pytest.fixture
def old(world) -> Dossier:
    return world.walk("Nguyễn Thị Hồng Nhung", DAYS_2025)


@pytest.fixture
def new(world) -> Dossier:
    return world.walk("Đỗ Thị Hương Giang", DAYS_2026)


# --- reading PDFs ----------------------------------------------------------------------------------


def text_of(pdf: bytes, tmp_path: Path, name: str = "form.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    # -raw: content-stream order, which WeasyPrint writes in document order (table rows stay
    # together); whitespace (line breaks inside cells) is normalised to single spaces.
    out = run_program("pdftotext", "poppler-utils", "-raw", str(path), "-")
    return " ".join(unicodedata.normalize("NFC", out).split())


def fonts_of(pdf: bytes, tmp_path: Path) -> set[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = run_program("pdffonts", "poppler-utils", str(path))
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows, out
    for row in rows:
        assert row[-5:-2] == ["yes", "yes", "yes"], out  # embedded, subset, unicode map
    return {row[0].split("+", 1)[-1] for row in rows}


def vi_date(moment: dt.datetime) -> str:
    local = moment.astimezone(VN)
    return f"ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def vi_moment(moment: dt.datetime) -> str:
    local = moment.astimezone(VN)
    return f"{local:%H} giờ {local:%M} phút, {vi_date(local)}"


# --- the dossiers as walked ------------------------------------------------------------------------


def test_the_walk_records_what_the_forms_print(old, new):
    assert old.regulation == "tt01-2018" and new.regulation == "tt03-2025"
    for d in (old, new):
        assert d.state == State.RETURNED
        steps = list(d.steps.order_by("order"))
        assert [s.timing for s in steps] == [
            Timing.ON_TIME,
            Timing.EARLY,
            Timing.LATE,
            Timing.ON_TIME,
        ], [(s.name, s.due_at, s.completed_at) for s in steps]
        assert d.deadline_changes.filter(kind="apology").count() == 1
        assert d.supplements.count() == 1


# --- forms 01–06 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "title_04", "absent_04"),
    [("old", TITLE_04_2018, TITLE_04_2025), ("new", TITLE_04_2025, TITLE_04_2018)],
)
def test_forms_of_the_regulation_in_force(request, tmp_path, which, title_04, absent_04):
    d = request.getfixturevalue(which)
    d.refresh_from_db()
    name = d.applicant_name
    texts = {
        n: text_of(forms_pdf.render_form(d, n), tmp_path, f"{n}.pdf")
        for n in ("01", "02", "04", "06")
    }
    for number, text in texts.items():
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, number
        assert "Độc lập - Tự do - Hạnh phúc" in text, number
        assert d.code in text, number
        assert name in text, number
        title = forms_pdf.regulation_of(d).forms[number]
        assert title.upper() in text, (number, title)
    # 01: receipt slip
    t = texts["01"]
    assert "Mẫu số 01" in t
    assert "UBND XÃ ĐỖ SƠN" in t and "BỘ PHẬN MỘT CỬA XÃ ĐỖ SƠN" in t
    assert f"Đỗ Sơn, {vi_date(d.received_at)}" in t
    assert f"Thời gian nhận hồ sơ: {vi_moment(d.received_at)}" in t
    assert f"Ngày hẹn trả kết quả: {vi_moment(d.original_due_at)}" in t
    assert f"Mã tra cứu hồ sơ: {d.pin}" in t
    assert "Tờ khai đăng ký khai sinh Bản chính 01" in t
    assert "Giấy chứng nhận kết hôn của cha, mẹ Bản sao 01" in t
    assert "Nhận tại bộ phận một cửa" in t
    assert "Trần Thị Thu Hà" in t  # the receiving officer
    # 02: supplement request
    t = texts["02"]
    assert "Giấy chứng sinh (bản chính, rõ nét)" in t
    assert "Lý do: Giấy chứng sinh bị mờ, không đọc được số hiệu" in t
    assert "Lê Văn Đức" in t
    # 04: apology, with the title and wording of its circular
    t = texts["04"]
    change = d.deadline_changes.get(kind="apology")
    assert absent_04.upper() not in t
    assert vi_moment(change.old_due_at) in t and vi_moment(change.new_due_at) in t
    assert "Cần xác minh nơi sinh với Trạm y tế xã." in t
    assert "UBND HUYỆN THANH BA" in t and "UBND XÃ ĐỖ SƠN" in t
    assert "TM. ỦY BAN NHÂN DÂN" in t
    if which == "new":
        assert "đề nghị gia hạn thời gian giải quyết hồ sơ đến" in t
    else:
        assert "hẹn lại thời gian trả kết quả" in t
    # 06: control sheet, one row per hand-over with early / on time / late
    t = texts["06"]
    assert "Mẫu số 06" in t if which == "new" else "Mẫu số 05" in t
    for label in ("Trước hạn", "Đúng hạn", "Quá hạn"):
        assert label in t, label
    assert t.count("1. Giao:") == 4
    steps = list(d.steps.order_by("order"))
    for step in steps:
        local = step.completed_at.astimezone(VN)
        assert f"Giao: {local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}" in t
    assert "Người giao: Trần Thị Thu Hà" in t and "Người nhận: Lê Văn Đức" in t
    assert "Người giao: Lê Văn Đức" in t and "Người nhận: Nguyễn Đình Khải" in t
    assert "Tổ chức, cá nhân: " + name in t and "Người nhận: Phạm Thị Ngọc Ánh" in t
    assert "Quyết định số 45/2016/QĐ-TTg" in t
    assert "việc lưu vết được thực hiện tự động" in t


def test_the_dates_read_as_the_decree_writes_them(new, tmp_path):
    """Leading zeros for days below 10 and months 1–2 (NĐ 30/2020 Phụ lục I, II.4)."""
    t = text_of(forms_pdf.render_form(new, "01"), tmp_path)
    assert "Đỗ Sơn, ngày 23 tháng 02 năm 2026" in t
    assert "Thời gian nhận hồ sơ: 08 giờ 30 phút, ngày 23 tháng 02 năm 2026" in t
    assert "Ngày hẹn trả kết quả: 08 giờ 30 phút, ngày 26 tháng 02 năm 2026" in t
    t = text_of(forms_pdf.render_form(new, "04"), tmp_path)
    assert "16 giờ 00 phút, ngày 04 tháng 03 năm 2026" in t


def test_only_liberation_serif_is_embedded(old, new, tmp_path):
    for d in (old, new):
        for number in ("01", "04", "06"):
            names = fonts_of(forms_pdf.render_form(d, number), tmp_path)
            assert names and all(n.startswith("Liberation-Serif") for n in names), names


def test_refusal_form_03(world, tmp_path):
    with services.simulated_clock(at(2026, 3, 2, 14, 15)):
        d = services.refuse_intake(
            world.intake("Vũ Đức Thắng", papers=(1,)),
            world.onestop,
            "Thiếu Giấy chứng sinh; người nộp chưa bổ sung được tại chỗ.",
            by=world.officer,
        )
    t = text_of(forms_pdf.render_form(d, "03"), tmp_path)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in t and "Mẫu số 03" in t
    assert "Vũ Đức Thắng" in t
    assert "Thiếu Giấy chứng sinh; người nộp chưa bổ sung được tại chỗ." in t
    assert "Đỗ Sơn, ngày 02 tháng 03 năm 2026" in t
    assert "Luật Hộ tịch năm 2014" in t
    for number in ("01", "02", "04", "05", "06"):
        with pytest.raises(forms_pdf.FormNotApplicable):
            forms_pdf.render_form(d, number)


def test_stop_notice_form_05(world, tmp_path):
    with services.simulated_clock(at(2026, 3, 2, 9, 0)):
        d = services.receive(world.intake("Hoàng Thị Thuỷ"), world.onestop, by=world.officer)
        services.hand_over(d, by=world.officer, to_user=world.specialist)
    with services.simulated_clock(at(2026, 3, 3, 9, 0)):
        services.request_supplement(d, "Thiếu giấy tờ chứng minh nơi cư trú", by=world.specialist)
    with services.simulated_clock(at(2026, 3, 20, 15, 0)):
        services.stop(d, "Quá thời hạn bổ sung mà người nộp không bổ sung hồ sơ.", by=world.leader)
    d.refresh_from_db()
    t = text_of(forms_pdf.render_form(d, "05"), tmp_path)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in t and "Mẫu số 05" in t
    assert "Hoàng Thị Thuỷ" in t and d.code in t
    assert "Lý do: Quá thời hạn bổ sung mà người nộp không bổ sung hồ sơ." in t
    assert "15 giờ 00 phút, ngày 20 tháng 03 năm 2026" in t
    assert "Số: ……/TB-UBND" in t
    # 02 without a resumption, 06 with one hand-over and the rest skipped
    t = text_of(forms_pdf.render_form(d, "02"), tmp_path)
    assert "1. Thiếu giấy tờ chứng minh nơi cư trú" in t
    t = text_of(forms_pdf.render_form(d, "06"), tmp_path)
    assert t.count("1. Giao:") == 1 and "Dừng xử lý" in t
    with pytest.raises(forms_pdf.FormNotApplicable, match="xin lỗi"):
        forms_pdf.render_form(d, "04")


def test_stop_notice_under_the_2018_circular_has_no_form_label(world, tmp_path):
    with services.simulated_clock(at(2025, 6, 16, 9, 0)):
        d = services.receive(world.intake("Hà Văn Lợi"), world.onestop, by=world.officer)
    with services.simulated_clock(at(2025, 6, 17, 9, 0)):
        services.stop(d, "Người nộp đề nghị dừng giải quyết.", by=world.leader)
    d.refresh_from_db()
    assert d.regulation == "tt01-2018"
    t = text_of(forms_pdf.render_form(d, "05"), tmp_path)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in t and "Mẫu số" not in t


def test_in_process_dossier_sheet_shows_the_step_in_progress(world, tmp_path):
    with services.simulated_clock(at(2026, 3, 2, 9, 0)):
        d = services.receive(world.intake("Lò Văn Dũng"), world.onestop, by=world.officer)
    with services.simulated_clock(at(2026, 3, 2, 10, 0)):
        services.hand_over(d, by=world.officer, to_user=world.specialist)
    t = text_of(forms_pdf.render_form(d, "06"), tmp_path)
    assert "Đang xử lý: UBND xã Đỗ Sơn (Thẩm định hồ sơ)" in t
    assert "Người xử lý: Lê Văn Đức" in t
    for number, reason in (("02", "bổ sung"), ("03", "từ chối"), ("04", "xin lỗi"), ("05", "dừng")):
        with pytest.raises(forms_pdf.FormNotApplicable, match=reason):
            forms_pdf.render_form(d, number)


def test_qr_code_points_to_the_tracking_page_without_the_pin(new, settings):
    settings.SITE_URL = "https://dichvucong.phutho.gov.vn/"
    url = forms_pdf.tracking_url(new)
    assert url == f"https://dichvucong.phutho.gov.vn/tra-cuu/?ma={new.code}"
    assert new.pin not in url


def test_the_qr_code_on_form_01_decodes_to_the_tracking_url(new, tmp_path, settings):
    settings.SITE_URL = "https://egov.example.vn"
    pdf = forms_pdf.render_form(new, "01")
    zbar = shutil.which("zbarimg")
    if zbar is None:
        pytest.skip("zbarimg not installed: apt-get install zbar-tools")
    require_program("pdftoppm", "poppler-utils")
    (tmp_path / "f.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", str(tmp_path / "f.pdf"), str(tmp_path / "p")], check=True
    )
    out = subprocess.run(
        [zbar, "--raw", "-q", *map(str, sorted(tmp_path.glob("p*.png")))],
        capture_output=True,
        text=True,
    )
    assert f"https://egov.example.vn/tra-cuu/?ma={new.code}" in out.stdout


def test_form_01_is_one_page_and_saved_as_png_for_review(old, new, tmp_path):
    from pypdf import PdfReader

    require_program("pdftoppm", "poppler-utils")
    ARTIFACTS.mkdir(exist_ok=True)
    for d, stem in ((old, "mau-01-tt01-2018"), (new, "mau-01-tt03-2025")):
        pdf = forms_pdf.render_form(d, "01")
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
        path = tmp_path / f"{stem}.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(path), str(ARTIFACTS / stem)],
            check=True,
        )
        assert (ARTIFACTS / f"{stem}.png").stat().st_size > 1000


def test_forms_stay_vietnamese_when_the_interface_is_english(new, tmp_path):
    from django.utils import translation

    with translation.override("en"):
        t = text_of(forms_pdf.render_form(new, "06"), tmp_path)
    assert "Trước hạn" in t and "Đúng hạn" in t and "Quá hạn" in t
    assert "Đã trả kết quả" in t


def test_extra_overrides_the_signature_and_number(new, tmp_path):
    pdf = forms_pdf.render_form(
        new,
        "04",
        extra={
            "doc_number": "15/UBND-VP",
            "signer_name": "Nguyễn Đình Khải",
            "position": "PHÓ CHỦ TỊCH",
            "authority": "KT. CHỦ TỊCH",
        },
    )
    t = text_of(pdf, tmp_path)
    assert "Số: 15/UBND-VP" in t and "KT. CHỦ TỊCH" in t and "PHÓ CHỦ TỊCH" in t
    assert "Nguyễn Đình Khải" in t


# --- form 07: the register -------------------------------------------------------------------------


def test_register_pdf_and_xlsx(world, old, new, tmp_path):
    from openpyxl import load_workbook

    ids = [world.commune.pk, world.onestop.pk]
    start, end = dt.date(2025, 6, 1), dt.date(2026, 2, 28)
    pdf = forms_pdf.render_register(ids, start, end, agency=world.onestop)
    t = text_of(pdf, tmp_path)
    assert "SỔ THEO DÕI HỒ SƠ" in t and "Mẫu số 07" in t
    assert "Từ ngày 01/06/2025 đến ngày 28/02/2026" in t
    compact = "".join(t.split())  # a code may wrap after a hyphen in its narrow column
    for d in (old, new):
        assert d.code in compact and "".join(d.applicant_name.split()) in compact
    assert "PhạmThịNgọcÁnh" in compact
    assert fonts_of(pdf, tmp_path) <= {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape

    data = forms_pdf.register_xlsx(ids, start, end, agency=world.onestop)
    sheet = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in sheet[4]]
    assert headers == [name for name, _ in forms_pdf.REGISTER_COLUMNS]
    assert headers[:4] == ["STT", "Mã hồ sơ", "Tên TTHC", "Tên cá nhân/tổ chức"]
    assert sheet.freeze_panes == "A5"
    assert sheet.column_dimensions["C"].width == 40
    first = [c.value for c in sheet[5]]
    assert first[0] == 1 and first[1] == old.code and first[3] == "Nguyễn Thị Hồng Nhung"
    assert first[2] == "Thủ tục đăng ký khai sinh"
    assert first[7] == dt.datetime(2025, 6, 15, 9, 0)
    assert sheet.cell(5, 8).number_format == "dd/mm/yyyy hh:mm"
    assert first[11] == dt.datetime(2025, 6, 20, 10, 0)
    assert first[12] == "Phạm Thị Ngọc Ánh"
    # extended by an apology letter, then resolved after the original due moment: still late
    assert "Đã trả kết quả; quá hạn; xin lỗi, gia hạn đến 25/06/2025 16:00" in first[13]
    assert "UBND xã Đỗ Sơn (16/06/2025 08:00)" in first[9]
    assert "YC bổ sung 16/06/2025 10:00" in first[10]
    second = [c.value for c in sheet[6]]
    assert second[1] == new.code and sheet.max_row == 6


def test_register_period_and_agencies_filter(world, old, new):
    rows = list(
        forms_pdf.register_rows([world.onestop.pk], dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    )
    assert [r.code for r in rows] == [new.code]
    assert (
        list(forms_pdf.register_rows([world.other.pk], dt.date(2025, 1, 1), dt.date(2026, 12, 31)))
        == []
    )
    # a day's bounds are Vietnam days: received 08:30 on 23/02 local is 01:30 UTC
    rows = list(forms_pdf.register_rows(None, dt.date(2026, 2, 23), dt.date(2026, 2, 23)))
    assert [r.code for r in rows] == [new.code]


# --- views -----------------------------------------------------------------------------------------


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_form_view_serves_the_pdf_inline(client, world, new):
    login(client, world.officer)
    resp = client.get(reverse("dossiers:form_pdf", args=[new.pk, "01"]))
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"] == f'inline; filename="{new.code}-mau-01.pdf"'
    assert resp.content.startswith(b"%PDF")


def test_form_view_hides_other_agencies_dossiers(client, world, new):
    login(client, world.stranger)
    resp = client.get(reverse("dossiers:form_pdf", args=[new.pk, "01"]))
    assert resp.status_code == 404
    assert b"%PDF" not in resp.content


def test_form_view_requires_login(client, new):
    resp = client.get(reverse("dossiers:form_pdf", args=[new.pk, "01"]))
    assert resp.status_code == 302 and "/accounts/login/" in resp.url


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("03", "không bị từ chối tiếp nhận"),
        ("05", "không bị dừng giải quyết"),
        ("09", "Không có biểu mẫu số “09”"),
        ("x1", "Không có biểu mẫu số"),
    ],
)
def test_inapplicable_form_is_a_404_with_a_reason(client, world, new, number, message):
    login(client, world.leader)
    resp = client.get(reverse("dossiers:form_pdf", args=[new.pk, number]))
    assert resp.status_code == 404
    page = resp.content.decode()
    assert message in page and 'data-testid="form-unavailable"' in page


def test_no_apology_no_form_04(client, world):
    with services.simulated_clock(at(2026, 3, 2, 9, 0)):
        d = services.receive(world.intake("Lò Văn Dũng"), world.onestop, by=world.officer)
    login(client, world.officer)
    for number in ("02", "04"):
        resp = client.get(reverse("dossiers:form_pdf", args=[d.pk, number]))
        assert resp.status_code == 404, number
    assert client.get(reverse("dossiers:form_pdf", args=[d.pk, "06"])).status_code == 200


@time_machine.travel(dt.datetime(2026, 2, 27, 3, 0, tzinfo=dt.UTC), tick=False)
def test_register_page_defaults_to_the_current_month(client, world):
    login(client, world.officer)
    resp = client.get(reverse("dossiers:register"))
    assert resp.status_code == 200
    page = resp.content.decode()
    assert 'value="01/02/2026"' in page and 'value="28/02/2026"' in page
    assert "Sổ theo dõi hồ sơ" in page


def test_register_view_downloads_for_the_visible_agencies(client, world, new):
    login(client, world.officer)
    url = reverse("dossiers:register")
    resp = client.get(url, {"from": "01/02/2026", "to": "28/02/2026", "format": "xlsx"})
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="so-theo-doi-ho-so-20260201-20260228.xlsx"' in resp["Content-Disposition"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(resp.content)).active
    assert sheet.cell(5, 2).value == new.code
    assert sheet.cell(1, 1).value == "BỘ PHẬN MỘT CỬA XÃ ĐỖ SƠN"
    resp = client.get(url, {"from": "01/02/2026", "to": "28/02/2026", "format": "pdf"})
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    # another commune's leader gets an empty register, not this commune's dossiers
    client.logout()
    login(client, world.stranger)
    resp = client.get(url, {"from": "01/02/2026", "to": "28/02/2026", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(resp.content)).active
    assert sheet.max_row == 4


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "31/02/2026", "to": "28/02/2026", "format": "pdf"}, "Ngày không hợp lệ"),
        ({"from": "2026-02-01", "to": "28/02/2026", "format": "pdf"}, "Ngày không hợp lệ"),
        ({"from": "", "to": "28/02/2026", "format": "pdf"}, "Nhập ngày bắt đầu."),
        ({"from": "01/03/2026", "to": "28/02/2026", "format": "pdf"}, "Ngày bắt đầu phải trước"),
        ({"from": "01/01/2024", "to": "28/02/2026", "format": "pdf"}, "tối đa 366 ngày"),
        ({"from": "01/02/2026", "to": "28/02/2026", "format": "docx"}, "Định dạng phải là PDF"),
    ],
)
def test_register_view_bad_input_is_explained(client, world, params, message):
    login(client, world.officer)
    resp = client.get(reverse("dossiers:register"), params)
    assert resp.status_code == 400
    assert message in resp.content.decode()


def test_views_can_be_called_directly(world, new):
    from egov.dossiers import views_forms

    request = RequestFactory().get("/")
    request.user = world.leader
    resp = views_forms.form_pdf(request, new.pk, "06")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")


def test_register_pdf_over_the_row_limit_is_refused_with_advice(
    client, world, old, new, monkeypatch
):
    monkeypatch.setattr(forms_pdf, "REGISTER_PDF_MAX_ROWS", 1)
    login(client, world.leader)
    params = {"from": "01/06/2025", "to": "28/02/2026"}
    resp = client.get(reverse("dossiers:register"), {**params, "format": "pdf"})
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "có 2 hồ sơ" in page and "tải bản Excel" in page
    resp = client.get(reverse("dossiers:register"), {**params, "format": "xlsx"})
    assert resp.status_code == 200


def test_form_02_for_an_earlier_supplement_request(client, world, new):
    login(client, world.officer)
    request = new.supplements.get()
    url = reverse("dossiers:form_pdf", args=[new.pk, "02"])
    assert client.get(url, {"yc": request.pk}).status_code == 200
    resp = client.get(url, {"yc": request.pk + 999})
    assert resp.status_code == 404
    assert "Không tìm thấy yêu cầu bổ sung" in resp.content.decode()
