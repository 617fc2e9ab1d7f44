"""A month of one-stop work for a demo preset, replayed through the real services.

:func:`load_demo_dossiers` receives a few hundred dossiers at the one-stop units of a preset's
governments (for ``thanh-ba-2021``: the district's one-stop centre and the 19 communes' units)
and takes each one as far as its scenario says: new, in process (some overdue now), waiting
for papers or resumed after them, result ready, returned early / on time / late, refused at
intake, stopped, withdrawn, extended with form 04, sent to the district (một cửa liên thông).
Inboxes, dossier pages, form 06 and the statistics then look like a real month.

Every change goes through ``egov.dossiers.services`` under ``services.simulated_clock(t)``, in
the order of time across all dossiers, so codes, due moments, pauses, hand-overs, the fact
tables and the audit log are exactly what officers working that month would have produced.
(The audit events' own ``occurred_at`` and the rows' ``created_at`` are the moment of loading:
those are stamped by the database layer, not by the services' clock.)

Officers: the preset's demo officers act where they hold the role (``motcua`` receives at the
district centre, ``chuyenvien`` works the Phòng Tư pháp steps, …); where a unit has nobody with
the role a step needs, a staff account is created for it through ``accounts.services``
(``chuyenvien.dongthanh``, no usable password), so the audit log names a real account.

Deterministic (seeded by the preset name), idempotent (a second call finds the marker event
``demo.dossiers_loaded`` or existing dossiers at the preset's units and returns 0), all in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from egov.accounts import services as account_services
from egov.accounts.models import Membership, Role, User
from egov.core import audit, calendar
from egov.core.files import StoredFile, store_upload
from egov.core.models import AuditEvent
from egov.core.text import fold
from egov.demo.presets import get_preset
from egov.dossiers import services
from egov.dossiers.models import Channel, Dossier, DossierStep, ReturnMethod, StepState
from egov.organizations.models import Agency
from egov.procedures.models import ProcedureVersion

log = logging.getLogger(__name__)

MARKER = "demo.dossiers_loaded"

#: What each demo dossier is at "now", and its share of the month.
SCENARIOS: tuple[tuple[str, float], ...] = (
    ("returned_early", 0.31),
    ("returned_on_time", 0.10),
    ("returned_late", 0.07),
    ("result_ready", 0.06),
    ("in_process", 0.13),
    ("in_process_overdue", 0.05),
    ("received", 0.06),
    ("supplement_waiting", 0.04),
    ("supplement_resumed", 0.04),
    ("refused", 0.03),
    ("stopped", 0.02),
    ("withdrawn", 0.02),
    ("extended_open", 0.005),
    ("extended_returned", 0.005),
    ("transferred_open", 0.03),
    ("transferred_returned", 0.03),
)
#: if a scenario fits no procedure of a government, the dossier gets the next one that does
FALLBACK = {
    "transferred_open": "in_process",
    "transferred_returned": "returned_early",
    "extended_open": "in_process",
    "extended_returned": "returned_late",
    "in_process_overdue": "in_process",
    "in_process": "received",
    "supplement_resumed": "supplement_waiting",
    "returned_on_time": "returned_early",
    "returned_early": "returned_late",
}

ROLE_USERNAME = {
    Role.ONESTOP: "motcua",
    Role.SPECIALIST: "chuyenvien",
    Role.LEADER: "lanhdao",
    Role.CLERK: "vanthu",
    Role.FEE: "thuphi",
    Role.ADMIN: "quantri",
}
_SLUG_SKIP = {"mot", "cua", "xa", "thi", "tran", "phuong", "huyen", "tinh", "ubnd", "bo", "phan"}

# fmt: off
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Đinh", "Hà", "Lưu", "Cao"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Xuân", "Hồng",
          "Kim", "Công", "Bảo", "Thùy"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm",
         "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Hoa", "Hiếu", "Thắng", "Lộc", "Nhung", "Tùng"]
# fmt: on
REFUSALS = (
    "Thủ tục không thuộc thẩm quyền giải quyết của đơn vị; hướng dẫn nộp tại cơ quan có thẩm quyền",
    "Giấy tờ tùy thân đã hết hạn sử dụng",
    "Hồ sơ không có bản chính để đối chiếu",
)
SUPPLEMENTS = (
    "Bổ sung bản sao có chứng thực giấy tờ chứng minh nội dung đề nghị",
    "Tờ khai chưa ghi đủ thông tin, đề nghị kê khai lại theo mẫu",
    "Bổ sung văn bản ủy quyền có chứng thực do người nộp thay",
)
STOPS = (
    "Quá thời hạn bổ sung hồ sơ theo phiếu yêu cầu mà người nộp không bổ sung",
    "Hồ sơ có tranh chấp, chờ cơ quan có thẩm quyền giải quyết",
)
WITHDRAWALS = ("Người nộp có đơn xin rút hồ sơ", "Người nộp đề nghị rút hồ sơ để bổ sung sau")
EXTENSIONS = (
    "Hồ sơ cần xác minh thực địa thêm; xin lỗi và hẹn lại ngày trả kết quả",
    "Chờ ý kiến của cơ quan liên quan; xin lỗi và hẹn lại ngày trả kết quả",
)

RESULT_HTML = """{% extends "core/pdf_base.html" %}
{% block title %}Kết quả giải quyết thủ tục hành chính (minh họa){% endblock %}
{% block issuer_parent %}DỮ LIỆU MINH HỌA{% endblock %}
{% block issuer %}{{ title }}{% endblock %}
{% block place_date %}{% endblock %}
{% block document_title %}<p class="document-title">KẾT QUẢ GIẢI QUYẾT
THỦ TỤC HÀNH CHÍNH</p><p class="document-subject">(văn bản minh họa của dữ liệu demo)</p>
{% endblock %}
{% block content %}<p>Văn bản này được đính kèm làm kết quả giải quyết cho các hồ sơ của dữ
liệu demo, để cán bộ và người dân thấy đủ các bước của quy trình một cửa. Văn bản không có giá
trị pháp lý.</p>{% endblock %}
{% block signature %}<div class="authority">TM. ỦY BAN NHÂN DÂN</div>
<div class="position">CHỦ TỊCH</div><div class="signer">(minh họa)</div>{% endblock %}
"""


class DemoDataError(ValueError):
    """The demo dossiers cannot be generated (e.g. no procedure catalog loaded)."""


@dataclass
class Government:
    agency: Agency
    unit: Agency  # its one-stop unit
    level: str
    weight: float
    address: str
    versions: list[tuple[ProcedureVersion, int, float]] = field(default_factory=list)
    higher: Agency | None = None


@dataclass
class Plan:
    scenario: str
    gov: Government
    version: ProcedureVersion
    received_at: dt.datetime
    events: list[tuple[dt.datetime, str]]
    applicant: services.Applicant
    channel: str = Channel.COUNTER
    return_method: str = ReturnMethod.COUNTER
    citizen: User | None = None
    dossier_id: int | None = None
    has_result: bool = False


class Month:
    """Working-time arithmetic over the month before ``now``."""

    SLOT = dt.timedelta(minutes=15)

    def __init__(self, now: dt.datetime, rng: random.Random, days: int = 31) -> None:
        self.cal = calendar.get_calendar()
        self.now = now
        self.rng = rng
        self.day_hours = self.cal.hours.daily_total.total_seconds() / 3600
        tz = self.cal.tz
        slots = []
        day = timezone.localtime(now, tz).date() - dt.timedelta(days=days)
        while day <= timezone.localtime(now, tz).date():
            if self.cal.is_working_day(day):
                midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)
                for start, end in self.cal.hours.intervals:
                    moment = midnight + start
                    while moment < midnight + end and moment < now:
                        slots.append(moment)
                        moment += self.SLOT
            day += dt.timedelta(days=1)
        self.slots = slots
        self.hours = len(slots) / 4  # working hours in the window

    def ago(self, hours: float) -> dt.datetime | None:
        """A moment about ``hours`` working hours before now (None if before the window)."""
        index = len(self.slots) - 1 - int(hours * 4)
        if index < 0 or not self.slots:
            return None
        return self.slots[index] + dt.timedelta(minutes=self.rng.randrange(15))

    def span(self, a: dt.datetime, b: dt.datetime) -> float:
        return self.cal.working_time_between(a, b).total_seconds() / 3600

    def at(self, a: dt.datetime, hours: float) -> dt.datetime:
        return self.cal.add_working_hours(a, max(hours, 0.02))

    def spread(self, a: dt.datetime, b: dt.datetime, k: int) -> list[dt.datetime]:
        total = self.span(a, b)
        return [self.at(a, total * j / k) for j in range(1, k + 1)]

    def local_day(self, moment: dt.datetime) -> dt.date:
        return timezone.localtime(moment, self.cal.tz).date()


class Planner:
    """Chooses, for one scenario, a procedure and the moments of each action."""

    def __init__(self, month: Month, rng: random.Random, steps: dict[int, list]) -> None:
        self.m = month
        self.rng = rng
        self.steps = steps

    def _shape(self, version: ProcedureVersion) -> tuple[int, float]:
        """(processing hand-overs until the result is ready, allotted working hours)."""
        steps = self.steps[version.pk]
        n = len(steps) - 1 if len(steps) > 1 and steps[-1].unit == "onestop" else len(steps)
        limit = float(version.processing_time)
        hours = limit * self.m.day_hours if version.time_unit == "days" else limit
        return max(n, 1), max(hours, 1.0)

    def _due(self, version: ProcedureVersion, received_at: dt.datetime) -> dt.datetime:
        return calendar.add_duration(
            received_at, version.processing_time, version.time_unit, version.cutoff_time
        )

    def plan(self, scenario: str, gov: Government) -> Plan | None:
        rng = self.rng
        method = getattr(self, f"_{scenario}")
        weights = [w for _, _, w in gov.versions]
        for _ in range(30):
            version, _pk, _w = rng.choices(gov.versions, weights)[0]
            n, hours = self._shape(version)
            found = method(version, n, hours, gov)
            if found is None:
                continue
            received_at, events = found
            day = self.m.local_day(received_at)
            if version.effective_from > day or (
                version.effective_to and version.effective_to < day
            ):
                continue
            times = [received_at, *(t for t, _ in events)]
            if any(b <= a for a, b in zip(times, times[1:], strict=False)):
                continue
            events = [(t, action) for t, action in events if t <= self.m.now]
            return Plan(scenario, gov, version, received_at, events, applicant=None)
        return None

    # --- scenarios: (received_at, [(moment, action), …]) or None when it does not fit ---------

    def _u(self, a: float, b: float) -> float:
        return self.rng.uniform(a, b)

    def _received(self, v, n, hours, gov):
        rec = self.m.ago(self._u(0.02, 0.6) * min(hours, self.m.day_hours))
        if rec is None or self._due(v, rec) <= self.m.now:
            return None
        return rec, []

    def _in_process(self, v, n, hours, gov, overdue=False):
        if n < 2:
            return None
        span = self._u(1.15, 1.8) * hours + 2 if overdue else self._u(0.3, 0.8) * hours
        rec = self.m.ago(span)
        if rec is None:
            return None
        due = self._due(v, rec)
        if (due >= self.m.now) if overdue else (due <= self.m.now):
            return None
        cut = self.m.at(rec, self.m.span(rec, self.m.now) * self._u(0.3, 0.9))
        k = self.rng.randint(1, n - 1)
        return rec, [(t, "hand_over") for t in self.m.spread(rec, cut, k)]

    def _in_process_overdue(self, v, n, hours, gov):
        return self._in_process(v, n, hours, gov, overdue=True)

    def _result_ready(self, v, n, hours, gov):
        rec = self.m.ago(self._u(0.5, 1.1) * hours)
        if rec is None:
            return None
        end = min(self._due(v, rec), self.m.now)
        ready = self.m.at(rec, self.m.span(rec, end) * self._u(0.5, 0.9))
        if ready >= self.m.now:
            return None
        return rec, [(t, "hand_over") for t in self.m.spread(rec, ready, n)]

    def _returned(self, v, n, hours, timing: str):
        if hours + 3 > self.m.hours:
            return None
        rec = self.m.ago(self._u(hours + 3, self.m.hours))
        if rec is None:
            return None
        due = self._due(v, rec)
        if timing == "early":
            ready = self.m.at(rec, self.m.span(rec, due) * self._u(0.3, 0.8))
            if self.m.local_day(ready) >= self.m.local_day(due):
                return None
        elif timing == "on_time":
            opening = dt.datetime.combine(
                self.m.local_day(due), dt.time(), tzinfo=self.m.cal.tz
            ) + (self.m.cal.hours.opening)
            low = max(opening, rec + dt.timedelta(minutes=20))
            if low >= due:
                return None
            ready = low + (due - low) * self._u(0.2, 1.0)
        else:
            ready = self.m.at(due, self._u(1, 14))
        back = self.m.at(ready, self._u(0.2, 5))
        if back > self.m.now:
            return None
        events = [(t, "hand_over") for t in self.m.spread(rec, ready, n)]
        return rec, [*events, (back, "return_result")]

    def _returned_early(self, v, n, hours, gov):
        return self._returned(v, n, hours, "early")

    def _returned_on_time(self, v, n, hours, gov):
        return self._returned(v, n, hours, "on_time")

    def _returned_late(self, v, n, hours, gov):
        return self._returned(v, n, hours, "late")

    def _supplement_waiting(self, v, n, hours, gov):
        rec = self.m.ago(self._u(0.3, 0.9) * min(hours + 8, self.m.hours))
        if rec is None:
            return None
        events = []
        start = rec
        if n >= 2:
            start = self.m.at(rec, self.m.span(rec, self.m.now) * self._u(0.05, 0.3))
            events.append((start, "hand_over"))
        asked = self.m.at(start, self.m.span(start, self.m.now) * self._u(0.2, 0.7))
        return rec, [*events, (asked, "request_supplement")]

    def _supplement_resumed(self, v, n, hours, gov):
        rec = self.m.ago(self._u(0.5, 0.9) * self.m.hours)
        if rec is None:
            return None
        events = []
        t = rec
        if n >= 2:
            t = self.m.at(rec, self._u(0.5, 4))
            events.append((t, "hand_over"))
        asked = self.m.at(t, self._u(1, 8))
        back = self.m.at(asked, self._u(4, 24))
        if back >= self.m.now:
            return None
        events += [(asked, "request_supplement"), (back, "receive_supplement")]
        t = back
        for _ in range(n - (1 if n >= 2 else 0)):
            t = self.m.at(t, max(0.5, self._u(0.2, 0.6) * hours / n))
            events.append((t, "hand_over"))
        events.append((self.m.at(t, self._u(0.2, 4)), "return_result"))
        return rec, events  # cut at now by plan(): some end returned, some in process

    def _refused(self, v, n, hours, gov):
        rec = self.m.ago(self._u(0.05, 0.95) * self.m.hours)
        return (rec, []) if rec else None

    def _closed(self, v, n, action: str):
        rec = self.m.ago(self._u(0.4, 0.9) * self.m.hours)
        if rec is None:
            return None
        events = []
        t = rec
        if n >= 2:
            t = self.m.at(rec, self._u(0.5, 6))
            events.append((t, "hand_over"))
        closed = self.m.at(t, self._u(2, 20))
        if closed >= self.m.now:
            return None
        return rec, [*events, (closed, action)]

    def _stopped(self, v, n, hours, gov):
        return self._closed(v, n, "stop")

    def _withdrawn(self, v, n, hours, gov):
        return self._closed(v, n, "withdraw")

    def _extended_open(self, v, n, hours, gov):
        if n < 2:
            return None
        rec = self.m.ago(self._u(0.7, 0.95) * hours)
        if rec is None or self._due(v, rec) <= self.m.now:
            return None
        first = self.m.at(rec, self.m.span(rec, self.m.now) * 0.2)
        extend = self.m.at(first, self.m.span(first, self.m.now) * 0.5)
        return rec, [(first, "hand_over"), (extend, "extend")]

    def _extended_returned(self, v, n, hours, gov):
        if n < 2 or hours + 30 > self.m.hours:
            return None
        rec = self.m.ago(self._u(hours + 30, self.m.hours))
        if rec is None:
            return None
        due = self._due(v, rec)
        first = self.m.at(rec, self.m.span(rec, due) * 0.2)
        extend = self.m.at(first, self.m.span(first, due) * 0.6)
        ready = self.m.at(due, self._u(1, 10))  # after the first due date, before the new one
        back = self.m.at(ready, self._u(0.2, 3))
        if back >= self.m.now or extend >= due:
            return None
        rest = [(t, "hand_over") for t in self.m.spread(extend, ready, n - 1)]
        return rec, [(first, "hand_over"), (extend, "extend"), *rest, (back, "return_result")]

    def _transferred(self, v, n, hours, gov, back: bool):
        if n < 2 or gov.higher is None:
            return None
        rec = self.m.ago(
            self._u(0.6, 0.95) * self.m.hours if back else self._u(0.1, 0.6) * self.m.hours
        )
        if rec is None:
            return None
        first = self.m.at(rec, self._u(0.3, 3))
        sent = self.m.at(first, self._u(1, 6))
        events = [(first, "hand_over"), (sent, "transfer")]
        if sent >= self.m.now:
            return None
        if back:
            t = self.m.at(sent, self._u(4, 20))
            events.append((t, "hand_over"))  # the higher agency hands the dossier back
            for _ in range(n - 2):
                t = self.m.at(t, self._u(1, 6))
                events.append((t, "hand_over"))
            events.append((self.m.at(t, self._u(0.2, 4)), "return_result"))
            if events[-1][0] > self.m.now:
                return None
        return rec, events

    def _transferred_open(self, v, n, hours, gov):
        return self._transferred(v, n, hours, gov, back=False)

    def _transferred_returned(self, v, n, hours, gov):
        return self._transferred(v, n, hours, gov, back=True)


class Staff:
    """Who acts: a preset officer holding the role at the agency, else a generated one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cache: dict[tuple[int, str], User] = {}
        self.created = 0

    def of(self, agency: Agency | int, role: str) -> User:
        agency_id = getattr(agency, "pk", agency)
        key = (agency_id, role)
        if key not in self.cache:
            membership = (
                Membership.objects.filter(agency_id=agency_id, role=role, is_active=True)
                .select_related("user")
                .order_by("id")
                .first()
            )
            if membership is not None and membership.user.is_active:
                self.cache[key] = membership.user
            else:
                self.cache[key] = self._create(Agency.objects.get(pk=agency_id), role)
        return self.cache[key]

    def _create(self, agency: Agency, role: str) -> User:
        words = [w for w in fold(agency.short_name or agency.name).split() if w not in _SLUG_SKIP]
        base = f"{ROLE_USERNAME.get(role, role)}.{''.join(words) or agency.pk}"
        username = base
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            if existing.is_officer and existing.is_active:
                account_services.grant_role(existing, agency, role)
                return existing
            username = f"{base}.{agency.pk}"
        rng = self.rng
        user = account_services.create_officer(
            username,
            None,  # an actor of the demo data, not a login
            full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            position=f"{Role(role).label}, {agency.name} (dữ liệu minh họa)",
        )
        account_services.grant_role(user, agency, role)
        self.created += 1
        return user


