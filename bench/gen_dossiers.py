"""Generate a province-sized dataset of one-stop dossiers for the benchmarks.

    .venv/bin/python bench/gen_dossiers.py --dossiers 100000                      # SQLite
    .venv/bin/python bench/gen_dossiers.py \\
        --database-url postgres://postgres@127.0.0.1:5432/egov_bench_dossiers    # 1,000,000

The database is dropped and recreated: the SQLite file ``var/bench/dossiers/egov.sqlite3``,
or the PostgreSQL database of ``--database-url`` / ``BENCH_DATABASE_URL`` (created if missing;
its name must start with ``egov_bench`` so that nothing else is ever wiped).

What is written, and how
------------------------
Reference data goes through the real services, so it is valid and audited: a province with
``--agencies`` local governments (about one district per 25, each with six departments and a
one-stop centre; the rest communes, wards and towns, each with its one-stop unit) through
``organizations.services.create_agency``; about 50 procedures (30 commune-level, 8 of them
liên thông with the district; 20 district-level) with papers and 3–4 internal steps, a fifth of
them with a second version from mid-year, through ``procedures.services.save_version``;
officers with their roles through ``accounts.services``.

The dossier tables are written in bulk (``COPY`` on PostgreSQL, ``executemany`` on SQLite):
``Dossier``, ``DossierStep``, ``DossierPaper``, the result ``DossierFile`` rows,
``SupplementRequest`` and ``DeadlineChange``. A million dossiers through ``services.receive``
and the six or so transitions after it would take more than a day (each is a transaction of
15–20 ms with row locks and an audit event), so instead each dossier's life is replayed in
memory with the services' own rules: due moments from ``calendar.add_duration`` /
``effective_start`` (cut-off times, holidays, office hours), the clock paused by a supplement
and ``due_at``, ``counted_due_at`` and the active step's deadline moved by the paused working
time, form 04 moving ``due_at`` only, early / on time / late by the rule of
``services.timing_of`` against ``counted_due_at``, ``format_code`` for the codes, the same
fields set and the same ``version`` counter. The life
is cut at the moment of generation, so the state mix is what a year of work leaves: most
dossiers returned, the recent ones received or in process, some waiting for papers, some
overdue, a few results never collected. The fact tables ``DossierDailyStat``, ``OpenDueCount``
and ``OpenSnapshot`` (the nightly split of every past day) and the day sequences of the codes
(``core.Sequence``, so that a new intake today continues the numbering) are then computed from
those rows with grouped SQL counts, which is what the services' increments add up to.

Not generated: audit events (a million dossiers would need ~7 million chained events; the
audit log has its own benchmark in ``bench_core.py``), scans attached at intake, PDF forms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import queue
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SQLITE_DIR = ROOT / "var" / "bench" / "dossiers"
PG_PREFIX = "egov_bench"
PROVINCE_LETTER = "H99"  # a made-up province: codes 000.00.00.H99 …
FLUSH_EVERY = 50_000  # dossiers buffered before a COPY
TEXT_KINDS = ("CharField", "TextField", "SlugField", "EmailField", "URLField")


# --- database ----------------------------------------------------------------------------------


def _pg_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _ensure_pg_database(url: str) -> None:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    name = _pg_name(url)
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure(database_url: str | None = None, *, reset: bool) -> str:
    """Django on the benchmark database, migrated; ``reset`` drops everything first.
    Returns the vendor."""
    sys.path.insert(0, str(ROOT / "src"))
    url = database_url or os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        name = _pg_name(url)
        if not name.startswith(PG_PREFIX):
            raise SystemExit(
                f"refusing database {name!r}: benchmark databases are named {PG_PREFIX}* "
                "(they are dropped and recreated)"
            )
        _ensure_pg_database(url)
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["EGOV_VAR_DIR"] = str(SQLITE_DIR)
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    if reset:
        reset_database()
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def reset_database() -> None:
    """Drop every table of the benchmark database and migrate from scratch."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_DIR / "egov.sqlite3") + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def dossier_count() -> int:
    """Dossiers in the benchmark database (0 when there is no dataset)."""
    from egov.dossiers.models import Dossier

    return Dossier.objects.count()


def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (adapt_datetimefield_value)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


class Table:
    """Bulk writer of one model: explicit columns, every other field at its default."""

    def __init__(self, model, names: list[str], json_fields: tuple[str, ...] = ()):
        from django.db import connection

        self.model = model
        opts = model._meta
        given = [opts.get_field(n) for n in names]
        rest = [f for f in opts.concrete_fields if f.attname not in names]

        def blank_text(f) -> bool:  # a blank=True CharField / TextField: Django stores ""
            return f.blank and f.empty_strings_allowed and f.get_internal_type() in TEXT_KINDS

        for f in rest:
            if (
                not f.has_default()
                and not f.null
                and not getattr(f, "auto_now_add", False)
                and not blank_text(f)
            ):
                raise SystemExit(
                    f"{opts.label}.{f.name} has no default: teach bench/gen_dossiers.py this field"
                )
        self.defaults = tuple(
            f.get_default()
            if f.has_default() or blank_text(f)
            else (None if f.null else dt.datetime.now(dt.UTC))
            for f in rest
        )
        fields = given + rest
        quote = connection.ops.quote_name
        self.sql_columns = ", ".join(quote(f.column) for f in fields)
        self.table = quote(opts.db_table)
        self.rows: list[tuple] = []
        self.written = 0
        # SQLite stores what Django's backend would (datetimes as naive UTC text, decimals and
        # dates as text); COPY adapts the Python values natively.
        self.adapters = []
        for i, f in enumerate(fields):
            kind = f.get_internal_type()
            if f.attname in json_fields:
                continue
            if kind == "DateTimeField":
                self.adapters.append((i, _sqlite_datetime))
            elif kind in ("DateField", "DecimalField", "TimeField"):
                self.adapters.append((i, str))

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def take(self) -> list[tuple]:
        rows, self.rows = self.rows, []
        self.written += len(rows)
        return rows

    def write(self, rows: list[tuple]) -> None:
        """Insert ``rows`` on this thread's connection."""
        from django.db import connection

        if not rows:
            return
        defaults = self.defaults
        with connection.cursor() as cur:
            raw = cur.cursor
            if connection.vendor == "postgresql":
                with raw.copy(f"COPY {self.table} ({self.sql_columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + defaults)
            else:
                marks = ", ".join("?" * (len(rows[0]) + len(defaults)))
                adapters = self.adapters

                def adapted(row):
                    values = list(row + defaults)
                    for i, adapt in adapters:
                        if values[i] is not None:
                            values[i] = adapt(values[i])
                    return values

                raw.executemany(
                    f"INSERT INTO {self.table} ({self.sql_columns}) VALUES ({marks})",
                    map(adapted, rows),
                )


class Writer(threading.Thread):
    """Writes batches on its own connection while the main thread simulates the next ones."""

    def __init__(self) -> None:
        super().__init__(name="bench-writer", daemon=True)
        self.batches: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self) -> None:
        from django.db import connection, transaction

        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    # The rows are consistent by construction: skip the per-row foreign-key
                    # triggers; and nothing here needs to wait for the disk at each commit.
                    cur.execute("SET session_replication_role = replica")
                    cur.execute("SET synchronous_commit = off")
            while (batch := self.batches.get()) is not None:
                with transaction.atomic():
                    for table, rows in batch:
                        table.write(rows)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc
            while self.batches.get() is not None:
                pass
        finally:
            connection.close()

    def put(self, batch: list) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put(batch)

    def finish(self) -> None:
        self.batches.put(None)
        self.join()
        if self.error is not None:
            raise self.error


