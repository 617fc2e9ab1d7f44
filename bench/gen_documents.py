"""Generate a province's three years of official documents (văn bản đến, văn bản đi).

    .venv/bin/python bench/gen_documents.py \\
        --database-url postgres://postgres@127.0.0.1:5432/egov_bench_documents   # 1,000,000
    .venv/bin/python bench/gen_documents.py --documents 100000                     # SQLite

The database is dropped and recreated: the PostgreSQL database of ``--database-url`` /
``BENCH_DATABASE_URL`` (created if missing; its name must start with ``egov_bench``), or the
SQLite file ``var/bench/documents/egov.sqlite3``.

What is written, and how
------------------------
Reference data goes through the real services (``organizations.services.create_agency``,
``accounts.services.create_officer`` / ``grant_role``): one province with ``--agencies`` local
governments (the province, about one district per 25, the rest communes, wards and towns),
the province's eight departments (sở), six departments per district and the office (Văn phòng)
of each commune as the units documents are directed to, and officers in every role: clerks
(văn thư), leaders, unit heads and specialists.

The document tables are written in bulk (``COPY`` on PostgreSQL with the secondary indexes
dropped and rebuilt afterwards; ``executemany`` on SQLite), using the writer of
``gen_dossiers.py``: ``IncomingDocument``, ``Direction``, ``Assignment``, ``OutgoingDocument``
and ``Recipient``. Each document's life is replayed in memory and cut at the moment of
generation, with the services' own helpers for what they compute: the search column from
``services._incoming_search_text`` / ``_outgoing_search_text`` (the same folding), the duplicate
key from ``services.dup_key``, series from ``numbering.series_for``, numbers and symbols from
``numbering.format_number`` / ``format_symbol``, deadlines from ``core.calendar``.

- Outgoing (~30 %): drafted in a unit, reviewed by its head, signed by a leader, numbered in
  its series by the clerk and dispatched: internal recipients (the superior government, the
  subordinate ones, sometimes all of them) get an incoming copy (source ``internal``, waiting
  to be registered); e-mail and paper recipients. Recent ones are still in draft, review or
  waiting for a number; a few drafts are abandoned.
- Incoming (~70 %): the internal copies above plus documents from outside (ministries, the
  province's departments, the party committees …) registered on arrival; the leader directs
  most of them to a lead unit and coordinating units with a deadline per unit (the rest are
  filed "để biết"); the unit head assigns a specialist who completes the part, usually on time,
  sometimes late, a few never. Numbers (số đến) per agency and year in order of arrival.
- Subjects, issuers and bodies are built from word lists of real administrative topics so that
  the search finds realistic numbers of documents; urgency (85 % thường … 1 % hỏa tốc) and
  secrecy (98 % thường, 2 % mật and above) mixes.

The ``core.Sequence`` counters of số đến and of the outgoing series are set to the last numbers
given, so that a registration or an issue after the generation continues the numbering.

Not generated: files (PDF text layers; the search column holds the metadata and, for outgoing
documents, the body), the timeline (``DocumentEvent``), alerts, amendments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_dossiers as gd  # noqa: E402  (the bench directory is not a package)

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = ROOT / "var" / "bench" / "documents"
PROVINCE_LETTER = "H98"
FLUSH_EVERY = 20_000  # documents between two COPY batches

# fmt: off
PROVINCE_DEPARTMENTS = [
    (1, "Văn phòng UBND tỉnh", "VP"), (2, "Sở Nội vụ", "SNV"), (3, "Sở Tài chính", "STC"),
    (4, "Sở Tư pháp", "STP"), (5, "Sở Tài nguyên và Môi trường", "STNMT"),
    (6, "Sở Xây dựng", "SXD"), (7, "Sở Y tế", "SYT"), (8, "Sở Giáo dục và Đào tạo", "SGDĐT"),
]
DISTRICT_DEPARTMENTS = [
    (1, "Văn phòng HĐND và UBND", "VP"), (3, "Phòng Tài chính - Kế hoạch", "TCKH"),
    (4, "Phòng Tư pháp", "TP"), (5, "Phòng Tài nguyên và Môi trường", "TNMT"),
    (6, "Phòng Kinh tế - Hạ tầng", "KTHT"), (8, "Phòng Văn hóa - Xã hội", "VX"),
]
#: issuers outside egov: (name, abbreviation, identifier code or "")
EXTERNAL_ISSUERS = [
    ("Văn phòng Chính phủ", "VPCP", "000.00.00.G01"), ("Bộ Nội vụ", "BNV", "000.00.00.G09"),
    ("Bộ Tài chính", "BTC", "000.00.00.G12"), ("Bộ Tư pháp", "BTP", "000.00.00.G19"),
    ("Bộ Tài nguyên và Môi trường", "BTNMT", "000.00.00.G17"),
    ("Bộ Nông nghiệp và Phát triển nông thôn", "BNN", "000.00.00.G11"),
    ("Bộ Y tế", "BYT", "000.00.00.G22"), ("Bộ Giáo dục và Đào tạo", "BGDĐT", "000.00.00.G07"),
    ("Bộ Lao động - Thương binh và Xã hội", "BLĐTBXH", "000.00.00.G13"),
    ("Bộ Công an", "BCA", "000.00.00.G03"), ("Bộ Thông tin và Truyền thông", "BTTTT", "000.00.00.G18"),
    ("Tỉnh ủy tỉnh Mẫu", "TU", ""), ("Ban Tuyên giáo Tỉnh ủy", "BTGTU", ""),
    ("Hội đồng nhân dân tỉnh Mẫu", "HĐND", ""), ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "MTTQ", ""),
    ("Công an tỉnh Mẫu", "CAT", ""), ("Bộ Chỉ huy Quân sự tỉnh", "BCH", ""),
    ("Bảo hiểm xã hội tỉnh Mẫu", "BHXH", ""), ("Kho bạc Nhà nước tỉnh Mẫu", "KBNN", ""),
    ("Cục Thuế tỉnh Mẫu", "CT", ""), ("Sở Kế hoạch và Đầu tư tỉnh Mẫu", "SKHĐT", ""),
    ("Sở Nông nghiệp và Phát triển nông thôn tỉnh Mẫu", "SNN", ""),
    ("Sở Lao động - Thương binh và Xã hội tỉnh Mẫu", "SLĐTBXH", ""),
    ("Sở Thông tin và Truyền thông tỉnh Mẫu", "STTTT", ""),
    ("Sở Văn hóa, Thể thao và Du lịch tỉnh Mẫu", "SVHTTDL", ""),
    ("Sở Giao thông vận tải tỉnh Mẫu", "SGTVT", ""), ("Thanh tra tỉnh Mẫu", "TTr", ""),
    ("Ban Chỉ đạo phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh", "BCĐ", ""),
    ("Điện lực tỉnh Mẫu", "ĐL", ""), ("Ngân hàng Chính sách xã hội tỉnh", "NHCSXH", ""),
    ("Trường Chính trị tỉnh", "TCT", ""), ("Liên đoàn Lao động tỉnh", "LĐLĐ", ""),
]
ACTIONS = [
    "Về việc triển khai", "Về việc tăng cường", "Về việc đôn đốc", "Về việc hướng dẫn",
    "Về việc báo cáo kết quả", "Về việc góp ý dự thảo", "Về việc phê duyệt", "Về việc kiểm tra",
    "Về việc tổ chức", "Về việc giao chỉ tiêu", "Về việc rà soát", "Về việc xin ý kiến",
    "Về việc thực hiện", "Về việc bổ sung kinh phí", "Về việc chấn chỉnh", "Về việc tổng kết",
    "V/v đề nghị cung cấp thông tin", "V/v tham mưu", "V/v khắc phục hậu quả",
    "Về việc ban hành kế hoạch", "Về việc cử cán bộ tham dự", "Về việc thành lập Tổ công tác",
]
TOPICS = [
    "công tác phòng, chống dịch bệnh", "kế hoạch phát triển kinh tế - xã hội",
    "Chương trình mục tiêu quốc gia xây dựng nông thôn mới", "công tác cải cách hành chính",
    "chuyển đổi số", "thu ngân sách nhà nước", "quản lý đất đai",
    "cấp giấy chứng nhận quyền sử dụng đất", "giải phóng mặt bằng dự án đường tỉnh",
    "phòng, chống thiên tai và tìm kiếm cứu nạn", "phòng cháy, chữa cháy rừng",
    "bảo đảm an toàn thực phẩm", "phát triển bảo hiểm xã hội, bảo hiểm y tế",
    "tuyển sinh vào lớp 10", "tiêm chủng mở rộng", "giảm nghèo bền vững",
    "chi trả trợ cấp ưu đãi người có công", "tiếp công dân, giải quyết khiếu nại, tố cáo",
    "bầu cử đại biểu Hội đồng nhân dân", "tuyển chọn và gọi công dân nhập ngũ",
    "diễn tập khu vực phòng thủ", "giải ngân vốn đầu tư công", "quyết toán vốn đầu tư",
    "quản lý trật tự xây dựng", "vệ sinh môi trường", "thu gom, xử lý rác thải sinh hoạt",
    "phòng, chống bệnh dịch tả lợn châu Phi", "sản xuất vụ Đông Xuân",
    "phòng, chống hạn hán, xâm nhập mặn", "bảo đảm trật tự an toàn giao thông",
    "tổ chức Tết Nguyên đán", "kỷ niệm ngày Quốc khánh 2/9", "công tác thi đua, khen thưởng",
    "đánh giá, xếp loại cán bộ, công chức", "tinh giản biên chế",
    "sắp xếp đơn vị hành chính cấp xã", "kê khai tài sản, thu nhập", "phòng, chống tham nhũng",
    "thực hành tiết kiệm, chống lãng phí", "cung cấp dịch vụ công trực tuyến toàn trình",
    "Đề án 06 về cơ sở dữ liệu quốc gia về dân cư", "sử dụng chữ ký số",
    "đăng ký và quản lý hộ tịch", "chứng thực bản sao điện tử", "cấp phép khai thác khoáng sản",
    "bảo vệ và phát triển rừng", "phát triển du lịch cộng đồng", "giáo dục nghề nghiệp",
    "củng cố y tế cơ sở", "xây dựng đời sống văn hóa ở khu dân cư", "quốc phòng, an ninh",
    "phòng, chống ma túy", "phát triển kinh tế tập thể, hợp tác xã",
    "ứng dụng công nghệ thông tin", "chỉnh lý tài liệu lưu trữ", "cấp nước sạch nông thôn",
    "kiên cố hóa kênh mương", "đầu tư đường giao thông nông thôn", "hỗ trợ nhà ở cho hộ nghèo",
    "điều chỉnh quy hoạch sử dụng đất", "kiểm kê đất đai", "quản lý thuế hộ kinh doanh",
    "bồi dưỡng cán bộ, công chức cấp xã", "hỗ trợ sản xuất nông nghiệp", "nước thải công nghiệp",
]
SCOPES = [
    "trên địa bàn tỉnh", "trên địa bàn huyện {place}", "năm {year}", "6 tháng đầu năm {year}",
    "quý {q} năm {year}", "giai đoạn 2021 - 2025", "tại xã {place}", "", "", "",
]
#: (doc type code, weight) of incoming documents and of outgoing ones
IN_TYPES = [("cong_van", 55), ("quyet_dinh", 10), ("ke_hoach", 8), ("thong_bao", 8),
            ("giay_moi", 7), ("bao_cao", 5), ("huong_dan", 3), ("chi_thi", 1), ("to_trinh", 1),
            ("nghi_quyet", 1), ("cong_dien", 1)]
OUT_TYPES = [("cong_van", 50), ("quyet_dinh", 15), ("ke_hoach", 7), ("thong_bao", 8),
             ("giay_moi", 6), ("bao_cao", 8), ("to_trinh", 4), ("ban_sao_y", 1),
             ("qppl_quyet_dinh", 1)]
URGENCY = [(0, 85), (1, 10), (2, 4), (3, 1)]
SECRECY = [(0, 980), (1, 15), (2, 4), (3, 1)]
OPINIONS = ["Giao {unit} chủ trì, tham mưu thực hiện.", "Đề nghị các đơn vị khẩn trương thực hiện.",
            "Giao {unit} nghiên cứu, đề xuất.", "Chuyển {unit} xử lý theo quy định.", ""]
BODY = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Thực hiện chỉ đạo của {issuer} về {topic};",
    "Để bảo đảm tiến độ {topic} {scope}, {agency} đề nghị các cơ quan, đơn vị:",
    "1. Khẩn trương rà soát, tổng hợp tình hình {topic}, báo cáo trước ngày {day}.",
    "2. Phối hợp chặt chẽ với các cơ quan liên quan trong quá trình triển khai thực hiện.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời báo cáo để xem xét, giải quyết.",
]
# fmt: on


# --- world -------------------------------------------------------------------------------------


@dataclass
class Unit:
    id: int
    name: str
    abbreviation: str
    leaders: list[int] = field(default_factory=list)
    specialists: list[int] = field(default_factory=list)


@dataclass
class Gov:
    id: int
    name: str
    code: str
    kind: str
    place: str
    parent: int | None
    weight: float
    clerks: list[int] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    children: list[int] = field(default_factory=list)


def build_world(n_governments: int, rng: random.Random, log) -> tuple[list[Gov], dict[int, str]]:
    """Agencies and officers through the services. Returns the governments and every officer's
    full name by id."""
    from django.db import transaction

    from egov.accounts import services as accounts
    from egov.organizations import services as orgs

    start = time.perf_counter()
    n_districts = max(1, round(n_governments / 25))
    n_communes = max(1, n_governments - 1 - n_districts)
    places = gd._place_names(n_districts + n_communes, rng)
    names: dict[int, str] = {}
    user_no = 0
    agencies = 0

    def staff(agency, role: str, count: int, title: str) -> list[int]:
        nonlocal user_no
        ids = []
        for _ in range(count):
            user_no += 1
            full = f"{rng.choice(gd.FAMILY)} {rng.choice(gd.MIDDLE)} {rng.choice(gd.GIVEN)}"
            user = accounts.create_officer(f"vb{user_no:05d}", None, full_name=full, position=title)
            accounts.grant_role(user, agency, role)
            names[user.pk] = full
            ids.append(user.pk)
        return ids

    def agency(**kw):
        nonlocal agencies
        agencies += 1
        return orgs.create_agency(**kw)

    def unit(gov: Gov, parent, number, name, abbr, code, n_spec, title) -> None:
        a = agency(kind="department", name=name, abbreviation=abbr, code=code, parent=parent)
        u = Unit(a.pk, a.name, abbr)
        u.leaders = staff(a, "leader", 1, f"Trưởng {title}")
        u.specialists = staff(a, "specialist", n_spec, f"Chuyên viên {title}")
        gov.units.append(u)

    governments: list[Gov] = []
    with transaction.atomic():
        p = agency(
            kind="province",
            name="UBND tỉnh Mẫu",
            short_name="Tỉnh Mẫu",
            code=f"000.00.00.{PROVINCE_LETTER}",
        )
        prov = Gov(p.pk, p.name, p.code, "province", "Mẫu", None, 40.0)
        prov.clerks = staff(p, "clerk", 3, "Văn thư UBND tỉnh")
        prov.leaders = staff(p, "leader", 4, "Phó Chủ tịch UBND tỉnh")
        for number, name, abbr in PROVINCE_DEPARTMENTS:
            unit(
                prov, p, number, f"{name} tỉnh Mẫu", abbr,
                f"000.{number:02d}.00.{PROVINCE_LETTER}"[:13], 5, name,
            )  # fmt: skip
        governments.append(prov)
        districts = []
        for d in range(1, n_districts + 1):
            place = places[d - 1]
            a = agency(
                kind="district",
                name=f"UBND huyện {place}",
                short_name=f"Huyện {place}",
                code=f"000.00.{d:02d}.{PROVINCE_LETTER}",
                parent=p,
            )
            g = Gov(a.pk, a.name, a.code, "district", place, prov.id, 12.0)
            g.clerks = staff(a, "clerk", 2, "Văn thư UBND huyện")
            g.leaders = staff(a, "leader", 3, "Phó Chủ tịch UBND huyện")
            for number, name, abbr in DISTRICT_DEPARTMENTS:
                unit(
                    g, a, number, f"{name} huyện {place}", abbr,
                    f"000.{number:02d}.{d:02d}.{PROVINCE_LETTER}", 3, name,
                )  # fmt: skip
            prov.children.append(g.id)
            governments.append(g)
            districts.append((a, g))
        for c in range(n_communes):
            parent, pg = districts[c % n_districts]
            number = c // n_districts + 1
            place = places[n_districts + c]
            kind = "town" if number == 1 else ("ward" if number % 8 == 0 else "commune")
            label = {"town": "thị trấn", "ward": "phường", "commune": "xã"}[kind]
            a = agency(
                kind=kind,
                name=f"UBND {label} {place}",
                short_name=f"{label.capitalize()} {place}",
                code=f"{number:03d}.00.{parent.code[7:9]}.{PROVINCE_LETTER}",
                parent=parent,
            )
            g = Gov(a.pk, a.name, a.code, kind, place, pg.id, rng.lognormvariate(0, 0.4))
            g.clerks = staff(a, "clerk", 1, f"Văn thư UBND {label}")
            g.leaders = staff(a, "leader", 2, f"Chủ tịch UBND {label}")
            unit(
                g, a, 1, f"Văn phòng - Thống kê {label} {place}", "VP",
                f"{number:03d}.01.{parent.code[7:9]}.{PROVINCE_LETTER}", 2,
                "Văn phòng - Thống kê",
            )  # fmt: skip
            pg.children.append(g.id)
            governments.append(g)
    log(
        f"reference data through the services: {agencies} agencies ({len(governments)} "
        f"governments: 1 province, {n_districts} districts, {n_communes} communes), "
        f"{user_no} officers in {time.perf_counter() - start:.1f} s"
    )
    return governments, names


# --- tables ------------------------------------------------------------------------------------

IN_COLUMNS = [
    "id", "agency_id", "state", "source", "arrival_year", "arrival_number", "arrived_at",
    "registered_at", "registered_by_id", "issuer_name", "issuer_code", "issuer_agency_id",
    "code_number", "code_notation", "issued_date", "doc_type", "type_name", "subject",
    "language", "page_count", "description", "signer_name", "signer_position", "urgency",
    "secrecy", "due_at", "to_places", "directed_at", "completed_at", "reply_id", "origin_id",
    "amendment", "signature_status", "dup_key", "search_text", "created_by_id", "created_at",
    "version",
]  # fmt: skip
DIRECTION_COLUMNS = ["id", "incoming_id", "directed_by_id", "directed_at", "opinion"]
ASSIGNMENT_COLUMNS = [
    "id", "incoming_id", "direction_id", "unit_id", "role", "due_at", "state", "assignee_id",
    "assigned_by_id", "assigned_at", "unit_opinion", "progress", "completed_at", "result",
]  # fmt: skip
OUT_COLUMNS = [
    "id", "agency_id", "drafting_unit_id", "state", "doc_type", "type_name", "subject", "body",
    "recipients_text", "urgency", "secrecy", "due_date", "page_count", "issued_amount",
    "reply_to_id", "replaces_id", "reviewer_id", "signer_id", "signer_name", "signer_position",
    "authority", "signed_at", "series_scope", "year", "number", "code_number", "code_notation",
    "issued_date", "issued_at", "issued_by_id", "search_text", "created_by_id", "created_at",
    "version",
]  # fmt: skip
RECIPIENT_COLUMNS = [
    "id", "outgoing_id", "channel", "agency_id", "email", "name", "state", "sent_at",
    "incoming_id", "job_id",
]  # fmt: skip


def _tables() -> dict:
    from egov.documents.models import (
        Assignment,
        Direction,
        IncomingDocument,
        OutgoingDocument,
        Recipient,
    )

    return {
        "incoming": gd.Table(IncomingDocument, IN_COLUMNS),
        "direction": gd.Table(Direction, DIRECTION_COLUMNS),
        "assignment": gd.Table(Assignment, ASSIGNMENT_COLUMNS),
        "outgoing": gd.Table(OutgoingDocument, OUT_COLUMNS),
        "recipient": gd.Table(Recipient, RECIPIENT_COLUMNS),
    }


# --- lives -------------------------------------------------------------------------------------


def _weighted(pairs):
    values = [v for v, _ in pairs]
    cum = []
    total = 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return values, cum


class Simulator:
    """Replays documents' lives with the services' helpers, cut at ``now``."""

    def __init__(self, governments: list[Gov], names: dict[int, str], now, rng, tables):
        from egov.core import calendar
        from egov.documents import doctypes, numbering, services
        from egov.documents.models import IncomingDocument, OutgoingDocument

        self.govs = {g.id: g for g in governments}
        self.names = names
        self.now = now
        self.rng = rng
        self.t = tables
        self.cal = calendar.get_calendar()
        self.tz = self.cal.tz
        self.services = services
        self.numbering = numbering
        self.doctypes = doctypes
        self.In = IncomingDocument
        self.Out = OutgoingDocument
        self.ids: Counter = Counter()
        self.arrival: Counter = Counter()  # (agency, year) -> last số đến
        self.out_numbers: Counter = Counter()  # (series scope, year) -> last number
        self.series: dict = {}
        self.states_in: Counter = Counter()
        self.states_out: Counter = Counter()
        self.copies = 0
        self.in_types = _weighted(IN_TYPES)
        self.out_types = _weighted(OUT_TYPES)
        self.urgency = _weighted(URGENCY)
        self.secrecy = _weighted(SECRECY)
        self.type_names = {t.code: t.name for t in doctypes.all_types()}
        self.type_abbr = {t.code: t.abbreviation for t in doctypes.all_types()}
        self.symbols: dict = {}
        self.places = [g.place for g in governments]

    @staticmethod
    def _bare(model, **values):
        """An unsaved instance holding only what the services' search-text helpers read (no
        ``id``: they read no files), without the cost of ``Model.__init__``."""
        obj = model.__new__(model)
        obj.__dict__.update(values, id=None)
        return obj

    def _id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _pick(self, weighted):
        return self.rng.choices(weighted[0], cum_weights=weighted[1])[0]

    def hours(self, moment, hours: float):
        return self.cal.add_working_hours(moment, hours)

    def subject(self, year: int, place: str) -> str:
        rng = self.rng
        scope = rng.choice(SCOPES).format(place=place, year=year, q=rng.randint(1, 4))
        return " ".join(p for p in (rng.choice(ACTIONS), rng.choice(TOPICS).lower(), scope) if p)[
            :500
        ]

    # incoming ---------------------------------------------------------------------------------

    def incoming(self, gov: Gov, arrived_at, meta: dict, *, internal: bool) -> int:
        """One incoming document of ``gov``: registration, direction, the units' parts."""
        rng, now = self.rng, self.now
        doc_id = self._id("incoming")
        row = dict.fromkeys(IN_COLUMNS)
        row.update(meta)
        row.update(
            id=doc_id,
            agency_id=gov.id,
            arrived_at=arrived_at,
            language="Tiếng Việt",
            description="",
            to_places="",
            amendment="",
            signature_status="",
            version=1,
            created_at=arrived_at,
        )
        if internal:
            registered_at = self.hours(arrived_at, rng.expovariate(1 / 2.5))
            row["source"] = "internal"
            row["created_by_id"] = None
        else:
            registered_at = arrived_at
            row["source"] = "scan" if rng.random() < 0.35 else "upload"
            row["created_by_id"] = rng.choice(gov.clerks)
        state = "pending"
        version = 1
        if registered_at <= now and internal and rng.random() < 0.004:
            state = "cancelled"  # rejected by the clerk (Điều 21.2.b)
            version += 1
        elif registered_at <= now:
            year = registered_at.astimezone(self.tz).year
            self.arrival[(gov.id, year)] += 1
            clerk = rng.choice(gov.clerks)
            row.update(
                arrival_year=year,
                arrival_number=self.arrival[(gov.id, year)],
                registered_at=registered_at,
                registered_by_id=clerk,
            )
            if internal:
                version += 1
            state = "registered"
        if row["due_at"] is None and rng.random() < 0.3:
            row["due_at"] = self.cal.add_working_days(arrived_at, rng.choice((3, 5, 7, 10, 15)))
        # the search column and the duplicate key, by the services' helpers
        draft = self._bare(
            self.In,
            arrival_number=row["arrival_number"],
            code_number=row["code_number"],
            code_notation=row["code_notation"],
            issuer_name=row["issuer_name"],
            issuer_code=row["issuer_code"],
            type_name=row["type_name"],
            subject=row["subject"],
            signer_name=row["signer_name"],
            description="",
        )
        row["search_text"] = self.services._incoming_search_text(draft)
        row["dup_key"] = self.services.dup_key(
            row["issuer_code"], row["issuer_name"], draft.number_symbol, row["issued_date"]
        )
        if state == "registered":
            state, version = self._handle(gov, row, registered_at, version)
        row["state"] = state
        row["version"] = version
        self.states_in[state] += 1
        self.t["incoming"].add(tuple(row[c] for c in IN_COLUMNS))
        return doc_id

    def _handle(self, gov: Gov, row: dict, registered_at, version: int):
        rng, now = self.rng, self.now
        if rng.random() < 0.12:  # filed "để biết" by the leader
            closed = self.hours(registered_at, rng.expovariate(1 / 6))
            if closed > now:
                return "registered", version
            row["completed_at"] = closed
            return "done", version + 1
        directed_at = self.hours(registered_at, rng.lognormvariate(1.2, 0.8))
        if directed_at > now:
            return "registered", version
        leader = rng.choice(gov.leaders)
        direction_id = self._id("direction")
        k = rng.random()
        n_units = 1 if k < 0.55 or len(gov.units) == 1 else (2 if k < 0.85 else 3)
        units = rng.sample(gov.units, min(n_units, len(gov.units)))
        opinion = rng.choice(OPINIONS).format(unit=units[0].name)
        self.t["direction"].add((direction_id, row["id"], leader, directed_at, opinion))
        lead_done = None
        lead_open = False
        for i, u in enumerate(units):
            due = self.cal.add_working_days(directed_at, rng.choice((3, 5, 5, 7, 10, 10, 15, 30)))
            done_at = self._assignment(row["id"], direction_id, u, i == 0, due, directed_at)
            if i == 0:
                lead_done, lead_open = done_at, done_at is None
                if row["due_at"] is None:
                    row["due_at"] = due
        row["directed_at"] = directed_at
        row["to_places"] = "; ".join(u.name for u in units)[:1000]
        if lead_open:
            return "in_process", version + 1
        row["completed_at"] = lead_done
        return "done", version + 2

    def _assignment(self, incoming_id, direction_id, u: Unit, lead: bool, due, directed_at):
        """One unit's part; returns its completion moment, None while open."""
        rng, now = self.rng, self.now
        a = [self._id("assignment"), incoming_id, direction_id, u.id]
        a += ["lead" if lead else "coordinate", due]
        assigned_at = self.hours(directed_at, rng.lognormvariate(0.8, 0.9))
        done_at = None
        if assigned_at > now:
            a += ["waiting", None, None, None, "", "", None, ""]
        else:
            allotted = max(1.0, (due - assigned_at).total_seconds() / 3600 / 3)  # working hours
            r = rng.random()
            share = (
                rng.uniform(0.1, 0.8) if r < 0.7 else rng.uniform(0.8, 1.0) if r < 0.9
                else rng.uniform(1.0, 2.5)
            )  # fmt: skip
            finish = self.hours(assigned_at, allotted * share)
            stuck = rng.random() < 0.01
            specialist = rng.choice(u.specialists)
            head = u.leaders[0]
            if finish > now or stuck:
                a += ["in_process", specialist, head, assigned_at, "", "", None, ""]
            else:
                done_at = finish
                a += ["done", specialist, head, assigned_at, "", "", finish]
                a.append("Đã xử lý, báo cáo kết quả" if lead else "Đã phối hợp thực hiện")
        self.t["assignment"].add(tuple(a))
        return done_at

    def external(self, gov: Gov, arrived_at) -> None:
        """A document from outside egov, registered by the clerk on arrival."""
        rng = self.rng
        name, abbr, code = rng.choice(EXTERNAL_ISSUERS)
        doc_type = self._pick(self.in_types)
        type_abbr = self.type_abbr[doc_type]
        local = arrived_at.astimezone(self.tz)
        issued = local.date() - dt.timedelta(days=int(rng.expovariate(1 / 3)))
        number = rng.randint(1, 3000 if doc_type == "cong_van" else 400)
        notation = (
            f"{type_abbr}-{abbr}" if type_abbr else f"{abbr}-{rng.choice(('VP', 'TH', 'KT', 'NV'))}"
        )
        signer = f"{rng.choice(gd.FAMILY)} {rng.choice(gd.MIDDLE)} {rng.choice(gd.GIVEN)}"
        secrecy = self._pick(self.secrecy)
        self.incoming(
            gov,
            arrived_at,
            dict(
                issuer_name=name,
                issuer_code=code,
                issuer_agency_id=None,
                code_number=self.numbering.format_number(number),
                code_notation=notation[:30],
                issued_date=issued,
                doc_type=doc_type,
                type_name=self.type_names[doc_type],
                subject=self.subject(local.year, rng.choice(self.places)),
                page_count=rng.randint(1, 12),
                signer_name=signer,
                signer_position=rng.choice(
                    ("Giám đốc", "Phó Giám đốc", "Thứ trưởng", "Chánh Văn phòng", "Phó Chủ tịch")
                ),
                urgency=self._pick(self.urgency),
                secrecy=secrecy,
                due_at=None,
                origin_id=None,
                reply_id=None,
            ),
            internal=False,
        )

    # outgoing ---------------------------------------------------------------------------------

    def _series(self, agency_id: int, doc_type: str, secrecy: int):
        key = (agency_id, doc_type, secrecy > 0)
        if key not in self.series:
            self.series[key] = self.numbering.series_for(agency_id, doc_type, secrecy)
        return self.series[key]

    def _symbol(self, doc_type: str, unit: str) -> str:
        key = (doc_type, unit)
        if key not in self.symbols:
            self.symbols[key] = self.numbering.format_symbol(doc_type, "UBND", unit)
        return self.symbols[key]

    def outgoing(self, gov: Gov, created_at) -> None:
        rng, now = self.rng, self.now
        doc_id = self._id("outgoing")
        u = rng.choice(gov.units)
        drafter = rng.choice(u.specialists)
        doc_type = self._pick(self.out_types)
        secrecy = self._pick(self.secrecy)
        local = created_at.astimezone(self.tz)
        subject = self.subject(local.year, gov.place)
        issuer = rng.choice(EXTERNAL_ISSUERS)[0]
        topic = rng.choice(TOPICS)
        body = "\n".join(BODY).format(
            issuer=issuer, topic=topic, scope="", agency=gov.name, day=f"{rng.randint(1, 28):02d}"
        )
        row = dict.fromkeys(OUT_COLUMNS)
        row.update(
            id=doc_id,
            agency_id=gov.id,
            drafting_unit_id=u.id,
            doc_type=doc_type,
            type_name=self.type_names[doc_type],
            subject=subject,
            body=body,
            urgency=self._pick(self.urgency),
            secrecy=secrecy,
            due_date=(local.date() + dt.timedelta(days=rng.choice((5, 7, 10, 15, 30))))
            if rng.random() < 0.2
            else None,
            issued_amount=rng.randint(1, 10),
            signer_name="",
            signer_position="",
            authority="",
            series_scope="",
            code_number="",
            code_notation="",
            created_by_id=drafter,
            created_at=created_at,
        )
        # the life: review by the unit head, signature, number
        t_unit = self.hours(created_at, rng.lognormvariate(1.5, 0.9))
        t_leader = self.hours(t_unit, rng.lognormvariate(1.0, 0.8))
        t_signed = self.hours(t_leader, rng.lognormvariate(1.0, 0.8))
        t_issued = self.hours(t_signed, rng.expovariate(1 / 2))
        version = 1
        leader = rng.choice(gov.leaders)
        if rng.random() < 0.02 or t_unit > now:
            state = "draft"
        elif t_leader > now:
            state = "unit_review"
            version = 2
            row["reviewer_id"] = u.leaders[0] if rng.random() < 0.5 else None
        elif t_signed > now:
            state = "leader_review"
            version = 3
            row["reviewer_id"] = leader if rng.random() < 0.5 else None
        elif t_issued > now:
            state = "approved"
            version = 4
        else:
            state = "issued"
            version = 5
        if state in ("unit_review", "leader_review") and rng.random() < 0.1:
            state, row["reviewer_id"] = "returned", None
        recipients = self._recipients(gov, state)
        row["recipients_text"] = "; ".join(r[1] for r in recipients)[:1000]
        if state in ("approved", "issued"):
            row.update(
                signer_id=leader,
                signer_name=self.names[leader][:50],
                signer_position="Phó Chủ tịch",
                authority="KT. CHỦ TỊCH",
                signed_at=t_signed,
            )
        if state == "issued":
            series = self._series(gov.id, doc_type, secrecy)
            day = t_issued.astimezone(self.tz).date()
            self.out_numbers[(series.scope, day.year)] += 1
            number = self.out_numbers[(series.scope, day.year)]
            row.update(
                series_scope=series.scope,
                year=day.year,
                number=number,
                code_number=self.numbering.format_number(number),
                code_notation=self._symbol(doc_type, u.abbreviation),
                issued_date=day,
                issued_at=t_issued,
                issued_by_id=rng.choice(gov.clerks),
                page_count=rng.randint(1, 6),
            )
        draft = self._bare(
            self.Out,
            code_number=row["code_number"],
            code_notation=row["code_notation"],
            type_name=row["type_name"],
            subject=subject,
            signer_name=row["signer_name"],
            recipients_text=row["recipients_text"],
            body=body,
        )
        row["search_text"] = self.services._outgoing_search_text(draft)
        row["state"] = state
        row["version"] = version
        self.states_out[state] += 1
        self.t["outgoing"].add(tuple(row[c] for c in OUT_COLUMNS))
        for channel, name, agency_id, email in recipients:
            rid = self._id("recipient")
            incoming_id = None
            r_state, sent_at = "pending", None
            if state == "issued":
                sent_at = self.hours(t_issued, 0.05)
                if channel == "internal" and sent_at <= now:
                    incoming_id = self._copy(row, self.govs[agency_id], sent_at)
                    r_state = "sent"
                elif channel == "paper":
                    r_state = "sent" if self.hours(t_issued, 8) <= now else "paper"
                    sent_at = sent_at if r_state == "sent" else None
                elif sent_at <= now:
                    r_state = "sent"
                if r_state == "pending":
                    sent_at = None
            self.t["recipient"].add(
                (rid, doc_id, channel, agency_id, email, name, r_state, sent_at, incoming_id, None)
            )

    def _recipients(self, gov: Gov, state: str) -> list[tuple]:
        """(channel, name, agency id, e-mail): the superior, subordinate governments, others."""
        rng = self.rng
        out = []
        k = rng.random()
        targets: list[int] = []
        if k < 0.55:
            pass
        elif k < 0.85:
            pool = ([gov.parent] if gov.parent else []) + gov.children
            targets = [rng.choice(pool)]
        elif k < 0.97:
            pool = ([gov.parent] if gov.parent else []) + gov.children
            targets = rng.sample(pool, min(len(pool), rng.randint(2, 3)))
        else:
            targets = list(gov.children) or ([gov.parent] if gov.parent else [])
        out.extend(("internal", self.govs[t].name, t, "") for t in targets)
        if rng.random() < 0.4:
            name, abbr, _code = rng.choice(EXTERNAL_ISSUERS)
            out.append(("email", name, None, f"vanthu.{abbr.lower()}@example.gov.vn"))
        if rng.random() < 0.3:
            name = rng.choice(EXTERNAL_ISSUERS)[0]
            out.append(("paper", name, None, ""))
        out.append(("paper", "Lưu: VT", None, ""))
        return out

    def _copy(self, out: dict, to: Gov, arrived_at) -> int:
        """The receiving agency's incoming copy (services._copy_metadata)."""
        self.copies += 1
        gov = self.govs[out["agency_id"]]
        return self.incoming(
            to,
            arrived_at,
            dict(
                issuer_name=gov.name,
                issuer_code=gov.code,
                issuer_agency_id=gov.id,
                code_number=out["code_number"],
                code_notation=out["code_notation"],
                issued_date=out["issued_date"],
                doc_type=out["doc_type"],
                type_name=out["type_name"],
                subject=out["subject"],
                page_count=out["page_count"],
                signer_name=out["signer_name"],
                signer_position=out["signer_position"],
                urgency=out["urgency"],
                secrecy=out["secrecy"],
                due_at=None,
                origin_id=out["id"],
                reply_id=None,
            ),
            internal=True,
        )