def _result_pdf(title: str) -> bytes:
    """One placeholder result document for the demo (rendered once per load)."""
    try:
        from django.template import engines
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        from egov.core.pdf import make_url_fetcher

        html = engines["django"].from_string(RESULT_HTML).render({"title": title})
        return HTML(string=html, base_url="file:///", url_fetcher=make_url_fetcher()).write_pdf(
            font_config=FontConfiguration()
        )
    except Exception:  # the PDF engine is optional for demo data: fall back to a blank page
        import io

        from pypdf import PdfWriter

        log.warning("demo result PDF: rendering failed, using a blank page", exc_info=True)
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


def _governments(preset, today: dt.date, rng: random.Random) -> list[Government]:
    codes = [a["code"] for a in preset.AGENCIES]
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    officer_units = {code for o in preset.OFFICERS for code, role in o.get("roles", [])}
    governments = []
    for code in codes:
        agency = agencies.get(code)
        if agency is None or agency.kind not in Agency.GOVERNMENT_KINDS:
            continue
        if not agency.is_active(today) or agency.successor_id:
            continue
        unit = next(
            (
                a
                for a in agencies.values()
                if a.parent_id == agency.pk and a.kind == Agency.Kind.ONESTOP and a.is_active(today)
            ),
            None,
        )
        if unit is None:
            continue
        level = agency.kind if agency.kind in ("province", "district") else "commune"
        weight = 8.0 if level != "commune" else (3.0 if unit.code in officer_units else 1.0)
        higher = agency.parent.government() if agency.parent_id else None
        governments.append(
            Government(
                agency=agency,
                unit=unit,
                level=level,
                weight=weight * rng.uniform(0.8, 1.2),
                address=agency.address,
                higher=higher if higher and higher.is_active(today) else None,
            )
        )
    return governments