# --- reference data through the services -------------------------------------------------------

# fmt: off
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Xuân", "Hồng",
          "Kim", "Công", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm",
         "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Hoa", "Hiếu", "Thắng", "Lộc", "Nhung", "Tùng"]
PLACE_A = ["An", "Bình", "Cẩm", "Đông", "Gia", "Hòa", "Hưng", "Kim", "Long", "Minh", "Nam", "Phú",
           "Quang", "Sơn", "Tân", "Thanh", "Thịnh", "Trung", "Vân", "Xuân", "Yên", "Hợp", "Đại",
           "Bảo", "Phúc", "Lạc", "Tiên", "Văn"]
PLACE_B = ["An", "Bình", "Hà", "Hòa", "Hưng", "Lạc", "Lâm", "Lộc", "Lợi", "Phong", "Phú", "Sơn",
           "Tân", "Thành", "Thịnh", "Tiến", "Trung", "Văn", "Vinh", "Khê", "Lĩnh", "Xá", "Cương",
           "Dương", "Quang", "Nghĩa", "Điền"]

#: district departments: (unit number, name, abbreviation used by procedure steps)
DEPARTMENTS = [
    (1, "Văn phòng HĐND và UBND", "VP"),
    (3, "Phòng Tài chính - Kế hoạch", "TCKH"),
    (4, "Phòng Tư pháp", "TP"),
    (5, "Phòng Tài nguyên và Môi trường", "TNMT"),
    (6, "Phòng Kinh tế - Hạ tầng", "KTHT"),
    (8, "Phòng Lao động - Thương binh và Xã hội", "LĐTBXH"),
]

FIELDS = {
    "HT": "Hộ tịch", "CT": "Chứng thực", "DD": "Đất đai", "BTXH": "Bảo trợ xã hội",
    "NCC": "Người có công", "VH": "Văn hóa", "TG": "Tín ngưỡng, tôn giáo", "XD": "Xây dựng",
    "KD": "Thành lập và hoạt động của hộ kinh doanh", "TM": "Lưu thông hàng hóa trong nước",
    "MT": "Môi trường", "ATTP": "An toàn thực phẩm",
}

# (name, field, department abbreviation, time limit, unit, cut-off, online level, process, weight)
# process: "short" = 3 steps, "normal" = 4 steps with the leader, "higher" = liên thông with
# the district. Weights: relative number of dossiers (chứng thực and khai sinh dominate).
COMMUNE_PROCEDURES = [
    ("Đăng ký khai sinh", "HT", "TP", "1", "days", "15:00", "full", "normal", 30),
    ("Đăng ký khai tử", "HT", "TP", "1", "days", "15:00", "full", "normal", 8),
    ("Đăng ký kết hôn", "HT", "TP", "1", "days", "15:00", "partial", "normal", 8),
    ("Đăng ký nhận cha, mẹ, con", "HT", "TP", "3", "days", None, "partial", "normal", 2),
    ("Cấp giấy xác nhận tình trạng hôn nhân", "HT", "TP", "3", "days", None, "full", "normal", 12),
    ("Đăng ký lại khai sinh", "HT", "TP", "5", "days", None, "partial", "normal", 3),
    ("Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", "HT", "TP", "3", "days", None, "partial", "normal", 4),
    ("Cấp bản sao trích lục hộ tịch", "HT", "TP", "1", "days", "15:00", "full", "short", 10),
    ("Đăng ký giám hộ", "HT", "TP", "3", "days", None, "2", "normal", 1),
    ("Chứng thực bản sao từ bản chính giấy tờ, văn bản", "CT", "TP", "4", "hours", "15:00", "partial", "short", 60),
    ("Chứng thực chữ ký trong các giấy tờ, văn bản", "CT", "TP", "4", "hours", "15:00", "2", "short", 15),
    ("Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", "CT", "TP", "2", "days", None, "2", "normal", 4),
    ("Chứng thực di chúc", "CT", "TP", "2", "days", None, "2", "normal", 1),
    ("Chứng thực văn bản thỏa thuận phân chia di sản", "CT", "TP", "2", "days", None, "2", "normal", 1),
    ("Hòa giải tranh chấp đất đai", "DD", "DC", "30", "days", None, "2", "normal", 1),
    ("Xác nhận nguồn gốc, thời điểm sử dụng đất", "DD", "DC", "10", "days", None, "2", "normal", 3),
    ("Công nhận gia đình văn hóa", "VH", "VHXH", "5", "days", None, "2", "normal", 1),
    ("Đăng ký hoạt động tín ngưỡng", "TG", "VHXH", "15", "days", None, "2", "normal", 1),
    ("Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình", "BTXH", "VHXH", "5", "days", None, "partial", "normal", 2),
    ("Đăng ký thường trú cho người chưa thành niên", "HT", "TP", "3", "days", None, "full", "short", 3),
    ("Cấp giấy xác nhận thông tin về cư trú", "HT", "TP", "1", "days", "15:00", "full", "short", 5),
    ("Đăng ký khai sinh lưu động", "HT", "TP", "5", "days", None, "2", "normal", 1),
    ("Trợ cấp xã hội hằng tháng cho đối tượng bảo trợ xã hội", "BTXH", "VHXH", "22", "days", None, "partial", "higher", 3),
    ("Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", "BTXH", "VHXH", "7", "days", None, "partial", "higher", 2),
    ("Đăng ký biến động quyền sử dụng đất (nộp tại xã)", "DD", "DC", "10", "days", None, "partial", "higher", 4),
    ("Hỗ trợ người có công với cách mạng cải thiện nhà ở", "NCC", "VHXH", "20", "days", None, "2", "higher", 1),
    ("Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi", "HT", "TP", "5", "days", None, "full", "higher", 6),
    ("Liên thông đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ tử tuất", "HT", "TP", "5", "days", None, "full", "higher", 3),
    ("Giải quyết chế độ trợ cấp thờ cúng liệt sĩ", "NCC", "VHXH", "12", "days", None, "2", "higher", 1),
    ("Cấp giấy chứng nhận quyền sử dụng đất lần đầu (nộp tại xã)", "DD", "DC", "30", "days", None, "partial", "higher", 2),
]

