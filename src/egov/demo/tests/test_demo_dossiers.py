"""Demo dossiers: a month of one-stop work replayed through the real services."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from egov.accounts.models import User
from egov.core import audit
from egov.core.models import AuditEvent
from egov.demo.demo_dossiers import SCENARIOS, _allocate, load_demo_dossiers
from egov.demo.presets import thanh_ba_2021
from egov.dossiers import services
from egov.dossiers.models import (
    OPEN_STATES,
    DeadlineChange,
    Dossier,
    DossierDailyStat,
    DossierStep,
    OpenDueCount,
    State,
    SupplementRequest,
    Timing,
)
from egov.organizations.models import Agency
from egov.procedures import services as procedure_services
from egov.procedures.models import Procedure

pytestmark = pytest.mark.django_db

PRESET = "thanh-ba-2021"
FLOWS = (
    "received_counter",
    "received_online",
    "received_post",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "closed_without_result",
    "returned",
    "refused",
)


def _steps(kind: str, total: Decimal, department: str = "") -> list[dict]:
    edge = Decimal("0.5")
    work = {
        "name": "Thẩm định hồ sơ",
        "unit": "department",
        "department_abbreviation": department,
        "role": "specialist",
        "duration": total - 3 * edge,
    }
    return [
        {"name": "Tiếp nhận hồ sơ", "unit": "onestop", "role": "onestop", "duration": edge},
        work,
        {"name": f"Ký kết quả ({kind})", "unit": "government", "role": "leader", "duration": edge},
        {"name": "Trả kết quả", "unit": "onestop", "role": "onestop", "duration": edge},
    ]


def _ensure_procedures() -> None:
    """``load_demo`` brings the demo catalog; without it, a few procedures of each level."""
    if (
        Procedure.objects.filter(level="commune").exists()
        and Procedure.objects.filter(level="district").exists()
    ):
        return
    field = procedure_services.get_or_create_field("HT", "Hộ tịch")
    for code, name, level, days, department in (
        ("1.900001", "Đăng ký khai sinh", "commune", 3, ""),
        ("1.900002", "Cấp giấy xác nhận tình trạng hôn nhân", "commune", 5, ""),
        ("1.900003", "Đăng ký kết hôn có yếu tố nước ngoài", "district", 10, "TP"),
        ("1.900004", "Thay đổi, cải chính hộ tịch", "district", 5, "TP"),
    ):
        procedure_services.save_version(
            code,
            field=field,
            effective_from=dt.date(2020, 1, 1),
            name=name,
            level=level,
            online_level="partial",
            processing_time=Decimal(days),
            papers=[{"name": "Tờ khai theo mẫu"}, {"name": "Giấy tờ tùy thân", "kind": "copy"}],
            steps=_steps(level, Decimal(days), department),
        )


@pytest.fixture
def month():
    call_command("load_demo", PRESET, "--quiet", stdout=io.StringIO())
    _ensure_procedures()
    start = time.perf_counter()
    created = load_demo_dossiers(PRESET)  # 0 when load_demo already loaded them
    return created, time.perf_counter() - start


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def test_a_month_in_every_state(month):
    created, elapsed = month
    print(f"\n{created} demo dossiers in {elapsed:.1f} s")
    assert created in (0, 300)
    created = Dossier.objects.count()
    assert created == 300

    states = Counter(Dossier.objects.values_list("state", flat=True))
    expected = {
        State.RECEIVED,
        State.IN_PROCESS,
        State.SUPPLEMENT,
        State.RESULT_READY,
        State.RETURNED,
        State.REFUSED,
        State.STOPPED,
        State.WITHDRAWN,
    }
    assert expected <= set(states), states
    assert states[State.RETURNED] > created / 3

    returned = Counter(
        Dossier.objects.filter(state=State.RETURNED).values_list("timing", flat=True)
    )
    assert {Timing.EARLY, Timing.ON_TIME, Timing.LATE} <= set(returned), returned

    now = timezone.now()
    overdue = Dossier.objects.filter(state__in=OPEN_STATES, due_at__lt=now)
    assert overdue.filter(state=State.IN_PROCESS).exists()

    # supplements: some still waiting (clock paused), some resumed (due moment moved)
    assert SupplementRequest.objects.filter(resumed_at__isnull=True).exists()
    assert SupplementRequest.objects.filter(resumed_at__isnull=False).exists()
    assert Dossier.objects.filter(state=State.SUPPLEMENT, paused_at__isnull=False).exists()
    assert DeadlineChange.objects.filter(kind="pause").exists()

    # form 04 and một cửa liên thông
    assert DeadlineChange.objects.filter(kind="apology").count() >= 2
    district_onestop = Agency.objects.get(code=thanh_ba_2021.DISTRICT_ONESTOP_CODE)
    transfers = DossierStep.objects.filter(is_transfer=True, agency=district_onestop)
    assert transfers.filter(state="active").exists()
    assert transfers.filter(state="done", dossier__state=State.RETURNED).exists()

    # the district, the demo commune and other communes all received dossiers
    intake = Counter(Dossier.objects.values_list("intake_agency__code", flat=True))
    assert intake[thanh_ba_2021.DISTRICT_ONESTOP_CODE] > 30
    assert intake[thanh_ba_2021.DOSON_ONESTOP_CODE] > 5
    assert len(intake) > 10

    # the demo officers work on them; other units got staff accounts through the services
    assert DossierStep.objects.filter(completed_by__username="motcua").exists()
    assert DossierStep.objects.filter(completed_by__username="motcua.doson").exists()
    assert User.objects.filter(username__startswith="chuyenvien.", is_active=True).exists()
    assert AuditEvent.objects.filter(action="dossier.handed_over").count() > created
    # the demo citizen has dossiers of their own
    assert Dossier.objects.filter(citizen__phone="0912345678").exists()

    # the month is the month before now
    first = Dossier.objects.order_by("received_at").first().received_at
    assert now - dt.timedelta(days=32) < first
    assert not Dossier.objects.filter(received_at__gt=now).exists()

    checked, problem = audit.verify()
    assert problem is None and checked > created


def test_fact_tables_agree_with_a_recount(month):
    recount: dict[tuple[int, dt.date], Counter] = defaultdict(Counter)
    open_due: Counter = Counter()
    for d in Dossier.objects.all():
        if d.code:
            recount[(d.agency_id, _local_day(d.received_at))][f"received_{d.channel}"] += 1
        if d.state == State.REFUSED:
            recount[(d.agency_id, _local_day(d.received_at))]["refused"] += 1
        if d.timing:
            recount[(d.agency_id, _local_day(d.resolved_at))][f"resolved_{d.timing}"] += 1
        if d.state in (State.STOPPED, State.WITHDRAWN):
            recount[(d.agency_id, _local_day(d.resolved_at))]["closed_without_result"] += 1
        if d.returned_at:
            recount[(d.agency_id, _local_day(d.returned_at))]["returned"] += 1
        if d.state == State.SUPPLEMENT:
            open_due[(d.agency_id, services.PAUSED_DAY)] += (
                1  # clock paused: neither on time nor late
            )
        elif d.state in OPEN_STATES:
            # counted against the due moment moved only by pauses (form 04 does not excuse)
            open_due[(d.agency_id, _local_day(d.counted_due_at))] += 1

    facts = {
        (row.agency_id, row.day): Counter({f: getattr(row, f) for f in FLOWS if getattr(row, f)})
        for row in DossierDailyStat.objects.all()
    }
    assert facts == dict(recount)
    assert sum(c["received_online"] for c in facts.values()) > 0
    assert sum(c["resolved_late"] for c in facts.values()) > 0

    counts = {(r.agency_id, r.due_day): r.count for r in OpenDueCount.objects.all()}
    assert all(n >= 0 for n in counts.values())
    assert {k: n for k, n in counts.items() if n} == dict(open_due)


def test_a_second_call_adds_nothing(month):
    before = (
        Dossier.objects.count(),
        DossierStep.objects.count(),
        AuditEvent.objects.count(),
        User.objects.count(),
        DossierDailyStat.objects.count(),
    )
    assert load_demo_dossiers(PRESET) == 0
    after = (
        Dossier.objects.count(),
        DossierStep.objects.count(),
        AuditEvent.objects.count(),
        User.objects.count(),
        DossierDailyStat.objects.count(),
    )
    assert after == before


def test_scenarios_are_allocated_exactly():
    for count in (1, 16, 17, 50, 300, 1000):
        names = _allocate(count)
        assert len(names) == count
        if count >= len(SCENARIOS):
            assert set(names) == {name for name, _ in SCENARIOS}