def _allocate(count: int) -> list[str]:
    """``count`` scenario names: each once (when count allows), the rest by share."""
    names = [name for name, _ in SCENARIOS]
    if count <= len(names):
        return names[:count]
    rest = count - len(names)
    extra = {name: int(share * rest) for name, share in SCENARIOS}
    by_share = [name for name, _ in sorted(SCENARIOS, key=lambda item: -item[1])]
    for i in range(rest - sum(extra.values())):
        extra[by_share[i % len(by_share)]] += 1
    return [name for name in names for _ in range(1 + extra[name])]


def load_demo_dossiers(preset: str, *, today: dt.date | None = None, count: int = 300) -> int:
    """Replay about a month of one-stop work for ``preset`` up to ``today`` (default: now) and
    return the number of dossiers created; 0 if the preset's demo dossiers already exist.

    Needs the preset (``load_demo``) and the procedure catalog loaded; raises
    :class:`DemoDataError` when no government of the preset has a procedure to receive."""
    module = get_preset(preset)
    real_today = timezone.localdate()
    if today is None or today == real_today:
        today, now = real_today, timezone.now()
    else:
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(17, 0)))
    rng = random.Random(f"egov-demo-dossiers:{module.NAME}")
    governments = _governments(module, today, rng)
    if not governments:
        log.info("%s: no active one-stop unit on %s (merged away?)", module.NAME, today)
        return 0
    if AuditEvent.objects.filter(action=MARKER, data__preset=module.NAME).exists():
        return 0
    if Dossier.objects.filter(intake_agency__in=[g.unit for g in governments]).exists():
        return 0
    with transaction.atomic():
        created = _load(module, governments, today, now, count, rng)
        audit.record(
            MARKER,
            data={"preset": module.NAME, "dossiers": created, "until": now.isoformat()},
        )
    return created