# --- the run -----------------------------------------------------------------------------------


def configure(database_url: str | None, *, reset: bool) -> str:
    os.environ.setdefault("EGOV_VAR_DIR", str(SQLITE_DIR))
    gd.SQLITE_DIR = SQLITE_DIR
    return gd.configure(database_url, reset=reset)


def document_count() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT MAX(id) FROM documents_incomingdocument)")
        return cur.fetchone()[0] or 0


def _plan(days, weights, total: int) -> list[list[int]]:
    """Whole counts per (day, government) proportional to the weights, adding up to total."""
    day_w = [w for _, w in days]
    total_w = sum(day_w) * sum(weights)
    plan, rest, given = [], [], 0
    for di, dw in enumerate(day_w):
        row = []
        for gi, gw in enumerate(weights):
            exact = total * dw * gw / total_w
            row.append(int(exact))
            given += int(exact)
            rest.append((exact - int(exact), di, gi))
        plan.append(row)
    rest.sort(reverse=True)
    for _, di, gi in rest[: total - given]:
        plan[di][gi] += 1
    return plan


def generate(
    n_documents: int = 1_000_000, n_agencies: int = 100, *, seed=2026, years=3, log=gd._log
):
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from egov.core.models import Sequence
    from egov.documents.models import (
        Assignment,
        Direction,
        IncomingDocument,
        OutgoingDocument,
        Recipient,
    )

    began = time.perf_counter()
    rng = random.Random(seed)
    governments, names = build_world(n_agencies, rng, log)
    now = timezone.now()
    tables = _tables()
    sim = Simulator(governments, names, now, rng, tables)
    cal = sim.cal
    postgres = connection.vendor == "postgresql"
    models = [IncomingDocument, Direction, Assignment, OutgoingDocument, Recipient]
    index_defs = gd._drop_secondary_indexes([m._meta.db_table for m in models]) if postgres else []
    writer = gd.Writer()
    writer.start()

    today = timezone.localdate(now)
    span = 365 * years
    days = [
        (
            today - dt.timedelta(days=k),
            1.2 if (today - dt.timedelta(days=k)).weekday() == 0 else 1.0,
        )
        for k in range(span, -1, -1)
        if cal.is_working_day(today - dt.timedelta(days=k))
    ]
    weights = [g.weight for g in governments]
    # outgoing 30 %; each issued one gives ~1 internal incoming copy; the rest arrive from outside
    n_out = round(n_documents * 0.3)
    out_plan = _plan(days, weights, n_out)
    in_target = n_documents - n_out
    opening = cal.hours.opening
    day_hours = cal.hours.daily_total.total_seconds() / 3600
    log(
        f"generating ~{n_documents:,} documents over {len(days)} working days "
        f"({days[0][0]:%d/%m/%Y}–{days[-1][0]:%d/%m/%Y}) at {len(governments)} governments"
    )
    done_days = 0
    next_report = FLUSH_EVERY
    gen_start = time.perf_counter()
    day_total = sum(w for _, w in days)
    cum_share = 0.0
    cum_w = []
    acc = 0.0
    for w in weights:
        acc += w
        cum_w.append(acc)

    def written() -> int:
        return sim.ids["incoming"] + sim.ids["outgoing"]

    for di, (d, dw) in enumerate(days):
        opens_at = dt.datetime.combine(d, dt.time(), tzinfo=sim.tz) + opening
        todays = [
            (cal.add_working_hours(opens_at, rng.random() * day_hours), 0, gi)
            for gi, count in enumerate(out_plan[di])
            for _ in range(count)
        ]
        # external arrivals: what keeps the incoming total on its target once this day's
        # outgoing documents have delivered their internal copies (running ratio so far)
        ratio = sim.copies / max(1, sim.ids["outgoing"]) if sim.ids["outgoing"] > 1000 else 1.0
        cum_share += dw / day_total
        expected_copies = round(ratio * len(todays))
        n_ext = max(0, round(in_target * cum_share) - sim.ids["incoming"] - expected_copies)
        todays.extend(
            (cal.add_working_hours(opens_at, rng.random() * day_hours), 1, gi)
            for gi in rng.choices(range(len(governments)), cum_weights=cum_w, k=n_ext)
        )
        todays.sort()
        for at, kind, gi in todays:
            if at > now:
                continue
            if kind == 0:
                sim.outgoing(governments[gi], at)
            else:
                sim.external(governments[gi], at)
        done_days += 1
        if written() >= next_report or di == len(days) - 1:
            writer.put([(table, table.take()) for table in tables.values()])
            elapsed = time.perf_counter() - gen_start
            log(
                f"  {d:%d/%m/%Y} {written():>9,} documents ({sim.ids['incoming']:,} in, "
                f"{sim.ids['outgoing']:,} out)  {tables['assignment'].written:>9,} parts  "
                f"{elapsed:6.1f} s  ({written() / elapsed:,.0f} documents/s)"
            )
            next_report = written() + FLUSH_EVERY
    writer.finish()
    with transaction.atomic():
        seqs = [
            Sequence(scope=f"doc-in:{a}", period=str(y), last_value=n)
            for (a, y), n in sim.arrival.items()
        ] + [
            Sequence(scope=scope, period=str(y), last_value=n)
            for (scope, y), n in sim.out_numbers.items()
        ]
        Sequence.objects.bulk_create(seqs, batch_size=5000)
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cur.execute(sql)
    load_elapsed = time.perf_counter() - began
    if postgres:
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for definition in index_defs:
                t0 = time.perf_counter()
                cur.execute(definition)
                log(f"  {definition[:90]}… {time.perf_counter() - t0:.1f} s")
        log(f"rebuilt {len(index_defs)} indexes in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    with connection.cursor() as cur:
        if postgres:
            for m in models:
                cur.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(m._meta.db_table)}")
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")
    log(f"vacuum/analyze in {time.perf_counter() - start:.1f} s")
    summary = {
        "incoming": sim.ids["incoming"],
        "internal_copies": sim.copies,
        "outgoing": sim.ids["outgoing"],
        "directions": sim.ids["direction"],
        "assignments": sim.ids["assignment"],
        "recipients": sim.ids["recipient"],
        "states_in": dict(sim.states_in.most_common()),
        "states_out": dict(sim.states_out.most_common()),
        "seconds_load": round(load_elapsed, 1),
        "seconds": round(time.perf_counter() - began, 1),
    }
    if postgres:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            summary["database_size"] = cur.fetchone()[0]
    else:
        summary["database_size"] = f"{(SQLITE_DIR / 'egov.sqlite3').stat().st_size / 2**20:.0f} MB"
    return summary


def print_summary(s: dict, log=gd._log) -> None:
    total = s["incoming"] + s["outgoing"]
    log(
        f"dataset: {total:,} documents: {s['incoming']:,} incoming ({s['internal_copies']:,} "
        f"internal copies), {s['outgoing']:,} outgoing; {s['directions']:,} directions, "
        f"{s['assignments']:,} unit parts, {s['recipients']:,} recipients; "
        f"database {s['database_size']}"
    )
    log("incoming states: " + ", ".join(f"{k} {v:,}" for k, v in s["states_in"].items()))
    log("outgoing states: " + ", ".join(f"{k} {v:,}" for k, v in s["states_out"].items()))
    log(f"generated in {s['seconds']:.0f} s (rows written in {s['seconds_load']:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=100, help="local governments")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL database named egov_bench* (default BENCH_DATABASE_URL, else SQLite)",
    )
    args = parser.parse_args()
    vendor = configure(args.database_url, reset=True)
    print(f"database: {vendor}", flush=True)
    summary = generate(args.documents, args.agencies, seed=args.seed, years=args.years)
    print_summary(summary)


if __name__ == "__main__":
    main()
