"""The officer UI in English: the language switcher, translated pages, and a complete catalogue.

Vietnamese is the source language and the default; ``src/egov/locale/en/LC_MESSAGES/django.po``
holds the English texts and the compiled ``django.mo`` is kept next to it (installing needs no
gettext). After adding or changing a translatable text, run from the repository root::

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var \\
        --ignore='*/migrations/*' --no-obsolete
    # translate the new entries in django.po (no empty msgstr, no "#, fuzzy"), then
    .venv/bin/python manage.py compilemessages --ignore=.venv
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext as pygettext
import shutil
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

import egov
from egov.accounts.tests.factories import PASSWORD, MembershipFactory
from egov.dossiers import services as dossier_services
from egov.organizations.models import Agency
from egov.organizations.tests.factories import AgencyFactory, BridgePointFactory
from egov.procedures.tests.factories import make_procedure

LOCALE_DIR = Path(egov.__file__).resolve().parent / "locale"
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"
SRC_DIR = Path(egov.__file__).resolve().parent.parent  # src/: egov and reference_servers


# --- A small .po reader (polib is not a dependency) -------------------------------------------


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file, header and obsolete (``#~``) entries left out. Each entry is a
    dict with ``msgctxt``, ``msgid``, ``msgid_plural`` (or None), ``msgstr`` (a list: one item,
    or one per plural form) and ``flags`` (a set)."""
    entries: list[dict] = []
    current: dict = {}
    key = None

    def flush():
        nonlocal current, key
        if "msgid" in current and not current.get("obsolete") and current["msgid"] != "":
            entries.append(
                {
                    "msgctxt": current.get("msgctxt"),
                    "msgid": current["msgid"],
                    "msgid_plural": current.get("msgid_plural"),
                    "msgstr": [v for k, v in sorted(current.items()) if k.startswith("msgstr")],
                    "flags": current.get("flags", set()),
                }
            )
        current, key = {}, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current.setdefault("flags", set()).update(
                f.strip() for f in line[2:].split(",") if f.strip()
            )
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in current and keyword in ("msgctxt", "msgid"):
                flush()  # a new entry without a blank line in between
            key = keyword
            current[key] = ast.literal_eval(rest.strip())
    flush()
    return entries


def _label(entry: dict) -> str:
    ctx = f"[{entry['msgctxt']}] " if entry["msgctxt"] else ""
    return ctx + entry["msgid"]


# --- The catalogue ----------------------------------------------------------------------------


def test_po_and_mo_files_exist():
    assert PO_FILE.is_file(), f"missing {PO_FILE}: run makemessages -l en"
    assert MO_FILE.is_file(), f"missing {MO_FILE}: run compilemessages"