def _load(module, governments, today, now, count, rng) -> int:
    month = Month(now, rng)
    window_start = month.local_day(month.slots[0]) if month.slots else today
    versions = list(
        ProcedureVersion.objects.filter(procedure__is_active=True, effective_from__lte=today)
        .exclude(effective_to__lt=window_start)
        .select_related("procedure", "field")
        .prefetch_related("papers", "steps")
        .order_by("procedure__national_code", "effective_from")
    )
    steps = {v.pk: sorted(v.steps.all(), key=lambda s: s.order) for v in versions}
    for gov in governments:
        gov.versions = [
            (v, v.pk, _popularity(v, rng)) for v in versions if v.level == gov.level and steps[v.pk]
        ]
    governments = [g for g in governments if g.versions]
    if not governments:
        raise DemoDataError(
            f"{module.NAME}: no procedure to receive at its one-stop units — load the "
            "procedure catalog first (load_demo loads it)"
        )
    planner = Planner(month, rng, steps)
    staff = Staff(rng)
    plans = []
    weights = [g.weight for g in governments]
    for scenario in _allocate(count):
        name = scenario
        plan = None
        while plan is None and name:
            pool = (
                [g for g in governments if g.higher and g.level == "commune"]
                if name.startswith("transferred")
                else []
            )
            gov = rng.choices(pool or governments, None if pool else weights)[0]
            plan = planner.plan(name, gov)
            if plan is None:
                name = FALLBACK.get(name)
        if plan is None:
            plan = planner.plan("received", rng.choices(governments, weights)[0])
        if plan is not None:
            _fill_applicant(plan, rng)
            plans.append(plan)
    _link_citizens(module, plans)

    result_file = store_upload(
        ContentFile(_result_pdf(module.TITLE), name="ket-qua-minh-hoa.pdf"),
        folder="dossiers/results",
    )
    runner = Runner(staff, result_file, rng)
    queue: list[tuple[dt.datetime, int, int]] = []
    for i, plan in enumerate(plans):
        heapq.heappush(queue, (plan.received_at, i, -1))
    while queue:
        moment, i, step = heapq.heappop(queue)
        plan = plans[i]
        with services.simulated_clock(moment):
            ok = runner.act(plan, "receive" if step < 0 else plan.events[step][1])
        if ok and step + 1 < len(plan.events):
            heapq.heappush(queue, (plan.events[step + 1][0], i, step + 1))
    log.info(
        "%s: %d demo dossiers, %d staff accounts created", module.NAME, len(plans), staff.created
    )
    return len(plans)