DISTRICT_PROCEDURES = [
    ("Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu", "DD", "TNMT", "30", "days", None, "partial", "normal", 6),
    ("Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", "DD", "TNMT", "10", "days", None, "partial", "normal", 12),
    ("Chuyển mục đích sử dụng đất", "DD", "TNMT", "15", "days", None, "2", "normal", 3),
    ("Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", "KTHT", "15", "days", None, "partial", "normal", 8),
    ("Cấp giấy phép sửa chữa, cải tạo công trình", "XD", "KTHT", "15", "days", None, "2", "normal", 2),
    ("Đăng ký thành lập hộ kinh doanh", "KD", "TCKH", "3", "days", None, "full", "normal", 12),
    ("Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "KD", "TCKH", "3", "days", None, "full", "normal", 6),
    ("Tạm ngừng hoạt động hộ kinh doanh", "KD", "TCKH", "3", "days", None, "full", "short", 2),
    ("Cấp Giấy phép bán lẻ rượu", "TM", "KTHT", "10", "days", None, "partial", "normal", 2),
    ("Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "ATTP", "KTHT", "15", "days", None, "partial", "normal", 2),
    ("Đăng ký kết hôn có yếu tố nước ngoài", "HT", "TP", "10", "days", None, "partial", "normal", 1),
    ("Đăng ký khai sinh có yếu tố nước ngoài", "HT", "TP", "3", "days", None, "partial", "normal", 1),
    ("Chứng thực bản sao từ bản chính giấy tờ do cơ quan nước ngoài cấp", "CT", "TP", "1", "days", "15:00", "partial", "short", 6),
    ("Chứng thực chữ ký người dịch", "CT", "TP", "1", "days", "15:00", "2", "short", 3),
    ("Thay đổi, cải chính hộ tịch cho người từ đủ 14 tuổi trở lên", "HT", "TP", "3", "days", None, "partial", "normal", 1),
    ("Giải quyết chế độ trợ cấp một lần đối với người có công", "NCC", "LĐTBXH", "12", "days", None, "2", "normal", 2),
    ("Xác nhận đăng ký kế hoạch bảo vệ môi trường", "MT", "TNMT", "10", "days", None, "partial", "normal", 2),
    ("Thu hồi Giấy chứng nhận đăng ký hộ kinh doanh", "KD", "TCKH", "5", "days", None, "full", "short", 1),
    ("Cấp Giấy phép kinh doanh dịch vụ karaoke", "VH", "VP", "5", "days", None, "partial", "normal", 1),
    ("Đăng ký khai thác, sử dụng nước mặt", "MT", "TNMT", "15", "days", None, "2", "normal", 1),
]

PAPERS = [
    ("Tờ khai, đơn đề nghị theo mẫu", "original", True),
    # every paper kind of the catalog may appear; DossierPaper.kind holds the longest label
    ("Giấy tờ tùy thân của người nộp (xuất trình bản chính)", "copy", True),
    ("Giấy tờ chứng minh nội dung đề nghị", "certified_copy", True),
    ("Văn bản ủy quyền (nếu nộp thay)", "certified_copy", False),
]
# fmt: on

STEP_TEXT = {
    "receive": "Tiếp nhận, kiểm tra hồ sơ",
    "examine": "Thẩm định, xử lý hồ sơ",
    "approve": "Phê duyệt, ký kết quả",
    "higher": "Xử lý liên thông tại UBND cấp huyện",
    "return": "Trả kết quả",
}


def _q(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def process_steps(kind: str, limit: Decimal, unit: str, department: str) -> list[dict]:
    """The internal process of a procedure: 3 or 4 steps whose shares add up to the limit."""
    edge = _q(min(Decimal("0.5"), limit / 8)) if unit == "days" else _q(limit / 8)
    if kind == "short":
        return [
            {"name": STEP_TEXT["receive"], "unit": "onestop", "role": "onestop", "duration": edge},
            {
                "name": STEP_TEXT["examine"],
                "unit": "department",
                "department_abbreviation": department,
                "role": "specialist",
                "duration": limit - 2 * edge,
            },
            {"name": STEP_TEXT["return"], "unit": "onestop", "role": "onestop", "duration": edge},
        ]
    if kind == "higher":
        local = _q((limit - 2 * edge) * Decimal("0.3"))
        return [
            {"name": STEP_TEXT["receive"], "unit": "onestop", "role": "onestop", "duration": edge},
            {
                "name": STEP_TEXT["examine"],
                "unit": "department",
                "department_abbreviation": department,
                "role": "specialist",
                "duration": local,
            },
            {
                "name": STEP_TEXT["higher"],
                "unit": "higher",
                "role": "specialist",
                "duration": limit - 2 * edge - local,
            },
            {"name": STEP_TEXT["return"], "unit": "onestop", "role": "onestop", "duration": edge},
        ]
    leader = edge if limit < 5 or unit == "hours" else Decimal("1.00")
    return [
        {"name": STEP_TEXT["receive"], "unit": "onestop", "role": "onestop", "duration": edge},
        {
            "name": STEP_TEXT["examine"],
            "unit": "department",
            "department_abbreviation": department,
            "role": "specialist",
            "duration": limit - 2 * edge - leader,
        },
        {"name": STEP_TEXT["approve"], "unit": "government", "role": "leader", "duration": leader},
        {"name": STEP_TEXT["return"], "unit": "onestop", "role": "onestop", "duration": edge},
    ]


@dataclass
class Version:
    id: int
    procedure_id: int
    level: str
    name: str
    effective_from: dt.date
    effective_to: dt.date | None
    limit: Decimal
    unit: str
    cutoff: dt.time | None
    online: str
    papers: list[tuple]  # (order, name, kind label, count, required)
    steps: list[tuple]  # (order, name, unit, department abbreviation, role, duration)
    weight: float


@dataclass
class Government:
    id: int
    code: str
    level: str  # procedure level it handles: "district" or "commune"
    intake_id: int
    parent_gov_id: int | None
    departments: dict[str, int] = field(default_factory=dict)
    weight: float = 1.0
    address: str = ""


@dataclass
class World:
    governments: list[Government]
    versions: dict[str, list[Version]]
    officers: dict[tuple[int, str], list[int]]
    province_leader: int
    all_agency_ids: list[int]


def _place_names(n: int, rng: random.Random) -> list[str]:
    names = [f"{a} {b}" for a in PLACE_A for b in PLACE_B if a != b]
    rng.shuffle(names)
    while len(names) < n:
        names += [f"{x} {len(names) // len(PLACE_A)}" for x in names[: n - len(names)]]
    return names[:n]


def build_reference(n_governments: int, rng: random.Random, log) -> World:
    """Agencies, procedures and officers, through the services, in one transaction."""
    from django.db import transaction

    from egov.accounts import services as accounts
    from egov.organizations import services as orgs
    from egov.procedures import services as procs

    start = time.perf_counter()
    n_districts = max(1, round(n_governments / 25))
    n_communes = max(1, n_governments - n_districts)
    places = _place_names(n_districts + n_communes, rng)
    governments: list[Government] = []
    officers: dict[tuple[int, str], list[int]] = defaultdict(list)
    user_no = 0

    def staff(agency_id: int, role: str, count: int, title: str) -> None:
        nonlocal user_no
        for _ in range(count):
            user_no += 1
            user = accounts.create_officer(
                f"cb{user_no:05d}",
                None,
                full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                position=title,
            )
            accounts.grant_role(user, agency_by_id[agency_id], role)
            officers[(agency_id, role)].append(user.pk)

    agency_by_id: dict[int, object] = {}

    def agency(**kw):
        a = orgs.create_agency(**kw)
        agency_by_id[a.pk] = a
        return a

    with transaction.atomic():
        province = agency(
            kind="province",
            name="UBND tỉnh Mẫu (dữ liệu đo hiệu năng)",
            short_name="Tỉnh Mẫu",
            code=f"000.00.00.{PROVINCE_LETTER}",
        )
        staff(province.pk, "leader", 1, "Lãnh đạo UBND tỉnh")
        province_leader = officers[(province.pk, "leader")][0]
        districts = []
        for d in range(1, n_districts + 1):
            name = places[d - 1]
            gov = agency(
                kind="district",
                name=f"UBND huyện {name}",
                short_name=f"Huyện {name}",
                code=f"000.00.{d:02d}.{PROVINCE_LETTER}",
                parent=province,
            )
            onestop = agency(
                kind="onestop",
                name=f"Bộ phận Tiếp nhận và Trả kết quả huyện {name}",
                abbreviation="BPMC",
                code=f"000.13.{d:02d}.{PROVINCE_LETTER}",
                parent=gov,
            )
            g = Government(gov.pk, gov.code, "district", onestop.pk, None, weight=6.0)
            for number, dept_name, abbr in DEPARTMENTS:
                dept = agency(
                    kind="department",
                    name=f"{dept_name} huyện {name}",
                    abbreviation=abbr,
                    code=f"000.{number:02d}.{d:02d}.{PROVINCE_LETTER}",
                    parent=gov,
                )
                g.departments[abbr] = dept.pk
                staff(dept.pk, "specialist", 3, f"Chuyên viên {dept_name}")
                staff(dept.pk, "leader", 1, f"Trưởng {dept_name}")
            staff(gov.pk, "leader", 2, "Lãnh đạo UBND huyện")
            staff(gov.pk, "specialist", 3, "Chuyên viên Văn phòng HĐND và UBND huyện")
            staff(onestop.pk, "onestop", 4, "Công chức Bộ phận một cửa huyện")
            governments.append(g)
            districts.append((gov, name))
        for c in range(n_communes):
            parent, district_name = districts[c % n_districts]
            number = c // n_districts + 1
            name = places[n_districts + c]
            kind = "town" if number == 1 else ("ward" if number % 8 == 0 else "commune")
            label = {"town": "thị trấn", "ward": "phường", "commune": "xã"}[kind]
            gov = agency(
                kind=kind,
                name=f"UBND {label} {name}",
                short_name=f"{label.capitalize()} {name}",
                code=f"{number:03d}.00.{parent.code[7:9]}.{PROVINCE_LETTER}",
                parent=parent,
            )
            onestop = agency(
                kind="onestop",
                name=f"Bộ phận một cửa {label} {name}",
                abbreviation="BPMC",
                code=f"{number:03d}.01.{parent.code[7:9]}.{PROVINCE_LETTER}",
                parent=gov,
            )
            g = Government(
                gov.pk,
                gov.code,
                "commune",
                onestop.pk,
                parent.pk,
                weight=rng.lognormvariate(0, 0.45),
                address=f"{label.capitalize()} {name}, huyện {district_name}",
            )
            staff(gov.pk, "leader", 1, f"Chủ tịch UBND {label}")
            staff(gov.pk, "specialist", 2, "Công chức Tư pháp - Hộ tịch")
            staff(onestop.pk, "onestop", 2, "Công chức Văn phòng - Thống kê")
            governments.append(g)

        versions: dict[str, list[Version]] = {"commune": [], "district": []}
        fields = {code: procs.get_or_create_field(code, name) for code, name in FIELDS.items()}
        first_day = dt.date(2021, 1, 1)
        change_day = dt.date.today() - dt.timedelta(days=180)
        catalog = [("commune", p) for p in COMMUNE_PROCEDURES] + [
            ("district", p) for p in DISTRICT_PROCEDURES
        ]
        for i, (level, (name, fcode, dept, limit, unit, cutoff, online, kind, _w)) in enumerate(
            catalog, 1
        ):
            national_code = f"1.9{i:05d}"
            limit = Decimal(limit)
            days = [(first_day, limit)]
            if i % 5 == 0 and limit > 2:
                # a fifth of the catalog changed mid-year (a new decision shortened the limit)
                days.append((change_day, limit - 1))
            for j, (effective_from, lim) in enumerate(days):
                procs.save_version(
                    national_code,
                    field=fields[fcode],
                    effective_from=effective_from,
                    name=name,
                    level=level,
                    online_level=online,
                    processing_time=lim,
                    time_unit=unit,
                    cutoff_time=dt.time.fromisoformat(cutoff) if cutoff else None,
                    legal_basis="Dữ liệu đo hiệu năng",
                    result_type="Giấy tờ, văn bản kết quả",
                    papers=[
                        {"name": n, "kind": k, "required": r}
                        for n, k, r in PAPERS[: 3 + (i + j) % 2]
                    ],
                    steps=process_steps(kind, lim, unit, dept),
                )
        from egov.procedures.models import ProcedureVersion

        for v in (
            ProcedureVersion.objects.select_related("procedure")
            .prefetch_related("papers", "steps")
            .order_by("procedure__national_code", "effective_from")
        ):
            weight = next(
                p[-1]
                for lvl, p in catalog
                if p[0] == v.name and lvl == v.level  # noqa: B023
            )
            versions[v.level].append(
                Version(
                    id=v.pk,
                    procedure_id=v.procedure_id,
                    level=v.level,
                    name=v.name,
                    effective_from=v.effective_from,
                    effective_to=v.effective_to,
                    limit=v.processing_time,
                    unit=v.time_unit,
                    cutoff=v.cutoff_time,
                    online=v.online_level,
                    papers=[
                        (p.order, p.name, str(p.get_kind_display()), p.count, p.required)
                        for p in v.papers.all()
                    ],
                    steps=[
                        (s.order, s.name, s.unit, s.department_abbreviation, s.role, s.duration)
                        for s in v.steps.all()
                    ],
                    weight=weight,
                )
            )
    log(
        f"reference data through the services: {len(agency_by_id)} agencies "
        f"({n_districts} districts, {n_communes} communes), "
        f"{sum(len(v) for v in versions.values())} procedure versions, {user_no} officers "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return World(governments, versions, dict(officers), province_leader, list(agency_by_id))


# --- one dossier's life ------------------------------------------------------------------------

WORK_MIX = (  # share of a step's allotted time actually used: (probability, low, high)
    (0.60, 0.05, 0.6),
    (0.33, 0.6, 1.0),
    (0.05, 1.0, 2.0),
    (0.02, 2.0, 6.0),
)
P_REFUSED = 0.012
P_WITHDRAWN = 0.005
P_STOPPED = 0.003
P_SUPPLEMENT = 0.06
P_NEVER_RESUMED = 0.2
P_EXTENDED = 0.3  # of the dossiers that run late
P_NOT_COLLECTED = 0.015
P_ASSIGNED = 0.85  # hand-overs that name the receiving officer
SUPPLEMENT_REASONS = (
    "Thiếu bản sao chứng thực giấy tờ chứng minh nội dung đề nghị",
    "Tờ khai chưa ghi đủ thông tin, đề nghị bổ sung",
    "Cần bổ sung văn bản ủy quyền có chứng thực",
)


# positions in a step record (the DossierStep columns after id and dossier_id)
AGENCY, ROLE, DURATION, STATE, ASSIGNEE, STARTED, DUE, DONE_AT, FROM, DONE_BY, TIMING = (
    2,
    3,
    4,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
)


class Simulator:
    """Replays one dossier's life with the services' rules, cut at ``now``."""

    def __init__(self, world: World, now: dt.datetime, rng: random.Random, tables: dict):
        from django.conf import settings

        from egov.core import calendar
        from egov.dossiers import services
        from egov.dossiers.regulations import regulation_on

        self.world = world
        self.now = now
        self.rng = rng
        self.t = tables
        self.cal = calendar.get_calendar()
        self.add_duration = calendar.add_duration
        self.effective_start = calendar.effective_start
        self.services_timing_of = services.timing_of
        self.format_code = services.format_code
        self.regulation_on = regulation_on
        self.tz = self.cal.tz
        self.day_hours = self.cal.hours.daily_total.total_seconds() / 3600
        self.code_format = settings.EGOV_DOSSIER_CODE_FORMAT
        self.gov_by_id = {g.id: g for g in world.governments}
        self.step_agencies: dict[tuple[int, int], list[int]] = {}
        self.sequences: Counter = Counter()
        self.ids = Counter()
        self.states: Counter = Counter()
        self.late_open = 0

    def timing_of(self, done_at: dt.datetime, due_at: dt.datetime) -> str:
        """``services.timing_of`` with the calendar's zone bound once (the same rule: late
        after the due moment, early before the due day, otherwise on time)."""
        if done_at > due_at:
            return "late"
        tz = self.tz
        if done_at.astimezone(tz).date() < due_at.astimezone(tz).date():
            return "early"
        return "on_time"

    def check_timing_rule(self) -> None:
        """Guard against drift from the services' rule."""
        base = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
        for hours in (-30, -5, -1, 0, 1, 5, 30):
            done = base + dt.timedelta(hours=hours)
            assert self.timing_of(done, base) == self.services_timing_of(done, base), hours

    def _next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _agencies_of(self, gov: Government, version: Version) -> list[int]:
        """resolve_step_agency, once per (government, version)."""
        key = (gov.id, version.id)
        found = self.step_agencies.get(key)
        if found is None:
            found = []
            for _order, _name, unit, dept, _role, _dur in version.steps:
                if unit == "onestop":
                    found.append(gov.intake_id)
                elif unit == "department" and dept:
                    found.append(gov.departments.get(dept, gov.id))
                elif unit == "higher" and gov.parent_gov_id:
                    found.append(gov.parent_gov_id)
                else:
                    found.append(gov.id)
            self.step_agencies[key] = found
        return found

    def _officer(self, agency_id: int, role: str) -> int | None:
        people = self.world.officers.get((agency_id, role)) or self.world.officers.get(
            (agency_id, "leader")
        )
        return self.rng.choice(people) if people else None

    def _work_hours(self, duration: Decimal, unit: str) -> float:
        allotted = float(duration) * (self.day_hours if unit == "days" else 1.0)
        r = self.rng.random()
        for p, lo, hi in WORK_MIX:
            if r < p:
                return max(0.05, allotted * self.rng.uniform(lo, hi))
            r -= p
        return allotted

    def _applicant(self) -> tuple:
        rng = self.rng
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        phone = f"0{rng.choice('35789')}{rng.randrange(10**8):08d}"
        if rng.random() < 0.9:
            id_number = f"0{rng.randrange(1, 97):02d}{rng.choice('0123')}{rng.randrange(10**8):08d}"
            return ("person", name, id_number, "", phone)
        org = f"Công ty TNHH {rng.choice(PLACE_A)} {rng.choice(PLACE_B)}"
        return ("organisation", org, "", f"{rng.randrange(10**9, 10**10)}", phone)

    def dossier(self, gov: Government, version: Version, received_at: dt.datetime) -> None:
        rng = self.rng
        now = self.now
        cal = self.cal
        t = self.t
        day = received_at.astimezone(self.tz).date()
        did = self._next_id("dossier")
        onestop = self._officer(gov.intake_id, "onestop")
        kind, name, id_number, tax_code, phone = self._applicant()
        online = version.online != "2"
        r = rng.random()
        channel = "online" if online and r < 0.35 else ("post" if r > 0.97 else "counter")
        r = rng.random()
        return_method = "post" if r < 0.08 else ("online" if online and r > 0.95 else "counter")
        papers = version.papers
        regulation = self.regulation_on(day).code
        address = f"Thôn {rng.randint(1, 12)}, {gov.address}" if gov.address else ""

        def paper_rows(ticked_all: bool) -> None:
            for order, pname, pkind, count, required in papers:
                t["paper"].add(
                    (
                        self._next_id("paper"),
                        did,
                        order,
                        pname,
                        pkind,
                        count,
                        required,
                        required or ticked_all or rng.random() < 0.3,
                    )
                )

        if rng.random() < P_REFUSED:  # refuse_intake: no code, no deadline, no steps
            t["dossier"].add(
                (
                    did, None, "", gov.id, gov.intake_id, version.id, version.procedure_id,
                    regulation, "refused", channel, return_method, kind, name, id_number,
                    tax_code, phone, "", address, None, version.name, received_at, None, None,
                    None, None, None, None, None, "", "", "", "",
                    "Hồ sơ không thuộc thẩm quyền giải quyết hoặc giấy tờ không hợp lệ",
                    onestop, received_at, 1,
                )
            )  # fmt: skip
            paper_rows(False)
            self.states["refused"] += 1
            return

        self.sequences[(gov.code, day)] += 1
        code = self.format_code(gov.code, day, self.sequences[(gov.code, day)])
        counted_from = self.effective_start(received_at, version.cutoff)
        due = original_due = counted = self.add_duration(
            received_at, version.limit, version.unit, version.cutoff
        )
        agencies = self._agencies_of(gov, version)
        steps = [
            [order, sname, agencies[i], role, dur, version.unit, unit == "higher", "pending",
             None, None, None, None, None, None, "", ""]
            for i, (order, sname, unit, _dept, role, dur) in enumerate(version.steps)
        ]  # fmt: skip
        first = steps[0]
        first[STATE], first[STARTED] = "active", received_at
        first[DUE] = self.add_duration(received_at, first[DURATION], version.unit)
        first[ASSIGNEE] = onestop if first[AGENCY] == gov.intake_id else None
        state, version_no = "received", 1
        paused_at = resolved_at = returned_at = None
        timing = result_file = returned_to = closing_reason = ""
        last = len(steps) - 1
        return_step = last if (last > 0 and steps[last][AGENCY] == gov.intake_id) else None

        # what will happen to this dossier (decided up front, then cut at "now")
        r = rng.random()
        close_kind = (
            "withdrawn" if r < P_WITHDRAWN else ("stopped" if r < P_WITHDRAWN + P_STOPPED else None)
        )
        close_at = None
        if close_kind:
            close_at = cal.add_working_hours(
                received_at,
                rng.uniform(0.5, 1.0) * float(version.limit) * self.day_hours
                if version.unit == "days"
                else rng.uniform(0.3, 1.0) * float(version.limit),
            )
        supplement_step = (
            min(1, last) if rng.random() < P_SUPPLEMENT and return_step != min(1, last) else None
        )
        extend = rng.random() < P_EXTENDED

        def close(at: dt.datetime, new_state: str, reason: str, by: int | None) -> None:
            nonlocal state, closing_reason, resolved_at, paused_at, version_no
            for s in steps:
                if s[STATE] in ("active", "pending"):
                    s[STATE] = "skipped"
            state, closing_reason, resolved_at, paused_at = new_state, reason, at, None
            version_no += 1

        i = 0
        while True:
            step = steps[i]
            work = self._work_hours(step[DURATION], version.unit)
            worker = step[ASSIGNEE] or self._officer(step[AGENCY], step[ROLE])
            end = cal.add_working_hours(step[STARTED], work)
            if supplement_step == i:
                requested = cal.add_working_hours(step[STARTED], work * rng.uniform(0.1, 0.6))
                if requested > now or (close_at and close_at < requested):
                    pass  # the cut or a closing comes first
                else:
                    state, paused_at, version_no = "supplement", requested, version_no + 1
                    sid = self._next_id("supplement")
                    reason = rng.choice(SUPPLEMENT_REASONS)
                    papers_json = json.dumps([papers[-1][1]], ensure_ascii=False)
                    if rng.random() < P_NEVER_RESUMED:
                        t["supplement"].add(
                            (sid, did, requested, worker, reason, papers_json, None, None)
                        )
                        # the applicant never came back: the leader stops it after a month
                        stop_at = cal.add_working_hours(requested, 22 * self.day_hours)
                        if stop_at <= now and rng.random() < 0.6:
                            close(
                                stop_at,
                                "stopped",
                                "Quá thời hạn bổ sung hồ sơ theo phiếu yêu cầu",
                                self._officer(gov.id, "leader"),
                            )
                        break
                    resumed = cal.add_working_hours(requested, rng.uniform(2, 60))
                    if resumed > now:
                        t["supplement"].add(
                            (sid, did, requested, worker, reason, papers_json, None, None)
                        )
                        break
                    t["supplement"].add(
                        (sid, did, requested, worker, reason, papers_json, resumed, onestop)
                    )
                    paused = cal.working_time_between(requested, resumed)
                    old_due = due
                    if paused:
                        due = cal.add_working_hours(old_due, paused)
                        counted = cal.add_working_hours(counted, paused)
                        if step[DUE] is not None:
                            step[DUE] = cal.add_working_hours(step[DUE], paused)
                    if due != old_due:
                        t["change"].add(
                            (self._next_id("change"), did, resumed, onestop, old_due, due,
                             "Tạm dừng chờ bổ sung hồ sơ", "pause")
                        )  # fmt: skip
                    state = "in_process" if i > 0 else "received"
                    paused_at, version_no = None, version_no + 1
                    end = cal.add_working_hours(resumed, work * rng.uniform(0.4, 0.9))
                    if close_at is not None and close_at < resumed:
                        close_at = resumed
            if close_at is not None and close_at <= end:
                if close_at <= now:
                    by = onestop if close_kind == "withdrawn" else self._officer(gov.id, "leader")
                    reason = (
                        "Người nộp đề nghị rút hồ sơ"
                        if close_kind == "withdrawn"
                        else "Hồ sơ không đủ điều kiện giải quyết theo quy định"
                    )
                    close(close_at, close_kind, reason, by)
                break
            nxt = i + 1 if i < last else None
            becomes_ready = nxt is None or nxt == return_step
            if (
                becomes_ready is False
                and extend
                and end > due
                and step[STARTED] < due
                and state in ("received", "in_process")
            ):
                # form 04 before the due moment passes: a new due date a few working days on
                at = cal.add_working_hours(
                    step[STARTED], cal.working_time_between(step[STARTED], due) / 2
                )
                if at <= now:
                    new_due = cal.add_working_days(due, rng.randint(2, 5))
                    t["change"].add(
                        (self._next_id("change"), did, at, self._officer(gov.id, "leader") or worker,
                         due, new_due, "Hồ sơ cần xác minh thêm, xin lỗi và hẹn lại ngày trả kết quả",
                         "apology")
                    )  # fmt: skip
                    due, version_no = new_due, version_no + 1
                extend = False
            if end > now:
                break
            if becomes_ready:
                # attach_result, then the hand-over that makes the result ready
                result_file = f"dossiers/results/{end.astimezone(self.tz):%Y/%m/%d}/{did:010x}{rng.getrandbits(64):016x}.pdf"
                t["file"].add(
                    (self._next_id("file"), did, None, "result", result_file,
                     f"ket-qua-{code}.pdf", rng.randint(40_000, 400_000),
                     f"{rng.getrandbits(256):064x}", "pdf", worker, end)
                )  # fmt: skip
                version_no += 1
            step[STATE], step[DONE_AT], step[DONE_BY] = "done", end, worker
            step[TIMING] = self.timing_of(end, step[DUE]) if step[DUE] else "on_time"
            version_no += 1
            if nxt is not None:
                n = steps[nxt]
                n[STATE], n[STARTED], n[FROM] = "active", end, worker
                n[DUE] = self.add_duration(end, n[DURATION], version.unit)
                if n[AGENCY] == gov.intake_id and nxt == return_step:
                    n[ASSIGNEE] = onestop
                elif rng.random() < P_ASSIGNED:
                    n[ASSIGNEE] = self._officer(n[AGENCY], n[ROLE])
            if becomes_ready:
                state, resolved_at = "result_ready", end
                timing = self.timing_of(end, counted)  # form 04 does not excuse lateness
                if rng.random() < P_NOT_COLLECTED:
                    break
                at = cal.add_working_hours(end, rng.expovariate(1 / 3))  # mean 3 working hours
                if at > now:
                    break
                if nxt is not None:
                    n = steps[nxt]
                    n[STATE], n[DONE_AT], n[DONE_BY] = "done", at, n[ASSIGNEE] or onestop
                    n[TIMING] = self.timing_of(at, n[DUE])
                state, returned_at, version_no = "returned", at, version_no + 1
                returned_to = name if kind == "person" else f"Người đại diện {name}"
                break
            state = "in_process"
            i = nxt

        if state in ("received", "in_process", "supplement") and counted < now:
            self.late_open += 1
        self.states[state] += 1
        t["dossier"].add(
            (
                did, code, f"{rng.randrange(10**6):06d}", gov.id, gov.intake_id, version.id,
                version.procedure_id, regulation, state, channel, return_method, kind, name,
                id_number, tax_code, phone, "", address, None, version.name, received_at,
                counted_from, original_due, due, counted, paused_at, resolved_at, returned_at,
                timing,
                result_file, "", returned_to, closing_reason, onestop, received_at, version_no,
            )
        )  # fmt: skip
        paper_rows(True)
        step_table = t["step"]
        for s in steps:
            step_table.add((self._next_id("step"), did, *s))


DOSSIER_COLUMNS = [
    "id", "code", "pin", "agency_id", "intake_agency_id", "procedure_version_id", "procedure_id",
    "regulation", "state", "channel", "return_method", "applicant_kind", "applicant_name",
    "applicant_id_number", "applicant_tax_code", "applicant_phone", "applicant_email",
    "applicant_address", "citizen_id", "subject", "received_at", "counted_from",
    "original_due_at", "due_at", "counted_due_at", "paused_at", "resolved_at", "returned_at",
    "timing",
    "result_file", "result_note", "returned_to", "closing_reason", "created_by_id", "created_at",
    "version",
]  # fmt: skip
STEP_COLUMNS = [
    "id", "dossier_id", "order", "name", "agency_id", "role", "duration", "time_unit",
    "is_transfer", "state",
    "assignee_id", "started_at", "due_at", "completed_at", "received_from_id", "completed_by_id",
    "timing", "note",
]  # fmt: skip


def _tables() -> dict:
    from egov.dossiers.models import (
        DeadlineChange,
        Dossier,
        DossierFile,
        DossierPaper,
        DossierStep,
        SupplementRequest,
    )

    return {
        "dossier": Table(Dossier, DOSSIER_COLUMNS),
        "step": Table(DossierStep, STEP_COLUMNS),
        "paper": Table(
            DossierPaper,
            ["id", "dossier_id", "order", "name", "kind", "count", "required", "received"],
        ),
        "file": Table(
            DossierFile,
            [
                "id",
                "dossier_id",
                "paper_id",
                "purpose",
                "storage_name",
                "original_name",
                "size",
                "sha256",
                "kind",
                "uploaded_by_id",
                "uploaded_at",
            ],
        ),  # fmt: skip
        "supplement": Table(
            SupplementRequest,
            [
                "id",
                "dossier_id",
                "requested_at",
                "requested_by_id",
                "reason",
                "papers",
                "resumed_at",
                "resumed_by_id",
            ],
            json_fields=("papers",),
        ),  # fmt: skip
        "change": Table(
            DeadlineChange,
            [
                "id",
                "dossier_id",
                "changed_at",
                "changed_by_id",
                "old_due_at",
                "new_due_at",
                "reason",
                "kind",
            ],
        ),  # fmt: skip
    }


# --- indexes: dropped during the load, rebuilt after (PostgreSQL) ------------------------------


def _drop_secondary_indexes(tables: list[str]) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [tables],
        )
        found = cur.fetchall()
        for name, _ in found:
            cur.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _fill_facts(log, today: dt.date) -> None:
    """DossierDailyStat, OpenDueCount and OpenSnapshot, from the rows just written."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from egov.dossiers.models import (
        OPEN_STATES,
        Dossier,
        DossierDailyStat,
        OpenDueCount,
        OpenSnapshot,
        State,
    )
    from egov.dossiers.services import PAUSED_DAY

    start = time.perf_counter()
    stats: dict[tuple[int, dt.date], Counter] = defaultdict(Counter)

    def add(qs, key_field: str, column_of):
        for row in (
            qs.annotate(day=TruncDate(key_field))
            .values("agency_id", "day", *column_of[0])
            .annotate(n=Count("id"))
            .order_by()
        ):
            stats[(row["agency_id"], row["day"])][column_of[1](row)] += row["n"]

    with_code = Dossier.objects.exclude(code=None)
    add(with_code, "received_at", (("channel",), lambda r: f"received_{r['channel']}"))
    add(Dossier.objects.filter(state="refused"), "received_at", ((), lambda r: "refused"))
    add(
        with_code.exclude(timing=""),
        "resolved_at",
        (("timing",), lambda r: f"resolved_{r['timing']}"),
    )
    add(
        Dossier.objects.filter(state__in=["stopped", "withdrawn"]),
        "resolved_at",
        ((), lambda r: "closed_without_result"),
    )
    add(Dossier.objects.filter(state="returned"), "returned_at", ((), lambda r: "returned"))
    DossierDailyStat.objects.bulk_create(
        [DossierDailyStat(agency_id=a, day=d, **counts) for (a, d), counts in stats.items()],
        batch_size=5000,
    )

    # OpenDueCount: a row for every (agency, day) the services would have touched — the first
    # counted due day and where pauses moved it (form 04 moves only the displayed due_at) —
    # holding the dossiers open now.
    due_days: dict[tuple[int, dt.date], int] = {}
    for key_field in ("original_due_at", "counted_due_at"):
        for a, d in (
            with_code.annotate(day=TruncDate(key_field)).values_list("agency_id", "day").distinct()
        ):
            due_days.setdefault((a, d), 0)
    paused = (
        with_code.filter(state=State.SUPPLEMENT)
        .values("agency_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in paused:  # waiting for papers: the clock is paused, counted in the paused bucket
        due_days[(row["agency_id"], PAUSED_DAY)] = row["n"]
    for row in (
        with_code.filter(state__in=OPEN_STATES)
        .exclude(state=State.SUPPLEMENT)
        .annotate(day=TruncDate("counted_due_at"))
        .values("agency_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    ):
        due_days[(row["agency_id"], row["day"])] = row["n"]
    OpenDueCount.objects.bulk_create(
        [OpenDueCount(agency_id=a, due_day=d, count=n) for (a, d), n in due_days.items()],
        batch_size=5000,
    )
    snapshots = _snapshots(with_code, today)
    OpenSnapshot.objects.bulk_create(snapshots, batch_size=5000)
    log(
        f"fact tables from SQL aggregates: {len(stats):,} daily stat rows, "
        f"{len(due_days):,} open-due rows, {len(snapshots):,} nightly snapshots "
        f"in {time.perf_counter() - start:.1f} s"
    )


def _snapshots(with_code, today: dt.date) -> list:
    """``OpenSnapshot`` of every past night, as ``statistics.take_snapshot`` would have written
    it: open at the end of day D = received by D and not resolved by D; overdue when its
    counted due day is D or before. Built from four grouped counts and running sums."""
    from django.db.models import Count
    from django.db.models.functions import Greatest, TruncDate

    from egov.dossiers.models import OpenSnapshot

    delta: dict[int, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))

    def add(qs, day_expr, slot: int, sign: int) -> None:
        for row in (
            qs.annotate(day=day_expr).values("agency_id", "day").annotate(n=Count("id")).order_by()
        ):
            delta[row["agency_id"]][row["day"]][slot] += sign * row["n"]

    closed = with_code.exclude(resolved_at=None)
    add(with_code, TruncDate("received_at"), 0, +1)
    add(closed, TruncDate("resolved_at"), 0, -1)
    add(with_code, TruncDate("counted_due_at"), 1, +1)
    add(closed, TruncDate(Greatest("counted_due_at", "resolved_at")), 1, -1)
    rows = []
    for agency_id, days in delta.items():
        first = min(days)
        open_now = overdue = 0
        day = first
        while day < today:
            change = days.get(day)
            if change:
                open_now += change[0]
                overdue += change[1]
            if open_now or overdue:
                rows.append(
                    OpenSnapshot(
                        agency_id=agency_id, day=day, on_time=open_now - overdue, overdue=overdue
                    )
                )
            day += dt.timedelta(days=1)
    return rows


def _log(*args) -> None:
    print(*args, flush=True)


def generate(
    n_dossiers: int = 1_000_000,
    n_agencies: int = 100,
    *,
    seed: int = 2026,
    days: int = 365,
    log=_log,
) -> dict:
    """Write the dataset into the configured (empty, migrated) database."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from egov.core.models import Sequence
    from egov.dossiers.models import (
        DeadlineChange,
        Dossier,
        DossierFile,
        DossierPaper,
        DossierStep,
        SupplementRequest,
    )

    began = time.perf_counter()
    rng = random.Random(seed)
    world = build_reference(n_agencies, rng, log)
    now = timezone.now()
    tables = _tables()
    sim = Simulator(world, now, rng, tables)
    cal = sim.cal
    postgres = connection.vendor == "postgresql"
    models = [Dossier, DossierStep, DossierPaper, DossierFile, SupplementRequest, DeadlineChange]
    index_defs: list[str] = []
    if postgres:
        index_defs = _drop_secondary_indexes([m._meta.db_table for m in models])
    sim.check_timing_rule()
    writer = Writer()
    writer.start()

    # The year: working days up to yesterday (local), busier on Mondays, quieter on Fridays.
    today = timezone.localdate(now)
    work_days = [
        today - dt.timedelta(days=k)
        for k in range(days, 0, -1)
        if cal.is_working_day(today - dt.timedelta(days=k))
    ]
    day_weight = [
        (1.25 if d.weekday() == 0 else 0.9 if d.weekday() == 4 else 1.0) for d in work_days
    ]
    gov_weight = [g.weight for g in world.governments]
    total_weight = sum(day_weight) * sum(gov_weight)
    plan: list[list[int]] = []
    remainders = []
    assigned = 0
    for di, dw in enumerate(day_weight):
        row = []
        for gi, gw in enumerate(gov_weight):
            exact = n_dossiers * dw * gw / total_weight
            whole = int(exact)
            row.append(whole)
            assigned += whole
            remainders.append((exact - whole, di, gi))
        plan.append(row)
    remainders.sort(reverse=True)
    for _, di, gi in remainders[: n_dossiers - assigned]:
        plan[di][gi] += 1

    opening = cal.hours.opening
    day_hours = sim.day_hours
    cum_weights = {
        level: list(itertools.accumulate(v.weight for v in versions))
        for level, versions in world.versions.items()
    }
    log(
        f"generating {n_dossiers:,} dossiers over {len(work_days)} working days "
        f"({work_days[0]:%d/%m/%Y}–{work_days[-1]:%d/%m/%Y}) at {len(world.governments)} governments"
    )
    done = 0
    next_report = FLUSH_EVERY
    gen_start = time.perf_counter()

    def flush() -> None:
        writer.put([(table, table.take()) for table in tables.values()])

    for di, d in enumerate(work_days):
        opens_at = dt.datetime.combine(d, dt.time(), tzinfo=sim.tz) + opening
        todays = [
            (cal.add_working_hours(opens_at, rng.random() * day_hours), gi)
            for gi, count in enumerate(plan[di])
            for _ in range(count)
        ]
        todays.sort()
        for received_at, gi in todays:
            gov = world.governments[gi]
            versions = world.versions[gov.level]
            while True:
                v = rng.choices(versions, cum_weights=cum_weights[gov.level])[0]
                if v.effective_from <= d and (v.effective_to is None or d <= v.effective_to):
                    break
            sim.dossier(gov, v, received_at)
        done += len(todays)
        if done >= next_report or di == len(work_days) - 1:
            flush()
            elapsed = time.perf_counter() - gen_start
            log(
                f"  {done:>9,} dossiers  {tables['step'].written:>10,} steps  "
                f"{elapsed:6.1f} s  ({done / elapsed:,.0f} dossiers/s)"
            )
            next_report = done + FLUSH_EVERY

    writer.finish()
    with transaction.atomic():
        Sequence.objects.bulk_create(
            [
                Sequence(scope=f"dossier:{code}", period=day.strftime("%y%m%d"), last_value=n)
                for (code, day), n in sim.sequences.items()
            ],
            batch_size=5000,
        )
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cur.execute(sql)
    load_elapsed = time.perf_counter() - began
    if postgres:
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for definition in index_defs:
                cur.execute(definition)
        log(f"rebuilt {len(index_defs)} indexes in {time.perf_counter() - start:.1f} s")
    with transaction.atomic():
        _fill_facts(log, today)
    start = time.perf_counter()
    with connection.cursor() as cur:
        if postgres:
            for m in models:
                cur.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(m._meta.db_table)}")
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")
    log(f"vacuum/analyze in {time.perf_counter() - start:.1f} s")
    elapsed = time.perf_counter() - began
    summary = {
        "dossiers": n_dossiers,
        "steps": tables["step"].written,
        "papers": tables["paper"].written,
        "result_files": tables["file"].written,
        "supplements": tables["supplement"].written,
        "deadline_changes": tables["change"].written,
        "states": dict(sim.states.most_common()),
        "overdue_open": sim.late_open,
        "seconds_load": round(load_elapsed, 1),
        "seconds": round(elapsed, 1),
    }
    if postgres:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            summary["database_size"] = cur.fetchone()[0]
    else:
        summary["database_size"] = f"{(SQLITE_DIR / 'egov.sqlite3').stat().st_size / 2**20:.0f} MB"
    return summary


def print_summary(summary: dict, log=_log) -> None:
    states = ", ".join(
        f"{k} {v:,} ({100 * v / summary['dossiers']:.1f}%)" for k, v in summary["states"].items()
    )
    log(
        f"dataset: {summary['dossiers']:,} dossiers, {summary['steps']:,} steps, "
        f"{summary['papers']:,} papers, {summary['result_files']:,} result files, "
        f"{summary['supplements']:,} supplement requests, {summary['deadline_changes']:,} "
        f"deadline changes; database {summary['database_size']}"
    )
    log(f"states: {states}; open and overdue now: {summary['overdue_open']:,}")
    log(
        f"generated in {summary['seconds']:.0f} s (rows written in {summary['seconds_load']:.0f} s, "
        "then indexes, fact tables, analyze)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument(
        "--agencies", type=int, default=100, help="local governments receiving dossiers"
    )
    parser.add_argument("--days", type=int, default=365, help="the period, ending yesterday")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"PostgreSQL database named {PG_PREFIX}* (default BENCH_DATABASE_URL, else SQLite)",
    )
    args = parser.parse_args()
    vendor = configure(args.database_url, reset=True)
    print(f"database: {vendor}")
    summary = generate(args.dossiers, args.agencies, seed=args.seed, days=args.days)
    print_summary(summary)


if __name__ == "__main__":
    main()