def test_every_entry_has_an_english_translation_and_none_is_fuzzy():
    entries = read_po(PO_FILE)
    assert len(entries) > 300  # the parser read the catalogue
    untranslated = [_label(e) for e in entries if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [_label(e) for e in entries if "fuzzy" in e["flags"]]
    plural_forms = [
        _label(e) for e in entries if e["msgid_plural"] is not None and len(e["msgstr"]) != 2
    ]
    assert not untranslated, "English translation missing in django.po for:\n" + "\n".join(
        untranslated
    )
    assert not fuzzy, "fuzzy (unchecked) entries in django.po:\n" + "\n".join(fuzzy)
    assert not plural_forms, "English needs two plural forms:\n" + "\n".join(plural_forms)


def test_header_is_final_english_catalogue():
    header = PO_FILE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header
    assert '"Language: en\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header


def test_mo_file_is_compiled_from_the_current_po_file():
    with MO_FILE.open("rb") as fh:
        mo = pygettext.GNUTranslations(fh)
    stale = []
    for e in read_po(PO_FILE):
        ctx, msgid, plural = e["msgctxt"], e["msgid"], e["msgid_plural"]
        if plural is None:
            got = [mo.pgettext(ctx, msgid) if ctx else mo.gettext(msgid)]
        elif ctx:
            got = [mo.npgettext(ctx, msgid, plural, n) for n in (1, 2)]
        else:
            got = [mo.ngettext(msgid, plural, n) for n in (1, 2)]
        if got != e["msgstr"]:
            stale.append(_label(e))
    assert not stale, "django.mo is out of date (run compilemessages) for:\n" + "\n".join(stale)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogue_has_every_translatable_text_of_the_source(tmp_path, settings, monkeypatch):
    """makemessages on a copy of src/ gives the same msgids as the committed django.po: a text
    marked for translation but not yet in the catalogue (or an entry whose source is gone)
    fails here with its msgid."""
    shutil.copytree(
        SRC_DIR,
        tmp_path / "src",
        ignore=shutil.ignore_patterns(
            "locale", "migrations", "static", "__pycache__", "*.egg-info"
        ),
    )
    (tmp_path / "locale").mkdir()
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["en"],
        ignore_patterns=["*/migrations/*"],
        no_obsolete=True,
        verbosity=0,
    )
    fresh = read_po(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")

    def keys(entries):
        return {(e["msgctxt"], e["msgid"], e["msgid_plural"]) for e in entries}

    committed = keys(read_po(PO_FILE))
    missing = sorted(keys(fresh) - committed, key=str)
    obsolete = sorted(committed - keys(fresh), key=str)
    assert not missing, (
        "texts marked for translation but missing from django.po (run makemessages, translate, "
        "compilemessages):\n" + "\n".join(str(k[1]) for k in missing)
    )
    assert not obsolete, "django.po entries no longer in the source (run makemessages "
    "--no-obsolete):\n" + "\n".join(str(k[1]) for k in obsolete)


def test_django_translates_with_the_catalogue():
    # Aliases, so that makemessages (which also scans tests/) does not collect these msgids.
    tr, ntr = translation.gettext, translation.ngettext
    with translation.override("en"):
        assert tr("Vai trò của bạn") == "Your roles"
        assert tr("Văn thư") == "Clerk"
        worked = "%(n)s ngày Thứ Bảy, Chủ nhật làm việc"
        assert ntr(worked, worked, 1) % {"n": 1} == "1 Saturday or Sunday worked"
        assert ntr(worked, worked, 2) % {"n": 2} == "2 Saturdays or Sundays worked"
    with translation.override("vi"):
        assert tr("Vai trò của bạn") == "Vai trò của bạn"


# --- Pages --------------------------------------------------------------------------------------


def _switch(client, language: str, next_url: str = "/accounts/login/"):
    resp = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert resp.status_code == 302 and resp.url == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    return resp


def _assert_english(page: str, present: list[str], absent: list[str]) -> None:
    assert '<html lang="en">' in page
    missing = [s for s in present if s not in page]
    leftover = [s for s in absent if s in page]
    assert not missing, f"English texts missing: {missing}"
    assert not leftover, f"Vietnamese texts left: {leftover}"


# Common Vietnamese texts of the page frame (navigation, footer) that must not show in English.
FRAME_VI = [
    "Trang chủ",
    "Cơ quan, đơn vị",
    "Lịch làm việc",
    "Đăng xuất",
    "Ngôn ngữ",
    "Bỏ qua, tới nội dung chính",
    "Nền tảng chính quyền điện tử mã nguồn mở",
]
FRAME_EN = ["Home", "Agencies and units", "Bridge points", "Working calendar", "Log out"]


@pytest.mark.django_db
def test_switching_to_english_translates_the_login_page(client):
    assert '<html lang="vi">' in client.get("/accounts/login/").content.decode()
    resp = _switch(client, "en")
    page = client.get(resp.url).content.decode()
    _assert_english(
        page,
        present=[
            "Log in to the system",
            "Username, email or phone number",
            "Password",
            ">Log in</button>",
            "<title>Log in · egov</title>",
            "Open-source e-government platform",
        ],
        absent=["Đăng nhập", "Mật khẩu", "Tên đăng nhập", "Bỏ qua, tới nội dung chính"],
    )
    _switch(client, "vi")
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="vi">' in page and "Đăng nhập hệ thống" in page


@pytest.mark.django_db
def test_wrong_password_message_in_english(client):
    m = MembershipFactory(role="clerk")
    _switch(client, "en")
    resp = client.post("/accounts/login/", {"username": m.user.username, "password": "wrong"})
    page = resp.content.decode()
    assert resp.status_code == 200
    _assert_english(
        page,
        present=["Incorrect username or password."],
        absent=["Tên đăng nhập hoặc mật khẩu không đúng."],
    )


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC))  # a Monday
def test_officer_pages_in_english(client):
    m = MembershipFactory(role="clerk")
    BridgePointFactory(
        agency=m.agency, name="North hall", location="Room 1", equipment_status="ready"
    )
    _switch(client, "en")
    resp = client.post("/accounts/login/", {"username": m.user.username, "password": PASSWORD})
    assert resp.status_code == 302 and resp.url == "/"

    home = client.get("/").content.decode()
    _assert_english(
        home,
        present=[
            *FRAME_EN,
            "Your roles",
            "Upcoming days off",
            ">Clerk</span>",
            "Hello, ",
            "Monday",
            "working day",
            "(Thursday)",  # 30/04/2026 in the upcoming days off
            "Video-conference bridge points",
            "Ready",
        ],
        absent=[
            *FRAME_VI,
            "Vai trò của bạn",
            "Ngày nghỉ sắp tới",
            "Văn thư",
            "Xin chào",
            "Thứ Hai",
            "Thứ Năm",
            "ngày làm việc",
            "Điểm cầu trực tuyến",
            "Sẵn sàng",
        ],
    )

    agencies = client.get("/agencies/").content.decode()
    _assert_english(
        agencies,
        present=[
            *FRAME_EN,
            'data-testid="agencies-heading">Agencies and units</h1>',
            "Name or agency identifier code",
            "Clear filters",
            "Also show dissolved and merged agencies",
            ">Commune</span>",
            "Agencies and units: 1.",
            m.agency.name,
        ],
        absent=[
            *FRAME_VI,
            "Tên hoặc mã định danh",
            "Xóa bộ lọc",
            "Có hiệu lực vào ngày",
            "Đang hiệu lực ngày",
            "Mã định danh",
        ],
    )

    detail = client.get(f"/agencies/{m.agency.pk}/").content.decode()
    _assert_english(
        detail,
        present=["Agency identifier code", "Parent agency", "Subordinate units", "North hall"],
        absent=[*FRAME_VI, "Mã định danh", "Cơ quan cấp trên", "Đơn vị trực thuộc", "Thông tin"],
    )

    points = client.get("/bridge-points/").content.decode()
    _assert_english(
        points,
        present=[
            *FRAME_EN,
            "Video-conference bridge points",
            "Equipment status",
            "Location",
            "Ready",
            "Not checked",
            "North hall",
        ],
        absent=[
            *FRAME_VI,
            "Điểm cầu",
            "Tình trạng thiết bị",
            "Địa điểm",
            "Sẵn sàng",
            "Chưa kiểm tra",
            "Tất cả đang dùng",
        ],
    )

    calendar_page = client.get(
        "/calendar/",
        {"year": "2026", "start": "13/02/2026 10:00", "amount": "3", "unit": "days"},
    ).content.decode()
    _assert_english(
        calendar_page,
        present=[
            *FRAME_EN,
            "Working calendar and deadline calculation",
            "Calculate a processing deadline",
            "Time received (dd/mm/yyyy HH:MM)",
            "Processing deadline",
            "Friday, 13/02/2026 10:00",
            "Wednesday, 25/02/2026 10:00",  # after the Tết days off
            "22 h 30 min",
            "Days off and make-up working days in 2026",
            "weekdays (Monday–Friday) off",
            "1 Saturday or Sunday worked",
            "Make-up working day for the day off on 31/08/2026",
            "Reason",
            "Weekday",
            "Legal basis",
            "Total working days in the year",
        ],
        absent=[
            *FRAME_VI,
            "Lịch làm việc và tính hạn xử lý",
            "Tính hạn",
            "Hạn xử lý",
            "Lý do",
            "Căn cứ",
            "Thứ Hai",
            "Thứ Tư",
            "Thứ Sáu",
            "Thứ Bảy",
            "Làm việc bù",
            " giờ ",
            " phút",
            "ngày làm việc",
            "Tổng số ngày làm việc",
        ],
    )

    # The calendar caches a year's days; their reasons still follow each request's language.
    _switch(client, "vi", "/calendar/")
    page = client.get("/calendar/", {"year": "2026"}).content.decode()
    assert '<html lang="vi">' in page
    assert "Làm việc bù cho ngày nghỉ 31/08/2026" in page and "Thứ Bảy" in page
    assert "Make-up working day" not in page and "Saturday" not in page