def _popularity(version: ProcedureVersion, rng: random.Random) -> float:
    """A few procedures get most of the dossiers (chứng thực, hộ tịch, đất đai…), as in life."""
    code = version.field.code if version.field_id else ""
    base = {"CT": 6.0, "HT": 5.0, "DD": 3.0, "HKD": 2.0, "BTXH": 1.5, "XD": 1.5}.get(code, 0.4)
    return base * rng.uniform(0.5, 1.5)


def _fill_applicant(plan: Plan, rng: random.Random) -> None:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    plan.applicant = services.Applicant(
        name=name,
        id_number=f"025{rng.choice('0123')}{rng.randrange(10**8):08d}",
        phone=f"09{rng.randrange(10**8):08d}",
        address=f"Khu {rng.randint(1, 12)}, {plan.gov.address}".rstrip(", "),
    )
    online = plan.version.online_level != "2"
    r = rng.random()
    plan.channel = (
        Channel.ONLINE if online and r < 0.3 else (Channel.POST if r > 0.95 else Channel.COUNTER)
    )
    r = rng.random()
    plan.return_method = (
        ReturnMethod.POST
        if r < 0.1
        else (ReturnMethod.ONLINE if online and r > 0.93 else ReturnMethod.COUNTER)
    )


def _link_citizens(module, plans: list[Plan]) -> None:
    """The preset's demo citizens get a few dossiers of their own (for the portal)."""
    for data in getattr(module, "CITIZENS", []):
        user = User.objects.filter(phone=data["phone"], kind=User.Kind.CITIZEN).first()
        if user is None:
            continue
        address = fold(data.get("address", ""))
        mine = [
            p
            for p in plans
            if p.scenario in ("returned_early", "in_process", "supplement_waiting")
            and p.gov.level == "commune"
            and fold(p.gov.agency.short_name).split(" ", 1)[-1] in address
        ]
        taken = set()
        for plan in mine:
            if plan.scenario in taken:
                continue
            taken.add(plan.scenario)
            plan.citizen = user
            plan.applicant = services.Applicant(
                name=data["full_name"],
                id_number=data.get("citizen_id", plan.applicant.id_number),
                phone=data["phone"],
                email=data.get("email", ""),
                address=data.get("address", ""),
            )


class Runner:
    """Performs one planned action through the services (inside the simulated clock)."""

    def __init__(self, staff: Staff, result_file: StoredFile, rng: random.Random) -> None:
        self.staff = staff
        self.result_file = result_file
        self.rng = rng

    def act(self, plan: Plan, action: str) -> bool:
        handler: Callable[[Plan], None] = getattr(self, f"_{action}")
        try:
            handler(plan)
        except ValidationError as exc:
            # A plan that no longer fits what the services allow stops where it is: the data
            # stays exactly what the services accepted.
            log.warning("demo dossier %s: %s refused: %s", plan.dossier_id, action, exc.messages)
            return False
        return True

    def _dossier(self, plan: Plan) -> Dossier:
        return Dossier.objects.select_related("agency", "intake_agency").get(pk=plan.dossier_id)

    def _steps(self, plan: Plan) -> tuple[DossierStep | None, DossierStep | None, bool]:
        """(active step, the step after it, whether handing over makes the result ready —
        the rule of ``services.hand_over``: no next step, or the next one is the return step,
        i.e. the last step, at the receiving unit)."""
        steps = list(DossierStep.objects.filter(dossier_id=plan.dossier_id).order_by("order"))
        active = next((s for s in steps if s.state == StepState.ACTIVE), None)
        if active is None:
            return None, None, False
        following = next(
            (s for s in steps if s.order > active.order and s.state == StepState.PENDING), None
        )
        ready = following is None or (
            following is steps[-1]
            and following.agency_id == plan.gov.unit.pk
            and following.order > 1
        )
        return active, following, ready

    def _worker(self, step: DossierStep | None):
        if step is None:
            return None
        return step.assignee or self.staff.of(step.agency_id, step.role)

    def _intake(self, plan: Plan) -> services.Intake:
        return services.Intake(
            procedure_version=plan.version,
            applicant=plan.applicant,
            papers_received=[
                p.order for p in plan.version.papers.all() if p.required or self.rng.random() < 0.5
            ],
            channel=plan.channel,
            return_method=plan.return_method,
            citizen=plan.citizen,
        )

    def _receive(self, plan: Plan) -> None:
        officer = self.staff.of(plan.gov.unit, Role.ONESTOP)
        if plan.scenario == "refused":
            intake = self._intake(plan)
            intake.papers_received = [p.order for p in plan.version.papers.all()][:1]
            dossier = services.refuse_intake(
                intake, plan.gov.unit, self.rng.choice(REFUSALS), by=officer
            )
        else:
            dossier = services.receive(self._intake(plan), plan.gov.unit, by=officer)
        plan.dossier_id = dossier.pk

    def _hand_over(self, plan: Plan) -> None:
        step, following, ready = self._steps(plan)
        if step is None:
            raise ValidationError("no active step")
        worker = self._worker(step)
        to_user = None
        if following is not None:
            if following.agency_id == plan.gov.unit.pk:
                to_user = self.staff.of(following.agency_id, Role.ONESTOP)
            elif self.rng.random() < 0.8:
                to_user = self.staff.of(following.agency_id, following.role)
        note = self.rng.choice(("", "", "Đã kiểm tra, đủ điều kiện", "Trình lãnh đạo xem xét"))
        if ready and not plan.has_result:
            services.attach_result(
                plan.dossier_id, self.result_file, by=worker, note="Văn bản kết quả (minh họa)"
            )
            plan.has_result = True
        services.hand_over(plan.dossier_id, by=worker, to_user=to_user, note=note)

    def _return_result(self, plan: Plan) -> None:
        services.return_result(
            plan.dossier_id,
            by=self.staff.of(plan.gov.unit, Role.ONESTOP),
            received_by=plan.applicant.name,
        )

    def _request_supplement(self, plan: Plan) -> None:
        worker = self._worker(self._steps(plan)[0])
        papers = [p.name for p in plan.version.papers.all()][-1:]
        services.request_supplement(
            plan.dossier_id, self.rng.choice(SUPPLEMENTS), papers, by=worker
        )

    def _receive_supplement(self, plan: Plan) -> None:
        services.receive_supplement(
            plan.dossier_id,
            by=self.staff.of(plan.gov.unit, Role.ONESTOP),
            note="Người nộp đã bổ sung giấy tờ",
        )

    def _extend(self, plan: Plan) -> None:
        dossier = self._dossier(plan)
        services.apologize_and_extend(
            dossier,
            calendar.add_working_days(dossier.due_at, 3),
            self.rng.choice(EXTENSIONS),
            by=self.staff.of(dossier.agency_id, Role.LEADER),
        )

    def _transfer(self, plan: Plan) -> None:
        worker = self._worker(self._steps(plan)[0])
        services.transfer(
            plan.dossier_id,
            plan.gov.higher,
            3,
            by=worker,
            note="Chuyển liên thông để cơ quan cấp trên thẩm định",
        )

    def _stop(self, plan: Plan) -> None:
        services.stop(
            plan.dossier_id,
            self.rng.choice(STOPS),
            by=self.staff.of(plan.gov.agency, Role.LEADER),
        )

    def _withdraw(self, plan: Plan) -> None:
        services.withdraw(
            plan.dossier_id,
            self.rng.choice(WITHDRAWALS),
            by=self.staff.of(plan.gov.unit, Role.ONESTOP),
        )