# Vietnamese navigation texts of the one-stop modules.
NAV_VI = ["Hồ sơ cần xử lý", "Tiếp nhận hồ sơ", "Thống kê", "Thủ tục hành chính"]
NAV_EN = ["Dossiers to handle", "Receive dossier", "Statistics", "Administrative procedures"]


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 4, 21, 3, 0, tzinfo=dt.UTC), tick=False)  # Tue 10:00
def test_one_stop_pages_in_english(client):
    commune = AgencyFactory(kind=Agency.Kind.COMMUNE, name="UBND xã Thử")
    desk = AgencyFactory(
        kind=Agency.Kind.ONESTOP, name="Bộ phận một cửa xã Thử", abbreviation="BPMC", parent=commune
    )
    m = MembershipFactory(role="onestop", agency=desk)
    version = make_procedure(level="commune", name="Đăng ký khai sinh", online_level="partial")
    dossier = dossier_services.receive(
        dossier_services.Intake(
            procedure_version=version,
            applicant=dossier_services.Applicant(name="Nguyễn Văn An", id_number="025090000123"),
            papers_received=(1, 2),
        ),
        desk,
        by=m.user,
    )
    _switch(client, "en")
    resp = client.post("/accounts/login/", {"username": m.user.username, "password": PASSWORD})
    assert resp.status_code == 302

    inbox = client.get("/dossiers/").content.decode()
    assert dossier.code in inbox
    _assert_english(
        inbox,
        present=[
            *FRAME_EN,
            *NAV_EN,
            "One-stop dossiers",
            "Dossier register (Form 07)",
            'data-testid="tab-todo">To handle</a>',
            "All dossiers of the unit",
            "Due today",
            "Due soon (less than 16 working hours left)",
            "Time left (working hours)",
            'data-testid="state">Newly received</span>',
            " min left</td>",
        ],
        absent=[
            *FRAME_VI,
            *NAV_VI[:1],
            *NAV_VI[2:],  # the current step is named "Tiếp nhận hồ sơ" (data)
            "Hồ sơ một cửa",
            "Cần xử lý",
            "Chờ bổ sung",
            "Mới tiếp nhận",
            "Đến hạn hôm nay",
            "Thời gian còn lại",
            "Mã hồ sơ",
            "Bước hiện tại",
            "hạn hồ sơ",
            " phút",
        ],
    )

    intake = client.get("/dossiers/intake/").content.decode()
    _assert_english(
        intake,
        present=[
            *NAV_EN,
            "Receive dossiers at the one-stop unit",
            "1. Choose the procedure",
            "Applicant details, dossier papers",
            "Receipt and appointment slip (Form 01)",
            "Intake at <strong>Bộ phận một cửa xã Thử</strong> — procedure catalogue of UBND xã Thử.",
            "Partly online public service",
        ],
        absent=[
            *FRAME_VI,
            *NAV_VI,
            "Chọn thủ tục",
            "Thông tin người nộp",
            "Giấy tiếp nhận",
            "danh mục thủ tục",
            "gõ không dấu",
            "DVCTT",
        ],
    )

    stats = client.get("/dossiers/statistics/").content.decode()
    _assert_english(
        stats,
        present=[
            *NAV_EN,
            "Status and results of handling administrative procedures",
            "From 01/04/2026 to 21/04/2026",
            "Dossiers to resolve",
            "Carried over from the previous period",
            "Newly received",
            "In person",
            "On-time rate",
            "Not yet due",
            "Export to Excel",
            ">Grand total</th>",
        ],
        absent=[
            *FRAME_VI,
            *NAV_VI,
            "Tình hình, kết quả",
            "Số hồ sơ",
            "Kỳ trước chuyển qua",
            "Mới tiếp nhận",
            "Trực tiếp",
            "Tỷ lệ đúng hạn",
            "Chưa đến hạn",
            "Xuất Excel",
            "Từ ngày",
            "Tổng cộng",
        ],
    )

    catalog = client.get("/procedures/").content.decode()
    _assert_english(
        catalog,
        present=[
            *NAV_EN,
            'data-testid="catalog-heading">Administrative procedure catalogue</h1>',
            "Search by code, name or field",
            "All levels",
            "Commune level",
            "Procedure code",
            "Processing time limit",
            "Partly online",
            'data-testid="catalog-count">1 procedure.</p>',
        ],
        absent=[
            *FRAME_VI,
            *NAV_VI,
            "Danh mục thủ tục hành chính",
            "Mã thủ tục",
            "Tìm theo mã",
            "Tất cả các cấp",
            "Cấp xã",
            "Một phần",
            "Thời hạn giải quyết",
            "Xuất CSV",
        ],
    )

    _switch(client, "vi", "/dossiers/")
    page = client.get("/dossiers/").content.decode()
    assert '<html lang="vi">' in page and "Hồ sơ một cửa" in page and "Mới tiếp nhận" in page
    assert "One-stop dossiers" not in page
